import { describe, expect, it } from 'vitest';
import { projectReport, reportMarkdown, reportText } from '../../compiler/report.js';
import { resourceChangeLines, terraformChanges } from '../../compiler/terraform-changes.js';
import { emitters } from '../../cli/emitters.js';
import { compileTexts, type CompileResult } from '../../compiler/compile.js';
import { PLATFORM, renameCompile } from '../support/rename-project.js';
import { serviceYaml, validateTexts } from '../support/helpers.js';

/**
 * Issue 17, "renames keep state" (docs/day-2.md, Renaming): renamedFrom moves the
 * spec name, the Terraform addresses and what the app reads; every cloud and
 * Kubernetes name stays the deployed one. The offline plan proof is
 * renames-terraform.test.ts.
 */
const before = renameCompile(false);
const after = renameCompile(true);
const file = (path: string): string => {
  const found = after.files.find((f) => f.path === path);
  if (!found) throw new Error(`${path} is not generated`);
  return found.contents;
};

describe('a renamed resource entry in Terraform', () => {
  it('moves every resource of the entry to its new address, one moved block each', () => {
    const cache = file('generated/orders/terraform/cache.tf');
    expect(cache.slice(cache.indexOf('# caches.carts'))).toBe(
      [
        '# caches.carts was renamed (renamedFrom): its state moves, its cloud names stay.',
        ...[
          ['aws_elasticache_subnet_group.sessions', 'aws_elasticache_subnet_group.carts'],
          ['aws_security_group.cache-sessions', 'aws_security_group.cache-carts'],
          ['aws_vpc_security_group_ingress_rule.cache-sessions', 'aws_vpc_security_group_ingress_rule.cache-carts'],
          ['aws_elasticache_user.sessions-iam', 'aws_elasticache_user.carts-iam'],
          ['aws_elasticache_user_group.sessions', 'aws_elasticache_user_group.carts'],
          ['aws_elasticache_replication_group.sessions', 'aws_elasticache_replication_group.carts'],
          ['aws_secretsmanager_secret.cache-sessions', 'aws_secretsmanager_secret.cache-carts'],
          ['aws_secretsmanager_secret_version.cache-sessions', 'aws_secretsmanager_secret_version.cache-carts'],
        ].map(([from, to]) => `moved {\n  from = ${from}\n  to   = ${to}\n}\n`),
      ].join('\n'),
    );
    expect(file('generated/orders/terraform/subscriptions/subscriptions.tf')).toContain(
      'moved {\n  from = aws_sns_topic_subscription.notifier-alarms\n  to   = aws_sns_topic_subscription.notifier-alerts\n}\n',
    );
  });

  it('keys tfvars by the new name and derives every name AWS holds from the deployed one', () => {
    const tfvars = file('generated/orders/terraform/env/staging.tfvars');
    expect(tfvars).toContain(
      'databases = {\n  sales = {\n    identifier             = "orders-stg-orders"\n    parameter_group_prefix = "orders-stg-orders-postgres16-"\n    final_snapshot         = "orders-stg-orders-final"\n    security_group         = "orders-stg-database-orders"\n    connection_secret      = "orders/staging/database/orders"\n  }\n}\n',
    );
    expect(tfvars).toContain(
      'buckets = {\n  receipts = {\n    bucket            = "acme-stg-orders-invoices-3f9a27c1"\n    connection_secret = "orders/staging/bucket/invoices"\n  }\n}\n',
    );
    expect(tfvars).toContain(
      'topics = {\n  order-placed = {\n    name              = "orders-stg-order-created"\n    connection_secret = "orders/staging/topic/order-created"\n  }\n}\n',
    );
    expect(tfvars).toContain(
      'subscriptions = {\n  notifier-alerts = {\n    topic_arn         = "arn:aws:sns:eu-west-1:111111111111:notifier-stg-alarms"\n    queue             = "orders-stg-notifier-alarms"\n    dead_letter_queue = "orders-stg-notifier-alarms-dlq"\n    connection_secret = "orders/staging/queue/notifier-alarms"\n  }\n}\n',
    );
    // The database inside the instance and the descriptions AWS replaces on keep the deployed name too.
    const database = file('generated/orders/terraform/database.tf');
    expect(database).toContain('db_name                               = "orders"');
    expect(database).toContain('description = "TLS only; DDL and slow statements logged (PostgreSQL database orders)"');
    expect(database).not.toMatch(/database sales/);
  });

  it('emits no moved block for an entry that was not renamed', () => {
    expect(before.files.filter((f) => f.contents.includes('\nmoved {')).map((f) => f.path)).toEqual([]);
  });

  it('reads as moves to paved diff: nothing destroyed, replaced or created, only the role policy updated for its statement ids', () => {
    const changes = terraformChanges(before.files, after.files);
    expect(changes.filter((c) => c.action === 'destroy' || c.action === 'replace' || c.action === 'create')).toEqual([]);
    const lines = resourceChangeLines(changes);
    expect(lines.filter((l) => !l.startsWith('~ move '))).toEqual(['~ update aws_iam_role_policy.service: policy [staging, production]']);
    expect(lines).toContain('~ move aws_db_instance.orders -> aws_db_instance.sales [staging, production]');
    expect(lines).toContain('~ move aws_s3_bucket.invoices -> aws_s3_bucket.receipts [staging, production]');
    expect(lines).toContain('~ move aws_sqs_queue.notifier-alarms-dlq -> aws_sqs_queue.notifier-alerts-dlq [staging, production]');
    expect(lines).toContain('~ move aws_sns_topic_subscription.notifier-alarms -> aws_sns_topic_subscription.notifier-alerts [staging, production]');
    // One move per moved block, in each environment.
    const blocks = after.files.filter((f) => f.path.endsWith('.tf')).reduce((n, f) => n + f.contents.split('\nmoved {\n').length - 1, 0);
    expect(blocks).toBe(40);
    expect(changes.filter((c) => c.action === 'move' && c.environment === 'staging')).toHaveLength(blocks);
  });
});

