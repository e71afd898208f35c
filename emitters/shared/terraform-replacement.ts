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

/**
 * For each stateful type: the attributes paved sets whose change the provider
 * applies in place (every attribute paved sets and REPLACED_ON_CHANGE does not
 * list; the same test proves it), and `tags`, which every AWS resource updates
 * through the tagging API. A change to any other attribute of a stateful
 * resource, one an override adds or a `lifecycle` it changes, is taken for a
 * replacement: paved cannot tell, so `paved check --base` fails closed.
 */
export const UPDATED_IN_PLACE: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: [
    'allocated_storage',
    'auto_minor_version_upgrade',
    'backup_retention_period',
    'ca_cert_identifier',
    'copy_tags_to_snapshot',
    'db_subnet_group_name',
    'deletion_protection',
    'enabled_cloudwatch_logs_exports',
    'engine_version',
    'final_snapshot_identifier',
    'iam_database_authentication_enabled',
    'identifier',
    'instance_class',
    'manage_master_user_password',
    'master_user_secret_kms_key_id',
    'max_allocated_storage',
    'monitoring_interval',
    'monitoring_role_arn',
    'multi_az',
    'parameter_group_name',
    'performance_insights_enabled',
    'performance_insights_kms_key_id',
    'performance_insights_retention_period',
    'publicly_accessible',
    'skip_final_snapshot',
    'storage_type',
    'tags',
    'vpc_security_group_ids',
  ],
  aws_elasticache_replication_group: [
    'auto_minor_version_upgrade',
    'automatic_failover_enabled',
    'description',
    'final_snapshot_identifier',
    'multi_az_enabled',
    'node_type',
    'num_cache_clusters',
    'parameter_group_name',
    'security_group_ids',
    'snapshot_retention_limit',
    'tags',
    'transit_encryption_enabled',
    'user_group_ids',
  ],
  aws_kms_key: ['deletion_window_in_days', 'description', 'enable_key_rotation', 'policy', 'tags'],
  aws_s3_bucket: ['force_destroy', 'tags'],
  aws_secretsmanager_secret: ['description', 'kms_key_id', 'recovery_window_in_days', 'tags'],
  aws_sns_topic: ['kms_master_key_id', 'tags'],
  aws_sqs_queue: ['kms_data_key_reuse_period_seconds', 'kms_master_key_id', 'message_retention_seconds', 'redrive_policy', 'tags'],
};
