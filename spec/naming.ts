import type { EnvironmentName } from './model.js';

/**
 * How paved names what it creates. One module, shared by validation (which
 * checks every derived name against its system's limits before anything is
 * emitted) and the emitters, so a name is never truncated silently.
 */

/** Resource kinds whose connection details reach the pods. */
export type ConnectionKind = 'database' | 'cache' | 'topic' | 'queue' | 'bucket';

/**
 * The JSON keys of each connection secret (`names.connectionSecret`): Terraform
 * writes them, the Kubernetes ExternalSecrets read them. No key holds a password.
 */
export const CONNECTION_KEYS: Readonly<Record<ConnectionKind, readonly string[]>> = {
  database: ['host', 'port', 'dbname', 'username'],
  cache: ['host', 'port', 'username'],
  topic: ['arn'],
  queue: ['url', 'arn', 'dlq_url'],
  bucket: ['bucket', 'region'],
};

/** Three letters keep derived names short enough for ElastiCache's 40 characters. */
export const ENVIRONMENT_SHORT: Readonly<Record<EnvironmentName, string>> = { preview: 'pre', staging: 'stg', production: 'prd' };

/** Environments with cloud resources of their own; preview runs in-cluster stand-ins. */
export const CLOUD_ENVIRONMENTS: readonly EnvironmentName[] = ['staging', 'production'];

/**
 * The Terraform roots of a service, each with its own state: `main` holds what
 * the service owns; `subscriptions` subscribes its queues to other services'
 * topics, applied after every publisher's main stack (docs/targets/terraform.md).
 */
export type TerraformRoot = 'main' | 'subscriptions';
const TERRAFORM_STATE_FILES: Readonly<Record<TerraformRoot, string>> = { main: 'terraform.tfstate', subscriptions: 'subscriptions.tfstate' };

/**
 * The folder under the output directory holding the project-wide platform
 * layer (`_platform/kubernetes/<env>/`, `_platform/argocd/`, ...): a service
 * name is a DNS label, so no service's folder can be called this.
 */
export const PLATFORM_FOLDER = '_platform';

/**
 * The branch Argo CD tracks for a cloud environment: only that environment's
 * release jobs move it (docs/targets/actions.md, Deploy, promotion and rollback). It holds the
 * released, rendered manifests at the same paths as on main, so `main` itself
 * is never written by CI.
 */
export const deployBranch = (env: 'staging' | 'production'): string => `${DEPLOY_BRANCH_PREFIX}${env}`;
export const DEPLOY_BRANCH_PREFIX = 'paved/deploy/';

/** Preview manifests are a base: CI replaces the pull request number `<n>` of its namespace and host (see docs/targets/kubernetes.md). */
export const PREVIEW_PLACEHOLDER_PR = 0;

/** A spec entry that can be renamed in place: a resource entry (renamedFrom). */
export interface Renameable {
  readonly name: string;
  readonly renamedFrom?: string;
}

/**
 * The name an entry was deployed under: `renamedFrom` while a rename is in
 * place, else its name. Every cloud and Kubernetes name of the entry is derived
 * from it, so a rename replaces nothing; the spec name moves only Terraform
 * addresses, tfvars keys and what the app reads (docs/day-2.md, Renaming).
 */
export const deployedName = (entry: Renameable): string => entry.renamedFrom ?? entry.name;

/** The entry as it was deployed: named by deployedName, for code that derives only cloud and Kubernetes names from it. */
export const asDeployed = <T extends Renameable>(entry: T): T => ({ ...entry, name: deployedName(entry) });

/** The topic a subscription's queues are named after: the topic's name as its publisher deployed it. */
export const deployedTopic = (subscription: { readonly topic: string; readonly renamedFrom?: string }): string =>
  subscription.renamedFrom ?? subscription.topic;