describe('a renamed resource entry in Kubernetes', () => {
  it('keeps the names of its objects, while the variables the app reads follow the new name', () => {
    const paths = after.files.map((f) => f.path).filter((p) => p.startsWith('generated/orders/kubernetes/staging/'));
    expect(paths.filter((p) => /externalsecret-|cronjob-|job-/.test(p))).toEqual([
      'generated/orders/kubernetes/staging/cronjob-cleanup.yaml',
      'generated/orders/kubernetes/staging/externalsecret-bucket-invoices.yaml',
      'generated/orders/kubernetes/staging/externalsecret-cache-sessions.yaml',
      'generated/orders/kubernetes/staging/externalsecret-database-orders.yaml',
      'generated/orders/kubernetes/staging/externalsecret-db-master-orders.yaml',
      'generated/orders/kubernetes/staging/externalsecret-queue-notifier-alarms.yaml',
      'generated/orders/kubernetes/staging/externalsecret-topic-order-created.yaml',
      'generated/orders/kubernetes/staging/job-db-bootstrap-orders.yaml',
    ]);
    expect(paths).toEqual(before.files.map((f) => f.path).filter((p) => p.startsWith('generated/orders/kubernetes/staging/')));
    expect(file('generated/orders/kubernetes/staging/cronjob-cleanup.yaml')).toContain('  name: orders-cleanup\n  namespace: orders\n');
    const deployment = file('generated/orders/kubernetes/staging/deployment.yaml');
    expect(deployment).toContain(
      '- name: DATABASE_SALES_HOST\n              valueFrom:\n                secretKeyRef:\n                  key: host\n                  name: database-orders\n',
    );
    expect(deployment).toContain(
      '- name: QUEUE_NOTIFIER_ALERTS_URL\n              valueFrom:\n                secretKeyRef:\n                  key: url\n                  name: queue-notifier-alarms\n',
    );
    expect(deployment).not.toContain('DATABASE_ORDERS_');
  });
});

