import { parse, stringify } from 'yaml';
import { statements } from '../../../compiler/policy/terraform-facts.js';
import type { FoundResource, GeneratedObject, ParsedWorkflow, Plain, PlatformResource, PolicyTarget } from '../../../compiler/policy/view.js';

/**
 * The deliberate breaks of real output each policy rule must report, keyed by
 * the rule's label (compiler/policy/types.ts ruleLabel): test data, so no
 * check of the registry can pass vacuously. test/golden/security-audit.test.ts runs
 * every one over its sample and requires an unwaived finding.
 */

/** A deliberate break of a real target that the rule must report. */
export interface Breakage {
  /** What is broken, as a sentence fragment for the test name. */
  readonly what: string;
  /** The target to break; `examples/shop` unless another holds what is broken. */
  readonly sample?: string;
  readonly apply: (target: PolicyTarget) => PolicyTarget;
}

// ---------------------------------------------------------------------------
// Terraform

/** Breaks the first resource of `type` (optionally the first that `which` accepts) by rewriting a copy of it. */
function breakResource(
  what: string,
  type: string,
  change: (r: FoundResource) => Partial<FoundResource>,
  sample?: string,
  which: (r: FoundResource) => boolean = () => true,
): Breakage {
  return {
    what,
    ...(sample ? { sample } : {}),
    apply: (target) => {
      const victim = target.resources.find((r) => r.type === type && which(r));
      if (!victim) throw new Error(`${target.name} has no ${type} to break`);
      return { ...target, resources: target.resources.map((r) => (r === victim ? { ...r, ...change({ ...r, body: structuredClone(r.body) }) } : r)) };
    },
  };
}

/** Sets attributes on a copy of the first resource of `type`. */
const setAttributes = (what: string, type: string, attributes: Plain, sample?: string): Breakage =>
  breakResource(what, type, (r) => ({ body: { ...r.body, ...attributes } }), sample);

/** Appends a `parameter` block to a copy of the first parameter group, after paved's own. */
const addParameter = (what: string, parameter: Plain): Breakage =>
  breakResource(what, 'aws_db_parameter_group', (g) => ({ body: { ...g.body, parameter: [...((g.body.parameter ?? []) as Plain[]), parameter] } }));

/** Adds a resource of `type`, copied from the first resource of `like`. */
const addResource = (what: string, type: string, like: string, body: Plain = {}): Breakage => ({
  what,
  apply: (target) => {
    const model = target.resources.find((r) => r.type === like);
    if (!model) throw new Error(`${target.name} has no ${like}`);
    return { ...target, resources: [...target.resources, { ...model, type, name: 'added', body, comments: [] }] };
  },
});

// ---------------------------------------------------------------------------
// Kubernetes

/** Breaks a copy of the first object of `kind` in a staging directory (which no waiver covers) or the first that `which` accepts. */
/** The staging Deployment of a service with a database, made to read that database's master credentials Secret. */
function readsMasterSecret(what: string, change: (container: Record<string, any>, secret: string) => void): Breakage {
  return {
    what,
    apply: (target) => {
      const victim = target.objects.find(
        (o) => o.object.kind === 'Deployment' && o.path.includes('/staging/') && (o.service?.resources.databases.length ?? 0) > 0,
      );
      if (!victim) throw new Error(`${target.name} has no Deployment of a service with a database`);
      const object = structuredClone(victim.object) as Record<string, any>;
      change(object.spec.template.spec.containers[0], `db-master-${victim.service!.resources.databases[0]!.name}`);
      return { ...target, objects: target.objects.map((o) => (o === victim ? { ...o, object: object as GeneratedObject['object'] } : o)) };
    },
  };
}

function breakObject(
  what: string,
  kind: string,
  change: (object: Record<string, any>) => void,
  which: (o: GeneratedObject) => boolean = (o) => o.path.includes('/staging/'),
  sample?: string,
): Breakage {
  return {
    what,
    ...(sample ? { sample } : {}),
    apply: (target) => {
      const victim = target.objects.find((o) => o.object.kind === kind && which(o));
      if (!victim) throw new Error(`${target.name} has no ${kind} to break`);
      const object = structuredClone(victim.object) as Record<string, any>;
      change(object);
      return { ...target, objects: target.objects.map((o) => (o === victim ? { ...o, object: object as GeneratedObject['object'] } : o)) };
    },
  };
}

/** Breaks the pod template of the first staging Deployment. */
const breakPod = (what: string, change: (pod: Record<string, any>) => void): Breakage => breakObject(what, 'Deployment', (d) => change(d.spec.template.spec));
/** Breaks the first container of the first staging Deployment. */
const breakContainer = (what: string, change: (container: Record<string, any>) => void): Breakage => breakPod(what, (pod) => change(pod.containers[0]));

/** Adds a copy of the first staging Deployment, changed, in its own file. */
const addDeployment = (what: string, change: (object: Record<string, any>) => void): Breakage => ({
  what,
  apply: (target) => {
    const model = target.objects.find((o) => o.object.kind === 'Deployment' && o.path.includes('/staging/'))!;
    const object = structuredClone(model.object) as Record<string, any>;
    change(object);
    return {
      ...target,
      objects: [
        ...target.objects,
        {
          ...model,
          path: model.path.replace('deployment.yaml', 'deployment-added.yaml'),
          where: `${model.where}+added`,
          object: object as GeneratedObject['object'],
        },
      ],
    };
  },
});

/**
 * The first object whose path ends with `file` loses the waivers its emitter
 * attached; their printed lines stay in its text, which alone excuses nothing.
 */
const dropObjectWaivers = (what: string, file: string, sample: string): Breakage => ({
  what,
  sample,
  apply: (target) => {
    const victim = target.objects.find((o) => o.path.endsWith(file) && o.waivers.length > 0);
    if (!victim) throw new Error(`${target.name} has no waived ${file}`);
    return { ...target, objects: target.objects.map((o) => (o === victim ? { ...o, waivers: [] } : o)) };
  },
});

