import { describe, expect, it } from 'vitest';
import { emitters } from '../../../cli/emitters.js';
import { compileTexts, type CompileResult } from '../../../compiler/compile.js';
import { scopedProject } from '../../../compiler/emit.js';
import { projectReport, reportMarkdown, reportText } from '../../../compiler/report.js';
import type { Diagnostic } from '../../../spec/diagnostic.js';
import { parse } from 'yaml';
import { ACTIONS_WAIVERS, KUBERNETES_WAIVERS, TERRAFORM_WAIVERS, waiverText } from '../../../emitters/shared/waivers.js';
import { attachedWaiver as attachedTerraformWaiver } from '../../../compiler/policy/terraform-facts.js';
import { POLICY_RULES } from '../../../compiler/policy/registry.js';
import { policyTarget, type FoundResource, type GeneratedWorkflow, type ParsedWorkflow, type PolicyTarget } from '../../../compiler/policy/view.js';
import {
  PLATFORM,
  SERVICE,
  VICTIM,
  OTHER,
  type Op,
  type Override,
  compileWith,
  opAt,
  where,
  errors,
  expectViolation,
  cron,
  deployment,
  resource,
  CRON_POD,
  POD,
  NOTE,
} from '../../support/redteam/policy-harness.js';

/**
 * Red team, class "policy": overrides that take the output off the golden path
 * past the override deny-lists (issue 14). The compile-time policy must fail
 * each at the patch operation that did it, naming the rule; platform waivers
 * excuse a rule and are reported; allow lists reject everything else.
 *
 * This file: platform waivers, allow lists, waiver scoping by id and forged waivers. The fixtures are in policy-harness.ts.
 */

