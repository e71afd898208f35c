import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { compileDir, serviceYaml, validateTexts } from '../support/helpers.js';
import { allStacks, tfvarsOf } from '../support/terraform-helpers.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchCopy } from '../support/helpers.js';

/**
 * Issue 15 item 2: network.vpcId and network.privateSubnetIds take one value
 * (a VPC shared through RAM) or one per environment, and each environment's
 * tfvars get that environment's network.
 */
const SERVICE = { 'services/orders/service.yaml': serviceYaml('orders', 'resources:\n  databases: [{ name: main }]\n') };
const HEAD = 'apiVersion: paved/v1\nkind: Platform\n';

const shown = (d: Diagnostic): string => `${d.file}:${d.range?.line}:${d.range?.col}: ${d.severity} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
/** The diagnostics in the order paved prints them: by position. */
const diagnosticsOf = (platform: string): string[] =>
  [...validateTexts(SERVICE, `${HEAD}${platform}`).diagnostics]
    .sort((a, b) => (a.range?.line ?? 0) - (b.range?.line ?? 0) || (a.range?.col ?? 0) - (b.range?.col ?? 0))
    .map(shown);

/** Compiles one service with a database under the given platform.yaml; returns staging's and production's tfvars text. */
function tfvars(platform: string): { staging: string; production: string } {
  const scratch = scratchCopy();
  try {
    writeFileSync(join(scratch.dir, 'platform.yaml'), `${HEAD}${platform}`);
    mkdirSync(join(scratch.dir, 'services', 'orders'), { recursive: true });
    writeFileSync(join(scratch.dir, 'services', 'orders', 'service.yaml'), SERVICE['services/orders/service.yaml']);
    const result = compileDir(scratch.dir);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map(shown)).toEqual([]);
    const file = (env: string) => result.files.find((f) => f.path === `generated/orders/terraform/env/${env}.tfvars`)!.contents;
    return { staging: file('staging'), production: file('production') };
  } finally {
    scratch.cleanup();
  }
}

describe('the network per environment', () => {
  it('gives each environment of examples/shop its own VPC and subnets in its tfvars', () => {
    const stacks = allStacks().filter((s) => s.root === 'examples/shop' && s.service.resources.databases.length > 0);
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) {
      expect(tfvarsOf(stack, 'staging')).toMatchObject({
        vpc_id: 'vpc-0a1b2c3d4e5f60718',
        private_subnet_ids: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
      });
      expect(tfvarsOf(stack, 'production')).toMatchObject({
        vpc_id: 'vpc-0a1b2c3d4e5f60719',
        private_subnet_ids: ['subnet-0a1b2c3d4e5f60101', 'subnet-0a1b2c3d4e5f60102', 'subnet-0a1b2c3d4e5f60103'],
      });
    }
  });

  it('gives both environments the one VPC and subnet list a platform shares through RAM', () => {
    const { staging, production } = tfvars('network:\n  vpcId: vpc-0aaa\n  privateSubnetIds: [subnet-0aaa, subnet-0bbb]\n');
    for (const text of [staging, production]) {
      expect(text).toContain('vpc_id                = "vpc-0aaa"\n');
      expect(text).toContain('private_subnet_ids    = ["subnet-0aaa", "subnet-0bbb"]\n');
    }
  });

  it('mixes a shared VPC with subnets per environment', () => {
    const { staging, production } = tfvars('network:\n  vpcId: vpc-0aaa\n  privateSubnetIds: { staging: [subnet-0aaa], production: [subnet-0bbb] }\n');
    expect(staging).toContain('private_subnet_ids    = ["subnet-0aaa"]\n');
    expect(production).toContain('private_subnet_ids    = ["subnet-0bbb"]\n');
    expect(production).toContain('vpc_id                = "vpc-0aaa"\n');
  });

  it('compiles the embedded default platform without a network warning: its accounts differ, so its network is per environment', () => {
    expect(validateTexts(SERVICE).diagnostics).toEqual([]);
  });

  it('warns at network.vpcId that one VPC for two accounts is assumed to be shared through RAM, and says how to write one per environment', () => {
    expect(
      diagnosticsOf(
        'cloud:\n  accounts: { staging: "111111111111", production: "222222222222" }\nnetwork:\n  vpcId: vpc-0aaa\n  privateSubnetIds: [subnet-0aaa]\n',
      ),
    ).toEqual([
      "platform.yaml:6:10: warning SPEC.SHARED_VPC network.vpcId: one VPC vpc-0aaa for staging and production, whose accounts differ (111111111111, 222222222222): paved assumes the VPC is shared with both accounts through AWS RAM, and production's databases and caches then share staging's network (if each account has its own VPC, write one per environment: vpcId: { staging: vpc-…, production: vpc-… } and privateSubnetIds: { staging: [subnet-…], production: [subnet-…] }; if it is shared through RAM, say so by naming it for each: vpcId: { staging: vpc-0aaa, production: vpc-0aaa })",
    ]);
  });

  it('does not warn about one VPC when both environments use the same account, or when the shared VPC is named per environment', () => {
    expect(
      diagnosticsOf(
        'cloud:\n  accounts: { staging: "111111111111", production: "111111111111" }\nnetwork:\n  vpcId: vpc-0aaa\n  privateSubnetIds: [subnet-0aaa]\n',
      ),
    ).toEqual([]);
    expect(diagnosticsOf('network:\n  vpcId: { staging: vpc-0aaa, production: vpc-0aaa }\n  privateSubnetIds: [subnet-0aaa]\n')).toEqual([]);
  });

  it('rejects one subnet list for two different VPCs, at privateSubnetIds', () => {
    expect(diagnosticsOf('network:\n  vpcId: { staging: vpc-0aaa, production: vpc-0bbb }\n  privateSubnetIds: [subnet-0aaa]\n')).toEqual([
      'platform.yaml:5:3: error SPEC.SUBNETS_PER_VPC network.privateSubnetIds: one list of subnets for two VPCs (staging vpc-0aaa, production vpc-0bbb); a subnet belongs to one VPC (give each environment the subnets of its own VPC: privateSubnetIds: { staging: [subnet-…], production: [subnet-…] })',
    ]);
  });

  it('rejects, at the key, a per-environment map that leaves out production, which would inherit the embedded placeholder', () => {
    expect(diagnosticsOf('network:\n  vpcId: { staging: vpc-0aaa }\n  privateSubnetIds: { staging: [subnet-0aaa] }\n')).toEqual([
      'platform.yaml:4:3: error SPEC.REQUIRED network.vpcId: missing required key "production" (a map per environment names staging and production; write one id instead of the map if both share it)',
      'platform.yaml:5:3: error SPEC.REQUIRED network.privateSubnetIds: missing required key "production" (a map per environment names staging and production; write one list instead of the map if both share it)',
    ]);
  });

  it('rejects, at the key, a per-environment state bucket or lock table that leaves out an environment', () => {
    expect(diagnosticsOf('terraform:\n  stateBucket: { production: acme-prd-tfstate }\n  lockTable: { staging: acme-stg-tflock }\n')).toEqual([
      'platform.yaml:4:3: error SPEC.REQUIRED terraform.stateBucket: missing required key "staging" (add \"staging\" under terraform.stateBucket)',
      'platform.yaml:5:3: error SPEC.REQUIRED terraform.lockTable: missing required key "production" (add \"production\" under terraform.lockTable)',
    ]);
  });

  it('reports a bad id inside either shape at its own position, and a value of neither shape once', () => {
    expect(diagnosticsOf('network:\n  vpcId: { staging: vpc-0aaa, production: VPC-1 }\n  privateSubnetIds: [subnet-0aaa, sub-1]\n')).toEqual([
      'platform.yaml:4:43: error SPEC.PATTERN network.vpcId.production: "VPC-1" is invalid: it must match ^vpc-[0-9a-f]+$',
      'platform.yaml:5:35: error SPEC.PATTERN network.privateSubnetIds[1]: "sub-1" is invalid: it must match ^subnet-[0-9a-f]+$',
    ]);
    expect(diagnosticsOf('network:\n  vpcId: 12\n  privateSubnetIds: { staging: subnet-0aaa, production: [subnet-0bbb] }\n')).toEqual([
      'platform.yaml:4:10: error SPEC.TYPE network.vpcId: must be a string or a mapping, not 12 (a number) (quote the value ("12"): unquoted, YAML reads it as a number)',
      'platform.yaml:5:32: error SPEC.TYPE network.privateSubnetIds.staging: must be a list, not "subnet-0aaa" (a string) (write a list: [a, b])',
    ]);
  });
});
