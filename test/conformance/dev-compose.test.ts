import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { layout } from '../../spec/layout.js';
import type { ResolvedProject } from '../../spec/model.js';
import { PREVIEW_ENV_NAMES } from '../../spec/runtime-env.js';
import { caseRoot, compileDir, goldenCases, REPO, scratchCopy, serviceYaml, writeEmbeddedPlatform } from '../support/helpers.js';

/**
 * Issue 21: generated/dev/compose.yaml, checked by Debian's docker-compose
 * (`config -q` parses, validates and interpolates it, and needs no daemon) and
 * by the Compose specification's own JSON Schema (test/support/compose-spec/),
 * for every golden case and example; and the environment contract: each
 * service's Compose environment has exactly the names its Deployments set.
 */

const DOCKER_COMPOSE = process.env.PAVED_DOCKER_COMPOSE ?? 'docker-compose';

interface ComposeService {
  readonly environment?: Record<string, string>;
  readonly 'x-paved-secrets'?: string[];
  readonly env_file?: string[];
  readonly depends_on?: Record<string, { condition: string }>;
  readonly image?: string;
  readonly build?: { context: string; dockerfile: string };
}

interface Case {
  readonly name: string;
  readonly root: string;
  readonly project: ResolvedProject;
  readonly files: ReadonlyMap<string, string>;
  readonly composePath: string;
  readonly compose: { services: Record<string, ComposeService> };
}

const CASES: readonly Case[] = [
  ...goldenCases().map((name) => ({ name: `fixtures/cases/${name}`, root: caseRoot(name) })),
  ...['shop', 'minimal'].map((name) => ({ name: `examples/${name}`, root: join(REPO, 'examples', name) })),
].map(({ name, root }) => {
  const result = compileDir(root);
  if (result.diagnostics.some((d) => d.severity === 'error') || !result.project) throw new Error(`${name} does not compile`);
  const files = new Map(result.files.map((f) => [f.path, f.contents]));
  const composePath = layout.devCompose(result.output);
  const text = files.get(composePath);
  if (text === undefined) throw new Error(`${name} has no ${composePath}`);
  return { name, root, project: result.project, files, composePath, compose: parse(text) as Case['compose'] };
});

const scratch = scratchCopy();
afterAll(() => scratch.cleanup());

function dockerCompose(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number | null; output: string } {
  const run = spawnSync(DOCKER_COMPOSE, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: scratch.dir, ...env }, timeout: 60_000 });
  if (run.error) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The case's inputs in a scratch folder with its compose file and, as a developer would write them, the env files of services with secrets. */
function checkout(c: Case, compose: string = c.files.get(c.composePath)!): string {
  const dir = join(scratch.dir, c.name.replace(/\W+/g, '_'));
  cpSync(c.root, dir, { recursive: true, filter: (path) => !path.startsWith(join(c.root, 'expected')) });
  mkdirSync(dirname(join(dir, c.composePath)), { recursive: true });
  writeFileSync(join(dir, c.composePath), compose);
  // The stand-ins' env files paved writes beside it (layout.devStandInEnv).
  for (const [path, text] of c.files) if (path.startsWith(`${dirname(c.composePath)}/`) && path.endsWith('.env')) writeFileSync(join(dir, path), text);
  for (const service of c.project.services) if (service.secrets.length > 0) writeFileSync(join(dir, layout.devEnvFile(service.directory)), '');
  return dir;
}

/** The env names of the first container of a generated Deployment. */
function deploymentEnvNames(c: Case, service: string, env: 'staging'): string[] {
  const text = c.files.get(`${layout.kubernetes(c.project.output, service, env)}/deployment.yaml`);
  if (text === undefined) throw new Error(`${c.name}: no ${env} Deployment for ${service}`);
  const deployment = parse(text) as { spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string }> }> } } } };
  return (deployment.spec.template.spec.containers[0]!.env ?? []).map((e) => e.name).sort();
}

/** What a service's container gets in Compose: its environment, and the declared secrets its env file holds. */
const composeEnvNames = (s: ComposeService): string[] => [...Object.keys(s.environment ?? {}), ...(s['x-paved-secrets'] ?? [])].sort();