export const names = {
  /** Namespace of a service in an environment's cluster. */
  namespace: (service: string) => service,
  previewNamespace: (service: string, pr: number | string) => `${service}-pr-${pr}`,
  /** `<name>.staging.<domain>`: a service's host in staging. */
  stagingHost: (service: string, domain: string) => `${service}.staging.${domain}`,
  /** `<name>-pr-<n>.<domain>`, the host CI gives a pull request's preview (`{{number}}` in the resolved model, until CI knows it). */
  previewHost: (service: string, domain: string, pr: number | string) => `${service}-pr-${pr}.${domain}`,
  cronJob: (service: string, job: string) => `${service}-${job}`,
  /** A `jobs:` entry: the pre-deploy Job, or the manual job's suspended CronJob; one name space with cron jobs. */
  job: (service: string, job: string) => `${service}-${job}`,
  rdsInstance: (service: string, env: EnvironmentName, database: string) => `${service}-${ENVIRONMENT_SHORT[env]}-${database}`,
  cacheReplicationGroup: (service: string, env: EnvironmentName, cache: string) => `${service}-${ENVIRONMENT_SHORT[env]}-${cache}`,
  snsTopic: (service: string, env: EnvironmentName, topic: string) => `${service}-${ENVIRONMENT_SHORT[env]}-${topic}`,
  sqsQueue: (service: string, env: EnvironmentName, from: string, topic: string) => `${service}-${ENVIRONMENT_SHORT[env]}-${from}-${topic}`,
  sqsDeadLetterQueue: (service: string, env: EnvironmentName, from: string, topic: string) => `${service}-${ENVIRONMENT_SHORT[env]}-${from}-${topic}-dlq`,
  /**
   * S3 names are global: the platform name and environment keep them apart, and
   * the platform's random suffix (cloud.bucketNameSuffix) keeps anyone else
   * from creating them first.
   */
  s3Bucket: (platform: string, suffix: string, service: string, env: EnvironmentName, bucket: string) =>
    `${names.s3BucketPrefix(platform, env)}${service}-${bucket}${suffix === '' ? '' : `-${suffix}`}`,
  /** What every service bucket's name in the environment starts with. */
  s3BucketPrefix: (platform: string, env: EnvironmentName) => `${platform}-${ENVIRONMENT_SHORT[env]}-`,
  iamRole: (service: string, env: EnvironmentName) => `${service}-${ENVIRONMENT_SHORT[env]}`,
  /** A declared secret in Secrets Manager; its value is set out of band. */
  secret: (service: string, env: EnvironmentName, secret: string) => `${service}/${env}/${secret}`,
  /**
   * Secrets Manager entry in which Terraform stores the connection details of a
   * resource (endpoints, names, ARNs; never a password: RDS keeps a database's
   * own, and caches use IAM authentication), read in the cluster by an ExternalSecret.
   */
  connectionSecret: (service: string, env: EnvironmentName, kind: ConnectionKind | string, name: string) => `${service}/${env}/${kind}/${name}`,
  /** The Kubernetes ServiceAccount the pods run as, bound to the IAM role by EKS Pod Identity. */
  serviceAccount: (service: string) => service,
  // Terraform: names of the supporting objects of a service stack.
  /** The service's customer-managed KMS key, which encrypts every resource of the stack. */
  kmsAlias: (service: string, env: EnvironmentName) => `alias/${service}-${ENVIRONMENT_SHORT[env]}`,
  /**
   * `name_prefix` of a database's parameter group: Terraform appends a unique id
   * (TERRAFORM_UNIQUE_SUFFIX_LENGTH characters), so `create_before_destroy` can
   * always create the new group beside the old one, whatever forces the replacement.
   * The engine family is part of it, so a major upgrade's group says which it is;
   * a group name holds no dot, so `mysql8.0` is written `mysql8-0`.
   */
  rdsParameterGroupPrefix: (service: string, env: EnvironmentName, database: string, family: string) =>
    `${service}-${ENVIRONMENT_SHORT[env]}-${database}-${family.replaceAll('.', '-')}-`,
  /**
   * Start of the snapshot RDS takes when an instance is deleted; the stack appends
   * the instance's creation time (FINAL_SNAPSHOT_TIME_FORMAT), so every instance
   * of a replaced database leaves a snapshot of its own name.
   */
  rdsFinalSnapshot: (service: string, env: EnvironmentName, database: string) => `${service}-${ENVIRONMENT_SHORT[env]}-${database}-final`,
  /** Role RDS Enhanced Monitoring publishes OS metrics with. */
  rdsMonitoringRole: (service: string, env: EnvironmentName) => `${service}-${ENVIRONMENT_SHORT[env]}-rds-monitoring`,
  /** Security group of a database or cache; it admits only the cluster's pods. */
  securityGroup: (service: string, env: EnvironmentName, kind: string, name: string) => `${service}-${ENVIRONMENT_SHORT[env]}-${kind}-${name}`,
  /**
   * ElastiCache user the pods authenticate as with IAM (which needs user id = user
   * name) and its user group: the replication group's id, so they share its checks.
   */
  cacheUser: (service: string, env: EnvironmentName, cache: string) => names.cacheReplicationGroup(service, env, cache),
  /**
   * Id of the disabled user named "default" that every ElastiCache user group must
   * hold; one per service, shorter than any of its cache users, so no cache name loses room.
   */
  cacheDefaultUser: (service: string, env: EnvironmentName) => `${service}-${ENVIRONMENT_SHORT[env]}`,
  cacheUserGroup: (service: string, env: EnvironmentName, cache: string) => names.cacheReplicationGroup(service, env, cache),
  /** PostgreSQL database inside an instance: SQL identifiers take no hyphen. */
  databaseName: (database: string) => database.replaceAll('-', '_'),
  /**
   * PostgreSQL role the pods log in as with IAM authentication (`GRANT rds_iam`).
   * Every service owns its instances, so one plain name serves all, and it needs no quoting in SQL.
   */
  databaseUser: () => 'app',
  /** The RDS master user, whose password RDS creates and keeps in its own secret; the database bootstrap Job logs in as it. */
  databaseMasterUser: () => 'paved_admin',
  /** The Job that creates that role as the RDS master user (the Kubernetes output's database bootstrap). */
  databaseBootstrapJob: (database: string) => `db-bootstrap-${database}`,
  /**
   * The Kubernetes Secret holding a database's RDS master credentials, read only
   * by its bootstrap Job; `db-master-` is no prefix of a connection (`<kind>-`)
   * or declared (`secret-`) Secret.
   */
  databaseMasterSecret: (database: string) => `db-master-${database}`,
  /**
   * The Kubernetes Secret holding the master password of a database with
   * `auth: password`, which the service's pods read as `<KIND>_<NAME>_PASSWORD`;
   * `db-password-` is no prefix of any other Secret paved names.
   */
  databasePasswordSecret: (database: string) => `db-password-${database}`,
  /**
   * Object key of a Terraform root's state in the platform's state bucket: the
   * service's main stack (`terraform/`) or its subscriptions root
   * (`terraform/subscriptions/`). Both sit under `services/<service>/<env>/`,
   * so a CI role's state permissions scoped to that prefix cover every root.
   */
  terraformState: (service: string, env: EnvironmentName, root: TerraformRoot = 'main') => `services/${service}/${env}/${TERRAFORM_STATE_FILES[root]}`,
  /** Prefix of a stack's state objects in an environment (the stack's own state and any second root of the service). */
  terraformStatePrefix: (service: string, env: EnvironmentName) => `services/${service}/${env}/`,
  /**
   * The production plan role: ci.roleArns.production with `-plan` appended to its
   * name. The platform root creates it next to the production role, able to read
   * state and plan only; the production plan job, which runs before the
   * approval, assumes it.
   */
  productionPlanRole: (productionRoleArn: string) => `${productionRoleArn}-plan`,
  // The platform root (_platform/terraform): one per cloud environment, applied before any service stack.
  /** Object key of the platform root's own state, in the state bucket it creates. */
  platformState: () => 'platform/terraform.tfstate',
  /** The key encrypting the state bucket and lock table. */
  stateKmsAlias: (platform: string, env: EnvironmentName) => `alias/${platform}-${ENVIRONMENT_SHORT[env]}-tfstate`,
  /** IAM role of the External Secrets Operator in the environment's cluster. */
  externalSecretsRole: (platform: string, env: EnvironmentName) => `${platform}-${ENVIRONMENT_SHORT[env]}-external-secrets`,
  /** Kubernetes group the preview CI role is mapped to in the preview cluster (an EKS access entry); the platform's RBAC binds it. */
  previewDeployerGroup: (platform: string) => `${platform}:preview-deployers`,
  catalogResource: (service: string, kind: 'db' | 'cache' | 'topic' | 'bucket' | string, name: string) => `${service}-${kind}-${name}`,
} as const;

