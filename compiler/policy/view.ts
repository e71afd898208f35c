import { parse } from 'yaml';
import type { GeneratedFile, Waiver } from '../../spec/emitter.js';
import type { EnvironmentName, ResolvedProject, ResolvedService } from '../../spec/model.js';
import { PLATFORM_FOLDER } from '../../spec/naming.js';
import { toPlain, type Block, type BodyItem } from '../../emitters/shared/hcl.js';
import { factBy } from './facts.js';

/**
 * The generated output as the policy reads it: Terraform resources, Kubernetes
 * objects and workflows, built from the structured values the files were
 * serialized from (GeneratedFile.value). A YAML file without one (an emitter
 * that does not attach it) is parsed from its text; a .tf file without one
 * cannot be read, and the policy then sees no resource in it.
 */

/** A block's body as plain data: attributes by name (references as `${...}`), nested blocks as lists by type. */
export type Plain = Record<string, unknown>;

/** One service's Terraform stack as emitted, after overrides. */
export interface Stack {
  /** `<target>:<service>`, for messages. */
  readonly id: string;
  readonly service: ResolvedService;
  readonly files: ReadonlyArray<{ readonly path: string; readonly items: readonly BodyItem[] }>;
  /** The printed files, path under the stack's terraform/ folder → contents. */
  readonly printed: ReadonlyMap<string, string>;
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

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** A generated Kubernetes object with the file it came from. */
export interface GeneratedObject {
  /** `<target>:<path>`, for messages. */
  readonly where: string;
  readonly path: string;
  /** The environment directory (`.../kubernetes/staging`) or `argocd`: one namespace's worth of objects. */
  readonly directory: string;
  readonly contents: string;
  /** The waivers the emitter attached to the file (GeneratedFile.waivers): the only ones a rule may accept. */
  readonly waivers: readonly Waiver[];
  readonly object: KubeObject;
  /** The service whose environment directory holds the object; undefined in argocd/. */
  readonly service?: ResolvedService;
  readonly environment?: EnvironmentName;
  /** For a dependency's object in a preview (`preview/dependencies/<name>/`): the service whose preview it joins, and whose namespace it is in. */
  readonly previewOf?: string;
  /**
   * Where in the platform layer (`_platform/`) the object is: `cluster` in
   * `kubernetes/<env>/` (with `environment`), `argocd` in `argocd/` or the
   * bootstrap file. Undefined for a service's or `argocd/`'s objects.
   */
  readonly platformLayer?: 'cluster' | 'argocd';
}

export interface PodTemplate {
  readonly owner: GeneratedObject;
  readonly metadata: { readonly labels: Record<string, string> };
  readonly spec: PodSpec;
}

export interface PodSpec {
  readonly containers: Container[];
  readonly initContainers?: Container[];
  readonly ephemeralContainers?: Container[];
  readonly [field: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly [field: string]: unknown;
}

export interface ParsedStep {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly run?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly 'working-directory'?: string;
}

export interface ParsedJob {
  readonly name?: string;
  readonly if?: string;
  readonly needs?: readonly string[];
  readonly environment?: string;
  readonly permissions?: unknown;
  readonly 'timeout-minutes'?: number;
  readonly concurrency?: { readonly group: string; readonly 'cancel-in-progress': boolean | string };
  readonly uses?: string;
  readonly secrets?: unknown;
  readonly container?: unknown;
  readonly services?: unknown;
  readonly env?: Readonly<Record<string, string>>;
  /** paved's jobs always have steps; a job calling a reusable workflow has none, which the audits allow for. */
  readonly steps: readonly ParsedStep[];
}

export interface ParsedWorkflow {
  readonly name: string;
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: unknown;
  readonly concurrency?: unknown;
  readonly env?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, ParsedJob>>;
}

/** A generated workflow, as text and as data. */
export interface GeneratedWorkflow {
  /** `<target>/<path>`, for messages. */
  readonly name: string;
  readonly text: string;
  /** The waivers the emitter attached to the file (GeneratedFile.waivers): the only ones a rule may accept. */
  readonly waivers: readonly Waiver[];
  readonly doc: ParsedWorkflow;
}

/** One body of output the rules run over: a service's files, the repository-wide files, or a whole compiled root (the audit). */
export interface PolicyTarget {
  readonly name: string;
  readonly project: ResolvedProject;
  readonly stacks: readonly Stack[];
  /** Every Terraform resource of every stack. */
  readonly resources: readonly FoundResource[];
  readonly objects: readonly GeneratedObject[];
  readonly workflows: readonly GeneratedWorkflow[];
  /** The platform root (`<output>/_platform/terraform/`), when the output holds one. */
  readonly platform?: PlatformRoot;
}

/** The platform root as the rules read it: its files and resources, apart from the service stacks. */
export interface PlatformRoot {
  readonly files: ReadonlyArray<{ readonly path: string; readonly items: readonly BodyItem[] }>;
  /** The printed files, path under `_platform/terraform/` → contents. */
  readonly printed: ReadonlyMap<string, string>;
  readonly resources: readonly PlatformResource[];
}

export interface PlatformResource {
  readonly type: string;
  readonly file: string;
  readonly name: string;
  readonly body: Plain;
  readonly comments: readonly string[];
}

/** The values of the platform root's env/<env>.tfvars as plain data. */
export function platformTfvars(root: PlatformRoot, env: 'staging' | 'production'): Plain {
  const file = root.files.find((f) => f.path === `env/${env}.tfvars`);
  return file ? plainBody(file.items) : {};
}

export function plainBody(items: readonly BodyItem[]): Plain {
  const out: Plain = {};
  for (const item of items) {
    if (item.kind === 'attribute') out[item.name] = toPlain(item.value);
    else ((out[item.type] ??= []) as Plain[]).push(plainBody(item.body));
  }
  return out;
}

const ENVIRONMENT_DIRECTORY = /\/kubernetes\/(staging|production|preview)\/(?:dependencies\/[a-z][-a-z0-9]*\/)?[^/]+\.yaml$/;
const PREVIEW_DEPENDENCY = /^([^/]+)\/kubernetes\/preview\/dependencies\/[^/]+\/[^/]+\.yaml$/;
/** Kubernetes files of the platform layer, relative to `_platform/`; secrets.yaml is a list, not an object. */
const PLATFORM_CLUSTER_FILE = /^kubernetes\/(staging|production|preview)\/[^/]+\.yaml$/;
const PLATFORM_ARGOCD_FILE = /^(argocd\/[^/]+|bootstrap)\.yaml$/;

function platformPlace(relative: string): { layer: 'cluster' | 'argocd'; environment?: EnvironmentName } | undefined {
  const cluster = PLATFORM_CLUSTER_FILE.exec(relative);
  if (cluster) return { layer: 'cluster', environment: cluster[1] as EnvironmentName };
  return PLATFORM_ARGOCD_FILE.test(relative) ? { layer: 'argocd' } : undefined;
}

/**
 * The output of `files` as the rules read it. `label` prefixes every place a
 * finding names. Files are attributed to services by their `source` (the spec
 * they derive from).
 */
export function policyTarget(label: string, project: ResolvedProject, files: readonly GeneratedFile[]): PolicyTarget {
  const bySpec = new Map(project.services.map((s) => [s.specPath, s]));
  const out = `${project.output.dir}/`;
  const stacks: Stack[] = [];
  const objects: GeneratedObject[] = [];
  const workflows: GeneratedWorkflow[] = [];
  const stackFiles = new Map<ResolvedService, Array<{ path: string; items: readonly BodyItem[]; contents: string }>>();
  // Made once, not per file: a target has a hundred files or more.
  const workflowsPrefix = `${project.output.workflowsDir}/`;
  const platformFolder = `${out}${PLATFORM_FOLDER}/`;
  const platformPrefix = `${out}_platform/terraform/`;
  const argocdPrefix = `${out}argocd/`;
  const terraformPrefixes = new Map<ResolvedService, string>();
  const platformFiles: Array<{ path: string; items: readonly BodyItem[]; contents: string }> = [];

  // A service's files come one after another with one source: looked up once per run of them.
  let source: string | undefined;
  let service: ResolvedService | undefined;
  for (const file of files) {
    if (file.source !== source || source === undefined) {
      source = file.source;
      service = bySpec.get(source);
    }
    const path = file.path;
    if (path.startsWith(workflowsPrefix) && path.endsWith('.yml')) {
      workflows.push({
        name: label ? `${label}/${path}` : path,
        text: file.contents,
        waivers: file.waivers ?? [],
        doc: (file.value ?? parse(file.contents)) as ParsedWorkflow,
      });
      continue;
    }
    if (!path.startsWith(out)) continue;
    if (path.startsWith(platformPrefix) && Array.isArray(file.value)) {
      platformFiles.push({ path: path.slice(platformPrefix.length), items: file.value as BodyItem[], contents: file.contents });
      continue;
    }
    if (service) {
      let terraformPrefix = terraformPrefixes.get(service);
      if (terraformPrefix === undefined) terraformPrefixes.set(service, (terraformPrefix = `${out}${service.name}/terraform/`));
      if (path.startsWith(terraformPrefix) && Array.isArray(file.value)) {
        const list = stackFiles.get(service);
        const stackFile = { path: path.slice(terraformPrefix.length), items: file.value as BodyItem[], contents: file.contents };
        if (list) list.push(stackFile);
        else stackFiles.set(service, [stackFile]);
        continue;
      }
    }
    const inPlatformFolder = path.startsWith(platformFolder);
    const platform = inPlatformFolder ? platformPlace(path.slice(platformFolder.length)) : undefined;
    if (inPlatformFolder && !platform) continue;
    const environment = platform ? platform.environment : (ENVIRONMENT_DIRECTORY.exec(path)?.[1] as EnvironmentName | undefined);
    const inArgo = path.startsWith(argocdPrefix) && path.endsWith('.yaml');
    if ((environment === undefined && !inArgo && !platform) || path.endsWith('/kustomization.yaml')) continue;
    const object = (file.value ?? parse(file.contents)) as KubeObject;
    if (object === null || typeof object !== 'object' || typeof object.kind !== 'string') continue;
    // A preview dependency's path holds this; most objects' paths do not, and are not cut and matched.
    const previewOf = path.includes('/kubernetes/preview/dependencies/') ? PREVIEW_DEPENDENCY.exec(path.slice(out.length))?.[1] : undefined;
    objects.push(generatedObject(label, file, path.slice(0, path.lastIndexOf('/')), object, service, environment, platform, previewOf));
  }
  for (const [service, list] of stackFiles) {
    stacks.push({
      id: label ? `${label}:${service.name}` : service.name,
      service,
      files: list.map(({ path, items }) => ({ path, items })),
      printed: new Map(list.map((f) => [f.path, f.contents])),
    });
  }
  const platform = platformFiles.length > 0 ? platformRoot(platformFiles) : undefined;
  return { name: label, project, stacks, resources: allResourcesOf(stacks), objects, workflows, ...(platform ? { platform } : {}) };
}

/** A Kubernetes object of the output; its optional fields are set only when they apply, each shape made whole in one literal. */
function generatedObject(
  label: string,
  file: GeneratedFile,
  directory: string,
  object: KubeObject,
  service: ResolvedService | undefined,
  environment: EnvironmentName | undefined,
  platform: { layer: 'cluster' | 'argocd'; environment?: EnvironmentName } | undefined,
  previewOf: string | undefined,
): GeneratedObject {
  const where = label ? `${label}:${file.path}` : file.path;
  const { path, contents } = file;
  const waivers = file.waivers ?? [];
  if (previewOf !== undefined) {
    if (!platform && environment && service) return { where, path, directory, contents, waivers, object, service, environment, previewOf };
    const base = { where, path, directory, contents, waivers, object };
    return platform ? { ...base, platformLayer: platform.layer, ...(environment ? { environment } : {}), previewOf } : { ...base, previewOf };
  }
  if (platform)
    return environment
      ? { where, path, directory, contents, waivers, object, platformLayer: platform.layer, environment }
      : { where, path, directory, contents, waivers, object, platformLayer: platform.layer };
  if (environment && service) return { where, path, directory, contents, waivers, object, service, environment };
  return { where, path, directory, contents, waivers, object };
}

function platformRoot(files: ReadonlyArray<{ path: string; items: readonly BodyItem[]; contents: string }>): PlatformRoot {
  const resources = files.flatMap((file) =>
    file.items
      .filter((item): item is Block => item.kind === 'block' && item.type === 'resource')
      .map((block) => ({ type: block.labels[0]!, file: file.path, name: block.labels[1]!, body: plainBody(block.body), comments: block.comments })),
  );
  return { files: files.map(({ path, items }) => ({ path, items })), printed: new Map(files.map((f) => [f.path, f.contents])), resources };
}

/** Every resource of the given stacks, in file order. */
export function allResourcesOf(stacks: readonly Stack[]): FoundResource[] {
  const resources: FoundResource[] = [];
  for (const stack of stacks)
    for (const file of stack.files) {
      // A file's blocks are picked out before any is read, so a malformed item fails here the same way whatever follows it.
      const blocks = file.items.filter((item): item is Block => item.kind === 'block' && item.type === 'resource');
      for (const block of blocks)
        resources.push({ stack, type: block.labels[0]!, file: file.path, name: block.labels[1]!, body: plainBody(block.body), comments: block.comments });
    }
  return resources;
}

/**
 * The values of env/<env>.tfvars (of the root in folder `root`, e.g. `subscriptions/`) as plain data; empty when the stack has none.
 * Read once per stack and file: several rules resolve `var.` references through it.
 */
export function tfvarsOf(stack: Stack, env: 'staging' | 'production', root = ''): Plain {
  return tfvarsFile(stack, `${root}env/${env}.tfvars`);
}

const tfvarsFile = factBy((stack: Stack, path: string): Plain => {
  const file = stack.files.find((f) => f.path === path);
  return file ? plainBody(file.items) : {};
});

/** The pod template of every Deployment and CronJob (and any Job, DaemonSet, StatefulSet, ReplicaSet or Pod an override could produce). */
export function podTemplates(objects: readonly GeneratedObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const owner of objects) {
    const spec = owner.object.spec as Record<string, any> | undefined;
    const template = podTemplateOf(owner.object.kind, spec);
    if (template && typeof template === 'object' && template.spec && Array.isArray(template.spec.containers))
      templates.push({ owner, metadata: { labels: template.metadata?.labels ?? {} }, spec: template.spec });
  }
  return templates;
}

function podTemplateOf(kind: string, spec: Record<string, any> | undefined): Record<string, any> | undefined {
  if (!spec || typeof spec !== 'object') return undefined;
  if (kind === 'CronJob') return spec.jobTemplate?.spec?.template;
  if (kind === 'Pod') return { metadata: {}, spec };
  if (['Deployment', 'Job', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].includes(kind)) return spec.template;
  return undefined;
}

export function allContainers(spec: PodSpec): Container[] {
  const list = (value: unknown): Container[] => (Array.isArray(value) ? (value.filter((c) => c !== null && typeof c === 'object') as Container[]) : []);
  return [...list(spec.containers), ...list(spec.initContainers), ...list(spec.ephemeralContainers)];
}

/** Whether a label selector (matchLabels and In expressions) selects the labels. */
export function selects(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  // A loop over the names, not pairs of them: this runs for every pod against every selector beside it.
  const matchLabels: Record<string, string> = selector.matchLabels ?? {};
  let byLabels = true;
  for (const k of Object.keys(matchLabels))
    if (labels[k] !== matchLabels[k]) {
      byLabels = false;
      break;
    }
  const byExpressions = (selector.matchExpressions ?? []).every((e) =>
    e.operator === 'In' ? (e.values ?? []).includes(labels[e.key] ?? '') : e.operator === 'Exists' ? e.key in labels : false,
  );
  return byLabels && byExpressions;
}

export const stepsOf = (doc: ParsedWorkflow): Array<{ readonly jobId: string; readonly job: ParsedJob; readonly step: ParsedStep }> =>
  Object.entries(doc.jobs ?? {}).flatMap(([jobId, job]) => (job.steps ?? []).map((step) => ({ jobId, job, step })));

/** `owner/repo` of a `uses:` reference. */
export const actionOf = (uses: string | undefined): string | undefined => {
  // Not a string (malformed output): read as before, and failing as before.
  if (typeof uses !== 'string') return (uses as string | undefined)?.split('@')[0];
  const at = uses.indexOf('@');
  return at < 0 ? uses : uses.slice(0, at);
};