// ---------------------------------------------------------------------------
// Workflows

/** The first service workflow of the sample (the one with the most jobs), changed on a parsed copy and printed again. */
function breakWorkflow(
  what: string,
  change: (doc: Record<string, any>, job: (predicate: (job: Record<string, any>) => boolean) => Record<string, any>) => void,
): Breakage {
  return {
    what,
    apply: (target) => {
      const victim = target.workflows.find((w) => !w.name.endsWith('/paved-check.yml'))!;
      const doc = parse(victim.text) as Record<string, any>;
      const job = (predicate: (job: Record<string, any>) => boolean): Record<string, any> => {
        const found = Object.values(doc.jobs as Record<string, Record<string, any>>).find(predicate);
        if (!found) throw new Error(`${victim.name}: no job to break for ${what}`);
        return found;
      };
      change(doc, job);
      // Printing drops the version comments; only the unpinned-uses rule reads them, and its breaks edit the text.
      const text = stringify(doc);
      return { ...target, workflows: target.workflows.map((w) => (w === victim ? { ...w, text, doc: doc as ParsedWorkflow } : w)) };
    },
  };
}

/** The first workflow of `sample` that has an attached waiver loses it; the printed line stays in its text. */
const dropWorkflowWaivers = (what: string, sample: string): Breakage => ({
  what,
  sample,
  apply: (target) => {
    const victim = target.workflows.find((w) => w.waivers.length > 0);
    if (!victim) throw new Error(`${target.name} has no waived workflow`);
    return { ...target, workflows: target.workflows.map((w) => (w === victim ? { ...w, waivers: [] } : w)) };
  },
});

/** The sample's first workflow with one text replacement (the parsed form follows). */
const editWorkflowText = (what: string, from: RegExp, to: string): Breakage => ({
  what,
  apply: (target) => {
    const victim = target.workflows.find((w) => from.test(w.text))!;
    const text = victim.text.replace(from, to);
    return { ...target, workflows: target.workflows.map((w) => (w === victim ? { ...w, text, doc: parse(text) as ParsedWorkflow } : w)) };
  },
});

const hasStep =
  (predicate: (step: Record<string, any>) => boolean) =>
  (job: Record<string, any>): boolean =>
    (job.steps ?? []).some(predicate);
const stepOf = (job: Record<string, any>, predicate: (step: Record<string, any>) => boolean): Record<string, any> => job.steps.find(predicate);
const usesAction =
  (action: string) =>
  (step: Record<string, any>): boolean =>
    typeof step.uses === 'string' && step.uses.startsWith(`${action}@`);

// ---------------------------------------------------------------------------
// By rule

