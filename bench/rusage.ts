/**
 * Preloaded into every benchmarked CLI process (`node --import <this> bin/paved.js ...`):
 * when the process exits it writes its own `process.resourceUsage()` (CPU time of
 * all its threads, emit workers included, and peak RSS) as JSON to the file descriptor named by
 * PAVED_BENCH_RUSAGE_FD, which the benchmark opened as a pipe. bin/paved.js and the
 * CLI run unchanged; without the variable this module does nothing.
 */
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const fd = Number(process.env.PAVED_BENCH_RUSAGE_FD);
// `--import` preloads into worker threads too; the process reports once, from its main thread.
if (Number.isInteger(fd) && fd > 2 && isMainThread) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeSync(fd, JSON.stringify({ userUs: usage.userCPUTime, systemUs: usage.systemCPUTime, maxRssKiB: usage.maxRSS }));
  });
}
