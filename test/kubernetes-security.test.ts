import { describe, expect, it } from 'vitest';
import { waivedRules } from '../emitters/kubernetes/waivers.js';
import { allContainers, generatedObjects, podTemplates, selects, type Container, type GeneratedObject, type PodSpec, type PodTemplate } from './kubernetes-helpers.js';

/**
 * security-rules.md §2, one test per rule id, over every pod spec and object of
 * every golden case and example. A finding fails the test unless the object's
 * file waives that rule id in a `# paved waiver:` comment.
 */

const objects = generatedObjects();
const templates = podTemplates(objects);
const byDirectory = new Map<string, GeneratedObject[]>();
for (const o of objects) byDirectory.set(o.directory, [...(byDirectory.get(o.directory) ?? []), o]);
const siblings = (o: GeneratedObject): GeneratedObject[] => byDirectory.get(o.directory) ?? [];
const ofKind = (kind: string): GeneratedObject[] => objects.filter((o) => o.object.kind === kind);
const spec = (o: GeneratedObject): Record<string, any> => o.object.spec as Record<string, any>;

type Finding = string;

/** Findings of a rule, minus those the owning file waives for any of the rule's ids. */
function unwaived(ids: readonly string[], findings: ReadonlyArray<{ owner: GeneratedObject; problem: string }>): Finding[] {
  return findings.filter(({ owner }) => !ids.some((id) => waivedRules(owner.contents).has(id))).map(({ owner, problem }) => `${owner.where}: ${problem}`);
}

function perContainer(check: (c: Container, pod: PodSpec) => string | undefined): Array<{ owner: GeneratedObject; problem: string }> {
  return templates.flatMap((t) => allContainers(t.spec).flatMap((c) => {
    const problem = check(c, t.spec);
    return problem ? [{ owner: t.owner, problem: `${c.name}: ${problem}` }] : [];
  }));
}

function perPod(check: (t: PodTemplate) => string | undefined): Array<{ owner: GeneratedObject; problem: string }> {
  return templates.flatMap((t) => {
    const problem = check(t);
    return problem ? [{ owner: t.owner, problem }] : [];
  });
}

function perObject(kind: string, check: (o: GeneratedObject) => string | undefined): Array<{ owner: GeneratedObject; problem: string }> {
  return ofKind(kind).flatMap((o) => {
    const problem = check(o);
    return problem ? [{ owner: o, problem }] : [];
  });
}

const sc = (c: Container): Record<string, any> => (c.securityContext ?? {}) as Record<string, any>;
const podSc = (p: PodSpec): Record<string, any> => (p.securityContext ?? {}) as Record<string, any>;
/** A container setting, falling back to the pod's, as the kubelet resolves it. */
const effective = (c: Container, p: PodSpec, key: string): unknown => sc(c)[key] ?? podSc(p)[key];
const probesOf = (c: Container): Array<Record<string, any>> => [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean) as Array<Record<string, any>>;

describe('the golden cases and examples', () => {
  it('produce pod specs for the rule tests to check', () => {
    expect(templates.length).toBeGreaterThan(40);
    expect(templates.some((t) => t.owner.object.kind === 'CronJob')).toBe(true);
  });
});

