import type { ManifestFolder, OutputTree, Unit } from './output.js';
import { namespaceOf, type NetworkContext } from './kube.js';
import { resources, type Resource, type TerraformRoot, type Tfvars } from './terraform.js';

/** The checks, by name; a problem carries one, and the negative tests pin them. */
export const CHECKS = [
  'secret-store',
  'remote-secret',
  'remote-property',
  'secret-key-ref',
  'eso-access',
  'pod-identity',
  'monitor-labels',
  'monitor-target',
  'monitor-reachable',
  'rule-matcher',
  'network-dns',
  'network-peer',
  'network-aws-port',
  'ingress-backend',
  'ingress-tls',
  'argocd-path',
  'argocd-namespace',
  'argocd-cluster',
  'argocd-project',
  'subscription-topic',
  'subscription-delivery',
  'apply-order',
] as const;

export type CheckName = (typeof CHECKS)[number];

/** A broken link: the file and object at one end, both ends spelled out, and what breaks. */
export interface WiringProblem {
  readonly check: CheckName;
  /** Relative to the output directory. */
  readonly file: string;
  /** `Kind namespace/name` or a Terraform address. */
  readonly object: string;
  /** This end: the field and its value. */
  readonly from: string;
  /** The other end: what the field should name, and what is there. */
  readonly to: string;
  readonly message: string;
}

/**
 * What the platform promises that the output alone does not show. Every field is
 * optional: without it, the checks that need it fall back to what the output
 * holds (`_platform/` stores) or leave that end of the link unchecked.
 */
export interface WiringPlatform {
  /** platform.yaml kubernetes.secretStores: the ClusterSecretStore per environment. */
  readonly secretStores?: Readonly<Record<string, string>>;
  /** platform.yaml kubernetes.monitorLabels: what Prometheus selects monitors and rules by. */
  readonly monitorLabels?: Readonly<Record<string, string>>;
  /** platform.yaml kubernetes.prometheusNamespace: where the scrapes come from. */
  readonly prometheusNamespace?: string;
  /** platform.yaml kubernetes.ingressControllerNamespace: where the ingress controller's requests come from. */
  readonly ingressControllerNamespace?: string;
  /** platform.yaml kubernetes.clusters: Argo CD's cluster name per environment. */
  readonly clusters?: Readonly<Record<string, string>>;
  /** Where the output directory sits in the GitOps repository (gitops.path + output.dir), e.g. `infra/paved/generated`. */
  readonly gitopsPath?: string;
  /**
   * platform.yaml kubernetes.externalSecrets: where the External Secrets Operator
   * runs. The platform installs it (Helm), not paved, so `_platform/`'s Pod Identity
   * association for it links outside the output.
   */
  readonly externalSecrets?: { readonly namespace: string; readonly serviceAccount: string };
}

/** One Terraform root in one environment: its tfvars and its resource instances. */
export interface Stack {
  readonly root: TerraformRoot;
  readonly tfvars: Tfvars;
  readonly resources: readonly Resource[];
}

/** The resolved output of one service (or `_platform`) in one environment: what each check runs over. */
export interface ServiceEnv {
  readonly tree: OutputTree;
  readonly unit: Unit;
  readonly env: string;
  readonly folder?: ManifestFolder;
  /** This unit's roots that have tfvars for the environment. */
  readonly stacks: readonly Stack[];
  /** The platform's roots for the environment (from `_platform/`), for secrets the platform owns. */
  readonly platformStacks: readonly Stack[];
  /** Every unit's manifests in this environment, the platform's included. */
  readonly envFolders: readonly ManifestFolder[];
  readonly network: NetworkContext;
  readonly platform: WiringPlatform;
  /** Counts a link a check followed, so a test can tell a check that passed from one that found nothing to check. */
  readonly followed: (check: CheckName) => void;
}

export function stacksFor(unit: Unit | undefined, env: string): Stack[] {
  if (!unit) return [];
  return unit.terraform.flatMap((root) => {
    const tfvars = root.tfvars.get(env);
    return tfvars ? [{ root, tfvars, resources: resources(root, env) }] : [];
  });
}

export function environments(tree: OutputTree): string[] {
  const envs = new Set<string>();
  for (const unit of [...tree.services, ...(tree.platform ? [tree.platform] : [])]) {
    for (const env of unit.kubernetes.keys()) envs.add(env);
    for (const root of unit.terraform) for (const env of root.tfvars.keys()) envs.add(env);
  }
  return [...envs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function networkContext(folders: readonly ManifestFolder[]): NetworkContext {
  const labels = new Map<string, Record<string, string>>();
  const policies = folders.flatMap((f) => f.objects.filter((o) => o.kind === 'NetworkPolicy'));
  const folderOf = new Map(folders.flatMap((f) => f.objects.map((o) => [o, f] as const)));
  for (const folder of folders) {
    for (const o of folder.objects) if (o.kind === 'Namespace') labels.set(o.name, { ...o.labels });
  }
  return {
    policies,
    ciliumPolicies: folders.flatMap((f) => f.objects.filter((o) => o.kind === 'CiliumNetworkPolicy')),
    namespaceLabels: (namespace) => ({ ...(labels.get(namespace) ?? {}), 'kubernetes.io/metadata.name': namespace }),
    policyNamespace: (policy) => namespaceOf(policy, folderOf.get(policy) as ManifestFolder),
  };
}

export function buildServiceEnvs(tree: OutputTree, platform: WiringPlatform, followed: (check: CheckName) => void = () => {}): ServiceEnv[] {
  const units = [...tree.services, ...(tree.platform ? [tree.platform] : [])];
  const out: ServiceEnv[] = [];
  for (const env of environments(tree)) {
    const envFolders = units.flatMap((u) => (u.kubernetes.has(env) ? [u.kubernetes.get(env) as ManifestFolder] : []));
    const network = networkContext(envFolders);
    const platformStacks = stacksFor(tree.platform, env);
    for (const unit of units) {
      const folder = unit.kubernetes.get(env);
      const stacks = unit === tree.platform ? platformStacks : stacksFor(unit, env);
      if (!folder && stacks.length === 0) continue;
      out.push({ tree, unit, env, folder, stacks, platformStacks, envFolders, network, platform, followed });
    }
  }
  return out;
}

export function quoteList(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.map((v) => JSON.stringify(v)).join(', ');
}
