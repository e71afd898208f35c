import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodyItem } from '../../emitters/shared/hcl.js';
import { REPLACED_ON_CHANGE, STATEFUL_RESOURCE_TYPES, UPDATED_IN_PLACE } from '../../emitters/shared/terraform-replacement.js';
import { platformTerraformFiles } from '../../emitters/platform/index.js';
import { PLATFORM_FOLDER } from '../../spec/naming.js';
import { compileDir, REPO } from '../support/helpers.js';
import { allStacks, requireTerraform, taggingApiStandIn, TERRAFORM_ROOTS } from '../support/terraform-helpers.js';
import { guardedBlocks, initRoot, plan, resourceBlocks, settledState, writeRoot } from '../support/terraform-offline.js';

/**
 * Issue 17: which attribute changes replace a resource is the provider's
 * knowledge, so paved's table of them (emitters/shared/terraform-replacement.ts)
 * is proven against the real AWS provider, offline. For a root that holds the
 * resource types, a state is built from its own offline plan (planned values,
 * re-planned until they settle), then every attribute the generated HCL sets is
 * changed in that state and planned once more: the provider lists in
 * `replace_paths` exactly the attributes whose change forces replacement.
 */
const TIMEOUT = 600_000;

interface Root {
  readonly label: string;
  /** Printed files, path within the root → contents, tfvars included. */
  readonly printed: ReadonlyMap<string, string>;
  /** The typed HCL of the root's .tf files. */
  readonly items: readonly BodyItem[];
}

/** Every Terraform root paved emits for the golden cases and examples/shop: service stacks, subscriptions roots and platform roots. */
function allRoots(): Root[] {
  const roots: Root[] = [];
  for (const stack of allStacks()) {
    for (const folder of ['', 'subscriptions/']) {
      const files = stack.files.filter((f) => (folder === '' ? !f.path.startsWith('subscriptions/') : f.path.startsWith(folder)));
      if (files.length === 0) continue;
      const printed = new Map(
        [...stack.printed]
          .filter(([path]) => (folder === '' ? !path.startsWith('subscriptions/') : path.startsWith(folder)))
          .map(([path, text]) => [path.slice(folder.length), text]),
      );
      roots.push({ label: `${stack.id}${folder === '' ? '' : ' subscriptions'}`, printed, items: files.flatMap((f) => f.items) });
    }
  }
  for (const root of TERRAFORM_ROOTS) {
    const project = compileDir(join(REPO, root)).project!;
    const files = platformTerraformFiles(project);
    if (files.length === 0) continue;
    const prefix = `${project.output.dir}/${PLATFORM_FOLDER}/terraform/`;
    roots.push({
      label: `${root} platform`,
      printed: new Map(files.map((f) => [f.path.slice(prefix.length), f.contents])),
      items: files.flatMap((f) => (Array.isArray(f.value) ? (f.value as BodyItem[]) : [])),
    });
  }
  return roots;
}

/** As few roots as hold every resource type any root emits. */
function covering(roots: readonly Root[]): Root[] {
  const types = (root: Root): Set<string> => new Set(resourceBlocks(root.items).map((b) => b.labels[0]!));
  const missing = new Set(roots.flatMap((r) => [...types(r)]));
  const chosen: Root[] = [];
  while (missing.size > 0) {
    const best = [...roots].sort((a, b) => [...types(b)].filter((t) => missing.has(t)).length - [...types(a)].filter((t) => missing.has(t)).length)[0]!;
    chosen.push(best);
    for (const type of types(best)) missing.delete(type);
  }
  return chosen;
}

