import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkAgainstBase } from '../../cli/check-base.js';
import { readRevision } from '../../cli/revision.js';
import { emitters } from '../../cli/emitters.js';
import { emitPrepared, loadSources, prepareSources } from '../../compiler/compile.js';
import { caseRoot, runCli, scratchCopy, serviceYaml } from '../support/helpers.js';

/**
 * Issue 17: `paved check --base <ref>` fails when, compared with the specs at
 * that revision, a change would destroy or replace a stateful resource that no
 * reviewed `dataLoss:` line acknowledges. Each case is a real git repository:
 * a base commit, then an edit compiled into the working tree.
 */
const scratch = scratchCopy();
afterAll(() => scratch.cleanup());
let repos = 0;

const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\nname: acme\ncloud:\n  bucketNameSuffix: "k3x9q2w8"\n';
const RESOURCES = `resources:
  databases:
    - name: main
  buckets:
    - name: files
secrets:
  - API_KEY
`;
const MAILER_REASON = 'Mail moved to the notifications service (OPS-501)';
const DATABASE_ACK = `dataLoss:
  - resource: databases.main
    reason: "Orders moved to the ledger; final snapshot kept (OPS-412)"
`;

function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-C', root, '-c', 'user.email=test@example.com', '-c', 'user.name=test', '-c', 'commit.gpgsign=false', ...args], {
    encoding: 'utf8',
  });
}

/** A git repo with the platform and service `orders` (the given spec), compiled and committed as the base. */
async function baseRepo(spec: string, others: Readonly<Record<string, string>> = {}): Promise<string> {
  const root = join(scratch.dir, `repo-${repos++}`);
  mkdirSync(join(root, 'services', 'orders'), { recursive: true });
  writeFileSync(join(root, 'platform.yaml'), PLATFORM);
  writeFileSync(join(root, 'services', 'orders', 'service.yaml'), spec);
  for (const [name, text] of Object.entries(others)) {
    mkdirSync(join(root, 'services', name), { recursive: true });
    writeFileSync(join(root, 'services', name, 'service.yaml'), text);
  }
  git(root, 'init', '-q', '-b', 'main');
  await commitCompiled(root, 'base');
  return root;
}

async function commitCompiled(root: string, message: string): Promise<void> {
  const compiled = await runCli(['compile'], root);
  expect(compiled.code, compiled.stderr).toBe(0);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', message);
}

/** Writes the service's new spec, compiles it into the working tree and runs the check against HEAD. */
async function checkEdit(root: string, spec: string, format: string[] = []) {
  writeFileSync(join(root, 'services', 'orders', 'service.yaml'), spec);
  const compiled = await runCli(['compile'], root);
  expect(compiled.code, compiled.stderr).toBe(0);
  return runCli(['check', '--base', 'HEAD', ...format], root);
}

const codes = (text: string): string[] => [...text.matchAll(/ (?:error|warning) ([A-Z]+\.[A-Z_]+) /g)].map((m) => m[1]!);

