import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../spec/diagnostic.js';
import { type Op, type Override, compileWith, expectViolation, resource } from '../../support/redteam/policy-harness.js';

/**
 * Red team, class "policy": overrides that take the output off the golden path
 * past the override deny-lists (issue 14). The compile-time policy must fail
 * each at the patch operation that did it, naming the rule; platform waivers
 * excuse a rule and are reported; allow lists reject everything else.
 *
 * This file: Terraform output: attributes past the deny-list and parameter group settings. The fixtures are in policy-harness.ts.
 */

describe('Terraform overrides past the deny-list of attributes', () => {
  it('rds.force_ssl = 0 in the parameter group: CKV2_AWS_69', () => {
    expectViolation(
      { terraform: [resource('aws_db_parameter_group.main', [{ op: 'replace', path: '/parameter/0/value', value: '0' }])] },
      '§1 #6 CKV2_AWS_69',
      ['terraform', 0, 0],
      /: rds\.force_ssl is "0", not "1"$/,
    );
  });

  it('backup_retention_period 0: CKV_AWS_133', () => {
    expectViolation(
      { terraform: [resource('aws_db_instance.main', [{ op: 'replace', path: '/backup_retention_period', value: 0 }])] },
      '§1 #5 CKV_AWS_133 / AVD-AWS-0077',
      ['terraform', 0, 0],
      /production: 0 backup days/,
    );
  });

  it('deletion_protection false in production through an override: CKV_AWS_293', () => {
    expectViolation(
      {
        terraform: [
          resource('aws_db_instance.main', [
            { op: 'replace', path: '/allocated_storage', value: 50 },
            { op: 'replace', path: '/deletion_protection', value: false },
          ]),
        ],
      },
      '§1 #3 CKV_AWS_293 / AVD-AWS-0177',
      ['terraform', 0, 1],
      /deletion protection off in production/,
    );
  });

  it("a bucket's access logs sent to a foreign bucket: CKV_AWS_18", () => {
    expectViolation(
      { terraform: [resource('aws_s3_bucket_logging.files', [{ op: 'replace', path: '/target_bucket', value: 'attacker-log-sink' }])] },
      '§1 #17 CKV_AWS_18 / AVD-AWS-0089',
      ['terraform', 0, 0],
      /no access logging/,
    );
  });

  it("a subscription on another team's topic redirected to https: PAVED_SUBSCRIPTION_TARGET", () => {
    expectViolation(
      {
        terraform: [
          resource('aws_sns_topic_subscription.other-events', [
            { op: 'replace', path: '/protocol', value: 'https' },
            { op: 'replace', path: '/endpoint', value: 'https://attacker.example/hook' },
          ]),
        ],
      },
      '§4 paved PAVED_SUBSCRIPTION_TARGET',
      ['terraform', 0, 0],
      /protocol "https", not sqs/,
    );
  });

  it('a redirect in two overrides blames each problem on the operation that made it', () => {
    const options = {
      terraform: [
        resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/protocol', value: 'email' }]),
        resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/endpoint', value: 'attacker@example.com' }]),
      ],
    };
    expect(expectViolation(options, '§4 paved PAVED_SUBSCRIPTION_TARGET', ['terraform', 0, 0], /protocol "email", not sqs/)).toHaveLength(1);
    expect(
      expectViolation(options, '§4 paved PAVED_SUBSCRIPTION_TARGET', ['terraform', 1, 0], /endpoint attacker@example\.com is not a queue of this stack/),
    ).toHaveLength(1);
  });

  it('a subscription delivering to a foreign queue: PAVED_SUBSCRIPTION_TARGET', () => {
    expectViolation(
      {
        terraform: [
          resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/endpoint', value: 'arn:aws:sqs:eu-west-1:999999999999:theirs' }]),
        ],
      },
      '§4 paved PAVED_SUBSCRIPTION_TARGET',
      ['terraform', 0, 0],
      /is not a queue of this stack/,
    );
  });

  it('a subscription delivering to a lambda: PAVED_SUBSCRIPTION_TARGET', () => {
    expectViolation(
      { terraform: [resource('aws_sns_topic_subscription.other-events', [{ op: 'replace', path: '/protocol', value: 'lambda' }])] },
      '§4 paved PAVED_SUBSCRIPTION_TARGET',
      ['terraform', 0, 0],
      /protocol "lambda"/,
    );
  });

  it('AdministratorAccess through aws_iam_role_policy_attachment: PAVED_IAM_ATTACHMENT', () => {
    expectViolation(
      {
        terraform: [
          resource('aws_iam_role_policy_attachment.rds_monitoring', [
            { op: 'replace', path: '/policy_arn', value: 'arn:aws:iam::aws:policy/AdministratorAccess' },
          ]),
        ],
      },
      '§4 paved PAVED_IAM_ATTACHMENT',
      ['terraform', 0, 0],
      /names an AWS-managed policy/,
    );
  });

  it('an AWS-managed policy beside characters the printer escapes, in a file that names none: PAVED_IAM_ATTACHMENT', () => {
    // The rule searches a file's printed text before it reads the bodies in it: the name must be found through the escapes.
    expectViolation(
      {
        terraform: [
          resource('aws_s3_bucket_logging.files', [
            { op: 'replace', path: '/target_prefix', value: '"\\\n${x}arn:aws:iam::aws:policy/AdministratorAccess%{y}' },
          ]),
        ],
      },
      '§4 paved PAVED_IAM_ATTACHMENT',
      ['terraform', 0, 0],
      /names an AWS-managed policy/,
    );
  });

  it("the monitoring policy attached to the service's own role: PAVED_IAM_ATTACHMENT", () => {
    expectViolation(
      { terraform: [resource('aws_iam_role_policy_attachment.rds_monitoring', [{ op: 'replace', path: '/role', value: 'victim-pods' }])] },
      '§4 paved PAVED_IAM_ATTACHMENT',
      ['terraform', 0, 0],
    );
  });
});

