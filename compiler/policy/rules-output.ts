import type { ResolvedService } from '../../spec/model.js';
import { deployedName, names, PREVIEW_PLACEHOLDER_PR } from '../../spec/naming.js';
import { connectionEnv } from '../../spec/runtime-env.js';
import { fact, factBy } from './facts.js';
import { perItem } from './findings.js';
import { mayContain } from './json-text.js';
import { perContainer, perObject, perPod } from './kubernetes-facts.js';
import { ENVIRONMENTS, ofType, where } from './terraform-facts.js';
import type { CheckResult, PolicyRule } from './types.js';
import { tfvarsOf, type Container, type FoundResource, type GeneratedObject, type Plain, type PolicyTarget } from './view.js';

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

const kubernetes = (ids: readonly string[], title: string, check: (t: PolicyTarget, ids: readonly string[]) => CheckResult): PolicyRule => ({
  section: SECTION,
  ids,
  title,
  kind: 'kubernetes',
  check: (t) => check(t, ids),
});
const terraform = (ids: readonly string[], title: string, check: (t: PolicyTarget) => CheckResult): PolicyRule => ({
  section: SECTION,
  ids,
  title,
  kind: 'terraform',
  check,
});

/** The kinds paved writes into a service's environment directory; Secrets and Password generators only in preview (stand-in credentials). */
const ENVIRONMENT_KINDS = new Set([
  'Namespace',
  'Deployment',
  'CronJob',
  'Job',
  'Service',
  'ServiceAccount',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'CiliumNetworkPolicy',
  'Ingress',
  'ExternalSecret',
  'ConfigMap',
  'PodMonitor',
  'ServiceMonitor',
  'PrometheusRule',
]);
// Password: the generator of preview's database passwords (External Secrets).
const PREVIEW_ONLY_KINDS = new Set(['Secret', 'Password']);
/** The kinds paved writes into argocd/. */
const ARGOCD_KINDS = new Set(['Application']);
/** The kinds of the platform layer: cluster-wide objects of an environment, and Argo CD's own objects. */
const PLATFORM_KINDS: Readonly<Record<'cluster' | 'argocd', ReadonlySet<string>>> = {
  cluster: new Set(['ClusterSecretStore']),
  argocd: new Set(['AppProject', 'Application']),
};

/** The namespace an environment directory's objects live in: the service's own (a preview's is `<service>-pr-<n>`, a dependency's the previewed service's). */
function ownNamespace(o: GeneratedObject, namespace: string | undefined): boolean {
  if (!o.service || namespace === undefined) return false;
  return o.environment === 'preview' ? namespace.startsWith(`${o.previewOf ?? o.service.name}-pr-`) : namespace === o.service.name;
}

const RBAC_KIND = /Role(Binding)?$/;

