import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Common from '@grafana/grafana-foundation-sdk/common';
import type * as Dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as Prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as Stat from '@grafana/grafana-foundation-sdk/stat';
import type * as Text from '@grafana/grafana-foundation-sdk/text';
import type * as Timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { loadBundle } from '../../spec/code-cache.js';
import { shipped } from '../../spec/code-root.js';

/**
 * The Grafana foundation SDK, loaded on the first dashboard: as ES modules its
 * CommonJS files cost ~180 ms to import (Node scans each for exports), as
 * `require` ~50 ms, bundled into one file by `npm run build` ~25 ms
 * (scripts/bundle.ts); `validate`, `explain` and `--help` need none of it.
 */
export interface GrafanaSdk {
  readonly common: typeof Common;
  readonly dashboard: typeof Dashboard;
  readonly prometheus: typeof Prometheus;
  readonly stat: typeof Stat;
  readonly text: typeof Text;
  readonly timeseries: typeof Timeseries;
}

export const GRAFANA_MODULES: ReadonlyArray<keyof GrafanaSdk> = ['common', 'dashboard', 'prometheus', 'stat', 'text', 'timeseries'];

const load = createRequire(import.meta.url);
let sdk: GrafanaSdk | undefined;

export function grafana(): GrafanaSdk {
  sdk ??= loadSdk();
  return sdk;
}

/** The build's bundle of the six modules; the package's own files where there is no build (the tests run the sources). */
function loadSdk(): GrafanaSdk {
  try {
    return loadBundle(fileURLToPath(shipped('bundle/grafana-sdk.cjs'))) as GrafanaSdk;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  return Object.fromEntries(GRAFANA_MODULES.map((name) => [name, load(`@grafana/grafana-foundation-sdk/${name}`)])) as unknown as GrafanaSdk;
}
