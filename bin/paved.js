#!/usr/bin/env node
// Runs the bundled CLI: `npm ci` builds dist/ and the bundle through the `prepare` script (scripts/bundle.ts).
import { main } from '../dist/bundle/main.js';

// A reader that stops early (`paved compile | head`) is not a failure: the
// compile still finishes its tree; what it would have printed is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