describe('Pod Security Standards, restricted (pod-security-admission)', () => {
  it('hostNamespaces: no hostNetwork, hostPID or hostIPC', () => {
    expect(unwaived(['PSS hostNamespaces'], perPod((t) => (t.spec.hostNetwork || t.spec.hostPID || t.spec.hostIPC ? 'shares a host namespace' : undefined)))).toEqual([]);
  });

  it('privileged: no privileged container', () => {
    expect(unwaived(['PSS privileged'], perContainer((c) => (sc(c).privileged === true ? 'privileged' : undefined)))).toEqual([]);
  });

  it('hostPathVolumes and hostPorts: none', () => {
    const volumes = perPod((t) => (((t.spec.volumes as Array<Record<string, unknown>>) ?? []).some((v) => 'hostPath' in v) ? 'hostPath volume' : undefined));
    const ports = perContainer((c) => (((c.ports as Array<Record<string, unknown>>) ?? []).some((p) => p.hostPort !== undefined && p.hostPort !== 0) ? 'hostPort' : undefined));
    expect(unwaived(['PSS hostPathVolumes', 'PSS hostPorts'], [...volumes, ...ports])).toEqual([]);
  });

  it('appArmorProfile: RuntimeDefault, Localhost or unset', () => {
    const ok = (profile: any): boolean => profile === undefined || ['RuntimeDefault', 'Localhost'].includes(profile.type);
    expect(unwaived(['PSS appArmorProfile'], perContainer((c, p) => (ok(sc(c).appArmorProfile) && ok(podSc(p).appArmorProfile) ? undefined : 'AppArmor profile')))).toEqual([]);
  });

  it('seLinuxOptions: no custom type, user or role', () => {
    const ok = (o: any): boolean => o === undefined || (!o.user && !o.role && [undefined, '', 'container_t', 'container_init_t', 'container_kvm_t'].includes(o.type));
    expect(unwaived(['PSS seLinuxOptions'], perContainer((c, p) => (ok(sc(c).seLinuxOptions) && ok(podSc(p).seLinuxOptions) ? undefined : 'SELinux options')))).toEqual([]);
  });

  it('procMount: Default or unset', () => {
    expect(unwaived(['PSS procMount'], perContainer((c) => ([undefined, 'Default'].includes(sc(c).procMount) ? undefined : 'procMount')))).toEqual([]);
  });

  it('sysctls: none beyond the safe set', () => {
    expect(unwaived(['PSS sysctls'], perPod((t) => ((podSc(t.spec).sysctls ?? []).length > 0 ? 'sysctls' : undefined)))).toEqual([]);
  });

  it('windowsHostProcess: never', () => {
    expect(unwaived(['PSS windowsHostProcess'], perContainer((c, p) => (effective(c, p, 'windowsOptions') && (effective(c, p, 'windowsOptions') as any).hostProcess ? 'hostProcess' : undefined)))).toEqual([]);
  });

  it('hostProbesAndHostLifecycle: no probe or lifecycle handler names a host', () => {
    const handlers = (c: Container): Array<Record<string, any>> => [...probesOf(c), ...Object.values((c.lifecycle ?? {}) as Record<string, any>)];
    expect(unwaived(['PSS hostProbesAndHostLifecycle'], perContainer((c) => (handlers(c).some((h) => h.httpGet?.host || h.tcpSocket?.host) ? 'probe host' : undefined)))).toEqual([]);
  });

  it('restrictedVolumes: only configMap, downwardAPI, emptyDir, projected, secret, csi, persistentVolumeClaim, ephemeral, image', () => {
    const allowed = new Set(['name', 'configMap', 'downwardAPI', 'emptyDir', 'projected', 'secret', 'csi', 'persistentVolumeClaim', 'ephemeral', 'image']);
    expect(unwaived(['PSS restrictedVolumes'], perPod((t) => (((t.spec.volumes as Array<Record<string, unknown>>) ?? []).some((v) => Object.keys(v).some((k) => !allowed.has(k))) ? 'volume type' : undefined)))).toEqual([]);
  });

  it('allowPrivilegeEscalation: false on every container', () => {
    expect(unwaived(['PSS allowPrivilegeEscalation'], perContainer((c) => (sc(c).allowPrivilegeEscalation === false ? undefined : 'may escalate')))).toEqual([]);
  });

  it('runAsNonRoot: true', () => {
    expect(unwaived(['PSS runAsNonRoot'], perContainer((c, p) => (effective(c, p, 'runAsNonRoot') === true ? undefined : 'may run as root')))).toEqual([]);
  });

  it('runAsUser: never 0', () => {
    expect(unwaived(['PSS runAsUser'], perContainer((c, p) => (effective(c, p, 'runAsUser') === 0 ? 'UID 0' : undefined)))).toEqual([]);
  });

  it('seccompProfile_restricted: RuntimeDefault or Localhost', () => {
    expect(unwaived(['PSS seccompProfile_restricted'], perContainer((c, p) => (['RuntimeDefault', 'Localhost'].includes((effective(c, p, 'seccompProfile') as any)?.type) ? undefined : 'no seccomp profile')))).toEqual([]);
  });

  it('capabilities_restricted: drop ALL, add nothing but NET_BIND_SERVICE', () => {
    expect(
      unwaived(
        ['PSS capabilities_restricted'],
        perContainer((c) => {
          const caps = sc(c).capabilities ?? {};
          return (caps.drop ?? []).includes('ALL') && (caps.add ?? []).every((a: string) => a === 'NET_BIND_SERVICE') ? undefined : 'capabilities';
        }),
      ),
    ).toEqual([]);
  });
});

