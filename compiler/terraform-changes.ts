import { REPLACED_ON_CHANGE, STATEFUL_RESOURCE_TYPES, UPDATED_IN_PLACE } from '../emitters/shared/terraform-replacement.js';
import type { Block, BodyItem } from '../emitters/shared/hcl.js';
import type { GeneratedFile } from '../spec/emitter.js';
import { plainBody, type Plain } from './policy/view.js';
import { RETENTION_TYPES, shortenings, type Shortening } from './retention.js';

/**
 * What `terraform plan` would do to each resource when the generated tree moves
 * from one revision to another, read from the typed HCL the files were printed
 * from (GeneratedFile.value) with every `var.` reference resolved through the
 * environment's tfvars. Which attribute changes replace a resource is the
 * provider's table (emitters/shared/terraform-replacement.ts); a replacement
 * carries over to every resource that reads an attribute of the replaced one
 * that would then change, as the plan would.
 */
export type ResourceAction = 'destroy' | 'replace' | 'update' | 'create' | 'forget' | 'move';

export interface ResourceChange {
  /** The Terraform root: the folder of its .tf files, e.g. `generated/orders/terraform`. */
  readonly root: string;
  readonly environment: 'staging' | 'production';
  /** `<type>.<name>` in the head revision (in the base one for destroy and forget). */
  readonly address: string;
  readonly type: string;
  readonly action: ResourceAction;
  /** Top-level attributes and nested block types that change; for replace, those that force it first. */
  readonly attributes: readonly string[];
  /** Databases, caches, buckets, queues, topics, keys and secrets: what a destroy or replace loses. */
  readonly stateful: boolean;
  /** For a move: the address the state holds it under in the base revision. */
  readonly from?: string;
  /** For a replace: the forcing attributes the provider's table does not cover (`unproven`), taken for a replacement all the same. */
  readonly unproven?: readonly string[];
  /** For an update: the retention settings it shortens, which deletes data in place (retention.ts). */
  readonly shortened?: readonly Shortening[];
}

const ENVIRONMENTS = ['staging', 'production'] as const;
type Environment = (typeof ENVIRONMENTS)[number];
const STATEFUL = new Set<string>(STATEFUL_RESOURCE_TYPES);
const REPLACING = REPLACED_ON_CHANGE as Readonly<Record<string, readonly string[]>>;

/** Whether changing the attribute replaces a resource of the type: by the provider's table, or, for a stateful type, when no table says it does not. */
const forces = (type: string, name: string): boolean => (REPLACING[type] ?? []).includes(name) || unproven(type, name);
const unproven = (type: string, name: string): boolean =>
  STATEFUL.has(type) && !(REPLACING[type] ?? []).includes(name) && !(UPDATED_IN_PLACE[type] ?? []).includes(name);

/** The order a reviewer reads them in: what loses data first. */
const ACTION_ORDER: readonly ResourceAction[] = ['destroy', 'replace', 'forget', 'move', 'update', 'create'];

interface Resource {
  readonly type: string;
  readonly body: Plain;
  /** Attribute names lifecycle.ignore_changes lists: Terraform never updates them. */
  readonly ignored: ReadonlySet<string>;
}

interface RootRevision {
  readonly resources: ReadonlyMap<string, Resource>;
  /** moved blocks: old address → new address. */
  readonly moved: ReadonlyMap<string, string>;
  /** removed blocks with destroy = false: addresses Terraform forgets without destroying. */
  readonly forgotten: ReadonlySet<string>;
}

