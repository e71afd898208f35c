import type { ResolvedDatabase } from '../../spec/model.js';
import { DATABASE_PORTS, deployedName, FINAL_SNAPSHOT_TIME_FORMAT, names, parameterGroupFamily } from '../../spec/naming.js';
import { acknowledgesLoss } from '../shared/data-loss.js';
import { attributes, block, map, object, quote, raw, template, type Block } from '../shared/hcl.js';
import { connectionSecret } from './connection.js';
import { entry, KMS_KEY_ARN, localName, mapOfNames, namesByResource, PARTITION, withMoves, resource, type Concern, type StackContext } from './context.js';
import { dataPolicyVariables, networkVariables } from './inputs.js';
import { podIngressSecurityGroup } from './network.js';
import { policy, policyExpression, sidPart } from './policy.js';
import { TERRAFORM_WAIVERS as WAIVERS, waiverText } from '../shared/waivers.js';

/**
 * PostgreSQL or MySQL on RDS, one instance per declared database, meeting
 * security-rules.md §1 rows 1-9: encrypted with the service key, private,
 * IAM authentication, TLS forced and DDL and slow queries logged by the
 * parameter group, Performance Insights (where the instance class has it),
 * Enhanced Monitoring, backups, deletion protection and Multi-AZ from the
 * platform's policy. RDS keeps the master password in a secret of its own,
 * encrypted with the service key: `auth: password` databases hand it to the
 * pods through External Secrets, so it is never in Terraform's state.
 */
export function databaseConcern(context: StackContext): Concern | undefined {
  const { service } = context;
  const databases = service.resources.databases;
  if (databases.length === 0) return undefined;
  const user = names.databaseUser();
  return {
    file: 'database.tf',
    // An acknowledged database (dataLoss:) drops its deletion protection first, so the apply that removes it can delete it.
    blocks: [
      ...databases.flatMap((database) => {
        const deletable = acknowledgesLoss(service, `databases.${database.name}`);
        return withMoves(`databases.${database.name}`, database, (d) => databaseBlocks(d, user, deletable));
      }),
      ...monitoringRole(),
    ],
    variables: [
      ...networkVariables(context),
      ...dataPolicyVariables(context),
      {
        name: 'databases',
        description: 'Names of the RDS objects of each database, derived by paved.',
        type: mapOfNames('identifier', 'parameter_group_prefix', 'final_snapshot', 'security_group', 'connection_secret'),
        value: (env) =>
          namesByResource(
            databases,
            (d) => d.name,
            (d) => ({
              identifier: names.rdsInstance(service.name, env, deployedName(d)),
              parameter_group_prefix: names.rdsParameterGroupPrefix(service.name, env, deployedName(d), parameterGroupFamily(d.engine, d.version)),
              final_snapshot: names.rdsFinalSnapshot(service.name, env, deployedName(d)),
              security_group: names.securityGroup(service.name, env, 'database', deployedName(d)),
              connection_secret: names.connectionSecret(service.name, env, 'database', deployedName(d)),
            }),
          ),
      },
      {
        name: 'rds_monitoring_role_name',
        description: 'Role RDS Enhanced Monitoring publishes OS metrics with.',
        type: raw('string'),
        value: (env) => names.rdsMonitoringRole(service.name, env),
      },
    ],
    // IAM authentication only: a password database's pods sign in with the master password instead.
    statements: databases
      .filter((d) => d.auth === 'iam')
      .map((d) => ({
        Sid: `ConnectToDatabase${sidPart(d.name)}`,
        Effect: 'Allow' as const,
        Action: ['rds-db:connect'],
        Resource: [
          template(
            'arn:',
            PARTITION,
            ':rds-db:',
            raw('var.aws_region'),
            ':',
            raw('var.aws_account_id'),
            ':dbuser:',
            raw(`aws_db_instance.${localName(d.name)}.resource_id`),
            `/${user}`,
          ),
        ],
      })),
    outputs: [
      {
        name: 'databases',
        description: 'Endpoint of each database; the pods read them from the connection secrets.',
        value: map(
          Object.fromEntries(
            databases.map((d) => [
              d.name,
              object({ host: raw(`aws_db_instance.${localName(d.name)}.address`), port: raw(`aws_db_instance.${localName(d.name)}.port`) }),
            ]),
          ),
        ),
      },
    ],
  };
}

