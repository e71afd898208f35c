/**
 * What the AWS provider (hashicorp/aws 5.100.0, the version paved is proven
 * against) does when an attribute paved sets changes: for each resource type
 * paved emits, the attributes whose change destroys the resource and creates a
 * new one (ForceNew in the provider's schema, or a replacement its plan
 * customisation asks for) instead of updating it in place. Only attributes
 * paved sets are listed; test/conformance/terraform-replacement.test.ts proves the table
 * against the real provider offline, attribute by attribute.
 */
export const REPLACED_ON_CHANGE = {
  // identifier is renamed in place (ModifyDBInstance); the name of the master user and database are not.
  aws_db_instance: ['db_name', 'engine', 'kms_key_id', 'storage_encrypted', 'username'],
  aws_db_parameter_group: ['description', 'family', 'name_prefix'],
  aws_db_subnet_group: ['name'],
  aws_dynamodb_table: ['hash_key', 'name'],
  aws_eks_access_entry: ['cluster_name', 'principal_arn'],
  aws_eks_pod_identity_association: ['cluster_name', 'namespace', 'service_account'],
  // engine_version: a downgrade only; an upgrade is in place.
  aws_elasticache_replication_group: [
    'at_rest_encryption_enabled',
    'engine',
    'engine_version',
    'kms_key_id',
    'port',
    'replication_group_id',
    'subnet_group_name',
  ],
  aws_elasticache_subnet_group: ['name'],
  aws_elasticache_user: ['user_id', 'user_name'],
  aws_elasticache_user_group: ['user_group_id'],
  aws_iam_openid_connect_provider: ['url'],
  aws_iam_policy: ['description', 'name'],
  aws_iam_role: ['name', 'path'],
  aws_iam_role_policy: ['name', 'role'],
  aws_iam_role_policy_attachment: ['policy_arn', 'role'],
  aws_kms_alias: ['name'],
  aws_kms_key: [],
  aws_s3_bucket: ['bucket'],
  aws_s3_bucket_lifecycle_configuration: ['bucket'],
  aws_s3_bucket_logging: ['bucket'],
  aws_s3_bucket_ownership_controls: ['bucket'],
  aws_s3_bucket_policy: ['bucket'],
  aws_s3_bucket_public_access_block: ['bucket'],
  aws_s3_bucket_server_side_encryption_configuration: ['bucket'],
  aws_s3_bucket_versioning: ['bucket'],
  aws_secretsmanager_secret: ['name'],
  aws_secretsmanager_secret_version: ['secret_id', 'secret_string'],
  aws_security_group: ['description', 'name', 'vpc_id'],
  aws_sns_topic: ['name'],
  aws_sns_topic_policy: ['arn'],
  aws_sns_topic_subscription: ['endpoint', 'protocol', 'topic_arn'],
  aws_sqs_queue: ['name'],
  aws_sqs_queue_policy: ['queue_url'],
  aws_sqs_queue_redrive_allow_policy: ['queue_url'],
  aws_vpc_security_group_ingress_rule: ['security_group_id'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type EmittedResourceType = keyof typeof REPLACED_ON_CHANGE;

/**
 * Resource types whose destruction loses data or breaks what depends on the
 * very object: databases, caches, buckets, queues, topics, keys and secrets.
 */
export const STATEFUL_RESOURCE_TYPES: readonly EmittedResourceType[] = [
  'aws_db_instance',
  'aws_elasticache_replication_group',
  'aws_kms_key',
  'aws_s3_bucket',
  'aws_secretsmanager_secret',
  'aws_sns_topic',
  'aws_sqs_queue',
];
