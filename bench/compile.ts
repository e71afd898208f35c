/**
 * Benchmark: compile synthetic repos of several sizes and report the median and
 * spread of each phase. Run with `npm run bench [-- sizes...]`; never a test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitters } from '../cli/emitters.js';
import { compile } from '../compiler/compile.js';
import { inspectTree, writeTree } from '../compiler/write.js';

const RUNS = 5;

/** A deterministic pseudo-random generator (mulberry32), so every run benchmarks the same repo. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function serviceYaml(index: number, count: number, next: () => number): string {
  const name = `svc-${String(index).padStart(4, '0')}`;
  const publisher = `svc-${String((index + 1) % count).padStart(4, '0')}`;
  const languages = ['node', 'go', 'python', 'java', 'container'];
  return `apiVersion: paved/v1
kind: Service
name: ${name}
owner: team-${index % 17}
description: Synthetic service ${index}
tier: ${['critical', 'standard', 'experimental'][index % 3]}
runtime:
  language: ${languages[Math.floor(next() * languages.length)]}
  port: 8080
  scaling: { min: 3, max: 12 }
env:
  LOG_LEVEL: info
secrets: [API_TOKEN, SIGNING_KEY]
resources:
  databases: [{ name: main, version: "16", size: small }]
  caches: [{ name: sessions }]
  topics: [{ name: events }]
  subscriptions: [{ topic: events, from: ${publisher}, maxRetries: ${1 + Math.floor(next() * 9)} }]
  buckets: [{ name: files, versioned: true }]
  cron: [{ name: nightly, schedule: "${Math.floor(next() * 60)} 3 * * *", command: ["node", "job.js"] }]
environments:
  staging: { scaling: { min: 1 } }
  production: { scaling: { min: 3, max: 20 } }
`;
}

function makeRepo(count: number): string {
  const root = mkdtempSync(join(tmpdir(), `paved-bench-${count}-`));
  const next = random(count);
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'services', `svc-${String(i).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'service.yaml'), serviceYaml(i, count, next));
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
