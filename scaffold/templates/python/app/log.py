"""JSON structured logs, one object per line on stdout, with the trace and span
ids of the current request so logs and traces join up."""

import contextvars
import datetime
import json
import re
import secrets
import sys

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}
_trace = contextvars.ContextVar("trace", default=None)
_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def trace_from_header(header):
    """The W3C traceparent header's trace id with a new span id, or fresh ids."""
    match = _TRACEPARENT.match(header or "")
    trace_id = match.group(1) if match else secrets.token_hex(16)
    return {"trace_id": trace_id, "span_id": secrets.token_hex(8)}


def set_trace(trace):
    return _trace.set(trace)


class Logger:
    def __init__(self, service, level="info", write=None):
        self.service = service
        self.threshold = LEVELS.get(level, LEVELS["info"])
        self.write = write or (lambda line: (sys.stdout.write(line), sys.stdout.flush()))

    def log(self, level, message, **fields):
        if LEVELS[level] < self.threshold:
            return
        record = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "level": level,
            "service": self.service,
            "message": message,
            **fields,
        }
        trace = _trace.get()
        if trace:
            record.update(trace)
        self.write(json.dumps(record) + "\n")

    def info(self, message, **fields):
        self.log("info", message, **fields)

    def warn(self, message, **fields):
        self.log("warn", message, **fields)

    def error(self, message, **fields):
        self.log("error", message, **fields)
