import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedProject, ResolvedService } from '../spec/model.js';
import { terraformStack, type StackFile } from '../emitters/terraform/stack.js';
import { toPlain, type Block, type BodyItem } from '../emitters/shared/hcl.js';
import type { CompileResult } from '../compiler/compile.js';
import { compileDir, goldenCases, REPO } from './helpers.js';

/** Every golden case and the example shop: the stacks the Terraform tests run over. */
export const TERRAFORM_ROOTS: readonly string[] = [...goldenCases().map((name) => join('fixtures', name)), 'examples/shop'];

export interface Stack {
  /** `<root>:<service>`, e.g. `examples/shop:orders`. */
  readonly id: string;
  readonly root: string;
  readonly service: ResolvedService;
  readonly project: ResolvedProject;
  readonly files: readonly StackFile[];
  /** The printed files, path under the stack's terraform/ folder → contents. */
  readonly printed: ReadonlyMap<string, string>;
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
    return { id: `${root}:${service.name}`, root, service, project, files: terraformStack(service, project), printed };
  });
}

/** A block's body as plain data: attributes by name (references as `${...}`), nested blocks as lists by type. */
export type Plain = Record<string, unknown>;

export function plainBody(items: readonly BodyItem[]): Plain {
  const out: Plain = {};
  for (const item of items) {
    if (item.kind === 'attribute') out[item.name] = toPlain(item.value);
    else ((out[item.type] ??= []) as Plain[]).push(plainBody(item.body));
  }
  return out;
}

export interface FoundResource {
  readonly stack: Stack;
  /** The resource type, e.g. `aws_db_instance`. */
  readonly type: string;
  readonly file: string;
  readonly name: string;
  readonly body: Plain;
  readonly comments: readonly string[];
}

/** Every resource of the given type in the given stacks. */
export function resourcesOf(stacks: readonly Stack[], type: string): FoundResource[] {
  return allResourcesOf(stacks).filter((r) => r.type === type);
}

/** Every resource of the given stacks, in file order. */
export function allResourcesOf(stacks: readonly Stack[]): FoundResource[] {
  return stacks.flatMap((stack) =>
    stack.files.flatMap((file) =>
      file.items
        .filter((item): item is Block => item.kind === 'block' && item.type === 'resource')
        .map((block) => ({ stack, type: block.labels[0]!, file: file.path, name: block.labels[1]!, body: plainBody(block.body), comments: block.comments })),
    ),
  );
}

/** The values of env/<env>.tfvars as plain data. */
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
  if (version.error || version.status !== 0) throw new Error(`terraform is not installed or does not run (${TERRAFORM}): the Terraform conformance tests need it; see shared/design/conformance.md`);
  if (!existsSync(join(PLUGIN_DIR, 'registry.terraform.io', 'hashicorp', 'aws'))) throw new Error(`the provider mirror ${PLUGIN_DIR} with hashicorp/aws is missing: terraform cannot init offline`);
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