let work: string;
let missing: Error | undefined;
let roots: Root[] = [];
let tagging: { readonly url: string; readonly stop: () => void } | undefined;
beforeAll(async () => {
  try {
    requireTerraform();
  } catch (error) {
    missing = error as Error;
    return;
  }
  work = mkdtempSync(join(tmpdir(), 'paved-replacement-'));
  roots = allRoots();
  tagging = await taggingApiStandIn();
});
afterAll(() => {
  tagging?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A value of the same type that differs, or undefined for what cannot be changed that way. */
function perturbed(value: unknown): unknown {
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'string' && value !== '') return `${value}0`;
  return undefined;
}

/** For each resource type of the root: the attributes the HCL sets that could be changed in the state, and those whose change the provider replaces on. */
function probe(root: Root, index: number): Map<string, { changed: Set<string>; replacing: Set<string> }> {
  const dir = join(work, `root-${index}`);
  mkdirSync(dir, { recursive: true });
  // prevent_destroy would stop the plan that shows the replacement; the override merges it away, per argument.
  const guarded = guardedBlocks(root.items);
  writeRoot(dir, root.printed, tagging!.url, guarded);
  const schemas = initRoot(dir);

  // The state an apply of this very configuration would leave, as far as the plan knows it: re-planned until references settle.
  const settled = settledState(dir, schemas);

  const set = new Map(
    resourceBlocks(root.items).map((b) => [`${b.labels[0]}.${b.labels[1]}`, b.body.filter((i) => i.kind === 'attribute').map((i) => i.name)]),
  );
  const result = new Map<string, { changed: Set<string>; replacing: Set<string> }>();
  const entry = (type: string): { changed: Set<string>; replacing: Set<string> } => {
    let found = result.get(type);
    if (!found) result.set(type, (found = { changed: new Set(), replacing: new Set() }));
    return found;
  };
  for (const resource of settled.resources) {
    for (const { attributes } of resource.instances) {
      for (const name of set.get(`${resource.type}.${resource.name}`) ?? []) {
        if (name === 'tags' || name === 'for_each') continue;
        const next = perturbed(attributes[name]);
        if (next === undefined) continue;
        attributes[name] = next;
        entry(resource.type).changed.add(name);
      }
    }
  }
  writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(settled));
  for (const change of plan(dir)) {
    const found = entry(change.type);
    for (const path of change.change.replace_paths ?? []) if (typeof path[0] === 'string' && found.changed.has(path[0])) found.replacing.add(path[0]);
  }
  return result;
}

describe('the attributes that replace a resource when they change', () => {
  it(
    'are exactly the ones the AWS provider replaces on, for every attribute paved sets on every resource type it emits',
    () => {
      if (missing) throw missing;
      const emitted = new Set(roots.flatMap((r) => resourceBlocks(r.items).map((b) => b.labels[0]!)));
      expect([...emitted].filter((type) => !(type in REPLACED_ON_CHANGE)).sort(), 'resource types paved emits without an entry in REPLACED_ON_CHANGE').toEqual(
        [],
      );
      const observed = new Map<string, { changed: Set<string>; replacing: Set<string> }>();
      covering(roots).forEach((root, i) => {
        for (const [type, found] of probe(root, i)) {
          const into = observed.get(type) ?? { changed: new Set<string>(), replacing: new Set<string>() };
          for (const name of found.changed) into.changed.add(name);
          for (const name of found.replacing) into.replacing.add(name);
          observed.set(type, into);
        }
      });
      const mismatches: string[] = [];
      for (const [type, { changed, replacing }] of [...observed].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const table = new Set((REPLACED_ON_CHANGE as Record<string, readonly string[]>)[type] ?? []);
        const expected = [...changed].filter((name) => table.has(name)).sort();
        const actual = [...replacing].sort();
        if (JSON.stringify(expected) !== JSON.stringify(actual))
          mismatches.push(`${type}: table ${JSON.stringify(expected)}, provider ${JSON.stringify(actual)} (of ${JSON.stringify([...changed].sort())})`);
      }
      expect(mismatches).toEqual([]);
      // The probe reached every type, and changed something on nearly all (a few set only references or nested blocks).
      expect([...emitted].filter((type) => !observed.has(type))).toEqual([]);
    },
    TIMEOUT,
  );

  it('name every stateful type paved emits, which a removal or replacement loses data of', () => {
    for (const type of STATEFUL_RESOURCE_TYPES) expect(REPLACED_ON_CHANGE, type).toHaveProperty(type);
  });

  it('say of every attribute paved sets on a stateful type whether it replaces or updates in place: the check takes any other for a replacement', () => {
    expect(Object.keys(UPDATED_IN_PLACE).sort()).toEqual([...STATEFUL_RESOURCE_TYPES].sort());
    const unknown = new Set<string>();
    const both = new Set<string>();
    for (const root of allRoots())
      for (const block of resourceBlocks(root.items)) {
        const type = block.labels[0]!;
        if (!(STATEFUL_RESOURCE_TYPES as readonly string[]).includes(type)) continue;
        const replacing = (REPLACED_ON_CHANGE as Record<string, readonly string[]>)[type]!;
        for (const item of block.body) {
          const name = item.kind === 'attribute' ? item.name : item.type;
          if (name === 'lifecycle') continue;
          const inPlace = UPDATED_IN_PLACE[type]!.includes(name);
          if (!inPlace && !replacing.includes(name)) unknown.add(`${type}.${name}`);
          if (inPlace && replacing.includes(name)) both.add(`${type}.${name}`);
        }
      }
    expect([...unknown].sort(), 'set by paved, in neither REPLACED_ON_CHANGE nor UPDATED_IN_PLACE').toEqual([]);
    expect([...both].sort(), 'in both tables').toEqual([]);
  });
});
