import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderStarterPlatform } from '../../cli/starter-platform.js';
import { defaultPlatform } from '../../spec/default-platform.js';
import { runCli, scratchCopy, serviceYaml } from '../support/helpers.js';

/**
 * Issue 17, footguns: a mistyped spec name, a compile of the wrong folder and
 * the embedded example platform must each stop or warn before anything is
 * written or deleted.
 */
const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let repos = 0;

const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\nname: acme\n';

/** A repo (with a .git folder) holding a platform.yaml and the given services, compiled once. */
async function compiledRepo(services: readonly string[]): Promise<string> {
  const root = join(scratch.dir, `repo-${repos++}`);
  mkdirSync(join(root, '.git'), { recursive: true });
  writeFileSync(join(root, 'platform.yaml'), PLATFORM);
  for (const name of services) {
    mkdirSync(join(root, 'services', name), { recursive: true });
    writeFileSync(join(root, 'services', name, 'service.yaml'), serviceYaml(name));
  }
  const run = await runCli(['compile'], root);
  expect(run.code, run.stderr).toBe(0);
  return root;
}

/** Every file under a folder, as relative paths with their bytes. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(dir.length + 1), readFileSync(path, 'utf8'));
    }
  }
  return files;
}

describe('a spec file with a near-miss name', () => {
  for (const name of ['service.yml', 'Service.yaml', 'service.yaml.txt', 'SERVICE.YML', 'services.yaml', 'service.json']) {
    it(`stops the compile at ${name}, with a did-you-mean, and deletes nothing`, async () => {
      const root = await compiledRepo(['orders', 'payments']);
      const before = snapshot(join(root, 'generated'));
      renameSync(join(root, 'services/payments/service.yaml'), join(root, 'services/payments', name));
      const run = await runCli(['compile'], root);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `services/payments/${name}:1:1: error LOAD.SPEC_FILE_NAME "${name}" is not read: paved reads a service's spec only from a file named exactly "service.yaml", so this folder would have no service and its generated files would be deleted\n` +
          `  hint: did you mean service.yaml? Rename the file (git mv services/payments/${name} services/payments/service.yaml)\n` +
          'paved: 1 error; nothing written\n',
      );
      expect(snapshot(join(root, 'generated'))).toEqual(before);
      expect((await runCli(['check'], root)).code).toBe(1);
    });
  }

  it('stays quiet about a backup beside the real service.yaml', async () => {
    const root = await compiledRepo(['orders']);
    writeFileSync(join(root, 'services/orders/service.yaml.orig'), 'conflict leftovers');
    writeFileSync(join(root, 'services/orders/service.yml~'), 'editor backup');
    const run = await runCli(['check'], root);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('ignores names that only resemble it', async () => {
    const root = await compiledRepo(['orders']);
    writeFileSync(join(root, 'services/orders/service-account.yaml'), 'kind: ServiceAccount');
    writeFileSync(join(root, 'services/orders/my-service.yml'), 'x: 1');
    expect((await runCli(['check'], root)).code).toBe(0);
  });
});

describe('compiling a folder inside a repository whose root has the platform.yaml', () => {
  it('is an error that names the enclosing platform.yaml and writes no second tree', async () => {
    const root = await compiledRepo(['orders']);
    const folder = join(root, 'services/orders');
    for (const command of ['compile', 'check', 'validate']) {
      const run = await runCli([command], folder);
      expect(run.code, command).toBe(1);
      expect(run.stderr).toBe(
        'error LOAD.NESTED_ROOT this folder has no platform.yaml, but "../../platform.yaml" does: compiling here would use paved\'s embedded example platform and write a second generated tree\n' +
          "  hint: compile the repository's root instead: paved compile ../.. (or --root ../..)\n" +
          'paved: 1 error; nothing written\n',
      );
    }
    expect(existsSync(join(folder, 'generated'))).toBe(false);
    expect(existsSync(join(folder, '.github'))).toBe(false);
  });

  it('looks no further than the repository: a platform.yaml above its top does not count', async () => {
    const outer = join(scratch.dir, `outer-${repos++}`);
    const repo = join(outer, 'checkout');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'services/orders'), { recursive: true });
    writeFileSync(join(outer, 'platform.yaml'), PLATFORM);
    writeFileSync(join(repo, 'services/orders/service.yaml'), serviceYaml('orders'));
    expect((await runCli(['validate'], repo)).code).toBe(0);
  });
});

describe('the embedded example platform', () => {
  const expected = `no platform.yaml, so paved used its embedded example platform: AWS accounts ${defaultPlatform.cloud.accounts.staging} (staging) and ${defaultPlatform.cloud.accounts.production} (production), registry ${defaultPlatform.registry}; this output deploys nowhere real. Write your platform's with "paved init --platform"`;

  it('is named in a warning on every compile, check and validate, as text and as a GitHub annotation', async () => {
    const root = join(scratch.dir, `bare-${repos++}`);
    mkdirSync(join(root, 'services/orders'), { recursive: true });
    writeFileSync(join(root, 'services/orders/service.yaml'), serviceYaml('orders'));
    for (const command of ['validate', 'compile', 'check']) {
      const run = await runCli([command], root);
      expect(run.code, `${command}: ${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stderr, command).toBe(`paved: warning: ${expected}\n`);
    }
    const github = await runCli(['check', '--format', 'github'], root);
    expect(github.stdout).toBe(`::warning title=paved::${expected}\n`);
  });

  it('is not mentioned once the repository has its own platform.yaml', async () => {
    const root = await compiledRepo(['orders']);
    expect((await runCli(['check'], root)).stderr).toBe('');
  });
});

describe('paved init --platform', () => {
  it('writes the random bucket suffix as a string even when every digit it drew is decimal', () => {
    // One draw in about 43 is all decimal digits; unquoted, YAML would read 92514957 as a number.
    const starter = parse(renderStarterPlatform({ schemaPath: 'platform.schema.json', bucketNameSuffix: '92514957' })) as {
      cloud: { bucketNameSuffix: unknown };
    };
    expect(starter.cloud.bucketNameSuffix).toBe('92514957');
  });

  it('writes a starter that fails validation at every value only the platform team knows, and compiles once they are filled in', async () => {
    const root = join(scratch.dir, `init-${repos++}`);
    mkdirSync(join(root, 'services/orders'), { recursive: true });
    writeFileSync(join(root, 'services/orders/service.yaml'), serviceYaml('orders'));
    const init = await runCli(['init', '--platform'], root);
    expect(init.code).toBe(0);
    expect(init.stdout).toBe('created platform.yaml\nnext: fill in every "" (paved validate points at each one left), then run "paved compile"\n');
    const starter = readFileSync(join(root, 'platform.yaml'), 'utf8');
    expect(starter).toMatch(/^ {2}bucketNameSuffix: "[0-9a-f]{8}"$/m);

    const empty = await runCli(['validate', '--format', 'json'], root);
    expect(empty.code).toBe(1);
    const pointers = (JSON.parse(empty.stdout) as { diagnostics: Array<{ pointer: string }> }).diagnostics.map((d) => d.pointer);
    for (const pointer of [
      '/name',
      '/domain',
      '/cloud/accounts/staging',
      '/cloud/accounts/production',
      '/network/vpcId/production',
      '/network/privateSubnetIds/staging/0',
      '/kubernetes/clusters/preview',
      '/registry',
      '/terraform/stateBucket/production',
      '/gitops/repoURL',
      '/ci/roleArns/production',
      '/ci/repository',
    ]) {
      expect(pointers, pointer).toContain(pointer);
    }

    const filled = starter
      .replace('name: ""', 'name: acme')
      .replace('domain: ""', 'domain: acme.example.com')
      .replace('accounts: { staging: "", production: "" }', 'accounts: { staging: "123456789012", production: "210987654321" }')
      .replace('accessLogBuckets: { staging: "", production: "" }', 'accessLogBuckets: { staging: acme-stg-logs, production: acme-prd-logs }')
      .replace('vpcId: { staging: "", production: "" }', 'vpcId: { staging: vpc-0a1, production: vpc-0b2 }')
      .replace('privateSubnetIds: { staging: [""], production: [""] }', 'privateSubnetIds: { staging: [subnet-0a1], production: [subnet-0b2] }')
      .replace('podSecurityGroupIds: { staging: "", production: "" }', 'podSecurityGroupIds: { staging: sg-0a1, production: sg-0b2 }')
      .replace('clusters: { preview: "", staging: "", production: "" }', 'clusters: { preview: dev, staging: stg, production: prd }')
      .replace('registry: ""', 'registry: ghcr.io/acme')
      .replace('stateBucket: { staging: "", production: "" }', 'stateBucket: { staging: acme-stg-tfstate, production: acme-prd-tfstate }')
      .replace('repoURL: ""', 'repoURL: https://github.com/acme/platform')
      .replace(
        'roleArns: { preview: "", staging: "", production: "" }',
        'roleArns: { preview: "arn:aws:iam::123456789012:role/ci-preview", staging: "arn:aws:iam::123456789012:role/ci-staging", production: "arn:aws:iam::210987654321:role/ci-production" }',
      )
      .replace('repository: ""', 'repository: acme/platform');
    expect(filled.split('\n').filter((line) => !line.startsWith('#') && line.includes('""'))).toEqual([]);
    writeFileSync(join(root, 'platform.yaml'), filled);
    const compiled = await runCli(['compile'], root);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.stderr).toBe('');
  });

  it('never overwrites a platform.yaml, and takes no --name', async () => {
    const root = join(scratch.dir, `existing-${repos++}`);
    mkdirSync(root);
    writeFileSync(join(root, 'platform.yaml'), PLATFORM);
    const again = await runCli(['init', '--platform', '.'], root);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('paved: platform.yaml already exists; paved init never overwrites a file\n');
    expect(readFileSync(join(root, 'platform.yaml'), 'utf8')).toBe(PLATFORM);
    expect((await runCli(['init', '--platform', '--name', 'x'], root)).code).toBe(2);
  });
});