describe('generated/dev/compose.yaml', () => {
  it("is Debian's docker-compose that validates it (.ci/install-tools installs it): these tests fail rather than skip without it", () => {
    expect(dockerCompose(['version'], scratch.dir).output).toMatch(/docker-compose version \d+\.\d+/);
  });

  it('exists for every golden case and example', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(14);
    for (const c of CASES) expect(Object.keys(c.compose.services).length, c.name).toBeGreaterThan(0);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s passes docker-compose config -q', (_, c) => {
    const dir = checkout(c);
    const run = dockerCompose(['-f', c.composePath, 'config', '-q'], dir);
    expect(run.output).toBe('');
    expect(run.code).toBe(0);
  });

  it('is valid against the Compose specification schema, for every case', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'test/support/compose-spec/compose-spec.json'), 'utf8')) as object;
    // Its $schema is draft-07 spelled with https, which ajv does not know by that name; the keywords are draft-07's.
    const validate = new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile(schema);
    for (const c of CASES) {
      expect(validate(c.compose), `${c.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // The schema has teeth: an unknown key of a service is rejected.
    expect(validate({ services: { orders: { imgae: 'x' } } })).toBe(false);
  });

  it("gives each service exactly the env names of its staging Deployment, and what only the stand-ins need in an env file of paved's own", () => {
    let compared = 0;
    for (const c of CASES) {
      for (const service of c.project.services.filter((s) => s.retired === undefined)) {
        const composed = c.compose.services[service.name]!;
        expect(composeEnvNames(composed), `${c.name} ${service.name}`).toEqual(deploymentEnvNames(c, service.name, 'staging'));
        // LocalStack's endpoint and keys where it uses LocalStack, a MySQL stand-in's password where production signs in with IAM: as in preview.
        const mysqlPasswords = service.resources.databases
          .filter((d) => d.engine === 'mysql' && d.auth === 'iam')
          .map((d) => `DATABASE_${d.name.toUpperCase().replace(/-/g, '_')}_PASSWORD`);
        const localStack = service.resources.topics.length + service.resources.subscriptions.length + service.resources.buckets.length > 0;
        const expected = [...(localStack ? PREVIEW_ENV_NAMES : []), ...mysqlPasswords].sort();
        const path = layout.devStandInEnv(c.project.output, service.name);
        const file = c.files.get(path);
        if (expected.length === 0) expect(file, `${c.name} ${service.name}`).toBeUndefined();
        else {
          const names = file!
            .split('\n')
            .filter((line) => line !== '' && !line.startsWith('#'))
            .map((line) => line.slice(0, line.indexOf('=')));
          expect(names, `${c.name} ${service.name}`).toEqual(expected);
          expect(composed.env_file, `${c.name} ${service.name}`).toContain(`${service.name}.env`);
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(30);
  });

  it('never writes a declared secret: each is named for the env file, which the service reads, and has no value in the file', () => {
    let secrets = 0;
    for (const c of CASES)
      for (const service of c.project.services.filter((s) => s.retired === undefined && s.secrets.length > 0)) {
        const composed = c.compose.services[service.name]!;
        expect(composed['x-paved-secrets']).toEqual([...service.secrets]);
        for (const secret of service.secrets) expect(Object.keys(composed.environment ?? {})).not.toContain(secret);
        // The developer's file first; after it, at most paved's stand-in file, which holds no secret.
        expect(join(dirname(c.composePath), composed.env_file![0]!)).toBe(join(layout.devEnvFile(service.directory)));
        expect(composed.env_file!.slice(1)).toEqual(c.files.has(layout.devStandInEnv(c.project.output, service.name)) ? [`${service.name}.env`] : []);
        secrets += service.secrets.length;
      }
    expect(secrets).toBeGreaterThan(0);
  });

  it('makes docker-compose stop with the path of a missing secrets env file', () => {
    const c = CASES.find((k) => k.project.services.some((s) => s.secrets.length > 0 && s.retired === undefined))!;
    const dir = checkout(c);
    const service = c.project.services.find((s) => s.secrets.length > 0 && s.retired === undefined)!;
    const envFile = join(dir, layout.devEnvFile(service.directory));
    cpSync(envFile, `${envFile}.kept`);
    spawnSync('rm', [envFile]);
    const run = dockerCompose(['-f', c.composePath, 'config', '-q'], dir);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`Couldn't find env file: ${envFile}`);
  });

  it('doubles every $ of a value or command from a service team, so Compose interpolates nothing: no variable of the shell reaches a container', () => {
    const dir = join(scratch.dir, 'hostile-dollars');
    mkdirSync(join(dir, 'services', 'orders'), { recursive: true });
    writeEmbeddedPlatform(dir);
    const hostile = {
      SHELL_VAR: 'x$PAVED_LEAK',
      BRACED: 'a${PAVED_LEAK}b',
      REQUIRED: '${PAVED_UNSET:?boom}',
      LITERAL: 'cost: $$5',
    };
    writeFileSync(
      join(dir, 'services', 'orders', 'service.yaml'),
      serviceYaml(
        'orders',
        `  command: ["/app/run", "--greeting=$PAVED_LEAK"]\nenv:\n${Object.entries(hostile)
          .map(([name, value]) => `  ${name}: '${value}'`)
          .join('\n')}\n`,
      ),
    );
    const result = compileDir(dir);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const composePath = layout.devCompose(result.output);
    const text = result.files.find((f) => f.path === composePath)!.contents;
    const written = parse(text) as { services: Record<string, ComposeService & { entrypoint: string[] }> };
    for (const [name, value] of Object.entries(hostile)) expect(written.services.orders!.environment![name]).toBe(value.replace(/\$/g, '$$$$'));
    expect(written.services.orders!.entrypoint).toEqual(['/app/run', '--greeting=$$PAVED_LEAK']);
    mkdirSync(join(dir, dirname(composePath)), { recursive: true });
    writeFileSync(join(dir, composePath), text);
    const leak = { PAVED_LEAK: 'leaked-from-the-shell' };
    const run = dockerCompose(['-f', composePath, 'config'], dir, leak);
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toContain('leaked-from-the-shell');
    expect(run.output).not.toMatch(/variable is not set/);
    // The same file without the escaping is what the test guards against: Compose would interpolate the shell's values.
    writeFileSync(join(dir, composePath), text.replace(/\$\$/g, '$'));
    const unescaped = dockerCompose(['-f', composePath, 'config'], dir, { ...leak, PAVED_UNSET: 'set' });
    expect(unescaped.output).toContain('leaked-from-the-shell');
  });
});
