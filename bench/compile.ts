/**
 * Benchmark of the real CLI on seeded synthetic repos; never a test, never an assertion.
 *
 *   npm run bench                                   sizes 10, 100 and 1000, 5 runs each
 *   npm run bench -- --sizes 300,1000 --runs 3      issue 22's figures (bench/RESULTS.md)
 *   npm run bench -- --sizes 10,100 --runs 3        (or positional sizes: -- 10 100)
 *   npm run bench -- --json out.json --label main   default: bench/results/<label>.json
 *
 * Every measured run is its own `node bin/paved.js <command> <repo>` process:
 * - wall: process.hrtime around the spawn (node startup included);
 * - CPU (user + system, every thread, and the processes it ran: the git commands of
 *   `check --base`) and peak RSS: the child's own process.resourceUsage() and its
 *   children's times from /proc/self/stat at exit, reported by bench/rusage.ts,
 *   preloaded with `node --import`, so neither bin/paved.js nor the CLI changes. When /usr/bin/time
 *   exists it wraps the child too, and its numbers (from wait4, 10 ms resolution)
 *   are kept beside them in the JSON as a cross-check.
 *
 * Scenarios per size, in this order, each `runs` times (the two of a ratio
 * target by turns, `alternating`): cold (compile into empty
 * output directories), unchanged (compile again), check, one changed (one
 * service.yaml's scaling.max edited, then compile), the same repo as a plain
 * directory (no git: the record lives in .paved-cache) cold and no-op, and a
 * fresh clone (depth 2, as the check workflow fetches) of a one-service change
 * on a committed base whose `check --record` record is copied in, as the
 * workflow's cache restores it: `check --base <base>` against a full `check`,
 * then `check --base` with the record moved aside and `diff --base` of the same
 * change, after which a forged file with a forged manifest hash must fail the anchored
 * check (untimed); once per benchmark: `paved
 * --help` and cold compiles of examples/minimal and of a one-service synthetic repo.
 * Each run's summary line is checked (cold writes every file, unchanged none, one
 * changed some but not all), so a scenario cannot silently measure something else.
 * `sync` runs before each measured run, untimed. Repos and outputs live in os.tmpdir().
 * Each repo is a git work tree, as in real use, so compiles are incremental: the
 * record of the last compile lives in its .git (compiler/cache.ts), and cold runs
 * remove it with the output.
 *
 * The serialization floor comes from bench/floor.ts, in a child process per size:
 * the time to re-serialize exactly the values the compile gave the serializers
 * (and, for scale, to write its files plainly). The 1-minute load average is
 * recorded per scenario and a warning printed when other work shared the machine.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FloorResult } from './floor.js';
import { MAX_PREVIEW_DEPENDENCIES } from '../spec/preview-dependencies.js';
import { serviceName, syntheticRepo } from './synthetic.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'bin/paved.js');
const RUSAGE = pathToFileURL(join(REPO, 'dist/bench/rusage.js')).href;
const FLOOR = join(REPO, 'dist/bench/floor.js');
const TIME = '/usr/bin/time';
/** Where the child reports its resource usage: an extra pipe, so stdout and stderr stay the CLI's. */
const RUSAGE_FD = 3;

interface Sample {
  readonly wallMs: number;
  /** The process's own user + system time and its children's. */
  readonly cpuMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  /** CPU of the processes it ran (git), 10 ms resolution. */
  readonly childrenMs: number;
  readonly maxRssMiB: number;
  /** Files the run wrote, from the CLI's summary line (compile only). */
  readonly written?: number;
  /** /usr/bin/time's view of the same process. */
  readonly outside?: { readonly wallMs: number; readonly cpuMs: number; readonly maxRssMiB: number };
}

interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly p25: number;
  readonly p75: number;
}

interface ScenarioResult {
  readonly size: number | null;
  readonly scenario: string;
  readonly command: string;
  readonly files?: number;
  readonly samples: readonly Sample[];
  readonly wallMs: Stats;
  readonly cpuMs: Stats;
  readonly maxRssMiB: Stats;
  /** Median wall time divided by the number of services. */
  readonly wallMsPerService?: number;
  /** 1-minute load average before the first and after the last run: anything else running skews the numbers. */
  readonly load: readonly [number, number];
}

