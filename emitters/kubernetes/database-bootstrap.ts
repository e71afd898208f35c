import type * as k8s from './kube-types.js';
import type { ResolvedDatabase } from '../../spec/model.js';
import { asDeployed, awsPartition, majorVersion, names } from '../../spec/naming.js';
import { connectionObjectName } from '../../spec/runtime-env.js';
import type { RenderContext } from './context.js';
import { customResource, type FoundSecrets } from './custom-resources.js';
import { annotations, labels, metadata, selectorLabels } from './labels.js';
import { manifest, type Manifest } from './manifest.js';
import { databasePorts, dnsEgress } from './networking.js';
import { containerSecurityContext, podSecurityContext, scratchVolumes, TMP } from './pod.js';
import { topologySpread } from './workloads.js';
import { kubeObject, withAnnotation } from './kube-object.js';
import type { KubeJson } from './overrides.js';

/**
 * The database bootstrap: per IAM-authenticated database and cloud
 * environment, a Job that logs in as the RDS master user and makes the role
 * the service connects as (`names.databaseUser()`, IAM authentication) exist
 * with the privileges it needs: psql for PostgreSQL, the mysql client for
 * MySQL. A database with `auth: password` needs none: the app signs in as the
 * master user, who owns the database (database-password.ts). Argo CD runs it as a Sync hook in wave -1, after the objects it needs
 * (wave -2: the Namespace, the SQL, its ServiceAccount and NetworkPolicy, the
 * master and connection secrets) and before the Deployment (wave 0), on every
 * sync: the SQL is idempotent.
 *
 * Why a Sync hook and not PreSync: PreSync hooks run before any manifest is
 * applied, so on an environment's first sync the Namespace and the secrets the
 * Job reads would not exist yet. Waves order resources and Sync hooks alike, and
 * Argo CD applies a wave only once the previous one is synced and healthy
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/).
 */

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/**
 * A Job Argo CD runs as a Sync hook in a wave before the Deployment's. The
 * finished Job stays for its logs until the next sync deletes it to create the
 * new one (a Job's pod template is immutable); HookSucceeded would throw away
 * the record of what it did.
 */