describe('renamedFrom in the spec', () => {
  const validate = (
    orders: string,
    notifier = 'apiVersion: paved/v1\nkind: Service\nname: notifier\nowner: team-commerce\nruntime:\n  language: node\nresources:\n  topics:\n    - { name: alerts, renamedFrom: alarms }\n    - { name: news }\n',
  ) =>
    validateTexts({ 'services/orders/service.yaml': orders, 'services/notifier/service.yaml': notifier }).diagnostics.map(
      (d) => `${d.file}:${d.range?.line}:${d.range?.col}: ${d.code} ${d.message} (${d.hint})`,
    );

  it("is an error when it is the entry's own name", () => {
    expect(validate(serviceYaml('orders', 'resources:\n  buckets:\n    - { name: files, renamedFrom: files }\n'))).toEqual([
      'services/orders/service.yaml:10:35: SPEC.RENAME_SAME resources.buckets[0].renamedFrom: "files" is the bucket\'s own name, so nothing was renamed (remove renamedFrom, or set it to the name the bucket was deployed under)',
    ]);
  });

  it('is an error when another entry of the list holds that name, or when two entries say the same', () => {
    expect(
      validate(
        serviceYaml(
          'orders',
          'resources:\n  databases:\n    - { name: main }\n    - { name: other, renamedFrom: main }\n    - { name: third, renamedFrom: old }\n    - { name: fourth, renamedFrom: old }\n',
        ),
      ),
    ).toEqual([
      'services/orders/service.yaml:11:35: SPEC.RENAME_TAKEN resources.databases[1].renamedFrom: "main" is the name of resources.databases[0], so both would be deployed as one database (a renamed database keeps the cloud names of its old name, which no other entry may hold: rename resources.databases[0] in a change of its own, or remove renamedFrom if this database is new)',
      'services/orders/service.yaml:13:36: SPEC.RENAME_DUPLICATE resources.databases[3].renamedFrom: "old" is also the renamedFrom of resources.databases[2]; only one database can take over what was deployed under it (keep renamedFrom on the entry that is the deployed database, and remove it from the other)',
    ]);
  });

  it('is an error on a subscription that does not say what its topic says', () => {
    expect(
      validate(
        serviceYaml(
          'orders',
          'resources:\n  subscriptions:\n    - { topic: alerts, from: notifier }\n    - { topic: news, from: notifier, renamedFrom: old }\n',
        ),
      ),
    ).toEqual([
      'services/orders/service.yaml:10:16: REF.RENAME_MISMATCH resources.subscriptions[0].topic: topic "alerts" of notifier was renamed from "alarms", but this subscription says no renamedFrom; it would subscribe to the topic under a name it is not deployed as (add renamedFrom: alarms to the subscription, as the topic says)',
      'services/orders/service.yaml:11:51: REF.RENAME_MISMATCH resources.subscriptions[1].renamedFrom: topic "news" of notifier was not renamed, but this subscription says renamedFrom "old"; it would subscribe to the topic under a name it is not deployed as (remove renamedFrom from the subscription)',
    ]);
  });

  it('has the pattern of a name', () => {
    expect(
      validate(serviceYaml('orders', 'resources:\n  caches:\n    - { name: carts, renamedFrom: "Old_Cache" }\n')).map((line) => line.split(' (')[0]),
    ).toEqual([
      'services/orders/service.yaml:10:35: SPEC.PATTERN resources.caches[0].renamedFrom: "Old_Cache" is invalid: it must be a DNS label: lowercase letters, digits and "-", starting with a letter and not ending with "-"',
    ]);
  });
});

describe('paved report', () => {
  it('lists every renamedFrom in place, in text and markdown', () => {
    const reports = projectReport(after.project!);
    expect(reports.find((r) => r.name === 'orders')!.renames).toEqual([
      { path: 'resources.databases[0]', name: 'sales', renamedFrom: 'orders' },
      { path: 'resources.caches[0]', name: 'carts', renamedFrom: 'sessions' },
      { path: 'resources.topics[0]', name: 'order-placed', renamedFrom: 'order-created' },
      { path: 'resources.buckets[0]', name: 'receipts', renamedFrom: 'invoices' },
      { path: 'resources.cron[0]', name: 'purge', renamedFrom: 'cleanup' },
      { path: 'resources.subscriptions[0]', name: 'notifier/alerts', renamedFrom: 'notifier/alarms' },
    ]);
    expect(reportText(reports)).toContain('  renamed: resources.databases[0] sales, deployed as orders (renamedFrom stays while it exists)\n');
    expect(reportMarkdown(reports)).toContain('## notifier\n\n- `resources.topics[0]` alerts is deployed as alarms (renamedFrom stays while it exists)\n');
    expect(projectReport(before.project!).flatMap((r) => r.renames)).toEqual([]);
  });
});