describe('platform waivers (overridePolicy.waivers)', () => {
  const hostNetwork = [cron([{ op: 'add', path: `${CRON_POD}/hostNetwork`, value: true }])];
  const waivers = (items: string): string => `overridePolicy:\n  waivers:\n${items}`;

  it('a waived rule compiles, and every waived finding is reported as POLICY.WAIVED at the waiver', () => {
    const { result, platform } = compileWith(
      hostNetwork,
      [],
      waivers('    - rule: PSS hostNamespaces\n      reason: "node exporter needs the host network (SEC-12)"\n'),
    );
    expect(errors(result)).toEqual([]);
    expect(result.files.length).toBeGreaterThan(50);
    const waived = result.diagnostics.filter((d) => d.code === 'POLICY.WAIVED');
    expect(waived).toHaveLength(3);
    const line = platform.split('\n').indexOf('    - rule: PSS hostNamespaces') + 1;
    for (const d of waived) {
      expect(d.severity).toBe('warning');
      expect(`${d.file}:${d.range?.line}:${d.range?.col}`).toBe(`platform.yaml:${line}:7`);
      expect(d.message).toMatch(
        /^overridePolicy\.waivers\[0\]: waives §2 PSS restricted PSS hostNamespaces \(no hostNetwork, hostPID or hostIPC\): generated\/victim\/kubernetes\/[a-z]+\/cronjob-nightly\.yaml: shares a host namespace \(service "victim"\); reason: node exporter needs the host network \(SEC-12\)$/,
      );
    }
  });

  it('a waiver limited to other services does not excuse this one', () => {
    const { result } = compileWith(
      hostNetwork,
      [],
      waivers('    - rule: PSS hostNamespaces\n      reason: "only the other team may"\n      services: [other]\n'),
    );
    expect(result.files).toEqual([]);
    expect(errors(result).map((d) => d.code)).toEqual(['POLICY.VIOLATION']);
  });

  it('a waiver of one rule leaves the others enforced', () => {
    const { result } = compileWith(
      [
        cron([
          { op: 'add', path: `${CRON_POD}/hostNetwork`, value: true },
          { op: 'add', path: `${CRON_POD}/nodeName`, value: 'n1' },
        ]),
      ],
      [],
      waivers('    - rule: PSS hostNamespaces\n      reason: "node exporter needs the host network (SEC-12)"\n'),
    );
    expect(result.files).toEqual([]);
    expect([...new Set(errors(result).map((d) => `${d.code} ${d.message.slice(0, d.message.indexOf(' ('))}`))]).toEqual([
      'POLICY.VIOLATION overrides.kubernetes[0].patch[1]: this operation makes the output break §4 paved PAVED_SCHEDULING',
    ]);
  });

  it('paved report lists the waivers that apply to each service, in text and markdown', () => {
    const { result } = compileWith(
      hostNetwork,
      [],
      waivers('    - rule: PSS hostNamespaces\n      reason: "node exporter needs the host network (SEC-12)"\n      services: [victim]\n'),
    );
    const reports = projectReport(result.project!);
    expect(reports.map((r) => [r.name, r.waivers])).toEqual([
      ['other', []],
      ['victim', [{ rule: 'PSS hostNamespaces', reason: 'node exporter needs the host network (SEC-12)' }]],
    ]);
    expect(reportText(reports)).toContain('\n  policy waiver PSS hostNamespaces (platform.yaml): node exporter needs the host network (SEC-12)\n');
    expect(reportMarkdown(reports)).toContain('\n- The platform waives the policy rule PSS hostNamespaces: node exporter needs the host network (SEC-12)\n');
  });

  it('an unknown rule id is a positioned error with a did-you-mean', () => {
    const { result, platform } = compileWith([], [], waivers('    - rule: CKV_K8S_2O\n      reason: "typo of an id"\n'));
    const line = platform.split('\n').indexOf('    - rule: CKV_K8S_2O') + 1;
    expect(result.diagnostics.map((d) => [d.code, d.message, where(d)])).toEqual([
      [
        'POLICY.UNKNOWN_RULE',
        'overridePolicy.waivers[0].rule: no policy rule has the id "CKV_K8S_2O" (did you mean "CKV_K8S_20"?)',
        `platform.yaml:${line}:13`,
      ],
    ]);
    expect(result.files).toEqual([]);
  });

  it('a rule id nothing resembles is an error that points at the list in docs/security.md', () => {
    const { result } = compileWith([], [], waivers('    - rule: EVERYTHING\n      reason: "waive it all"\n'));
    expect(result.diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ['POLICY.UNKNOWN_RULE', 'use a rule id from docs/security.md (e.g. CKV_K8S_20, KS deployment-replicas)'],
    ]);
  });

  it('an unknown service in a waiver is a positioned error with a did-you-mean', () => {
    const { result, platform } = compileWith([], [], waivers('    - rule: PSS hostNamespaces\n      reason: "one service only"\n      services: [victm]\n'));
    const line = platform.split('\n').indexOf('      services: [victm]') + 1;
    expect(result.diagnostics.map((d) => [d.code, d.message, where(d)])).toEqual([
      [
        'REF.UNKNOWN_SERVICE',
        'overridePolicy.waivers[0].services[0]: no service named "victm" in this repository (did you mean "victim"?)',
        `platform.yaml:${line}:18`,
      ],
    ]);
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
    const d = forbidden(
      compileWith(
        [deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'ghcr.io/shop-example/victim:2' }])],
        [],
        allowK8s('Deployment:/metadata/annotations'),
      ),
      'kubernetes',
      0,
      0,
    );
    expect(d.message).toBe(
      `overrides.kubernetes[0].patch[0]: the platform allows overrides only at overridePolicy.kubernetes.allow (Deployment:/metadata/annotations); ${POD}/containers/0/image of Deployment is not at or under any of them`,
    );
  });

  it('accepts a path under an allowed pattern', () => {
    const { result } = compileWith([deployment([NOTE])], [], allowK8s('Deployment:/metadata/annotations'));
    expect(result.diagnostics).toEqual([]);
  });

  it('a kind qualifier does not allow the same path on another kind', () => {
    forbidden(compileWith([cron([NOTE])], [], allowK8s('Deployment:/metadata/annotations')), 'kubernetes', 0, 0);
  });

  it('* matches one segment: containers/*/resources allows container 0 resources, not the container itself', () => {
    expect(
      compileWith(
        [deployment([{ op: 'replace', path: `${POD}/containers/0/resources/limits/memory`, value: '1Gi' }])],
        [],
        allowK8s(`${POD}/containers/*/resources`),
      ).result.diagnostics,
    ).toEqual([]);
    forbidden(
      compileWith(
        [deployment([{ op: 'add', path: `${POD}/containers/-`, value: { name: 'x', image: 'ghcr.io/shop-example/victim:1' } }])],
        [],
        allowK8s(`${POD}/containers/*/resources`),
      ),
      'kubernetes',
      0,
      0,
    );
  });

  it('a move whose from lies outside the list is rejected, naming the from path', () => {
    const d = forbidden(
      compileWith(
        [deployment([NOTE, { op: 'move', from: `${POD}/containers/0/env`, path: '/metadata/annotations/x' }])],
        [],
        allowK8s('/metadata/annotations'),
      ),
      'kubernetes',
      0,
      1,
    );
    expect(d.message).toMatch(/; \/spec\/template\/spec\/containers\/0\/env of Deployment is not at or under any of them$/);
  });

  it('the deny-list still applies inside an allowed path', () => {
    const { result } = compileWith([deployment([{ op: 'add', path: `${POD}/hostNetwork`, value: true }])], [], allowK8s(POD));
    expect(errors(result).map((d) => [d.code, d.message])).toEqual([
      [
        'EMIT.OVERRIDE_FORBIDDEN',
        'overrides.kubernetes[0].patch[0]: the platform forbids patching /spec/template/spec/hostNetwork (overridePolicy.kubernetes.forbiddenPaths has /spec/template/spec/hostNetwork)',
      ],
    ]);
  });

  it('terraform: rejects an attribute outside the list, accepts one inside', () => {
    const d = forbidden(
      compileWith(
        [],
        [
          resource('aws_db_instance.main', [
            { op: 'replace', path: '/allocated_storage', value: 50 },
            { op: 'replace', path: '/backup_retention_period', value: 30 },
          ]),
        ],
        allowTf('aws_db_instance:/allocated_storage'),
      ),
      'terraform',
      0,
      1,
    );
    expect(d.message).toBe(
      'overrides.terraform[0].patch[1]: the platform allows overrides only at overridePolicy.terraform.allow (aws_db_instance:/allocated_storage); /backup_retention_period of aws_db_instance is not at or under any of them',
    );
    expect(
      compileWith(
        [],
        [resource('aws_db_instance.main', [{ op: 'replace', path: '/allocated_storage', value: 50 }])],
        allowTf('aws_db_instance:/allocated_storage'),
      ).result.diagnostics,
    ).toEqual([]);
  });

  it('terraform: an empty list allows nothing', () => {
    const d = forbidden(
      compileWith([], [resource('aws_db_instance.main', [{ op: 'replace', path: '/allocated_storage', value: 50 }])], allowTf()),
      'terraform',
      0,
      0,
    );
    expect(d.message).toMatch(/overridePolicy\.terraform\.allow \(nothing\)/);
  });

  it('a malformed pattern is a schema error', () => {
    const { result } = compileWith([], [], allowK8s('spec/replicas'));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['SPEC.PATTERN']);
  });
});

