import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONNECTION_KEYS, names, type ConnectionKind } from '../spec/naming.js';
import { compileDir, plannedTree, REPO, scratchCopy, serviceYaml } from './helpers.js';
import { allStacks, resourcesOf, tfvarsOf } from './terraform-helpers.js';

const stacks = allStacks();

/** Compiles a scratch repo of service.yaml texts (folder → text) and returns the planned tree. */
function compileTexts(services: Readonly<Record<string, string>>): Map<string, string> {
  const scratch = scratchCopy();
  try {
    for (const [dir, text] of Object.entries(services)) {
      mkdirSync(join(scratch.dir, 'services', dir), { recursive: true });
      writeFileSync(join(scratch.dir, 'services', dir, 'service.yaml'), text);
    }
    const result = compileDir(scratch.dir);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return plannedTree(result);
  } finally {
    scratch.cleanup();
  }
}

const EVERYTHING = `secrets: [API_TOKEN]
resources:
  databases: [{ name: main }]
  caches: [{ name: sessions }]
  topics: [{ name: events }]
  subscriptions: [{ topic: ticks, from: clock }]
  buckets: [{ name: files }]
`;

describe('the golden path in Terraform', () => {
  it('gives two services that differ only in name Terraform that differs only in name', () => {
    const tree = compileTexts({
      orders: serviceYaml('orders', EVERYTHING),
      invoices: serviceYaml('invoices', EVERYTHING),
      clock: serviceYaml('clock', 'resources:\n  topics: [{ name: ticks }]\n'),
    });
    const stack = (service: string) => new Map([...tree].filter(([path]) => path.startsWith(`generated/${service}/terraform/`)).map(([path, text]) => [path.slice(`generated/${service}/`.length), text]));
    const orders = stack('orders');
    const invoices = stack('invoices');
    expect(orders.size).toBeGreaterThan(10);
    expect([...orders.keys()]).toEqual([...invoices.keys()]);
    for (const [path, text] of orders) expect(text.replaceAll('orders', 'invoices'), path).toBe(invoices.get(path));
  });

  it('writes no secret value and no account credential into any generated file or tfvars', () => {
    const credential = /\b(AKIA|ASIA)[A-Z0-9]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----|aws_secret_access_key|\b(access_key|secret_key|token|auth_token|password|passwords|master_password)\s*=/i;
    for (const stack of stacks) for (const [path, text] of stack.printed) expect(credential.exec(text)?.[0], `${stack.id} ${path}`).toBeUndefined();
    // Declared secrets get an entry and never a version: their values are set out of band.
    const versions = resourcesOf(stacks, 'aws_secretsmanager_secret_version');
    expect(versions.length).toBeGreaterThan(0);
    for (const version of versions) expect(version.name, version.stack.id).not.toMatch(/^secret-/);
    for (const stack of stacks) {
      for (const secret of stack.service.secrets) {
        expect(resourcesOf([stack], 'aws_secretsmanager_secret').map((r) => r.name)).toContain(`secret-${secret}`);
      }
    }
  });

  it('gives preview no stack: only staging and production have tfvars and a backend', () => {
    for (const stack of stacks) {
      const envFiles = [...stack.printed.keys()].filter((path) => path.startsWith('env/')).sort();
      expect(envFiles, stack.id).toEqual(['env/production.s3.tfbackend', 'env/production.tfvars', 'env/staging.s3.tfbackend', 'env/staging.tfvars']);
    }
  });

  it("keeps each service's state in its own object of the platform's state bucket, per environment", () => {
    for (const stack of stacks) {
      for (const env of ['staging', 'production'] as const) {
        const backend = stack.printed.get(`env/${env}.s3.tfbackend`)!;
        expect(backend, stack.id).toContain(`key            = "${names.terraformState(stack.service.name, env)}"`);
        expect(backend).toContain(`bucket         = "${stack.project.platform.terraform.stateBucket}"`);
        expect(backend).toContain(`dynamodb_table = "${stack.project.platform.terraform.lockTable}"`);
      }
    }
  });

  it('names every connection secret through names.connectionSecret, with exactly the JSON keys of the README contract', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const [kind, keys] of Object.entries(CONNECTION_KEYS) as Array<[ConnectionKind, readonly string[]]>) {
      expect(readme, `README row for ${kind}`).toContain(`| ${kind} | ${keys.map((k) => `\`${k}\``).join(', ')} |`);
    }
    let checked = 0;
    for (const stack of stacks) {
      const tfvars = tfvarsOf(stack, 'staging');
      const versions = resourcesOf([stack], 'aws_secretsmanager_secret_version');
      for (const [kind, variable, items] of [
        ['database', 'databases', stack.service.resources.databases.map((d) => d.name)],
        ['cache', 'caches', stack.service.resources.caches.map((c) => c.name)],
        ['topic', 'topics', stack.service.resources.topics.map((t) => t.name)],
        ['queue', 'subscriptions', stack.service.resources.subscriptions.map((s) => `${s.from}-${s.topic}`)],
        ['bucket', 'buckets', stack.service.resources.buckets.map((b) => b.name)],
      ] as Array<[ConnectionKind, string, string[]]>) {
        for (const name of items) {
          expect((tfvars[variable] as Record<string, { connection_secret: string }>)[name]!.connection_secret).toBe(names.connectionSecret(stack.service.name, 'staging', kind, name));
          const version = versions.find((v) => v.name === `${kind}-${name}`)!;
          expect(Object.keys(version.body.secret_string as object), `${stack.id} ${kind} ${name}`).toEqual([...CONNECTION_KEYS[kind]]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('refuses overrides.terraform with an error at the override rather than dropping it', () => {
    const scratch = scratchCopy();
    try {
      mkdirSync(join(scratch.dir, 'svc'));
      const override = 'overrides:\n  terraform:\n    - target: aws_db_instance.main\n      reason: "bigger disk"\n      patch: [{ op: replace, path: /allocated_storage, value: 50 }]\n';
      writeFileSync(join(scratch.dir, 'svc', 'service.yaml'), serviceYaml('orders', `resources:\n  databases: [{ name: main }]\n${override}`));
      const result = compileDir(scratch.dir);
      expect(result.files).toEqual([]);
      expect(result.diagnostics.map((d) => [d.code, d.message, d.file, d.pointer])).toEqual([
        ['EMIT.TERRAFORM_OVERRIDE_UNSUPPORTED', 'overrides.terraform: aws_db_instance.main cannot be patched yet; the Terraform emitter does not apply overrides', 'svc/service.yaml', '/overrides/terraform/0'],
      ]);
    } finally {
      scratch.cleanup();
    }
  });
});