export function syncHookAnnotations(annotations: Readonly<Record<string, string>>, wave: string): Record<string, string> {
  return { ...annotations, 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', [SYNC_WAVE]: wave };
}

/**
 * The waves before the Deployment's (0): first the Namespace and what the Jobs
 * read, then the bootstrap Jobs; a service with pre-deploy jobs runs those
 * last, in wave -1, once the database role they log in as exists (jobs.ts).
 */
export function syncWaves(ctx: RenderContext): { readonly prerequisites: string; readonly bootstrap: string; readonly preDeploy: string } {
  return ctx.service.jobs.some((job) => job.when === 'pre-deploy')
    ? { prerequisites: '-3', bootstrap: '-2', preDeploy: '-1' }
    : { prerequisites: '-2', bootstrap: '-1', preDeploy: '-1' };
}

/** The role IAM database authentication requires (RDS creates it). */
const RDS_IAM_ROLE = 'rds_iam';

/** PostgreSQL's quoting of an identifier: always double-quoted, `"` doubled, so no name is read as SQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A standard-conforming string literal, `'` doubled. */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The whole bootstrap, run by psql as the master user against each database,
 * in one transaction; each statement is idempotent, so a rerun changes nothing.
 *
 * - The role is created only if missing, with LOGIN and no password: it signs
 *   in with IAM tokens only (`rds_iam`). `ALTER ROLE ... LOGIN` repairs a role
 *   created by hand as NOLOGIN.
 * - CONNECT on the database the Job is connected to: `current_database()`,
 *   quoted by the server (`%I`), so one script serves every database.
 * - PostgreSQL 15 took CREATE on schema `public` from PUBLIC, so `app` gets
 *   USAGE and CREATE on it. The service's migrations run as `app`, so `app`
 *   owns every table it creates and needs no default privileges; nothing else
 *   logs in to the database. The master keeps the database and the schema.
 */
export function bootstrapSql(user: string): string {
  const role = quoteIdentifier(user);
  return [
    `-- paved database bootstrap: the role ${user} the service logs in as with IAM authentication.`,
    '-- Run by the bootstrap Job as the RDS master user on every Argo CD sync; every statement is idempotent.',
    'DO $paved$',
    'BEGIN',
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${quoteLiteral(user)}) THEN`,
    `    CREATE ROLE ${role} LOGIN;`,
    '  END IF;',
    `  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), ${quoteLiteral(user)});`,
    'END',
    '$paved$;',
    `ALTER ROLE ${role} WITH LOGIN;`,
    `GRANT ${quoteIdentifier(RDS_IAM_ROLE)} TO ${role};`,
    `GRANT USAGE, CREATE ON SCHEMA public TO ${role};`,
    '',
  ].join('\n');
}

/** The one script every PostgreSQL bootstrap Job runs; test/conformance/database-bootstrap.test.ts runs the emitted copy against PostgreSQL. */
export const BOOTSTRAP_SQL = bootstrapSql(names.databaseUser());

/** MySQL's quoting of an identifier: backquoted, a backquote doubled. */
export function quoteMysqlIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/**
 * The MySQL bootstrap, run by the mysql client as the master user with the
 * database selected; each statement is idempotent.
 *
 * - The user signs in with IAM tokens only: RDS's AWSAuthenticationPlugin
 *   ("Creating a database account using IAM authentication", RDS User Guide).
 *   `ALTER USER` repairs a user created by hand with another plugin.
 * - ALL on the selected database, which the master owns: the service's
 *   migrations run as the user. GRANT takes no expression, so the statement
 *   is built from DATABASE(), quoted, and run as a prepared statement (GRANT
 *   is one MySQL allows there); one script serves every database.
 */
export function mysqlBootstrapSql(user: string): string {
  const account = `${quoteLiteral(user)}@'%'`;
  return [
    `-- paved database bootstrap: the user ${user} the service logs in as with IAM authentication.`,
    '-- Run by the bootstrap Job as the RDS master user on every Argo CD sync; every statement is idempotent.',
    `CREATE USER IF NOT EXISTS ${account} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';`,
    `ALTER USER ${account} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS';`,
    `SET @paved_grant = CONCAT('GRANT ALL PRIVILEGES ON \`', REPLACE(DATABASE(), '\`', '\`\`'), '\`.* TO ${account.replaceAll("'", "''")}');`,
    'PREPARE paved_grant FROM @paved_grant;',
    'EXECUTE paved_grant;',
    'DEALLOCATE PREPARE paved_grant;',
    '',
  ].join('\n');
}

/** The script every MySQL bootstrap Job runs; test/conformance/database-bootstrap.test.ts runs it against MySQL-compatible SQL where it can. */
export const MYSQL_BOOTSTRAP_SQL = mysqlBootstrapSql(names.databaseUser());

/** The ConfigMap key and where the Job mounts it. */
export const SQL_KEY = 'bootstrap.sql';
export const MYSQL_SQL_KEY = 'bootstrap-mysql.sql';
const SQL_DIR = '/etc/paved/db-bootstrap';

/**
 * psql's argv, run directly (no shell): no ~/.psqlrc, stop at the first error,
 * all statements in one transaction.
 */
export const PSQL_COMMAND: readonly string[] = ['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--single-transaction', `--file=${SQL_DIR}/${SQL_KEY}`];

/**
 * The mysql client's argv, run directly (no shell): no option files, TLS
 * required (the parameter group refuses anything else), the script as a batch
 * that stops at the first error. Kubernetes expands `$(VAR)` from the
 * container's env; the password travels in MYSQL_PWD, never in argv.
 */
export const MYSQL_COMMAND: readonly string[] = [
  'mysql',
  '--no-defaults',
  '--ssl-mode=REQUIRED',
  '--connect-timeout=10',
  '--batch',
  '--host=$(DB_HOST)',
  '--port=$(DB_PORT)',
  '--user=$(DB_USER)',
  '--database=$(DB_NAME)',
  `--execute=source ${SQL_DIR}/${MYSQL_SQL_KEY}`,
];