describe('paved check --base', () => {
  it('fails when a removed database would be destroyed, naming the service, the resource and why', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES.replace('  databases:\n    - name: main\n', '')));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'services/orders/service.yaml:8:1: error CHECK.DATA_LOSS resources.databases: database "main" of service "orders" is no longer declared, so Terraform would destroy it in staging and production (aws_db_instance.main, aws_secretsmanager_secret.database-main), and its data with it',
    );
    expect(run.stderr).toContain(
      'hint: to rename it, declare it under its new name with renamedFrom; if losing it is intended, say so in a reviewed line: dataLoss: [{ resource: databases.main, reason: "<why losing it is fine: a backup, a migration, a ticket>" }]',
    );
    // Production's default policy protects databases from deletion: the check says the apply would fail there.
    expect(run.stderr).toContain(
      'warning CHECK.DELETION_PROTECTED resources.databases: database "main" of service "orders" still has deletion protection in production, so the apply that destroys it will fail there',
    );
    expect(run.stdout).toContain('paved: compared with HEAD, 1 change would destroy data nobody acknowledged\n');
    expect(codes(run.stderr)).toEqual(['CHECK.DATA_LOSS', 'CHECK.DELETION_PROTECTED']);
  });

  it('fails when a database would shrink its storage, at the key that shrinks it, and passes growth', async () => {
    const spec = (storage: string) => serviceYaml('orders', `resources:\n  databases:\n    - name: main\n${storage}`);
    const root = await baseRepo(spec('      storageGiB: 50\n'));
    const run = await checkEdit(root, spec('      storageGiB: 30\n'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'services/orders/service.yaml:11:19: error CHECK.STORAGE_SHRINK resources.databases[0].storageGiB: database "main" would go from 50 to 30 GiB of storage, and RDS never shrinks storage: the apply would fail, or with storage autoscaling the provider would ignore it',
    );
    expect(run.stderr).toContain('hint: keep storageGiB at 50 or more; to use less, move the data to a new database');
    expect(run.stdout).toContain('paved: compared with HEAD, 1 database would shrink its storage, which RDS never does\n');
    expect(run.stdout).not.toContain('would destroy data');
    expect(codes(run.stderr)).toEqual(['CHECK.STORAGE_SHRINK']);
    // Dropping the key falls back to the platform's minimum (20 GiB): the same shrink, said at the entry.
    const dropped = await checkEdit(root, spec(''));
    expect(dropped.stderr).toContain(
      'services/orders/service.yaml:10:7: error CHECK.STORAGE_SHRINK resources.databases[0]: database "main" would go from 50 to 20 GiB',
    );
    expect((await checkEdit(root, spec('      storageGiB: 60\n'))).code).toBe(0);
  });

  it("fails when a platform resource type's entry is removed, at its list, and passes it acknowledged", async () => {
    const root = join(scratch.dir, `repo-${repos++}`);
    cpSync(caseRoot('resource-types'), root, { recursive: true });
    rmSync(join(root, 'expected'), { recursive: true });
    git(root, 'init', '-q', '-b', 'main');
    await commitCompiled(root, 'base');
    const spec = join(root, 'services', 'carts', 'service.yaml');
    const before = readFileSync(spec, 'utf8');
    const without = before.replace('  documentdb:\n    - name: carts\n      size: medium\n      instances: 2\n', '');
    expect(without).not.toBe(before);
    writeFileSync(spec, without);
    expect((await runCli(['compile'], root)).code).toBe(0);
    const run = await runCli(['check', '--base', 'HEAD'], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'services/carts/service.yaml:13:1: error CHECK.DATA_LOSS resources.documentdb: documentdb "carts" of service "carts" is no longer declared, so Terraform would destroy it in staging and production (aws_secretsmanager_secret.documentdb-carts, module.documentdb-carts), and its data with it',
    );
    writeFileSync(spec, `${without}dataLoss:\n  - resource: documentdb.carts\n    reason: "Carts moved to the orders database (OPS-77)"\n`);
    expect((await runCli(['compile'], root)).code).toBe(0);
    expect((await runCli(['check', '--base', 'HEAD'], root)).code).toBe(0);
  });

  it("sees a stateful platform resource type's module itself: its removal without a connection secret fails, and new inputs warn", async () => {
    const root = join(scratch.dir, `repo-${repos++}`);
    cpSync(caseRoot('resource-types'), root, { recursive: true });
    rmSync(join(root, 'expected'), { recursive: true });
    // A stateful type that exports no connection values: the module call is all the generated Terraform holds of it.
    const platform = join(root, 'platform.yaml');
    const withConnection = readFileSync(platform, 'utf8');
    const withoutConnection = withConnection.replace(/\n( {4})connection:[^\n]*((\n\1 +- [^\n]*)*)/, '');
    expect(withoutConnection).not.toBe(withConnection);
    writeFileSync(platform, withoutConnection);
    git(root, 'init', '-q', '-b', 'main');
    await commitCompiled(root, 'base');
    const spec = join(root, 'services', 'carts', 'service.yaml');
    const before = readFileSync(spec, 'utf8');
    writeFileSync(spec, before.replace('      instances: 2\n', '      instances: 3\n'));
    expect((await runCli(['compile'], root)).code).toBe(0);
    const inputs = await runCli(['check', '--base', 'HEAD'], root);
    expect(inputs.stderr).toContain(
      `services/carts/service.yaml:15:7: warning CHECK.MODULE_INPUTS_CHANGED resources.documentdb[0]: the module of documentdb "carts" of service "carts" gets other inputs (instances) in staging and production (module.documentdb-carts): paved cannot tell whether the platform's module then replaces what it holds\n`,
    );
    expect(inputs.code, inputs.stderr).toBe(0);
    writeFileSync(spec, before.replace('  documentdb:\n    - name: carts\n      size: medium\n      instances: 2\n', ''));
    expect((await runCli(['compile'], root)).code).toBe(0);
    const removed = await runCli(['check', '--base', 'HEAD'], root);
    expect(removed.stderr).toContain(
      'services/carts/service.yaml:13:1: error CHECK.DATA_LOSS resources.documentdb: documentdb "carts" of service "carts" is no longer declared, so Terraform would destroy it in staging and production (module.documentdb-carts), and its data with it',
    );
    expect(removed.code).toBe(1);
  });

  it("fails closed on an override that changes what the provider table does not know on a stateful resource: an attribute, or the lifecycle's replace_triggered_by", async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const override = (patch: string): string =>
      serviceYaml(
        'orders',
        `${RESOURCES}overrides:\n  terraform:\n    - target: aws_db_instance.main\n      reason: "pin the primary to the AZ of the app nodes"\n      patch:\n${patch}`,
      );
    const zone = await checkEdit(root, override('        - { op: add, path: /availability_zone, value: eu-west-1a }\n'));
    expect(zone.stderr).toContain(
      'error CHECK.DATA_LOSS resources.databases[0]: a change to availability_zone may force Terraform to replace database "main" of service "orders" in staging and production (aws_db_instance.main): paved\'s table of the provider does not say whether availability_zone updates in place, so it takes the change for a replacement',
    );
    expect(zone.stderr).toContain('  hint: remove the override that changes availability_zone, or keep it as it was;');
    expect(zone.code).toBe(1);
    const trigger = await checkEdit(
      root,
      override(
        '        - { op: add, path: /lifecycle/0/replace_triggered_by, value: [] }\n        - { op: copy, from: /db_subnet_group_name, path: /lifecycle/0/replace_triggered_by/- }\n',
      ),
    );
    expect(trigger.stderr).toContain('error CHECK.DATA_LOSS resources.databases[0]: a change to lifecycle may force Terraform to replace database "main"');
    expect(trigger.code).toBe(1);
  });

  it('warns when an update shortens how long a resource keeps data: backups the platform keeps less, a lifecycle rule an override makes expire', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    writeFileSync(join(root, 'platform.yaml'), `${PLATFORM}policy:\n  production: { deletionProtection: true, multiAz: true, backupRetentionDays: 7 }\n`);
    const expire = `${RESOURCES}overrides:\n  terraform:\n    - target: aws_s3_bucket_lifecycle_configuration.files\n      reason: "scratch files"\n      patch:\n        - { op: add, path: /rule/0/expiration, value: [{ days: 1 }] }\n`;
    const run = await checkEdit(root, serviceYaml('orders', expire));
    // Warnings: the change may well be intended; nothing is destroyed, and a dataLoss line would lift protection against a destroy.
    expect(run.code, run.stderr).toBe(0);
    expect(codes(run.stderr)).toEqual(['CHECK.RETENTION_SHORTENED', 'CHECK.RETENTION_SHORTENED']);
    expect(run.stderr).toContain(
      'services/orders/service.yaml:10:7: warning CHECK.RETENTION_SHORTENED resources.databases[0]: the change shortens how long database "main" of service "orders" (aws_db_instance.main) keeps data in production: backup_retention_period from 14 to 7: RDS deletes the automated backups older than the new period, and at 0 all of them',
    );
    expect(run.stderr).toContain(
      'services/orders/service.yaml:12:7: warning CHECK.RETENTION_SHORTENED resources.buckets[0]: the change shortens how long bucket "files" of service "orders" (aws_s3_bucket_lifecycle_configuration.files) keeps data in staging and production: rule "abort-incomplete-multipart-uploads" from no expiry to expiration {"days":1}: S3 deletes the objects or versions the rule now expires',
    );
    expect(run.stderr).toContain(
      "hint: what is older than the new setting is deleted at the apply and cannot be recovered: unless that is intended, keep the setting as it was (an override, the spec or platform.yaml lowers it), and read this pull request's plan before merging",
    );
    const diff = await runCli(['diff', '--base', 'HEAD'], root);
    expect(diff.stdout).toContain(
      '  ! update aws_db_instance.main: backup_retention_period (shortens backup_retention_period: older data is deleted) [production]\n',
    );
    // Keeping data longer is said by nothing.
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'shorter');
    writeFileSync(join(root, 'platform.yaml'), PLATFORM);
    const longer = await checkEdit(root, serviceYaml('orders', expire.replace('days: 1', 'days: 30')));
    expect(longer.code, longer.stderr).toBe(0);
    expect(longer.stderr).toBe('');
  });

  it('still says what a new dataLoss line arms when the same change only shortens a retention of what it names', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    writeFileSync(join(root, 'platform.yaml'), `${PLATFORM}policy:\n  production: { deletionProtection: true, multiAz: true, backupRetentionDays: 7 }\n`);
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES + DATABASE_ACK));
    expect(run.code, run.stderr).toBe(0);
    // The shortening is no destroy the line acknowledges: the line still lifts the protection, and is said to.
    expect(codes(run.stderr)).toEqual(['CHECK.RETENTION_SHORTENED', 'CHECK.PROTECTION_LIFTED']);
  });

  it('passes the same removal once a dataLoss entry acknowledges it, repeating the reason', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES.replace('  databases:\n    - name: main\n', '') + DATABASE_ACK));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'warning CHECK.DATA_LOSS_ACKNOWLEDGED dataLoss[0]: database "main" of service "orders" is no longer declared, so Terraform would destroy it in staging and production (aws_db_instance.main, aws_secretsmanager_secret.database-main), as acknowledged: Orders moved to the ledger; final snapshot kept (OPS-412)',
    );
    expect(run.stdout).toContain('generated files up to date');
  });

  it('retires a database in two steps: the acknowledgement lifts its protection, then the removal passes without a refusal', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const first = await checkEdit(root, serviceYaml('orders', RESOURCES + DATABASE_ACK));
    expect(first.code, first.stderr).toBe(0);
    // Nothing is lost yet; the check says what the new line arms.
    expect(first.stderr).toBe(
      [
        'services/orders/service.yaml:16:5: warning CHECK.PROTECTION_LIFTED dataLoss[0]: while this entry stays, "databases.main" loses its protection against a destroy (prevent_destroy, a database\'s deletion protection; a bucket is emptied on destroy): a later change that removes or replaces it passes the check as acknowledged',
        '    |',
        ' 16 |   - resource: databases.main',
        '    |     ^',
        '  hint: merge it only to remove or replace the resource next, and take the entry out once that change has reached every environment',
        '',
      ].join('\n'),
    );
    const database = readFileSync(join(root, 'generated/orders/terraform/database.tf'), 'utf8');
    const instance = database.slice(database.indexOf('resource "aws_db_instance" "main"'));
    expect(instance.slice(0, instance.indexOf('\n}\n'))).toMatch(
      /deletion_protection +?= false\n[\s\S]*lifecycle \{\n {4}ignore_changes = \[final_snapshot_identifier\]\n {2}\}$/,
    );
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'acknowledge');
    const second = await checkEdit(root, serviceYaml('orders', RESOURCES.replace('  databases:\n    - name: main\n', '') + DATABASE_ACK));
    expect(second.code, second.stderr).toBe(0);
    expect(codes(second.stderr)).toEqual(['CHECK.DATA_LOSS_ACKNOWLEDGED']);
  });

  it('fails on a replacement the platform causes, at the entry it replaces', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    writeFileSync(join(root, 'platform.yaml'), PLATFORM.replace('k3x9q2w8', 'p7w4m1z5'));
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'services/orders/service.yaml:12:7: error CHECK.DATA_LOSS resources.buckets[0]: a change to bucket forces Terraform to replace bucket "files" of service "orders" in staging and production (aws_s3_bucket.files): it destroys it and creates an empty one, and its data with it',
    );
    expect(run.stderr).toContain('hint: keep bucket as it was (a platform.yaml change or a paved upgrade can change it too); if a new, empty one is intended');
    const acknowledged = await checkEdit(
      root,
      serviceYaml('orders', `${RESOURCES}dataLoss:\n  - { resource: buckets.files, reason: "Scratch files, regenerated nightly" }\n`),
    );
    expect(acknowledged.code, acknowledged.stderr).toBe(0);
    expect(codes(acknowledged.stderr)).toEqual(['CHECK.DATA_LOSS_ACKNOWLEDGED']);
  });

  it('fails on a removed secret, whose value goes with it, without suggesting a rename', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES.replace('secrets:\n  - API_KEY\n', '')));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error CHECK.DATA_LOSS secrets: secret "API_KEY" of service "orders" is no longer declared, so Terraform would destroy it in staging and production (aws_secretsmanager_secret.secret-API_KEY), and its data with it',
    );
    expect(run.stderr).toContain('  hint: if losing it is intended, say so in a reviewed line: dataLoss: [{ resource: secrets.API_KEY,');
  });

  it('fails when a service is removed without being retired, and its hint points at retired:', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES), { mailer: serviceYaml('mailer', 'resources:\n  buckets:\n    - name: outbox\n') });
    rmSync(join(root, 'services', 'mailer'), { recursive: true });
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'services/mailer/service.yaml: error CHECK.SERVICE_REMOVED service "mailer" is removed without being retired: its Terraform stacks in staging and production hold aws_kms_key.service, aws_s3_bucket.outbox, aws_secretsmanager_secret.bucket-outbox, which no workflow would apply or destroy again: orphaned with their data, they keep billing; its Kubernetes objects Namespace/mailer hold data too',
    );
    expect(run.stderr).toContain(
      '  hint: retire it first: add retired: { reason: "<why, and where its data went>" } to services/mailer/service.yaml and merge that; its workflow then takes it off the deploy branches and destroys its stacks in staging, then in production once approved. Delete the service once that has finished in both (docs/day-2.md, Retiring a service). If it was renamed instead, say renamedFrom: mailer at the top of its new service.yaml\n',
    );
    expect(codes(run.stderr)).toEqual(['CHECK.SERVICE_REMOVED']);
  });

  it('does not let a service go on a dataLoss: service entry alone: that lifts its protection, but nothing tears it down', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES), {
      mailer: serviceYaml('mailer', `resources:\n  buckets:\n    - name: outbox\ndataLoss:\n  - { resource: service, reason: "${MAILER_REASON}" }\n`),
    });
    expect(readFileSync(join(root, 'generated/mailer/terraform/kms.tf'), 'utf8')).not.toContain('prevent_destroy');
    rmSync(join(root, 'services', 'mailer'), { recursive: true });
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('services/mailer/service.yaml: error CHECK.SERVICE_REMOVED service "mailer" is removed without being retired: ');
    expect(run.stderr).toContain('  hint: retire it first: add retired: { reason: "<why, and where its data went>" } to services/mailer/service.yaml');
    expect(codes(run.stderr)).toEqual(['CHECK.SERVICE_REMOVED']);
  });

  it('passes retired: with warnings naming its reason and what the teardown destroys, then passes deleting the service with a warning naming staging and production', async () => {
    const mailer = 'resources:\n  buckets:\n    - name: outbox\n';
    const root = await baseRepo(serviceYaml('orders', RESOURCES), { mailer: serviceYaml('mailer', mailer) });
    writeFileSync(join(root, 'services', 'mailer', 'service.yaml'), serviceYaml('mailer', `${mailer}retired:\n  reason: "${MAILER_REASON}"\n`));
    const retire = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(retire.code, retire.stderr).toBe(0);
    expect(retire.stderr).toContain(
      'services/mailer/service.yaml:11:1: warning CHECK.DATA_LOSS_ACKNOWLEDGED retired: Argo CD would delete the Kubernetes objects Namespace/mailer of service "mailer" in staging and production, and with a namespace or a volume claim everything it holds, as acknowledged: Mail moved to the notifications service (OPS-501)\n',
    );
    expect(retire.stderr).toContain(
      'services/mailer/service.yaml:11:1: warning CHECK.DATA_LOSS_ACKNOWLEDGED retired: service "mailer" is retired, so its teardown workflow destroys its Terraform stacks in staging and then, once approved, in production, with aws_kms_key.service, aws_s3_bucket.outbox, aws_secretsmanager_secret.bucket-outbox, as acknowledged: Mail moved to the notifications service (OPS-501)\n',
    );
    expect(retire.stderr).toContain(
      '  hint: databases and caches leave a final snapshot, buckets are emptied, queued messages are lost and secrets enter their recovery window; delete the service once the teardown has finished in both environments\n',
    );
    expect(codes(retire.stderr)).toEqual(['CHECK.DATA_LOSS_ACKNOWLEDGED', 'CHECK.DATA_LOSS_ACKNOWLEDGED']);
    // What it compiles to: no manifests or Application, unprotected stacks, the teardown workflow.
    const generated = git(root, 'ls-files', '--others', '--modified', '--deleted', 'generated', '.github').split('\n').filter(Boolean);
    expect(generated.filter((p) => p.startsWith('generated/mailer/kubernetes/')).length).toBeGreaterThan(5);
    expect(existsSync(join(root, 'generated/mailer/kubernetes'))).toBe(false);
    expect(readFileSync(join(root, 'generated/mailer/terraform/storage.tf'), 'utf8')).toContain('force_destroy = true');
    expect(readFileSync(join(root, 'generated/mailer/terraform/kms.tf'), 'utf8')).not.toContain('prevent_destroy');
    expect(readFileSync(join(root, '.github/workflows/paved-mailer.yml'), 'utf8')).toContain('name: paved mailer (retired)\n');

    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'retire mailer');
    rmSync(join(root, 'services', 'mailer'), { recursive: true });
    const removed = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain(
      'services/mailer/service.yaml: warning CHECK.DATA_LOSS_ACKNOWLEDGED service "mailer" is removed after being retired (Mail moved to the notifications service (OPS-501)): its teardown workflow must have finished in staging and in production, or what its stacks held (aws_kms_key.service, aws_s3_bucket.outbox, aws_secretsmanager_secret.bucket-outbox) stays behind with nothing to destroy it\n',
    );
    expect(removed.stderr).toContain(
      '  hint: check that the last run of paved-mailer.yml on main succeeded in both environments before merging; if it did not, keep the service until it has\n',
    );
    expect(codes(removed.stderr)).toEqual(['CHECK.DATA_LOSS_ACKNOWLEDGED']);
  });

  it('passes deleting a retired service that held nothing stateful, still with the warning', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES), { web: serviceYaml('web', `retired:\n  reason: "${MAILER_REASON}"\n`) });
    rmSync(join(root, 'services', 'web'), { recursive: true });
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'services/web/service.yaml: warning CHECK.DATA_LOSS_ACKNOWLEDGED service "web" is removed after being retired (Mail moved to the notifications service (OPS-501)): its teardown workflow must have finished in staging and in production\n',
    );
    expect(codes(run.stderr)).toEqual(['CHECK.DATA_LOSS_ACKNOWLEDGED']);
  });

  it('holds a stateless service to the same rule: its namespace holds data too', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES), { web: serviceYaml('web') });
    rmSync(join(root, 'services', 'web'), { recursive: true });
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'services/web/service.yaml: error CHECK.SERVICE_REMOVED service "web" is removed without being retired: its Kubernetes objects Namespace/web hold data too\n',
    );
  });

  it('passes an unchanged tree and a change that loses nothing, and reports in JSON and for GitHub', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const same = await runCli(['check', '--base', 'HEAD'], root);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toBe('');
    const grown = await checkEdit(root, serviceYaml('orders', `${RESOURCES}  - OTHER_KEY\n`));
    expect(grown.code, grown.stderr).toBe(0);

    const removed = RESOURCES.replace('  buckets:\n    - name: files\n', '');
    const json = await checkEdit(root, serviceYaml('orders', removed), ['--format', 'json']);
    expect(json.code).toBe(1);
    const diagnostics = (JSON.parse(json.stdout) as { diagnostics: Array<{ code: string; file: string; range?: { line: number } }> }).diagnostics;
    expect(diagnostics.map((d) => [d.code, d.file, d.range?.line])).toEqual([
      ['CHECK.DATA_LOSS', 'services/orders/service.yaml', 8],
      ['CHECK.DELETION_PROTECTED', 'services/orders/service.yaml', 8],
    ]);
    const github = await runCli(['check', '--base', 'HEAD', '--format', 'github'], root);
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(
      /^::error file=services\/orders\/service\.yaml,line=8,col=1,[^\n]*title=CHECK\.DATA_LOSS::resources\.buckets: bucket "files" of service "orders" is no longer declared/m,
    );
  });

  it('passes renames: renamedFrom moves every address and keeps every cloud name, so nothing is destroyed or replaced', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const renamed = RESOURCES.replace('    - name: main\n', '    - name: primary\n      renamedFrom: main\n').replace(
      '    - name: files\n',
      '    - name: uploads\n      renamedFrom: files\n',
    );
    const run = await checkEdit(root, serviceYaml('orders', renamed));
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    // Without renamedFrom the same edit loses both.
    const lost = await checkEdit(root, serviceYaml('orders', renamed.replace('      renamedFrom: main\n', '').replace('      renamedFrom: files\n', '')));
    expect(lost.code).toBe(1);
    expect(codes(lost.stderr).filter((c) => c === 'CHECK.DATA_LOSS')).toHaveLength(2);
  });

  it('passes a renamed service, moved to a folder of its new name, and records its releases under the deployed name', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES), { web: serviceYaml('web', 'dependsOn: [orders]\n') });
    rmSync(join(root, 'services', 'orders'), { recursive: true });
    mkdirSync(join(root, 'services', 'sales'));
    writeFileSync(join(root, 'services', 'sales', 'service.yaml'), serviceYaml('sales', `renamedFrom: orders\n${RESOURCES}`));
    writeFileSync(join(root, 'services', 'web', 'service.yaml'), serviceYaml('web', 'dependsOn: [sales]\n'));
    const compiled = await runCli(['compile', '--verbose'], root);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.stdout.split('\n').filter((line) => line.includes('.github/workflows/paved-'))).toEqual([
      'wrote   .github/workflows/paved-sales.yml',
      'deleted .github/workflows/paved-orders.yml',
    ]);
    const run = await runCli(['check', '--base', 'HEAD'], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const released = await runCli(['release', 'sales', '--env', 'staging', '--tag', '9a1b2c3'], root);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toContain('releases.yaml: orders staging -> 9a1b2c3\n');
    expect(readFileSync(join(root, 'releases.yaml'), 'utf8')).toContain('services:\n  orders:\n    staging: { tag: 9a1b2c3 }\n');

    // The same move without renamedFrom removes orders and declares a new service.
    writeFileSync(join(root, 'services', 'sales', 'service.yaml'), serviceYaml('sales', RESOURCES));
    rmSync(join(root, 'releases.yaml'));
    expect((await runCli(['compile'], root)).code).toBe(0);
    const lost = await runCli(['check', '--base', 'HEAD'], root);
    expect(lost.code).toBe(1);
    expect(codes(lost.stderr)).toEqual(['CHECK.SERVICE_REMOVED']);
  });

  it('sees no loss when the platform moves the output folder: a state lives under its backend key, not its folder', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    writeFileSync(join(root, 'platform.yaml'), `${PLATFORM}output:\n  dir: infra/generated\n`);
    // The old tree goes with the move (its manifest owned the workflows too).
    rmSync(join(root, 'generated'), { recursive: true });
    rmSync(join(root, '.github'), { recursive: true });
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(run.stderr).toBe('');
    expect(codes(run.stderr)).toEqual([]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
  });

  it('warns, on platform.yaml, when a platform change would replace the platform root`s state bucket (prevent_destroy stops that plan)', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    writeFileSync(
      join(root, 'platform.yaml'),
      `${PLATFORM}terraform:\n  stateBucket: { staging: acme-stg-other-tfstate, production: acme-prd-other-tfstate }\n`,
    );
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(codes(run.stderr)).toEqual(['CHECK.PLATFORM_DATA_LOSS', 'CHECK.STATE_MOVED', 'CHECK.STATE_MOVED']);
    expect(run.stderr).toContain(
      "platform.yaml: warning CHECK.PLATFORM_DATA_LOSS a change to bucket forces Terraform to replace the platform's aws_s3_bucket.state in staging and production",
    );
    // Every root's state is then looked for in the new bucket: the services' too.
    expect(run.stderr).toContain(
      'platform.yaml: warning CHECK.STATE_MOVED the change moves 2 Terraform roots in staging: generated/_platform/terraform (its state from s3://paved-example-stg-tfstate/platform/terraform.tfstate in eu-west-1 to s3://acme-stg-other-tfstate/platform/terraform.tfstate in eu-west-1); generated/orders/terraform (its state from s3://paved-example-stg-tfstate/services/orders/staging/terraform.tfstate in eu-west-1 to s3://acme-stg-other-tfstate/services/orders/staging/terraform.tfstate in eu-west-1). Terraform looks for them at the new place and finds nothing there, so the next apply creates every resource again beside those that exist: it fails on the names they hold and leaves them unmanaged',
    );
    expect(run.stderr).toContain(
      '  hint: before merging, move each state to its new place (terraform init -migrate-state in each root, from the old backend configuration to the new) and, for a new region, the resources themselves; or keep terraform.stateBucket and cloud.region as they were',
    );
    expect(run.code, run.stderr + run.stdout).toBe(0);
  });

  it('warns, on platform.yaml, when a new region moves every root and its resources', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    writeFileSync(join(root, 'platform.yaml'), PLATFORM.replace('cloud:\n', 'cloud:\n  region: eu-central-1\n'));
    const run = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(codes(run.stderr)).toEqual(['CHECK.STATE_MOVED', 'CHECK.STATE_MOVED']);
    expect(run.stderr).toContain(
      'platform.yaml: warning CHECK.STATE_MOVED the change moves 2 Terraform roots in production: generated/_platform/terraform (its state from s3://paved-example-prd-tfstate/platform/terraform.tfstate in eu-west-1 to s3://paved-example-prd-tfstate/platform/terraform.tfstate in eu-central-1, its resources from region eu-west-1 to eu-central-1); generated/orders/terraform (its state from s3://paved-example-prd-tfstate/services/orders/production/terraform.tfstate in eu-west-1 to s3://paved-example-prd-tfstate/services/orders/production/terraform.tfstate in eu-central-1, its resources from region eu-west-1 to eu-central-1).',
    );
    expect(run.code, run.stderr + run.stdout).toBe(0);
  });

  it("reads the base's specs as the working tree's: a link named service.yaml is no spec", async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    mkdirSync(join(root, 'services', 'linked'));
    symlinkSync('../orders/service.yaml', join(root, 'services', 'linked', 'service.yaml'));
    // The working tree's compile refuses it (LOAD.NOT_A_FILE); a base that holds one still reads as if it did not.
    expect((await runCli(['validate'], root)).code).toBe(1);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'a link named service.yaml');
    git(root, 'rm', '-q', 'services/linked/service.yaml');
    const check = await runCli(['check', '--base', 'HEAD'], root);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it("reads no base spec from a folder the working tree's walk never searches (node_modules, .paved-cache)", async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    for (const folder of ['tools/node_modules/x', '.paved-cache/x']) {
      mkdirSync(join(root, folder), { recursive: true });
      writeFileSync(join(root, folder, 'service.yaml'), serviceYaml('vendored', RESOURCES));
    }
    git(root, 'add', '-f', '-A');
    git(root, 'commit', '-q', '-m', 'vendored specs');
    const check = await runCli(['check', '--base', 'HEAD'], root);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it("reads no base spec over the 1 MiB limit: it is LOAD.TOO_LARGE at its path, from the size in git's object header", async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    mkdirSync(join(root, 'services', 'huge'));
    const huge = serviceYaml('huge', RESOURCES) + `# ${'x'.repeat(2 * 1024 * 1024)}\n`;
    writeFileSync(join(root, 'services', 'huge', 'service.yaml'), huge);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'a spec over the limit');
    const read = readRevision(root, 'HEAD');
    if ('problem' in read) throw new Error(read.problem);
    const spec = read.revision.specs.find((f) => f.path === 'services/huge/service.yaml');
    expect(spec).toEqual({ path: 'services/huge/service.yaml', kind: 'service', size: huge.length });
    rmSync(join(root, 'services', 'huge'), { recursive: true });
    const check = await runCli(['check', '--base', 'HEAD'], root);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`services/huge/service.yaml:1:1: error LOAD.TOO_LARGE file is ${huge.length} bytes; the limit is 1048576 bytes (1 MiB)\n`);
    expect(check.stderr).toContain('error CHECK.BASE_DOES_NOT_COMPILE the specs at "HEAD" do not compile with this paved');
  });

  it('refuses a revision git does not know, a base that does not compile, and --base on other commands', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES));
    const unknown = await runCli(['check', '--base', 'no-such-branch'], root);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^paved: cannot read "no-such-branch" from git: /);

    writeFileSync(join(root, 'services', 'orders', 'service.yaml'), serviceYaml('orders', 'runtime:\n  port: 99999\n'));
    git(root, 'commit', '-q', '-am', 'broken base');
    const broken = await checkEdit(root, serviceYaml('orders', RESOURCES));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      'error CHECK.BASE_DOES_NOT_COMPILE the specs at "HEAD" do not compile with this paved, so what this change would destroy cannot be checked',
    );
    // Its errors are not changes that destroy data: the summary says what was not checked.
    expect(broken.stdout).toContain('paved: the specs at HEAD do not compile, so what this change would destroy was not checked\n');
    expect(broken.stdout).not.toContain('would destroy data nobody acknowledged');

    const compile = await runCli(['compile', '--base', 'HEAD'], root);
    expect(compile.code).toBe(2);
    expect(compile.stderr).toContain('paved: --base is for check (and diff), not compile');
  });

  it('without a check record, emits again for the comparison only the services whose key the change moved, and still finds their loss', async () => {
    const root = await baseRepo(serviceYaml('orders', RESOURCES), { billing: serviceYaml('billing', RESOURCES), notifier: serviceYaml('notifier') });
    writeFileSync(join(root, 'services', 'orders', 'service.yaml'), serviceYaml('orders', RESOURCES.replace('  buckets:\n    - name: files\n', '')));
    expect((await runCli(['compile'], root)).code).toBe(0);
    const run = await runCli(['check', '--base', 'HEAD'], root);
    expect(run.code).toBe(1);
    expect(codes(run.stderr)).toEqual(['CHECK.DATA_LOSS', 'CHECK.DELETION_PROTECTED']);
    expect(run.stderr).toContain('bucket "files" of service "orders" is no longer declared');

    // The tests run without a build identity (dist/build-id.txt), so the CLI keys nothing here: the comparison is called with one.
    const prepared = prepareSources(loadSources(root), undefined, 'test-build');
    const head = emitPrepared(prepared, { emitters });
    const kubernetes = emitters.find((e) => e.id === 'kubernetes')!;
    const emitService = kubernetes.emitService;
    const emitted: string[] = [];
    kubernetes.emitService = (service, project) => {
      emitted.push(service.name);
      return emitService(service, project);
    };
    try {
      const compared = checkAgainstBase(root, 'HEAD', undefined, head, prepared, 'test-build');
      expect('diagnostics' in compared && compared.diagnostics.map((d) => d.code)).toEqual(['CHECK.DATA_LOSS', 'CHECK.DELETION_PROTECTED']);
    } finally {
      kubernetes.emitService = emitService;
    }
    // The base's orders and the head's: billing and notifier have the same key on both sides.
    expect(emitted).toEqual(['orders', 'orders']);
  });
});