export const BREAKAGES: Readonly<Record<string, readonly Breakage[]>> = {
  '§1 #1 CKV_AWS_16 / AVD-AWS-0080': [
    setAttributes('storage_encrypted = false', 'aws_db_instance', { storage_encrypted: false }),
    setAttributes('kms_key_id unset', 'aws_db_instance', { kms_key_id: undefined }),
  ],
  '§1 #2 CKV_AWS_17 / AVD-AWS-0180': [setAttributes('publicly_accessible = true', 'aws_db_instance', { publicly_accessible: true })],
  '§1 #3 CKV_AWS_293 / AVD-AWS-0177': [
    setAttributes('deletion_protection = false', 'aws_db_instance', { deletion_protection: false }),
    breakResource('the waiver comment removed', 'aws_db_instance', () => ({ comments: [] })),
  ],
  '§1 #4 CKV_AWS_161 / AVD-AWS-0176': [
    setAttributes('iam_database_authentication_enabled = false', 'aws_db_instance', { iam_database_authentication_enabled: false }),
    setAttributes('a literal password', 'aws_db_instance', { password: 'hunter2' }),
  ],
  '§1 #5 CKV_AWS_133 / AVD-AWS-0077': [setAttributes('backup_retention_period = 0', 'aws_db_instance', { backup_retention_period: 0 })],
  '§1 #6 CKV2_AWS_69': [
    breakResource('rds.force_ssl = 0', 'aws_db_parameter_group', (g) => ({
      body: { ...g.body, parameter: (g.body.parameter as Plain[]).map((p) => (p.name === 'rds.force_ssl' ? { ...p, value: '0' } : p)) },
    })),
    addParameter('a second rds.force_ssl of 0 after the first', { name: 'rds.force_ssl', value: '0', apply_method: 'immediate' }),
    setAttributes('the parameter group detached', 'aws_db_instance', { parameter_group_name: 'default.postgres16' }),
  ],
  '§1 #7 CKV_AWS_129 / CKV2_AWS_30': [
    setAttributes('no log exports', 'aws_db_instance', { enabled_cloudwatch_logs_exports: [] }),
    breakResource('log_statement dropped', 'aws_db_parameter_group', (g) => ({
      body: { ...g.body, parameter: (g.body.parameter as Plain[]).filter((p) => p.name !== 'log_statement') },
    })),
    addParameter('a second log_statement of none after the first', { name: 'log_statement', value: 'none' }),
    addParameter('a second log_min_duration_statement of -1 after the first', { name: 'log_min_duration_statement', value: '-1' }),
    breakResource('log_min_duration_statement = -1', 'aws_db_parameter_group', (g) => ({
      body: { ...g.body, parameter: (g.body.parameter as Plain[]).map((p) => (p.name === 'log_min_duration_statement' ? { ...p, value: '-1' } : p)) },
    })),
  ],
  '§1 #8 CKV_AWS_353 / CKV_AWS_354 / AVD-AWS-0133 / AVD-AWS-0078': [
    setAttributes('performance_insights_enabled = false', 'aws_db_instance', { performance_insights_enabled: false }),
  ],
  '§1 #9 CKV_AWS_157 / CKV_AWS_118 / CKV_AWS_226 / CKV_AWS_211 / CKV2_AWS_60': [
    setAttributes('monitoring_interval = 0', 'aws_db_instance', { monitoring_interval: 0 }),
    setAttributes('an old CA', 'aws_db_instance', { ca_cert_identifier: 'rds-ca-2019' }),
    setAttributes('copy_tags_to_snapshot = false', 'aws_db_instance', { copy_tags_to_snapshot: false }),
    setAttributes('auto_minor_version_upgrade = false on a major-only version', 'aws_db_instance', { auto_minor_version_upgrade: false }),
    setAttributes('a pinned minor version with automatic minor upgrades on', 'aws_db_instance', { engine_version: '16.4', auto_minor_version_upgrade: true }),
    breakResource(
      'upgrades off for a pinned minor without its waiver',
      'aws_db_instance',
      () => ({ comments: [] }),
      'fixtures/cases/terraform-every-primitive',
      (db) => db.body.engine_version === '15.7',
    ),
  ],
  '§1 #10 CKV_AWS_29 / CKV_AWS_191 / AVD-AWS-0045': [
    setAttributes('at_rest_encryption_enabled = false', 'aws_elasticache_replication_group', { at_rest_encryption_enabled: false }),
  ],
  '§1 #11 CKV_AWS_30 / CKV_AWS_31 / AVD-AWS-0051': [
    setAttributes('transit_encryption_enabled = false', 'aws_elasticache_replication_group', { transit_encryption_enabled: false }),
    breakResource(
      'the default user switched on',
      'aws_elasticache_user',
      (u) => ({ body: { ...u.body, access_string: 'on ~* +@all' } }),
      undefined,
      (u) => u.body.user_name === 'default',
    ),
  ],
  '§1 #12 CKV2_AWS_50 / CKV_AWS_134 / AVD-AWS-0050': [
    setAttributes('automatic_failover_enabled = false', 'aws_elasticache_replication_group', { automatic_failover_enabled: false }),
    setAttributes('snapshot_retention_limit = 0', 'aws_elasticache_replication_group', { snapshot_retention_limit: 0 }),
  ],
  '§1 #13 CKV_AWS_26 / AVD-AWS-0095 / AVD-AWS-0136': [setAttributes('alias/aws/sns', 'aws_sns_topic', { kms_master_key_id: 'alias/aws/sns' })],
  '§1 #13 CKV_AWS_169': [
    breakResource('a "*" principal', 'aws_sns_topic_policy', (p) => ({
      body: { ...p.body, policy: { Statement: statements(p.body.policy).map((s) => ({ ...s, Principal: '*' })) } },
    })),
    breakResource('the policy detached', 'aws_sns_topic_policy', (p) => ({ body: { ...p.body, arn: 'arn:aws:sns:eu-west-1:1:other' } })),
  ],
  '§1 #14 CKV_AWS_27 / CKV2_AWS_73 / AVD-AWS-0096 / AVD-AWS-0135': [setAttributes('alias/aws/sqs', 'aws_sqs_queue', { kms_master_key_id: 'alias/aws/sqs' })],
  '§1 #14 CKV_AWS_72 / CKV_AWS_168 / CKV_AWS_387 / AVD-AWS-0097': [
    breakResource(
      'action sqs:*',
      'aws_sqs_queue_policy',
      (p) => ({ body: { ...p.body, policy: { Statement: statements(p.body.policy).map((s) => ({ ...s, Action: 'sqs:*' })) } } }),
      'fixtures/cases/full',
    ),
  ],
  '§1 #15 CKV_AWS_53 / CKV_AWS_54 / CKV_AWS_55 / CKV_AWS_56 / CKV2_AWS_6 / AVD-AWS-0086 / AVD-AWS-0087 / AVD-AWS-0091 / AVD-AWS-0093 / AVD-AWS-0094': [
    setAttributes('restrict_public_buckets = false', 'aws_s3_bucket_public_access_block', { restrict_public_buckets: false }),
  ],
  '§1 #16 CKV_AWS_19 / CKV_AWS_145 / AVD-AWS-0088 / AVD-AWS-0132': [
    breakResource('AES256', 'aws_s3_bucket_server_side_encryption_configuration', (r) => ({
      body: { ...r.body, rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'AES256' }] }] },
    })),
  ],
  '§1 #17 CKV_AWS_21 / AVD-AWS-0090': [
    breakResource('versioning suspended', 'aws_s3_bucket_versioning', (r) => ({ body: { ...r.body, versioning_configuration: [{ status: 'Suspended' }] } })),
    breakResource(
      'an unversioned bucket without its waiver',
      'aws_s3_bucket',
      () => ({ comments: [] }),
      'fixtures/cases/terraform-every-primitive',
      (b) => b.comments.some((c) => c.includes('CKV_AWS_21')),
    ),
  ],
  '§1 #17 CKV_AWS_18 / AVD-AWS-0089': [setAttributes('logging to another bucket', 'aws_s3_bucket_logging', { target_bucket: 'somewhere' })],
  '§1 #18 CKV2_AWS_65 / CKV_AWS_70 / CKV_AWS_379 / CKV_AWS_300 / AVD-AWS-0320': [
    breakResource('ObjectWriter ownership', 'aws_s3_bucket_ownership_controls', (r) => ({ body: { ...r.body, rule: [{ object_ownership: 'ObjectWriter' }] } })),
    breakResource('no TLS-only statement', 'aws_s3_bucket_policy', (r) => ({
      body: { ...r.body, policy: { Statement: statements(r.body.policy).filter((s) => s.Effect !== 'Deny') } },
    })),
  ],
  '§1 #19 CKV_AWS_149 / AVD-AWS-0098': [setAttributes('alias/aws/secretsmanager', 'aws_secretsmanager_secret', { kms_key_id: 'alias/aws/secretsmanager' })],
  '§1 #19 CKV2_AWS_57 / CKV_AWS_304': [breakResource('the waiver comment removed', 'aws_secretsmanager_secret', () => ({ comments: [] }))],
  '§1 #20 CKV_AWS_7 / AVD-AWS-0065 / CKV2_AWS_64': [
    setAttributes('enable_key_rotation = false', 'aws_kms_key', { enable_key_rotation: false }),
    setAttributes('no key policy', 'aws_kms_key', { policy: undefined }),
  ],
  '§1 #21 CKV_AWS_62 / CKV_AWS_63 / CKV_AWS_355 / CKV_AWS_286 / CKV_AWS_287 / CKV_AWS_288 / CKV_AWS_289 / CKV_AWS_290 / CKV_AWS_1 / CKV_AWS_49 / CKV_AWS_356 / CKV_AWS_107 / CKV_AWS_108 / CKV_AWS_109 / CKV_AWS_110 / CKV_AWS_111 / AVD-AWS-0057 / AVD-AWS-0342':
    [
      breakResource('action s3:*', 'aws_iam_role_policy', (p) => ({
        body: { ...p.body, policy: { Statement: statements(p.body.policy).map((s) => ({ ...s, Action: 's3:*' })) } },
      })),
      breakResource('resource *', 'aws_iam_role_policy', (p) => ({
        body: { ...p.body, policy: { Statement: statements(p.body.policy).map((s) => ({ ...s, Resource: '*' })) } },
      })),
      breakResource('iam:PassRole', 'aws_iam_role_policy', (p) => ({
        body: { ...p.body, policy: { Statement: statements(p.body.policy).map((s) => ({ ...s, Action: ['iam:PassRole'] })) } },
      })),
      breakResource(
        'S3 grants without the s3:ResourceAccount condition',
        'aws_iam_role_policy',
        (p) => ({ body: { ...p.body, policy: { Statement: statements(p.body.policy).map(({ Condition: _dropped, ...s }) => s) } } }),
        undefined,
        (p) => JSON.stringify(p.body).includes('s3:GetObject'),
      ),
    ],
  '§1 #22 CKV_AWS_60 / CKV_AWS_358 / CKV_AWS_393': [
    breakResource('a "*" principal', 'aws_iam_role', (r) => ({
      body: { ...r.body, assume_role_policy: { Statement: statements(r.body.assume_role_policy).map((s) => ({ ...s, Principal: { AWS: '*' } })) } },
    })),
    setAttributes('another ServiceAccount', 'aws_eks_pod_identity_association', { service_account: 'default' }),
    breakResource(
      'a trust without the cluster condition',
      'aws_iam_role',
      (r) => ({ body: { ...r.body, assume_role_policy: { Statement: statements(r.body.assume_role_policy).map(({ Condition: _dropped, ...s }) => s) } } }),
      undefined,
      (r) => r.name === 'service',
    ),
    breakResource(
      'a trust naming another cluster',
      'aws_iam_role',
      (r) => ({
        body: {
          ...r.body,
          assume_role_policy: {
            Statement: statements(r.body.assume_role_policy).map((s) => ({
              ...s,
              Condition: {
                ...s.Condition,
                StringEquals: { ...s.Condition?.StringEquals, 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111111111111:cluster/other' },
              },
            })),
          },
        },
      }),
      undefined,
      (r) => r.name === 'service',
    ),
  ],
  '§1 #23 CKV_AWS_24 / CKV_AWS_25 / CKV_AWS_260 / CKV_AWS_277 / CKV_AWS_382 / CKV_AWS_23 / CKV2_AWS_5 / AVD-AWS-0107 / AVD-AWS-0104 / AVD-AWS-0099 / AVD-AWS-0124':
    [
      setAttributes('ingress from 0.0.0.0/0', 'aws_vpc_security_group_ingress_rule', { cidr_ipv4: '0.0.0.0/0', referenced_security_group_id: undefined }),
      setAttributes('port 22', 'aws_vpc_security_group_ingress_rule', { from_port: 22, to_port: 22 }),
      addResource('an egress rule', 'aws_vpc_security_group_egress_rule', 'aws_vpc_security_group_ingress_rule', { cidr_ipv4: '0.0.0.0/0', ip_protocol: '-1' }),
    ],
  '§1 #24 CKV_AWS_198 / CKV_AWS_196': [addResource('an aws_db_security_group', 'aws_db_security_group', 'aws_db_instance')],
  '§2 PSS restricted PSS hostNamespaces': [breakPod('hostNetwork: true', (pod) => (pod.hostNetwork = true))],
  '§2 PSS restricted PSS privileged': [breakContainer('privileged: true', (c) => (c.securityContext.privileged = true))],
  '§2 PSS restricted PSS hostPathVolumes / PSS hostPorts': [
    breakPod('a hostPath volume', (pod) => pod.volumes.push({ name: 'host', hostPath: { path: '/' } })),
    breakContainer('a hostPort', (c) => c.ports.push({ containerPort: 81, hostPort: 81 })),
  ],
  '§2 PSS restricted PSS appArmorProfile': [breakContainer('AppArmor Unconfined', (c) => (c.securityContext.appArmorProfile = { type: 'Unconfined' }))],
  '§2 PSS restricted PSS seLinuxOptions': [breakContainer('SELinux type spc_t', (c) => (c.securityContext.seLinuxOptions = { type: 'spc_t' }))],
  '§2 PSS restricted PSS procMount / PSS procMount_restricted': [breakContainer('procMount: Unmasked', (c) => (c.securityContext.procMount = 'Unmasked'))],
  '§2 PSS restricted PSS sysctls': [breakPod('a sysctl', (pod) => (pod.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }]))],
  '§2 PSS restricted PSS windowsHostProcess': [
    breakContainer('windowsOptions.hostProcess: true', (c) => (c.securityContext.windowsOptions = { hostProcess: true })),
  ],
  '§2 PSS restricted PSS hostProbesAndHostLifecycle': [
    breakContainer('a preStop hook on another host', (c) => (c.lifecycle = { preStop: { httpGet: { host: '10.0.0.1', port: 80, path: '/' } } })),
  ],
  '§2 PSS restricted PSS restrictedVolumes': [breakPod('an nfs volume', (pod) => pod.volumes.push({ name: 'nfs', nfs: { server: 'nfs', path: '/' } }))],
  '§2 PSS restricted PSS allowPrivilegeEscalation': [
    breakContainer('allowPrivilegeEscalation unset', (c) => delete c.securityContext.allowPrivilegeEscalation),
  ],
  '§2 PSS restricted PSS runAsNonRoot': [breakContainer('runAsNonRoot: false', (c) => (c.securityContext.runAsNonRoot = false))],
  '§2 PSS restricted PSS runAsUser': [breakContainer('runAsUser: 0', (c) => (c.securityContext.runAsUser = 0))],
  '§2 PSS restricted PSS seccompProfile_restricted': [breakContainer('seccomp Unconfined', (c) => (c.securityContext.seccompProfile = { type: 'Unconfined' }))],
  '§2 PSS restricted PSS capabilities_restricted': [
    breakContainer('no capability drop', (c) => (c.securityContext.capabilities = { drop: [] })),
    breakContainer('SYS_ADMIN added', (c) => (c.securityContext.capabilities.add = ['SYS_ADMIN'])),
  ],
  '§2 kube-score/polaris KS container-security-context-privileged / PO runAsPrivileged / CKV_K8S_16': [
    breakContainer('privileged unset', (c) => delete c.securityContext.privileged),
  ],
  '§2 kube-score/polaris PO privilegeEscalationAllowed / CKV_K8S_20': [
    breakContainer('allowPrivilegeEscalation: true', (c) => (c.securityContext.allowPrivilegeEscalation = true)),
  ],
  '§2 kube-score/polaris KS container-security-context-readonlyrootfilesystem / PO notReadOnlyRootFilesystem / CKV_K8S_22': [
    breakContainer('readOnlyRootFilesystem: false', (c) => (c.securityContext.readOnlyRootFilesystem = false)),
    breakContainer('no /tmp mount', (c) => (c.volumeMounts = c.volumeMounts.filter((m: { mountPath: string }) => m.mountPath !== '/tmp'))),
  ],
  '§2 kube-score/polaris KS container-security-context-user-group-id / PO runAsRootAllowed / CKV_K8S_40': [
    breakContainer('runAsUser: 1000', (c) => (c.securityContext.runAsUser = 1000)),
  ],
  '§2 kube-score/polaris PO insecureCapabilities / PO dangerousCapabilities / CKV_K8S_28 / CKV_K8S_37': [
    breakContainer('NET_BIND_SERVICE added', (c) => (c.securityContext.capabilities.add = ['NET_BIND_SERVICE'])),
  ],
  '§2 kube-score/polaris KS container-seccomp-profile / PO linuxHardening / CKV_K8S_31': [
    breakPod('no pod seccomp profile', (pod) => delete pod.securityContext.seccompProfile),
  ],
  '§2 kube-score/polaris PO automountServiceAccountToken / CKV_K8S_38': [
    breakPod('automountServiceAccountToken: true', (pod) => (pod.automountServiceAccountToken = true)),
    breakObject('a ServiceAccount that mounts its token', 'ServiceAccount', (sa) => delete sa.automountServiceAccountToken),
  ],
  '§2 kube-score/polaris KS container-resources / KS container-ephemeral-storage-request-and-limit / PO cpuRequestsMissing / PO cpuLimitsMissing / PO memoryRequestsMissing / PO memoryLimitsMissing':
    [breakContainer('no CPU limit', (c) => delete c.resources.limits.cpu)],
  '§2 kube-score/polaris KS container-image-tag / PO tagNotSpecified / CKV_K8S_14 / CKV_K8S_43': [
    breakContainer('image :latest', (c) => (c.image = 'registry.example/app:latest')),
    breakContainer('a released tag without digest', (c) => (c.image = 'registry.example/app:1.2.3')),
  ],
  '§2 kube-score/polaris KS container-image-pull-policy / PO pullPolicyNotAlways / CKV_K8S_15': [
    breakContainer('imagePullPolicy: IfNotPresent', (c) => (c.imagePullPolicy = 'IfNotPresent')),
  ],
  '§2 kube-score/polaris KS pod-probes / KS pod-probes-identical / PO readinessProbeMissing / PO livenessProbeMissing': [
    breakContainer('no readiness probe', (c) => delete c.readinessProbe),
    breakContainer('liveness = readiness', (c) => (c.livenessProbe = structuredClone(c.readinessProbe))),
  ],
  '§2 kube-score/polaris KS deployment-replicas / KS deployment-targeted-by-hpa-does-not-have-replicas-configured / PO deploymentMissingReplicas': [
    breakObject('replicas: 1', 'Deployment', (d) => (d.spec.replicas = 1)),
    dropObjectWaivers(
      'a single-replica production Deployment whose waiver is printed but not attached',
      '/sweeper/kubernetes/production/deployment.yaml',
      'fixtures/cases/edges',
    ),
  ],
  '§2 kube-score/polaris KS horizontalpodautoscaler-has-target / KS horizontalpodautoscaler-replicas / PO hpaMinAvailability / PO hpaMaxAvailability': [
    breakObject('a missing target', 'HorizontalPodAutoscaler', (h) => (h.spec.scaleTargetRef.name = 'nothing')),
    breakObject('maxReplicas = minReplicas', 'HorizontalPodAutoscaler', (h) => (h.spec.maxReplicas = h.spec.minReplicas)),
  ],
  '§2 kube-score/polaris KS deployment-has-poddisruptionbudget / KS poddisruptionbudget-has-policy / PO missingPodDisruptionBudget / PO pdbDisruptionsIsZero / PO pdbMinAvailableGreaterThanHPAMinReplicas':
    [
      breakObject('maxUnavailable: 0', 'PodDisruptionBudget', (p) => (p.spec.maxUnavailable = 0)),
      breakObject('a PDB that selects nothing', 'PodDisruptionBudget', (p) => (p.spec.selector = { matchLabels: { app: 'none' } })),
    ],
  '§2 kube-score/polaris KS pod-networkpolicy / KS networkpolicy-targets-pod / PO missingNetworkPolicy': [
    breakObject(
      'the service policy without Egress',
      'NetworkPolicy',
      (np) => (np.spec.policyTypes = ['Ingress']),
      (o) => o.path.includes('/staging/') && o.object.metadata.name !== 'default-deny',
    ),
    breakObject(
      'a policy that selects nothing',
      'NetworkPolicy',
      (np) => (np.spec.podSelector = { matchLabels: { app: 'none' } }),
      (o) => o.path.includes('/staging/') && o.object.metadata.name !== 'default-deny',
    ),
  ],
  '§2 kube-score/polaris KS deployment-has-host-podantiaffinity / KS pod-topology-spread-constraints / PO topologySpreadConstraint': [
    breakPod('no topology spread', (pod) => delete pod.topologySpreadConstraints),
  ],
  '§2 kube-score/polaris KS deployment-strategy / KS deployment-pod-selector-labels-match-template-metadata-labels': [
    breakObject('strategy Recreate', 'Deployment', (d) => (d.spec.strategy = { type: 'Recreate' })),
  ],
  '§2 kube-score/polaris KS service-type / KS service-targets-pod': [breakObject('type NodePort', 'Service', (s) => (s.spec.type = 'NodePort'))],
  '§2 kube-score/polaris KS ingress-targets-service / PO tlsSettingsMissing': [
    breakObject('no TLS', 'Ingress', (i) => delete i.spec.tls),
    breakObject('a backend port that does not exist', 'Ingress', (i) => (i.spec.rules[0].http.paths[0].backend.service.port = { name: 'nothing' })),
  ],
  '§2 kube-score/polaris KS cronjob-has-deadline / KS cronjob-restartpolicy': [
    breakObject('no startingDeadlineSeconds', 'CronJob', (c) => delete c.spec.startingDeadlineSeconds),
    breakObject('restartPolicy Always', 'CronJob', (c) => (c.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always')),
  ],
  '§2 kube-score/polaris PO sensitiveContainerEnvVar / CKV_K8S_35 / KS environment-variable-key-duplication': [
    breakContainer('a literal DB_PASSWORD', (c) => (c.env = [...(c.env ?? []), { name: 'DB_PASSWORD', value: 'hunter2' }])),
    breakContainer('a duplicate env name', (c) => (c.env = [...(c.env ?? []), { name: 'A', value: '1' }, { name: 'A', value: '2' }])),
  ],
  '§2 kube-score/polaris KS stable-version / KS label-values': [
    breakObject('apiVersion extensions/v1beta1', 'Deployment', (d) => (d.apiVersion = 'extensions/v1beta1')),
    addDeployment('a label value with a space', (d) => (d.metadata.labels['paved.dev/team'] = 'team commerce')),
  ],
  '§3 ZZ template-injection / AL expression / CKV_GHA_2': [
    breakWorkflow(
      'a pull request title in a run: script',
      (_doc, job) => (stepOf(job(hasStep((s) => s.run !== undefined)), (s) => s.run !== undefined).run = 'echo "${{ github.event.pull_request.title }}"'),
    ),
  ],
  '§3 ZZ unpinned-uses / AL action': [
    breakWorkflow(
      'checkout by tag',
      (_doc, job) => (stepOf(job(hasStep(usesAction('actions/checkout'))), usesAction('actions/checkout')).uses = 'actions/checkout@v5'),
    ),
    editWorkflowText('a pin without its version comment', / # v\d+\.\d+\.\d+\n/, '\n'),
  ],
  '§3 ZZ excessive-permissions / AL permissions / CKV2_GHA_1': [
    breakWorkflow('write-all at the top', (doc) => (doc.permissions = 'write-all')),
    breakWorkflow(
      'id-token: write in a job without AWS',
      (_doc, job) => (job((j) => !JSON.stringify(j).includes('configure-aws-credentials')).permissions['id-token'] = 'write'),
    ),
  ],
  '§3 ZZ dangerous-triggers': [breakWorkflow('a pull_request_target trigger', (doc) => (doc.on.pull_request_target = {}))],
  '§3 ZZ artipacked': [
    breakWorkflow(
      'a checkout that persists credentials',
      (_doc, job) => delete stepOf(job(hasStep(usesAction('actions/checkout'))), usesAction('actions/checkout')).with['persist-credentials'],
    ),
  ],
  '§3 ZZ cache-poisoning': [
    breakWorkflow('an actions/cache step', (_doc, job) =>
      job(hasStep(usesAction('actions/checkout'))).steps.push({
        uses: 'actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830',
        with: { path: 'x', key: 'y' },
      }),
    ),
    editWorkflowText(
      "the check record's cache step caching another path (its waiver covers the record only)",
      /path: (\S*)\.paved-cache\/check-\$\{\{ steps\.base\.outputs\.sha \}\}\.json/,
      'path: node_modules',
    ),
    breakWorkflow(
      'buildx that caches its binary',
      (_doc, job) => delete stepOf(job(hasStep(usesAction('docker/setup-buildx-action'))), usesAction('docker/setup-buildx-action')).with['cache-binary'],
    ),
  ],
  '§3 ZZ github-env': [
    breakWorkflow(
      'a write to GITHUB_ENV',
      (_doc, job) => (stepOf(job(hasStep((s) => s.run !== undefined)), (s) => s.run !== undefined).run = 'echo "X=1" >> "$GITHUB_ENV"'),
    ),
  ],
  '§3 ZZ secrets-inherit / ZZ overprovisioned-secrets / ZZ unredacted-secrets': [
    breakWorkflow(
      'a reusable workflow with secrets: inherit',
      (doc) => (doc.jobs.reuse = { uses: 'org/repo/.github/workflows/x.yml@0057852bfaa89a56745cba8c7296529d2fc39830', secrets: 'inherit' }),
    ),
    breakWorkflow('toJSON(secrets) in an env', (_doc, job) => (job(() => true).env = { ALL: '${{ toJSON(secrets) }}' })),
  ],
  '§3 ZZ secrets-outside-env': [
    breakWorkflow('a secret in a job without an environment', (_doc, job) => (job((j) => j.environment === undefined).env = { TOKEN: '${{ secrets.TOKEN }}' })),
    dropWorkflowWaivers('the registry waiver printed but not attached', 'fixtures/cases/languages'),
  ],
  '§3 ZZ insecure-commands / AL deprecated-commands / CKV_GHA_1': [
    breakWorkflow('ACTIONS_ALLOW_UNSECURE_COMMANDS', (doc) => (doc.env = { ACTIONS_ALLOW_UNSECURE_COMMANDS: 'true' })),
    breakWorkflow(
      '::set-output',
      (_doc, job) => (stepOf(job(hasStep((s) => s.run !== undefined)), (s) => s.run !== undefined).run = 'echo "::set-output name=x::y"'),
    ),
  ],
  '§3 ZZ hardcoded-container-credentials / AL credentials': [
    breakWorkflow(
      'a literal container password',
      (_doc, job) => (job(() => true).container = { image: `node@sha256:${'0'.repeat(64)}`, credentials: { username: 'u', password: 'hunter2' } }),
    ),
  ],
  '§3 ZZ unpinned-images': [breakWorkflow('a container by tag', (_doc, job) => (job(() => true).container = 'node:22'))],
  '§3 ZZ bot-conditions': [breakWorkflow('a condition on github.actor', (_doc, job) => (job(() => true).if = "github.actor == 'dependabot[bot]'"))],
  '§3 ZZ concurrency-limits': [
    breakWorkflow(
      'a cancellable apply',
      (_doc, job) => (job(hasStep((s) => /terraform[^\n]* apply /.test(s.run ?? ''))).concurrency['cancel-in-progress'] = true),
    ),
    breakWorkflow('a job without concurrency', (_doc, job) => delete job(() => true).concurrency),
  ],
  '§3 AL syntax-check / AL if-cond / AL job-needs / AL events / AL runner-label / AL env-var': [
    breakWorkflow('needs a job that does not exist', (_doc, job) => (job(() => true).needs = ['nothing'])),
    breakWorkflow('a constant if', (_doc, job) => (job(() => true).if = '${{ github.ref }} == main')),
    breakWorkflow('an env name with a space', (_doc, job) => (job(() => true).env = { 'A B': '1' })),
  ],
  // §4: paved's own rules over the output
  '§4 paved PAVED_OUTPUT_KINDS': [
    breakObject('a Namespace turned into a ClusterRoleBinding', 'Namespace', (n) =>
      Object.assign(n, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } }),
    ),
    breakObject('a Service moved to another namespace', 'Service', (svc) => (svc.metadata.namespace = 'kube-system')),
    breakObject(
      'an Application turned into a Role',
      'Application',
      (a) => (a.kind = 'Role'),
      (o) => o.path.includes('/argocd/'),
    ),
  ],
  '§4 paved PAVED_IMAGE_SOURCE': [
    breakContainer('an image from another registry', (c) => (c.image = 'docker.io/attacker/miner:1.0')),
    breakObject(
      'a CronJob init container from another registry',
      'CronJob',
      (cj) =>
        (cj.spec.jobTemplate.spec.template.spec.initContainers = [
          { ...cj.spec.jobTemplate.spec.template.spec.containers[0], name: 'init', image: 'quay.io/x/y:1' },
        ]),
      (o) => o.path.includes('/staging/'),
      'fixtures/cases/full',
    ),
  ],
  '§4 paved PAVED_SECRET_LITERAL': [
    breakObject(
      'a declared secret given a literal value',
      'Deployment',
      (d) => {
        const c = d.spec.template.spec.containers[0];
        const secret = c.env.find((e: { valueFrom?: { secretKeyRef?: { key: string } } }) => e.valueFrom?.secretKeyRef);
        c.env = c.env.map((e: { name: string }) => (e === secret ? { name: e.name, value: 'hunter2' } : e));
      },
      (o) => o.path.includes('/staging/') && (o.service?.secrets.length ?? 0) > 0,
    ),
  ],
  '§4 paved PAVED_MASTER_SECRET': [
    readsMasterSecret('the Deployment reading the master password through secretKeyRef', (c, secret) =>
      c.env.push({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: secret, key: 'PGPASSWORD' } } }),
    ),
    readsMasterSecret('the Deployment reading the master credentials through envFrom', (c, secret) => (c.envFrom = [{ secretRef: { name: secret } }])),
  ],
  '§4 paved PAVED_SCHEDULING': [
    breakPod('a toleration of every taint', (pod) => (pod.tolerations = [{ operator: 'Exists' }])),
    breakPod('nodeName', (pod) => (pod.nodeName = 'control-plane-1')),
    breakPod('another scheduler', (pod) => (pod.schedulerName = 'anything-goes')),
    breakPod('a control-plane nodeSelector', (pod) => (pod.nodeSelector = { 'node-role.kubernetes.io/control-plane': '' })),
    breakPod('a nodeSelector on one hostname', (pod) => (pod.nodeSelector = { 'kubernetes.io/hostname': 'node-1' })),
    breakObject(
      'a CronJob node affinity on one hostname',
      'CronJob',
      (cj) =>
        (cj.spec.jobTemplate.spec.template.spec.affinity = {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }],
            },
          },
        }),
    ),
  ],
  '§4 paved PAVED_POD_ISOLATION': [
    breakPod('hostAliases for sts.amazonaws.com', (pod) => (pod.hostAliases = [{ ip: '203.0.113.7', hostnames: ['sts.amazonaws.com'] }])),
    breakObject('a CronJob sharing its process namespace', 'CronJob', (cj) => (cj.spec.jobTemplate.spec.template.spec.shareProcessNamespace = true)),
    breakPod('its own nameservers', (pod) => Object.assign(pod, { dnsPolicy: 'None', dnsConfig: { nameservers: ['203.0.113.7'] } })),
  ],
  '§4 paved PAVED_INGRESS': [
    breakObject('a host outside the platform domain', 'Ingress', (i) => (i.spec.rules[0].host = 'shop.attacker.example')),
    breakObject("another service's host added", 'Ingress', (i) => i.spec.rules.push({ ...structuredClone(i.spec.rules[0]), host: 'orders.shop.example.com' })),
    breakObject('a TLS host that is not the rule host', 'Ingress', (i) => i.spec.tls[0].hosts.push('orders.shop.example.com')),
    breakObject('a path the service does not declare', 'Ingress', (i) => (i.spec.rules[0].http.paths[0].path = '/admin')),
    breakObject('a backend of another service', 'Ingress', (i) => (i.spec.rules[0].http.paths[0].backend.service.name = 'orders')),
    breakObject('a server-snippet', 'Ingress', (i) => (i.metadata.annotations['nginx.ingress.kubernetes.io/server-snippet'] = 'location /x { return 200; }')),
    breakObject('an auth-url', 'Ingress', (i) => (i.metadata.annotations['nginx.ingress.kubernetes.io/auth-url'] = 'https://attacker.example/auth')),
    breakObject(
      "another host on preview's Ingress",
      'Ingress',
      (i) => (i.spec.rules[0].host = 'storefront-api.shop.example.com'),
      (o) => o.path.includes('/preview/'),
    ),
  ],
  '§4 paved PAVED_POD_SECURITY_LABELS': [
    breakObject('enforce-version v1.0', 'Namespace', (n) => (n.metadata.labels['pod-security.kubernetes.io/enforce-version'] = 'v1.0')),
    breakObject('enforce baseline', 'Namespace', (n) => (n.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline')),
    breakObject(
      'the enforce label removed',
      'Namespace',
      (n) => delete n.metadata.labels['pod-security.kubernetes.io/enforce'],
      (o) => o.path.includes('/production/'),
    ),
  ],
  '§4 paved PAVED_SUBSCRIPTION_TARGET': [
    setAttributes('an https endpoint', 'aws_sns_topic_subscription', { protocol: 'https', endpoint: 'https://attacker.example/hook' }),
    setAttributes("another team's queue", 'aws_sns_topic_subscription', { endpoint: 'arn:aws:sqs:eu-west-1:999999999999:theirs' }),
    setAttributes('a queue ARN variable of no subscription of the service', 'aws_sns_topic_subscription', {
      endpoint: '${var.subscriptions["nobody-nothing"].queue_arn}',
    }),
    breakResource('the subscription back in the main stack, which then needs the publisher applied first', 'aws_sns_topic_subscription', (r) => ({
      file: 'messaging.tf',
      body: { ...r.body, endpoint: `\${aws_sqs_queue.${r.name}.arn}` },
    })),
  ],
  '§4 paved PAVED_IAM_ATTACHMENT': [
    setAttributes('AdministratorAccess on the monitoring role', 'aws_iam_role_policy_attachment', {
      policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
    setAttributes('the monitoring policy on the service role', 'aws_iam_role_policy_attachment', { role: '${aws_iam_role.service.name}' }),
    addResource('an aws_iam_policy', 'aws_iam_policy', 'aws_db_instance', { policy: '{}' }),
  ],
  '§4 paved PAVED_PLATFORM_IAM': [
    breakPlatform('a wildcard action in a CI policy', 'aws_iam_policy', (body) => ({
      ...body,
      policy: { Statement: [{ Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::x' }] },
    })),
    breakPlatform('"*" as the resource of an action AWS can scope', 'aws_iam_policy', (body) => ({
      ...body,
      policy: { Statement: [{ Sid: 'Any', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
    })),
    breakPlatform(
      "the ESO's ListSecrets without its printed waiver",
      'aws_iam_role_policy',
      (body) => body,
      (r) => r.name === 'external_secrets',
      { comments: [] },
    ),
    breakPlatform('iam:PassRole to any service', 'aws_iam_policy', (body) => ({
      ...body,
      policy: { Statement: [{ Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/x' }] },
    })),
  ],
  '§4 paved PAVED_PLATFORM_TRUST': [
    breakPlatform(
      'the ESO role trusted without the eks-cluster-arn session tag',
      'aws_iam_role',
      (body) => ({
        ...body,
        assume_role_policy: {
          Statement: [
            {
              Sid: 'Eks',
              Effect: 'Allow',
              Principal: { Service: 'pods.eks.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': '1' } },
            },
          ],
        },
      }),
      (r) => r.name === 'external_secrets',
    ),
    breakPlatform(
      'a CI role trusting any subject',
      'aws_iam_role',
      (body) => ({
        ...body,
        assume_role_policy: {
          Statement: [
            {
              Sid: 'Gh',
              Effect: 'Allow',
              Principal: { Federated: 'x' },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
                StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' },
              },
            },
          ],
        },
      }),
      (r) => r.name === 'ci',
    ),
  ],
  '§4 paved PAVED_PLATFORM_STATE': [
    breakPlatform('a state bucket without versioning', 'aws_s3_bucket_versioning', (body) => ({
      ...body,
      versioning_configuration: [{ status: 'Suspended' }],
    })),
    breakPlatform('a state bucket that accepts public ACLs', 'aws_s3_bucket_public_access_block', (body) => ({ ...body, block_public_acls: false })),
  ],
};

/** Breaks the first resource of `type` in the platform root (optionally the first `which` accepts). */
function breakPlatform(
  what: string,
  type: string,
  change: (body: Plain) => Plain,
  which: (r: PlatformResource) => boolean = () => true,
  extra: Partial<PlatformResource> = {},
): Breakage {
  return {
    what,
    apply: (target) => {
      const root = target.platform;
      const victim = root?.resources.find((r) => r.type === type && which(r));
      if (!root || !victim) throw new Error(`${target.name} has no platform ${type} to break`);
      return {
        ...target,
        platform: { ...root, resources: root.resources.map((r) => (r === victim ? { ...r, body: change(structuredClone(r.body)), ...extra } : r)) },
      };
    },
  };
}