/**
 * A renamed service (docs/day-2.md, Renaming): orders becomes sales, and
 * the services that depend on it or subscribe to its topic say sales. What
 * runs keeps every name; the spec name, the workflow file and what specs say
 * move.
 */
describe('a renamed service', () => {
  const service = (name: string, extra: string): string =>
    `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: team-commerce\nruntime:\n  language: node\n  port: 8080\n${extra}`;
  const ORDERS = 'ingress: {}\nresources:\n  databases:\n    - { name: main }\n  topics:\n    - { name: order-created }\n';
  const RELEASES = 'apiVersion: paved/v1\nkind: Releases\nservices:\n  orders:\n    staging: { tag: 3f2c1a7 }\n';
  const compileNamed = (name: string, renamedFrom?: string): CompileResult => {
    const result = compileTexts(
      [
        { path: 'platform.yaml', kind: 'platform', text: PLATFORM },
        { path: 'releases.yaml', kind: 'releases', text: RELEASES },
        { path: 'services/orders/service.yaml', kind: 'service', text: service(name, `${renamedFrom ? `renamedFrom: ${renamedFrom}\n` : ''}${ORDERS}`) },
        { path: 'services/web/service.yaml', kind: 'service', text: service('web', `dependsOn: [${name}]\n`) },
        {
          path: 'services/notifier/service.yaml',
          kind: 'service',
          text: service('notifier', `resources:\n  subscriptions:\n    - { topic: order-created, from: ${name} }\n`),
        },
      ],
      emitters,
    );
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return result;
  };
  const deployed = compileNamed('orders');
  const renamed = compileNamed('sales', 'orders');
  const tree = (result: CompileResult): Map<string, string> => new Map(result.files.map((f) => [f.path, f.contents]));

  it('changes nothing that runs: every generated file but its workflow is byte for byte the same', () => {
    const before = tree(deployed);
    const after = tree(renamed);
    const differ = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path)).sort();
    expect(differ).toEqual(['.github/workflows/paved-orders.yml', '.github/workflows/paved-sales.yml']);
    expect(before.size).toBe(after.size);
    // The released image, the host, the state key, the namespace: all under the deployed name.
    expect(after.get('generated/orders/kubernetes/staging/deployment.yaml')).toContain('image: ghcr.io/example/orders:3f2c1a7\n');
    expect(after.get('generated/orders/terraform/env/staging.s3.tfbackend')).toContain('key          = "services/orders/staging/terraform.tfstate"');
    expect(after.get('generated/notifier/terraform/env/staging.tfvars')).toContain('queue             = "notifier-stg-orders-order-created"');
  });

  it('names its workflow after the spec name, which runs the same jobs under the deployed name', () => {
    const before = tree(deployed).get('.github/workflows/paved-orders.yml')!;
    const after = tree(renamed).get('.github/workflows/paved-sales.yml')!;
    const changed = (a: string, b: string): string[] => b.split('\n').filter((line, i) => line !== a.split('\n')[i]);
    expect(changed(before, after)).toEqual(['name: paved sales', '      - .github/workflows/paved-sales.yml', '            .github/workflows/paved-sales.yml']);
    expect(after).toContain('          SERVICE: orders\n');
  });

  it('is listed by paved report under its spec name, deployed as the old one', () => {
    const report = projectReport(renamed.project!).find((r) => r.name === 'sales')!;
    expect(report.renames).toEqual([{ path: '', name: 'sales', renamedFrom: 'orders' }]);
    expect(reportText([report])).toContain('  renamed: service sales, deployed as orders (renamedFrom stays while it exists)\n');
    // paved explain shows where each name comes from.
    const sales = renamed.project!.services.find((s) => s.specName === 'sales')!;
    expect([sales.name, sales.origins['/name'], sales.origins['/specName']]).toEqual([
      'orders',
      { kind: 'spec', file: 'services/orders/service.yaml', pointer: '/renamedFrom' },
      { kind: 'spec', file: 'services/orders/service.yaml', pointer: '/name' },
    ]);
  });

  const validate = (texts: Readonly<Record<string, string>>) =>
    validateTexts(texts).diagnostics.map((d) => `${d.file}:${d.range?.line}:${d.range?.col}: ${d.code} ${d.message} (${d.hint})`);

  it("is an error when it is the service's own name, another service's name, or another service's renamedFrom", () => {
    expect(validate({ 'services/orders/service.yaml': service('orders', 'renamedFrom: orders\n') })).toEqual([
      'services/orders/service.yaml:8:14: SPEC.RENAME_SAME renamedFrom: "orders" is the service\'s own name, so nothing was renamed (remove renamedFrom, or set it to the name the service was deployed under)',
    ]);
    expect(validate({ 'services/a/service.yaml': service('sales', 'renamedFrom: web\n'), 'services/web/service.yaml': service('web', '') })).toEqual([
      'services/a/service.yaml:8:14: SPEC.RENAME_TAKEN renamedFrom: "web" is the name of the service in services/web/service.yaml, so both would be deployed as one service (a renamed service keeps every name derived from its old name, which no other service may hold: rename services/web/service.yaml\'s service in a change of its own, or remove renamedFrom if this service is new)',
    ]);
    expect(
      validate({
        'services/a/service.yaml': service('sales', 'renamedFrom: orders\n'),
        'services/b/service.yaml': service('billing', 'renamedFrom: orders\n'),
      }),
    ).toEqual([
      'services/b/service.yaml:8:14: SPEC.RENAME_DUPLICATE renamedFrom: "orders" is also the renamedFrom of the service in services/a/service.yaml; only one service can take over what was deployed under it (keep renamedFrom on the service that is the deployed one, and remove it from the other)',
    ]);
  });

  it('is referred to by its new name: the old one is an error that names the rename', () => {
    expect(
      validate({
        'services/orders/service.yaml': service('sales', `renamedFrom: orders\n${ORDERS}`),
        'services/web/service.yaml': service('web', 'dependsOn: [orders]\nresources:\n  subscriptions:\n    - { topic: order-created, from: orders }\n'),
      }),
    ).toEqual([
      'services/web/service.yaml:8:13: REF.UNKNOWN_SERVICE dependsOn[0]: no service named "orders" in this repository: services/orders/service.yaml renamed it to "sales" (write "sales": specs refer to a service by its name in service.yaml; what is deployed keeps the old name)',
      'services/web/service.yaml:11:37: REF.UNKNOWN_SERVICE resources.subscriptions[0].from: no service named "orders" in this repository: services/orders/service.yaml renamed it to "sales" (write "sales": specs refer to a service by its name in service.yaml; what is deployed keeps the old name)',
    ]);
  });

  it('checks the names it derives from the deployed name, not the spec name', () => {
    const long = `a${'b'.repeat(39)}`;
    const cache = 'resources:\n  caches:\n    - { name: c }\n';
    expect(
      validate({ 'services/orders/service.yaml': service('short', `renamedFrom: ${long}\n${cache}`) })
        .map((line) => line.split(' (')[0])
        .sort(),
    ).toEqual([
      `services/orders/service.yaml:11:15: NAME.DERIVED resources.caches[0].name: derived ElastiCache replication group id "${long}-stg-c" is 46 characters; the limit is 40`,
      `services/orders/service.yaml:8:14: NAME.DERIVED renamedFrom: derived ElastiCache user id "${long}-stg" is 44 characters; the limit is 40`,
    ]);
    expect(validate({ 'services/orders/service.yaml': service(long, `renamedFrom: short\n${cache}`) })).toEqual([]);
  });
});
