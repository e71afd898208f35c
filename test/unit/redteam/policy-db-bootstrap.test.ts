import { describe, expect, it } from 'vitest';
import { type Op, type Override, compileWith, deployment, expectViolation, POD } from '../../support/redteam/policy-harness.js';

/**
 * Red team, class "policy": the database bootstrap Job (issue 15 item 3) is an
 * override target like any other object, and the compile-time policy judges it
 * like any pod: the psql image the platform allows it is its alone, and what
 * it may read stays its own.
 */

const CLOUD = ['staging', 'production'];
const bootstrapJob = (patch: Op[]): Override => ({ target: 'Job/db-bootstrap-main', environments: CLOUD, patch });

describe('the database bootstrap Job under overrides', () => {
  it('takes a harmless override in staging and production, with no diagnostic', () => {
    const { result } = compileWith([bootstrapJob([{ op: 'replace', path: '/spec/activeDeadlineSeconds', value: 1200 }])]);
    expect(result.diagnostics).toEqual([]);
    const job = result.files.find((f) => f.path.endsWith('/victim/kubernetes/staging/job-db-bootstrap-main.yaml'))!;
    expect(job.contents).toContain('activeDeadlineSeconds: 1200');
    expect(job.contents).toContain('# paved override (a reported deviation): red team: kubernetes override');
  });

  it('is no target in preview, which has no bootstrap: EMIT.OVERRIDE_TARGET', () => {
    const { result } = compileWith([{ ...bootstrapJob([{ op: 'replace', path: '/spec/activeDeadlineSeconds', value: 1200 }]), environments: ['preview'] }]);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['EMIT.OVERRIDE_TARGET', 'overrides.kubernetes[0].target: paved generates no Job/db-bootstrap-main in preview'],
    ]);
  });

  it("hostNetwork on its pod: the platform's deny-list (overridePolicy.kubernetes.forbiddenPaths) holds for it as for the Deployment", () => {
    const { result } = compileWith([bootstrapJob([{ op: 'add', path: `${POD}/hostNetwork`, value: true }])]);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        'EMIT.OVERRIDE_FORBIDDEN',
        'overrides.kubernetes[0].patch[0]: the platform forbids patching /spec/template/spec/hostNetwork (overridePolicy.kubernetes.forbiddenPaths has /spec/template/spec/hostNetwork)',
      ],
    ]);
  });

  it('a toleration of every taint, past the deny-list: PAVED_SCHEDULING', () => {
    expectViolation(
      { kubernetes: [bootstrapJob([{ op: 'add', path: `${POD}/tolerations`, value: [{ operator: 'Exists' }] }])] },
      '§4 paved PAVED_SCHEDULING',
      ['kubernetes', 0, 0],
      /job-db-bootstrap-main\.yaml: a toleration with operator Exists and no key tolerates every taint/,
    );
  });

  it('another image in the Job: PAVED_IMAGE_SOURCE', () => {
    expectViolation(
      { kubernetes: [bootstrapJob([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'docker.io/attacker/psql:16' }])] },
      '§4 paved PAVED_IMAGE_SOURCE',
      ['kubernetes', 0, 0],
      /docker\.io\/attacker\/psql:16 is not from the platform registry/,
    );
  });

  it('the Deployment reading the master credentials: PAVED_MASTER_SECRET', () => {
    const env = { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'db-master-main', key: 'PGPASSWORD' } } };
    expectViolation(
      { kubernetes: [{ ...deployment([{ op: 'add', path: `${POD}/containers/0/env/-`, value: env }]), environments: CLOUD }] },
      '§4 paved PAVED_MASTER_SECRET',
      ['kubernetes', 0, 0],
      /reads db-master-main, the RDS master credentials of database main, which only its bootstrap Job may read/,
    );
  });

  it("the bootstrap psql image in the Deployment: PAVED_IMAGE_SOURCE (the allowance is the Job's alone)", () => {
    expectViolation(
      { kubernetes: [{ ...deployment([{ op: 'replace', path: `${POD}/containers/0/image`, value: 'docker.io/library/postgres:16' }]), environments: CLOUD }] },
      '§4 paved PAVED_IMAGE_SOURCE',
      ['kubernetes', 0, 0],
      /docker\.io\/library\/postgres:16 is not from the platform registry/,
    );
  });
});
