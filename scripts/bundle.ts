/**
 * Bundles the CLI for bin/paved.js: dist/bundle/main.cjs, one CommonJS file
 * with paved's ~220 modules and the `yaml` and `diff` libraries inside, and the
 * worker threads' dist/bundle/emit-worker.js, the same as one ES module. Node
 * 20 has no compile cache, and loading that many ES modules one by one is
 * about 130 ms of every run's CPU; the bundle loads in about 30. main.cjs is
 * CommonJS so that bin/paved.js can run it with a code cache
 * (spec/code-cache.ts, made by scripts/code-cache.ts). The modules of dist/ stay as tsc wrote them
 * for the tests, the benchmark and the scripts; the bundle is the same code.
 * What paved loads on demand with `require` (the prebuilt validators, ajv's
 * compiler) stays outside it. The six Grafana SDK modules the dashboards use
 * (240 CommonJS files, ~50 ms to load) become dist/bundle/grafana-sdk.cjs
 * (~25 ms), still loaded only on the first dashboard
 * (emitters/observability/grafana.ts).
 */
import { buildSync } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAFANA_MODULES } from '../emitters/observability/grafana.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(dist, 'bundle');
rmSync(outdir, { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node20.19', legalComments: 'eof', logLevel: 'warning' } as const;
buildSync({
  ...common,
  entryPoints: [join(dist, 'cli/main.js')],
  outfile: join(outdir, 'main.cjs'),
  format: 'cjs',
  // The bundle's own place, for what its modules find beside them (spec/code-root.ts, the worker's script).
  define: { 'import.meta.url': '__pavedModuleUrl' },
  // Strict first: esbuild's own "use strict" comes after the banner, where it is no directive; the modules were strict as ES modules.
  banner: { js: "'use strict';\nconst __pavedModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // `import()` of Node's own modules becomes `require`: a script run through node:vm has no module loader to import with.
  supported: { 'dynamic-import': false },
});
// The worker threads' script, an ES module: a Worker runs a .js file of this package as one.
buildSync({
  ...common,
  entryPoints: [join(dist, 'cli/emit-worker.js')],
  outfile: join(outdir, 'emit-worker.js'),
  format: 'esm',
  // CommonJS inside the bundle may `require` Node's modules; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __pavedRequire } from 'node:module'; const require = __pavedRequire(import.meta.url);" },
});
buildSync({
  stdin: {
    contents: GRAFANA_MODULES.map((name) => `exports.${name} = require('@grafana/grafana-foundation-sdk/${name}');`).join('\n'),
    resolveDir: dist,
    loader: 'js',
  },
  ...common,
  outfile: join(outdir, 'grafana-sdk.cjs'),
  format: 'cjs',
});