describe('parameter group settings a second block would undo (§1 #6, #7)', () => {
  const group = (patch: Op[]): Override[] => [resource('aws_db_parameter_group.main', patch)];
  const NOTE_TF = { op: 'add', path: '/parameter/-', value: { name: 'work_mem', value: '8192' } };
  const brokenAt = (found: Diagnostic[]): string[] => found.map((d) => d.message.slice(d.message.indexOf('): ') + 3));

  it('a second rds.force_ssl of "0" appended after paved\'s "1": CKV2_AWS_69', () => {
    const found = expectViolation(
      { terraform: group([{ op: 'add', path: '/parameter/-', value: { name: 'rds.force_ssl', value: '0', apply_method: 'immediate' } }]) },
      '§1 #6 CKV2_AWS_69',
      ['terraform', 0, 0],
    );
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_instance.main: rds.force_ssl set 2 times ("1", "0"), not once']);
    expect(found[0]!.hint).toBe(
      'overrides may not take the output off the golden path: remove or change the operation, or ask the platform team to waive CKV2_AWS_69 in platform.yaml (overridePolicy.waivers)',
    );
  });

  it('a second rds.force_ssl of "1" is still a duplicate', () => {
    const found = expectViolation(
      { terraform: group([NOTE_TF, { op: 'add', path: '/parameter/0', value: { name: 'rds.force_ssl', value: '1' } }]) },
      '§1 #6 CKV2_AWS_69',
      ['terraform', 0, 1],
    );
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_instance.main: rds.force_ssl set 2 times ("1", "1"), not once']);
  });

  it('rds.force_ssl removed: not set', () => {
    const found = expectViolation({ terraform: group([{ op: 'remove', path: '/parameter/0' }]) }, '§1 #6 CKV2_AWS_69', ['terraform', 0, 0]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_instance.main: rds.force_ssl not set']);
  });

  it('a second log_statement of "none": CKV2_AWS_30', () => {
    const found = expectViolation(
      { terraform: group([{ op: 'add', path: '/parameter/-', value: { name: 'log_statement', value: 'none' } }]) },
      '§1 #7 CKV_AWS_129 / CKV2_AWS_30',
      ['terraform', 0, 0],
    );
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_parameter_group.main: log_statement set 2 times ("ddl", "none"), not once']);
    expect(found[0]!.hint).toMatch(/waive CKV2_AWS_30 in platform\.yaml/);
  });

  it('log_statement replaced by "none"', () => {
    const found = expectViolation({ terraform: group([{ op: 'replace', path: '/parameter/1/value', value: 'none' }]) }, '§1 #7 CKV_AWS_129 / CKV2_AWS_30', [
      'terraform',
      0,
      0,
    ]);
    expect(brokenAt(found)).toEqual(['victim/terraform/database.tf aws_db_parameter_group.main: log_statement is "none", not "ddl", "mod" or "all"']);
  });

  it('a second log_min_duration_statement of "-1" (logging off)', () => {
    const found = expectViolation(
      { terraform: group([{ op: 'add', path: '/parameter/-', value: { name: 'log_min_duration_statement', value: '-1' } }]) },
      '§1 #7 CKV_AWS_129 / CKV2_AWS_30',
      ['terraform', 0, 0],
    );
    expect(brokenAt(found)).toEqual([
      'victim/terraform/database.tf aws_db_parameter_group.main: log_min_duration_statement set 2 times ("1000", "-1"), not once',
    ]);
  });

  it("log_min_duration_statement raised past paved's one second", () => {
    const found = expectViolation(
      { terraform: group([{ op: 'replace', path: '/parameter/2/value', value: '2147483647' }]) },
      '§1 #7 CKV_AWS_129 / CKV2_AWS_30',
      ['terraform', 0, 0],
    );
    expect(brokenAt(found)).toEqual([
      'victim/terraform/database.tf aws_db_parameter_group.main: log_min_duration_statement is "2147483647", not a whole number of milliseconds from "0" to "1000"',
    ]);
  });

  it('a stricter log_min_duration_statement and an unrelated parameter compile', () => {
    const { result } = compileWith(
      [],
      group([
        { op: 'replace', path: '/parameter/2/value', value: '250' },
        { op: 'add', path: '/parameter/-', value: { name: 'work_mem', value: '8192' } },
      ]),
    );
    expect(result.diagnostics).toEqual([]);
  });
});
