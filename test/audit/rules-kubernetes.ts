import { podTemplates, selects, type Container, type GeneratedObject } from '../kubernetes-helpers.js';
import { combined } from './findings.js';
import { addDeployment, breakContainer, breakObject, breakPod, effective, finding, ofKind, perContainer, perObject, perPod, podSc, probesOf, sc, siblingsIn, spec, unwaivable } from './kubernetes-facts.js';
import type { AuditRule, AuditTarget, Breakage, CheckResult } from './types.js';

/**
 * security-rules.md §2 (Kubernetes): the Pod Security Standards restricted
 * controls and the kube-score / polaris / checkov rows, over every pod spec and
 * object. A finding is waived only by a waiver of emitters/kubernetes/waivers.ts
 * printed in the object's file for one of the rule's ids.
 */

const PSS = '§2 PSS restricted';
const SCORE = '§2 kube-score/polaris';

const rule = (section: string, ids: readonly string[], title: string, check: (t: AuditTarget, ids: readonly string[]) => CheckResult, breaks: readonly Breakage[]): AuditRule => ({
  section,
  ids,
  title,
  kind: 'kubernetes',
  check: (t) => check(t, ids),
  breaks,
});

const volumesOf = (pod: Record<string, unknown>): Array<Record<string, unknown>> => (pod.volumes as Array<Record<string, unknown>> | undefined) ?? [];
const ALLOWED_VOLUME_KEYS = new Set(['name', 'configMap', 'downwardAPI', 'emptyDir', 'projected', 'secret', 'csi', 'persistentVolumeClaim', 'ephemeral', 'image']);
const STABLE_API_VERSIONS = new Set(['v1', 'apps/v1', 'autoscaling/v2', 'policy/v1', 'batch/v1', 'networking.k8s.io/v1', 'monitoring.coreos.com/v1', 'external-secrets.io/v1', 'argoproj.io/v1alpha1']);
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SENSITIVE_ENV = /password|token|secret|bearer|aws_secret_access_key|private_key|api_key/i;
const IMAGE = /^(?<repo>[^@]+?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** Probes compared without their timing, which kube-score ignores too. */
const probeShape = (probe: unknown): string => JSON.stringify({ ...(probe as object), periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0, initialDelaySeconds: 0 });
const envOf = (c: Container): Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }> => (c.env ?? []) as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }>;
const labelSets = (o: GeneratedObject): Array<Record<string, string>> => [o.object.metadata.labels ?? {}, ...podTemplates([o]).map((t) => t.metadata.labels)];
const isRuntimeDefaultOrLocalhost = (profile: any): boolean => ['RuntimeDefault', 'Localhost'].includes(profile?.type);

