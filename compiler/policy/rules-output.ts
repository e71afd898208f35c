import { connectionEnv } from '../../spec/runtime-env.js';
import { perItem } from './findings.js';
import { perContainer, perObject, perPod } from './kubernetes-facts.js';
import { ofType, where } from './terraform-facts.js';
import type { CheckResult, PolicyRule } from './types.js';
import type { Container, GeneratedObject, Plain, PolicyTarget } from './view.js';

/**
 * §4: paved's own rules over its output. security-rules.md's scanners judge
 * one object at a time; these say what an override may not make of a
 * service's output as a whole: objects of other kinds or namespaces, images
 * from elsewhere, a pod scheduled onto the control plane, a queue subscription
 * redirected to someone else, an AWS-managed policy attached. Each holds for
 * everything paved generates, so any finding comes from an override (or is a
 * bug in paved).
 */
const SECTION = '§4 paved';

const kubernetes = (ids: readonly string[], title: string, check: (t: PolicyTarget, ids: readonly string[]) => CheckResult): PolicyRule => ({ section: SECTION, ids, title, kind: 'kubernetes', check: (t) => check(t, ids) });
const terraform = (ids: readonly string[], title: string, check: (t: PolicyTarget) => CheckResult): PolicyRule => ({ section: SECTION, ids, title, kind: 'terraform', check });