/**
 * Length of the id Terraform appends to a `name_prefix` (terraform-plugin-sdk's
 * id.UniqueIDSuffixLength: a timestamp and a counter, digits and lowercase hex).
 */
export const TERRAFORM_UNIQUE_SUFFIX_LENGTH = 26;

/** `formatdate` layout of the creation time that ends a final snapshot's name: 14 digits, UTC. */
export const FINAL_SNAPSHOT_TIME_FORMAT = 'YYYYMMDDhhmmss';

/** The partition of a region's ARNs, for ARNs paved writes outside Terraform (which reads data.aws_partition). */
export function awsPartition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The RDS parameter group family of a PostgreSQL version: its major version, `16.4` → `postgres16`. */
export const postgresFamily = (version: string): string => `postgres${version.split('.')[0]}`;

/** The RDS parameter group family of a MySQL version: its major and minor parts, `8.0.39` → `mysql8.0`. */
export const mysqlFamily = (version: string): string => `mysql${version.split('.').slice(0, 2).join('.')}`;

/** The parameter group family of a database: `postgres16`, `mysql8.0`, `mysql8.4`. */
export const parameterGroupFamily = (engine: 'postgres' | 'mysql', version: string): string =>
  engine === 'mysql' ? mysqlFamily(version) : postgresFamily(version);

