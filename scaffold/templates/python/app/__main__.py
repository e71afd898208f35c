import signal
import sys

from .config import load_config
from .log import Logger
from .metrics import start_metrics
from .server import create_server, shutdown
from .telemetry import start_telemetry


def main(argv):
    config = load_config()
    log = Logger(config["service_name"], config["log_level"])
    stop_telemetry = start_telemetry(log)
    if "--job" in argv:
        # A cron job declared in service.yaml runs this image with --job <name>.
        index = argv.index("--job")
        log.info("job started", job=argv[index + 1] if index + 1 < len(argv) else None)
        stop_telemetry()
        return 0
    metrics = start_metrics(log)
    server = create_server(log, config["port"], metrics=metrics)
    # Kubernetes sends SIGTERM, then waits terminationGracePeriodSeconds.
    signal.signal(signal.SIGTERM, lambda signum, frame: (log.info("shutting down"), shutdown(server)))
    log.info("listening", port=server.server_address[1], environment=config["environment"])
    server.serve_forever()
    server.server_close()
    stop_telemetry()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
