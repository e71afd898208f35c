import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { syntheticRepo } from '../../bench/synthetic.js';
import { compileSources, compileTexts, type CompileResult } from '../../compiler/compile.js';
import { parseSource } from '../../compiler/parse.js';
import { emitInThreads, PARALLEL_THRESHOLD } from '../../compiler/parallel.js';
import { emitSequentially, emitService, scopedProject } from '../../compiler/emit.js';
import { checkServiceOutput } from '../../compiler/policy/check.js';
import { projectReport, reportMarkdown, reportText } from '../../compiler/report.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import { REPO } from '../helpers.js';
import { parse } from 'yaml';
import { ACTIONS_WAIVERS, KUBERNETES_WAIVERS, TERRAFORM_WAIVERS, waiverText } from '../../emitters/shared/waivers.js';
import { attachedWaiver as attachedTerraformWaiver } from '../../compiler/policy/terraform-facts.js';
import { POLICY_RULES } from '../../compiler/policy/registry.js';
import { policyTarget, type FoundResource, type GeneratedWorkflow, type ParsedWorkflow, type PolicyTarget } from '../../compiler/policy/view.js';

/**
 * Red team, class "policy": overrides that take the output off the golden path
 * past the override deny-lists (issue 14). The compile-time policy must fail
 * each at the patch operation that did it, naming the rule; platform waivers
 * excuse a rule and are reported; allow lists reject everything else.
 */

const PLATFORM = readFileSync(join(REPO, 'examples/shop/platform.yaml'), 'utf8');
const SERVICE = 'services/victim/service.yaml';

const VICTIM = `apiVersion: paved/v1
kind: Service
name: victim
owner: team-victim
description: Red-team target
runtime:
  language: node
  port: 8080
  command: ["node", "server.js"]
ingress:
  public: true
  paths: ["/api"]
secrets:
  - DB_PASSWORD
resources:
  databases:
    - name: main
      engine: postgres
      version: "16"
      size: small
  buckets:
    - name: files
  subscriptions:
    - topic: events
      from: other
  cron:
    - name: nightly
      schedule: "0 3 * * *"
      command: ["node", "nightly.js"]
`;

const OTHER = `apiVersion: paved/v1
kind: Service
name: other
owner: team-other
description: Another team
runtime:
  language: node
  port: 8080
  command: ["node", "server.js"]
resources:
  topics:
    - name: events
`;

type Op = Record<string, unknown>;
interface Override {
  readonly target: string;
  readonly environments?: readonly string[];
  readonly patch: readonly Op[];
}

/** An override block, one patch operation per line (as flow maps), so positions are easy to find. */
function overridesYaml(kubernetes: readonly Override[], terraform: readonly Override[] = []): string {
  const block = (name: string, list: readonly Override[]): string =>
    list.length === 0 ? '' : `  ${name}:\n${list.map((o) => `    - target: ${o.target}\n${o.environments ? `      environments: [${o.environments.join(', ')}]\n` : ''}      reason: "red team: ${name} override"\n      patch:\n${o.patch.map((op) => `        - ${JSON.stringify(op)}\n`).join('')}`).join('')}`;
  return `overrides:\n${block('kubernetes', kubernetes)}${block('terraform', terraform)}`;
}

function compileWith(kubernetes: readonly Override[], terraform: readonly Override[] = [], platformExtra = ''): { result: CompileResult; victim: string; platform: string } {
  const victim = kubernetes.length + terraform.length > 0 ? VICTIM + overridesYaml(kubernetes, terraform) : VICTIM;
  const platform = PLATFORM + platformExtra;
  const result = compileTexts(
    [
      { path: 'platform.yaml', kind: 'platform', text: platform },
      { path: SERVICE, kind: 'service', text: victim },
      { path: 'services/other/service.yaml', kind: 'service', text: OTHER },
    ],
    emitters,
  );
  return { result, victim, platform };
}

/** `line:col` of `overrides.<target>[i].patch[j]` in the service text: the `{` of that operation's line. */
function opAt(text: string, target: 'kubernetes' | 'terraform', i: number, j: number): string {
  const lines = text.split('\n');
  let n = lines.indexOf(`  ${target}:`);
  for (let seen = -1; seen < i; n++) if (lines[n]!.startsWith('    - target:')) seen++;
  for (let seen = -1; ; n++) {
    if (lines[n]!.startsWith('        - {')) seen++;
    if (seen === j) return `${n + 1}:${lines[n]!.indexOf('{') + 1}`;
  }
}

