import { createRequire } from 'node:module';
import type * as Cdk8s from 'cdk8s';
import type { k8s } from 'cdk8s-plus-32';

/**
 * cdk8s and its 3 MB of Kubernetes 1.32 L1 classes take ~150 ms to load, so
 * they load on the first Kubernetes emission, not with the CLI: `paved
 * validate`, `explain` and `--help` never pay for them. `require` rather than
 * `import`, because as CommonJS they skip Node's ESM export scan of that file.
 */
const load = createRequire(import.meta.url);
let libraries: { readonly cdk8s: typeof Cdk8s; readonly k8s: typeof k8s } | undefined;

function loaded(): { readonly cdk8s: typeof Cdk8s; readonly k8s: typeof k8s } {
  libraries ??= { cdk8s: load('cdk8s') as typeof Cdk8s, k8s: (load('cdk8s-plus-32') as { k8s: typeof k8s }).k8s };
  return libraries;
}

/** cdk8s itself: App, Chart, ApiObject. */
export function cdk8s(): typeof Cdk8s {
  return loaded().cdk8s;
}

/** The typed L1 classes, `k8s.Kube*`. */
export function kube(): typeof k8s {
  return loaded().k8s;
}

export function quantity(value: string): k8s.Quantity {
  return kube().Quantity.fromString(value);
}

export function intOrString(value: number | string): k8s.IntOrString {
  return typeof value === 'number' ? kube().IntOrString.fromNumber(value) : kube().IntOrString.fromString(value);
}