/** The problems of an object's kind and namespace; none (undefined) for nearly every object, so no list is made for it. */
function kindProblem(o: GeneratedObject): string | undefined {
  const kind = o.object.kind;
  if (RBAC_KIND.test(kind)) return `${kind}: paved never generates RBAC objects`;
  if (o.platformLayer)
    return PLATFORM_KINDS[o.platformLayer].has(kind)
      ? undefined
      : `${kind}: paved generates only ${[...PLATFORM_KINDS[o.platformLayer]].join(' and ')} objects here`;
  if (!o.service) return ARGOCD_KINDS.has(kind) ? undefined : `${kind}: paved generates only Argo CD Applications here`;
  if (!ENVIRONMENT_KINDS.has(kind) && !(o.environment === 'preview' && PREVIEW_ONLY_KINDS.has(kind)))
    return `${kind}: paved generates no ${kind} in a ${o.environment} directory`;
  const metadata = (o.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const namespace = kind === 'Namespace' ? metadata.name : metadata.namespace;
  return ownNamespace(o, typeof namespace === 'string' ? namespace : undefined)
    ? undefined
    : `${kind} ${String(metadata.name)}: namespace ${JSON.stringify(namespace)} is not the service's own`;
}

/** `registry/path` of an image reference, without tag or digest. */
const repository = (image: string): string => image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');

/** The repositories of preview's stand-ins, made once per target. */
const previewStandIns = fact((t: PolicyTarget): readonly string[] => {
  const platform = t.project.platform;
  return Object.freeze([
    platform.kubernetes.preview.postgresRepository,
    platform.kubernetes.preview.mysqlRepository,
    repository(platform.kubernetes.preview.redisImage),
    repository(platform.kubernetes.preview.localstackImage),
    // The stand-ins of the platform's resource types, which the platform names by digest.
    ...Object.values(platform.resourceTypes).flatMap((type) => (type.standIn ? [repository(type.standIn.image)] : [])),
  ]);
});

function imageProblem(c: Container, owner: GeneratedObject, t: PolicyTarget): string | undefined {
  if (typeof c.image !== 'string') return 'no image';
  const service = owner.service;
  const platform = t.project.platform;
  const repo = repository(c.image);
  // Preview's stand-ins, and psql or mysql in the database bootstrap Jobs of staging and production.
  const standIns = owner.environment === 'preview' ? previewStandIns(t) : [];
  const bootstrap =
    owner.environment !== 'preview' && owner.object.kind === 'Job'
      ? [platform.kubernetes.databaseBootstrapRepository, platform.kubernetes.mysqlBootstrapRepository]
      : [];
  const allowed = [service?.runtime.image, ...standIns, ...bootstrap];
  if (allowed.includes(repo) || repo.startsWith(`${platform.registry}/`)) return undefined;
  return `image ${c.image} is not from the platform registry ${platform.registry} or the service's image`;
}

type EnvVar = { name?: unknown; value?: unknown; valueFrom?: unknown };

/** Per target, each service's Secrets of RDS master credentials (name -> database), made once: every pod of the service is read against them. */
const masterSecrets = factBy(
  (_t: PolicyTarget, service: ResolvedService): ReadonlyMap<string, string> =>
    new Map(service.resources.databases.map((d) => [names.databaseMasterSecret(deployedName(d)), deployedName(d)])),
);

/**
 * The Secrets a pod reads (env, envFrom, secret and projected volumes) that hold
 * a database's RDS master credentials, other than what its own bootstrap Job
 * may read: the app logs in as `app` with IAM only.
 */
function masterSecretReaders(t: PolicyTarget, pod: { owner: GeneratedObject; spec: Record<string, any> }): string[] {
  const service = pod.owner.service;
  if (!service) return [];
  const masters = masterSecrets(t, service);
  const read = new Set<string>();
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []), ...(pod.spec.ephemeralContainers ?? [])] as Array<Record<string, any>>) {
    for (const e of (c?.env ?? []) as EnvVar[]) read.add(String((e?.valueFrom as { secretKeyRef?: { name?: unknown } } | undefined)?.secretKeyRef?.name));
    for (const from of (c?.envFrom ?? []) as Array<{ secretRef?: { name?: unknown } }>) read.add(String(from?.secretRef?.name));
  }
  for (const v of (pod.spec.volumes ?? []) as Array<Record<string, any>>) {
    read.add(String(v?.secret?.secretName));
    for (const source of (v?.projected?.sources ?? []) as Array<Record<string, any>>) read.add(String(source?.secret?.name));
  }
  const own =
    pod.owner.object.kind === 'Job'
      ? [...masters].find(([, database]) => pod.owner.object.metadata.name === names.databaseBootstrapJob(database))?.[0]
      : undefined;
  return [...read]
    .filter((name) => masters.has(name) && name !== own)
    .sort()
    .map((name) => `reads ${name}, the RDS master credentials of database ${masters.get(name)}, which only its bootstrap Job may read`);
}

/** Per target, each service's env names that hold a secret or connection value, made once. */
const secretNames = factBy(
  (_t: PolicyTarget, service: ResolvedService): ReadonlySet<string> =>
    new Set([...service.secrets, ...connectionEnv(service.resources, 'preview').map((e) => e.name)]),
);

