/**
 * Preloaded into every benchmarked CLI process (`node --import <this> bin/paved.js ...`):
 * when the process exits it writes its own `process.resourceUsage()` (CPU time of
 * all its threads, emit workers included, and peak RSS) and the CPU time of the
 * child processes it waited for (the git commands `paved check --base` runs) as
 * JSON to the file descriptor named by PAVED_BENCH_RUSAGE_FD, which the benchmark
 * opened as a pipe. bin/paved.js and the CLI run unchanged; without the variable
 * this module does nothing.
 */
import { readFileSync, writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const fd = Number(process.env.PAVED_BENCH_RUSAGE_FD);
/** Clock ticks per second of /proc's times (`getconf CLK_TCK`), passed in by the benchmark. */
const ticksPerSecond = Number(process.env.PAVED_BENCH_CLK_TCK);

/**
 * CPU of the reaped children, µs: `cutime` and `cstime` of /proc/self/stat
 * (proc(5), fields 16 and 17, counted after the parenthesized command name, which
 * may hold spaces). Node has no getrusage(RUSAGE_CHILDREN).
 */
function childrenUs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state).
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / ticksPerSecond;
}

// `--import` preloads into worker threads too; the process reports once, from its main thread.
if (Number.isInteger(fd) && fd > 2 && isMainThread) {
  if (!(ticksPerSecond > 0)) throw new Error('bench/rusage.ts needs PAVED_BENCH_CLK_TCK');
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeSync(fd, JSON.stringify({ userUs: usage.userCPUTime, systemUs: usage.systemCPUTime, childrenUs: childrenUs(), maxRssKiB: usage.maxRSS }));
  });
}
