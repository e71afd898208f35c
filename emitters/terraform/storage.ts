import { acknowledgesLoss } from '../shared/data-loss.js';
import type { ResolvedBucket } from '../../spec/model.js';
import { deployedName, names } from '../../spec/naming.js';
import { attributes, block, map, raw, template, type Block } from '../shared/hcl.js';
import { connectionSecret } from './connection.js';
import { entry, KMS_KEY_ARN, localName, mapOfNames, namesByResource, resource, withMoves, type Concern, type StackContext } from './context.js';
import { policy, policyExpression } from './policy.js';
import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../shared/waivers.js';

/** Uploads abandoned halfway are removed after a week rather than billed forever (CKV_AWS_300). */
const ABORT_INCOMPLETE_UPLOADS_DAYS = 7;

/**
 * Bucket ARNs name no account, and bucket names are predictable and global: if a
 * bucket is ever deleted and its name taken by another account, the pods' grants
 * still match it. The condition (s3:ResourceAccount, S3's bucket owner key) keeps
 * them to buckets of the environment's own account (README "Buckets").
 */
const OWN_ACCOUNT = { StringEquals: { 's3:ResourceAccount': raw('var.aws_account_id') } } as const;

/**
 * S3 buckets, meeting security-rules.md §1 rows 15-18: every public access
 * blocked, SSE-KMS with the service key, versioning (unless the service opted
 * out, a printed waiver), access logs to the platform's log bucket, ACLs
 * disabled, TLS-only, and incomplete uploads cleaned up.
 */
export function storageConcern(context: StackContext): Concern | undefined {
  const { service, project } = context;
  const buckets = service.resources.buckets;
  if (buckets.length === 0) return undefined;
  const objectActions = ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'];
  return {
    file: 'storage.tf',
    // An acknowledged bucket (dataLoss:) may be deleted with its objects: S3 refuses to delete a bucket that holds any.
    blocks: buckets.flatMap((bucket) => {
      const deletable = acknowledgesLoss(context.service, `buckets.${bucket.name}`);
      return withMoves(`buckets.${bucket.name}`, bucket, (b) => bucketBlocks(b, deletable));
    }),
    variables: [
      {
        name: 'access_log_bucket',
        description: "The platform's bucket for server access logs in this environment.",
        type: raw('string'),
        value: (env) => project.platform.cloud.accessLogBuckets[env],
      },
      {
        name: 'buckets',
        description: 'Names of the S3 buckets of this service, derived by paved.',
        type: mapOfNames('bucket', 'connection_secret'),
        value: (env) =>
          namesByResource(
            buckets,
            (b) => b.name,
            (b) => ({
              bucket: names.s3Bucket(project.platform.name, project.platform.cloud.bucketNameSuffix, service.name, env, deployedName(b)),
              connection_secret: names.connectionSecret(service.name, env, 'bucket', deployedName(b)),
            }),
          ),
      },
    ],
    statements: [
      {
        Sid: 'ListBuckets',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: buckets.map((b) => raw(`aws_s3_bucket.${localName(b.name)}.arn`)),
        Condition: OWN_ACCOUNT,
      },
      // "<bucket ARN>/*" names the objects of exactly that bucket, not a wildcard resource.
      {
        Sid: 'ReadWriteObjects',
        Effect: 'Allow',
        Action: objectActions,
        Resource: buckets.map((b) => template(raw(`aws_s3_bucket.${localName(b.name)}.arn`), '/*')),
        Condition: OWN_ACCOUNT,
      },
    ],
    outputs: [
      {
        name: 'bucket_names',
        description: 'Name of each bucket.',
        value: map(Object.fromEntries(buckets.map((b) => [b.name, raw(`aws_s3_bucket.${localName(b.name)}.bucket`)]))),
      },
    ],
  };
}

/** Addresses and tfvars keys follow the spec name; the names AWS holds come from the tfvars. */
function bucketBlocks(bucket: ResolvedBucket, deletable: boolean): Block[] {
  const local = localName(bucket.name);
  const id = raw(`aws_s3_bucket.${local}.id`);
  const arn = raw(`aws_s3_bucket.${local}.arn`);
  const tlsOnly = policy({
    // A Deny for everyone is how S3 says "TLS only"; nothing is allowed to "*".
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:*'],
    Resource: [arn, template(arn, '/*')],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  return [
    resource(
      'aws_s3_bucket',
      local,
      attributes({ bucket: entry('buckets', bucket.name, 'bucket'), force_destroy: deletable ? true : undefined }),
      bucket.versioned ? [] : [waiverText(WAIVERS.unversionedBucket)],
    ),
    resource(
      'aws_s3_bucket_public_access_block',
      local,
      attributes({ bucket: id, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
    ),
    resource('aws_s3_bucket_ownership_controls', local, [
      ...attributes({ bucket: id }),
      block('rule', [], attributes({ object_ownership: 'BucketOwnerEnforced' })),
    ]),
    resource('aws_s3_bucket_server_side_encryption_configuration', local, [
      ...attributes({ bucket: id }),
      block(
        'rule',
        [],
        [
          ...attributes({ bucket_key_enabled: true }),
          block('apply_server_side_encryption_by_default', [], attributes({ sse_algorithm: 'aws:kms', kms_master_key_id: KMS_KEY_ARN })),
        ],
      ),
    ]),
    ...(bucket.versioned
      ? [resource('aws_s3_bucket_versioning', local, [...attributes({ bucket: id }), block('versioning_configuration', [], attributes({ status: 'Enabled' }))])]
      : []),
    resource(
      'aws_s3_bucket_logging',
      local,
      attributes({ bucket: id, target_bucket: raw('var.access_log_bucket'), target_prefix: template(entry('buckets', bucket.name, 'bucket'), '/') }),
    ),
    resource('aws_s3_bucket_lifecycle_configuration', local, [
      ...attributes({ bucket: id }),
      block(
        'rule',
        [],
        [
          ...attributes({ id: 'abort-incomplete-multipart-uploads', status: 'Enabled' }),
          block('filter', [], []),
          block('abort_incomplete_multipart_upload', [], attributes({ days_after_initiation: ABORT_INCOMPLETE_UPLOADS_DAYS })),
        ],
      ),
    ]),
    resource('aws_s3_bucket_policy', local, [
      ...attributes({ bucket: id, policy: policyExpression(tlsOnly) }),
      // S3 rejects a bucket policy while the public access block is still being applied.
      ...attributes({ depends_on: [raw(`aws_s3_bucket_public_access_block.${local}`)] }),
    ]),
    ...connectionSecret(
      'bucket',
      bucket.name,
      entry('buckets', bucket.name, 'connection_secret'),
      { bucket: raw(`aws_s3_bucket.${local}.bucket`), region: raw('var.aws_region') },
      deployedName(bucket),
    ),
  ];
}
