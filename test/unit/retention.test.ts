import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { compileTexts } from '../../compiler/compile.js';
import { dataLossDiagnostics, dataLosses } from '../../compiler/data-loss.js';
import { shortenings } from '../../compiler/retention.js';
import type { GeneratedFile } from '../../spec/emitter.js';
import { serviceYaml } from '../support/helpers.js';

/**
 * Updates that delete data in place: a lower retention or a sooner expiry
 * (compiler/retention.ts), which `paved check --base` warns of.
 */
const all = (...names: string[]): ReadonlySet<string> => new Set(names);
const RULE = { id: 'abort', status: 'Enabled', filter: [{}], abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] };
const lifecycle = (...rules: object[]) => ({ bucket: '${aws_s3_bucket.files.id}', rule: rules });
const settings = (found: ReturnType<typeof shortenings>) => found.map((s) => `${s.setting}: ${s.from} -> ${s.to}`);

describe('what an update shortens', () => {
  it("a queue's message retention: lower or unset below SQS's default of four days, not higher", () => {
    const queue = (seconds?: number) => (seconds === undefined ? {} : { message_retention_seconds: seconds });
    const changed = all('message_retention_seconds');
    expect(settings(shortenings('aws_sqs_queue', queue(1209600), queue(60), changed))).toEqual(['message_retention_seconds: 1209600 -> 60']);
    expect(shortenings('aws_sqs_queue', queue(1209600), queue(60), changed)[0]!.deletes).toBe('SQS deletes every message older than the new period');
    expect(settings(shortenings('aws_sqs_queue', queue(1209600), queue(), changed))).toEqual(['message_retention_seconds: 1209600 -> 345600']);
    expect(settings(shortenings('aws_sqs_queue', queue(), queue(60), changed))).toEqual(['message_retention_seconds: 345600 -> 60']);
    expect(shortenings('aws_sqs_queue', queue(60), queue(1209600), changed)).toEqual([]);
    expect(shortenings('aws_sqs_queue', queue(), queue(345600), changed)).toEqual([]);
    // An attribute the plan does not change (its lifecycle ignores it) deletes nothing.
    expect(shortenings('aws_sqs_queue', queue(1209600), queue(60), all('tags'))).toEqual([]);
  });

  it("a database's backups and a cache's snapshots: lower, unset or an expression that changes, not higher", () => {
    const changed = all('backup_retention_period');
    expect(settings(shortenings('aws_db_instance', { backup_retention_period: 14 }, { backup_retention_period: 0 }, changed))).toEqual([
      'backup_retention_period: 14 -> 0',
    ]);
    expect(settings(shortenings('aws_db_instance', { backup_retention_period: 14 }, {}, changed))).toEqual(['backup_retention_period: 14 -> not set']);
    expect(settings(shortenings('aws_db_instance', { backup_retention_period: 14 }, { backup_retention_period: '${local.days}' }, changed))).toEqual([
      'backup_retention_period: 14 -> ${local.days}',
    ]);
    expect(shortenings('aws_db_instance', { backup_retention_period: 7 }, { backup_retention_period: 21 }, changed)).toEqual([]);
    expect(
      settings(
        shortenings('aws_elasticache_replication_group', { snapshot_retention_limit: 7 }, { snapshot_retention_limit: 1 }, all('snapshot_retention_limit')),
      ),
    ).toEqual(['snapshot_retention_limit: 7 -> 1']);
    expect(shortenings('aws_kms_key', { deletion_window_in_days: 30 }, { deletion_window_in_days: 7 }, all('deletion_window_in_days'))).toEqual([]);
  });

  it("a bucket's lifecycle rule that newly expires, expires sooner or over another filter; not one that expires later or is disabled", () => {
    const shortened = (before: object, after: object) =>
      settings(shortenings('aws_s3_bucket_lifecycle_configuration', before as never, after as never, all('rule')));
    const expiring = (days: number, extra: object = {}) => ({ ...RULE, expiration: [{ days }], ...extra });
    expect(shortened(lifecycle(RULE), lifecycle(expiring(1)))).toEqual(['rule "abort": no expiry -> expiration {"days":1}']);
    expect(shortened(lifecycle(expiring(30)), lifecycle(expiring(10)))).toEqual(['rule "abort": expiration {"days":30} -> expiration {"days":10}']);
    expect(shortened(lifecycle(expiring(30)), lifecycle(expiring(60)))).toEqual([]);
    // Another filter may reach other objects: paved does not tell a narrower one from a wider one, and says so.
    expect(shortened(lifecycle(expiring(30)), lifecycle(expiring(30, { filter: [{ prefix: 'tmp/' }] })))).toEqual([
      'rule "abort": expiration {"days":30} -> expiration {"days":30} for filter [{"prefix":"tmp/"}]',
    ]);
    expect(shortened(lifecycle(expiring(30, { filter: [{ prefix: 'tmp/' }] })), lifecycle(expiring(30)))).toEqual([
      'rule "abort": expiration {"days":30} for filter [{"prefix":"tmp/"}] -> expiration {"days":30}',
    ]);
    expect(shortened(lifecycle(RULE), lifecycle(RULE, { ...expiring(5), id: 'tmp' }))).toEqual(['rule "tmp": no such rule -> expiration {"days":5}']);
    expect(shortened(lifecycle(RULE), lifecycle(expiring(1, { status: 'Disabled' })))).toEqual([]);
    expect(shortened(lifecycle(expiring(1, { status: 'Disabled' })), lifecycle(expiring(1)))).toEqual(['rule "abort": disabled -> expiration {"days":1}']);
    const versions = (days: number) => ({ ...RULE, noncurrent_version_expiration: [{ noncurrent_days: days }] });
    expect(shortened(lifecycle(versions(90)), lifecycle(versions(30)))).toEqual([
      'rule "abort": noncurrent_version_expiration {"noncurrent_days":90} -> noncurrent_version_expiration {"noncurrent_days":30}',
    ]);
    expect(shortened(lifecycle(versions(30)), lifecycle(versions(90)))).toEqual([]);
    expect(shortenings('aws_s3_bucket_lifecycle_configuration', lifecycle(expiring(30)), lifecycle(expiring(1)), all('bucket'))).toEqual([]);
  });
});

