/**
 * Benchmark: compile synthetic repos of several sizes and report the median and
 * spread of each phase. Run with `npm run bench [-- sizes...]`; never a test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emitters } from '../cli/emitters.js';
import { compile } from '../compiler/compile.js';
import { inspectTree, writeTree } from '../compiler/write.js';
import { syntheticRepo } from './synthetic.js';

const RUNS = 5;

function makeRepo(count: number): string {
  const root = mkdtempSync(join(tmpdir(), `paved-bench-${count}-`));
  for (const file of syntheticRepo(count, count, { everything: true })) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.text);
  }
  return root;
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${median.toFixed(1)} ms (${sorted[0]!.toFixed(1)}-${sorted[sorted.length - 1]!.toFixed(1)})`;
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const results: Record<string, Record<string, number[]>> = {};
for (const count of sizes.length > 0 ? sizes : [10, 100]) {
  const root = makeRepo(count);
  const phases: Record<string, number[]> = { 'compile (in memory)': [], 'write (cold)': [], 'write (unchanged)': [], check: [] };
  try {
    for (let run = 0; run < RUNS; run++) {
      rmSync(join(root, 'generated'), { recursive: true, force: true });
      let result = compile({ root, emitters });
      phases['compile (in memory)']!.push(time(() => (result = compile({ root, emitters }))));
      if (result.diagnostics.length > 0) throw new Error(`synthetic repo is invalid: ${result.diagnostics[0]!.message}`);
      phases['write (cold)']!.push(time(() => writeTree(root, result.output, result.files)));
      phases['write (unchanged)']!.push(time(() => writeTree(root, result.output, result.files)));
      phases.check!.push(time(() => inspectTree(root, result.output, result.files)));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  results[count] = phases;
  process.stdout.write(`\n${count} services, median (min-max) of ${RUNS} runs\n`);
  for (const [phase, samples] of Object.entries(phases)) process.stdout.write(`  ${phase.padEnd(22)} ${summary(samples)}\n`);
}
process.stdout.write(`\n${JSON.stringify({ node: process.version, runs: RUNS, results })}\n`);