function literalSecrets(c: Container, owner: GeneratedObject, t: PolicyTarget): string | undefined {
  const service = owner.service;
  if (!service || !Array.isArray(c.env)) return undefined;
  const secret = secretNames(t, service);
  const plain = (c.env as EnvVar[]).filter((e) => typeof e?.name === 'string' && secret.has(e.name) && e.value !== undefined).map((e) => e.name as string);
  return plain.length > 0 ? `literal value for ${plain.join(', ')}, which the service declares as a secret or connection value` : undefined;
}

const CONTROL_PLANE = /node-role\.kubernetes\.io\/(control-plane|master)/;

function schedulingProblems(pod: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (pod.nodeName !== undefined) problems.push(`nodeName ${JSON.stringify(pod.nodeName)} bypasses the scheduler`);
  // Another scheduler places the pod by its own rules: taints and the platform's placement no longer hold.
  if (pod.schedulerName !== undefined && pod.schedulerName !== 'default-scheduler')
    problems.push(`schedulerName ${JSON.stringify(pod.schedulerName)} hands the pod to another scheduler`);
  const tolerations = Array.isArray(pod.tolerations) ? (pod.tolerations as Array<Record<string, unknown>>) : [];
  for (const t of tolerations) {
    if (t?.operator === 'Exists' && (t.key === undefined || t.key === '')) problems.push('a toleration with operator Exists and no key tolerates every taint');
    else if (typeof t?.key === 'string' && CONTROL_PLANE.test(t.key)) problems.push(`a toleration of ${t.key}`);
  }
  if (CONTROL_PLANE.test(JSON.stringify(pod.nodeSelector ?? {})) || CONTROL_PLANE.test(JSON.stringify(pod.affinity ?? {})))
    problems.push('scheduled onto control-plane nodes');
  if (pinsNode(pod)) problems.push('pinned to one node by kubernetes.io/hostname or metadata.name');
  return problems;
}

/**
 * A nodeSelector or node affinity on the node's name: the pod lands beside
 * whatever runs on that node. (paved's topology spread uses kubernetes.io/hostname
 * as a topologyKey, which spreads pods rather than pinning them, so only node
 * selection is read.)
 */
function pinsNode(pod: Record<string, unknown>): boolean {
  const selector = pod.nodeSelector;
  if (selector !== null && typeof selector === 'object' && 'kubernetes.io/hostname' in selector) return true;
  const nodeAffinity = (pod.affinity as { nodeAffinity?: unknown } | undefined)?.nodeAffinity;
  return /"key":"(kubernetes\.io\/hostname|metadata\.name)"/.test(JSON.stringify(nodeAffinity ?? {}));
}

/** What lets a pod see or redirect beyond itself without host access: its /etc/hosts, its DNS, its sibling containers' processes. */
function podIsolationProblems(pod: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (Array.isArray(pod.hostAliases) ? pod.hostAliases.length > 0 : pod.hostAliases !== undefined)
    problems.push(`hostAliases ${JSON.stringify(pod.hostAliases)} rewrite the pod's /etc/hosts`);
  if (pod.shareProcessNamespace !== undefined && pod.shareProcessNamespace !== false)
    problems.push("shareProcessNamespace lets every container see and signal the others' processes (and read their environment)");
  if (pod.dnsPolicy !== undefined && pod.dnsPolicy !== 'ClusterFirst') problems.push(`dnsPolicy ${JSON.stringify(pod.dnsPolicy)} bypasses the cluster's DNS`);
  const dns = (pod.dnsConfig ?? {}) as { nameservers?: unknown; searches?: unknown };
  if (dns.nameservers !== undefined || dns.searches !== undefined) problems.push('dnsConfig names its own nameservers or search domains');
  return problems;
}

// ---------------------------------------------------------------------------
// Ingress

/**
 * ingress-nginx annotations that inject configuration, send requests or
 * credentials elsewhere, serve other hosts, or reach outside the namespace.
 * Chosen from ingress-nginx's annotation reference
 * (docs/user-guide/nginx-configuration/annotations.md) and its risk levels:
 * the ConfigMap setting `annotations-risk-level` (default Critical since
 * v1.12) rates every `*-snippet` Critical, the auth-url/auth-signin/mirror/
 * upstream-vhost/server-alias/redirect family High; snippets are CVE-2021-25742
 * (read every Secret of the cluster). `use-regex` turns every path of the
 * *host* into a regex, other services' Ingresses on it included;
 * `from-to-www-redirect` serves `www.<host>`; a `namespace/name` in a
 * `*-secret` or auth-proxy-set-headers reads another namespace's object.
 */