interface FloorSummary {
  readonly size: number;
  readonly raw: FloorResult;
  readonly floorMs: Stats;
  readonly compileInMemoryMs: Stats;
  /** Median cold CLI compile wall ÷ median floor. */
  readonly coldOverFloor: number;
  /** Median in-memory compile ÷ median floor. */
  readonly inMemoryOverFloor: number;
  /** The same ratio in CPU time, which other work on the machine disturbs less. */
  readonly inMemoryOverFloorCpu: number;
}

// ---------------------------------------------------------------------------
// Arguments

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    sizes: { type: 'string' },
    json: { type: 'string' },
    label: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('usage: npm run bench -- [--sizes 10,100,1000] [--runs 5] [--json <path>] [--label <name>] [size ...]\n');
  process.exit(0);
}
const runs = Number(values.runs);
const sizes = (values.sizes !== undefined ? values.sizes.split(',') : positionals).map(Number);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`sizes must be positive integers: ${values.sizes ?? positionals.join(' ')}`);
if (sizes.length === 0) sizes.push(10, 100, 1000);
const label = values.label ?? new Date().toISOString().replace(/[:.]/g, '-');
const jsonPath = resolve(values.json ?? join(REPO, 'bench/results', `${label}.json`));
const hasTime = existsSync(TIME);
/** The unit of /proc's process times, for bench/rusage.ts. */
const clockTicks = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim();
if (!/^[1-9][0-9]*$/.test(clockTicks ?? '')) throw new Error('`getconf CLK_TCK` gave no clock tick rate; the benchmark reads process times from /proc (Linux)');

// ---------------------------------------------------------------------------
// Measuring one CLI process

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => {
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
  };
  return { median: at(0.5), min: sorted[0]!, max: sorted[sorted.length - 1]!, p25: at(0.25), p75: at(0.75) };
}

interface RunOutcome {
  readonly sample: Sample;
  readonly stdout: string;
}

