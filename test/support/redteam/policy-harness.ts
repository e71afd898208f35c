import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { emitters } from '../../../cli/emitters.js';
import { compileTexts, type CompileResult } from '../../../compiler/compile.js';
import { emitService, scopedProject } from '../../../compiler/emit.js';
import { checkServiceOutput } from '../../../compiler/policy/check.js';
import type { Diagnostic } from '../../../spec/diagnostic.js';
import type { GeneratedFile } from '../../../spec/emitter.js';
import { REPO } from '../helpers.js';

/**
 * Red team, class "policy": the victim and other services, the overrides
 * they carry, and the helpers that compile them and pin a violation to its
 * patch operation, shared by test/unit/redteam/policy-*.test.ts.
 */

export const PLATFORM = readFileSync(join(REPO, 'examples/shop/platform.yaml'), 'utf8');
export const SERVICE = 'services/victim/service.yaml';

export const VICTIM = `apiVersion: paved/v1
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

export const OTHER = `apiVersion: paved/v1
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

export type Op = Record<string, unknown>;
export interface Override {
  readonly target: string;
  readonly environments?: readonly string[];
  readonly patch: readonly Op[];
}

/** An override block, one patch operation per line (as flow maps), so positions are easy to find. */
export function overridesYaml(kubernetes: readonly Override[], terraform: readonly Override[] = []): string {
  const block = (name: string, list: readonly Override[]): string =>
    list.length === 0
      ? ''
      : `  ${name}:\n${list.map((o) => `    - target: ${o.target}\n${o.environments ? `      environments: [${o.environments.join(', ')}]\n` : ''}      reason: "red team: ${name} override"\n      patch:\n${o.patch.map((op) => `        - ${JSON.stringify(op)}\n`).join('')}`).join('')}`;
  return `overrides:\n${block('kubernetes', kubernetes)}${block('terraform', terraform)}`;
}

export function compileWith(
  kubernetes: readonly Override[],
  terraform: readonly Override[] = [],
  platformExtra = '',
): { result: CompileResult; victim: string; platform: string } {
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
export function opAt(text: string, target: 'kubernetes' | 'terraform', i: number, j: number): string {
  const lines = text.split('\n');
  let n = lines.indexOf(`  ${target}:`);
  for (let seen = -1; seen < i; n++) if (lines[n]!.startsWith('    - target:')) seen++;
  for (let seen = -1; ; n++) {
    if (lines[n]!.startsWith('        - {')) seen++;
    if (seen === j) return `${n + 1}:${lines[n]!.indexOf('{') + 1}`;
  }
}

export const where = (d: Diagnostic): string => `${d.file}:${d.range?.line}:${d.range?.col}`;
export const errors = (r: CompileResult): Diagnostic[] => r.diagnostics.filter((d) => d.severity === 'error');

/**
 * Compiles with the overrides and expects the compile to fail with `code`,
 * naming `rule` (section and ids) at `overrides.<target>[i].patch[j]`, and with
 * nothing planned.
 */
export function expectViolation(
  options: { kubernetes?: Override[]; terraform?: Override[]; platform?: string },
  rule: string,
  at: ['kubernetes' | 'terraform', number, number],
  problem?: RegExp,
): Diagnostic[] {
  const { result, victim } = compileWith(options.kubernetes ?? [], options.terraform ?? [], options.platform);
  expect(result.files).toEqual([]);
  const pointer = `overrides.${at[0]}[${at[1]}].patch[${at[2]}]`;
  const found = errors(result).filter(
    (d) =>
      d.code === 'POLICY.VIOLATION' &&
      d.message.startsWith(`${pointer}: this operation makes the output break ${rule} (`) &&
      (!problem || problem.test(d.message)),
  );
  expect(
    found.length,
    JSON.stringify(
      result.diagnostics.map((d) => [d.code, d.message]),
      null,
      1,
    ),
  ).toBeGreaterThan(0);
  for (const d of found) {
    expect(where(d)).toBe(`${SERVICE}:${opAt(victim, ...at)}`);
    expect(d.hint).toMatch(/overridePolicy\.waivers/);
  }
  // Every error is the policy's, each at an operation of the overrides.
  expect(errors(result).filter((d) => d.code !== 'POLICY.VIOLATION' || !/^overrides\.(kubernetes|terraform)\[\d+\]\.patch\[\d+\]: /.test(d.message))).toEqual(
    [],
  );
  return found;
}

export const cron = (patch: Op[]): Override => ({ target: 'CronJob/victim-nightly', patch });
export const deployment = (patch: Op[]): Override => ({ target: 'Deployment/victim', patch });
export const resource = (target: string, patch: Op[]): Override => ({ target, patch });
export const CRON_POD = '/spec/jobTemplate/spec/template/spec';
export const POD = '/spec/template/spec';
export const NOTE = { op: 'add', path: '/metadata/annotations/team.example~1note', value: 'harmless' };

/** The policy over the victim's real output, changed by `change`, as if paved had emitted it with no override. */
export function policyOn(change: (files: readonly GeneratedFile[]) => GeneratedFile[]): Diagnostic[] {
  const { result } = compileWith([]);
  const project = result.project!;
  const service = project.services.find((s) => s.name === 'victim')!;
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const files = emitters.flatMap((e) => e.emitService(service, scopedProject(project, service, byName)).files);
  // emitService (what a compile runs) finds nothing in the same output.
  expect(emitService(project, service, emitters, byName).flatMap((e) => e.result.diagnostics)).toEqual([]);
  return checkServiceOutput(scopedProject(project, service, byName), service, change(files), () => undefined);
}