/** Every resource change between two generated trees, per Terraform root and cloud environment. Pure. */
export function terraformChanges(base: readonly GeneratedFile[], head: readonly GeneratedFile[]): ResourceChange[] {
  const before = roots(base);
  const after = roots(head);
  const changes: ResourceChange[] = [];
  for (const root of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    for (const environment of ENVIRONMENTS) {
      changes.push(...compareRoot(root, environment, revision(before.get(root), environment), revision(after.get(root), environment)));
    }
  }
  return changes.sort(
    (a, b) =>
      ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) ||
      compare(a.root, b.root) ||
      compare(a.address, b.address) ||
      ENVIRONMENTS.indexOf(a.environment) - ENVIRONMENTS.indexOf(b.environment),
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface RootFiles {
  readonly items: readonly BodyItem[];
  readonly tfvars: ReadonlyMap<Environment, Plain>;
}

/** The files of each Terraform root by its folder: its .tf files and env/<environment>.tfvars. */
export function roots(files: readonly GeneratedFile[]): Map<string, RootFiles> {
  const found = new Map<string, { items: BodyItem[]; tfvars: Map<Environment, Plain> }>();
  const of = (folder: string): { items: BodyItem[]; tfvars: Map<Environment, Plain> } => {
    let entry = found.get(folder);
    if (!entry) found.set(folder, (entry = { items: [], tfvars: new Map() }));
    return entry;
  };
  for (const file of files) {
    if (!Array.isArray(file.value)) continue;
    const items = file.value as readonly BodyItem[];
    const tfvars = /^(.*)\/env\/(staging|production)\.tfvars$/.exec(file.path);
    if (tfvars) of(tfvars[1]!).tfvars.set(tfvars[2] as Environment, plainBody(items));
    else if (file.path.endsWith('.tf')) of(file.path.slice(0, file.path.lastIndexOf('/'))).items.push(...items);
  }
  return found;
}

function revision(files: RootFiles | undefined, environment: Environment): RootRevision {
  const resources = new Map<string, Resource>();
  const moved = new Map<string, string>();
  const forgotten = new Set<string>();
  if (!files) return { resources, moved, forgotten };
  const tfvars = files.tfvars.get(environment);
  for (const item of files.items) {
    if (item.kind !== 'block') continue;
    if (item.type === 'resource') {
      const body = plainBody(item.body.filter((i) => !(i.kind === 'block' && i.type === 'lifecycle')));
      // What in a lifecycle can replace the resource (an override may set it): compared as one attribute, `lifecycle`.
      const replacing = lifecycleReplacing(item);
      if (replacing !== undefined) body.lifecycle = replacing;
      resources.set(`${item.labels[0]}.${item.labels[1]}`, {
        type: item.labels[0]!,
        body: tfvars ? (withVariables(body, tfvars) as Plain) : body,
        ignored: ignoredAttributes(item),
      });
    } else if (item.type === 'module') {
      // A platform resource type's module call (emitters/terraform/resource-types.ts): removing it destroys whatever the module holds.
      const body = plainBody(item.body);
      resources.set(`module.${item.labels[0]}`, { type: 'module', body: tfvars ? (withVariables(body, tfvars) as Plain) : body, ignored: new Set() });
    } else if (item.type === 'moved') {
      const { from, to } = plainBody(item.body);
      if (typeof from === 'string' && typeof to === 'string') moved.set(address(from), address(to));
    } else if (item.type === 'removed') {
      const body = plainBody(item.body);
      const keeps = item.body.some(
        (i) => i.kind === 'block' && i.type === 'lifecycle' && i.body.some((a) => a.kind === 'attribute' && a.name === 'destroy' && a.value === false),
      );
      if (keeps && typeof body.from === 'string') forgotten.add(address(body.from));
    }
  }
  return { resources, moved, forgotten };
}

/** `${aws_s3_bucket.uploads}` → `aws_s3_bucket.uploads`. */
const address = (reference: string): string => reference.replace(/^\$\{(.*)\}$/, '$1');

/** A lifecycle's replace_triggered_by and create_before_destroy, when it sets either. */
function lifecycleReplacing(block: Block): Plain | undefined {
  const lifecycle = block.body.find((i): i is Block => i.kind === 'block' && i.type === 'lifecycle');
  if (lifecycle === undefined) return undefined;
  const plain = plainBody(lifecycle.body);
  const kept = Object.fromEntries(Object.entries(plain).filter(([name]) => name === 'replace_triggered_by' || name === 'create_before_destroy'));
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function ignoredAttributes(block: Block): Set<string> {
  const lifecycle = block.body.find((i): i is Block => i.kind === 'block' && i.type === 'lifecycle');
  const list = lifecycle ? plainBody(lifecycle.body).ignore_changes : undefined;
  return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').map(address) : []);
}

/**
 * A whole `${var.x…}` value becomes the tfvars value; one inside a template is
 * spliced in as text, and one inside a longer expression (a count's condition)
 * as a literal, so an expression whose tfvars key moved compares by its value.
 */
function withVariables(value: unknown, tfvars: Plain): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{(var\.[^{}]+)\}$/.exec(value);
    if (whole) return lookup(whole[1]!, tfvars) ?? value;
    const scalar = (found: unknown): found is string | number | boolean => typeof found === 'string' || typeof found === 'number' || typeof found === 'boolean';
    return value
      .replace(/\$\{(var\.[^{}]+)\}/g, (text, path: string) => {
        const found = lookup(path, tfvars);
        return scalar(found) ? String(found) : text;
      })
      .replace(/\$\{[^{}]*\}/g, (expression) =>
        expression.replace(/\bvar\.[A-Za-z0-9_-]+(?:\["[^"]*"\]|\.[A-Za-z0-9_-]+)*/g, (path) => {
          const found = lookup(path, tfvars);
          return scalar(found) ? JSON.stringify(found) : path;
        }),
      );
  }
  if (Array.isArray(value)) return value.map((v) => withVariables(v, tfvars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withVariables(v, tfvars)]));
  return value;
}

