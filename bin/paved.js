#!/usr/bin/env node
// Runs the bundled CLI: `npm ci` builds dist/, the bundle and its code cache through the `prepare` script (scripts/bundle.ts, scripts/code-cache.ts).
import { fileURLToPath } from 'node:url';
import { loadBundle } from '../dist/spec/code-cache.js';
import { applyV8Flags } from '../dist/spec/v8-flags.js';

applyV8Flags();
const { main } = loadBundle(fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url)));

// A reader that stops early (`paved compile | head`) is not a failure: the
// compile still finishes its tree; what it would have printed is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
