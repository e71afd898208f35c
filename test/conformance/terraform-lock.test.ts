import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { terraformLockFile } from '../../emitters/shared/serialize.js';
import { awsProviderLock, LOCK_FILE_NAME, LOCKED_AWS_PROVIDER } from '../../emitters/shared/terraform-lock.js';
import { compileDir, REPO, scratchCopy, serviceYaml, validateTexts } from '../support/helpers.js';
import { PLUGIN_DIR, requireTerraform, terraform, TERRAFORM_ROOTS } from '../support/terraform-helpers.js';

/**
 * Issue 16: every Terraform root paved emits carries a committed
 * `.terraform.lock.hcl` pinning hashicorp/aws 5.100.0, so the provider cannot
 * float between plan and apply. Its content comes from one constant
 * (emitters/shared/terraform-lock.ts); these tests hold the constant to what
 * Terraform itself writes, against the offline mirror, and init every root.
 */

requireTerraform();
const work = mkdtempSync(join(tmpdir(), 'paved-tflock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** A root requiring hashicorp/aws with `constraint`, locked by `terraform providers lock` from the mirror: the file Terraform writes. */
function terraformsLock(constraint: string): string {
  const dir = join(work, `lock-${counter++}`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'versions.tf'),
    `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ${JSON.stringify(constraint)}\n    }\n  }\n}\n`,
  );
  const run = terraform(['providers', 'lock', `-fs-mirror=${PLUGIN_DIR}`, '-platform=linux_amd64', '-no-color'], dir);
  expect(run.code, run.stderr + run.stdout).toBe(0);
  return readFileSync(join(dir, LOCK_FILE_NAME), 'utf8');
}

/** A lock file from the mirror (h1 only) with the release's zh: hashes after the h1, where `terraform providers lock` against the registry puts them. */
const withReleaseHashes = (mirrorLock: string): string =>
  mirrorLock.replace(
    /( {4}"h1:[^"]+",\n)/,
    `$1${LOCKED_AWS_PROVIDER.hashes
      .filter((h) => h.startsWith('zh:'))
      .map((h) => `    "${h}",\n`)
      .join('')}`,
  );

const pavedsLock = (constraint: string): string =>
  terraformLockFile({ path: LOCK_FILE_NAME, source: 'platform.yaml', providers: [awsProviderLock(constraint)] }).contents;

describe('the provider lock constant', () => {
  it('is what `terraform providers lock -fs-mirror -platform=linux_amd64` writes, byte for byte, with the release`s zh: hashes for every other platform', () => {
    const zh = LOCKED_AWS_PROVIDER.hashes.filter((h) => h.startsWith('zh:'));
    expect(zh).toHaveLength(15);
    expect(zh.every((h) => /^zh:[0-9a-f]{64}$/.test(h))).toBe(true);
    expect([...zh].sort()).toEqual(zh);
    expect(pavedsLock('>= 5.100, < 7.0')).toBe(withReleaseHashes(terraformsLock('>= 5.100, < 7.0')));
    expect(LOCKED_AWS_PROVIDER.version).toBe('5.100.0');
    // The mirror holds exactly the version the constant locks.
    const mirror = spawnSync('ls', [join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws')], { encoding: 'utf8' });
    expect(mirror.stdout.trim().split('\n')).toEqual([LOCKED_AWS_PROVIDER.version]);
  });

  it('records the constraint as Terraform normalizes it: parts filled in, duplicates dropped, lower bounds first, a two-part ~> kept', () => {
    for (const constraint of [
      '>= 5.100, < 7.0',
      '< 7.0, >= 5.100',
      '~> 5.100',
      '~> 5.100.0',
      '~> 5',
      '5.100.0',
      '>= 5.0, != 5.99.0, < 6',
      '>=5.100,<7.0,>= 5.100.0',
      '> 5.99.9, <= 5.100.0',
      '~> 5.0, >= 5.100',
    ]) {
      expect(pavedsLock(constraint), constraint).toBe(withReleaseHashes(terraformsLock(constraint)));
    }
  }, 120_000);
});

describe('every generated root', () => {
  const compiled = TERRAFORM_ROOTS.map((root) => ({ root, result: compileDir(join(REPO, root)) }));

  /** Root folders (holding a versions.tf) of one compile, each with its files. */
  function rootsOf(files: ReadonlyArray<{ path: string; contents: string }>): Map<string, Array<{ path: string; contents: string }>> {
    const roots = new Map<string, Array<{ path: string; contents: string }>>();
    for (const file of files) if (file.path.endsWith('/versions.tf')) roots.set(dirname(file.path), []);
    for (const file of files) {
      const dir = [...roots.keys()].find((root) => file.path.startsWith(`${root}/`) && !file.path.slice(root.length + 1).startsWith('subscriptions/'));
      if (dir) roots.get(dir)!.push({ path: file.path.slice(dir.length + 1), contents: file.contents });
    }
    return roots;
  }

  it('has a lock file beside its versions.tf: service stacks, subscriptions roots and the platform root', () => {
    const kinds = new Set<string>();
    for (const { root, result } of compiled) {
      expect(result.project, root).toBeDefined();
      for (const [dir, files] of rootsOf(result.files)) {
        expect(
          files.map((f) => f.path),
          `${root}:${dir}`,
        ).toContain(LOCK_FILE_NAME);
        expect(files.find((f) => f.path === LOCK_FILE_NAME)!.contents, `${root}:${dir}`).toBe(
          pavedsLock(result.project!.platform.terraform.awsProviderVersion),
        );
        kinds.add(dir.endsWith('/subscriptions') ? 'subscriptions' : dir.endsWith('_platform/terraform') ? 'platform' : 'service');
      }
    }
    expect([...kinds].sort()).toEqual(['platform', 'service', 'subscriptions']);
  });

  it('inits offline from the mirror with its lock file read-only, and leaves the lock file as it was', () => {
    let inited = 0;
    for (const { root, result } of compiled) {
      for (const [dir, files] of rootsOf(result.files)) {
        // The stack at its place in a copy of the repository, beside its platform's local modules, which its module sources reach relatively.
        const repo = join(work, 'init', `${counter++}`);
        const copy = join(repo, dir);
        for (const file of files) {
          mkdirSync(dirname(join(copy, file.path)), { recursive: true });
          writeFileSync(join(copy, file.path), file.contents);
        }
        for (const type of Object.values(result.project!.platform.resourceTypes))
          if (type.module.kind === 'local') cpSync(join(REPO, root, type.module.path), join(repo, type.module.path), { recursive: true });
        const run = terraform(['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-lockfile=readonly', '-input=false', '-no-color'], copy);
        expect(run.code, `${root}:${dir}\n${run.stderr}${run.stdout}`).toBe(0);
        expect(readFileSync(join(copy, LOCK_FILE_NAME), 'utf8'), `${root}:${dir}`).toBe(files.find((f) => f.path === LOCK_FILE_NAME)!.contents);
        inited++;
      }
    }
    expect(inited).toBeGreaterThan(20);
  }, 600_000);

  it('fails to init when the lock file does not match the provider, so the lock file is what decides', () => {
    const dir = join(work, 'tampered');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'versions.tf'),
      'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 5.100, < 7.0"\n    }\n  }\n}\n',
    );
    writeFileSync(
      join(dir, LOCK_FILE_NAME),
      pavedsLock('>= 5.100, < 7.0').replace(LOCKED_AWS_PROVIDER.hashes[0]!, 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='),
    );
    const run = terraform(['init', '-backend=false', `-plugin-dir=${PLUGIN_DIR}`, '-input=false', '-no-color'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.replace(/\s+/g, ' ')).toContain("doesn't match any of the checksums previously recorded in the dependency lock file");
  });
});

describe('the platform.yaml provider constraint', () => {
  const platform = (extra: string): string =>
    `apiVersion: paved/v1\nkind: Platform\ncloud:\n  accounts: { staging: "111111111111", production: "222222222222" }\n${extra}`;
  const diagnostics = (extra: string) =>
    validateTexts({ 'services/orders/service.yaml': serviceYaml() }, platform(extra)).diagnostics.map((d) => [
      d.code,
      d.severity,
      d.message,
      d.hint,
      d.range?.line,
      d.range?.col,
    ]);

  it('must admit the locked version, or the compile stops at the constraint', () => {
    expect(diagnostics('terraform:\n  awsProviderVersion: "~> 6.0"\n')).toEqual([
      [
        'SPEC.PROVIDER_NOT_LOCKABLE',
        'error',
        `terraform.awsProviderVersion: "~> 6.0" does not admit hashicorp/aws 5.100.0, the version paved is proven against and writes into every root's .terraform.lock.hcl`,
        'widen the range to include 5.100.0, e.g. ">= 5.100, < 7.0"; a newer provider comes with a paved release that locks it',
        6,
        23,
      ],
    ]);
    expect(diagnostics('terraform:\n  awsProviderVersion: ">= 5.0, != 5.100.0"\n').map((d) => d[0])).toEqual(['SPEC.PROVIDER_NOT_LOCKABLE']);
    expect(diagnostics('terraform:\n  awsProviderVersion: "~> 5.99.0"\n').map((d) => d[0])).toEqual(['SPEC.PROVIDER_NOT_LOCKABLE']);
    expect(diagnostics('terraform:\n  awsProviderVersion: ">= 5.100, < 7.0"\n')).toEqual([]);
    expect(diagnostics('terraform:\n  awsProviderVersion: "~> 5.100"\n')).toEqual([]);
  });

  it('must be a constraint Terraform reads', () => {
    expect(diagnostics('terraform:\n  awsProviderVersion: ">= 5.x"\n')).toEqual([
      [
        'SPEC.PROVIDER_CONSTRAINT',
        'error',
        'terraform.awsProviderVersion: ">= 5.x" is not a version constraint such as ">= 5.100" (operators =, !=, >, >=, <, <=, ~>; release versions only)',
        'write a range that admits 5.100.0, the hashicorp/aws version paved locks every root to, e.g. ">= 5.100, < 7.0"',
        6,
        23,
      ],
    ]);
  });

  it('lockTable is deprecated: a warning at the key that says what to do, and the compile goes on', () => {
    expect(diagnostics('terraform:\n  lockTable: acme-tflock\n')).toEqual([
      [
        'SPEC.DEPRECATED_LOCK_TABLE',
        'warning',
        'terraform.lockTable: is deprecated and no longer used: every root now locks its state with a lock file in the state bucket (use_lockfile, Terraform >= 1.10), not a DynamoDB table',
        'delete terraform.lockTable from platform.yaml once no Terraform older than 1.10 runs against this state; the platform root forgets a lock table it created without deleting it (docs/targets/terraform.md, State locking), so delete the table yourself when you no longer need it',
        6,
        14,
      ],
    ]);
  });
});

describe('the production plan role', () => {
  it("is named after ci.roleArns.production, so that name leaves room for '-plan' in IAM's 64 characters", () => {
    const platform = (role: string) =>
      `apiVersion: paved/v1\nkind: Platform\ncloud:\n  accounts: { staging: "111111111111", production: "222222222222" }\nci:\n  roleArns:\n    production: arn:aws:iam::222222222222:role/ci/${role}\n`;
    const diagnostics = (role: string) =>
      validateTexts({ 'services/orders/service.yaml': serviceYaml() }, platform(role)).diagnostics.map((d) => [
        d.code,
        d.message,
        d.hint,
        d.range?.line,
        d.range?.col,
      ]);
    expect(diagnostics('r'.repeat(59))).toEqual([]);
    expect(diagnostics('r'.repeat(60))).toEqual([
      [
        'SPEC.PLAN_ROLE_NAME',
        // showString clips a long name for the message.
        `ci.roleArns.production: the production plan role paved creates next to this role, "${'r'.repeat(57)}...", has 65 characters; IAM allows 64`,
        "shorten the production role's name to at most 59 characters",
        7,
        17,
      ],
    ]);
  });
});

describe('paved check and the lock files', () => {
  it('writes the dotfile into the generated folders and reports an edited lock file as drift', () => {
    const scratch = scratchCopy(join(REPO, 'examples/shop'));
    try {
      const paved = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin', 'paved.js'), ...args], { cwd: scratch.dir, encoding: 'utf8' });
      expect(paved('compile', '.').status).toBe(0);
      const lock = join(scratch.dir, 'generated', 'orders', 'terraform', LOCK_FILE_NAME);
      expect(readFileSync(lock, 'utf8')).toBe(pavedsLock('>= 5.100, < 7.0'));
      expect(readFileSync(join(scratch.dir, 'generated', 'orders', 'terraform', 'subscriptions', LOCK_FILE_NAME), 'utf8')).toBe(pavedsLock('>= 5.100, < 7.0'));
      expect(readFileSync(join(scratch.dir, 'generated', '_platform', 'terraform', LOCK_FILE_NAME), 'utf8')).toBe(pavedsLock('>= 5.100, < 7.0'));
      expect(readFileSync(join(scratch.dir, 'generated', '.paved-manifest.json'), 'utf8')).toContain(`generated/orders/terraform/${LOCK_FILE_NAME}`);
      expect(paved('check', '.').status).toBe(0);
      // What a developer on another platform would commit after `terraform providers lock -platform=darwin_arm64`.
      writeFileSync(lock, readFileSync(lock, 'utf8').replace('  ]', '    "h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=",\n  ]'));
      const check = paved('check', '.');
      expect(check.status).toBe(1);
      expect(check.stdout + check.stderr).toContain(`generated/orders/terraform/${LOCK_FILE_NAME}`);
    } finally {
      scratch.cleanup();
    }
  });
});
