import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseHcl, type Attribute, type Block, type Body, type Expr, type Step } from './hcl.js';

/**
 * Terraform roots as an engineer applying them sees them: every `.tf` file of a
 * folder, one `env/<env>.tfvars` per environment, and the resources with their
 * attributes evaluated through those tfvars. What only apply can know (another
 * resource's ARN, a data source) stays an Unknown that names its expression.
 */

export class Unknown {
  constructor(readonly expression: string) {}
}

export type Value = string | number | boolean | null | Unknown | readonly Value[] | { readonly [key: string]: Value };

export interface TerraformFile {
  /** Relative to the output directory, POSIX. */
  readonly path: string;
  readonly body: Body;
}

export interface Tfvars {
  readonly path: string;
  readonly values: Readonly<Record<string, Value>>;
}

export interface TerraformRoot {
  /** Relative to the output directory, POSIX. */
  readonly dir: string;
  readonly files: readonly TerraformFile[];
  /** By environment name (the tfvars file's name). */
  readonly tfvars: ReadonlyMap<string, Tfvars>;
}

export interface Resource {
  readonly type: string;
  readonly name: string;
  /** `for_each` key or `count` index, when the block has one. */
  readonly key?: string | number;
  readonly file: string;
  readonly block: Block;
  /** `aws_iam_role.service` or `aws_iam_role.service["k"]`. */
  readonly address: string;
  readonly scope: Scope;
}

/** What expressions of one root in one environment can read. */
export interface Scope {
  readonly vars: Readonly<Record<string, Value>>;
  readonly locals: ReadonlyMap<string, Expr>;
  readonly each?: { readonly key: Value; readonly value: Value };
  readonly count?: number;
}

function posix(path: string): string {
  return path.split('\\').join('/');
}