/** The major version of a database, as RDS and the engines' images tag it: `16.4` → `16`, `8.0.39` → `8.0`. */
export const majorVersion = (engine: 'postgres' | 'mysql', version: string): string =>
  engine === 'mysql' ? version.split('.').slice(0, 2).join('.') : version.split('.')[0]!;

/**
 * MySQL versions RDS offers standard support for, as majors: 5.7 reached the
 * end of it in 2024 (RDS Extended Support, charged, keeps it running).
 */
export const MYSQL_MAJOR_VERSIONS: readonly string[] = ['8.0', '8.4'];

/** The port each engine listens on, the one port its security group and NetworkPolicies open. */
export const DATABASE_PORTS: Readonly<Record<'postgres' | 'mysql', number>> = { postgres: 5432, mysql: 3306 };

/** A rule a derived name must meet, with the reason in words for diagnostics. */
export interface NameRule {
  readonly system: string;
  readonly check: (name: string) => string | undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const maxLength = (limit: number) => (name: string) => (name.length > limit ? `is ${name.length} characters; the limit is ${limit}` : undefined);
const all =
  (...checks: Array<(name: string) => string | undefined>) =>
  (name: string) => {
    for (const check of checks) {
      const problem = check(name);
      if (problem) return problem;
    }
    return undefined;
  };

// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBInstanceIdentifier)
const awsIdentifier = (limit: number) =>
  all(
    maxLength(limit),
    (name) => (/^[a-z][a-z0-9-]*$/.test(name) ? undefined : 'must start with a letter and hold only lowercase letters, digits and hyphens'),
    (name) => (name.includes('--') ? `contains "--"; AWS allows only single hyphens` : undefined),
    (name) => (name.endsWith('-') ? 'ends with a hyphen, which AWS does not allow' : undefined),
  );

export const NAME_RULES = {
  kubernetesLabel: { system: 'Kubernetes name', check: all(maxLength(63), (n) => (DNS_LABEL.test(n) ? undefined : 'is not a DNS-1123 label')) },
  // https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/: the Job controller appends 11 characters.
  cronJob: { system: 'Kubernetes CronJob', check: all(maxLength(52), (n) => (DNS_LABEL.test(n) ? undefined : 'is not a DNS-1123 label')) },
  rdsInstance: { system: 'RDS instance identifier', check: awsIdentifier(63) },
  // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html
  cacheReplicationGroup: { system: 'ElastiCache replication group id', check: awsIdentifier(40) },
  snsTopic: {
    system: 'SNS topic name',
    check: all(maxLength(256), (n) => (/^[A-Za-z0-9_-]+$/.test(n) ? undefined : 'may hold only letters, digits, "-" and "_"')),
  },
  sqsQueue: {
    system: 'SQS queue name',
    check: all(maxLength(80), (n) => (/^[A-Za-z0-9_-]+$/.test(n) ? undefined : 'may hold only letters, digits, "-" and "_"')),
  },
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  s3Bucket: {
    system: 'S3 bucket name',
    check: all(
      (n) => (n.length < 3 || n.length > 63 ? `is ${n.length} characters; S3 allows 3 to 63` : undefined),
      (n) => (/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(n) ? undefined : 'may hold only lowercase letters, digits and hyphens'),
      (n) => {
        const reserved = /^(xn--|sthree-|amzn-s3-demo-)/.exec(n) ?? /(-s3alias|--ol-s3|--x-s3)$/.exec(n);
        return reserved ? `${reserved.index === 0 ? 'starts' : 'ends'} with "${reserved[1]}", which S3 reserves` : undefined;
      },
    ),
  },
  iamRole: {
    system: 'IAM role name',
    check: all(maxLength(64), (n) => (/^[A-Za-z0-9+=,.@_-]+$/.test(n) ? undefined : 'may hold only letters, digits and +=,.@_-')),
  },
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
  kmsAlias: {
    system: 'KMS alias',
    check: all(maxLength(256), (n) =>
      /^alias\/[A-Za-z0-9/_-]+$/.test(n) && !n.startsWith('alias/aws/') ? undefined : 'may hold only letters, digits and /_- after alias/',
    ),
  },
  rdsSnapshot: { system: 'RDS snapshot identifier', check: awsIdentifier(255) },
  rdsParameterGroup: { system: 'RDS parameter group name', check: awsIdentifier(255) },
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
  securityGroup: {
    system: 'security group name',
    check: all(maxLength(255), (n) =>
      /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/.test(n) && !n.startsWith('sg-') ? undefined : 'holds a character EC2 does not allow, or starts with sg-',
    ),
  },
  // ElastiCache user ids follow the replication group's rules.
  cacheUser: { system: 'ElastiCache user id', check: awsIdentifier(40) },
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBName) and PostgreSQL's 63-byte identifiers.
  postgresIdentifier: {
    system: 'PostgreSQL identifier',
    check: all(maxLength(63), (n) =>
      /^[a-z][a-z0-9_]*$/.test(n) ? undefined : 'must start with a letter and hold only lowercase letters, digits and underscores',
    ),
  },
  secret: {
    system: 'Secrets Manager name',
    check: all(maxLength(512), (n) => (/^[A-Za-z0-9/_+=.@-]+$/.test(n) ? undefined : 'may hold only letters, digits and /_+=.@-')),
  },
  catalogEntity: {
    system: 'Backstage entity name',
    check: all(maxLength(63), (n) => (/^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$/.test(n) ? undefined : 'is not a valid entity name')),
  },
} as const satisfies Readonly<Record<string, NameRule>>;
