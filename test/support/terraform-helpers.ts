import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ResolvedProject } from '../../spec/model.js';
import { emittedStack } from '../../emitters/terraform/index.js';
import type { StackFile } from '../../emitters/terraform/stack.js';
import type { CompileResult } from '../../compiler/compile.js';
import { allResourcesOf, plainBody, type FoundResource, type Plain, type Stack as PolicyStack } from '../../compiler/policy/view.js';
import { compileDir, goldenCases, REPO } from './helpers.js';

/** Every golden case and the example shop: the stacks the Terraform tests run over. */
export const TERRAFORM_ROOTS: readonly string[] = [...goldenCases().map((name) => join('fixtures', 'cases', name)), 'examples/shop'];

/** A stack as the policy reads it (compiler/policy/view.ts), with the root and project it was compiled from. */
export interface Stack extends PolicyStack {
  /** `<root>:<service>`, e.g. `examples/shop:orders`. */
  readonly id: string;
  readonly root: string;
  readonly project: ResolvedProject;
  readonly files: readonly StackFile[];
}

let cached: Stack[] | undefined;

/** Compiles every root once per test file and keeps the typed stacks next to their printed files. */
export function allStacks(): Stack[] {
  cached ??= TERRAFORM_ROOTS.flatMap((root) => stacksOf(compileDir(join(REPO, root)), root));
  return cached;
}

/** The typed stacks of one compile (labelled `root`), each next to its printed files. */
export function stacksOf(result: CompileResult, root: string): Stack[] {
  if (!result.project) throw new Error(`${root} does not compile: ${JSON.stringify(result.diagnostics)}`);
  const project = result.project;
  return project.services.map((service) => {
    const prefix = `${project.output.dir}/${service.name}/terraform/`;
    const printed = new Map(result.files.filter((f) => f.path.startsWith(prefix)).map((f) => [f.path.slice(prefix.length), f.contents]));
    return { id: `${root}:${service.name}`, root, service, project, files: emittedStack(service, project).files, printed };
  });
}

/**
 * Where a stack sits in a copy of its repository: `<output>/<service>/terraform`,
 * as `paved compile` writes it, so the relative source of a platform resource
 * type's local module (`../../../platform/modules/x`) resolves.
 */
export function stackFolder(stack: Stack): string {
  return join(stack.project.output.dir, stack.service.name, 'terraform');
}

/**
 * Writes a stack's printed files into `repo` at stackFolder, beside copies of
 * the local modules of its platform's resource types; returns the stack's folder.
 */
export function writeStackRepo(stack: Stack, repo: string): string {
  const folder = join(repo, stackFolder(stack));
  for (const [path, contents] of stack.printed) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), contents);
  }
  for (const type of Object.values(stack.project.platform.resourceTypes))
    if (type.module.kind === 'local') cpSync(join(REPO, stack.root, type.module.path), join(repo, type.module.path), { recursive: true });
  return folder;
}

/** Every resource of the given type in the given stacks. */
export function resourcesOf(stacks: readonly Stack[], type: string): FoundResource[] {
  return allResourcesOf(stacks).filter((r) => r.type === type);
}

/** The values of env/<env>.tfvars as plain data; unlike the policy's tfvarsOf, a missing file fails the test. */
export function tfvarsOf(stack: Stack, env: 'staging' | 'production'): Plain {
  const file = stack.files.find((f) => f.path === `env/${env}.tfvars`);
  if (!file) throw new Error(`${stack.id} has no ${env}.tfvars`);
  return plainBody(file.items);
}

// ---------------------------------------------------------------------------
// The real terraform

export const TERRAFORM = process.env.PAVED_TERRAFORM ?? 'terraform';
export const PLUGIN_DIR = process.env.PAVED_TF_PLUGIN_DIR ?? '/opt/tf-plugins';

/**
 * The conformance tests need terraform and the offline provider mirror; without
 * them they fail, never skip, so a CI machine that lost them cannot pass.
 */
export function requireTerraform(): void {
  const version = spawnSync(TERRAFORM, ['version'], { encoding: 'utf8', env: terraformEnv() });
  if (version.error || version.status !== 0)
    throw new Error(`terraform is not installed or does not run (${TERRAFORM}): the Terraform conformance tests need it; see shared/design/conformance.md`);
  if (!existsSync(join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws')))
    throw new Error(`the provider mirror ${PLUGIN_DIR} with hashicorp/aws is missing: terraform cannot init offline`);
}

/** No user configuration, no update checks, no prompts; `extra` adds test-only variables such as fake credentials. */
export function terraformEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', ...extra };
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export function terraform(args: readonly string[], cwd: string, extraEnv: Readonly<Record<string, string>> = {}): Run {
  const started = process.hrtime.bigint();
  const run = spawnSync(TERRAFORM, args, { cwd, encoding: 'utf8', env: terraformEnv(extraEnv), maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.error) throw run.error;
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr, seconds };
}

/**
 * The Resource Groups Tagging API's GetResources on 127.0.0.1, in a process of
 * its own (terraform runs synchronously here): it answers that every ARN asked
 * for exists, as after every publisher has applied. The AWS provider reaches
 * it through `endpoints { resourcegroupstaggingapi }` in the test-only override.
 */
export async function taggingApiStandIn(): Promise<{ readonly url: string; readonly stop: () => void }> {
  const server = [
    "const http = require('node:http');",
    'http.createServer((req, res) => {',
    "  let body = '';",
    "  req.on('data', (c) => (body += c));",
    "  req.on('end', () => {",
    "    const arns = JSON.parse(body || '{}').ResourceARNList || [];",
    "    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });",
    "    res.end(JSON.stringify({ ResourceTagMappingList: arns.map((a) => ({ ResourceARN: a, Tags: [{ Key: 'managed-by', Value: 'paved' }] })) }));",
    '  });',
    "}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });",
  ].join('\n');
  const child = spawn(process.execPath, ['-e', server], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the tagging API stand-in exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