describe("the platform root's retention", () => {
  it('is said at platform.yaml: a paved upgrade that kept old state versions for fewer days would delete the older ones', () => {
    const compiled = compileTexts(
      [
        { path: 'platform.yaml', kind: 'platform', text: 'apiVersion: paved/v1\nkind: Platform\nname: acme\ncloud:\n  bucketNameSuffix: 3f9a27c1\n' },
        { path: 'services/orders/service.yaml', kind: 'service', text: serviceYaml('orders') },
      ],
      emitters,
      undefined,
      true,
    );
    const shorter = (file: GeneratedFile): GeneratedFile =>
      file.path === 'generated/_platform/terraform/state.tf'
        ? { ...file, value: JSON.parse(JSON.stringify(file.value).replace('"noncurrent_days","value":90', '"noncurrent_days","value":30')) }
        : file;
    const head = { files: compiled.files.map(shorter), project: compiled.project! };
    expect(head.files).not.toEqual(compiled.files);
    const diagnostics = dataLossDiagnostics(dataLosses({ files: compiled.files, project: compiled.project! }, head), head.project, compiled.project!);
    expect(diagnostics).toEqual([
      {
        code: 'CHECK.RETENTION_SHORTENED',
        severity: 'warning',
        file: 'platform.yaml',
        message:
          'the change shortens how long the platform\'s aws_s3_bucket_lifecycle_configuration.state keeps data in staging and production: rule "expire-old-state-versions" from noncurrent_version_expiration {"noncurrent_days":90} to noncurrent_version_expiration {"noncurrent_days":30}: S3 deletes the objects or versions the rule now expires',
        hint: "what is older than the new setting is deleted at the apply and cannot be recovered: unless that is intended, keep the setting as it was (an override, the spec or platform.yaml lowers it), and read this pull request's plan before merging",
      },
    ]);
  });
});
