import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileDir, REPO, runCli, scratchCopy } from '../support/helpers.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function copy(example: string): string {
  const scratch = scratchCopy(join(REPO, 'examples', example));
  cleanups.push(scratch.cleanup);
  rmSync(join(scratch.dir, 'generated'), { recursive: true, force: true });
  return scratch.dir;
}

const DIGEST = `sha256:${'c0'.repeat(32)}`;

describe('paved release', () => {
  it('creates releases.yaml with a header when there is none, and the model picks the image up', async () => {
    const root = copy('minimal');
    const run = await runCli(['release', 'hello', '--env', 'staging', '--tag', '0a1b2c3', '--digest', DIGEST], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(join(root, 'releases.yaml'), 'utf8')).toBe(
      `# Written by CI (paved release), not by hand: which image each service runs in\n# staging and production. Every change is a reviewed commit; run paved compile after it.\napiVersion: paved/v1\nkind: Releases\nservices:\n  hello:\n    staging: { tag: 0a1b2c3, digest: ${DIGEST} }\n`,
    );
    expect(compileDir(root).project!.services[0]!.environments.staging.release).toEqual({ tag: '0a1b2c3', digest: DIGEST });
  });

  it('updates one entry in place, keeping comments, other entries and a sorted order', async () => {
    const root = copy('shop');
    const before = readFileSync(join(root, 'releases.yaml'), 'utf8');
    const run = await runCli(['release', 'notifier', '--env', 'production', '--tag', 'feedbeef'], root);
    expect(run.code).toBe(0);
    const after = readFileSync(join(root, 'releases.yaml'), 'utf8');
    expect(after.split('\n').slice(0, 2)).toEqual(before.split('\n').slice(0, 2));
    expect(after).toMatch(
      / {2}notifier:\n {4}staging: \{ tag: [0-9a-f]{40}, digest: "sha256:[0-9a-f]{64}" \}\n {4}production: \{ tag: feedbeef \}\n {2}orders:/,
    );
    const changed = after.split('\n').filter((line) => !before.split('\n').includes(line));
    expect(changed).toEqual(['    production: { tag: feedbeef }']);
  });

  it('quotes a tag YAML would read as a number, so it stays a string', async () => {
    const root = copy('minimal');
    expect((await runCli(['release', 'hello', '--env', 'production', '--tag', '1234567'], root)).code).toBe(0);
    expect(readFileSync(join(root, 'releases.yaml'), 'utf8')).toContain('production: { tag: "1234567" }');
    expect(compileDir(root).project!.services[0]!.environments.production.release).toEqual({ tag: '1234567' });
  });

  it('rolls back by recording an older tag, which is all a rollback is', async () => {
    const root = copy('shop');
    expect((await runCli(['release', 'orders', '--env', 'production', '--tag', 'aaaaaaa'], root)).code).toBe(0);
    expect((await runCli(['release', 'orders', '--env', 'production', '--tag', 'bbbbbbb'], root)).code).toBe(0);
    expect((await runCli(['release', 'orders', '--env', 'production', '--tag', 'aaaaaaa'], root)).code).toBe(0);
    const orders = compileDir(root).project!.services.find((s) => s.name === 'orders')!;
    expect(orders.environments.production.release).toEqual({ tag: 'aaaaaaa' });
  });

  it('refuses an unknown service, a latest tag or a bad digest, leaving the file unchanged', async () => {
    const root = copy('shop');
    const before = readFileSync(join(root, 'releases.yaml'), 'utf8');
    const unknown = await runCli(['release', 'order', '--env', 'staging', '--tag', 'abc1234'], root);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error REF.UNKNOWN_SERVICE services.order: no service named "order" in this repository (did you mean "orders"?)');
    expect(unknown.stderr).toMatch(/releases\.yaml left unchanged\n$/);
    expect((await runCli(['release', 'orders', '--env', 'staging', '--tag', 'latest'], root)).code).toBe(1);
    expect((await runCli(['release', 'orders', '--env', 'staging', '--tag', 'abc', '--digest', 'md5:x'], root)).code).toBe(1);
    expect(readFileSync(join(root, 'releases.yaml'), 'utf8')).toBe(before);
  });

  it('refuses preview and unknown environments as usage errors', async () => {
    const root = copy('minimal');
    const run = await runCli(['release', 'hello', '--env', 'preview', '--tag', 'abc1234'], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--env must be staging or production, not "preview"');
    expect(existsSync(join(root, 'releases.yaml'))).toBe(false);
  });
});

describe('paved run', () => {
  const TAG = 'f'.repeat(40);
  /** examples/minimal's hello with a manual and a pre-deploy job. */
  function withJobs(): string {
    const root = copy('minimal');
    const spec = join(root, 'services', 'hello', 'service.yaml');
    writeFileSync(
      spec,
      `${readFileSync(spec, 'utf8')}jobs:\n  - { name: reindex, command: ["node", "reindex.js"], when: manual }\n  - { name: migrate, command: ["node", "migrate.js"], when: pre-deploy }\n`,
    );
    return root;
  }

  it("writes the run's Job from the environment's CronJob, with the image given, and touches nothing else", async () => {
    const root = withJobs();
    const run = await runCli(['run', 'hello', 'reindex', '--env', 'production', '--id', '42', '--tag', TAG, '--digest', DIGEST, '--out', 'run.yaml'], root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`wrote run.yaml: Job hello-reindex-42 runs reindex of hello in production with ${TAG}@${DIGEST}\n`);
    const job = parse(readFileSync(join(root, 'run.yaml'), 'utf8')) as Record<string, any>;
    const cronJob = parse(
      String(compileDir(root).files.find((f) => f.path === 'generated/hello/kubernetes/production/cronjob-reindex.yaml')!.contents),
    ) as Record<string, any>;
    expect(job.kind).toBe('Job');
    expect(job.metadata.name).toBe('hello-reindex-42');
    expect(job.metadata.namespace).toBe('hello');
    expect(job.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false');
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.spec.template.spec.containers[0].image).toBe(`ghcr.io/example/hello:${TAG}@${DIGEST}`);
    // The CronJob's job template, but for the image and the run's label.
    const { template, ...jobSpec } = job.spec;
    const { template: cronTemplate, ...cronJobSpec } = cronJob.spec.jobTemplate.spec;
    expect(jobSpec).toEqual(cronJobSpec);
    expect({ ...template.spec, containers: [] }).toEqual({ ...cronTemplate.spec, containers: [] });
    expect(template.metadata.labels).toEqual({ ...cronTemplate.metadata.labels, 'app.kubernetes.io/version': TAG, 'paved.dev/run': '42' });
    expect(existsSync(join(root, 'releases.yaml'))).toBe(false);
    expect(existsSync(join(root, 'generated'))).toBe(false);
  });

  it('refuses what is not a manual job, naming the ones there are', async () => {
    const root = withJobs();
    const args = (job: string): string[] => ['run', 'hello', job, '--env', 'staging', '--id', '1', '--tag', TAG, '--out', 'run.yaml'];
    const missing = await runCli(args('reindx'), root);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('paved: hello has no manual job named "reindx"; its manual jobs: reindex\n');
    const preDeploy = await runCli(args('migrate'), root);
    expect(preDeploy.stderr).toBe('paved: hello has no manual job named "migrate"; its manual jobs: reindex\n');
    const none = await runCli(args('reindex'), copy('minimal'));
    expect(none.stderr).toBe('paved: hello has no manual job named "reindex"; it declares none (jobs: with when: manual)\n');
    expect(existsSync(join(root, 'run.yaml'))).toBe(false);
  });

  it('takes only ids that keep the Job name a label, and only staging or production', async () => {
    const root = withJobs();
    const run = (env: string, id: string) => runCli(['run', 'hello', 'reindex', '--env', env, '--id', id, '--tag', TAG, '--out', 'run.yaml'], root);
    expect((await run('staging', '12345678901')).stderr).toBe(
      'paved: --id must be 1 to 10 lowercase letters or digits (the workflow passes its run number), not "12345678901"\n',
    );
    expect((await run('staging', '../x')).code).toBe(2);
    expect((await run('preview', '1')).stderr).toBe('paved: --env must be staging or production, not "preview" (a preview runs its jobs itself)\n');
    expect(existsSync(join(root, 'run.yaml'))).toBe(false);
  });
});