/** Addresses and tfvars keys follow the spec name; every name and description AWS holds, the deployed one. */
function databaseBlocks(database: ResolvedDatabase, user: string, deletable: boolean): Block[] {
  const local = localName(database.name);
  const name = (field: string) => entry('databases', database.name, field);
  const deployed = deployedName(database);
  const engine = ENGINES[database.engine];
  const what = `${engine.title} database ${deployed}`;
  const insights = performanceInsightsSupported(database);
  const pinned = pinsMinorVersion(database);
  return [
    resource(
      'aws_db_subnet_group',
      local,
      attributes({ name: name('identifier'), description: `Private subnets of the ${what}`, subnet_ids: raw('var.private_subnet_ids') }),
    ),
    ...podIngressSecurityGroup(localName('database', database.name), name('security_group'), what, [DATABASE_PORTS[database.engine]]),
    resource('aws_db_parameter_group', local, [
      ...attributes({
        name_prefix: name('parameter_group_prefix'),
        family: parameterGroupFamily(database.engine, database.version),
        description: `TLS only; ${engine.logged} logged (${what})`,
      }),
      ...engine.parameters.map(([parameter, value]) => block('parameter', [], attributes({ name: parameter, value }))),
      // A replacement (a major upgrade's new family, a new description) creates the new group before the instance
      // lets go of the old one; the unique id after name_prefix keeps the two names apart (the AWS provider's
      // aws_db_parameter_group docs: create_before_destroy needs a name that differs, e.g. through name_prefix).
      block('lifecycle', [], attributes({ create_before_destroy: true })),
    ]),
    resource(
      'aws_db_instance',
      local,
      [
        ...attributes({
          identifier: name('identifier'),
          engine: database.engine,
          engine_version: database.version,
          instance_class: database.instanceClass,
          allocated_storage: database.storageGiB,
          // Storage autoscaling up to the platform's ceiling; none when the database starts there.
          ...(database.maxStorageGiB > database.storageGiB ? { max_allocated_storage: database.maxStorageGiB } : {}),
          storage_type: 'gp3',
          storage_encrypted: true,
          kms_key_id: KMS_KEY_ARN,
          db_name: names.databaseName(deployed),
          username: names.databaseMasterUser(),
          manage_master_user_password: true,
          master_user_secret_kms_key_id: KMS_KEY_ARN,
          // On for auth: password too (CKV_AWS_161): IAM authentication admits only users made for it, and a password database has none.
          iam_database_authentication_enabled: true,
          db_subnet_group_name: raw(`aws_db_subnet_group.${local}.name`),
          vpc_security_group_ids: [raw(`aws_security_group.${localName('database', database.name)}.id`)],
          parameter_group_name: raw(`aws_db_parameter_group.${local}.name`),
          publicly_accessible: false,
          ca_cert_identifier: 'rds-ca-rsa2048-g1',
          multi_az: raw('var.multi_az'),
          deletion_protection: deletable ? false : raw('var.deletion_protection'),
          backup_retention_period: raw('var.backup_retention_days'),
          copy_tags_to_snapshot: true,
          skip_final_snapshot: false,
          final_snapshot_identifier: template(name('final_snapshot'), '-', raw(`formatdate(${quote(FINAL_SNAPSHOT_TIME_FORMAT)}, timestamp())`)),
          // "16" (or MySQL's "8.0") lets RDS apply minor upgrades (the provider then accepts the running 16.x);
          // a pinned "16.4" would fight them, so its upgrades are the team's, by changing the version.
          auto_minor_version_upgrade: !pinned,
          enabled_cloudwatch_logs_exports: [...engine.logExports],
          performance_insights_enabled: insights,
          ...(insights ? { performance_insights_kms_key_id: KMS_KEY_ARN, performance_insights_retention_period: 7 } : {}),
          monitoring_interval: 60,
          monitoring_role_arn: raw('aws_iam_role.rds_monitoring.arn'),
        }),
        // timestamp() is taken when the instance is created and never again (Terraform's timestamp function docs):
        // each instance keeps the snapshot name of its own lifetime, so a second replacement cannot collide with the first.
        block('lifecycle', [], attributes({ ignore_changes: [raw('final_snapshot_identifier')] })),
      ],
      [
        waiverText(WAIVERS.policyDrivenDatabase),
        ...(deletable ? [waiverText(WAIVERS.retiredDatabase)] : []),
        ...(pinned ? [waiverText(WAIVERS.pinnedMinorVersion)] : []),
        ...(insights ? [] : [waiverText(WAIVERS.noPerformanceInsights)]),
      ],
    ),
    ...connectionSecret(
      'database',
      database.name,
      name('connection_secret'),
      {
        host: raw(`aws_db_instance.${local}.address`),
        port: raw(`aws_db_instance.${local}.port`),
        dbname: raw(`aws_db_instance.${local}.db_name`),
        // auth: password signs in as the master user, whose password RDS keeps (and rotates) in its own secret.
        username: database.auth === 'password' ? raw(`aws_db_instance.${local}.username`) : user,
      },
      deployed,
    ),
  ];
}