/** Every folder at or below `dir` holding `.tf` files is a root; `env/` holds its tfvars. */
export function loadTerraformRoots(outputDir: string, dir: string): TerraformRoot[] {
  const roots: TerraformRoot[] = [];
  const absolute = join(outputDir, dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) return roots;
  const entries = readdirSync(absolute, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tf = entries.filter((e) => e.isFile() && e.name.endsWith('.tf'));
  if (tf.length > 0) {
    const files = tf.map((e) => {
      const path = posix(join(dir, e.name));
      return { path, body: parseHcl(path, readFileSync(join(absolute, e.name), 'utf8')) };
    });
    const tfvars = new Map<string, Tfvars>();
    const envDir = join(absolute, 'env');
    if (existsSync(envDir)) {
      for (const name of readdirSync(envDir).sort()) {
        if (!name.endsWith('.tfvars')) continue;
        const path = posix(join(dir, 'env', name));
        tfvars.set(name.slice(0, -'.tfvars'.length), { path, values: readTfvars(path, readFileSync(join(envDir, name), 'utf8')) });
      }
    }
    roots.push({ dir: posix(dir), files, tfvars });
  }
  for (const e of entries) {
    if (e.isDirectory() && e.name !== 'env' && !e.name.startsWith('.')) roots.push(...loadTerraformRoots(outputDir, join(dir, e.name)));
  }
  return roots;
}

/** A tfvars file: attributes whose values are literals. */
export function readTfvars(path: string, text: string): Record<string, Value> {
  const body = parseHcl(path, text);
  const empty: Scope = { vars: {}, locals: new Map() };
  return Object.fromEntries(body.attributes.map((a) => [a.name, evaluate(a.value, empty)]));
}

/** The scope of a root in one environment: tfvars over variable defaults; locals unevaluated until read. */
export function rootScope(root: TerraformRoot, env: string): Scope {
  const vars: Record<string, Value> = {};
  const locals = new Map<string, Expr>();
  const empty: Scope = { vars: {}, locals: new Map() };
  for (const file of root.files) {
    for (const block of file.body.blocks) {
      if (block.type === 'variable' && block.labels[0] !== undefined) {
        const fallback = attribute(block.body, 'default');
        vars[block.labels[0]] = fallback ? evaluate(fallback.value, empty) : new Unknown(`var.${block.labels[0]}`);
      }
      if (block.type === 'locals') for (const a of block.body.attributes) locals.set(a.name, a.value);
    }
  }
  Object.assign(vars, root.tfvars.get(env)?.values ?? {});
  return { vars, locals };
}

export function attribute(body: Body, name: string): Attribute | undefined {
  return body.attributes.find((a) => a.name === name);
}

/** Every resource instance of a root in one environment; `for_each` and `count` expand when their value is known. */
export function resources(root: TerraformRoot, env: string): Resource[] {
  const scope = rootScope(root, env);
  const out: Resource[] = [];
  for (const file of root.files) {
    for (const block of file.body.blocks) {
      if (block.type !== 'resource' || block.labels.length < 2) continue;
      const type = block.labels[0] as string;
      const name = block.labels[1] as string;
      const base = { type, name, file: file.path, block };
      const forEach = attribute(block.body, 'for_each');
      const count = attribute(block.body, 'count');
      if (forEach) {
        const value = evaluate(forEach.value, scope);
        const entries: [string, Value][] = Array.isArray(value) ? (value as Value[]).map((v) => [String(v), v]) : isObject(value) ? Object.entries(value) : [];
        for (const [key, v] of entries)
          out.push({ ...base, key, address: `${type}.${name}[${JSON.stringify(key)}]`, scope: { ...scope, each: { key, value: v } } });
      } else if (count) {
        const value = evaluate(count.value, scope);
        // A count only AWS can answer (a subscription exists while its topic does: emitters/terraform/subscriptions.ts)
        // is read as one instance, so its wiring is checked for when it is created.
        const n = typeof value === 'number' ? value : 1;
        for (let i = 0; i < n; i += 1) out.push({ ...base, key: i, address: `${type}.${name}[${i}]`, scope: { ...scope, count: i } });
      } else out.push({ ...base, address: `${type}.${name}`, scope });
    }
  }
  return out;
}

/** A resource attribute, evaluated; undefined when the block does not set it. */
export function resourceValue(resource: Resource, name: string): Value | undefined {
  const a = attribute(resource.block.body, name);
  return a === undefined ? undefined : evaluate(a.value, resource.scope);
}

export function resourceExpr(resource: Resource, name: string): Expr | undefined {
  return attribute(resource.block.body, name)?.value;
}

export function isObject(value: Value | undefined): value is { readonly [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unknown);
}

function known(value: Value): boolean {
  if (value instanceof Unknown) return false;
  if (Array.isArray(value)) return value.every(known);
  if (isObject(value)) return Object.values(value).every(known);
  return true;
}

function step(value: Value, s: Step, scope: Scope, source: string): Value {
  if (value instanceof Unknown) return new Unknown(source);
  if (s.kind === 'splat') return new Unknown(source);
  const key = s.kind === 'attribute' ? s.name : evaluate(s.key, scope);
  if (key instanceof Unknown) return new Unknown(source);
  if (Array.isArray(value) && typeof key === 'number') return (value as Value[])[key] ?? new Unknown(source);
  if (isObject(value) && (typeof key === 'string' || typeof key === 'number')) return value[String(key)] ?? new Unknown(source);
  return new Unknown(source);
}

/** Evaluates what tfvars and literals decide; everything else is Unknown, naming its source. */
export function evaluate(expr: Expr, scope: Scope): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'template': {
      let text = '';
      for (const part of expr.parts) {
        const v = typeof part === 'string' ? part : evaluate(part, scope);
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') text += String(v);
        else return new Unknown(show(expr));
      }
      return text;
    }
    case 'tuple':
      return expr.items.map((i) => evaluate(i, scope));
    case 'object': {
      const out: Record<string, Value> = {};
      for (const item of expr.items) {
        const key = evaluate(item.key, scope);
        if (typeof key !== 'string' && typeof key !== 'number') return new Unknown(show(expr));
        out[String(key)] = evaluate(item.value, scope);
      }
      return out;
    }
    case 'traversal': {
      const source = show(expr);
      let value: Value;
      let steps = expr.steps;
      const first = steps[0];
      if (expr.root === 'var' && first?.kind === 'attribute') {
        value = scope.vars[first.name] ?? new Unknown(source);
        steps = steps.slice(1);
      } else if (expr.root === 'local' && first?.kind === 'attribute') {
        const local = scope.locals.get(first.name);
        value = local ? evaluate(local, scope) : new Unknown(source);
        steps = steps.slice(1);
      } else if (expr.root === 'each' && first?.kind === 'attribute' && scope.each) {
        value = first.name === 'key' ? scope.each.key : first.name === 'value' ? scope.each.value : new Unknown(source);
        steps = steps.slice(1);
      } else if (expr.root === 'count' && first?.kind === 'attribute' && first.name === 'index' && scope.count !== undefined) {
        value = scope.count;
        steps = steps.slice(1);
      } else return new Unknown(source);
      for (const s of steps) value = step(value, s, scope, source);
      return value;
    }
    case 'call':
      return call(expr, scope);
    case 'conditional': {
      const condition = evaluate(expr.condition, scope);
      if (typeof condition === 'boolean') return evaluate(condition ? expr.then : expr.otherwise, scope);
      return new Unknown(show(expr));
    }
    default:
      return new Unknown(show(expr));
  }
}

