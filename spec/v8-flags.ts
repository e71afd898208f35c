import { setFlagsFromString } from 'node:v8';

/**
 * The V8 settings a paved process runs with, set before any of paved's code
 * runs: by `bin/paved.js`, by the build when it makes the code caches (V8
 * refuses a cache made under other flags, spec/code-cache.ts) and by the
 * benchmark's in-process compile, so that it is timed as the CLI runs it.
 *
 * V8 11 (Node 20) hands a function to TurboFan once about 66 KB of its
 * bytecode has run. A compile runs most of its code a few hundred times (once
 * per service, environment or file), so V8 optimized thousands of functions
 * that would not run long enough to repay it: at 300 services TurboFan took
 * about a quarter of a check's CPU, mostly on background threads. A budget of
 * 1 MiB leaves it the code that is really hot (measured in ARCHITECTURE.md,
 * beside the code cache). Later V8s tier up by invocation counts, with Maglev
 * in between, and have no such flag: nothing is set there, where V8 would print
 * the unknown flag's error on standard output.
 */
export function applyV8Flags(): void {
  if (process.versions.v8.startsWith('11.')) setFlagsFromString('--interrupt-budget=1048576');
}