/** What differs between the engines: TLS, statement logging and the logs CloudWatch receives. */
const ENGINES: Readonly<
  Record<
    ResolvedDatabase['engine'],
    { readonly title: string; readonly logged: string; readonly parameters: ReadonlyArray<readonly [string, string]>; readonly logExports: readonly string[] }
  >
> = {
  postgres: {
    title: 'PostgreSQL',
    logged: 'DDL and slow statements',
    parameters: [
      // CKV2_AWS_69: clients must use TLS.
      ['rds.force_ssl', '1'],
      // CKV2_AWS_30: schema changes and statements slower than a second reach the log, data-changing ones do not.
      ['log_statement', 'ddl'],
      ['log_min_duration_statement', '1000'],
    ],
    logExports: ['postgresql', 'upgrade'],
  },
  mysql: {
    title: 'MySQL',
    logged: 'slow statements',
    parameters: [
      // The MySQL form of CKV2_AWS_69: connections without TLS are refused.
      ['require_secure_transport', '1'],
      // Statements slower than a second reach the slow query log, written to files, the one output RDS exports to CloudWatch.
      ['slow_query_log', '1'],
      ['long_query_time', '1'],
      ['log_output', 'FILE'],
    ],
    // error and slowquery: the logs the parameter group fills; general stays off (it would log every statement and its data).
    logExports: ['error', 'slowquery'],
  },
};

/**
 * Whether RDS offers Performance Insights for the database's engine and class:
 * not for MySQL on the smallest burstable classes ("Amazon RDS DB engine,
 * Region, and instance class support for Database Insights", RDS User Guide).
 */
export function performanceInsightsSupported(database: Pick<ResolvedDatabase, 'engine' | 'instanceClass'>): boolean {
  return !(database.engine === 'mysql' && MYSQL_WITHOUT_INSIGHTS.includes(database.instanceClass));
}
const MYSQL_WITHOUT_INSIGHTS: readonly string[] = ['db.t2.micro', 'db.t2.small', 'db.t3.micro', 'db.t3.small', 'db.t4g.micro', 'db.t4g.small'];

/** A version with a minor part ("16.4", MySQL's "8.0.39"), not a major alone ("16", "8.0"). */
export const pinsMinorVersion = (database: Pick<ResolvedDatabase, 'engine' | 'version'>): boolean =>
  database.version.split('.').length > (database.engine === 'mysql' ? 2 : 1);

/** Enhanced Monitoring (CKV_AWS_118) needs a role RDS assumes, limited to this account. */
function monitoringRole(): Block[] {
  const trust = policy({
    Sid: 'RdsMonitoring',
    Effect: 'Allow',
    Principal: { Service: 'monitoring.rds.amazonaws.com' },
    Action: ['sts:AssumeRole'],
    Condition: { StringEquals: { 'aws:SourceAccount': raw('var.aws_account_id') } },
  });
  return [
    resource(
      'aws_iam_role',
      'rds_monitoring',
      attributes({ name: raw('var.rds_monitoring_role_name'), description: 'RDS Enhanced Monitoring', assume_role_policy: policyExpression(trust) }),
    ),
    resource(
      'aws_iam_role_policy_attachment',
      'rds_monitoring',
      attributes({
        role: raw('aws_iam_role.rds_monitoring.name'),
        policy_arn: template('arn:', PARTITION, ':iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole'),
      }),
    ),
  ];
}
