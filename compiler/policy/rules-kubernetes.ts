import { selects, type Container, type GeneratedObject, type PodTemplate, type PolicyTarget } from './view.js';
import { factBy } from './facts.js';
import { combined } from './findings.js';
import {
  effective,
  finding,
  ofKind,
  perContainer,
  perObject,
  perPod,
  podSc,
  podTemplatesOf,
  probesOf,
  sc,
  siblingsIn,
  siblingsOfKindIn,
  siblingTemplatesIn,
  spec,
  templateOf,
  unwaivable,
} from './kubernetes-facts.js';
import type { CheckResult, Finding, PolicyRule } from './types.js';

/**
 * security-rules.md §2 (Kubernetes): the Pod Security Standards restricted
 * controls and the kube-score / polaris / checkov rows, over every pod spec and
 * object. A finding is waived only by a Kubernetes waiver of emitters/shared/waivers.ts
 * printed in the object's file for one of the rule's ids.
 */

const PSS = '§2 PSS restricted';
const SCORE = '§2 kube-score/polaris';

const rule = (section: string, ids: readonly string[], title: string, check: (t: PolicyTarget, ids: readonly string[]) => CheckResult): PolicyRule => ({
  section,
  ids,
  title,
  kind: 'kubernetes',
  check: (t) => check(t, ids),
});

const volumesOf = (pod: Record<string, unknown>): Array<Record<string, unknown>> => (pod.volumes as Array<Record<string, unknown>> | undefined) ?? [];
const ALLOWED_VOLUME_KEYS = new Set([
  'name',
  'configMap',
  'downwardAPI',
  'emptyDir',
  'projected',
  'secret',
  'csi',
  'persistentVolumeClaim',
  'ephemeral',
  'image',
]);
const STABLE_API_VERSIONS = new Set([
  'v1',
  'apps/v1',
  'autoscaling/v2',
  'policy/v1',
  'batch/v1',
  'networking.k8s.io/v1',
  'monitoring.coreos.com/v1',
  'external-secrets.io/v1',
  // The only version External Secrets serves its generators in (preview's database passwords), as Argo CD's below.
  'generators.external-secrets.io/v1alpha1',
  'cilium.io/v2',
  'argoproj.io/v1alpha1',
]);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SENSITIVE_ENV = /password|token|secret|bearer|aws_secret_access_key|private_key|api_key/i;
/** The two tests above, run once per distinct value and target (malformed output may hold a value that is no string: tested, or failing, the same). */
const invalidLabelValue = factBy((_t: PolicyTarget, v: string) => v.length > 63 || !LABEL_VALUE.test(v));
const sensitiveName = factBy((_t: PolicyTarget, name: string) => SENSITIVE_ENV.test(name));
const IMAGE = /^(?<repo>[^@]+?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** Probes compared without their timing, which kube-score ignores too. */
const probeShape = (probe: unknown): string =>
  JSON.stringify({ ...(probe as object), periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0, initialDelaySeconds: 0 });
const envOf = (c: Container): Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }> =>
  (c.env ?? []) as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }>;
/**
 * `problems` with a finding for each label of `labels` whose value is no valid
 * label value, made when the first is found; a loop over the names, where
 * pairs of every label of every object cost more than the check.
 */
function invalidLabels(t: PolicyTarget, o: GeneratedObject, labels: Record<string, string>, problems: Finding[] | undefined): Finding[] | undefined {
  for (const k of Object.keys(labels)) {
    const v = labels[k]!;
    if (invalidLabelValue(t, v)) (problems ??= []).push(finding(o, `label ${k}=${v}`, ['KS label-values']));
  }
  return problems;
}
const RUNTIME_DEFAULT_OR_LOCALHOST = ['RuntimeDefault', 'Localhost'];
const isRuntimeDefaultOrLocalhost = (profile: any): boolean => RUNTIME_DEFAULT_OR_LOCALHOST.includes(profile?.type);
/** SELinux types a restricted pod may name (PSS), and procMount values. */
const SELINUX_TYPES = [undefined, '', 'container_t', 'container_init_t', 'container_kvm_t'];
const PROC_MOUNTS = [undefined, 'Default'];

