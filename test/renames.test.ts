import { describe, expect, it } from 'vitest';
import { projectReport, reportMarkdown, reportText } from '../compiler/report.js';
import { resourceChangeLines, terraformChanges } from '../compiler/terraform-changes.js';
import { renameCompile } from './rename-project.js';
import { serviceYaml, validateTexts } from './helpers.js';

/**
 * Issue 17, "renames keep state" (README, Renaming): renamedFrom moves the
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
    expect(file('generated/orders/terraform/subscriptions/subscriptions.tf')).toContain('moved {\n  from = aws_sns_topic_subscription.notifier-alarms\n  to   = aws_sns_topic_subscription.notifier-alerts\n}\n');
  });

  it('keys tfvars by the new name and derives every name AWS holds from the deployed one', () => {
    const tfvars = file('generated/orders/terraform/env/staging.tfvars');
    expect(tfvars).toContain(
      'databases = {\n  sales = {\n    identifier             = "orders-stg-orders"\n    parameter_group_prefix = "orders-stg-orders-postgres16-"\n    final_snapshot         = "orders-stg-orders-final"\n    security_group         = "orders-stg-database-orders"\n    connection_secret      = "orders/staging/database/orders"\n  }\n}\n',
    );
    expect(tfvars).toContain('buckets = {\n  receipts = {\n    bucket            = "acme-stg-orders-invoices-3f9a27c1"\n    connection_secret = "orders/staging/bucket/invoices"\n  }\n}\n');
    expect(tfvars).toContain('topics = {\n  order-placed = {\n    name              = "orders-stg-order-created"\n    connection_secret = "orders/staging/topic/order-created"\n  }\n}\n');
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
    expect(deployment).toContain('- name: DATABASE_SALES_HOST\n              valueFrom:\n                secretKeyRef:\n                  key: host\n                  name: database-orders\n');
    expect(deployment).toContain('- name: QUEUE_NOTIFIER_ALERTS_URL\n              valueFrom:\n                secretKeyRef:\n                  key: url\n                  name: queue-notifier-alarms\n');
    expect(deployment).not.toContain('DATABASE_ORDERS_');
  });
});

describe('renamedFrom in the spec', () => {
  const validate = (orders: string, notifier = 'apiVersion: paved/v1\nkind: Service\nname: notifier\nowner: team-commerce\nruntime:\n  language: node\nresources:\n  topics:\n    - { name: alerts, renamedFrom: alarms }\n    - { name: news }\n') =>
    validateTexts({ 'services/orders/service.yaml': orders, 'services/notifier/service.yaml': notifier }).diagnostics.map((d) => `${d.file}:${d.range?.line}:${d.range?.col}: ${d.code} ${d.message} (${d.hint})`);

  it('is an error when it is the entry\'s own name', () => {
    expect(validate(serviceYaml('orders', 'resources:\n  buckets:\n    - { name: files, renamedFrom: files }\n'))).toEqual([
      'services/orders/service.yaml:10:35: SPEC.RENAME_SAME resources.buckets[0].renamedFrom: "files" is the bucket\'s own name, so nothing was renamed (remove renamedFrom, or set it to the name the bucket was deployed under)',
    ]);
  });

  it('is an error when another entry of the list holds that name, or when two entries say the same', () => {
    expect(validate(serviceYaml('orders', 'resources:\n  databases:\n    - { name: main }\n    - { name: other, renamedFrom: main }\n    - { name: third, renamedFrom: old }\n    - { name: fourth, renamedFrom: old }\n'))).toEqual([
      'services/orders/service.yaml:11:35: SPEC.RENAME_TAKEN resources.databases[1].renamedFrom: "main" is the name of resources.databases[0], so both would be deployed as one database (a renamed database keeps the cloud names of its old name, which no other entry may hold: rename resources.databases[0] in a change of its own, or remove renamedFrom if this database is new)',
      'services/orders/service.yaml:13:36: SPEC.RENAME_DUPLICATE resources.databases[3].renamedFrom: "old" is also the renamedFrom of resources.databases[2]; only one database can take over what was deployed under it (keep renamedFrom on the entry that is the deployed database, and remove it from the other)',
    ]);
  });

  it('is an error on a subscription that does not say what its topic says', () => {
    expect(validate(serviceYaml('orders', 'resources:\n  subscriptions:\n    - { topic: alerts, from: notifier }\n    - { topic: news, from: notifier, renamedFrom: old }\n'))).toEqual([
      'services/orders/service.yaml:10:16: REF.RENAME_MISMATCH resources.subscriptions[0].topic: topic "alerts" of notifier was renamed from "alarms", but this subscription says no renamedFrom; it would subscribe to the topic under a name it is not deployed as (add renamedFrom: alarms to the subscription, as the topic says)',
      'services/orders/service.yaml:11:51: REF.RENAME_MISMATCH resources.subscriptions[1].renamedFrom: topic "news" of notifier was not renamed, but this subscription says renamedFrom "old"; it would subscribe to the topic under a name it is not deployed as (remove renamedFrom from the subscription)',
    ]);
  });

  it('is not a key of a service yet: a service rename is an unknown key, never a silent one', () => {
    const renamed = 'apiVersion: paved/v1\nkind: Service\nname: notifier\nrenamedFrom: orders-old\nowner: team-commerce\nruntime:\n  language: node\n';
    expect(validate(serviceYaml('orders'), renamed).map((line) => line.split(' (')[0])).toEqual(['services/notifier/service.yaml:4:1: SPEC.UNKNOWN_KEY unknown key "renamedFrom"']);
  });

  it('has the pattern of a name', () => {
    expect(validate(serviceYaml('orders', 'resources:\n  caches:\n    - { name: carts, renamedFrom: "Old_Cache" }\n')).map((line) => line.split(' (')[0])).toEqual([
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