function call(expr: Extract<Expr, { kind: 'call' }>, scope: Scope): Value {
  const args = expr.args.map((a) => evaluate(a, scope));
  switch (expr.name) {
    case 'jsonencode':
      return args[0] !== undefined && known(args[0]) ? JSON.stringify(args[0]) : new Unknown(show(expr));
    case 'merge':
      return args.every(isObject) ? Object.assign({}, ...args) : new Unknown(show(expr));
    case 'tostring':
      return typeof args[0] === 'string' || typeof args[0] === 'number' ? String(args[0]) : new Unknown(show(expr));
    case 'lookup': {
      const [map, key, fallback] = args;
      if (isObject(map) && typeof key === 'string') return map[key] ?? fallback ?? new Unknown(show(expr));
      return new Unknown(show(expr));
    }
    default:
      return new Unknown(show(expr));
  }
}

/** The keys of `jsonencode({…})` (or of `jsonencode(merge({…}, …))` when every part is an object literal); undefined when they cannot be known. */
export function jsonencodedKeys(expr: Expr | undefined, scope: Scope): string[] | undefined {
  if (expr?.kind !== 'call' || expr.name !== 'jsonencode' || expr.args.length !== 1) return undefined;
  const keysOf = (e: Expr): string[] | undefined => {
    if (e.kind === 'object') {
      const keys: string[] = [];
      for (const item of e.items) {
        const key = evaluate(item.key, scope);
        if (typeof key !== 'string') return undefined;
        keys.push(key);
      }
      return keys;
    }
    if (e.kind === 'call' && e.name === 'merge') {
      const parts = e.args.map(keysOf);
      return parts.every((p) => p !== undefined) ? [...new Set(parts.flat() as string[])] : undefined;
    }
    const value = evaluate(e, scope);
    return isObject(value) ? Object.keys(value) : undefined;
  };
  return keysOf(expr.args[0] as Expr);
}

/** `aws_secretsmanager_secret.name.id` → the resource address it names, if the expression is a plain reference to a resource attribute. */
export function referencedResource(expr: Expr | undefined): { type: string; name: string; attribute: string } | undefined {
  if (expr?.kind !== 'traversal' || ['var', 'local', 'each', 'count', 'data', 'module', 'path', 'terraform', 'self'].includes(expr.root)) return undefined;
  const [name, attr] = expr.steps;
  if (name?.kind !== 'attribute') return undefined;
  if (attr?.kind === 'attribute') return { type: expr.root, name: name.name, attribute: attr.name };
  const third = expr.steps[2];
  if (attr?.kind === 'index' && third?.kind === 'attribute') return { type: expr.root, name: name.name, attribute: third.name };
  return undefined;
}

/** Source text of an expression, for messages. */
export function show(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return JSON.stringify(expr.value);
    case 'template':
      return `"${expr.parts.map((p) => (typeof p === 'string' ? p : `\${${show(p)}}`)).join('')}"`;
    case 'tuple':
      return `[${expr.items.map(show).join(', ')}]`;
    case 'object':
      return `{ ${expr.items.map((i) => `${i.key.kind === 'literal' ? String(i.key.value) : show(i.key)} = ${show(i.value)}`).join(', ')} }`;
    case 'traversal':
      return expr.root + expr.steps.map(showStep).join('');
    case 'postfix':
      return show(expr.target) + expr.steps.map(showStep).join('');
    case 'call':
      return `${expr.name}(${expr.args.map(show).join(', ')})`;
    case 'operation':
      return expr.operands.length === 1 ? `${expr.operator}${show(expr.operands[0] as Expr)}` : expr.operands.map(show).join(` ${expr.operator} `);
    case 'conditional':
      return `${show(expr.condition)} ? ${show(expr.then)} : ${show(expr.otherwise)}`;
    case 'for':
      return `[${expr.source}]`;
  }
}

function showStep(s: Step): string {
  if (s.kind === 'attribute') return `.${s.name}`;
  if (s.kind === 'splat') return '[*]';
  return `[${show(s.key)}]`;
}

/** A value for messages. */
export function showValue(value: Value | undefined): string {
  if (value === undefined) return '(unset)';
  if (value instanceof Unknown) return `(known after apply: ${value.expression})`;
  return JSON.stringify(value);
}