export const bootstrapNames = {
  /** One per environment: every database runs the same script. */
  configMap: 'db-bootstrap',
  /** `<service>-db-bootstrap`: never the service's own ServiceAccount or NetworkPolicy, named `<service>`. */
  shared: (service: string) => `${service}-db-bootstrap`,
  job: names.databaseBootstrapJob,
  masterSecret: names.databaseMasterSecret,
} as const;

/** The tag RDS puts on the secret it manages for an instance's master password: the instance's ARN. */
export const MASTER_SECRET_TAG = 'aws:rds:primaryDBInstanceArn';
/** RDS names that secret `rds!db-<uuid>`; `!` is no Secret key character, so every find rewrites the prefix away. */
const MASTER_SECRET_NAME = '^rds!db-';
const CANDIDATE = 'candidate-';
const OTHER = 'other-';

/**
 * ESO's template (engine v2, which hands it the fetched keys as strings). The
 * tag filter of Secrets Manager's ListSecrets is a prefix match, so the ARN of
 * `stock` also finds the secret of `stock-history`: those of the service's
 * databases whose identifier begins with this one's are found again as
 * `other-<uuid>` and dropped. Exactly one candidate must remain; its JSON
 * `{"username", "password"}` gives the value.
 */
export function masterField(field: 'username' | 'password'): string {
  return [
    '{{- $own := "" }}{{- $count := "" }}',
    `{{- range $key, $secret := . }}{{- if and (hasPrefix "${CANDIDATE}" $key) (eq (index $ (printf "${OTHER}%s" (trimPrefix "${CANDIDATE}" $key))) "") }}{{- $own = $secret }}{{- $count = printf "%s+" $count }}{{- end }}{{- end }}`,
    '{{- if ne $count "+" }}{{ fail "expected exactly one RDS master user secret tagged with this instance ARN" }}{{ end }}',
    `{{- (mustFromJson $own).${field} }}`,
  ].join('');
}

/** The instance ARN RDS tags its master secret with; the identifier, region and account are paved's. */
export function instanceArn(ctx: RenderContext, database: ResolvedDatabase): string {
  const env = ctx.env as 'staging' | 'production';
  const { region, accounts } = ctx.project.platform.cloud;
  return `arn:${awsPartition(region)}:rds:${region}:${accounts[env]}:db:${names.rdsInstance(ctx.service.name, env, database.name)}`;
}

/** Metadata of a bootstrap object the Jobs need in place first. */
function prerequisite(ctx: RenderContext, name: string, instance?: string): ReturnType<typeof metadata> {
  const meta = metadata(ctx, name, 'db-bootstrap', instance);
  return { ...meta, annotations: { ...meta.annotations, [SYNC_WAVE]: syncWaves(ctx).prerequisites } };
}

/**
 * The master credentials as PGUSER and PGPASSWORD, found by the instance ARN
 * tag (RDS names the secret `rds!db-<uuid>`, unknown at compile time). Name
 * and tags together make ESO (1.2.0 and later) call ListSecrets with the tag
 * filters and GetSecretValue on each match, the two permissions the platform
 * layer grants its identity on `rds!db-*` secrets carrying the tag. Databases of
 * other services cannot collide: validation rejects an identifier that begins
 * with another service's (NAME.RDS_PREFIX).
 */
function masterSecret(ctx: RenderContext, database: ResolvedDatabase): KubeJson {
  const name = bootstrapNames.masterSecret(database.name);
  return customResource('ExternalSecret', prerequisite(ctx, name, database.name), {
    refreshInterval: '1h',
    secretStoreRef: { kind: 'ClusterSecretStore', name: ctx.project.platform.kubernetes.secretStores[ctx.env] },
    target: {
      name,
      creationPolicy: 'Owner',
      deletionPolicy: 'Retain',
      template: {
        engineVersion: 'v2',
        data: { [MASTER_KEYS[database.engine].username]: masterField('username'), [MASTER_KEYS[database.engine].password]: masterField('password') },
      },
    },
    dataFrom: masterSecretSources(ctx, database),
  });
}

/** The keys of the master Secret, named after the variables each engine's client reads. */
const MASTER_KEYS = { postgres: { username: 'PGUSER', password: 'PGPASSWORD' }, mysql: { username: 'MYSQL_USER', password: 'MYSQL_PWD' } } as const;