const where = (d: Diagnostic): string => `${d.file}:${d.range?.line}:${d.range?.col}`;
const errors = (r: CompileResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');

/**
 * Compiles with the overrides and expects the compile to fail with `code`,
 * naming `rule` (section and ids) at `overrides.<target>[i].patch[j]`, and with
 * nothing planned.
 */
function expectViolation(options: { kubernetes?: Override[]; terraform?: Override[]; platform?: string }, rule: string, at: ['kubernetes' | 'terraform', number, number], problem?: RegExp): Diagnostic[] {
  const { result, victim } = compileWith(options.kubernetes ?? [], options.terraform ?? [], options.platform);
  expect(result.files).toEqual([]);
  const pointer = `overrides.${at[0]}[${at[1]}].patch[${at[2]}]`;
  const found = errors(result).filter((d) => d.code === 'POLICY.VIOLATION' && d.message.startsWith(`${pointer}: this operation makes the output break ${rule} (`) && (!problem || problem.test(d.message)));
  expect(found.length, JSON.stringify(result.diagnostics.map((d) => [d.code, d.message]), null, 1)).toBeGreaterThan(0);
  for (const d of found) {
    expect(where(d)).toBe(`${SERVICE}:${opAt(victim, ...at)}`);
    expect(d.hint).toMatch(/overridePolicy\.waivers/);
  }
  // Every error is the policy's, each at an operation of the overrides.
  expect(errors(result).filter((d) => d.code !== 'POLICY.VIOLATION' || !/^overrides\.(kubernetes|terraform)\[\d+\]\.patch\[\d+\]: /.test(d.message))).toEqual([]);
  return found;
}

const cron = (patch: Op[]): Override => ({ target: 'CronJob/victim-nightly', patch });
const deployment = (patch: Op[]): Override => ({ target: 'Deployment/victim', patch });
const resource = (target: string, patch: Op[]): Override => ({ target, patch });
const CRON_POD = '/spec/jobTemplate/spec/template/spec';
const POD = '/spec/template/spec';
const NOTE = { op: 'add', path: '/metadata/annotations/team.example~1note', value: 'harmless' };

describe('the policy passes the red-team services as generated', () => {
  it('compiles them without overrides, with no diagnostic', () => {
    const { result } = compileWith([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.files.length).toBeGreaterThan(50);
  });

  it('compiles a harmless override, with no diagnostic', () => {
    const { result } = compileWith([deployment([NOTE])]);
    expect(result.diagnostics).toEqual([]);
  });
});

describe('a CronJob pod template gaining host access, past the Deployment-only deny-list', () => {
  it('hostNetwork: PSS hostNamespaces at the operation, once, naming every environment', () => {
    const found = expectViolation({ kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/hostNetwork`, value: true }])] }, '§2 PSS restricted PSS hostNamespaces', ['kubernetes', 0, 0], /shares a host namespace/);
    expect(found).toHaveLength(1);
    expect([...found[0]!.message.matchAll(/kubernetes\/([a-z]+)\/cronjob-nightly\.yaml/g)].map((m) => m[1]).sort()).toEqual(['preview', 'production', 'staging']);
  });

  it('hostPID after a harmless operation: blamed on the second operation', () => {
    expectViolation({ kubernetes: [cron([NOTE, { op: 'add', path: `${CRON_POD}/hostPID`, value: true }])] }, '§2 PSS restricted PSS hostNamespaces', ['kubernetes', 0, 1]);
  });

  it('hostIPC in a second override of the same CronJob', () => {
    expectViolation({ kubernetes: [cron([NOTE]), cron([{ op: 'add', path: `${CRON_POD}/hostIPC`, value: true }])] }, '§2 PSS restricted PSS hostNamespaces', ['kubernetes', 1, 0]);
  });

  it('a privileged init container: PSS privileged', () => {
    const init = { name: 'pwn', image: 'ghcr.io/shop-example/victim:1', securityContext: { privileged: true } };
    expectViolation({ kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/initContainers`, value: [init] }])] }, '§2 PSS restricted PSS privileged', ['kubernetes', 0, 0], /pwn: privileged/);
  });

  it('an init container that may escalate (no securityContext at all): PSS allowPrivilegeEscalation', () => {
    const init = { name: 'setup', image: 'ghcr.io/shop-example/victim:1' };
    expectViolation({ kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/initContainers`, value: [init] }])] }, '§2 PSS restricted PSS allowPrivilegeEscalation', ['kubernetes', 0, 0], /setup: may escalate/);
  });

  it('a hostPort on the CronJob container: PSS hostPorts', () => {
    expectViolation({ kubernetes: [cron([NOTE, { op: 'add', path: `${CRON_POD}/containers/0/ports`, value: [{ containerPort: 9, hostPort: 9 }] }])] }, '§2 PSS restricted PSS hostPathVolumes / PSS hostPorts', ['kubernetes', 0, 1], /hostPort/);
  });
});

describe('a Deployment gaining what the deny-list does not name', () => {
  it('a hostPort: PSS hostPorts', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/containers/0/ports/-`, value: { containerPort: 22, hostPort: 22 } }])] }, '§2 PSS restricted PSS hostPathVolumes / PSS hostPorts', ['kubernetes', 0, 0], /hostPort/);
  });

  it('an image from another registry: PAVED_IMAGE_SOURCE', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'docker.io/attacker/miner:1.0' }])] }, '§4 paved PAVED_IMAGE_SOURCE', ['kubernetes', 0, 0], /docker\.io\/attacker\/miner:1\.0 is not from the platform registry ghcr\.io\/shop-example/);
  });

  it('an image from a registry whose name starts like the platform\'s: PAVED_IMAGE_SOURCE', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example-evil/victim:1.0' }])] }, '§4 paved PAVED_IMAGE_SOURCE', ['kubernetes', 0, 0]);
  });

  it(':latest: KS container-image-tag, one diagnostic naming the Deployment of each environment', () => {
    const found = expectViolation({ kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example/victim:latest' }])] }, '§2 kube-score/polaris KS container-image-tag / PO tagNotSpecified / CKV_K8S_14 / CKV_K8S_43', ['kubernetes', 0, 0], /image ghcr\.io\/shop-example\/victim:latest/);
    expect(found).toHaveLength(1);
    expect([...found[0]!.message.matchAll(/kubernetes\/([a-z]+)\/deployment\.yaml: app: /g)].map((m) => m[1])).toEqual(['staging', 'production', 'preview']);
  });

  it('an untagged image: KS container-image-tag', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example/victim' }])] }, '§2 kube-score/polaris KS container-image-tag / PO tagNotSpecified / CKV_K8S_14 / CKV_K8S_43', ['kubernetes', 0, 0]);
  });

  it('a literal value for the declared secret DB_PASSWORD: PAVED_SECRET_LITERAL', () => {
    expectViolation({ kubernetes: [deployment([NOTE, { op: 'add', path: `${POD}/containers/0/env/0`, value: { name: 'DB_PASSWORD', value: 'hunter2' } }])] }, '§4 paved PAVED_SECRET_LITERAL', ['kubernetes', 0, 1], /literal value for DB_PASSWORD/);
  });

  it('a literal value for an undeclared secret-looking name: PO sensitiveContainerEnvVar', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/containers/0/env/-`, value: { name: 'STRIPE_API_KEY', value: 'sk_live_x' } }])] }, '§2 kube-score/polaris PO sensitiveContainerEnvVar / CKV_K8S_35 / KS environment-variable-key-duplication', ['kubernetes', 0, 0], /STRIPE_API_KEY/);
  });

  it('tolerations: [{operator: Exists}]: PAVED_SCHEDULING', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/tolerations`, value: [{ operator: 'Exists' }] }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0], /tolerates every taint/);
  });

  it('schedulerName: PAVED_SCHEDULING, in a CronJob too', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/schedulerName`, value: 'anything-goes' }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0], /schedulerName "anything-goes" hands the pod to another scheduler/);
    expectViolation({ kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/schedulerName`, value: 'anything-goes' }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0], /schedulerName "anything-goes"/);
    expect(compileWith([deployment([{ op: 'add', path: `${POD}/schedulerName`, value: 'default-scheduler' }])]).result.diagnostics).toEqual([]);
  });

  it('nodeName: PAVED_SCHEDULING', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/nodeName`, value: 'ip-10-0-0-1' }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0], /nodeName "ip-10-0-0-1"/);
  });

  it('a nodeSelector onto the control plane: PAVED_SCHEDULING', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/nodeSelector`, value: { 'node-role.kubernetes.io/control-plane': '' } }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0], /control-plane nodes/);
  });

  it('a toleration of the control-plane taint on the CronJob: PAVED_SCHEDULING', () => {
    expectViolation({ kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/tolerations`, value: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0]);
  });

  it('a 5,000-character image: the diagnostic names it cut short, not whole', () => {
    const image = `evil.example/${'x'.repeat(5000)}:1`;
    const found = expectViolation({ kubernetes: [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: image }])] }, '§4 paved PAVED_IMAGE_SOURCE', ['kubernetes', 0, 0]);
    for (const d of found) {
      expect(d.message, d.message.slice(0, 400)).toContain(`: app: image evil.example/${'x'.repeat(20)}`);
      expect(d.message).not.toContain(image);
      // Three environments, each place cut at 300 characters.
      expect(d.message.length).toBeLessThan(1_600);
    }
  });

  // 50 operations: the most one override may hold (spec/service-schema.ts serviceLimits).
  it('the operation that breaks a rule is found among 49 harmless ones, in a handful of emissions', () => {
    const harmless = Array.from({ length: 49 }, (_, i) => ({ op: 'add', path: `/metadata/annotations/team.example~1n${i}`, value: String(i) }));
    const patch = [...harmless.slice(0, 37), { op: 'add', path: `${POD}/nodeName`, value: 'n1' }, ...harmless.slice(37)];
    const started = Date.now();
    expectViolation({ kubernetes: [deployment(patch)] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 37], /nodeName "n1"/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a container list replaced by a string: the rules cannot read it, and that fails closed', () => {
    const { result } = compileWith([deployment([{ op: 'replace', path: `${POD}/containers`, value: 'nothing' }])]);
    expect(result.files).toEqual([]);
    expect(errors(result).length).toBeGreaterThan(0);
  });
});

describe('an allowed Namespace turned into a ClusterRoleBinding', () => {
  // Identity is immutable, so the override code refuses it before the policy sees output.
  it('by patching /kind: rejected, nothing planned, at the operation', () => {
    const { result, victim } = compileWith([{ target: 'Namespace/victim', environments: ['staging', 'production'], patch: [{ op: 'replace', path: '/kind', value: 'ClusterRoleBinding' }, { op: 'add', path: '/roleRef', value: { kind: 'ClusterRole', name: 'cluster-admin' } }] }]);
    expect(result.files).toEqual([]);
    const first = errors(result)[0]!;
    expect(first.code).toBe('EMIT.OVERRIDE_IDENTITY');
    expect(first.message).toMatch(/^overrides\.kubernetes\[0\]\.patch\[0\]: \/kind would change the identity of Namespace\/victim/);
    expect(where(first)).toBe(`${SERVICE}:${opAt(victim, 'kubernetes', 0, 0)}`);
  });

  it('the policy alone reports such output as PAVED_OUTPUT_KINDS: a bug in paved when no override did it', () => {
    const diagnostics = policyOn((files) => files.map((f) => (f.path.endsWith('/staging/namespace.yaml') ? { ...f, value: { ...(f.value as object), kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } } } : f)));
    expect(diagnostics.map((d) => [d.code, d.file, d.pointer])).toContainEqual(['POLICY.PAVED_BUG', SERVICE, '/name']);
    expect(diagnostics.find((d) => d.code === 'POLICY.PAVED_BUG')!.message).toBe(
      'the generated output breaks §4 paved PAVED_OUTPUT_KINDS (only the kinds paved generates for a directory, each in the service\'s own namespace; never RBAC): generated/victim/kubernetes/staging/namespace.yaml: ClusterRoleBinding: paved never generates RBAC objects; no override causes this, so it is a bug in paved',
    );
  });

  it('the policy alone reports a Service moved to another namespace', () => {
    const diagnostics = policyOn((files) => files.map((f) => (f.path.endsWith('/production/service.yaml') ? { ...f, value: { ...(f.value as Record<string, any>), metadata: { ...(f.value as Record<string, any>).metadata, namespace: 'other' } } } : f)));
    expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/PAVED_OUTPUT_KINDS .*production\/service\.yaml: Service victim: namespace "other" is not the service's own/);
  });
});

/** The policy over the victim's real output, changed by `change`, as if paved had emitted it with no override. */
function policyOn(change: (files: readonly GeneratedFile[]) => GeneratedFile[]): Diagnostic[] {
  const { result } = compileWith([]);
  const project = result.project!;
  const service = project.services.find((s) => s.name === 'victim')!;
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const files = emitters.flatMap((e) => e.emitService(service, scopedProject(project, service, byName)).files);
  // emitService (what a compile runs) finds nothing in the same output.
  expect(emitService(project, service, emitters, byName).flatMap((e) => e.result.diagnostics)).toEqual([]);
  return checkServiceOutput(scopedProject(project, service, byName), service, change(files), () => undefined);
}

describe('Terraform overrides past the deny-list of attributes', () => {
  it('rds.force_ssl = 0 in the parameter group: CKV2_AWS_69', () => {
    expectViolation({ terraform: [resource('aws_db_parameter_group.main', [{ op: 'replace', path: '/parameter/0/value', value: '0' }])] }, '§1 #6 CKV2_AWS_69', ['terraform', 0, 0], /: rds\.force_ssl is "0", not "1"$/);
  });

  it('backup_retention_period 0: CKV_AWS_133', () => {
    expectViolation({ terraform: [resource('aws_db_instance.main', [{ op: 'replace', path: '/backup_retention_period', value: 0 }])] }, '§1 #5 CKV_AWS_133 / AVD-AWS-0077', ['terraform', 0, 0], /production: 0 backup days/);
  });

  it('deletion_protection false in production through an override: CKV_AWS_293', () => {
    expectViolation({ terraform: [resource('aws_db_instance.main', [{ op: 'replace', path: '/allocated_storage', value: 50 }, { op: 'replace', path: '/deletion_protection', value: false }])] }, '§1 #3 CKV_AWS_293 / AVD-AWS-0177', ['terraform', 0, 1], /deletion protection off in production/);
  });

  it("a bucket's access logs sent to a foreign bucket: CKV_AWS_18", () => {
    expectViolation({ terraform: [resource('aws_s3_bucket_logging.files', [{ op: 'replace', path: '/target_bucket', value: 'attacker-log-sink' }])] }, '§1 #17 CKV_AWS_18 / AVD-AWS-0089', ['terraform', 0, 0], /no access logging/);
  });

  it("a subscription on another team's topic redirected to https: PAVED_SUBSCRIPTION_TARGET", () => {
    expectViolation({ terraform: [resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/protocol', value: 'https' }, { op: 'replace', path: '/endpoint', value: 'https://attacker.example/hook' }])] }, '§4 paved PAVED_SUBSCRIPTION_TARGET', ['terraform', 0, 0], /protocol "https", not sqs/);
  });

  it('a redirect in two overrides blames each problem on the operation that made it', () => {
    const options = { terraform: [resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/protocol', value: 'email' }]), resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/endpoint', value: 'attacker@example.com' }])] };
    expect(expectViolation(options, '§4 paved PAVED_SUBSCRIPTION_TARGET', ['terraform', 0, 0], /protocol "email", not sqs/)).toHaveLength(1);
    expect(expectViolation(options, '§4 paved PAVED_SUBSCRIPTION_TARGET', ['terraform', 1, 0], /endpoint attacker@example\.com is not a queue of this stack/)).toHaveLength(1);
  });

  it('a subscription delivering to a foreign queue: PAVED_SUBSCRIPTION_TARGET', () => {
    expectViolation({ terraform: [resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/endpoint', value: 'arn:aws:sqs:eu-west-1:999999999999:theirs' }])] }, '§4 paved PAVED_SUBSCRIPTION_TARGET', ['terraform', 0, 0], /is not a queue of this stack/);
  });

  it('a subscription delivering to a lambda: PAVED_SUBSCRIPTION_TARGET', () => {
    expectViolation({ terraform: [resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/protocol', value: 'lambda' }])] }, '§4 paved PAVED_SUBSCRIPTION_TARGET', ['terraform', 0, 0], /protocol "lambda"/);
  });

  it('AdministratorAccess through aws_iam_role_policy_attachment: PAVED_IAM_ATTACHMENT', () => {
    expectViolation({ terraform: [resource('aws_iam_role_policy_attachment.rds_monitoring', [{ op: 'replace', path: '/policy_arn', value: 'arn:aws:iam::aws:policy/AdministratorAccess' }])] }, '§4 paved PAVED_IAM_ATTACHMENT', ['terraform', 0, 0], /names an AWS-managed policy/);
  });

  it("the monitoring policy attached to the service's own role: PAVED_IAM_ATTACHMENT", () => {
    expectViolation({ terraform: [resource('aws_iam_role_policy_attachment.rds_monitoring', [{ op: 'replace', path: '/role', value: 'victim-pods' }])] }, '§4 paved PAVED_IAM_ATTACHMENT', ['terraform', 0, 0]);
  });
});

describe('platform waivers (overridePolicy.waivers)', () => {
  const hostNetwork = [cron([{ op: 'add', path: `${CRON_POD}/hostNetwork`, value: true }])];
  const waivers = (items: string): string => `overridePolicy:\n  waivers:\n${items}`;

  it('a waived rule compiles, and every waived finding is reported as POLICY.WAIVED at the waiver', () => {
    const { result, platform } = compileWith(hostNetwork, [], waivers('    - rule: PSS hostNamespaces\n      reason: "node exporter needs the host network (SEC-12)"\n'));
    expect(errors(result)).toEqual([]);
    expect(result.files.length).toBeGreaterThan(50);
    const waived = result.diagnostics.filter((d) => d.code === 'POLICY.WAIVED');
    expect(waived).toHaveLength(3);
    const line = platform.split('\n').indexOf('    - rule: PSS hostNamespaces') + 1;
    for (const d of waived) {
      expect(d.severity).toBe('warning');
      expect(`${d.file}:${d.range?.line}:${d.range?.col}`).toBe(`platform.yaml:${line}:7`);
      expect(d.message).toMatch(/^overridePolicy\.waivers\[0\]: waives §2 PSS restricted PSS hostNamespaces \(no hostNetwork, hostPID or hostIPC\): generated\/victim\/kubernetes\/[a-z]+\/cronjob-nightly\.yaml: shares a host namespace \(service "victim"\); reason: node exporter needs the host network \(SEC-12\)$/);
    }
  });

  it('a waiver limited to other services does not excuse this one', () => {
    const { result } = compileWith(hostNetwork, [], waivers('    - rule: PSS hostNamespaces\n      reason: "only the other team may"\n      services: [other]\n'));
    expect(result.files).toEqual([]);
    expect(errors(result).map((d) => d.code)).toEqual(['POLICY.VIOLATION']);
  });

  it('a waiver of one rule leaves the others enforced', () => {
    const { result } = compileWith([cron([{ op: 'add', path: `${CRON_POD}/hostNetwork`, value: true }, { op: 'add', path: `${CRON_POD}/nodeName`, value: 'n1' }])], [], waivers('    - rule: PSS hostNamespaces\n      reason: "node exporter needs the host network (SEC-12)"\n'));
    expect(result.files).toEqual([]);
    expect([...new Set(errors(result).map((d) => `${d.code} ${d.message.slice(0, d.message.indexOf(' ('))}`))]).toEqual(['POLICY.VIOLATION overrides.kubernetes[0].patch[1]: this operation makes the output break §4 paved PAVED_SCHEDULING']);
  });

  it('paved report lists the waivers that apply to each service, in text and markdown', () => {
    const { result } = compileWith(hostNetwork, [], waivers('    - rule: PSS hostNamespaces\n      reason: "node exporter needs the host network (SEC-12)"\n      services: [victim]\n'));
    const reports = projectReport(result.project!);
    expect(reports.map((r) => [r.name, r.waivers])).toEqual([['other', []], ['victim', [{ rule: 'PSS hostNamespaces', reason: 'node exporter needs the host network (SEC-12)' }]]]);
    expect(reportText(reports)).toContain('\n  policy waiver PSS hostNamespaces (platform.yaml): node exporter needs the host network (SEC-12)\n');
    expect(reportMarkdown(reports)).toContain('\n- The platform waives the policy rule PSS hostNamespaces: node exporter needs the host network (SEC-12)\n');
  });

  it('an unknown rule id is a positioned error with a did-you-mean', () => {
    const { result, platform } = compileWith([], [], waivers('    - rule: CKV_K8S_2O\n      reason: "typo of an id"\n'));
    const line = platform.split('\n').indexOf('    - rule: CKV_K8S_2O') + 1;
    expect(result.diagnostics.map((d) => [d.code, d.message, where(d)])).toEqual([['POLICY.UNKNOWN_RULE', 'overridePolicy.waivers[0].rule: no policy rule has the id "CKV_K8S_2O" (did you mean "CKV_K8S_20"?)', `platform.yaml:${line}:13`]]);
    expect(result.files).toEqual([]);
  });

  it('a rule id nothing resembles is an error that points at the README list', () => {
    const { result } = compileWith([], [], waivers('    - rule: EVERYTHING\n      reason: "waive it all"\n'));
    expect(result.diagnostics.map((d) => [d.code, d.hint])).toEqual([['POLICY.UNKNOWN_RULE', 'use a rule id from the README, Security model (e.g. CKV_K8S_20, KS deployment-replicas)']]);
  });

  it('an unknown service in a waiver is a positioned error with a did-you-mean', () => {
    const { result, platform } = compileWith([], [], waivers('    - rule: PSS hostNamespaces\n      reason: "one service only"\n      services: [victm]\n'));
    const line = platform.split('\n').indexOf('      services: [victm]') + 1;
    expect(result.diagnostics.map((d) => [d.code, d.message, where(d)])).toEqual([['REF.UNKNOWN_SERVICE', 'overridePolicy.waivers[0].services[0]: no service named "victm" in this repository (did you mean "victim"?)', `platform.yaml:${line}:18`]]);
  });

  it('a waiver without a reason is a schema error', () => {
    const { result } = compileWith([], [], waivers('    - rule: PSS hostNamespaces\n'));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SPEC.REQUIRED']);
  });
});

describe('allow lists (overridePolicy.<target>.allow)', () => {
  const allowK8s = (...patterns: string[]): string => `overridePolicy:\n  kubernetes:\n    allow: [${patterns.map((p) => JSON.stringify(p)).join(', ')}]\n`;
  const allowTf = (...patterns: string[]): string => `overridePolicy:\n  terraform:\n    allow: [${patterns.map((p) => JSON.stringify(p)).join(', ')}]\n`;
  const forbidden = (r: { result: CompileResult; victim: string }, target: 'kubernetes' | 'terraform', i: number, j: number): Diagnostic => {
    expect(r.result.files).toEqual([]);
    const d = errors(r.result).find((e) => e.code === 'EMIT.OVERRIDE_FORBIDDEN');
    expect(d, JSON.stringify(r.result.diagnostics)).toBeDefined();
    expect(where(d!)).toBe(`${SERVICE}:${opAt(r.victim, target, i, j)}`);
    return d!;
  };

  it('rejects a path outside the list, naming the list', () => {
    const d = forbidden(compileWith([deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example/victim:2' }])], [], allowK8s('Deployment:/metadata/annotations')), 'kubernetes', 0, 0);
    expect(d.message).toBe(`overrides.kubernetes[0].patch[0]: the platform allows overrides only at overridePolicy.kubernetes.allow (Deployment:/metadata/annotations); ${POD}/containers/0/image of Deployment is not at or under any of them`);
  });

  it('accepts a path under an allowed pattern', () => {
    const { result } = compileWith([deployment([NOTE])], [], allowK8s('Deployment:/metadata/annotations'));
    expect(result.diagnostics).toEqual([]);
  });

  it('a kind qualifier does not allow the same path on another kind', () => {
    forbidden(compileWith([cron([NOTE])], [], allowK8s('Deployment:/metadata/annotations')), 'kubernetes', 0, 0);
  });

  it('* matches one segment: containers/*/resources allows container 0 resources, not the container itself', () => {
    expect(compileWith([deployment([{ op: 'replace', path: `${POD}/containers/0/resources/limits/memory`, value: '1Gi' }])], [], allowK8s(`${POD}/containers/*/resources`)).result.diagnostics).toEqual([]);
    forbidden(compileWith([deployment([{ op: 'add', path: `${POD}/containers/-`, value: { name: 'x', image: 'ghcr.io/shop-example/victim:1' } }])], [], allowK8s(`${POD}/containers/*/resources`)), 'kubernetes', 0, 0);
  });

  it('a move whose from lies outside the list is rejected, naming the from path', () => {
    const d = forbidden(compileWith([deployment([NOTE, { op: 'move', from: `${POD}/containers/0/env`, path: '/metadata/annotations/x' }])], [], allowK8s('/metadata/annotations')), 'kubernetes', 0, 1);
    expect(d.message).toMatch(/; \/spec\/template\/spec\/containers\/0\/env of Deployment is not at or under any of them$/);
  });

  it('the deny-list still applies inside an allowed path', () => {
    const { result } = compileWith([deployment([{ op: 'add', path: `${POD}/hostNetwork`, value: true }])], [], allowK8s(POD));
    expect(errors(result).map((d) => [d.code, d.message])).toEqual([['EMIT.OVERRIDE_FORBIDDEN', 'overrides.kubernetes[0].patch[0]: the platform forbids patching /spec/template/spec/hostNetwork (overridePolicy.kubernetes.forbiddenPaths has /spec/template/spec/hostNetwork)']]);
  });

  it('terraform: rejects an attribute outside the list, accepts one inside', () => {
    const d = forbidden(compileWith([], [resource('aws_db_instance.main', [{ op: 'replace', path: '/allocated_storage', value: 50 }, { op: 'replace', path: '/backup_retention_period', value: 30 }])], allowTf('aws_db_instance:/allocated_storage')), 'terraform', 0, 1);
    expect(d.message).toBe('overrides.terraform[0].patch[1]: the platform allows overrides only at overridePolicy.terraform.allow (aws_db_instance:/allocated_storage); /backup_retention_period of aws_db_instance is not at or under any of them');
    expect(compileWith([], [resource('aws_db_instance.main', [{ op: 'replace', path: '/allocated_storage', value: 50 }])], allowTf('aws_db_instance:/allocated_storage')).result.diagnostics).toEqual([]);
  });

  it('terraform: an empty list allows nothing', () => {
    const d = forbidden(compileWith([], [resource('aws_db_instance.main', [{ op: 'replace', path: '/allocated_storage', value: 50 }])], allowTf()), 'terraform', 0, 0);
    expect(d.message).toMatch(/overridePolicy\.terraform\.allow \(nothing\)/);
  });

  it('a malformed pattern is a schema error', () => {
    const { result } = compileWith([], [], allowK8s('spec/replicas'));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SPEC.PATTERN']);
  });
});

describe('the policy on worker threads', () => {
  it('reports the same violation, at the same operation, as a single thread', () => {
    const files = syntheticRepo(PARALLEL_THRESHOLD + 4, 7, { everything: true });
    const victim = files.filter((f) => f.kind === 'service').at(-1)!;
    const name = /^name: (.+)$/m.exec(victim.text)![1]!;
    const override = `overrides:\n  kubernetes:\n    - target: Deployment/${name}\n      reason: "red team: threads"\n      patch:\n        - { op: add, path: /spec/template/spec/nodeName, value: n1 }\n`;
    const texts = files.map((f) => (f === victim ? { ...f, text: `${f.text}${override}` } : f));
    const parsed = texts.map((f) => ({ f, r: parseSource(f.path, new TextEncoder().encode(f.text), f.kind) }));
    const repo = { platform: parsed.find((p) => p.f.kind === 'platform')!.r.file, services: parsed.filter((p) => p.f.kind === 'service').map((p) => p.r.file!), loadDiagnostics: [], sources: new Map() };
    const worker = new URL('../../dist/cli/emit-worker.js', import.meta.url);
    const threaded = compileSources(repo, { emitters, emitServices: emitInThreads(worker, 1) });
    const sequential = compileSources(repo, { emitters, emitServices: emitSequentially });
    expect(threaded.files).toEqual([]);
    expect(threaded.diagnostics).toEqual(sequential.diagnostics);
    expect([...new Set(threaded.diagnostics.map((d) => `${d.code} ${d.file} ${d.message.slice(0, d.message.indexOf(' ('))}`))]).toEqual([`POLICY.VIOLATION ${victim.path} overrides.kubernetes[0].patch[0]: this operation makes the output break §4 paved PAVED_SCHEDULING`]);
  });
});

describe('one diagnostic per operation and rule', () => {
  it('names four places and counts the rest: a :latest image in examples/shop, whose releases pin digests', () => {
    const shop = join(REPO, 'examples/shop');
    const services = ['catalog', 'notifier', 'orders', 'payments', 'storefront-api'].map((name) => `services/${name}/service.yaml`);
    const texts = ['platform.yaml', 'releases.yaml', ...services].map((path) => ({ path, kind: path === 'platform.yaml' ? 'platform' : path === 'releases.yaml' ? 'releases' : 'service', text: readFileSync(join(shop, path), 'utf8') }) as const);
    const override = '\noverrides:\n  kubernetes:\n    - target: Deployment/catalog\n      reason: "debug image (INC-7)"\n      patch:\n        - { op: replace, path: /spec/template/spec/containers/0/image, value: "ghcr.io/shop-example/catalog:latest" }\n';
    const result = compileTexts(texts.map((t) => (t.path === 'services/catalog/service.yaml' ? { ...t, text: t.text + override } : t)), emitters);
    const tag = errors(result).filter((d) => d.message.includes('KS container-image-tag'));
    expect(tag).toHaveLength(1);
    expect(tag[0]!.message).toMatch(/^overrides\.kubernetes\[0\]\.patch\[0\]: this operation makes the output break §2 kube-score\/polaris KS container-image-tag .*: app: image ghcr\.io\/shop-example\/catalog:latest; .*; and 1 more$/);
    expect(tag[0]!.message.split('generated/catalog/kubernetes/').length - 1).toBe(4);
  });
});

describe('Ingress overrides past the ingress claims, which read only the spec', () => {
  const ingress = (patch: Op[], environments?: string[]): Override => ({ target: 'Ingress/victim', ...(environments ? { environments } : {}), patch });
  const RULE = '§4 paved PAVED_INGRESS';
  const HOST = 'victim.shop.example.com';

  it('passes the Ingress paved generates, and a harmless ingress-nginx annotation', () => {
    expect(compileWith([ingress([{ op: 'add', path: '/metadata/annotations/nginx.ingress.kubernetes.io~1proxy-body-size', value: '8m' }])]).result.diagnostics).toEqual([]);
  });

  it('a rule host outside the platform domain', () => {
    expectViolation({ kubernetes: [ingress([NOTE, { op: 'replace', path: '/spec/rules/0/host', value: 'victim.attacker.example' }])] }, RULE, ['kubernetes', 0, 1], /rule host "victim\.attacker\.example", not victim\.shop\.example\.com/);
  });

  it("a second rule for another service's host, stealing its traffic", () => {
    expectViolation({ kubernetes: [ingress([{ op: 'add', path: '/spec/rules/-', value: { host: 'other.shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'victim', port: { name: 'http' } } } }] } } }])] }, RULE, ['kubernetes', 0, 0], /rule host "other\.shop\.example\.com"/);
  });

  it('a TLS host that is not the rule host', () => {
    expectViolation({ kubernetes: [ingress([{ op: 'add', path: '/spec/tls/0/hosts/-', value: 'other.shop.example.com' }])] }, RULE, ['kubernetes', 0, 0], /TLS host "other\.shop\.example\.com", not victim\.shop\.example\.com/);
  });

  it('a path the service does not declare', () => {
    expectViolation({ kubernetes: [ingress([{ op: 'replace', path: '/spec/rules/0/http/paths/0/path', value: '/' }])] }, RULE, ['kubernetes', 0, 0], /path "\/" is not one the service declares \(\/api\)/);
  });

  it("a backend that is another service's", () => {
    expectViolation({ kubernetes: [ingress([{ op: 'replace', path: '/spec/rules/0/http/paths/0/backend/service/name', value: 'other' }])] }, RULE, ['kubernetes', 0, 0], /routes to "other", not the Service victim/);
  });

  it('a defaultBackend, which takes every request no rule matches', () => {
    expectViolation({ kubernetes: [ingress([{ op: 'add', path: '/spec/defaultBackend', value: { service: { name: 'victim', port: { name: 'http' } } } }])] }, RULE, ['kubernetes', 0, 0], /a defaultBackend takes every request/);
  });

  it('another ingress class', () => {
    expectViolation({ kubernetes: [ingress([{ op: 'replace', path: '/spec/ingressClassName', value: 'nginx-internal' }])] }, RULE, ['kubernetes', 0, 0], /ingressClassName "nginx-internal", not "nginx"/);
  });

  it('only in production, naming the production file', () => {
    const [d] = expectViolation({ kubernetes: [ingress([{ op: 'replace', path: '/spec/rules/0/host', value: 'shop.example.com' }], ['production'])] }, RULE, ['kubernetes', 0, 0]);
    expect(d!.message).toMatch(/generated\/victim\/kubernetes\/production\/ingress\.yaml: rule host "shop\.example\.com", not victim\.shop\.example\.com/);
    expect(d!.message).not.toMatch(/staging\/ingress\.yaml/);
  });

  it.each([
    ['server-snippet', 'location /x { return 200; }', /injects nginx configuration/],
    ['configuration-snippet', 'more_set_headers "X: y";', /injects nginx configuration/],
    ['auth-snippet', 'proxy_pass http://x;', /injects nginx configuration/],
    ['auth-url', 'https://attacker.example/auth', /redirects or reshapes traffic/],
    ['auth-signin', 'https://attacker.example/login', /redirects or reshapes traffic/],
    ['mirror-target', 'https://attacker.example$request_uri', /redirects or reshapes traffic/],
    ['upstream-vhost', 'orders.orders.svc.cluster.local', /redirects or reshapes traffic/],
    ['server-alias', 'orders.shop.example.com', /redirects or reshapes traffic/],
    ['permanent-redirect', 'https://attacker.example', /redirects or reshapes traffic/],
    ['temporal-redirect', 'https://attacker.example', /redirects or reshapes traffic/],
    ['use-regex', 'true', /redirects or reshapes traffic/],
    ['proxy-ssl-secret', 'kube-system/admin-tls', /reads "kube-system\/admin-tls", outside the service's namespace/],
  ])('annotation nginx.ingress.kubernetes.io/%s', (name, value, problem) => {
    expectViolation({ kubernetes: [ingress([NOTE, { op: 'add', path: `/metadata/annotations/nginx.ingress.kubernetes.io~1${name}`, value }])] }, RULE, ['kubernetes', 0, 1], new RegExp(`annotation nginx\\.ingress\\.kubernetes\\.io/${name} ${problem.source}`));
  });
});

describe('pod spec settings no deny-list names: hostAliases, shared processes, own DNS, one node', () => {
  it('hostAliases sending sts.amazonaws.com to an attacker, in a Deployment', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/hostAliases`, value: [{ ip: '203.0.113.7', hostnames: ['sts.amazonaws.com'] }] }])] }, '§4 paved PAVED_POD_ISOLATION', ['kubernetes', 0, 0], /hostAliases .*sts\.amazonaws\.com.* rewrite the pod's \/etc\/hosts/);
  });

  it('hostAliases in a CronJob', () => {
    expectViolation({ kubernetes: [cron([NOTE, { op: 'add', path: `${CRON_POD}/hostAliases`, value: [{ ip: '203.0.113.7', hostnames: ['sts.amazonaws.com'] }] }])] }, '§4 paved PAVED_POD_ISOLATION', ['kubernetes', 0, 1], /staging\/cronjob-nightly\.yaml: hostAliases .*sts\.amazonaws\.com/);
  });

  it('shareProcessNamespace: true, in a Deployment and in a CronJob', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/shareProcessNamespace`, value: true }])] }, '§4 paved PAVED_POD_ISOLATION', ['kubernetes', 0, 0], /shareProcessNamespace/);
    expectViolation({ kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/shareProcessNamespace`, value: true }])] }, '§4 paved PAVED_POD_ISOLATION', ['kubernetes', 0, 0], /shareProcessNamespace/);
  });

  it("DNS of the pod's own: dnsPolicy None with an attacker's nameserver", () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/dnsPolicy`, value: 'None' }, { op: 'add', path: `${POD}/dnsConfig`, value: { nameservers: ['203.0.113.7'] } }])] }, '§4 paved PAVED_POD_ISOLATION', ['kubernetes', 0, 1], /dnsConfig names its own nameservers/);
  });

  it('a nodeSelector pinning kubernetes.io/hostname', () => {
    expectViolation({ kubernetes: [deployment([{ op: 'add', path: `${POD}/nodeSelector`, value: { 'kubernetes.io/hostname': 'ip-10-0-1-7' } }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0], /pinned to one node by kubernetes\.io\/hostname/);
  });

  it('a CronJob node affinity on metadata.name', () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['ip-10-0-1-7'] }] }] } } };
    expectViolation({ kubernetes: [cron([{ op: 'add', path: `${CRON_POD}/affinity`, value: affinity }])] }, '§4 paved PAVED_SCHEDULING', ['kubernetes', 0, 0], /pinned to one node/);
  });
});

describe("the Namespace's Pod Security labels", () => {
  const namespace = (patch: Op[]): Override => ({ target: 'Namespace/victim', environments: ['staging', 'production'], patch });
  const RULE = '§4 paved PAVED_POD_SECURITY_LABELS';
  const label = (name: string): string => `/metadata/labels/pod-security.kubernetes.io~1${name}`;

  it('enforce-version pinned to v1.0', () => {
    expectViolation({ kubernetes: [namespace([{ op: 'replace', path: label('enforce-version'), value: 'v1.0' }])] }, RULE, ['kubernetes', 0, 0], /label pod-security\.kubernetes\.io\/enforce-version is "v1\.0", not "latest"/);
  });

  it('warn and audit lowered to privileged', () => {
    expectViolation({ kubernetes: [namespace([NOTE, { op: 'replace', path: label('audit'), value: 'privileged' }])] }, RULE, ['kubernetes', 0, 1], /label pod-security\.kubernetes\.io\/audit is "privileged", not "restricted"/);
    expectViolation({ kubernetes: [namespace([{ op: 'replace', path: label('warn'), value: 'baseline' }])] }, RULE, ['kubernetes', 0, 0], /warn is "baseline"/);
  });

  it('an audit-version of its own', () => {
    expectViolation({ kubernetes: [namespace([{ op: 'add', path: label('audit-version'), value: 'v1.25' }])] }, RULE, ['kubernetes', 0, 0], /audit-version is "v1\.25", not "latest"/);
  });

  it('the labels replaced all at once: the deny-list refuses it, and the policy alone reports such output', () => {
    const { result } = compileWith([namespace([{ op: 'replace', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'victim' } }])]);
    expect(errors(result).map((d) => d.code)).toEqual(['EMIT.OVERRIDE_FORBIDDEN']);
    const diagnostics = policyOn((files) => files.map((f) => (f.path.endsWith('/production/namespace.yaml') ? { ...f, value: { ...(f.value as Record<string, any>), metadata: { ...(f.value as Record<string, any>).metadata, labels: {} } } } : f)));
    expect(diagnostics.map((d) => [d.code, d.message.slice(0, d.message.indexOf(' ('))])).toEqual([['POLICY.PAVED_BUG', `the generated output breaks ${RULE}`]]);
    expect(diagnostics[0]!.message).toMatch(/production\/namespace\.yaml: label pod-security\.kubernetes\.io\/enforce is undefined, not "restricted"; no override causes this/);
  });

  it('dropping enforce-version passes: without it the admission controller uses latest', () => {
    expect(compileWith([namespace([{ op: 'remove', path: label('enforce-version') }])]).result.diagnostics).toEqual([]);
  });
});

describe('a platform waiver of one id of a grouped rule excuses only that check', () => {
  // Previews run no HorizontalPodAutoscaler.
  const HPA = (patch: Op[]): Override => ({ target: 'HorizontalPodAutoscaler/victim', environments: ['staging', 'production'], patch });
  const waiver = (id: string): string => `overridePolicy:\n  waivers:\n    - rule: ${id}\n      reason: "red team: waive ${id} only"\n`;
  const HPA_RULE = '§2 kube-score/polaris KS horizontalpodautoscaler-has-target / KS horizontalpodautoscaler-replicas / PO hpaMinAvailability / PO hpaMaxAvailability';
  const minOne = [HPA([{ op: 'replace', path: '/spec/minReplicas', value: 1 }])];

  it('PO hpaMaxAvailability does not excuse minReplicas 1 (PO hpaMinAvailability), and the hint names the id that would', () => {
    const found = expectViolation({ kubernetes: minOne, platform: waiver('PO hpaMaxAvailability') }, HPA_RULE, ['kubernetes', 0, 0], /: minReplicas 1/);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe(
      `overrides.kubernetes[0].patch[0]: this operation makes the output break ${HPA_RULE} (a real scale target, minReplicas at least 2, max above min): generated/victim/kubernetes/staging/horizontalpodautoscaler.yaml: minReplicas 1; generated/victim/kubernetes/production/horizontalpodautoscaler.yaml: minReplicas 1`,
    );
    expect(found[0]!.hint).toBe('overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive KS horizontalpodautoscaler-replicas in platform.yaml (overridePolicy.waivers)');
    const { result } = compileWith(minOne, [], waiver('PO hpaMaxAvailability'));
    expect(result.diagnostics.filter((d) => d.code === 'POLICY.WAIVED')).toEqual([]);
  });

  it('PO hpaMinAvailability, the id of that check, does excuse it, reported at the waiver', () => {
    const { result, platform } = compileWith(minOne, [], waiver('PO hpaMinAvailability'));
    expect(errors(result)).toEqual([]);
    const waived = result.diagnostics.filter((d) => d.code === 'POLICY.WAIVED');
    expect(waived.length).toBeGreaterThan(0);
    const line = platform.split('\n').indexOf('    - rule: PO hpaMinAvailability') + 1;
    for (const d of waived) {
      expect(where(d)).toBe(`platform.yaml:${line}:7`);
      expect(d.message).toMatch(/^overridePolicy\.waivers\[0\]: waives §2 kube-score\/polaris .*: generated\/victim\/kubernetes\/(staging|production)\/horizontalpodautoscaler\.yaml: minReplicas 1 \(service "victim"\); reason: red team: waive PO hpaMinAvailability only$/);
      expect(d.hint).toBe('the platform waives PO hpaMinAvailability; remove the waiver to enforce the rule again');
    }
  });

  it('KS horizontalpodautoscaler-has-target does not excuse max not above min', () => {
    const found = expectViolation({ kubernetes: [HPA([{ op: 'replace', path: '/spec/maxReplicas', value: 2 }, { op: 'replace', path: '/spec/minReplicas', value: 2 }])], platform: waiver('KS horizontalpodautoscaler-has-target') }, HPA_RULE, ['kubernetes', 0, 0], /: max not above min/);
    expect(found.map((d) => d.hint)).toEqual(['overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive PO hpaMaxAvailability in platform.yaml (overridePolicy.waivers)']);
  });

  const hostPort = [deployment([{ op: 'add', path: `${POD}/containers/0/ports/-`, value: { containerPort: 22, hostPort: 22 } }])];
  const HOST = '§2 PSS restricted PSS hostPathVolumes / PSS hostPorts';

  it('PSS hostPathVolumes does not excuse a hostPort, and the hint names PSS hostPorts, not the first id of the rule', () => {
    const found = expectViolation({ kubernetes: hostPort, platform: waiver('PSS hostPathVolumes') }, HOST, ['kubernetes', 0, 0], /deployment\.yaml: app: hostPort/);
    expect(found.map((d) => d.hint)).toEqual(['overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive PSS hostPorts in platform.yaml (overridePolicy.waivers)']);
  });

  it('KS service-targets-pod does not excuse a NodePort Service (KS service-type)', () => {
    const found = expectViolation(
      { kubernetes: [{ target: 'Service/victim', patch: [{ op: 'add', path: '/spec/type', value: 'NodePort' }] }], platform: waiver('KS service-targets-pod') },
      '§2 kube-score/polaris KS service-type / KS service-targets-pod',
      ['kubernetes', 0, 0],
      /service\.yaml: NodePort/,
    );
    expect(found.map((d) => d.hint)).toEqual(['overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive KS service-type in platform.yaml (overridePolicy.waivers)']);
  });


  it('PSS hostPorts excuses the hostPort it names', () => {
    const { result } = compileWith(hostPort, [], waiver('PSS hostPorts'));
    expect(errors(result)).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['POLICY.WAIVED', 'POLICY.WAIVED', 'POLICY.WAIVED']);
  });

  it('§1 #9: a waiver of CKV_AWS_226 (minor upgrades) does not excuse monitoring turned off (CKV_AWS_118)', () => {
    const found = expectViolation(
      { terraform: [resource('aws_db_instance.main', [{ op: 'replace', path: '/monitoring_interval', value: 0 }])], platform: waiver('CKV_AWS_226') },
      '§1 #9 CKV_AWS_157 / CKV_AWS_118 / CKV_AWS_226 / CKV_AWS_211 / CKV2_AWS_60',
      ['terraform', 0, 0],
    );
    expect(found.map((d) => [d.message.slice(d.message.indexOf('): ') + 3), d.hint])).toEqual([
      ['victim/terraform/database.tf aws_db_instance.main: monitoring_interval 0', 'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive CKV_AWS_118 in platform.yaml (overridePolicy.waivers)'],
    ]);
  });

  it('§1 #8: a waiver of CKV_AWS_354 (Performance Insights key) does not excuse Performance Insights turned off (CKV_AWS_353)', () => {
    const found = expectViolation(
      { terraform: [resource('aws_db_instance.main', [{ op: 'replace', path: '/performance_insights_enabled', value: false }])], platform: waiver('CKV_AWS_354') },
      '§1 #8 CKV_AWS_353 / CKV_AWS_354 / AVD-AWS-0133 / AVD-AWS-0078',
      ['terraform', 0, 0],
    );
    expect(found.map((d) => [d.message.slice(d.message.indexOf('): ') + 3), d.hint])).toEqual([
      ['victim/terraform/database.tf aws_db_instance.main: performance_insights_enabled is false, not true', 'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive CKV_AWS_353 in platform.yaml (overridePolicy.waivers)'],
    ]);
  });
});

describe('parameter group settings a second block would undo (§1 #6, #7)', () => {
  const group = (patch: Op[]): Override[] => [resource('aws_db_parameter_group.main', patch)];
  const NOTE_TF = { op: 'add', path: '/parameter/-', value: { name: 'work_mem', value: '8192' } };
  const brokenAt = (found: Diagnostic[]): string[] => found.map((d) => d.message.slice(d.message.indexOf('): ') + 3));

  it('a second rds.force_ssl of "0" appended after paved\'s "1": CKV2_AWS_69', () => {
    const found = expectViolation({ terraform: group([{ op: 'add', path: '/parameter/-', value: { name: 'rds.force_ssl', value: '0', apply_method: 'immediate' } }]) }, '§1 #6 CKV2_AWS_69', ['terraform', 0, 0]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_instance.main: rds.force_ssl set 2 times ("1", "0"), not once']);
    expect(found[0]!.hint).toBe('overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive CKV2_AWS_69 in platform.yaml (overridePolicy.waivers)');
  });

  it('a second rds.force_ssl of "1" is still a duplicate', () => {
    const found = expectViolation({ terraform: group([NOTE_TF, { op: 'add', path: '/parameter/0', value: { name: 'rds.force_ssl', value: '1' } }]) }, '§1 #6 CKV2_AWS_69', ['terraform', 0, 1]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_instance.main: rds.force_ssl set 2 times ("1", "1"), not once']);
  });

  it('rds.force_ssl removed: not set', () => {
    const found = expectViolation({ terraform: group([{ op: 'remove', path: '/parameter/0' }]) }, '§1 #6 CKV2_AWS_69', ['terraform', 0, 0]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_instance.main: rds.force_ssl not set']);
  });

  it('a second log_statement of "none": CKV2_AWS_30', () => {
    const found = expectViolation({ terraform: group([{ op: 'add', path: '/parameter/-', value: { name: 'log_statement', value: 'none' } }]) }, '§1 #7 CKV_AWS_129 / CKV2_AWS_30', ['terraform', 0, 0]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_parameter_group.main: log_statement set 2 times ("ddl", "none"), not once']);
    expect(found[0]!.hint).toMatch(/waive CKV2_AWS_30 in platform\.yaml/);
  });

  it('log_statement replaced by "none"', () => {
    const found = expectViolation({ terraform: group([{ op: 'replace', path: '/parameter/1/value', value: 'none' }]) }, '§1 #7 CKV_AWS_129 / CKV2_AWS_30', ['terraform', 0, 0]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_parameter_group.main: log_statement is "none", not "ddl", "mod" or "all"']);
  });

  it('a second log_min_duration_statement of "-1" (logging off)', () => {
    const found = expectViolation({ terraform: group([{ op: 'add', path: '/parameter/-', value: { name: 'log_min_duration_statement', value: '-1' } }]) }, '§1 #7 CKV_AWS_129 / CKV2_AWS_30', ['terraform', 0, 0]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_parameter_group.main: log_min_duration_statement set 2 times ("1000", "-1"), not once']);
  });

  it('log_min_duration_statement raised past paved\'s one second', () => {
    const found = expectViolation({ terraform: group([{ op: 'replace', path: '/parameter/2/value', value: '2147483647' }]) }, '§1 #7 CKV_AWS_129 / CKV2_AWS_30', ['terraform', 0, 0]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_parameter_group.main: log_min_duration_statement is "2147483647", not a whole number of milliseconds from "0" to "1000"']);
  });

  it('a stricter log_min_duration_statement and an unrelated parameter compile', () => {
    const { result } = compileWith([], group([{ op: 'replace', path: '/parameter/2/value', value: '250' }, { op: 'add', path: '/parameter/-', value: { name: 'work_mem', value: '8192' } }]));
    expect(result.diagnostics).toEqual([]);
  });
});

/*
 * Forged waivers. A waiver counts only when the emitter attached it to the file
 * (GeneratedFile.waivers, emitters/shared/serialize.ts); an override's reason is
 * printed as comment lines in the same file, so a reason holding a waiver's
 * exact printed line must excuse nothing. Overrides reach Kubernetes manifests
 * and Terraform stacks, never a workflow: the Actions waiver is checked on the
 * policy's view instead.
 */
describe('a waiver forged through an override reason', () => {
  /** The same victim, with fixed scaling (no autoscaler) when `fixed`, and overrides carrying their own reason or `reason`, verbatim. */
  function compileForged(overrides: ReadonlyArray<{ target: string; environments?: readonly string[]; reason?: string; patch: readonly Op[] }>, reason: string, fixed = false): { result: CompileResult; victim: string } {
    const base = fixed ? VICTIM.replace('  command: ["node", "server.js"]\n', '  command: ["node", "server.js"]\n  scaling: { min: 2, max: 2 }\n') : VICTIM;
    const list = overrides
      .map((o) => `    - target: ${o.target}\n${o.environments ? `      environments: [${o.environments.join(', ')}]\n` : ''}      reason: ${JSON.stringify(o.reason ?? reason)}\n      patch:\n${o.patch.map((op) => `        - ${JSON.stringify(op)}\n`).join('')}`)
      .join('');
    const victim = `${base}overrides:\n  kubernetes:\n${list}`;
    const result = compileTexts(
      [
        { path: 'platform.yaml', kind: 'platform', text: PLATFORM },
        { path: SERVICE, kind: 'service', text: victim },
        { path: 'services/other/service.yaml', kind: 'service', text: OTHER },
      ],
      emitters,
    );
    return { result, victim };
  }

  const HPA = '§2 kube-score/polaris KS horizontalpodautoscaler-has-target / KS horizontalpodautoscaler-replicas / PO hpaMinAvailability / PO hpaMaxAvailability';
  const REPLICAS = '§2 kube-score/polaris KS deployment-replicas / KS deployment-targeted-by-hpa-does-not-have-replicas-configured / PO deploymentMissingReplicas';
  const READ_ONLY_ROOT = '§2 kube-score/polaris KS container-security-context-readonlyrootfilesystem / PO notReadOnlyRootFilesystem / CKV_K8S_22';

  /** Every Kubernetes waiver an override can reach, with the override whose finding it would excuse. */
  const cases: ReadonlyArray<{ readonly name: keyof typeof KUBERNETES_WAIVERS; readonly override: { target: string; environments: string[]; patch: Op[] }; readonly rule: string; readonly problem: RegExp; readonly fixed?: boolean }> = [
    { name: 'tierAutoscalerMinimum', override: { target: 'HorizontalPodAutoscaler/victim', environments: ['production'], patch: [{ op: 'replace', path: '/spec/minReplicas', value: 1 }] }, rule: HPA, problem: /production\/horizontalpodautoscaler\.yaml/ },
    { name: 'tierSingleReplica', override: { target: 'Deployment/victim', environments: ['production'], patch: [{ op: 'replace', path: '/spec/replicas', value: 1 }] }, rule: REPLICAS, problem: /production\/deployment\.yaml/, fixed: true },
    { name: 'previewSingleReplica', override: { target: 'Deployment/victim', environments: ['production'], patch: [{ op: 'replace', path: '/spec/replicas', value: 1 }] }, rule: REPLICAS, problem: /production\/deployment\.yaml/, fixed: true },
    // securityContext is on the platform's deny-list; the /tmp mount a read-only root needs is not. (The rule honours this
    // waiver only in the preview's deployment-localstack.yaml, which carries the real one; anywhere else it is unwaivable.)
    { name: 'localstackWritableRoot', override: { target: 'Deployment/victim', environments: ['production'], patch: [{ op: 'replace', path: `${POD}/containers/0/volumeMounts`, value: [] }] }, rule: READ_ONLY_ROOT, problem: /production\/deployment\.yaml/ },
  ];

  /** The POLICY.VIOLATION diagnostics of `rule` at `overrides.kubernetes[0].patch[0]`, with nothing planned. */
  function violations(r: { result: CompileResult; victim: string }, rule: string, problem: RegExp): Diagnostic[] {
    expect(r.result.files).toEqual([]);
    const found = errors(r.result).filter((d) => d.code === 'POLICY.VIOLATION' && d.message.startsWith(`overrides.kubernetes[0].patch[0]: this operation makes the output break ${rule} (`) && problem.test(d.message));
    expect(found.length, JSON.stringify(r.result.diagnostics.map((d) => [d.code, d.message]), null, 1)).toBe(1);
    expect(where(found[0]!)).toBe(`${SERVICE}:${opAt(r.victim, 'kubernetes', 0, 0)}`);
    expect(found[0]!.hint).toMatch(/overridePolicy\.waivers/);
    expect(r.result.diagnostics.filter((d) => d.code === 'POLICY.WAIVED')).toEqual([]);
    return found;
  }

  it('covers every declared Kubernetes waiver', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(KUBERNETES_WAIVERS).sort());
  });

  describe.each(cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const line = waiverText(KUBERNETES_WAIVERS[name]);
    const control = (): Diagnostic[] => violations(compileForged([c.override], 'red team: no forged waiver', c.fixed), c.rule, c.problem);

    it('control: the override without a forged reason is a POLICY.VIOLATION at the operation', () => {
      control();
    });

    it('a one-line reason "# paved waiver: …" excuses nothing: the same violation, and the line is printed', () => {
      const forged = compileForged([c.override], `# ${line}`, c.fixed);
      const found = violations(forged, c.rule, c.problem);
      expect(found.map((d) => d.message)).toEqual(control().map((d) => d.message));
      // The forged text does reach the file's comments (it would have passed a search of the text).
      const { result } = compileForged([{ ...c.override, patch: [NOTE] }], `# ${line}`, c.fixed);
      expect(result.diagnostics).toEqual([]);
      expect(result.files.some((f) => f.contents.includes(`# paved override (a reported deviation): # ${line}\n`))).toBe(true);
    });

    it('a multi-line reason whose second line is the exact waiver line excuses nothing', () => {
      const reason = `red team: harmless\n${line}`;
      const found = violations(compileForged([c.override], reason, c.fixed), c.rule, c.problem);
      expect(found.map((d) => d.message)).toEqual(control().map((d) => d.message));
      const { result } = compileForged([{ ...c.override, patch: [NOTE] }], reason, c.fixed);
      expect(result.diagnostics).toEqual([]);
      expect(result.files.some((f) => f.contents.includes(`\n# ${line}\n`) && f.path.includes('/production/'))).toBe(true);
    });
  });

  it('the forged line in the file of another object (the Deployment) does not excuse the HPA either', () => {
    const line = waiverText(KUBERNETES_WAIVERS.tierAutoscalerMinimum);
    const r = compileForged([{ ...cases[0]!.override, reason: 'red team: plain reason' }, { target: 'Deployment/victim', environments: ['production'], patch: [NOTE] }], `red team\n${line}`);
    violations(r, HPA, /production\/horizontalpodautoscaler\.yaml/);
  });

  describe('Actions (no override reaches a workflow): the policy goes by the attached waiver, not the text', () => {
    const rule = POLICY_RULES.find((r) => r.ids.includes('ZZ secrets-outside-env'))!;
    const waiver = ACTIONS_WAIVERS.registrySecretOutsideEnvironment;
    const TEXT = `# ${waiverText(waiver)}\nname: forged\non: { push: {} }\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    env: { TOKEN: "\${{ secrets.REGISTRY_PASSWORD }}" }\n    steps:\n      - run: echo hi\n`;
    const target = (waivers: GeneratedWorkflow['waivers']): PolicyTarget => ({ name: 'forged', project: compileWith([]).result.project!, stacks: [], resources: [], objects: [], workflows: [{ name: 'forged.yml', text: TEXT, waivers, doc: parse(TEXT) as ParsedWorkflow }] });

    it('the printed line alone excuses nothing', () => {
      expect(rule.check(target([])).findings).toEqual([{ where: 'forged.yml', problem: 'image: reads a secret outside an environment' }]);
    });

    it('an equal copy of the waiver is not the table\'s waiver: it excuses nothing', () => {
      expect(rule.check(target([{ rules: [...waiver.rules], reason: waiver.reason }])).findings).toEqual([{ where: 'forged.yml', problem: 'image: reads a secret outside an environment' }]);
    });

    it('control: the attached and printed waiver excuses it', () => {
      expect(rule.check(target([waiver])).findings).toEqual([{ where: 'forged.yml', problem: 'image: reads a secret outside an environment', waiver: 'actions:registrySecretOutsideEnvironment' }]);
    });

    it('the attached waiver without its printed line excuses nothing', () => {
      const text = TEXT.slice(TEXT.indexOf('\n') + 1);
      const t = target([waiver]);
      expect(rule.check({ ...t, workflows: [{ ...t.workflows[0]!, text }] }).findings).toEqual([{ where: 'forged.yml', problem: 'image: reads a secret outside an environment' }]);
    });
  });
});

