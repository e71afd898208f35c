import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkPolicyChecks } from '../../emitters/platform/network-policy-check.js';
import { attribute, block, printFile, ref, toPlain, type Attribute, type Block } from '../../emitters/shared/hcl.js';
import { PLUGIN_DIR, requireTerraform, TERRAFORM, terraform, terraformEnv } from '../support/terraform-helpers.js';

/**
 * Issue 15 item 12: the Terraform check that the VPC CNI enforces
 * NetworkPolicies, inside a minimal root module, against the real terraform
 * and AWS provider (offline), and its two conditions evaluated by terraform
 * itself on add-on values as the EKS API returns them.
 */
let work = '';
beforeAll(() => {
  requireTerraform();
  work = mkdtempSync(join(tmpdir(), 'paved-np-check-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const vpcCniChecks = (): readonly Block[] => networkPolicyChecks('vpc-cni', ref('var', 'cluster_name'));

/** A root module: the provider requirement, the variable the check reads, and the check. */
function minimalRoot(dir: string, checks: readonly Block[]): void {
  mkdirSync(dir, { recursive: true });
  const root = printFile([
    block('terraform', [], [block('required_providers', [], [attribute('aws', { kind: 'object', entries: [['source', 'hashicorp/aws']] })])]),
    block('variable', ['cluster_name'], [attribute('type', ref('string'))]),
    ...checks,
  ]);
  writeFileSync(join(dir, 'main.tf'), root);
}

let consoles = 0;
/** The assertion's condition with the add-on's attributes replaced by given values, evaluated by `terraform console`. */
function evaluate(condition: string, addon: { addon_version: string; configuration_values: string }): string {
  const dir = join(work, `console-${consoles++}`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'main.tf'),
    printFile([
      block(
        'locals',
        [],
        [
          attribute('addon', {
            kind: 'object',
            entries: [
              ['addon_version', addon.addon_version],
              ['configuration_values', addon.configuration_values],
            ],
          }),
        ],
      ),
    ]),
  );
  const expression = condition.replaceAll('data.aws_eks_addon.vpc_cni', 'local.addon');
  const run = spawnSync(TERRAFORM, ['console'], { cwd: dir, input: `${expression}\n`, encoding: 'utf8', env: terraformEnv() });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim();
}

/** The conditions of the assertions, as printed. */
const conditions = (): string[] => [...printFile(vpcCniChecks()).matchAll(/^ *condition *= (.*)$/gm)].map((m) => m[1]!);

describe('the network policy enforcement check', () => {
  it('passes terraform fmt and terraform validate in a minimal root with the AWS provider', () => {
    const dir = join(work, 'root');
    minimalRoot(dir, vpcCniChecks());
    const fmt = terraform(['fmt', '-check', '-diff', '-no-color'], dir);
    expect(fmt.stdout + fmt.stderr).toBe('');
    const init = terraform(['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir);
    expect(init.code, init.stderr + init.stdout).toBe(0);
    const run = terraform(['validate', '-json', '-no-color'], dir);
    const result = JSON.parse(run.stdout) as { valid: boolean; diagnostics: Array<{ summary: string; detail?: string }> };
    expect(result.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ''}`)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('reads the vpc-cni add-on of the given cluster inside the check, so an unreadable add-on warns instead of failing the plan', () => {
    const [check] = vpcCniChecks();
    expect(check!.type).toBe('check');
    const data = check!.body.find((i): i is Block => i.kind === 'block' && i.type === 'data')!;
    expect(data.labels).toEqual(['aws_eks_addon', 'vpc_cni']);
    const attributes = data.body.filter((item): item is Attribute => item.kind === 'attribute');
    expect(Object.fromEntries(attributes.map((a) => [a.name, toPlain(a.value)]))).toEqual({ cluster_name: '${var.cluster_name}', addon_name: 'vpc-cni' });
  });

  it('holds for v1.14.0 and later with enableNetworkPolicy "true", and fails for older add-ons, a missing or false setting, or empty configuration', () => {
    const [version, enabled] = conditions() as [string, string];
    const on = JSON.stringify({ enableNetworkPolicy: 'true' });
    expect(evaluate(version, { addon_version: 'v1.14.0-eksbuild.3', configuration_values: on })).toBe('true');
    expect(evaluate(version, { addon_version: 'v1.19.2-eksbuild.1', configuration_values: on })).toBe('true');
    expect(evaluate(version, { addon_version: 'v2.0.0-eksbuild.1', configuration_values: on })).toBe('true');
    expect(evaluate(version, { addon_version: 'v1.13.4-eksbuild.1', configuration_values: on })).toBe('false');
    expect(evaluate(version, { addon_version: 'not-a-version', configuration_values: on })).toBe('false');
    expect(evaluate(enabled, { addon_version: 'v1.18.0-eksbuild.1', configuration_values: on })).toBe('true');
    expect(evaluate(enabled, { addon_version: 'v1.18.0-eksbuild.1', configuration_values: JSON.stringify({ enableNetworkPolicy: 'false' }) })).toBe('false');
    expect(
      evaluate(enabled, { addon_version: 'v1.18.0-eksbuild.1', configuration_values: JSON.stringify({ env: { ENABLE_PREFIX_DELEGATION: 'true' } }) }),
    ).toBe('false');
    expect(evaluate(enabled, { addon_version: 'v1.18.0-eksbuild.1', configuration_values: '' })).toBe('false');
  });

  it('checks nothing for Calico or Cilium, which run where the AWS provider cannot look', () => {
    expect(networkPolicyChecks('calico', ref('var', 'cluster_name'))).toEqual([]);
    expect(networkPolicyChecks('cilium', ref('var', 'cluster_name'))).toEqual([]);
  });
});