describe('kube-score, polaris and checkov (security-rules.md §2)', () => {
  it('KS container-security-context-privileged, PO runAsPrivileged, CKV_K8S_16: privileged is false', () => {
    expect(unwaived(['KS container-security-context-privileged', 'PO runAsPrivileged', 'CKV_K8S_16'], perContainer((c) => (sc(c).privileged === false ? undefined : 'privileged not false')))).toEqual([]);
  });

  it('PO privilegeEscalationAllowed, CKV_K8S_20: allowPrivilegeEscalation is false', () => {
    expect(unwaived(['PO privilegeEscalationAllowed', 'CKV_K8S_20'], perContainer((c) => (sc(c).allowPrivilegeEscalation === false ? undefined : 'escalation allowed')))).toEqual([]);
  });

  it('KS container-security-context-readonlyrootfilesystem, PO notReadOnlyRootFilesystem, CKV_K8S_22: read-only root with a writable /tmp', () => {
    const ids = ['KS container-security-context-readonlyrootfilesystem', 'PO notReadOnlyRootFilesystem', 'CKV_K8S_22'];
    const findings = perContainer((c) => {
      if (sc(c).readOnlyRootFilesystem !== true) return 'writable root filesystem';
      return ((c.volumeMounts as Array<{ mountPath: string }>) ?? []).some((m) => m.mountPath === '/tmp') ? undefined : 'no writable /tmp';
    });
    expect(unwaived(ids, findings)).toEqual([]);
    // The waiver is real: LocalStack is the one container that needs it.
    expect(findings.every(({ owner }) => owner.path.endsWith('/deployment-localstack.yaml'))).toBe(true);
  });

  it('KS container-security-context-user-group-id, PO runAsRootAllowed, CKV_K8S_40: UID and GID above 10000, runAsNonRoot', () => {
    const findings = perContainer((c, p) => {
      const uid = effective(c, p, 'runAsUser') as number | undefined;
      const gid = effective(c, p, 'runAsGroup') as number | undefined;
      return uid !== undefined && uid > 10000 && gid !== undefined && gid > 10000 && effective(c, p, 'runAsNonRoot') === true ? undefined : `uid ${uid} gid ${gid}`;
    });
    expect(unwaived(['KS container-security-context-user-group-id', 'PO runAsRootAllowed', 'CKV_K8S_40'], findings)).toEqual([]);
  });

  it('PO insecureCapabilities, PO dangerousCapabilities, CKV_K8S_28, CKV_K8S_37: capabilities dropped, none added', () => {
    const findings = perContainer((c) => {
      const caps = sc(c).capabilities ?? {};
      return (caps.drop ?? []).includes('ALL') && (caps.add ?? []).length === 0 ? undefined : 'capabilities';
    });
    expect(unwaived(['PO insecureCapabilities', 'PO dangerousCapabilities', 'CKV_K8S_28', 'CKV_K8S_37'], findings)).toEqual([]);
  });

  it('KS container-seccomp-profile, PO linuxHardening, CKV_K8S_31: RuntimeDefault seccomp on pod and container', () => {
    const findings = perContainer((c, p) => (sc(c).seccompProfile?.type === 'RuntimeDefault' && podSc(p).seccompProfile?.type === 'RuntimeDefault' ? undefined : 'seccomp'));
    expect(unwaived(['KS container-seccomp-profile', 'PO linuxHardening', 'CKV_K8S_31'], findings)).toEqual([]);
  });

  it('PO automountServiceAccountToken, CKV_K8S_38: no API token mounted, on pods and ServiceAccounts', () => {
    const pods = perPod((t) => (t.spec.automountServiceAccountToken === false ? undefined : 'token automounted'));
    const accounts = perObject('ServiceAccount', (o) => (o.object.automountServiceAccountToken === false ? undefined : 'token automounted'));
    expect(unwaived(['PO automountServiceAccountToken', 'CKV_K8S_38'], [...pods, ...accounts])).toEqual([]);
  });

  it('KS container-resources, KS container-ephemeral-storage-request-and-limit, PO cpu/memory Requests/LimitsMissing: every request and limit set', () => {
    const findings = perContainer((c) => {
      const r = (c.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> };
      const missing = ['cpu', 'memory', 'ephemeral-storage'].flatMap((k) => [...(r.requests?.[k] ? [] : [`requests.${k}`]), ...(r.limits?.[k] ? [] : [`limits.${k}`])]);
      return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
    });
    expect(unwaived(['KS container-resources', 'KS container-ephemeral-storage-request-and-limit', 'PO cpuRequestsMissing', 'PO cpuLimitsMissing', 'PO memoryRequestsMissing', 'PO memoryLimitsMissing'], findings)).toEqual([]);
  });

  it('KS container-image-tag, PO tagNotSpecified, CKV_K8S_14, CKV_K8S_43: an explicit tag other than latest, and the digest wherever the release has one', () => {
    const findings = perContainer((c) => {
      const match = /^(?<repo>[^@]+?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]*))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/.exec(c.image);
      const tag = match?.groups?.tag;
      return tag && tag !== 'latest' ? undefined : `image ${c.image}`;
    });
    expect(unwaived(['KS container-image-tag', 'PO tagNotSpecified', 'CKV_K8S_14'], findings)).toEqual([]);
    const released = templates.filter((t) => t.owner.where.startsWith('examples/shop:') && !t.owner.path.includes('/preview/'));
    const unpinned = released.filter((t) => !t.spec.containers[0]!.image.includes('@sha256:') && !t.spec.containers[0]!.image.endsWith(':unreleased'));
    expect(unpinned.map((t) => t.owner.where)).toEqual([]);
  });

  it('KS container-image-pull-policy, PO pullPolicyNotAlways, CKV_K8S_15: imagePullPolicy Always', () => {
    expect(unwaived(['KS container-image-pull-policy', 'PO pullPolicyNotAlways', 'CKV_K8S_15'], perContainer((c) => (c.imagePullPolicy === 'Always' ? undefined : `pull policy ${c.imagePullPolicy}`)))).toEqual([]);
  });

  it('KS pod-probes, KS pod-probes-identical, PO readinessProbeMissing, PO livenessProbeMissing: distinct probes on every long-running container', () => {
    const findings = perContainer((c) => {
      if (!c.readinessProbe || !c.livenessProbe) return 'missing a probe';
      return JSON.stringify({ ...(c.readinessProbe as object), periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0, initialDelaySeconds: 0 }) ===
        JSON.stringify({ ...(c.livenessProbe as object), periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0, initialDelaySeconds: 0 })
        ? 'identical liveness and readiness'
        : undefined;
    }).filter(({ owner }) => owner.object.kind === 'Deployment');
    expect(unwaived(['KS pod-probes', 'KS pod-probes-identical', 'PO readinessProbeMissing', 'PO livenessProbeMissing'], findings)).toEqual([]);
  });

  it('KS deployment-replicas, KS deployment-targeted-by-hpa-does-not-have-replicas-configured, PO deploymentMissingReplicas: no replicas under an HPA, otherwise at least 2', () => {
    const findings = perObject('Deployment', (o) => {
      const targeted = siblings(o).some((s) => s.object.kind === 'HorizontalPodAutoscaler' && spec(s).scaleTargetRef.name === o.object.metadata.name);
      if (targeted) return spec(o).replicas === undefined ? undefined : 'replicas set under an HPA';
      return spec(o).replicas >= 2 ? undefined : `replicas ${spec(o).replicas}`;
    });
    expect(unwaived(['KS deployment-replicas', 'PO deploymentMissingReplicas'], findings)).toEqual([]);
  });

  it('KS horizontalpodautoscaler-has-target, KS horizontalpodautoscaler-replicas, PO hpaMinAvailability, PO hpaMaxAvailability: a real target, min at least 2, max above min', () => {
    const target = perObject('HorizontalPodAutoscaler', (o) => (siblings(o).some((s) => s.object.kind === spec(o).scaleTargetRef.kind && s.object.metadata.name === spec(o).scaleTargetRef.name) ? undefined : 'no such target'));
    const max = perObject('HorizontalPodAutoscaler', (o) => (spec(o).maxReplicas > spec(o).minReplicas ? undefined : 'max not above min'));
    const min = perObject('HorizontalPodAutoscaler', (o) => (spec(o).minReplicas >= 2 ? undefined : `minReplicas ${spec(o).minReplicas}`));
    expect([...unwaived(['KS horizontalpodautoscaler-has-target'], target), ...unwaived(['PO hpaMaxAvailability'], max), ...unwaived(['KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability'], min)]).toEqual([]);
  });

  it('KS deployment-has-poddisruptionbudget, KS poddisruptionbudget-has-policy, PO missingPodDisruptionBudget, PO pdbDisruptionsIsZero, PO pdbMinAvailableGreaterThanHPAMinReplicas: a PDB that allows one disruption', () => {
    const findings = perObject('Deployment', (o) => {
      const labels = spec(o).template.metadata.labels;
      const pdb = siblings(o).find((s) => s.object.kind === 'PodDisruptionBudget' && selects(spec(s).selector, labels));
      if (!pdb) return 'no PodDisruptionBudget';
      const p = spec(pdb);
      if (p.maxUnavailable === undefined && p.minAvailable === undefined) return 'PDB without policy';
      if (p.maxUnavailable === 0 || p.maxUnavailable === '0%' || p.minAvailable === '100%') return 'PDB allows no disruption';
      return undefined;
    });
    expect(unwaived(['KS deployment-has-poddisruptionbudget', 'PO missingPodDisruptionBudget'], findings)).toEqual([]);
  });

  it('KS pod-networkpolicy, KS networkpolicy-targets-pod, PO missingNetworkPolicy: every pod selected by a policy with Ingress and Egress', () => {
    const findings = perPod((t) => {
      const policies = siblings(t.owner).filter((s) => s.object.kind === 'NetworkPolicy' && s.object.metadata.name !== 'default-deny' && selects(spec(s).podSelector, t.metadata.labels));
      return policies.some((p) => ['Ingress', 'Egress'].every((type) => spec(p).policyTypes.includes(type))) ? undefined : 'no NetworkPolicy of its own';
    });
    const targetless = perObject('NetworkPolicy', (o) => (o.object.metadata.name === 'default-deny' || podTemplates(siblings(o)).some((t) => selects(spec(o).podSelector, t.metadata.labels)) ? undefined : 'selects no pod'));
    expect(unwaived(['KS pod-networkpolicy', 'PO missingNetworkPolicy'], findings)).toEqual([]);
    expect(unwaived(['KS networkpolicy-targets-pod'], targetless)).toEqual([]);
  });

  it('KS pod-topology-spread-constraints, PO topologySpreadConstraint: pods spread over zones and nodes', () => {
    const findings = perPod((t) => {
      const constraints = (t.spec.topologySpreadConstraints ?? []) as Array<{ topologyKey: string; labelSelector: any }>;
      return constraints.length > 0 && constraints.every((c) => selects(c.labelSelector, t.metadata.labels)) ? undefined : 'no topology spread';
    });
    expect(unwaived(['KS pod-topology-spread-constraints', 'PO topologySpreadConstraint'], findings)).toEqual([]);
  });

  it('KS deployment-strategy, KS deployment-pod-selector-labels-match-template-metadata-labels: RollingUpdate, selector within the template labels', () => {
    const findings = perObject('Deployment', (o) => (spec(o).strategy?.type !== 'RollingUpdate' ? 'not RollingUpdate' : selects(spec(o).selector, spec(o).template.metadata.labels) ? undefined : 'selector does not match template'));
    expect(unwaived(['KS deployment-strategy', 'KS deployment-pod-selector-labels-match-template-metadata-labels'], findings)).toEqual([]);
  });

  it('KS service-type, KS service-targets-pod: no NodePort, and a pod behind every Service', () => {
    const findings = perObject('Service', (o) => {
      if (spec(o).type === 'NodePort') return 'NodePort';
      return podTemplates(siblings(o)).some((t) => selects({ matchLabels: spec(o).selector }, t.metadata.labels)) ? undefined : 'targets no pod';
    });
    expect(unwaived(['KS service-type', 'KS service-targets-pod'], findings)).toEqual([]);
  });

  it('KS ingress-targets-service, PO tlsSettingsMissing: backends exist, TLS covers the host', () => {
    const findings = perObject('Ingress', (o) => {
      const backends = spec(o).rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service));
      const missing = backends.filter((b: any) => !siblings(o).some((s) => s.object.kind === 'Service' && s.object.metadata.name === b.name && spec(s).ports.some((p: any) => p.name === b.port.name)));
      if (missing.length > 0) return 'backend Service or port missing';
      const hosts = spec(o).rules.map((r: any) => r.host);
      return hosts.every((h: string) => (spec(o).tls ?? []).some((t: any) => t.hosts.includes(h) && t.secretName)) ? undefined : 'host without TLS';
    });
    expect(unwaived(['KS ingress-targets-service', 'PO tlsSettingsMissing'], findings)).toEqual([]);
  });

  it('KS cronjob-has-deadline, KS cronjob-restartpolicy: startingDeadlineSeconds set, restartPolicy Never or OnFailure', () => {
    const findings = perObject('CronJob', (o) => {
      if (!(spec(o).startingDeadlineSeconds > 0)) return 'no deadline';
      return ['Never', 'OnFailure'].includes(spec(o).jobTemplate.spec.template.spec.restartPolicy) ? undefined : 'restartPolicy';
    });
    expect(unwaived(['KS cronjob-has-deadline', 'KS cronjob-restartpolicy'], findings)).toEqual([]);
  });

  it('PO sensitiveContainerEnvVar, CKV_K8S_35, KS environment-variable-key-duplication: secrets only through secretKeyRef, no duplicate names', () => {
    const sensitive = /password|token|secret|bearer|aws_secret_access_key|private_key|api_key/i;
    const findings = perContainer((c) => {
      const env = (c.env ?? []) as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }>;
      const names = env.map((e) => e.name);
      if (new Set(names).size !== names.length) return 'duplicate env names';
      const plain = env.filter((e) => sensitive.test(e.name) && !e.valueFrom?.secretKeyRef);
      return plain.length > 0 ? `plain sensitive values: ${plain.map((e) => e.name).join(', ')}` : undefined;
    });
    expect(unwaived(['PO sensitiveContainerEnvVar', 'CKV_K8S_35', 'KS environment-variable-key-duplication'], findings)).toEqual([]);
  });

  it('KS stable-version, KS label-values: current apiVersions and valid label values', () => {
    const stable = new Set(['v1', 'apps/v1', 'autoscaling/v2', 'policy/v1', 'batch/v1', 'networking.k8s.io/v1', 'monitoring.coreos.com/v1', 'external-secrets.io/v1', 'argoproj.io/v1alpha1']);
    const value = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
    const labelSets = (o: GeneratedObject): Array<Record<string, string>> => [o.object.metadata.labels ?? {}, ...podTemplates([o]).map((t) => t.metadata.labels)];
    const findings = objects.flatMap((o) => {
      const problems = [
        ...(stable.has(o.object.apiVersion) ? [] : [`apiVersion ${o.object.apiVersion}`]),
        ...labelSets(o).flatMap((labels) => Object.entries(labels).filter(([, v]) => v.length > 63 || !value.test(v)).map(([k, v]) => `label ${k}=${v}`)),
      ];
      return problems.map((problem) => ({ owner: o, problem }));
    });
    expect(unwaived(['KS stable-version', 'KS label-values'], findings)).toEqual([]);
  });
});