/*
 * A rule that groups checks of different concerns raises each finding under
 * the ids of its own check (a platform waiver of one id excuses only those);
 * a rule whose ids all name one concern raises them under all of its ids.
 */
/** A container's problem raised under `ids`. */
const ofContainer = (t: PodTemplate, c: Container, problem: string, ids: readonly string[]): Finding => finding(t.owner, `${c.name}: ${problem}`, ids);
/** Each resource a container lacks, with the ids that name it. */
const RESOURCE_IDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['requests.cpu', ['KS container-resources', 'PO cpuRequestsMissing']],
  ['limits.cpu', ['KS container-resources', 'PO cpuLimitsMissing']],
  ['requests.memory', ['KS container-resources', 'PO memoryRequestsMissing']],
  ['limits.memory', ['KS container-resources', 'PO memoryLimitsMissing']],
  ['requests.ephemeral-storage', ['KS container-ephemeral-storage-request-and-limit']],
  ['limits.ephemeral-storage', ['KS container-ephemeral-storage-request-and-limit']],
];
/** Each of RESOURCE_IDS with its key split into the section and the resource (`requests`, `cpu`), split once. */
const RESOURCE_KEYS = RESOURCE_IDS.map(([key, ids]) => {
  const [kind, name] = key.split(/\.(.*)/) as [string, string];
  return { key, kind, name, ids };
});

