import { setFlagsFromString } from 'node:v8';

/**
 * The V8 settings a paved process runs with, set before any of paved's code
 * runs: by `bin/paved.js`, by the build when it makes the code caches (V8
 * refuses a cache made under other flags, spec/code-cache.ts) and by the
 * benchmark's in-process compile, so that it is timed as the CLI runs it.
 *
 * On V8 11 (Node 20), a tier-up budget of 1 MiB keeps TurboFan from optimizing
 * code a compile runs only a few hundred times (why, and what it saves:
 * ARCHITECTURE.md, beside the code cache). Later V8s have no such flag and
 * would print the unknown flag's error on standard output: nothing is set there.
 */
export function applyV8Flags(): void {
  if (process.versions.v8.startsWith('11.')) setFlagsFromString('--interrupt-budget=1048576');
}
