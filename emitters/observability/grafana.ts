import { createRequire } from 'node:module';
import type * as Common from '@grafana/grafana-foundation-sdk/common';
import type * as Dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as Prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as Stat from '@grafana/grafana-foundation-sdk/stat';
import type * as Text from '@grafana/grafana-foundation-sdk/text';
import type * as Timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * The Grafana foundation SDK, loaded on the first dashboard: as ES modules its
 * CommonJS files cost ~180 ms to import (Node scans each for exports), as
 * `require` ~85 ms, and `validate`, `explain` and `--help` need none of it.
 */
export interface GrafanaSdk {
  readonly common: typeof Common;
  readonly dashboard: typeof Dashboard;
  readonly prometheus: typeof Prometheus;
  readonly stat: typeof Stat;
  readonly text: typeof Text;
  readonly timeseries: typeof Timeseries;
}

const load = createRequire(import.meta.url);
let sdk: GrafanaSdk | undefined;

export function grafana(): GrafanaSdk {
  sdk ??= {
    common: load('@grafana/grafana-foundation-sdk/common') as typeof Common,
    dashboard: load('@grafana/grafana-foundation-sdk/dashboard') as typeof Dashboard,
    prometheus: load('@grafana/grafana-foundation-sdk/prometheus') as typeof Prometheus,
    stat: load('@grafana/grafana-foundation-sdk/stat') as typeof Stat,
    text: load('@grafana/grafana-foundation-sdk/text') as typeof Text,
    timeseries: load('@grafana/grafana-foundation-sdk/timeseries') as typeof Timeseries,
  };
  return sdk;
}