export const KUBERNETES_RULES: readonly AuditRule[] = [
  // Pod Security Standards, restricted
  rule(PSS, ['PSS hostNamespaces'], 'no hostNetwork, hostPID or hostIPC', (t, ids) => perPod(t, ids, (p) => (p.spec.hostNetwork || p.spec.hostPID || p.spec.hostIPC ? 'shares a host namespace' : undefined)), [
    breakPod('hostNetwork: true', (pod) => (pod.hostNetwork = true)),
  ]),
  rule(PSS, ['PSS privileged'], 'no privileged container', (t, ids) => perContainer(t, ids, (c) => (sc(c).privileged === true ? 'privileged' : undefined)), [
    breakContainer('privileged: true', (c) => (c.securityContext.privileged = true)),
  ]),
  rule(
    PSS,
    ['PSS hostPathVolumes', 'PSS hostPorts'],
    'no hostPath volume, no hostPort',
    (t, ids) =>
      combined(
        perPod(t, ids, (p) => (volumesOf(p.spec).some((v) => 'hostPath' in v) ? 'hostPath volume' : undefined)),
        perContainer(t, ids, (c) => (((c.ports as Array<Record<string, unknown>>) ?? []).some((p) => p.hostPort !== undefined && p.hostPort !== 0) ? 'hostPort' : undefined)),
      ),
    [breakPod('a hostPath volume', (pod) => pod.volumes.push({ name: 'host', hostPath: { path: '/' } })), breakContainer('a hostPort', (c) => c.ports.push({ containerPort: 81, hostPort: 81 }))],
  ),
  rule(
    PSS,
    ['PSS appArmorProfile'],
    'AppArmor RuntimeDefault, Localhost or unset',
    (t, ids) => {
      const ok = (profile: any): boolean => profile === undefined || isRuntimeDefaultOrLocalhost(profile);
      return perContainer(t, ids, (c, p) => (ok(sc(c).appArmorProfile) && ok(podSc(p).appArmorProfile) ? undefined : 'AppArmor profile'));
    },
    [breakContainer('AppArmor Unconfined', (c) => (c.securityContext.appArmorProfile = { type: 'Unconfined' }))],
  ),
  rule(
    PSS,
    ['PSS seLinuxOptions'],
    'no custom SELinux type, user or role',
    (t, ids) => {
      const ok = (o: any): boolean => o === undefined || (!o.user && !o.role && [undefined, '', 'container_t', 'container_init_t', 'container_kvm_t'].includes(o.type));
      return perContainer(t, ids, (c, p) => (ok(sc(c).seLinuxOptions) && ok(podSc(p).seLinuxOptions) ? undefined : 'SELinux options'));
    },
    [breakContainer('SELinux type spc_t', (c) => (c.securityContext.seLinuxOptions = { type: 'spc_t' }))],
  ),
  rule(PSS, ['PSS procMount', 'PSS procMount_restricted'], 'procMount Default or unset', (t, ids) => perContainer(t, ids, (c) => ([undefined, 'Default'].includes(sc(c).procMount) ? undefined : 'procMount')), [
    breakContainer('procMount: Unmasked', (c) => (c.securityContext.procMount = 'Unmasked')),
  ]),
  rule(PSS, ['PSS sysctls'], 'no sysctls at all (stricter than the safe set)', (t, ids) => perPod(t, ids, (p) => ((podSc(p.spec).sysctls ?? []).length > 0 ? 'sysctls' : undefined)), [
    breakPod('a sysctl', (pod) => (pod.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }])),
  ]),
  rule(PSS, ['PSS windowsHostProcess'], 'never a Windows host process', (t, ids) => perContainer(t, ids, (c, p) => ((effective(c, p, 'windowsOptions') as any)?.hostProcess ? 'hostProcess' : undefined)), [
    breakContainer('windowsOptions.hostProcess: true', (c) => (c.securityContext.windowsOptions = { hostProcess: true })),
  ]),
  rule(
    PSS,
    ['PSS hostProbesAndHostLifecycle'],
    'no probe or lifecycle handler names a host',
    (t, ids) => {
      const handlers = (c: Container): Array<Record<string, any>> => [...probesOf(c), ...Object.values((c.lifecycle ?? {}) as Record<string, any>)];
      return perContainer(t, ids, (c) => (handlers(c).some((h) => h.httpGet?.host || h.tcpSocket?.host) ? 'probe or handler host' : undefined));
    },
    [breakContainer('a preStop hook on another host', (c) => (c.lifecycle = { preStop: { httpGet: { host: '10.0.0.1', port: 80, path: '/' } } }))],
  ),
  rule(
    PSS,
    ['PSS restrictedVolumes'],
    'only configMap, downwardAPI, emptyDir, projected, secret, csi, persistentVolumeClaim, ephemeral and image volumes',
    (t, ids) => perPod(t, ids, (p) => (volumesOf(p.spec).some((v) => Object.keys(v).some((k) => !ALLOWED_VOLUME_KEYS.has(k))) ? 'volume type' : undefined)),
    [breakPod('an nfs volume', (pod) => pod.volumes.push({ name: 'nfs', nfs: { server: 'nfs', path: '/' } }))],
  ),
  rule(PSS, ['PSS allowPrivilegeEscalation'], 'allowPrivilegeEscalation false on every container', (t, ids) => perContainer(t, ids, (c) => (sc(c).allowPrivilegeEscalation === false ? undefined : 'may escalate')), [
    breakContainer('allowPrivilegeEscalation unset', (c) => delete c.securityContext.allowPrivilegeEscalation),
  ]),
  rule(PSS, ['PSS runAsNonRoot'], 'runAsNonRoot true on pod or container', (t, ids) => perContainer(t, ids, (c, p) => (effective(c, p, 'runAsNonRoot') === true ? undefined : 'may run as root')), [
    breakContainer('runAsNonRoot: false', (c) => (c.securityContext.runAsNonRoot = false)),
  ]),
  rule(PSS, ['PSS runAsUser'], 'never UID 0', (t, ids) => perContainer(t, ids, (c, p) => (effective(c, p, 'runAsUser') === 0 ? 'UID 0' : undefined)), [breakContainer('runAsUser: 0', (c) => (c.securityContext.runAsUser = 0))]),
  rule(
    PSS,
    ['PSS seccompProfile_restricted'],
    'seccomp RuntimeDefault or Localhost',
    (t, ids) => perContainer(t, ids, (c, p) => (isRuntimeDefaultOrLocalhost(effective(c, p, 'seccompProfile')) ? undefined : 'no seccomp profile')),
    [breakContainer('seccomp Unconfined', (c) => (c.securityContext.seccompProfile = { type: 'Unconfined' }))],
  ),
  rule(
    PSS,
    ['PSS capabilities_restricted'],
    'drop ALL, add nothing but NET_BIND_SERVICE',
    (t, ids) =>
      perContainer(t, ids, (c) => {
        const caps = sc(c).capabilities ?? {};
        return (caps.drop ?? []).includes('ALL') && (caps.add ?? []).every((a: string) => a === 'NET_BIND_SERVICE') ? undefined : 'capabilities';
      }),
    [breakContainer('no capability drop', (c) => (c.securityContext.capabilities = { drop: [] })), breakContainer('SYS_ADMIN added', (c) => (c.securityContext.capabilities.add = ['SYS_ADMIN']))],
  ),

  // kube-score, polaris and checkov
  rule(SCORE, ['KS container-security-context-privileged', 'PO runAsPrivileged', 'CKV_K8S_16'], 'privileged is explicitly false', (t, ids) => perContainer(t, ids, (c) => (sc(c).privileged === false ? undefined : 'privileged not false')), [
    breakContainer('privileged unset', (c) => delete c.securityContext.privileged),
  ]),
  rule(SCORE, ['PO privilegeEscalationAllowed', 'CKV_K8S_20'], 'allowPrivilegeEscalation is false', (t, ids) => perContainer(t, ids, (c) => (sc(c).allowPrivilegeEscalation === false ? undefined : 'escalation allowed')), [
    breakContainer('allowPrivilegeEscalation: true', (c) => (c.securityContext.allowPrivilegeEscalation = true)),
  ]),
  rule(
    SCORE,
    ['KS container-security-context-readonlyrootfilesystem', 'PO notReadOnlyRootFilesystem', 'CKV_K8S_22'],
    'read-only root with a writable /tmp; only the preview LocalStack may be waived',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        const problem = sc(c).readOnlyRootFilesystem !== true ? 'writable root filesystem' : ((c.volumeMounts as Array<{ mountPath: string }>) ?? []).some((m) => m.mountPath === '/tmp') ? undefined : 'no writable /tmp';
        if (!problem) return undefined;
        // The waiver is real only where it is meant: LocalStack is the one container that needs it.
        return pod.owner.path.endsWith('/deployment-localstack.yaml') ? finding(pod.owner, `${c.name}: ${problem}`, ids) : unwaivable(pod.owner, `${c.name}: ${problem}`);
      }),
    [breakContainer('readOnlyRootFilesystem: false', (c) => (c.securityContext.readOnlyRootFilesystem = false)), breakContainer('no /tmp mount', (c) => (c.volumeMounts = c.volumeMounts.filter((m: { mountPath: string }) => m.mountPath !== '/tmp')))],
  ),
  rule(
    SCORE,
    ['KS container-security-context-user-group-id', 'PO runAsRootAllowed', 'CKV_K8S_40'],
    'UID and GID above 10000, runAsNonRoot',
    (t, ids) =>
      perContainer(t, ids, (c, p) => {
        const uid = effective(c, p, 'runAsUser') as number | undefined;
        const gid = effective(c, p, 'runAsGroup') as number | undefined;
        return uid !== undefined && uid > 10000 && gid !== undefined && gid > 10000 && effective(c, p, 'runAsNonRoot') === true ? undefined : `uid ${uid} gid ${gid}`;
      }),
    [breakContainer('runAsUser: 1000', (c) => (c.securityContext.runAsUser = 1000))],
  ),
  rule(
    SCORE,
    ['PO insecureCapabilities', 'PO dangerousCapabilities', 'CKV_K8S_28', 'CKV_K8S_37'],
    'all capabilities dropped, none added',
    (t, ids) =>
      perContainer(t, ids, (c) => {
        const caps = sc(c).capabilities ?? {};
        return (caps.drop ?? []).includes('ALL') && (caps.add ?? []).length === 0 ? undefined : 'capabilities';
      }),
    [breakContainer('NET_BIND_SERVICE added', (c) => (c.securityContext.capabilities.add = ['NET_BIND_SERVICE']))],
  ),
  rule(
    SCORE,
    ['KS container-seccomp-profile', 'PO linuxHardening', 'CKV_K8S_31'],
    'RuntimeDefault seccomp on pod and container',
    (t, ids) => perContainer(t, ids, (c, p) => (sc(c).seccompProfile?.type === 'RuntimeDefault' && podSc(p).seccompProfile?.type === 'RuntimeDefault' ? undefined : 'seccomp')),
    [breakPod('no pod seccomp profile', (pod) => delete pod.securityContext.seccompProfile)],
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
    [breakPod('automountServiceAccountToken: true', (pod) => (pod.automountServiceAccountToken = true)), breakObject('a ServiceAccount that mounts its token', 'ServiceAccount', (sa) => delete sa.automountServiceAccountToken)],
  ),
  rule(
    SCORE,
    ['KS container-resources', 'KS container-ephemeral-storage-request-and-limit', 'PO cpuRequestsMissing', 'PO cpuLimitsMissing', 'PO memoryRequestsMissing', 'PO memoryLimitsMissing'],
    'every request and limit set for cpu, memory and ephemeral-storage',
    (t, ids) =>
      perContainer(t, ids, (c) => {
        const r = (c.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> };
        const missing = ['cpu', 'memory', 'ephemeral-storage'].flatMap((k) => [...(r.requests?.[k] ? [] : [`requests.${k}`]), ...(r.limits?.[k] ? [] : [`limits.${k}`])]);
        return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
      }),
    [breakContainer('no CPU limit', (c) => delete c.resources.limits.cpu)],
  ),
  rule(
    SCORE,
    ['KS container-image-tag', 'PO tagNotSpecified', 'CKV_K8S_14', 'CKV_K8S_43'],
    'an explicit tag other than latest, and the digest wherever the release has one (examples/shop)',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        const tag = IMAGE.exec(c.image)?.groups?.tag;
        // A release may be recorded without a digest; examples/shop records every digest, so there it must be printed.
        const released = pod.owner.where.startsWith('examples/shop:') && !pod.owner.path.includes('/preview/') && c === pod.spec.containers[0];
        return [tag && tag !== 'latest' ? undefined : `image ${c.image}`, released && !c.image.includes('@sha256:') && !c.image.endsWith(':unreleased') ? unwaivable(pod.owner, `${c.name}: released image ${c.image} has no digest`) : undefined];
      }),
    [breakContainer('image :latest', (c) => (c.image = 'registry.example/app:latest')), breakContainer('a released tag without digest', (c) => (c.image = 'registry.example/app:1.2.3'))],
  ),
  rule(SCORE, ['KS container-image-pull-policy', 'PO pullPolicyNotAlways', 'CKV_K8S_15'], 'imagePullPolicy Always', (t, ids) => perContainer(t, ids, (c) => (c.imagePullPolicy === 'Always' ? undefined : `pull policy ${String(c.imagePullPolicy)}`)), [
    breakContainer('imagePullPolicy: IfNotPresent', (c) => (c.imagePullPolicy = 'IfNotPresent')),
  ]),
  rule(
    SCORE,
    ['KS pod-probes', 'KS pod-probes-identical', 'PO readinessProbeMissing', 'PO livenessProbeMissing'],
    'distinct liveness and readiness probes on every long-running (Deployment) container',
    (t, ids) =>
      perContainer(t, ids, (c, _p, pod) => {
        if (pod.owner.object.kind !== 'Deployment') return undefined;
        if (!c.readinessProbe || !c.livenessProbe) return 'missing a probe';
        return probeShape(c.readinessProbe) === probeShape(c.livenessProbe) ? 'identical liveness and readiness' : undefined;
      }),
    [breakContainer('no readiness probe', (c) => delete c.readinessProbe), breakContainer('liveness = readiness', (c) => (c.livenessProbe = structuredClone(c.readinessProbe)))],
  ),
  rule(
    SCORE,
    ['KS deployment-replicas', 'KS deployment-targeted-by-hpa-does-not-have-replicas-configured', 'PO deploymentMissingReplicas'],
    'no replicas under an HPA, otherwise at least 2',
    (t) => {
      const siblings = siblingsIn(t);
      return perObject(t, 'Deployment', ['KS deployment-replicas', 'PO deploymentMissingReplicas'], (o) => {
        const targeted = siblings(o).some((s) => s.object.kind === 'HorizontalPodAutoscaler' && spec(s).scaleTargetRef.name === o.object.metadata.name);
        if (targeted) return spec(o).replicas === undefined ? undefined : 'replicas set under an HPA';
        return spec(o).replicas >= 2 ? undefined : `replicas ${spec(o).replicas}`;
      });
    },
    [breakObject('replicas: 1', 'Deployment', (d) => (d.spec.replicas = 1))],
  ),
  rule(
    SCORE,
    ['KS horizontalpodautoscaler-has-target', 'KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability', 'PO hpaMaxAvailability'],
    'a real scale target, minReplicas at least 2, max above min',
    (t) => {
      const siblings = siblingsIn(t);
      return combined(
        perObject(t, 'HorizontalPodAutoscaler', ['KS horizontalpodautoscaler-has-target'], (o) => (siblings(o).some((s) => s.object.kind === spec(o).scaleTargetRef.kind && s.object.metadata.name === spec(o).scaleTargetRef.name) ? undefined : 'no such target')),
        perObject(t, 'HorizontalPodAutoscaler', ['PO hpaMaxAvailability'], (o) => (spec(o).maxReplicas > spec(o).minReplicas ? undefined : 'max not above min')),
        perObject(t, 'HorizontalPodAutoscaler', ['KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability'], (o) => (spec(o).minReplicas >= 2 ? undefined : `minReplicas ${spec(o).minReplicas}`)),
      );
    },
    [breakObject('a missing target', 'HorizontalPodAutoscaler', (h) => (h.spec.scaleTargetRef.name = 'nothing')), breakObject('maxReplicas = minReplicas', 'HorizontalPodAutoscaler', (h) => (h.spec.maxReplicas = h.spec.minReplicas))],
  ),
  rule(
    SCORE,
    ['KS deployment-has-poddisruptionbudget', 'KS poddisruptionbudget-has-policy', 'PO missingPodDisruptionBudget', 'PO pdbDisruptionsIsZero', 'PO pdbMinAvailableGreaterThanHPAMinReplicas'],
    'a PDB selecting the pods that allows one disruption, its minAvailable within the HPA minimum',
    (t) => {
      const siblings = siblingsIn(t);
      return perObject(t, 'Deployment', ['KS deployment-has-poddisruptionbudget', 'PO missingPodDisruptionBudget'], (o) => {
        const labels = spec(o).template.metadata.labels;
        const pdb = siblings(o).find((s) => s.object.kind === 'PodDisruptionBudget' && selects(spec(s).selector, labels));
        if (!pdb) return 'no PodDisruptionBudget';
        const p = spec(pdb);
        if (p.maxUnavailable === undefined && p.minAvailable === undefined) return 'PDB without policy';
        if (p.maxUnavailable === 0 || p.maxUnavailable === '0%' || p.minAvailable === '100%') return 'PDB allows no disruption';
        const hpa = siblings(o).find((s) => s.object.kind === 'HorizontalPodAutoscaler' && spec(s).scaleTargetRef.name === o.object.metadata.name);
        return typeof p.minAvailable === 'number' && hpa && p.minAvailable > spec(hpa).minReplicas ? 'PDB minAvailable above the HPA minimum' : undefined;
      });
    },
    [breakObject('maxUnavailable: 0', 'PodDisruptionBudget', (p) => (p.spec.maxUnavailable = 0)), breakObject('a PDB that selects nothing', 'PodDisruptionBudget', (p) => (p.spec.selector = { matchLabels: { app: 'none' } }))],
  ),
  rule(
    SCORE,
    ['KS pod-networkpolicy', 'KS networkpolicy-targets-pod', 'PO missingNetworkPolicy'],
    'every pod selected by a policy of its own with Ingress and Egress; every policy selects a pod',
    (t) => {
      const siblings = siblingsIn(t);
      return combined(
        perPod(t, ['KS pod-networkpolicy', 'PO missingNetworkPolicy'], (p) => {
          const policies = siblings(p.owner).filter((s) => s.object.kind === 'NetworkPolicy' && s.object.metadata.name !== 'default-deny' && selects(spec(s).podSelector, p.metadata.labels));
          return policies.some((np) => ['Ingress', 'Egress'].every((type) => spec(np).policyTypes.includes(type))) ? undefined : 'no NetworkPolicy of its own';
        }),
        perObject(t, 'NetworkPolicy', ['KS networkpolicy-targets-pod'], (o) => (o.object.metadata.name === 'default-deny' || podTemplates(siblings(o)).some((p) => selects(spec(o).podSelector, p.metadata.labels)) ? undefined : 'selects no pod')),
      );
    },
    [
      breakObject('the service policy without Egress', 'NetworkPolicy', (np) => (np.spec.policyTypes = ['Ingress']), (o) => o.path.includes('/staging/') && o.object.metadata.name !== 'default-deny'),
      breakObject('a policy that selects nothing', 'NetworkPolicy', (np) => (np.spec.podSelector = { matchLabels: { app: 'none' } }), (o) => o.path.includes('/staging/') && o.object.metadata.name !== 'default-deny'),
    ],
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
    [breakPod('no topology spread', (pod) => delete pod.topologySpreadConstraints)],
  ),
  rule(
    SCORE,
    ['KS deployment-strategy', 'KS deployment-pod-selector-labels-match-template-metadata-labels'],
    'RollingUpdate, selector within the template labels',
    (t, ids) => perObject(t, 'Deployment', ids, (o) => (spec(o).strategy?.type !== 'RollingUpdate' ? 'not RollingUpdate' : selects(spec(o).selector, spec(o).template.metadata.labels) ? undefined : 'selector does not match template')),
    [breakObject('strategy Recreate', 'Deployment', (d) => (d.spec.strategy = { type: 'Recreate' }))],
  ),
  rule(
    SCORE,
    ['KS service-type', 'KS service-targets-pod'],
    'no NodePort, and a pod behind every Service',
    (t, ids) => {
      const siblings = siblingsIn(t);
      return perObject(t, 'Service', ids, (o) => {
        if (spec(o).type === 'NodePort') return 'NodePort';
        return podTemplates(siblings(o)).some((p) => selects({ matchLabels: spec(o).selector }, p.metadata.labels)) ? undefined : 'targets no pod';
      });
    },
    [breakObject('type NodePort', 'Service', (s) => (s.spec.type = 'NodePort'))],
  ),
  rule(
    SCORE,
    ['KS ingress-targets-service', 'PO tlsSettingsMissing'],
    'Ingress backends exist and TLS covers every host',
    (t, ids) => {
      const siblings = siblingsIn(t);
      return perObject(t, 'Ingress', ids, (o) => {
        const backends = spec(o).rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service));
        const missing = backends.filter((b: any) => !siblings(o).some((s) => s.object.kind === 'Service' && s.object.metadata.name === b.name && spec(s).ports.some((p: any) => p.name === b.port.name)));
        if (missing.length > 0) return 'backend Service or port missing';
        const hosts = spec(o).rules.map((r: any) => r.host);
        return hosts.every((h: string) => (spec(o).tls ?? []).some((tls: any) => tls.hosts.includes(h) && tls.secretName)) ? undefined : 'host without TLS';
      });
    },
    [breakObject('no TLS', 'Ingress', (i) => delete i.spec.tls), breakObject('a backend port that does not exist', 'Ingress', (i) => (i.spec.rules[0].http.paths[0].backend.service.port = { name: 'nothing' }))],
  ),
  rule(
    SCORE,
    ['KS cronjob-has-deadline', 'KS cronjob-restartpolicy'],
    'startingDeadlineSeconds set, restartPolicy Never or OnFailure',
    (t, ids) =>
      perObject(t, 'CronJob', ids, (o) => {
        if (!(spec(o).startingDeadlineSeconds > 0)) return 'no deadline';
        return ['Never', 'OnFailure'].includes(spec(o).jobTemplate.spec.template.spec.restartPolicy) ? undefined : 'restartPolicy';
      }),
    [breakObject('no startingDeadlineSeconds', 'CronJob', (c) => delete c.spec.startingDeadlineSeconds), breakObject('restartPolicy Always', 'CronJob', (c) => (c.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always'))],
  ),
  rule(
    SCORE,
    ['PO sensitiveContainerEnvVar', 'CKV_K8S_35', 'KS environment-variable-key-duplication'],
    'secrets only through secretKeyRef, no duplicate env names',
    (t, ids) =>
      perContainer(t, ids, (c) => {
        const names = envOf(c).map((e) => e.name);
        if (new Set(names).size !== names.length) return 'duplicate env names';
        const plain = envOf(c).filter((e) => SENSITIVE_ENV.test(e.name) && !e.valueFrom?.secretKeyRef);
        return plain.length > 0 ? `plain sensitive values: ${plain.map((e) => e.name).join(', ')}` : undefined;
      }),
    [breakContainer('a literal DB_PASSWORD', (c) => (c.env = [...(c.env ?? []), { name: 'DB_PASSWORD', value: 'hunter2' }])), breakContainer('a duplicate env name', (c) => (c.env = [...(c.env ?? []), { name: 'A', value: '1' }, { name: 'A', value: '2' }]))],
  ),
  rule(
    SCORE,
    ['KS stable-version', 'KS label-values'],
    'current apiVersions and valid label values on every object and pod',
    (t, ids) =>
      perObject(t, undefined, ids, (o) => [
        STABLE_API_VERSIONS.has(o.object.apiVersion) ? undefined : `apiVersion ${o.object.apiVersion}`,
        ...labelSets(o).flatMap((labels) => Object.entries(labels).filter(([, v]) => v.length > 63 || !LABEL_VALUE.test(v)).map(([k, v]) => `label ${k}=${v}`)),
      ]),
    [breakObject('apiVersion extensions/v1beta1', 'Deployment', (d) => (d.apiVersion = 'extensions/v1beta1')), addDeployment('a label value with a space', (d) => (d.metadata.labels['paved.dev/team'] = 'team commerce'))],
  ),
];

/** Kinds the §2 rules read; each must appear in some target, or a rule would pass on nothing. */
export const AUDITED_KINDS: readonly string[] = ['Deployment', 'CronJob', 'ServiceAccount', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Service', 'Ingress'];

export const podCount = (t: AuditTarget): number => podTemplates(t.objects).length;
export const hasKind = (t: AuditTarget, kind: string): boolean => ofKind(t, kind).length > 0;
