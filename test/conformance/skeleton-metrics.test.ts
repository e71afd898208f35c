import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { readTree, runCli, scratchCopy, writeEmbeddedPlatform } from '../support/helpers.js';
import { freePort } from '../support/processes.js';

/**
 * The metric contract holds for the skeletons `paved new` writes: each is
 * scaffolded, compiled, started with the environment its generated Deployment
 * gives it and the command its Dockerfile runs, sent a few requests, and
 * scraped; every series the generated rules and dashboard read from the
 * service's own scrape job (`job="<service>"`) must be in the scrape, with the
 * labels they match on and the `le` bucket a latency objective reads.
 *
 * The series are parsed from the generated rules.yaml and dashboard.json, not
 * taken from METRIC_CONTRACT, so a wrong name anywhere between the contract and
 * the emitters fails here. Node installs its OpenTelemetry packages from the
 * npm registry; Python runs on Debian's python3 with python3-prometheus-client
 * (.ci/install-tools), since PyPI cannot be reached from the machines.
 */

const SERVICE = 'orders';

/** Wires metrics.go as the skeleton's main.go does, without log/slog (Go 1.21), for Debian's Go 1.19. */
const GO_DRIVER = `package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	metrics := NewMetrics()
	mux := http.NewServeMux()
	for _, path := range []string{"/healthz", "/readyz"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	}
	go func() { fmt.Println(MetricsServer(metrics, os.Getenv).ListenAndServe()) }()
	listener, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		panic(err)
	}
	fmt.Println(\`{"message":"listening"}\`)
	fmt.Println(http.Serve(listener, metrics.Instrument(mux)))
}
`;
/** Labels Prometheus adds (target labels, the external `env`) or the dashboard fills from variables. */
const ADDED_BY_PROMETHEUS = new Set(['job', 'namespace', 'env']);
/** Debian's interpreter, which has python3-prometheus-client. */
const DEBIAN_PYTHON = '/usr/bin/python3';

interface Selector {
  readonly metric: string;
  readonly matchers: ReadonlyArray<{ readonly label: string; readonly op: string; readonly value: string }>;
  readonly where: string;
}

interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Every `metric{...}` selector of a PromQL expression. */
function selectors(expr: string, where: string): Selector[] {
  return [...expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\{((?:[^}"]|"(?:[^"\\]|\\.)*")*)\}/g)].map((m) => ({
    metric: m[1]!,
    matchers: [...m[2]!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((x) => ({
      label: x[1]!,
      op: x[2]!,
      value: JSON.parse(`"${x[3]!}"`) as string,
    })),
    where,
  }));
}

/** The selectors of the service's rules and dashboard that read its own scrape job. */
function applicationSelectors(repo: string): Selector[] {
  const out = join(repo, 'generated', SERVICE);
  const rules = parse(readFileSync(join(out, 'alerts', 'rules.yaml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  const dashboard = JSON.parse(readFileSync(join(out, 'grafana', 'dashboard.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
  const all = [
    ...rules.groups.flatMap((g) => g.rules.flatMap((r) => selectors(r.expr, 'alerts/rules.yaml'))),
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => selectors(t.expr, 'grafana/dashboard.json'))),
  ];
  return all.filter((s) => s.matchers.some((m) => m.label === 'job' && m.op === '=' && m.value === SERVICE));
}

/** The Prometheus text exposition format's samples. */
function parseScrape(text: string): Series[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, JSON.parse(`"${x[2]!}"`) as string]),
      );
      return { name: m[1]!, labels };
    });
}

const matches = (op: string, pattern: string, value: string): boolean =>
  op === '='
    ? value === pattern
    : op === '!='
      ? value !== pattern
      : op === '=~'
        ? new RegExp(`^(?:${pattern})$`).test(value)
        : !new RegExp(`^(?:${pattern})$`).test(value);

/** What is missing from the scrape for each selector: the metric, a label it matches on, or a series its `le` matcher selects. */
function missing(wanted: readonly Selector[], scraped: readonly Series[]): string[] {
  const problems = new Set<string>();
  for (const s of wanted) {
    const series = scraped.filter((x) => x.name === s.metric);
    if (series.length === 0) {
      problems.add(`${s.where} reads ${s.metric}, which the skeleton does not export`);
      continue;
    }
    for (const m of s.matchers.filter((x) => !ADDED_BY_PROMETHEUS.has(x.label))) {
      if (!series.some((x) => m.label in x.labels)) problems.add(`${s.where} matches ${s.metric} on ${m.label}, which no series has`);
      // A bucket matcher must select a bucket: a wrong `le` spelling silently counts every request as slow.
      else if (m.label === 'le' && !series.some((x) => matches(m.op, m.value, x.labels.le!)))
        problems.add(`${s.where} reads ${s.metric}{le${m.op}"${m.value}"}, which no bucket matches`);
    }
  }
  return [...problems].sort();
}