describe('a platform waiver of one id of a grouped rule excuses only that check', () => {
  // Previews run no HorizontalPodAutoscaler.
  const HPA = (patch: Op[]): Override => ({ target: 'HorizontalPodAutoscaler/victim', environments: ['staging', 'production'], patch });
  const waiver = (id: string): string => `overridePolicy:\n  waivers:\n    - rule: ${id}\n      reason: "red team: waive ${id} only"\n`;
  const HPA_RULE =
    '§2 kube-score/polaris KS horizontalpodautoscaler-has-target / KS horizontalpodautoscaler-replicas / PO hpaMinAvailability / PO hpaMaxAvailability';
  const minOne = [HPA([{ op: 'replace', path: '/spec/minReplicas', value: 1 }])];

  it('PO hpaMaxAvailability does not excuse minReplicas 1 (PO hpaMinAvailability), and the hint names the id that would', () => {
    const found = expectViolation({ kubernetes: minOne, platform: waiver('PO hpaMaxAvailability') }, HPA_RULE, ['kubernetes', 0, 0], /: minReplicas 1/);
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe(
      `overrides.kubernetes[0].patch[0]: this operation makes the output break ${HPA_RULE} (a real scale target, minReplicas at least 2, max above min): generated/victim/kubernetes/staging/horizontalpodautoscaler.yaml: minReplicas 1; generated/victim/kubernetes/production/horizontalpodautoscaler.yaml: minReplicas 1`,
    );
    expect(found[0]!.hint).toBe(
      'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive KS horizontalpodautoscaler-replicas in platform.yaml (overridePolicy.waivers)',
    );
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
      expect(d.message).toMatch(
        /^overridePolicy\.waivers\[0\]: waives §2 kube-score\/polaris .*: generated\/victim\/kubernetes\/(staging|production)\/horizontalpodautoscaler\.yaml: minReplicas 1 \(service "victim"\); reason: red team: waive PO hpaMinAvailability only$/,
      );
      expect(d.hint).toBe('the platform waives PO hpaMinAvailability; remove the waiver to enforce the rule again');
    }
  });

  it('KS horizontalpodautoscaler-has-target does not excuse max not above min', () => {
    const found = expectViolation(
      {
        kubernetes: [
          HPA([
            { op: 'replace', path: '/spec/maxReplicas', value: 2 },
            { op: 'replace', path: '/spec/minReplicas', value: 2 },
          ]),
        ],
        platform: waiver('KS horizontalpodautoscaler-has-target'),
      },
      HPA_RULE,
      ['kubernetes', 0, 0],
      /: max not above min/,
    );
    expect(found.map((d) => d.hint)).toEqual([
      'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive PO hpaMaxAvailability in platform.yaml (overridePolicy.waivers)',
    ]);
  });

  const hostPort = [deployment([{ op: 'add', path: `${POD}/containers/0/ports/-`, value: { containerPort: 22, hostPort: 22 } }])];
  const HOST = '§2 PSS restricted PSS hostPathVolumes / PSS hostPorts';

  it('PSS hostPathVolumes does not excuse a hostPort, and the hint names PSS hostPorts, not the first id of the rule', () => {
    const found = expectViolation(
      { kubernetes: hostPort, platform: waiver('PSS hostPathVolumes') },
      HOST,
      ['kubernetes', 0, 0],
      /deployment\.yaml: app: hostPort/,
    );
    expect(found.map((d) => d.hint)).toEqual([
      'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive PSS hostPorts in platform.yaml (overridePolicy.waivers)',
    ]);
  });

  it('KS service-targets-pod does not excuse a NodePort Service (KS service-type)', () => {
    const found = expectViolation(
      { kubernetes: [{ target: 'Service/victim', patch: [{ op: 'add', path: '/spec/type', value: 'NodePort' }] }], platform: waiver('KS service-targets-pod') },
      '§2 kube-score/polaris KS service-type / KS service-targets-pod',
      ['kubernetes', 0, 0],
      /service\.yaml: NodePort/,
    );
    expect(found.map((d) => d.hint)).toEqual([
      'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive KS service-type in platform.yaml (overridePolicy.waivers)',
    ]);
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
      [
        'victim/terraform/database.tf aws_db_instance.main: monitoring_interval 0',
        'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive CKV_AWS_118 in platform.yaml (overridePolicy.waivers)',
      ],
    ]);
  });

  it('§1 #8: a waiver of CKV_AWS_354 (Performance Insights key) does not excuse Performance Insights turned off (CKV_AWS_353)', () => {
    const found = expectViolation(
      {
        terraform: [resource('aws_db_instance.main', [{ op: 'replace', path: '/performance_insights_enabled', value: false }])],
        platform: waiver('CKV_AWS_354'),
      },
      '§1 #8 CKV_AWS_353 / CKV_AWS_354 / AVD-AWS-0133 / AVD-AWS-0078',
      ['terraform', 0, 0],
    );
    expect(found.map((d) => [d.message.slice(d.message.indexOf('): ') + 3), d.hint])).toEqual([
      [
        'victim/terraform/database.tf aws_db_instance.main: performance_insights_enabled is false, not true',
        'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive CKV_AWS_353 in platform.yaml (overridePolicy.waivers)',
      ],
    ]);
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
  function compileForged(
    overrides: ReadonlyArray<{ target: string; environments?: readonly string[]; reason?: string; patch: readonly Op[] }>,
    reason: string,
    fixed = false,
  ): { result: CompileResult; victim: string } {
    const base = fixed ? VICTIM.replace('  command: ["node", "server.js"]\n', '  command: ["node", "server.js"]\n  scaling: { min: 2, max: 2 }\n') : VICTIM;
    const list = overrides
      .map(
        (o) =>
          `    - target: ${o.target}\n${o.environments ? `      environments: [${o.environments.join(', ')}]\n` : ''}      reason: ${JSON.stringify(o.reason ?? reason)}\n      patch:\n${o.patch.map((op) => `        - ${JSON.stringify(op)}\n`).join('')}`,
      )
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

  const HPA =
    '§2 kube-score/polaris KS horizontalpodautoscaler-has-target / KS horizontalpodautoscaler-replicas / PO hpaMinAvailability / PO hpaMaxAvailability';
  const REPLICAS =
    '§2 kube-score/polaris KS deployment-replicas / KS deployment-targeted-by-hpa-does-not-have-replicas-configured / PO deploymentMissingReplicas';
  const READ_ONLY_ROOT = '§2 kube-score/polaris KS container-security-context-readonlyrootfilesystem / PO notReadOnlyRootFilesystem / CKV_K8S_22';
  const PROBES = '§2 kube-score/polaris KS pod-probes / KS pod-probes-identical / PO readinessProbeMissing / PO livenessProbeMissing';

  /** Every Kubernetes waiver an override can reach, with the override whose finding it would excuse. */
  const cases: ReadonlyArray<{
    readonly name: keyof typeof KUBERNETES_WAIVERS;
    readonly override: { target: string; environments: string[]; patch: Op[] };
    readonly rule: string;
    readonly problem: RegExp;
    readonly fixed?: boolean;
  }> = [
    {
      name: 'tierAutoscalerMinimum',
      override: { target: 'HorizontalPodAutoscaler/victim', environments: ['production'], patch: [{ op: 'replace', path: '/spec/minReplicas', value: 1 }] },
      rule: HPA,
      problem: /production\/horizontalpodautoscaler\.yaml/,
    },
    {
      name: 'tierSingleReplica',
      override: { target: 'Deployment/victim', environments: ['production'], patch: [{ op: 'replace', path: '/spec/replicas', value: 1 }] },
      rule: REPLICAS,
      problem: /production\/deployment\.yaml/,
      fixed: true,
    },
    {
      name: 'previewSingleReplica',
      override: { target: 'Deployment/victim', environments: ['production'], patch: [{ op: 'replace', path: '/spec/replicas', value: 1 }] },
      rule: REPLICAS,
      problem: /production\/deployment\.yaml/,
      fixed: true,
    },
    // securityContext is on the platform's deny-list; the /tmp mount a read-only root needs is not. (The rule honours this
    // waiver only in the preview's deployment-localstack.yaml, which carries the real one; anywhere else it is unwaivable.)
    {
      name: 'localstackWritableRoot',
      override: { target: 'Deployment/victim', environments: ['production'], patch: [{ op: 'replace', path: `${POD}/containers/0/volumeMounts`, value: [] }] },
      rule: READ_ONLY_ROOT,
      problem: /production\/deployment\.yaml/,
    },
    // The victim serves HTTP and is probed: only a worker without a declared metrics endpoint carries this waiver.
    {
      name: 'workerWithoutProbes',
      override: { target: 'Deployment/victim', environments: ['production'], patch: [{ op: 'remove', path: `${POD}/containers/0/readinessProbe` }] },
      rule: PROBES,
      problem: /production\/deployment\.yaml/,
    },
  ];

  /** The POLICY.VIOLATION diagnostics of `rule` at `overrides.kubernetes[0].patch[0]`, with nothing planned. */
  function violations(r: { result: CompileResult; victim: string }, rule: string, problem: RegExp): Diagnostic[] {
    expect(r.result.files).toEqual([]);
    const found = errors(r.result).filter(
      (d) =>
        d.code === 'POLICY.VIOLATION' &&
        d.message.startsWith(`overrides.kubernetes[0].patch[0]: this operation makes the output break ${rule} (`) &&
        problem.test(d.message),
    );
    expect(
      found.length,
      JSON.stringify(
        r.result.diagnostics.map((d) => [d.code, d.message]),
        null,
        1,
      ),
    ).toBe(1);
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
    const r = compileForged(
      [
        { ...cases[0]!.override, reason: 'red team: plain reason' },
        { target: 'Deployment/victim', environments: ['production'], patch: [NOTE] },
      ],
      `red team\n${line}`,
    );
    violations(r, HPA, /production\/horizontalpodautoscaler\.yaml/);
  });

  describe('Actions (no override reaches a workflow): the policy goes by the attached waiver, not the text', () => {
    const rule = POLICY_RULES.find((r) => r.ids.includes('ZZ secrets-outside-env'))!;
    const waiver = ACTIONS_WAIVERS.registrySecretOutsideEnvironment;
    const TEXT = `# ${waiverText(waiver)}\nname: forged\non: { push: {} }\njobs:\n  image:\n    runs-on: ubuntu-24.04\n    env: { TOKEN: "\${{ secrets.REGISTRY_PASSWORD }}" }\n    steps:\n      - run: echo hi\n`;
    const target = (waivers: GeneratedWorkflow['waivers']): PolicyTarget => ({
      name: 'forged',
      project: compileWith([]).result.project!,
      stacks: [],
      resources: [],
      objects: [],
      workflows: [{ name: 'forged.yml', text: TEXT, waivers, doc: parse(TEXT) as ParsedWorkflow }],
    });

    it('the printed line alone excuses nothing', () => {
      expect(rule.check(target([])).findings).toEqual([{ where: 'forged.yml', problem: 'image: reads a secret outside an environment' }]);
    });

    it("an equal copy of the waiver is not the table's waiver: it excuses nothing", () => {
      expect(rule.check(target([{ rules: [...waiver.rules], reason: waiver.reason }])).findings).toEqual([
        { where: 'forged.yml', problem: 'image: reads a secret outside an environment' },
      ]);
    });

    it('control: the attached and printed waiver excuses it', () => {
      expect(rule.check(target([waiver])).findings).toEqual([
        { where: 'forged.yml', problem: 'image: reads a secret outside an environment', waiver: 'actions:registrySecretOutsideEnvironment' },
      ]);
    });

    it('the attached waiver without its printed line excuses nothing', () => {
      const text = TEXT.slice(TEXT.indexOf('\n') + 1);
      const t = target([waiver]);
      expect(rule.check({ ...t, workflows: [{ ...t.workflows[0]!, text }] }).findings).toEqual([
        { where: 'forged.yml', problem: 'image: reads a secret outside an environment' },
      ]);
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
    const target = policyTarget(
      '',
      p,
      emitters.flatMap((e) => e.emitService(s, scopedProject(p, s, byName)).files),
    );
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
