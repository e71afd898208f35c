import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONNECTION_KEYS, deployedName, deployedTopic, names, type ConnectionKind } from '../../spec/naming.js';
import { compileDir, plannedTree, REPO, scratchCopy, serviceYaml } from '../support/helpers.js';
import { allStacks, resourcesOf, tfvarsOf } from '../support/terraform-helpers.js';

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
    const stack = (service: string) =>
      new Map(
        [...tree]
          .filter(([path]) => path.startsWith(`generated/${service}/terraform/`))
          .map(([path, text]) => [path.slice(`generated/${service}/`.length), text]),
      );
    const orders = stack('orders');
    const invoices = stack('invoices');
    expect(orders.size).toBeGreaterThan(10);
    expect([...orders.keys()]).toEqual([...invoices.keys()]);
    for (const [path, text] of orders) expect(text.replaceAll('orders', 'invoices'), path).toBe(invoices.get(path));
  });

  it('writes no secret value and no account credential into any generated file or tfvars', () => {
    const credential =
      /\b(AKIA|ASIA)[A-Z0-9]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----|aws_secret_access_key|\b(access_key|secret_key|token|auth_token|password|passwords|master_password)\s*=/i;
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

  it("keeps each service's state in its own object of the environment's state bucket", () => {
    for (const stack of stacks) {
      for (const env of ['staging', 'production'] as const) {
        const backend = stack.printed.get(`env/${env}.s3.tfbackend`)!;
        expect(backend, stack.id).toContain(`key          = "${names.terraformState(stack.service.name, env)}"`);
        // Each environment's own bucket (platform.yaml terraform.stateBucket), which holds the state's lock too: no DynamoDB table.
        expect(backend).toContain(`bucket       = "${stack.project.platform.terraform.stateBucket[env]}"`);
        expect(backend).toContain('use_lockfile = true');
        expect(backend).not.toContain('dynamodb_table');
      }
    }
  });

  it('names every connection secret through names.connectionSecret, with exactly the JSON keys of the contract in docs/targets/terraform.md', () => {
    const doc = readFileSync(join(REPO, 'docs', 'targets', 'terraform.md'), 'utf8');
    for (const [kind, keys] of Object.entries(CONNECTION_KEYS) as Array<[ConnectionKind, readonly string[]]>) {
      expect(doc, `docs/targets/terraform.md row for ${kind}`).toContain(`| ${kind} | ${keys.map((k) => `\`${k}\``).join(', ')} |`);
    }
    let checked = 0;
    for (const stack of stacks) {
      const tfvars = tfvarsOf(stack, 'staging');
      const versions = resourcesOf([stack], 'aws_secretsmanager_secret_version');
      // Keyed by the spec name; the secret is named after the deployed one (a renamed entry keeps its secret).
      const { databases, caches, topics, subscriptions, buckets } = stack.service.resources;
      for (const [kind, variable, items] of [
        ['database', 'databases', databases.map((d) => [d.name, deployedName(d)])],
        ['cache', 'caches', caches.map((c) => [c.name, deployedName(c)])],
        ['topic', 'topics', topics.map((t) => [t.name, deployedName(t)])],
        ['queue', 'subscriptions', subscriptions.map((s) => [`${s.from}-${s.topic}`, `${s.from}-${deployedTopic(s)}`])],
        ['bucket', 'buckets', buckets.map((b) => [b.name, deployedName(b)])],
      ] as Array<[ConnectionKind, string, Array<[string, string]>]>) {
        for (const [name, deployed] of items) {
          expect((tfvars[variable] as Record<string, { connection_secret: string }>)[name]!.connection_secret).toBe(
            names.connectionSecret(stack.service.name, 'staging', kind, deployed),
          );
          const version = versions.find((v) => v.name === `${kind}-${name}`)!;
          expect(Object.keys(version.body.secret_string as object), `${stack.id} ${kind} ${name}`).toEqual([...CONNECTION_KEYS[kind]]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  /** Compiles one service with a database and the given override list; returns the diagnostics and database.tf. */
  function withOverride(override: string): { codes: string[][]; database?: string } {
    const scratch = scratchCopy();
    try {
      mkdirSync(join(scratch.dir, 'svc'));
      writeFileSync(
        join(scratch.dir, 'svc', 'service.yaml'),
        serviceYaml('orders', `resources:\n  databases: [{ name: main }]\noverrides:\n  terraform:\n${override}`),
      );
      const result = compileDir(scratch.dir);
      return {
        codes: result.diagnostics.map((d) => [d.code, d.message, `${d.range?.line}:${d.range?.col}`]),
        database: result.files.find((f) => f.path.endsWith('/terraform/database.tf'))?.contents,
      };
    } finally {
      scratch.cleanup();
    }
  }

  it('applies overrides.terraform to the resource, with a comment naming the reason', () => {
    const { codes, database } = withOverride(
      '    - target: aws_db_instance.main\n      reason: "Reporting needs a bigger disk (INC-3)"\n      patch: [{ op: replace, path: /allocated_storage, value: 500 }, { op: add, path: /max_allocated_storage, value: 1000 }]\n',
    );
    expect(codes).toEqual([]);
    expect(database).toMatch(/# paved override \(a reported deviation\): Reporting needs a bigger disk \(INC-3\)\nresource "aws_db_instance" "main" \{/);
    expect(database).toMatch(/\n {2}allocated_storage +\= 500\n/);
    expect(database).toMatch(/\n {2}max_allocated_storage +\= 1000\n/);
  });

  it('rejects an unknown target, a patch that does not apply, a forbidden attribute or type, and one environment only', () => {
    const at = (code: string, body: string): string[][] => withOverride(body).codes.filter((c) => c[0] === code);
    expect(
      at(
        'EMIT.OVERRIDE_TARGET',
        '    - target: aws_db_instance.other\n      reason: "bigger disk please"\n      patch: [{ op: replace, path: /allocated_storage, value: 50 }]\n',
      )[0]![1],
    ).toMatch(/^overrides\.terraform\[0\]\.target: paved generates no resource aws_db_instance\.other/);
    expect(
      at(
        'EMIT.OVERRIDE_PATCH',
        '    - target: aws_db_instance.main\n      reason: "bigger disk please"\n      patch: [{ op: replace, path: /no_such_attribute, value: 50 }]\n',
      )[0]![1],
    ).toBe('overrides.terraform[0].patch[0]: the patch does not apply to aws_db_instance.main: /no_such_attribute does not exist');
    expect(
      at(
        'EMIT.OVERRIDE_FORBIDDEN',
        '    - target: aws_db_instance.main\n      reason: "make it reachable"\n      patch: [{ op: replace, path: /publicly_accessible, value: true }]\n',
      )[0]![1],
    ).toMatch(/forbids patching publicly_accessible/);
    expect(
      at(
        'EMIT.OVERRIDE_FORBIDDEN',
        '    - target: aws_kms_key.service\n      reason: "no rotation needed"\n      patch: [{ op: replace, path: /enable_key_rotation, value: false }]\n',
      )[0]![1],
    ).toMatch(/forbids patching aws_kms_key resources/);
    expect(
      at(
        'EMIT.OVERRIDE_ENVIRONMENTS',
        '    - target: aws_db_instance.main\n      environments: [production]\n      reason: "bigger disk please"\n      patch: [{ op: replace, path: /allocated_storage, value: 50 }]\n',
      ),
    ).toHaveLength(1);
  });
});