const NGINX = 'nginx.ingress.kubernetes.io/';
const RISKY_NGINX = new Set([
  'auth-url',
  'auth-signin',
  'auth-signin-redirect-param',
  'auth-proxy-set-headers',
  'auth-request-redirect',
  'mirror-target',
  'mirror-host',
  'mirror-uri',
  'upstream-vhost',
  'server-alias',
  'permanent-redirect',
  'temporal-redirect',
  'from-to-www-redirect',
  'use-regex',
  'default-backend',
  'proxy-redirect-from',
  'proxy-redirect-to',
]);

function riskyAnnotation(key: string, value: unknown): string | undefined {
  if (key === 'kubernetes.io/ingress.class') return `annotation ${key} overrides the ingress class`;
  if (!key.startsWith(NGINX)) return undefined;
  const name = key.slice(NGINX.length);
  if (name.endsWith('-snippet') || name.endsWith('-snippets')) return `annotation ${key} injects nginx configuration`;
  if (RISKY_NGINX.has(name)) return `annotation ${key} redirects or reshapes traffic beyond the service's own routes`;
  if (name.endsWith('-secret') && typeof value === 'string' && value.includes('/'))
    return `annotation ${key} reads ${JSON.stringify(value)}, outside the service's namespace`;
  return undefined;
}

/** The host paved gives the service in the object's environment: the resolved host, or preview's placeholder host. */
function pavedHost(o: GeneratedObject, t: PolicyTarget): string | undefined {
  const service = o.service;
  if (!service || !o.environment) return undefined;
  return o.environment === 'preview'
    ? names.previewHost(service.name, t.project.platform.domain, PREVIEW_PLACEHOLDER_PR)
    : service.environments[o.environment].host;
}

type IngressPath = { path?: unknown; backend?: { service?: { name?: unknown }; resource?: unknown } };
type IngressRule = { host?: unknown; http?: { paths?: IngressPath[] } };