describe('a Terraform waiver forged through an override reason', () => {
  // A Terraform waiver is a whole comment element of the resource's block (terraform-facts.ts attachedWaiver);
  // an override adds one element, "paved override (a reported deviation): <reason>", which can never equal it.
  const line = waiverText(TERRAFORM_WAIVERS.unversionedBucket);

  /** The policy's view of the victim's stack as the emitters made it, and the bucket resource in it. */
  function bucketOf(service: string): { bucket: FoundResource; printed: string } {
    const parsed = compileTexts(
      [
        { path: 'platform.yaml', kind: 'platform', text: PLATFORM },
        { path: SERVICE, kind: 'service', text: service },
        { path: 'services/other/service.yaml', kind: 'service', text: OTHER },
      ],
      emitters,
    );
    expect(parsed.diagnostics).toEqual([]);
    const p = parsed.project!;
    const s = p.services.find((x) => x.name === 'victim')!;
    const byName = new Map(p.services.map((x) => [x.name, x]));
    const target = policyTarget('', p, emitters.flatMap((e) => e.emitService(s, scopedProject(p, s, byName)).files));
    const bucket = target.resources.find((r) => r.type === 'aws_s3_bucket' && r.name === 'files')!;
    return { bucket, printed: bucket.stack.printed.get(bucket.file)! };
  }

  it.each([
    ['one line', `# ${line}`],
    ['second line', `red team\n${line}`],
  ])('a reason with the waiver as its %s prints the line above the bucket, and attaches no waiver', (_label, reason) => {
    const service = `${VICTIM}overrides:\n  terraform:\n    - target: aws_s3_bucket.files\n      reason: ${JSON.stringify(reason)}\n      patch:\n        - {"op": "add", "path": "/force_destroy", "value": false}\n`;
    const { bucket, printed } = bucketOf(service);
    expect(printed).toContain(`# ${line}\n`);
    expect(attachedTerraformWaiver(bucket, 'unversionedBucket')).toBeUndefined();
  });

  it('control: an unversioned bucket attaches the real one', () => {
    const { bucket } = bucketOf(VICTIM.replace('    - name: files\n', '    - name: files\n      versioned: false\n'));
    expect(attachedTerraformWaiver(bucket, 'unversionedBucket')).toBe('terraform:unversionedBucket');
  });
});