/**
 * The `dataFrom` that finds a database's RDS-managed master secret by the tag
 * RDS sets (its instance ARN), and the secrets of the service's databases whose
 * identifiers begin with this one's, found again to be dropped: what masterField
 * reads. `database` is named as deployed.
 */
export function masterSecretSources(ctx: RenderContext, database: ResolvedDatabase): FoundSecrets[] {
  const find = (db: ResolvedDatabase, prefix: string) => ({
    find: { name: { regexp: MASTER_SECRET_NAME }, tags: { [MASTER_SECRET_TAG]: instanceArn(ctx, db) } },
    rewrite: [{ regexp: { source: MASTER_SECRET_NAME, target: prefix } }],
  });
  const longer = deployedDatabases(ctx).filter((d) => d.name !== database.name && d.name.startsWith(database.name));
  return [find(database, CANDIDATE), ...longer.map((d) => find(d, OTHER))];
}

const fromSecret = (name: string, secret: string, key: string): k8s.EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** The client each engine's Job runs: its container name, image repository, argv and environment. */
function client(ctx: RenderContext, database: ResolvedDatabase): Pick<k8s.Container, 'name' | 'image' | 'command' | 'env'> {
  const connection = connectionObjectName({ kind: 'database', name: database.name });
  const master = bootstrapNames.masterSecret(database.name);
  const { kubernetes } = ctx.project.platform;
  const tag = majorVersion(database.engine, database.version);
  if (database.engine === 'mysql')
    return {
      name: 'mysql',
      image: `${kubernetes.mysqlBootstrapRepository}:${tag}`,
      command: [...MYSQL_COMMAND],
      env: [
        fromSecret('DB_HOST', connection, 'host'),
        fromSecret('DB_PORT', connection, 'port'),
        fromSecret('DB_NAME', connection, 'dbname'),
        fromSecret('DB_USER', master, MASTER_KEYS.mysql.username),
        fromSecret('MYSQL_PWD', master, MASTER_KEYS.mysql.password),
      ],
    };
  return {
    name: 'psql',
    image: `${kubernetes.databaseBootstrapRepository}:${tag}`,
    command: [...PSQL_COMMAND],
    env: [
      fromSecret('PGHOST', connection, 'host'),
      fromSecret('PGPORT', connection, 'port'),
      fromSecret('PGDATABASE', connection, 'dbname'),
      fromSecret('PGUSER', master, MASTER_KEYS.postgres.username),
      fromSecret('PGPASSWORD', master, MASTER_KEYS.postgres.password),
      // The parameter group forces TLS. `require` encrypts without checking the
      // server's certificate: verify-full needs the region's RDS CA bundle in the pod (docs/targets/kubernetes.md).
      { name: 'PGSSLMODE', value: 'require' },
      { name: 'PGCONNECT_TIMEOUT', value: '10' },
      { name: 'PGAPPNAME', value: 'paved-db-bootstrap' },
    ],
  };
}

function job(ctx: RenderContext, database: ResolvedDatabase): KubeJson {
  const scratch = scratchVolumes([TMP]);
  const meta = metadata(ctx, bootstrapNames.job(database.name), 'db-bootstrap', database.name);
  const container: k8s.Container = {
    ...client(ctx, database),
    imagePullPolicy: 'Always',
    resources: {
      requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '16Mi' },
      limits: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
    },
    securityContext: containerSecurityContext(),
    volumeMounts: [...scratch.volumeMounts, { name: 'sql', mountPath: SQL_DIR, readOnly: true }],
  };
  return kubeObject('Job', {
    metadata: {
      ...meta,
      annotations: syncHookAnnotations(meta.annotations, syncWaves(ctx).bootstrap),
    },
    spec: {
      // A database that stays unreachable fails the sync after ten minutes, and Argo CD's retry takes over.
      backoffLimit: 3,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels: labels(ctx, 'db-bootstrap', database.name), annotations: annotations(ctx) },
        spec: {
          serviceAccountName: bootstrapNames.shared(ctx.service.name),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          restartPolicy: 'Never',
          securityContext: podSecurityContext(),
          containers: [container],
          volumes: [...scratch.volumes, { name: 'sql', configMap: { name: bootstrapNames.configMap, defaultMode: 0o444 } }],
          topologySpreadConstraints: topologySpread(selectorLabels(ctx, 'db-bootstrap', database.name), false),
        },
      },
    },
  });
}