/** The kinds paved writes into a service's environment directory; Secrets only in preview (stand-in credentials). */
const ENVIRONMENT_KINDS = new Set(['Namespace', 'Deployment', 'CronJob', 'Service', 'ServiceAccount', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress', 'ExternalSecret', 'ConfigMap', 'PodMonitor', 'ServiceMonitor', 'PrometheusRule']);
const PREVIEW_ONLY_KINDS = new Set(['Secret']);
/** The kinds paved writes into argocd/. */
const ARGOCD_KINDS = new Set(['Application']);

/** The namespace an environment directory's objects live in: the service's own (a preview's is `<service>-pr-<n>`). */
function ownNamespace(o: GeneratedObject, namespace: string | undefined): boolean {
  if (!o.service || namespace === undefined) return false;
  return o.environment === 'preview' ? namespace.startsWith(`${o.service.name}-pr-`) : namespace === o.service.name;
}

function kindProblems(o: GeneratedObject): string[] {
  const kind = o.object.kind;
  if (/Role(Binding)?$/.test(kind)) return [`${kind}: paved never generates RBAC objects`];
  if (!o.service) return ARGOCD_KINDS.has(kind) ? [] : [`${kind}: paved generates only Argo CD Applications here`];
  if (!ENVIRONMENT_KINDS.has(kind) && !(o.environment === 'preview' && PREVIEW_ONLY_KINDS.has(kind))) return [`${kind}: paved generates no ${kind} in a ${o.environment} directory`];
  const metadata = (o.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const namespace = kind === 'Namespace' ? metadata.name : metadata.namespace;
  return ownNamespace(o, typeof namespace === 'string' ? namespace : undefined) ? [] : [`${kind} ${String(metadata.name)}: namespace ${JSON.stringify(namespace)} is not the service's own`];
}

/** `registry/path` of an image reference, without tag or digest. */
const repository = (image: string): string => image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');

function imageProblem(c: Container, owner: GeneratedObject, t: PolicyTarget): string | undefined {
  if (typeof c.image !== 'string') return "no image";
  const service = owner.service;
  const platform = t.project.platform;
  const repo = repository(c.image);
  const allowed = [service?.runtime.image, ...(owner.environment === 'preview' ? [platform.kubernetes.preview.postgresRepository, repository(platform.kubernetes.preview.redisImage), repository(platform.kubernetes.preview.localstackImage)] : [])];
  if (allowed.includes(repo) || repo.startsWith(`${platform.registry}/`)) return undefined;
  return `image ${c.image} is not from the platform registry ${platform.registry} or the service's image`;
}

type EnvVar = { name?: unknown; value?: unknown; valueFrom?: unknown };

function literalSecrets(c: Container, owner: GeneratedObject): string | undefined {
  const service = owner.service;
  if (!service || !Array.isArray(c.env)) return undefined;
  const secret = new Set([...service.secrets, ...connectionEnv(service.resources).map((e) => e.name)]);
  const plain = (c.env as EnvVar[]).filter((e) => typeof e?.name === 'string' && secret.has(e.name) && e.value !== undefined).map((e) => e.name as string);
  return plain.length > 0 ? `literal value for ${plain.join(', ')}, which the service declares as a secret or connection value` : undefined;
}

const CONTROL_PLANE = /node-role\.kubernetes\.io\/(control-plane|master)/;

function schedulingProblems(pod: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (pod.nodeName !== undefined) problems.push(`nodeName ${JSON.stringify(pod.nodeName)} bypasses the scheduler`);
  const tolerations = Array.isArray(pod.tolerations) ? (pod.tolerations as Array<Record<string, unknown>>) : [];
  for (const t of tolerations) {
    if (t?.operator === 'Exists' && (t.key === undefined || t.key === '')) problems.push('a toleration with operator Exists and no key tolerates every taint');
    else if (typeof t?.key === 'string' && CONTROL_PLANE.test(t.key)) problems.push(`a toleration of ${t.key}`);
  }
  if (CONTROL_PLANE.test(JSON.stringify(pod.nodeSelector ?? {})) || CONTROL_PLANE.test(JSON.stringify(pod.affinity ?? {}))) problems.push('scheduled onto control-plane nodes');
  return problems;
}

/** IAM resource types that attach or define policies; paved writes only the role and its inline policy. */
const IAM_POLICY_TYPES = /^aws_iam_(policy|user|group|.*_policy_attachment|.*_policy_attachments_exclusive|policy_attachment)$/;
const MANAGED_POLICY = /arn:[^:"]*:iam::aws:policy\//;

/** The one attachment paved writes: AWS's Enhanced Monitoring policy on the monitoring role, which trusts only monitoring.rds.amazonaws.com. */
const MONITORING_POLICY = 'arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole';
function isMonitoringAttachment(type: string, body: Plain): boolean {
  return type === 'aws_iam_role_policy_attachment' && Object.keys(body).length === 2 && body.role === '${aws_iam_role.rds_monitoring.name}' && body.policy_arn === MONITORING_POLICY;
}

export const OUTPUT_RULES: readonly PolicyRule[] = [
  kubernetes(['PAVED_OUTPUT_KINDS'], "only the kinds paved generates for a directory, each in the service's own namespace; never RBAC", (t, ids) => perObject(t, undefined, ids, kindProblems)),
  kubernetes(['PAVED_IMAGE_SOURCE'], "every image comes from the platform's registry or is the service's own (preview stand-ins: the platform's images)", (t, ids) => perContainer(t, ids, (c, _p, pod) => imageProblem(c, pod.owner, t))),
  kubernetes(['PAVED_SECRET_LITERAL'], 'no literal value for an env var the service declares as a secret or connection value', (t, ids) => perContainer(t, ids, (c, _p, pod) => literalSecrets(c, pod.owner))),
  kubernetes(['PAVED_SCHEDULING'], 'no nodeName, no toleration of every taint or of the control plane, no node selection onto the control plane', (t, ids) => perPod(t, ids, (p) => schedulingProblems(p.spec))),
  terraform(['PAVED_SUBSCRIPTION_TARGET'], "topic subscriptions deliver only over sqs to the service's own queue", (t) =>
    perItem(ofType(t, 'aws_sns_topic_subscription'), where, (s) => {
      const endpoint = String(s.body.endpoint);
      const own = /^\$\{aws_sqs_queue\.([A-Za-z0-9_-]+)\.arn\}$/.exec(endpoint)?.[1];
      return [
        s.body.protocol === 'sqs' ? undefined : `protocol ${JSON.stringify(s.body.protocol)}, not sqs`,
        own !== undefined && ofType(t, 'aws_sqs_queue').some((q) => q.stack === s.stack && q.name === own) ? undefined : `endpoint ${endpoint} is not a queue of this stack`,
      ];
    }),
  ),
  terraform(['PAVED_IAM_ATTACHMENT'], 'no IAM policy, user, group or attachment resource and no AWS-managed policy, but the RDS Enhanced Monitoring role and its one service-role policy', (t) =>
    perItem(t.resources, where, (r) => {
      if (isMonitoringAttachment(r.type, r.body)) return undefined;
      return [
        IAM_POLICY_TYPES.test(r.type) ? `${r.type}: paved attaches no policy but RDS Enhanced Monitoring's, to its own role` : undefined,
        MANAGED_POLICY.test(JSON.stringify(r.body)) ? 'names an AWS-managed policy' : undefined,
      ];
    }),
  ),
];