export const KUBERNETES_RULES: readonly PolicyRule[] = [
  // Pod Security Standards, restricted
  rule(PSS, ['PSS hostNamespaces'], 'no hostNetwork, hostPID or hostIPC', (t, ids) =>
    perPod(t, ids, (p) => (p.spec.hostNetwork || p.spec.hostPID || p.spec.hostIPC ? 'shares a host namespace' : undefined)),
  ),
  rule(PSS, ['PSS privileged'], 'no privileged container', (t, ids) => perContainer(t, ids, (c) => (sc(c).privileged === true ? 'privileged' : undefined))),
  rule(PSS, ['PSS hostPathVolumes', 'PSS hostPorts'], 'no hostPath volume, no hostPort', (t) =>
    combined(
      perPod(t, ['PSS hostPathVolumes'], (p) => (volumesOf(p.spec).some((v) => 'hostPath' in v) ? 'hostPath volume' : undefined)),
      perContainer(t, ['PSS hostPorts'], (c) =>
        ((c.ports as Array<Record<string, unknown>>) ?? []).some((p) => p.hostPort !== undefined && p.hostPort !== 0) ? 'hostPort' : undefined,
      ),
    ),
  ),
  rule(PSS, ['PSS appArmorProfile'], 'AppArmor RuntimeDefault, Localhost or unset', (t, ids) => {
    const ok = (profile: any): boolean => profile === undefined || isRuntimeDefaultOrLocalhost(profile);
    return perContainer(t, ids, (c, p) => (ok(sc(c).appArmorProfile) && ok(podSc(p).appArmorProfile) ? undefined : 'AppArmor profile'));
  }),
  rule(PSS, ['PSS seLinuxOptions'], 'no custom SELinux type, user or role', (t, ids) => {
    const ok = (o: any): boolean => o === undefined || (!o.user && !o.role && SELINUX_TYPES.includes(o.type));
    return perContainer(t, ids, (c, p) => (ok(sc(c).seLinuxOptions) && ok(podSc(p).seLinuxOptions) ? undefined : 'SELinux options'));
  }),
  rule(PSS, ['PSS procMount', 'PSS procMount_restricted'], 'procMount Default or unset', (t, ids) =>
    perContainer(t, ids, (c) => (PROC_MOUNTS.includes(sc(c).procMount) ? undefined : 'procMount')),
  ),
  rule(PSS, ['PSS sysctls'], 'no sysctls at all (stricter than the safe set)', (t, ids) =>
    perPod(t, ids, (p) => ((podSc(p.spec).sysctls ?? []).length > 0 ? 'sysctls' : undefined)),
  ),
  rule(PSS, ['PSS windowsHostProcess'], 'never a Windows host process', (t, ids) =>
    perContainer(t, ids, (c, p) => ((effective(c, p, 'windowsOptions') as any)?.hostProcess ? 'hostProcess' : undefined)),
  ),
  rule(PSS, ['PSS hostProbesAndHostLifecycle'], 'no probe or lifecycle handler names a host', (t, ids) => {
    const namesHost = (h: Record<string, any>): boolean => h.httpGet?.host || h.tcpSocket?.host;
    // The probes, then the lifecycle handlers, in one pass each (no list of both is made).
    return perContainer(t, ids, (c) =>
      probesOf(c).some(namesHost) || Object.values((c.lifecycle ?? {}) as Record<string, any>).some(namesHost) ? 'probe or handler host' : undefined,
    );
  }),
  rule(
    PSS,
    ['PSS restrictedVolumes'],
    'only configMap, downwardAPI, emptyDir, projected, secret, csi, persistentVolumeClaim, ephemeral and image volumes',
    (t, ids) => perPod(t, ids, (p) => (volumesOf(p.spec).some((v) => Object.keys(v).some((k) => !ALLOWED_VOLUME_KEYS.has(k))) ? 'volume type' : undefined)),
  ),
  rule(PSS, ['PSS allowPrivilegeEscalation'], 'allowPrivilegeEscalation false on every container', (t, ids) =>
    perContainer(t, ids, (c) => (sc(c).allowPrivilegeEscalation === false ? undefined : 'may escalate')),
  ),
  rule(PSS, ['PSS runAsNonRoot'], 'runAsNonRoot true on pod or container', (t, ids) =>
    perContainer(t, ids, (c, p) => (effective(c, p, 'runAsNonRoot') === true ? undefined : 'may run as root')),
  ),
  rule(PSS, ['PSS runAsUser'], 'never UID 0', (t, ids) => perContainer(t, ids, (c, p) => (effective(c, p, 'runAsUser') === 0 ? 'UID 0' : undefined))),
  rule(PSS, ['PSS seccompProfile_restricted'], 'seccomp RuntimeDefault or Localhost', (t, ids) =>
    perContainer(t, ids, (c, p) => (isRuntimeDefaultOrLocalhost(effective(c, p, 'seccompProfile')) ? undefined : 'no seccomp profile')),
  ),
  rule(PSS, ['PSS capabilities_restricted'], 'drop ALL, add nothing but NET_BIND_SERVICE', (t, ids) =>
    perContainer(t, ids, (c) => {
      const caps = sc(c).capabilities ?? {};
      return (caps.drop ?? []).includes('ALL') && (caps.add ?? []).every((a: string) => a === 'NET_BIND_SERVICE') ? undefined : 'capabilities';
    }),
  ),

  // kube-score, polaris and checkov
  rule(SCORE, ['KS container-security-context-privileged', 'PO runAsPrivileged', 'CKV_K8S_16'], 'privileged is explicitly false', (t, ids) =>
    perContainer(t, ids, (c) => (sc(c).privileged === false ? undefined : 'privileged not false')),
  ),
  rule(SCORE, ['PO privilegeEscalationAllowed', 'CKV_K8S_20'], 'allowPrivilegeEscalation is false', (t, ids) =>
    perContainer(t, ids, (c) => (sc(c).allowPrivilegeEscalation === false ? undefined : 'escalation allowed')),
  ),
  rule(
    SCORE,
    ['KS container-security-context-readonlyrootfilesystem', 'PO notReadOnlyRootFilesystem', 'CKV_K8S_22'],
    'read-only root with a writable /tmp; only the preview LocalStack may be waived',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        const problem =
          sc(c).readOnlyRootFilesystem !== true
            ? 'writable root filesystem'
            : ((c.volumeMounts as Array<{ mountPath: string }>) ?? []).some((m) => m.mountPath === '/tmp')
              ? undefined
              : 'no writable /tmp';
        if (!problem) return undefined;
        // The waiver is real only where it is meant: LocalStack is the one container that needs it.
        // A dependency's in a preview is named after it (emitters/kubernetes/context.ts ownedName).
        const localStack = pod.owner.previewOf === undefined ? 'localstack' : `${pod.owner.service?.name}-localstack`;
        return pod.owner.path.endsWith(`/deployment-${localStack}.yaml`)
          ? finding(pod.owner, `${c.name}: ${problem}`, ids)
          : unwaivable(pod.owner, `${c.name}: ${problem}`);
      }),
  ),
  rule(SCORE, ['KS container-security-context-user-group-id', 'PO runAsRootAllowed', 'CKV_K8S_40'], 'UID and GID above 10000, runAsNonRoot', (t, ids) =>
    perContainer(t, ids, (c, p) => {
      const uid = effective(c, p, 'runAsUser') as number | undefined;
      const gid = effective(c, p, 'runAsGroup') as number | undefined;
      return uid !== undefined && uid > 10000 && gid !== undefined && gid > 10000 && effective(c, p, 'runAsNonRoot') === true
        ? undefined
        : `uid ${uid} gid ${gid}`;
    }),
  ),
  rule(SCORE, ['PO insecureCapabilities', 'PO dangerousCapabilities', 'CKV_K8S_28', 'CKV_K8S_37'], 'all capabilities dropped, none added', (t, ids) =>
    perContainer(t, ids, (c) => {
      const caps = sc(c).capabilities ?? {};
      return (caps.drop ?? []).includes('ALL') && (caps.add ?? []).length === 0 ? undefined : 'capabilities';
    }),
  ),
  rule(SCORE, ['KS container-seccomp-profile', 'PO linuxHardening', 'CKV_K8S_31'], 'RuntimeDefault seccomp on pod and container', (t, ids) =>
    perContainer(t, ids, (c, p) =>
      sc(c).seccompProfile?.type === 'RuntimeDefault' && podSc(p).seccompProfile?.type === 'RuntimeDefault' ? undefined : 'seccomp',
    ),
  ),
  rule(
    SCORE,
    ['PO automountServiceAccountToken', 'CKV_K8S_38'],
    'no API token mounted, on pods and ServiceAccounts [inf: Pod Identity mounts its own]',
    (t, ids) =>
      combined(
        perPod(t, ids, (p) => (p.spec.automountServiceAccountToken === false ? undefined : 'token automounted')),
        perObject(t, 'ServiceAccount', ids, (o) => (o.object.automountServiceAccountToken === false ? undefined : 'token automounted')),
      ),
  ),
  rule(
    SCORE,
    [
      'KS container-resources',
      'KS container-ephemeral-storage-request-and-limit',
      'PO cpuRequestsMissing',
      'PO cpuLimitsMissing',
      'PO memoryRequestsMissing',
      'PO memoryLimitsMissing',
    ],
    'every request and limit set for cpu, memory and ephemeral-storage',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        const r = (c.resources ?? {}) as Record<string, Record<string, string> | undefined>;
        const missing: Finding[] = [];
        for (const { key, kind, name, ids: keyIds } of RESOURCE_KEYS) if (!r[kind]?.[name]) missing.push(ofContainer(pod, c, `missing ${key}`, keyIds));
        return missing;
      }),
  ),
  rule(
    SCORE,
    ['KS container-image-tag', 'PO tagNotSpecified', 'CKV_K8S_14', 'CKV_K8S_43'],
    'an explicit tag other than latest, and the released digest wherever releases.yaml records one',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        const tag = IMAGE.exec(c.image)?.groups?.tag;
        // Where releases.yaml records the digest of the environment's release, the service's container must pin it.
        const env = pod.owner.service && pod.owner.environment ? pod.owner.service.environments[pod.owner.environment] : undefined;
        const digest = env?.release?.digest;
        // The database bootstrap Job runs the platform's psql image, not the release.
        const bootstrap = pod.owner.object.kind === 'Job' && IMAGE.exec(c.image)?.groups?.repo === t.project.platform.kubernetes.databaseBootstrapRepository;
        const pinned = digest === undefined || c !== pod.spec.containers[0] || bootstrap || c.image.endsWith(`@${digest}`);
        return [
          tag && tag !== 'latest' ? undefined : ofContainer(pod, c, `image ${c.image}`, ['KS container-image-tag', 'PO tagNotSpecified', 'CKV_K8S_14']),
          pinned ? undefined : unwaivable(pod.owner, `${c.name}: released image ${c.image} does not pin the released digest ${digest}`, ['CKV_K8S_43']),
        ];
      }),
  ),
  rule(SCORE, ['KS container-image-pull-policy', 'PO pullPolicyNotAlways', 'CKV_K8S_15'], 'imagePullPolicy Always', (t, ids) =>
    perContainer(t, ids, (c) => (c.imagePullPolicy === 'Always' ? undefined : `pull policy ${String(c.imagePullPolicy)}`)),
  ),
  rule(
    SCORE,
    ['KS pod-probes', 'KS pod-probes-identical', 'PO readinessProbeMissing', 'PO livenessProbeMissing'],
    'distinct liveness and readiness probes on every long-running (Deployment) container',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        if (pod.owner.object.kind !== 'Deployment') return undefined;
        if (!c.readinessProbe || !c.livenessProbe) {
          return [
            c.readinessProbe ? undefined : ofContainer(pod, c, 'missing a readiness probe', ['KS pod-probes', 'PO readinessProbeMissing']),
            c.livenessProbe ? undefined : ofContainer(pod, c, 'missing a liveness probe', ['KS pod-probes', 'PO livenessProbeMissing']),
          ];
        }
        return probeShape(c.readinessProbe) === probeShape(c.livenessProbe)
          ? ofContainer(pod, c, 'identical liveness and readiness', ['KS pod-probes-identical'])
          : undefined;
      }),
  ),
  rule(
    SCORE,
    ['KS deployment-replicas', 'KS deployment-targeted-by-hpa-does-not-have-replicas-configured', 'PO deploymentMissingReplicas'],
    'no replicas under an HPA, otherwise at least 2',
    (t) => {
      const ofKindBeside = siblingsOfKindIn(t);
      return perObject(t, 'Deployment', ['KS deployment-replicas', 'PO deploymentMissingReplicas'], (o) => {
        const targeted = ofKindBeside(o, 'HorizontalPodAutoscaler').some((s) => spec(s).scaleTargetRef.name === o.object.metadata.name);
        if (targeted)
          return spec(o).replicas === undefined
            ? undefined
            : finding(o, 'replicas set under an HPA', ['KS deployment-targeted-by-hpa-does-not-have-replicas-configured']);
        return spec(o).replicas >= 2 ? undefined : `replicas ${spec(o).replicas}`;
      });
    },
  ),
  rule(
    SCORE,
    ['KS horizontalpodautoscaler-has-target', 'KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability', 'PO hpaMaxAvailability'],
    'a real scale target, minReplicas at least 2, max above min',
    (t) => {
      const siblings = siblingsIn(t);
      return combined(
        perObject(t, 'HorizontalPodAutoscaler', ['KS horizontalpodautoscaler-has-target'], (o) =>
          siblings(o).some((s) => s.object.kind === spec(o).scaleTargetRef.kind && s.object.metadata.name === spec(o).scaleTargetRef.name)
            ? undefined
            : 'no such target',
        ),
        perObject(t, 'HorizontalPodAutoscaler', ['PO hpaMaxAvailability'], (o) =>
          spec(o).maxReplicas > spec(o).minReplicas ? undefined : 'max not above min',
        ),
        perObject(t, 'HorizontalPodAutoscaler', ['KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability'], (o) =>
          spec(o).minReplicas >= 2 ? undefined : `minReplicas ${spec(o).minReplicas}`,
        ),
      );
    },
  ),
  rule(
    SCORE,
    [
      'KS deployment-has-poddisruptionbudget',
      'KS poddisruptionbudget-has-policy',
      'PO missingPodDisruptionBudget',
      'PO pdbDisruptionsIsZero',
      'PO pdbMinAvailableGreaterThanHPAMinReplicas',
    ],
    'a PDB selecting the pods that allows one disruption, its minAvailable within the HPA minimum',
    (t) => {
      const ofKindBeside = siblingsOfKindIn(t);
      return perObject(t, 'Deployment', ['KS deployment-has-poddisruptionbudget', 'PO missingPodDisruptionBudget'], (o) => {
        const labels = spec(o).template.metadata.labels;
        const pdb = ofKindBeside(o, 'PodDisruptionBudget').find((s) => selects(spec(s).selector, labels));
        if (!pdb) return 'no PodDisruptionBudget';
        const p = spec(pdb);
        if (p.maxUnavailable === undefined && p.minAvailable === undefined) return finding(o, 'PDB without policy', ['KS poddisruptionbudget-has-policy']);
        if (p.maxUnavailable === 0 || p.maxUnavailable === '0%' || p.minAvailable === '100%')
          return finding(o, 'PDB allows no disruption', ['PO pdbDisruptionsIsZero']);
        const hpa = ofKindBeside(o, 'HorizontalPodAutoscaler').find((s) => spec(s).scaleTargetRef.name === o.object.metadata.name);
        return typeof p.minAvailable === 'number' && hpa && p.minAvailable > spec(hpa).minReplicas
          ? finding(o, 'PDB minAvailable above the HPA minimum', ['PO pdbMinAvailableGreaterThanHPAMinReplicas'])
          : undefined;
      });
    },
  ),
  rule(
    SCORE,
    ['KS pod-networkpolicy', 'KS networkpolicy-targets-pod', 'PO missingNetworkPolicy'],
    'every pod selected by a policy of its own with Ingress and Egress; every policy selects a pod',
    (t) => {
      const ofKindBeside = siblingsOfKindIn(t);
      const siblingTemplates = siblingTemplatesIn(t);
      return combined(
        perPod(t, ['KS pod-networkpolicy', 'PO missingNetworkPolicy'], (p) => {
          const policies = ofKindBeside(p.owner, 'NetworkPolicy').filter(
            (s) => s.object.metadata.name !== 'default-deny' && selects(spec(s).podSelector, p.metadata.labels),
          );
          return policies.some((np) => ['Ingress', 'Egress'].every((type) => spec(np).policyTypes.includes(type))) ? undefined : 'no NetworkPolicy of its own';
        }),
        perObject(t, 'NetworkPolicy', ['KS networkpolicy-targets-pod'], (o) =>
          o.object.metadata.name === 'default-deny' || siblingTemplates(o).some((p) => selects(spec(o).podSelector, p.metadata.labels))
            ? undefined
            : 'selects no pod',
        ),
      );
    },
  ),
  rule(
    SCORE,
    ['KS deployment-has-host-podantiaffinity', 'KS pod-topology-spread-constraints', 'PO topologySpreadConstraint'],
    'pods spread by topologySpreadConstraints that select them (in place of host anti-affinity)',
    (t, ids) =>
      perPod(t, ids, (p) => {
        const constraints = (p.spec.topologySpreadConstraints ?? []) as Array<{ topologyKey: string; labelSelector: any }>;
        return constraints.length > 0 && constraints.every((c) => selects(c.labelSelector, p.metadata.labels)) ? undefined : 'no topology spread';
      }),
  ),
  rule(
    SCORE,
    ['KS deployment-strategy', 'KS deployment-pod-selector-labels-match-template-metadata-labels'],
    'RollingUpdate, selector within the template labels',
    (t, ids) =>
      perObject(t, 'Deployment', ids, (o) => [
        spec(o).strategy?.type === 'RollingUpdate' ? undefined : finding(o, 'not RollingUpdate', ['KS deployment-strategy']),
        selects(spec(o).selector, spec(o).template.metadata.labels)
          ? undefined
          : finding(o, 'selector does not match template', ['KS deployment-pod-selector-labels-match-template-metadata-labels']),
      ]),
  ),
  rule(SCORE, ['KS service-type', 'KS service-targets-pod'], 'no NodePort, and a pod behind every Service', (t, ids) => {
    const siblingTemplates = siblingTemplatesIn(t);
    return perObject(t, 'Service', ids, (o) => {
      return [
        spec(o).type === 'NodePort' ? finding(o, 'NodePort', ['KS service-type']) : undefined,
        siblingTemplates(o).some((p) => selects({ matchLabels: spec(o).selector }, p.metadata.labels))
          ? undefined
          : finding(o, 'targets no pod', ['KS service-targets-pod']),
      ];
    });
  }),
  rule(SCORE, ['KS ingress-targets-service', 'PO tlsSettingsMissing'], 'Ingress backends exist and TLS covers every host', (t, ids) => {
    const ofKindBeside = siblingsOfKindIn(t);
    return perObject(t, 'Ingress', ids, (o) => {
      const backends = spec(o).rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service));
      const missing = backends.filter(
        (b: any) => !ofKindBeside(o, 'Service').some((s) => s.object.metadata.name === b.name && spec(s).ports.some((p: any) => p.name === b.port.name)),
      );
      const hosts = spec(o).rules.map((r: any) => r.host);
      return [
        missing.length > 0 ? finding(o, 'backend Service or port missing', ['KS ingress-targets-service']) : undefined,
        // As Polaris: a TLS entry covers its hosts with or without a secretName (without, the controller's default certificate; kubernetes.tlsCertificates).
        hosts.every((h: string) => (spec(o).tls ?? []).some((tls: any) => (tls.hosts ?? []).includes(h)))
          ? undefined
          : finding(o, 'host without TLS', ['PO tlsSettingsMissing']),
      ];
    });
  }),
  rule(SCORE, ['KS cronjob-has-deadline', 'KS cronjob-restartpolicy'], 'startingDeadlineSeconds set, restartPolicy Never or OnFailure', (t, ids) =>
    perObject(t, 'CronJob', ids, (o) => {
      return [
        spec(o).startingDeadlineSeconds > 0 ? undefined : finding(o, 'no deadline', ['KS cronjob-has-deadline']),
        ['Never', 'OnFailure'].includes(spec(o).jobTemplate.spec.template.spec.restartPolicy)
          ? undefined
          : finding(o, 'restartPolicy', ['KS cronjob-restartpolicy']),
      ];
    }),
  ),
  rule(
    SCORE,
    ['PO sensitiveContainerEnvVar', 'CKV_K8S_35', 'KS environment-variable-key-duplication'],
    'secrets only through secretKeyRef, no duplicate env names',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        const names = envOf(c).map((e) => e.name);
        const plain = envOf(c).filter((e) => sensitiveName(t, e.name) && !e.valueFrom?.secretKeyRef);
        return [
          new Set(names).size === names.length ? undefined : ofContainer(pod, c, 'duplicate env names', ['KS environment-variable-key-duplication']),
          plain.length > 0
            ? ofContainer(pod, c, `plain sensitive values: ${plain.map((e) => e.name).join(', ')}`, ['PO sensitiveContainerEnvVar', 'CKV_K8S_35'])
            : undefined,
        ];
      }),
  ),
  rule(SCORE, ['KS stable-version', 'KS label-values'], 'current apiVersions and valid label values on every object and pod', (t, ids) =>
    perObject(t, undefined, ids, (o) => {
      // Every object is read here: no list is made for one without a problem.
      const problems = STABLE_API_VERSIONS.has(o.object.apiVersion) ? undefined : [finding(o, `apiVersion ${o.object.apiVersion}`, ['KS stable-version'])];
      const ofObject = invalidLabels(t, o, o.object.metadata.labels ?? {}, problems);
      const template = templateOf(t, o);
      return template ? invalidLabels(t, o, template.metadata.labels, ofObject) : ofObject;
    }),
  ),
];

/** Kinds the §2 rules read; each must appear in some target, or a rule would pass on nothing. */
export const AUDITED_KINDS: readonly string[] = [
  'Deployment',
  'CronJob',
  'ServiceAccount',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Service',
  'Ingress',
  'Namespace',
  'Application',
];

export const podCount = (t: PolicyTarget): number => podTemplatesOf(t).length;
export const hasKind = (t: PolicyTarget, kind: string): boolean => ofKind(t, kind).length > 0;