function ingressProblems(o: GeneratedObject, t: PolicyTarget): string[] {
  const service = o.service;
  const host = pavedHost(o, t);
  if (!service || !service.ingress || host === undefined) return ['the service declares no ingress'];
  const spec = (o.object.spec ?? {}) as { ingressClassName?: unknown; defaultBackend?: unknown; rules?: unknown; tls?: unknown };
  const { kubernetes } = t.project.platform;
  const problems: string[] = [];
  const className = service.ingress.public ? kubernetes.ingressClass : kubernetes.internalIngressClass;
  if (spec.ingressClassName !== className) problems.push(`ingressClassName ${JSON.stringify(spec.ingressClassName)}, not ${JSON.stringify(className)}`);
  if (spec.defaultBackend !== undefined) problems.push('a defaultBackend takes every request no rule matches');
  const rules = (Array.isArray(spec.rules) ? spec.rules : [spec.rules]) as Array<IngressRule | undefined>;
  for (const rule of rules) {
    if (rule?.host !== host) problems.push(`rule host ${JSON.stringify(rule?.host)}, not ${host}`);
    for (const p of Array.isArray(rule?.http?.paths) ? rule.http.paths : [undefined]) {
      if (typeof p?.path !== 'string' || !service.ingress.paths.includes(p.path))
        problems.push(`path ${JSON.stringify(p?.path)} is not one the service declares (${service.ingress.paths.join(', ')})`);
      if (p?.backend?.resource !== undefined || p?.backend?.service?.name !== service.name)
        problems.push(
          `path ${JSON.stringify(p?.path)} routes to ${JSON.stringify(p?.backend?.service?.name ?? p?.backend?.resource)}, not the Service ${service.name}`,
        );
    }
  }
  const tls = (Array.isArray(spec.tls) ? spec.tls : [spec.tls]) as Array<{ hosts?: unknown } | undefined>;
  for (const entry of tls) {
    const hosts = Array.isArray(entry?.hosts) ? entry.hosts : [entry?.hosts];
    for (const h of hosts) if (h !== host) problems.push(`TLS host ${JSON.stringify(h)}, not ${host}`);
  }
  for (const [key, value] of Object.entries(o.object.metadata?.annotations ?? {})) {
    const risky = riskyAnnotation(key, value);
    if (risky) problems.push(risky);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Namespace

/**
 * Pod Security Admission's labels on the Namespace paved generates: each mode
 * at `restricted`, each version (when present) at `latest`. A pinned old
 * version or a weaker level lets pods in that the §2 PSS rules would reject.
 */
const PSA = 'pod-security.kubernetes.io/';
function podSecurityProblems(o: GeneratedObject): string[] {
  const labels = (o.object.metadata?.labels ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (labels[`${PSA}enforce`] !== 'restricted') problems.push(`label ${PSA}enforce is ${JSON.stringify(labels[`${PSA}enforce`])}, not "restricted"`);
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(PSA) || key === `${PSA}enforce`) continue;
    const expected = key.endsWith('-version') ? 'latest' : 'restricted';
    if (value !== expected) problems.push(`label ${key} is ${JSON.stringify(value)}, not ${JSON.stringify(expected)}`);
  }
  return problems;
}

/** IAM resource types that attach or define policies; paved writes only the role and its inline policy. */
const IAM_POLICY_TYPES = /^aws_iam_(policy|user|group|.*_policy_attachment|.*_policy_attachments_exclusive|policy_attachment)$/;
const MANAGED_POLICY = /arn:[^:"]*:iam::aws:policy\//;
const MANAGED_POLICY_WORD = ':iam::aws:policy/';

/**
 * Whether a stack file's printed text holds MANAGED_POLICY_WORD, searched once
 * per file. A body can hold the word only if its file's text does: the printer
 * writes every string of the body with only quotes, backslashes, control
 * characters, `${` and `%{` escaped, none of which the word holds, and every
 * key and reference as written. A file without printed text is searched body
 * by body.
 */
const printedNamesManagedPolicy = factBy((stack: FoundResource['stack'], file: string): boolean => {
  const text = stack.printed.get(file);
  return text === undefined || text.includes(MANAGED_POLICY_WORD);
});

/** The one attachment paved writes: AWS's Enhanced Monitoring policy on the monitoring role, which trusts only monitoring.rds.amazonaws.com. */
const MONITORING_POLICY = 'arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole';
function isMonitoringAttachment(type: string, body: Plain): boolean {
  return (
    type === 'aws_iam_role_policy_attachment' &&
    Object.keys(body).length === 2 &&
    body.role === '${aws_iam_role.rds_monitoring.name}' &&
    body.policy_arn === MONITORING_POLICY
  );
}

/**
 * A subscription lives in the service's subscriptions root (terraform/subscriptions/)
 * and names its queue by ARN, computed into that root's tfvars: in every
 * environment the ARN must be, in the service's own account and region, the
 * name of a queue the service's main stack creates.
 */
function deliversToOwnQueue(t: PolicyTarget, s: FoundResource): boolean {
  const key = /^\$\{var\.subscriptions\["([^"\\]+)"\]\.queue_arn\}$/.exec(String(s.body.endpoint))?.[1];
  if (key === undefined || !s.file.startsWith(SUBSCRIPTIONS_FOLDER)) return false;
  const queueName = `\${var.subscriptions[${JSON.stringify(key)}].queue}`;
  if (!ofType(t, 'aws_sqs_queue').some((q) => q.stack === s.stack && q.body.name === queueName)) return false;
  return ENVIRONMENTS.every((env) => {
    const main = tfvarsOf(s.stack, env);
    const queue = (main.subscriptions as Record<string, { queue?: unknown }> | undefined)?.[key]?.queue;
    const arn = (tfvarsOf(s.stack, env, SUBSCRIPTIONS_FOLDER).subscriptions as Record<string, { queue_arn?: unknown }> | undefined)?.[key]?.queue_arn;
    return (
      typeof queue === 'string' &&
      PARTITIONS.some((partition) => arn === `arn:${partition}:sqs:${String(main.aws_region)}:${String(main.aws_account_id)}:${queue}`)
    );
  });
}

/** The folder of a service's subscriptions root inside its terraform/ (emitters/terraform/subscriptions.ts). */
const SUBSCRIPTIONS_FOLDER = 'subscriptions/';
const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'];

export const OUTPUT_RULES: readonly PolicyRule[] = [
  kubernetes(['PAVED_OUTPUT_KINDS'], "only the kinds paved generates for a directory, each in the service's own namespace; never RBAC", (t, ids) =>
    perObject(t, undefined, ids, kindProblem),
  ),
  kubernetes(
    ['PAVED_IMAGE_SOURCE'],
    "every image comes from the platform's registry or is the service's own (preview stand-ins: the platform's images)",
    (t, ids) => perContainer(t, ids, (c, _p, pod) => imageProblem(c, pod.owner, t)),
  ),
  kubernetes(['PAVED_SECRET_LITERAL'], 'no literal value for an env var the service declares as a secret or connection value', (t, ids) =>
    perContainer(t, ids, (c, _p, pod) => literalSecrets(c, pod.owner, t)),
  ),
  kubernetes(['PAVED_MASTER_SECRET'], "only a database's bootstrap Job reads its RDS master credentials (Secret db-master-<database>)", (t, ids) =>
    perPod(t, ids, (p) => masterSecretReaders(t, p)),
  ),
  kubernetes(
    ['PAVED_SCHEDULING'],
    'no nodeName or other scheduler, no toleration of every taint or of the control plane, no node selection onto the control plane or one named node',
    (t, ids) => perPod(t, ids, (p) => schedulingProblems(p.spec)),
  ),
  kubernetes(['PAVED_POD_ISOLATION'], "no hostAliases, no shared process namespace, no DNS but the cluster's", (t, ids) =>
    perPod(t, ids, (p) => podIsolationProblems(p.spec)),
  ),
  kubernetes(
    ['PAVED_INGRESS'],
    "every Ingress rule and TLS host is the service's own host for the environment, every path one it declares, every backend its own Service, its ingress class; no ingress-nginx annotation that injects configuration or sends traffic elsewhere",
    (t, ids) => perObject(t, 'Ingress', ids, (o) => ingressProblems(o, t)),
  ),
  kubernetes(
    ['PAVED_POD_SECURITY_LABELS'],
    'the Namespace enforces Pod Security restricted; every pod-security label at restricted, every version at latest',
    (t, ids) => perObject(t, 'Namespace', ids, podSecurityProblems),
  ),
  terraform(['PAVED_SUBSCRIPTION_TARGET'], "topic subscriptions deliver only over sqs to the service's own queue", (t) =>
    perItem(ofType(t, 'aws_sns_topic_subscription'), where, (s) => [
      s.body.protocol === 'sqs' ? undefined : `protocol ${JSON.stringify(s.body.protocol)}, not sqs`,
      deliversToOwnQueue(t, s) ? undefined : `endpoint ${String(s.body.endpoint)} is not a queue of this stack`,
    ]),
  ),
  terraform(
    ['PAVED_IAM_ATTACHMENT'],
    'no IAM policy, user, group or attachment resource and no AWS-managed policy, but the RDS Enhanced Monitoring role and its one service-role policy',
    (t) =>
      perItem(t.resources, where, (r) => {
        if (isMonitoringAttachment(r.type, r.body)) return undefined;
        return [
          IAM_POLICY_TYPES.test(r.type) ? `${r.type}: paved attaches no policy but RDS Enhanced Monitoring's, to its own role` : undefined,
          printedNamesManagedPolicy(r.stack, r.file) && mayContain(r.body, MANAGED_POLICY_WORD) && MANAGED_POLICY.test(JSON.stringify(r.body))
            ? 'names an AWS-managed policy'
            : undefined,
        ];
      }),
  ),
];