/** Only the database port in the private subnets, and DNS to find the endpoint. */
function networkPolicy(ctx: RenderContext): KubeJson {
  return kubeObject('NetworkPolicy', {
    metadata: prerequisite(ctx, bootstrapNames.shared(ctx.service.name)),
    spec: {
      podSelector: { matchLabels: selectorLabels(ctx, 'db-bootstrap') },
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        dnsEgress(),
        {
          to: ctx.project.platform.kubernetes.egress.privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ports: databasePorts(bootstrapped(ctx)).map((port) => ({ protocol: 'TCP' as const, port })),
        },
      ],
    },
  });
}

/** The Job's own identity: it needs no AWS role, so it never runs as the service's ServiceAccount. */
function serviceAccount(ctx: RenderContext): KubeJson {
  return kubeObject('ServiceAccount', {
    metadata: prerequisite(ctx, bootstrapNames.shared(ctx.service.name)),
    automountServiceAccountToken: false,
  });
}

/** The scripts of the engines the service's IAM databases use: a PostgreSQL-only service's ConfigMap is what it always was. */
function sqlConfigMap(ctx: RenderContext): KubeJson {
  const engines = new Set(bootstrapped(ctx).map((d) => d.engine));
  return kubeObject('ConfigMap', {
    metadata: prerequisite(ctx, bootstrapNames.configMap),
    data: { ...(engines.has('postgres') ? { [SQL_KEY]: BOOTSTRAP_SQL } : {}), ...(engines.has('mysql') ? { [MYSQL_SQL_KEY]: MYSQL_BOOTSTRAP_SQL } : {}) },
  });
}

/** Staging and production: the bootstrap objects of every IAM-authenticated database, none for a service without one. */
export function databaseBootstrap(ctx: RenderContext): Manifest[] {
  const databases = bootstrapped(ctx);
  if (databases.length === 0) return [];
  return [
    manifest(sqlConfigMap(ctx)),
    manifest(serviceAccount(ctx)),
    manifest(networkPolicy(ctx)),
    ...databases.flatMap((database) => [manifest(masterSecret(ctx, database)), manifest(job(ctx, database))]),
  ];
}

/**
 * Moves what the Jobs read into the prerequisites' wave: the Namespace (which
 * every namespaced object needs first) and the databases' connection secrets.
 */
export function bootstrapPrerequisites(ctx: RenderContext, manifests: readonly Manifest[]): Manifest[] {
  const preDeploy = ctx.service.jobs.some((job) => job.when === 'pre-deploy');
  if (bootstrapped(ctx).length === 0 && !preDeploy) return [...manifests];
  const connections = new Set(bootstrapped(ctx).map((d) => connectionObjectName({ kind: 'database', name: d.name })));
  const { prerequisites } = syncWaves(ctx);
  // A pre-deploy Job runs as the service: its identity, its secrets and its network policies come first.
  const first = ({ kind, metadata }: KubeJson): boolean =>
    kind === 'Namespace' || (kind === 'ExternalSecret' && connections.has(metadata.name)) || (preDeploy && PRE_DEPLOY_PREREQUISITES.has(kind));
  return manifests.map((m) => (first(m.object) ? { ...m, object: withAnnotation(m.object, SYNC_WAVE, prerequisites) } : m));
}

/** What a pre-deploy Job reads or is confined by; only annotated, so nothing existing is replaced when a job is added. */
const PRE_DEPLOY_PREREQUISITES = new Set(['ServiceAccount', 'ExternalSecret', 'NetworkPolicy', 'CiliumNetworkPolicy']);

/**
 * The service's databases under their deployed names (a rename leaves them in
 * place): every object here is named after an RDS instance or its secrets.
 */
export const deployedDatabases = (ctx: RenderContext): ResolvedDatabase[] => ctx.service.resources.databases.map(asDeployed);

/** The databases a bootstrap Job prepares: those whose app signs in with IAM. */
const bootstrapped = (ctx: RenderContext): ResolvedDatabase[] => deployedDatabases(ctx).filter((d) => d.auth === 'iam');
