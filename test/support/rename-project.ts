import { expect } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { compileTexts, type CompileResult, type SpecText } from '../../compiler/compile.js';

/**
 * A project before and after renaming every kind of resource entry (issue 17,
 * README Renaming): orders renames its database, cache, topic, bucket and cron
 * job, and its subscription follows notifier's renamed topic. Shared by the
 * unit tests (renames.test.ts) and the offline Terraform proof
 * (renames-terraform.test.ts).
 */
export const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\nname: acme\ncloud:\n  bucketNameSuffix: 3f9a27c1\n';

const orders = (renamed: boolean): string =>
  [
    'apiVersion: paved/v1',
    'kind: Service',
    'name: orders',
    'owner: team-commerce',
    'runtime:',
    '  language: node',
    '  port: 8080',
    'resources:',
    '  databases:',
    renamed ? '    - { name: sales, renamedFrom: orders }' : '    - { name: orders }',
    '  caches:',
    renamed ? '    - { name: carts, renamedFrom: sessions }' : '    - { name: sessions }',
    '  topics:',
    renamed ? '    - { name: order-placed, renamedFrom: order-created }' : '    - { name: order-created }',
    '  subscriptions:',
    renamed ? '    - { topic: alerts, from: notifier, renamedFrom: alarms }' : '    - { topic: alarms, from: notifier }',
    '  buckets:',
    renamed ? '    - { name: receipts, renamedFrom: invoices }' : '    - { name: invoices }',
    '  cron:',
    renamed
      ? '    - { name: purge, renamedFrom: cleanup, schedule: "0 3 * * *", command: ["purge"] }'
      : '    - { name: cleanup, schedule: "0 3 * * *", command: ["purge"] }',
    '',
  ].join('\n');

const notifier = (renamed: boolean): string =>
  [
    'apiVersion: paved/v1',
    'kind: Service',
    'name: notifier',
    'owner: team-commerce',
    'runtime:',
    '  language: node',
    'resources:',
    '  topics:',
    renamed ? '    - { name: alerts, renamedFrom: alarms }' : '    - { name: alarms }',
    '',
  ].join('\n');

/** The specs before (`renamed` false) or after the renames. */
export function renameSpecs(renamed: boolean): SpecText[] {
  return [
    { path: 'platform.yaml', kind: 'platform', text: PLATFORM },
    { path: 'services/orders/service.yaml', kind: 'service', text: orders(renamed) },
    { path: 'services/notifier/service.yaml', kind: 'service', text: notifier(renamed) },
  ];
}

/** The compile of those specs, with the typed values terraformChanges reads; it has no error. */
export function renameCompile(renamed: boolean): CompileResult {
  const result = compileTexts(renameSpecs(renamed), emitters, undefined, true);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result;
}
