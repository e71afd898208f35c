import type { Waiver } from '../../spec/emitter.js';
import { commentBlock } from './comment.js';

export type { Waiver };

/*
 * Every place paved's output knowingly fails a rule of the security policy
 * (compiler/policy), each with its reason, in one table for every emitter. A
 * waiver is printed next to what it excuses (a comment at the top of a YAML
 * file, or above a Terraform resource), and the policy accepts a finding only
 * where a waiver of this table that names one of the rule's ids is printed:
 * nothing is waived silently. A YAML file's waivers are also recorded on the
 * GeneratedFile (its `waivers`), and the policy goes by that record, never by
 * the file's text.
 */

/** The one line that records a waiver, without the comment marker of its format. */
export function waiverText(waiver: Waiver): string {
  return `paved waiver: ${waiver.rules.join(', ')}: ${waiver.reason}`;
}

/** The waiver's line as the comment writer prints it: what the policy looks for in a file. */
export function waiverComment(waiver: Waiver): string {
  return commentBlock([waiverText(waiver)]);
}

export const TERRAFORM_WAIVERS = {
  secretRotation: {
    rules: ['CKV2_AWS_57'],
    reason: 'no rotation: the value is set out of band (by the owning team or its provider), so no rotation Lambda can produce a new one.',
  },
  connectionSecretRotation: {
    rules: ['CKV2_AWS_57'],
    reason: 'no rotation: the secret holds connection details, not a credential; Terraform rewrites it whenever they change.',
  },
  policyDrivenDatabase: {
    rules: ['CKV_AWS_293', 'AVD-AWS-0177', 'CKV_AWS_157'],
    reason:
      "deletion protection and Multi-AZ follow platform.yaml policy.<environment> (var.deletion_protection, var.multi_az); they hold wherever the platform's policy turns them on, production by default.",
  },
  retiredDatabase: {
    rules: ['CKV_AWS_293', 'AVD-AWS-0177'],
    reason:
      'deletion protection off: the service acknowledges losing this database (dataLoss: or retired: in its service.yaml), so the apply that removes it can delete it.',
  },
  pinnedMinorVersion: {
    rules: ['CKV_AWS_226'],
    reason:
      'no automatic minor upgrades: the service pins a minor engine version in its service.yaml, which an automatic upgrade would move past and Terraform would then try to undo; write the major version alone to get them back.',
  },
  noPerformanceInsights: {
    rules: ['CKV_AWS_353', 'CKV_AWS_354', 'AVD-AWS-0133', 'AVD-AWS-0078'],
    reason:
      'no Performance Insights: RDS does not offer it for MySQL on this instance class (db.t2/t3/t4g micro and small); a larger size in service.yaml or platform.yaml sizes.database turns it on, encrypted with the service key.',
  },
  unversionedBucket: {
    rules: ['CKV_AWS_21', 'AVD-AWS-0090'],
    reason: 'no versioning: the service asked for versioned: false in its service.yaml.',
  },
  // The platform root (_platform/terraform): actions AWS authorizes on "*" only.
  externalSecretsListSecrets: {
    rules: ['PAVED_PLATFORM_IAM', 'CKV_AWS_355', 'AVD-AWS-0057'],
    reason:
      'secretsmanager:ListSecrets has no resource-level permissions, so its Resource is "*"; ESO needs it to find the RDS-managed master secrets by their tag, and it returns names and tags, never a value.',
  },
  ciUnscopedReads: {
    rules: ['PAVED_PLATFORM_IAM', 'CKV_AWS_355', 'AVD-AWS-0057'],
    reason:
      'the EC2 Describe calls, kms:ListAliases, tag:GetResources and the ElastiCache user and subnet group listings are authorized on "*" only; they read metadata, never data.',
  },
  ciCreateKey: {
    rules: ['PAVED_PLATFORM_IAM', 'CKV_AWS_355', 'AVD-AWS-0057'],
    reason:
      'kms:CreateKey has no key to name yet, so its Resource is "*"; the request must carry the tags every service stack sets (managed-by = paved and the environment).',
  },
} as const satisfies Readonly<Record<string, Waiver>>;

export const KUBERNETES_WAIVERS = {
  previewSingleReplica: {
    rules: ['KS deployment-replicas', 'PO deploymentMissingReplicas', 'KS deployment-has-poddisruptionbudget', 'PO missingPodDisruptionBudget'],
    reason: 'a preview runs one replica and no PodDisruptionBudget: it serves one pull request, and a drained node may interrupt it',
  },
  tierSingleReplica: {
    rules: ['KS deployment-replicas', 'PO deploymentMissingReplicas'],
    reason:
      'the service runs one replica in this environment (scaling.min = max = 1), which its tier allows; it promises no availability a single replica cannot give',
  },
  tierAutoscalerMinimum: {
    rules: ['KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability'],
    reason: "the service's scaling.min is 1 in this environment, which its tier allows; it promises no availability a single replica cannot give",
  },
  workerWithoutProbes: {
    rules: ['KS pod-probes', 'PO readinessProbeMissing', 'PO livenessProbeMissing'],
    reason:
      'a worker that declares no metrics endpoint (observability.metrics) serves nothing paved knows of, and a probe on a port it does not serve would restart it forever; its queue-age and crash-loop alerts watch it instead',
  },
  localstackWritableRoot: {
    rules: ['KS container-security-context-readonlyrootfilesystem', 'PO notReadOnlyRootFilesystem', 'CKV_K8S_22'],
    reason: 'LocalStack writes outside its data directories while it starts; it is a preview-only stand-in holding test data (PSS restricted still holds)',
  },
} as const satisfies Readonly<Record<string, Waiver>>;

export const ACTIONS_WAIVERS = {
  registrySecretOutsideEnvironment: {
    rules: ['ZZ secrets-outside-env'],
    reason:
      'a registry other than ghcr.io takes the repository secret REGISTRY_PASSWORD in the image jobs, which run before any environment: one image is built once and promoted through staging and production; GitHub gives no secret to pull requests from forks',
  },
  checkRecordCache: {
    rules: ['ZZ cache-poisoning'],
    reason:
      "the check job restores the base commit's check record from the cache that pushes to main save (.paved-cache/check-<sha>.json): paved holds the record to the base commit (its keys, its blobs), so a poisoned entry vouches for nothing the base lacks, and the job publishes nothing (docs/incremental.md)",
  },
} as const satisfies Readonly<Record<string, Waiver>>;

export type WaiverEmitter = 'terraform' | 'kubernetes' | 'actions';

/** A declared waiver under the `<emitter>:<name>` a policy finding carries. */
export interface DeclaredWaiver extends Waiver {
  readonly id: string;
  readonly emitter: WaiverEmitter;
}

const declared = (emitter: WaiverEmitter, table: Readonly<Record<string, Waiver>>): DeclaredWaiver[] =>
  Object.entries(table).map(([name, w]) => ({ id: `${emitter}:${name}`, emitter, rules: w.rules, reason: w.reason }));

export const DECLARED_WAIVERS: readonly DeclaredWaiver[] = [
  ...declared('terraform', TERRAFORM_WAIVERS),
  ...declared('kubernetes', KUBERNETES_WAIVERS),
  ...declared('actions', ACTIONS_WAIVERS),
];