/** Runs `node bin/paved.js ...args` once and measures it; any exit but `expectExit` aborts the benchmark. */
function runCli(args: readonly string[], expectExit = 0): RunOutcome {
  const timeFile = join(tmpdir(), `paved-bench-time-${process.pid}`);
  const node = [process.execPath, '--import', RUSAGE, CLI, ...args];
  const [command, ...commandArgs] = hasTime ? [TIME, '-f', '%e %U %S %M', '-o', timeFile, ...node] : node;
  const start = process.hrtime.bigint();
  const child = spawnSync(command!, commandArgs, {
    env: { ...process.env, PAVED_BENCH_RUSAGE_FD: String(RUSAGE_FD), PAVED_BENCH_CLK_TCK: clockTicks },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const stdout = String(child.output[1] ?? '');
  const stderr = String(child.output[2] ?? '');
  if (child.error) throw child.error;
  if (child.status !== expectExit)
    throw new Error(`paved ${args.join(' ')} exited with ${child.status ?? child.signal}, expected ${expectExit}\n${stderr.slice(0, 4000)}`);
  const usage = JSON.parse(String(child.output[RUSAGE_FD])) as { userUs: number; systemUs: number; childrenUs: number; maxRssKiB: number };
  let outside: Sample['outside'];
  if (hasTime) {
    const [wall, user, system, rss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    rmSync(timeFile, { force: true });
    outside = { wallMs: wall! * 1000, cpuMs: (user! + system!) * 1000, maxRssMiB: rss! / 1024 };
  }
  const summary = /(\d+) files: (\d+) written, (\d+) deleted, (\d+) unchanged/.exec(stdout);
  const sample: Sample = {
    wallMs,
    cpuMs: (usage.userUs + usage.systemUs + usage.childrenUs) / 1000,
    userMs: usage.userUs / 1000,
    systemMs: usage.systemUs / 1000,
    childrenMs: usage.childrenUs / 1000,
    maxRssMiB: usage.maxRssKiB / 1024,
    ...(summary ? { written: Number(summary[2]) } : {}),
    ...(outside ? { outside } : {}),
  };
  return { sample, stdout };
}

/** The file count of a compile's summary line. */
function filesOf(stdout: string): number {
  const match = /(\d+) files: \d+ written/.exec(stdout);
  if (!match) throw new Error(`no summary line in the compile's output:\n${stdout.slice(-2000)}`);
  return Number(match[1]);
}

const results: ScenarioResult[] = [];
const floors: FloorSummary[] = [];
/** The forged file (and manifest hash) each anchored check caught, by size. */
const forgedCaught: { size: number; path: string }[] = [];

interface Scenario {
  readonly name: string;
  readonly args: readonly string[];
  readonly before: (run: number) => void;
  readonly verify?: (outcome: RunOutcome) => void;
}

function scenario(
  size: number | null,
  name: string,
  args: readonly string[],
  before: (run: number) => void,
  verify: (outcome: RunOutcome) => void = () => {},
): ScenarioResult {
  return alternating(size, [{ name, args, before, verify }])[0]!;
}

/**
 * Scenarios whose medians are divided by each other, run by turns (A B A B ...):
 * whatever else the machine does during the runs weighs on both alike, where
 * one block of runs after the other would put a busy stretch on one side of
 * the ratio only.
 */
function alternating(size: number | null, list: readonly Scenario[]): ScenarioResult[] {
  const samples: Sample[][] = list.map(() => []);
  const files: Array<number | undefined> = list.map(() => undefined);
  const loadBefore = loadavg()[0]!;
  for (let run = 0; run < runs; run++) {
    for (const [i, { name, args, before, verify }] of list.entries()) {
      before(run);
      settle();
      const outcome = runCli(args);
      verify?.(outcome);
      if (args[0] === 'compile') files[i] = filesOf(outcome.stdout);
      samples[i]!.push(outcome.sample);
      progress(`  ${name}: run ${run + 1}/${runs} ${(outcome.sample.wallMs / 1000).toFixed(2)} s`);
    }
  }
  const loadAfter = loadavg()[0]!;
  return list.map(({ name, args }, i) => {
    const wall = stats(samples[i]!.map((s) => s.wallMs));
    const result: ScenarioResult = {
      size,
      scenario: name,
      command: `paved ${args.map((a) => (a.startsWith('/') ? '<repo>' : a)).join(' ')}`,
      ...(files[i] !== undefined ? { files: files[i] } : {}),
      samples: samples[i]!,
      wallMs: wall,
      cpuMs: stats(samples[i]!.map((s) => s.cpuMs)),
      maxRssMiB: stats(samples[i]!.map((s) => s.maxRssMiB)),
      ...(size !== null ? { wallMsPerService: wall.median / size } : {}),
      load: [loadBefore, loadAfter],
    };
    results.push(result);
    return result;
  });
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

// ---------------------------------------------------------------------------
// Repos

function writeRepo(count: number, git = true): string {
  const root = mkdtempSync(join(tmpdir(), `paved-bench-${count}-${git ? 'git' : 'plain'}-`));
  for (const file of syntheticRepo(count, count, { everything: true })) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.text);
  }
  if (git) spawnSync('git', ['init', '-q', root]);
  return root;
}

/** Empties the output directories (the defaults; the synthetic platform sets none) and forgets the last compile, in .git or in .paved-cache. */
function clean(root: string): void {
  rmSync(join(root, 'generated'), { recursive: true, force: true });
  rmSync(join(root, '.github'), { recursive: true, force: true });
  rmSync(join(root, '.paved-cache'), { recursive: true, force: true });
  for (const entry of existsSync(join(root, '.git')) ? readdirSync(join(root, '.git')) : []) {
    if (entry.startsWith('paved-cache-')) rmSync(join(root, '.git', entry));
  }
}

function git(root: string, ...args: string[]): string {
  const child = spawnSync('git', ['-C', root, '-c', 'user.email=bench@example.com', '-c', 'user.name=bench', '-c', 'commit.gpgsign=false', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (child.status !== 0) throw new Error(`git ${args.join(' ')} failed:\n${child.stderr}`);
  return child.stdout.trim();
}

/** What check --base printed when it was anchored on the base's record (cli/commands.ts). */
const ANCHORED = /services unchanged since the check of/;

/** A file of a kept service, forged, with the manifest's hash for it forged to match: the check must still fail. */
function forge(root: string, service: string): string {
  const manifestPath = join(root, 'generated/.paved-manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string; sha256: string; source: string }[] };
  const entry = manifest.files.find((f) => f.source === `services/${service}/service.yaml` && f.path.endsWith('.yaml'))!;
  const forged = `${readFileSync(join(root, entry.path), 'utf8')}# forged\n`;
  writeFileSync(join(root, entry.path), forged);
  entry.sha256 = createHash('sha256').update(forged).digest('hex');
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return entry.path;
}

/** Before every run, `sync`: dirty pages left by the previous run or by emptying the output would otherwise be flushed, and paid for, during the run measured. */
function settle(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

const expectWritten =
  (check: (written: number, files: number) => boolean, what: string) =>
  (outcome: RunOutcome): void => {
    const files = filesOf(outcome.stdout);
    const written = outcome.sample.written ?? -1;
    if (!check(written, files)) throw new Error(`expected ${what}, but the compile wrote ${written} of ${files} files`);
  };
const wroteAll = expectWritten((w, f) => w === f, 'every file written');
const wroteNone = expectWritten((w) => w === 0, 'no file written');
const wroteSome = expectWritten((w, f) => w > 0 && w < f, 'some files written');

/** Raises (even runs) or lowers (odd runs) one service's runtime.scaling.max by one. */
function bumpScaling(root: string, service: string, run: number): void {
  const path = join(root, 'services', service, 'service.yaml');
  const text = readFileSync(path, 'utf8');
  // Alternate between two values so every run changes the spec relative to the tree on disk.
  const edited = text.replace(/^( {4}max: )(\d+)$/m, (_, prefix: string, max: string) => `${prefix}${Number(max) + (run % 2 === 0 ? 1 : -1)}`);
  if (edited === text) throw new Error(`no runtime.scaling.max in ${path}`);
  writeFileSync(path, edited);
}

// ---------------------------------------------------------------------------
// Run

const started = Date.now();
progress(`paved bench: sizes ${sizes.join(', ')}, ${runs} run${runs === 1 ? '' : 's'} per scenario${hasTime ? `, cross-checked with ${TIME}` : ''}`);
runCli(['--help']); // untimed: brings node and dist/ into the page cache

scenario(null, 'paved --help', ['--help'], () => {});
{
  const minimal = mkdtempSync(join(tmpdir(), 'paved-bench-minimal-'));
  cpSync(join(REPO, 'examples/minimal'), minimal, { recursive: true, filter: (src) => !/[/\\](generated|\.github)$/.test(src) });
  spawnSync('git', ['init', '-q', minimal]);
  try {
    scenario(1, 'examples/minimal cold', ['compile', minimal], () => clean(minimal), wroteAll);
  } finally {
    rmSync(minimal, { recursive: true, force: true });
  }
  const one = writeRepo(1);
  try {
    scenario(1, 'synthetic-1 cold', ['compile', one], () => clean(one), wroteAll);
  } finally {
    rmSync(one, { recursive: true, force: true });
  }
}

for (const size of sizes) {
  progress(`${size} services`);
  const root = writeRepo(size);
  try {
    const cold = scenario(size, 'cold', ['compile', root], () => clean(root), wroteAll);
    scenario(size, 'unchanged', ['compile', root], () => {}, wroteNone);
    scenario(size, 'check', ['check', root], () => {});
    scenario(size, 'one changed', ['compile', root], (run) => bumpScaling(root, serviceName(Math.floor(size / 2)), run), wroteSome);

    // Outside git: the record lives in the root's .paved-cache (compiler/cache.ts).
    const plain = writeRepo(size, false);
    try {
      alternating(size, [
        { name: 'plain directory: cold', args: ['compile', plain], before: () => clean(plain), verify: wroteAll },
        { name: 'plain directory: no-op', args: ['compile', plain], before: () => {}, verify: wroteNone },
      ]);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }

    // CI: a fresh clone (two commits, as the check workflow fetches) of a one-service change, with the base's check record restored.
    // Every synthetic service depends on the next, in one ring. Below MAX_PREVIEW_DEPENDENCIES + 2 services a service's transitive
    // dependencies are few enough for its preview to bring them all (spec/preview-dependencies.ts): every key then changes with
    // the edited service, nothing can be kept, and there is no anchored check to time.
    if (size < MAX_PREVIEW_DEPENDENCIES + 2)
      progress(`  fresh clone: not measured below ${MAX_PREVIEW_DEPENDENCIES + 2} services (every preview reaches the changed service)`);
    else {
      progress('  fresh clone: commit, record the base, change one service');
      runCli(['compile', root]);
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'base');
      const base = git(root, 'rev-parse', 'HEAD');
      runCli(['check', '--record', root]);
      bumpScaling(root, serviceName(Math.floor(size / 2)), 0);
      runCli(['compile', root]);
      git(root, 'commit', '-q', '-am', 'one service changed');
      const clone = mkdtempSync(join(tmpdir(), `paved-bench-${size}-clone-`));
      try {
        git(clone, 'clone', '-q', '--no-local', '--depth', '2', `file://${root}`, '.');
        mkdirSync(join(clone, '.paved-cache'));
        cpSync(join(root, '.paved-cache', `check-${base}.json`), join(clone, '.paved-cache', `check-${base}.json`));
        const anchored = (outcome: RunOutcome): void => {
          if (!ANCHORED.test(outcome.stdout)) throw new Error(`check --base was not anchored on the base's record:\n${outcome.stdout.slice(-2000)}`);
        };
        alternating(size, [
          { name: 'fresh clone: check --base (one changed)', args: ['check', '--base', base, clone], before: () => {}, verify: anchored },
          { name: 'fresh clone: full check', args: ['check', clone], before: () => {} },
        ]);
        // Without the base's record (the first pull request, an evicted cache, every paved upgrade): the head checked in full,
        // and only the services whose key the change moved compared with the base. Then `paved diff` of the same change.
        const record = join(clone, '.paved-cache', `check-${base}.json`);
        renameSync(record, `${record}.aside`);
        try {
          scenario(
            size,
            'fresh clone: check --base without a record',
            ['check', '--base', base, clone],
            () => {},
            (outcome) => {
              if (ANCHORED.test(outcome.stdout) || !/generated files up to date/.test(outcome.stdout))
                throw new Error(`check --base without a record did not check in full:\n${outcome.stdout.slice(-2000)}`);
            },
          );
        } finally {
          renameSync(`${record}.aside`, record);
        }
        scenario(size, 'fresh clone: diff --base', ['diff', '--base', base, clone], () => {});
        const forgedPath = forge(clone, serviceName(0));
        const caught = runCli(['check', '--base', base, clone], 1);
        if (!caught.stdout.includes(forgedPath)) throw new Error(`check --base did not report the forged ${forgedPath}`);
        forgedCaught.push({ size, path: forgedPath });
      } finally {
        rmSync(clone, { recursive: true, force: true });
      }
    }

    progress('  serialization floor');
    const floorChild = spawnSync(process.execPath, ['--expose-gc', FLOOR, root, String(runs)], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (floorChild.status !== 0) throw new Error(`bench/floor.js failed:\n${floorChild.stderr}`);
    const raw = JSON.parse(floorChild.stdout) as FloorResult;
    if (raw.files !== cold.files) throw new Error(`the floor's compile planned ${raw.files} files, the CLI ${cold.files}`);
    const floorMs = stats(raw.floorMs);
    const compileInMemoryMs = stats(raw.compileMs);
    floors.push({
      size,
      raw,
      floorMs,
      compileInMemoryMs,
      coldOverFloor: cold.wallMs.median / floorMs.median,
      inMemoryOverFloor: compileInMemoryMs.median / floorMs.median,
      inMemoryOverFloorCpu: stats(raw.compileCpuMs).median / stats(raw.floorCpuMs).median,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Report

const ms = (value: number): string => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value >= 100 ? 0 : 1)} ms`);
const mib = (value: number): string => `${value.toFixed(0)} MiB`;
const spread = (s: Stats, unit: (v: number) => string): string => `${unit(s.median)} (${unit(s.min)}–${unit(s.max)})`;

function table(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const out: string[] = [];
out.push(`\nmedian (min–max) of ${runs} run${runs === 1 ? '' : 's'}; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}\n`);
out.push(
  table(
    ['services', 'scenario', 'files', 'wall', 'cpu (user+sys)', 'peak rss', 'wall/service'],
    results.map((r) => [
      r.size === null ? '-' : String(r.size),
      r.scenario,
      r.files === undefined ? '' : String(r.files),
      spread(r.wallMs, ms),
      spread(r.cpuMs, ms),
      spread(r.maxRssMiB, mib),
      r.wallMsPerService === undefined ? '' : ms(r.wallMsPerService),
    ]),
    new Set([0, 2, 6]),
  ),
);
if (floors.length > 0) {
  out.push(
    '\nserialization floor: re-serializing exactly the values one compile gave toYaml, toJson and printFile; write floor: writing its files plainly into an empty directory',
  );
  out.push(
    table(
      [
        'services',
        'floor (wall)',
        'in-memory compile (wall)',
        'cold CLI compile / floor',
        'in-memory / floor',
        'same, cpu',
        'holding every file / floor',
        'beside the recorded values / floor',
        'floor/service',
        'serialized bytes',
        'write floor (wall, cpu)',
      ],
      floors.map((f) => {
        const cold = results.find((r) => r.size === f.size && r.scenario === 'cold')!;
        return [
          String(f.size),
          spread(f.floorMs, ms),
          spread(f.compileInMemoryMs, ms),
          `${f.coldOverFloor.toFixed(2)}x (${ms(cold.wallMs.median)})`,
          `${f.inMemoryOverFloor.toFixed(2)}x`,
          `${f.inMemoryOverFloorCpu.toFixed(2)}x`,
          `${(stats(f.raw.compileHoldingMs).median / f.floorMs.median).toFixed(2)}x`,
          `${(stats(f.raw.compileBesideValuesMs).median / f.floorMs.median).toFixed(2)}x`,
          ms(f.floorMs.median / f.size),
          `${((100 * f.raw.serializedBytes) / f.raw.outputBytes).toFixed(1)}% of ${(f.raw.outputBytes / 2 ** 20).toFixed(0)} MiB`,
          `${ms(stats(f.raw.writeMs).median)}, ${ms(stats(f.raw.writeCpuMs).median)}`,
        ];
      }),
      new Set([0, 3, 4, 5, 6, 7, 8, 9, 10]),
    ),
  );
}

interface Target {
  readonly target: string;
  readonly measured: string;
  /** null: not measured in this run. */
  readonly met: boolean | null;
}
const targets: Target[] = [];
const find = (size: number | null, name: string): ScenarioResult | undefined => results.find((r) => r.size === size && r.scenario === name);
const add = (target: string, value: number | undefined, limit: number, unit: (v: number) => string): void => {
  targets.push(value === undefined ? { target, measured: 'not measured', met: null } : { target, measured: unit(value), met: value <= limit });
};
// The size targets are stated for 1000 services; without that size they are reported as not measured.
add('1000 services, cold compile wall ≤ 5 s', find(1000, 'cold')?.wallMs.median, 5000, ms);
add('1000 services, cold compile peak RSS ≤ 1 GiB', find(1000, 'cold')?.maxRssMiB.median, 1024, mib);
add('1000 services, nothing changed ≤ 1.5 s', find(1000, 'unchanged')?.wallMs.median, 1500, ms);
add('1000 services, one service changed ≤ 2 s', find(1000, 'one changed')?.wallMs.median, 2000, ms);
for (const f of floors) {
  add(`${f.size} services, cold CLI compile ≤ 2x serialization floor`, f.coldOverFloor, 2, (v) => `${v.toFixed(2)}x`);
  add(`${f.size} services, in-memory compile ≤ 2x serialization floor`, f.inMemoryOverFloor, 2, (v) => `${v.toFixed(2)}x`);
}
// Issue 22's figures, each a ratio of medians measured in this run with its floor beside it.
const ratio = (size: number, over: string, under: string): { cpu: number; wall: number } | undefined => {
  const a = find(size, over);
  const b = find(size, under);
  return a && b ? { cpu: a.cpuMs.median / b.cpuMs.median, wall: a.wallMs.median / b.wallMs.median } : undefined;
};
const both = (r: { cpu: number; wall: number }): string => `${r.cpu.toFixed(2)}x cpu (${r.wall.toFixed(2)}x wall)`;
for (const size of sizes) {
  const noop = ratio(size, 'plain directory: no-op', 'plain directory: cold');
  targets.push({
    target: `${size} services, plain-directory no-op ≤ 0.2x cold`,
    measured: noop ? both(noop) : 'not measured',
    met: noop ? noop.cpu <= 0.2 : null,
  });
  const anchored = ratio(size, 'fresh clone: check --base (one changed)', 'fresh clone: full check');
  const caught = forgedCaught.some((f) => f.size === size);
  targets.push({
    target: `${size} services, fresh-clone check --base of a one-service change ≤ 0.3x full check, forged file caught`,
    measured: anchored ? `${both(anchored)}, forged file ${caught ? 'caught' : 'NOT caught'}` : 'not measured',
    met: anchored ? anchored.cpu <= 0.3 && caught : null,
  });
  const floor = floors.find((f) => f.size === size);
  add(`${size} services, in-memory compile ≤ 2.5x serialization floor`, floor?.inMemoryOverFloor, 2.5, (v) => `${v.toFixed(2)}x`);
  const limit = 0.4 * size + 150;
  add(`${size} services, cold compile peak RSS ≤ 0.4 MiB/service + 150 MiB (${mib(limit)})`, find(size, 'cold')?.maxRssMiB.median, limit, mib);
}
const per100 = find(100, 'cold')?.wallMsPerService;
const per1000 = find(1000, 'cold')?.wallMsPerService;
add(
  'cold wall per service flat from 100 to 1000 (1000 ÷ 100 ≤ 1.25)',
  per100 !== undefined && per1000 !== undefined ? per1000 / per100 : undefined,
  1.25,
  (v) => `${v.toFixed(2)}x (${ms(per100!)} → ${ms(per1000!)})`,
);
add('paved --help ≤ 0.3 s', find(null, 'paved --help')?.wallMs.median, 300, ms);
add('one-service compile (examples/minimal) ≤ 0.3 s', find(1, 'examples/minimal cold')?.wallMs.median, 300, ms);
add('one-service compile (synthetic, everything) ≤ 0.3 s', find(1, 'synthetic-1 cold')?.wallMs.median, 300, ms);
add('one-service compile (examples/minimal), CPU ≤ 0.25 s', find(1, 'examples/minimal cold')?.cpuMs.median, 250, ms);
add('one-service compile (synthetic, everything), CPU ≤ 0.25 s', find(1, 'synthetic-1 cold')?.cpuMs.median, 250, ms);
out.push(`\ntargets (stated for a 2-core machine; medians)`);
out.push(
  table(
    ['target', 'measured', ''],
    targets.map((t) => [t.target, t.measured, t.met === null ? '' : t.met ? 'met' : 'NOT MET']),
    new Set([1]),
  ),
);

const busiest = Math.max(...results.flatMap((r) => r.load));
// The benchmark itself keeps about one cpu busy.
if (busiest > 1.5)
  out.push(
    `\nwarning: the 1-minute load average reached ${busiest.toFixed(1)} on ${cpus().length} cpus during the runs (the benchmark alone makes about 1): other work shared the machine`,
  );
if (hasTime) {
  const pairs = results.flatMap((r) => r.samples).filter((s) => s.outside);
  const ratio = (f: (s: Sample) => number, g: (s: Sample) => number): string => stats(pairs.map((s) => f(s) / Math.max(g(s), 1e-9))).median.toFixed(2);
  out.push(
    `\ncross-check, ${TIME} ÷ in-process resourceUsage (median over all runs): cpu ${ratio(
      (s) => s.outside!.cpuMs,
      (s) => s.cpuMs,
    )}, peak rss ${ratio(
      (s) => s.outside!.maxRssMiB,
      (s) => s.maxRssMiB,
    )}, wall ${ratio(
      (s) => s.outside!.wallMs,
      (s) => s.wallMs,
    )}`,
  );
}

const report = {
  label,
  date: new Date().toISOString(),
  durationS: Math.round((Date.now() - started) / 1000),
  commit: spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout?.trim() || null,
  node: process.version,
  os: `${platform()} ${release()}`,
  cpu: { model: cpus()[0]?.model ?? null, count: cpus().length },
  memoryMiB: { total: Math.round(totalmem() / 2 ** 20), freeAtEnd: Math.round(freemem() / 2 ** 20) },
  tmpdir: tmpdir(),
  runs,
  sizes,
  seed: 'syntheticRepo(size, size, { everything: true })',
  units: { wallMs: 'ms', cpuMs: 'ms (user + system, all threads, and the child processes it ran)', maxRssMiB: 'MiB' },
  measurement: {
    wall: 'process.hrtime around spawning `node bin/paved.js ...`',
    cpuAndRss:
      "the child process.resourceUsage() and its own children's times (/proc/self/stat cutime + cstime) at exit (bench/rusage.ts, preloaded with node --import)",
    outside: hasTime ? `${TIME} -f "%e %U %S %M" around the same child` : null,
  },
  scenarios: results,
  floors,
  targets,
};
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
out.push(`\nraw samples: ${jsonPath}\n`);
process.stdout.write(out.join('\n'));
