import type { ResolvedProject } from '../../../spec/model.js';
import { names } from '../../../spec/naming.js';
import { attributes, block, raw, template } from '../../shared/hcl.js';
import { policy, policyExpression } from '../../shared/iam-policy.js';
import { ACCOUNT, PARTITION, resource, STRING, type PlatformConcern } from './context.js';

/** Uploads abandoned halfway are removed after a week (CKV_AWS_300). */
const ABORT_INCOMPLETE_UPLOADS_DAYS = 7;
/** Old versions of state objects: long enough to roll a broken apply back, short enough not to keep every plan forever. */
const NONCURRENT_STATE_DAYS = 90;

/**
 * State storage of the environment's account: the S3 bucket every service
 * stack (and this root) keeps its state in, and locks it in (use_lockfile: a
 * `<key>.tflock` object next to the state; no DynamoDB table).
 * Bucket names are global, which is why platform.yaml may give one per
 * environment. The bucket meets what service buckets meet (security-rules.md
 * §1 rows 15-18): public access blocked, SSE-KMS with its own key, versioned,
 * access-logged, ACLs off, TLS only, incomplete uploads cleaned up.
 *
 * The bucket and its key are stateful: `prevent_destroy` stops a plan from
 * deleting them. A DynamoDB lock table an earlier paved created is forgotten
 * by a `removed` block with `destroy = false`: the plan shows it as no longer
 * managed, and it stays in AWS until the platform team deletes it.
 */
export function stateConcern(project: ResolvedProject): PlatformConcern {
  const bucket = raw('aws_s3_bucket.state.id');
  const bucketArn = raw('aws_s3_bucket.state.arn');
  const key = raw('aws_kms_key.state.arn');
  const keep = block('lifecycle', [], attributes({ prevent_destroy: true }));
  const tlsOnly = policy({
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:*'],
    Resource: [bucketArn, template(bucketArn, '/*')],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  const keyPolicy = policy({
    // AWS's default key statement: the account's IAM policies (the CI roles' state access in ci.tf) decide who uses the key.
    Sid: 'AccountIamPolicies',
    Effect: 'Allow',
    Principal: { AWS: template('arn:', PARTITION, ':iam::', ACCOUNT, ':root') },
    Action: ['kms:*'],
    Resource: ['*'],
  });
  return {
    file: 'state.tf',
    blocks: [
      resource('aws_kms_key', 'state', [
        ...attributes({
          description: 'Encrypts Terraform state and its lock table',
          enable_key_rotation: true,
          deletion_window_in_days: 30,
          policy: policyExpression(keyPolicy),
        }),
        keep,
      ]),
      resource('aws_kms_alias', 'state', attributes({ name: raw('var.state_kms_alias'), target_key_id: raw('aws_kms_key.state.key_id') })),
      resource('aws_s3_bucket', 'state', [...attributes({ bucket: raw('var.state_bucket') }), keep]),
      resource(
        'aws_s3_bucket_public_access_block',
        'state',
        attributes({ bucket, block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }),
      ),
      resource('aws_s3_bucket_ownership_controls', 'state', [
        ...attributes({ bucket }),
        block('rule', [], attributes({ object_ownership: 'BucketOwnerEnforced' })),
      ]),
      resource('aws_s3_bucket_server_side_encryption_configuration', 'state', [
        ...attributes({ bucket }),
        block(
          'rule',
          [],
          [
            ...attributes({ bucket_key_enabled: true }),
            block('apply_server_side_encryption_by_default', [], attributes({ sse_algorithm: 'aws:kms', kms_master_key_id: key })),
          ],
        ),
      ]),
      resource('aws_s3_bucket_versioning', 'state', [...attributes({ bucket }), block('versioning_configuration', [], attributes({ status: 'Enabled' }))]),
      resource(
        'aws_s3_bucket_logging',
        'state',
        attributes({ bucket, target_bucket: raw('var.access_log_bucket'), target_prefix: template(raw('var.state_bucket'), '/') }),
      ),
      resource('aws_s3_bucket_lifecycle_configuration', 'state', [
        ...attributes({ bucket }),
        block(
          'rule',
          [],
          [
            ...attributes({ id: 'abort-incomplete-multipart-uploads', status: 'Enabled' }),
            block('filter', [], []),
            block('abort_incomplete_multipart_upload', [], attributes({ days_after_initiation: ABORT_INCOMPLETE_UPLOADS_DAYS })),
          ],
        ),
        block(
          'rule',
          [],
          [
            ...attributes({ id: 'expire-old-state-versions', status: 'Enabled' }),
            block('filter', [], []),
            block('noncurrent_version_expiration', [], attributes({ noncurrent_days: NONCURRENT_STATE_DAYS })),
          ],
        ),
      ]),
      resource('aws_s3_bucket_policy', 'state', [
        ...attributes({ bucket, policy: policyExpression(tlsOnly) }),
        // S3 rejects a bucket policy while the public access block is still being applied.
        ...attributes({ depends_on: [raw('aws_s3_bucket_public_access_block.state')] }),
      ]),
      // Terraform forgets the lock table an earlier paved created here and keeps it in AWS: state now locks with an S3 object (use_lockfile).
      // The key's description still names the table, so an existing key plans no change.
      block(
        'removed',
        [],
        [...attributes({ from: raw('aws_dynamodb_table.lock') }), block('lifecycle', [], attributes({ destroy: false }))],
        [
          'State is locked in the bucket (use_lockfile). The DynamoDB lock table an earlier paved created is forgotten, not destroyed:',
          'delete it by hand once no older paved runs against this state.',
        ],
      ),
    ],
    variables: [
      {
        name: 'state_bucket',
        description: 'S3 bucket of the Terraform state of this root and every service stack in the environment.',
        type: STRING,
        value: (env) => project.platform.terraform.stateBucket[env],
      },
      {
        name: 'state_kms_alias',
        description: 'Alias of the key encrypting the state bucket and lock table.',
        type: STRING,
        value: (env) => names.stateKmsAlias(project.platform.name, env),
      },
      {
        name: 'access_log_bucket',
        description: "The platform's bucket for server access logs in this environment.",
        type: STRING,
        value: (env) => project.platform.cloud.accessLogBuckets[env],
      },
    ],
    outputs: [
      { name: 'state_bucket', description: 'The state bucket; service stacks name it in env/<env>.s3.tfbackend.', value: raw('aws_s3_bucket.state.bucket') },
      { name: 'state_kms_key_arn', description: 'The key encrypting state.', value: key },
    ],
  };
}