/** The plain variables of the service's staging Deployment: what paved really sets in the cluster. */
function deploymentEnv(repo: string): Record<string, string> {
  const files = readTree(join(repo, 'generated', SERVICE, 'kubernetes', 'staging'));
  const objects = [...files.values()].flatMap((text) =>
    parseAllDocuments(text).map(
      (d) => d.toJS() as { kind?: string; spec?: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } } },
    ),
  );
  const deployment = objects.find((o) => o?.kind === 'Deployment');
  if (!deployment) throw new Error('no Deployment in the staging output');
  return Object.fromEntries((deployment.spec!.template.spec.containers[0]!.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
}

/** The exec form of the Dockerfile's last CMD. */
function dockerCmd(dir: string): string[] {
  const cmd = readFileSync(join(dir, 'Dockerfile'), 'utf8')
    .match(/^CMD (\[.*\])$/gm)
    ?.at(-1);
  if (!cmd) throw new Error('the Dockerfile has no exec-form CMD');
  return JSON.parse(cmd.slice(4)) as string[];
}

/** Scaffolds the service, adds an objective whose latency bucket is a whole second (written `1` or `1.0`), compiles. */
async function scaffoldAndCompile(language: 'node' | 'python' | 'go' | 'java'): Promise<{ repo: string; dir: string; cleanup: () => void }> {
  const scratch = scratchCopy();
  const dir = join(scratch.dir, 'services', SERVICE);
  writeEmbeddedPlatform(scratch.dir);
  const created = await runCli(['new', SERVICE, '--language', language, '--dir', 'services/orders'], scratch.dir);
  expect(created.stderr).toBe('');
  const spec = readFileSync(join(dir, 'service.yaml'), 'utf8');
  expect(spec).toMatch(/^observability:\n/m);
  writeFileSync(
    join(dir, 'service.yaml'),
    spec.replace(/^observability:\n/m, 'observability:\n  slo:\n    availability: 99.9\n    latency: { percentile: 99, thresholdMs: 1000 }\n'),
  );
  const compiled = await runCli(['compile'], scratch.dir);
  expect(compiled.stderr).toBe('');
  expect(compiled.code).toBe(0);
  return { repo: scratch.dir, dir, cleanup: scratch.cleanup };
}

/** Runs the skeleton, sends a few requests, returns the scrape of its metrics port. */
async function runAndScrape(command: string, args: readonly string[], cwd: string, deployed: Record<string, string>): Promise<string> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...deployed,
    // The only changes to the cluster's environment: loopback ports, and no collector to send traces to.
    PORT: String(port),
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    OTEL_TRACES_EXPORTER: 'none',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const deadline = Date.now() + 30_000;
    while (!output.includes('"listening"')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the skeleton did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const path of ['/', '/healthz', '/readyz', '/', '/no-such-page']) await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
    // The exporter may start listening after the app does, and reads the SDK on each scrape.
    let scrape = '';
    while (Date.now() < deadline) {
      scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      if (/_count\{[^}]*\b(?:http|rpc)_/.test(scrape)) {
        // PAVED_SHOW_SCRAPE=1 prints the request histogram's series, to see what a runtime really exports.
        if (process.env.PAVED_SHOW_SCRAPE === '1')
          console.info(
            scrape
              .split('\n')
              .filter((l) => /^(?:http|rpc)_server_\w+(?:_count|_bucket\{[^}]*le="(?:1|1\.0)")/.test(l))
              .join('\n'),
          );
        return scrape;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no request histogram on the metrics port:\n${scrape}\n${output}`);
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  }
}

describe('the scaffolded skeletons serve the series their rules and dashboard read', () => {
  it('node: preloaded OpenTelemetry exports http_server_request_duration_{bucket,count} (no unit suffix) on the metrics port', async () => {
    const repo = await scaffoldAndCompile('node');
    try {
      const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: repo.dir, encoding: 'utf8', timeout: 300_000 });
      expect(install.status, install.stderr).toBe(0);
      const wanted = applicationSelectors(repo.repo);
      expect(new Set(wanted.map((s) => s.metric))).toEqual(new Set(['http_server_request_duration_bucket', 'http_server_request_duration_count']));
      const cmd = dockerCmd(repo.dir);
      expect(cmd.slice(0, 2)).toEqual(['--import', './src/telemetry.js']);
      const scrape = await runAndScrape(process.execPath, cmd, repo.dir, deploymentEnv(repo.repo));
      expect(missing(wanted, parseScrape(scrape)), scrape).toEqual([]);
    } finally {
      repo.cleanup();
    }
  }, 400_000);

  it('python: the http.server skeleton exports http_server_request_duration_seconds_{bucket,count} on the metrics port', async () => {
    expect(spawnSync(DEBIAN_PYTHON, ['-c', 'import prometheus_client']).status, `${DEBIAN_PYTHON} lacks prometheus_client: run bash .ci/install-tools`).toBe(0);
    const repo = await scaffoldAndCompile('python');
    try {
      const wanted = applicationSelectors(repo.repo);
      expect(new Set(wanted.map((s) => s.metric))).toEqual(
        new Set(['http_server_request_duration_seconds_bucket', 'http_server_request_duration_seconds_count']),
      );
      const cmd = dockerCmd(repo.dir);
      expect(cmd).toEqual(['python', '-m', 'app']);
      const scrape = await runAndScrape(DEBIAN_PYTHON, cmd.slice(1), repo.dir, deploymentEnv(repo.repo));
      expect(missing(wanted, parseScrape(scrape)), scrape).toEqual([]);
    } finally {
      repo.cleanup();
    }
  }, 120_000);

  // Debian's Go (1.19) predates log/slog, so the skeleton's main.go cannot be built here. metrics.go
  // needs only what 1.19 has: it is built with a driver that wires it as main.go does (the skeleton's
  // routes behind Instrument, MetricsServer on the metrics port) and scraped the same way.
  it("go: metrics.go exports http_server_request_duration_seconds_{bucket,count} on the metrics port (built with a driver for Debian's Go)", async () => {
    const repo = await scaffoldAndCompile('go');
    try {
      const main = readFileSync(join(repo.dir, 'main.go'), 'utf8');
      // The wiring the driver copies: every request goes through Instrument, and the metrics server starts with the app.
      expect(main).toContain('return metrics.Instrument(mux)');
      expect(main).toContain('metricsServer := MetricsServer(metrics, os.Getenv)');
      const build = join(repo.repo, 'driver');
      mkdirSync(build);
      writeFileSync(join(build, 'go.mod'), 'module driver\n\ngo 1.19\n');
      writeFileSync(join(build, 'metrics.go'), readFileSync(join(repo.dir, 'metrics.go')));
      writeFileSync(join(build, 'driver.go'), GO_DRIVER);
      const built = spawnSync('go', ['build', '-o', 'server', '.'], {
        cwd: build,
        encoding: 'utf8',
        env: { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off' },
        timeout: 120_000,
      });
      expect(built.status, built.stderr).toBe(0);
      const wanted = applicationSelectors(repo.repo);
      expect(new Set(wanted.map((s) => s.metric))).toEqual(
        new Set(['http_server_request_duration_seconds_bucket', 'http_server_request_duration_seconds_count']),
      );
      const scrape = await runAndScrape(join(build, 'server'), [], build, deploymentEnv(repo.repo));
      expect(missing(wanted, parseScrape(scrape)), scrape).toEqual([]);
    } finally {
      repo.cleanup();
    }
  }, 180_000);

  // The agent jar cannot be downloaded here (GitHub is out of reach), so the java skeleton is not
  // scraped: this checks the pin and that a service's JAVA_TOOL_OPTIONS no longer replaces the agent.
  it('java: the agent is 2.13.0 or later (JDK HttpServer instrumentation) and sits on the command line, so JAVA_TOOL_OPTIONS adds to it', async () => {
    const repo = await scaffoldAndCompile('java');
    try {
      const dockerfile = readFileSync(join(repo.dir, 'Dockerfile'), 'utf8');
      const version = /opentelemetry-java-instrumentation\/releases\/download\/v(\d+)\.(\d+)\.(\d+)\/opentelemetry-javaagent\.jar/.exec(dockerfile);
      expect(version, 'the agent is pinned by exact version').not.toBeNull();
      const [major, minor] = [Number(version![1]), Number(version![2])];
      expect(major > 2 || (major === 2 && minor >= 13), `agent ${version![0]}`).toBe(true);
      expect(dockerfile).not.toMatch(/^ENV JAVA_TOOL_OPTIONS/m);
      const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
      expect(entrypoint.slice(0, 2)).toEqual(['java', '-javaagent:/app/opentelemetry-javaagent.jar']);
      // The JVM applies a service's JAVA_TOOL_OPTIONS (payments in examples/shop sets one) on top of the command line's flags.
      const flags = entrypoint.filter((a) => a.startsWith('-XX:'));
      const jvm = spawnSync('java', [...flags, '-XX:+PrintFlagsFinal', '-version'], {
        encoding: 'utf8',
        env: { ...process.env, JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75' },
        timeout: 60_000,
      });
      expect(jvm.status, jvm.stderr).toBe(0);
      expect(jvm.stdout).toMatch(/\bExitOnOutOfMemoryError\s+= true\b/);
      expect(jvm.stdout).toMatch(/\bMaxRAMPercentage\s+= 75\.0+\b/);
    } finally {
      repo.cleanup();
    }
  }, 120_000);

  it('reports a metric the scrape lacks and a bucket spelled differently', () => {
    const wanted = selectors('sum(rate(x_count{job="orders", code=~"5.."}[5m])) / sum(rate(x_bucket{job="orders", le="1"}[5m])) + y{job="orders"}', 'rules');
    const scraped = parseScrape('x_count{code="200"} 1\nx_bucket{le="1.0"} 1\n');
    expect(missing(wanted, scraped)).toEqual(['rules reads x_bucket{le="1"}, which no bucket matches', 'rules reads y, which the skeleton does not export']);
  });
});
