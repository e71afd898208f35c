import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { compileWithReleases, loadSources } from '../compiler/compile.js';
import { serviceNamed } from '../compiler/resolve.js';
import { writeFileAtomic } from '../compiler/write/create.js';
import { kubernetesEmitter, runJob, type KubeJson } from '../emitters/kubernetes/index.js';
import { yamlText } from '../emitters/shared/serialize.js';
import { names } from '../spec/naming.js';
import { RELEASE_PATTERNS } from '../spec/releases-schema.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';
import { deployedNameOf } from './release.js';

/** At most 10 characters, so `<cronjob>-<id>` stays a 63-character label (CronJob names are at most 52). */
const RUN_ID = /^[a-z0-9]{1,10}$/;
const TAG = new RegExp(RELEASE_PATTERNS.tag);
const DIGEST = new RegExp(RELEASE_PATTERNS.digest);

export interface RunRequest {
  readonly service: string;
  readonly job: string;
  readonly env: string;
  readonly id: string;
  readonly tag: string;
  readonly digest?: string;
  readonly out: string;
}

/**
 * `paved run <svc> <job> --env E --id N --tag T [--digest D] --out <file>`:
 * writes the Job of one run of a manual job, for the run job of the generated
 * workflow to put on the environment's deploy branch (docs/targets/actions.md,
 * Running a manual job). The project at --root is the commit that rendered what
 * the environment runs, compiled with the release given (and no other record), so
 * the run gets the template of the running release, after overrides and policy.
 */
export function runManualJob(root: string, request: RunRequest, io: Io): number {
  const { service, job, env, id, tag, digest } = request;
  const problem =
    env !== 'staging' && env !== 'production'
      ? `--env must be staging or production, not ${JSON.stringify(env)} (a preview runs its jobs itself)`
      : !RUN_ID.test(id)
        ? `--id must be 1 to 10 lowercase letters or digits (the workflow passes its run number), not ${JSON.stringify(id)}`
        : !TAG.test(tag)
          ? `--tag must be the image tag the environment runs, not ${JSON.stringify(tag)}`
          : digest !== undefined && !DIGEST.test(digest)
            ? `--digest must be sha256:<64 hex digits>, not ${JSON.stringify(digest)}`
            : undefined;
  if (problem) {
    io.stderr(`paved: ${problem}\n`);
    return EXIT_USAGE;
  }
  const loaded = loadSources(root);
  // Only the environment's release of this service: the commit that rendered it may predate other services' records.
  const text = stringify({
    apiVersion: 'paved/v1',
    kind: 'Releases',
    services: { [deployedNameOf(loaded, service)]: { [env]: digest === undefined ? { tag } : { tag, digest } } },
  });
  const result = compileWithReleases(loaded, text, { emitters: [kubernetesEmitter], keepValues: true });
  if (result.diagnostics.some((d) => d.severity === 'error') || !result.project) {
    io.stderr(formatText(result.diagnostics, result.sources));
    return EXIT_PROBLEMS;
  }
  const target = serviceNamed(result.project, service);
  if (!target) {
    io.stderr(`paved: no service named ${JSON.stringify(service)}\n`);
    return EXIT_USAGE;
  }
  const manual = target.jobs.filter((j) => j.when === 'manual').map((j) => j.name);
  if (target.retired || !manual.includes(job)) {
    const why = target.retired
      ? `${service} is retired and runs nowhere`
      : `${service} has no manual job named ${JSON.stringify(job)}; ${manual.length > 0 ? `its manual jobs: ${manual.join(', ')}` : 'it declares none (jobs: with when: manual)'}`;
    io.stderr(`paved: ${why}\n`);
    return EXIT_PROBLEMS;
  }
  const cronJobName = names.job(target.name, job);
  const cronJob = result.files.find((f) => {
    const value = f.value as KubeJson | undefined;
    return f.path.includes(`/kubernetes/${env}/`) && value?.kind === 'CronJob' && value.metadata.name === cronJobName;
  });
  if (!cronJob) throw new Error(`paved run: no CronJob ${cronJobName} was rendered for ${env}`);
  const run = runJob(cronJob.value as KubeJson, id);
  const out = resolve(io.cwd, request.out);
  writeFileAtomic(
    out,
    yamlText({
      source: target.specPath,
      comments: [
        `Run ${id} of the manual job ${job} in ${env}: paved run wrote it onto the deploy branch, and Argo CD creates it once.`,
        'The next release of the service takes it off the branch; the finished Job stays (docs/targets/kubernetes.md, Jobs).',
      ],
      value: run,
    }),
  );
  io.stdout(`wrote ${request.out}: Job ${run.metadata.name} runs ${job} of ${target.name} in ${env} with ${tag}${digest ? `@${digest}` : ''}\n`);
  return EXIT_OK;
}