/** `var.buckets["uploads"].bucket` (or `.uploads.bucket`) in tfvars; undefined for anything else. */
function lookup(path: string, tfvars: Plain): unknown {
  const steps = [...path.slice('var.'.length).matchAll(/([A-Za-z0-9_-]+)|\["([^"]*)"\]/g)].map((m) => m[1] ?? m[2]!);
  let current: unknown = tfvars;
  for (const step of steps) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function compareRoot(root: string, environment: Environment, base: RootRevision, head: RootRevision): ResourceChange[] {
  const change = (addr: string, type: string, action: ResourceAction, attributes: readonly string[] = [], from?: string): ResourceChange => ({
    root,
    environment,
    address: addr,
    type,
    action,
    attributes,
    stateful: STATEFUL.has(type),
    ...(from === undefined ? {} : { from }),
  });
  const out: ResourceChange[] = [];
  // The base state under the addresses the head's moved blocks give it, and reading them there.
  const moves = [...head.moved].filter(([from, to]) => base.resources.has(from) && !base.resources.has(to));
  const state = new Map<string, { resource: Resource; from?: string }>();
  for (const [addr, found] of base.resources) {
    const resource = moves.length === 0 ? found : { ...found, body: movedReferences(found.body, moves) };
    const to = head.moved.get(addr);
    if (to !== undefined && !base.resources.has(to)) state.set(to, { resource, from: addr });
    else state.set(addr, { resource });
  }
  for (const [addr, { resource }] of state) {
    if (!head.resources.has(addr)) out.push(change(addr, resource.type, head.forgotten.has(addr) ? 'forget' : 'destroy'));
  }
  for (const [addr, resource] of head.resources) if (!state.has(addr)) out.push(change(addr, resource.type, 'create'));

  const changed = new Map<string, Set<string>>();
  for (const [addr, resource] of head.resources) {
    const old = state.get(addr)?.resource;
    if (!old) continue;
    const names = [...new Set([...Object.keys(old.body), ...Object.keys(resource.body)])].filter(
      (name) => !resource.ignored.has(name) && JSON.stringify(old.body[name]) !== JSON.stringify(resource.body[name]),
    );
    changed.set(addr, new Set(names));
  }
  // A replaced resource gets new identifiers: whatever reads them changes too, until nothing more does.
  const replaced = new Set<string>();
  const forcing = (addr: string): string[] => [...(changed.get(addr) ?? [])].filter((name) => forces(head.resources.get(addr)!.type, name)).sort();
  for (let grew = true; grew;) {
    grew = false;
    for (const addr of changed.keys()) {
      if (!replaced.has(addr) && forcing(addr).length > 0) {
        replaced.add(addr);
        grew = true;
      }
    }
    for (const [addr, resource] of head.resources) {
      const names = changed.get(addr);
      if (!names) continue;
      for (const [name, value] of Object.entries(resource.body)) {
        if (resource.ignored.has(name) || names.has(name)) continue;
        const text = JSON.stringify(value);
        if ([...replaced].some((other) => other !== addr && text.includes(`\${${other}.`))) {
          names.add(name);
          grew = true;
        }
      }
    }
  }
  for (const [addr, names] of changed) {
    const { from } = state.get(addr)!;
    const type = head.resources.get(addr)!.type;
    if (from !== undefined) out.push(change(addr, type, 'move', [], from));
    if (replaced.has(addr)) {
      const forced = forcing(addr);
      const guessed = forced.filter((name) => unproven(type, name));
      out.push({
        ...change(addr, type, 'replace', [...forced, ...[...names].filter((n) => !forced.includes(n)).sort()]),
        ...(guessed.length > 0 ? { unproven: guessed } : {}),
      });
    } else if (names.size > 0) {
      const shortened = RETENTION_TYPES.has(type) ? shortenings(type, state.get(addr)!.resource.body, head.resources.get(addr)!.body, names) : [];
      out.push({ ...change(addr, type, 'update', [...names].sort()), ...(shortened.length > 0 ? { shortened } : {}) });
    }
  }
  return out;
}

/**
 * A body with its references to moved resources (`${aws_s3_bucket.a.arn}`,
 * `${aws_s3_bucket.a}`) pointing at their new addresses: Terraform reads the
 * moved object there, so a reference that moved with it changes nothing.
 */
function movedReferences(body: Plain, moves: ReadonlyArray<readonly [string, string]>): Plain {
  let text = JSON.stringify(body);
  for (const [from, to] of moves) text = text.split(`\${${from}.`).join(`\${${to}.`).split(`\${${from}}`).join(`\${${to}}`);
  return JSON.parse(text) as Plain;
}

/** For a replace: the attributes that force it, by the provider's table or unproven; none for any other change. */
export const forcingAttributes = (c: ResourceChange): string[] => (c.action === 'replace' ? c.attributes.filter((a) => forces(c.type, a)) : []);

/** One line per change for people, the environments that share it folded together. */
export function resourceChangeLines(changes: readonly ResourceChange[]): string[] {
  const lines = new Map<string, string[]>();
  for (const c of changes) {
    const loses = c.action === 'destroy' || c.action === 'replace' || c.shortened !== undefined;
    const forcing = forcingAttributes(c);
    const others = c.attributes.filter((a) => !forcing.includes(a));
    const what =
      c.action === 'move'
        ? `move ${c.from} -> ${c.address}`
        : c.action === 'replace'
          ? `replace ${c.address}: ${forcing.join(', ')} ${c.unproven?.length ? 'may force' : 'forces'} replacement${others.length > 0 ? `; also ${others.join(', ')}` : ''}`
          : `${c.action} ${c.address}${others.length > 0 ? `: ${others.join(', ')}` : ''}`;
    const note =
      c.shortened !== undefined
        ? ` (shortens ${c.shortened.map((x) => x.setting).join(', ')}: older data is deleted)`
        : loses && c.stateful
          ? ' (stateful: its data is lost)'
          : '';
    const line = `${loses ? '!' : c.action === 'create' ? '+' : '~'} ${what}${note}`;
    lines.set(line, [...(lines.get(line) ?? []), c.environment]);
  }
  return [...lines].map(([line, environments]) => `${line} [${environments.join(', ')}]`);
}
