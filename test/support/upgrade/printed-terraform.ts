import { attribute, block, call, escapeString, quote, raw, template, type BodyItem, type Expression } from '../../../emitters/shared/hcl.js';
import type { GeneratedFile } from '../../../spec/emitter.js';
import { parseHcl, type Body, type Expr, type Step } from '../wiring/hcl.js';

/**
 * Printed Terraform read back into the typed HCL the emitters build
 * (emitters/shared/hcl.ts), so compiler/terraform-changes.ts classifies a
 * committed golden tree exactly as it classifies a compile's values in
 * `paved diff`. References, operators and conditionals become raw text as
 * printed (`var.buckets["uploads"].bucket`), which is what the emitters' raw
 * values hold and what terraformChanges resolves through tfvars.
 */
export function terraformFile(path: string, text: string): GeneratedFile {
  return { path, contents: text, source: path, value: bodyItems(parseHcl(path, text)) };
}

/** A .tf or .tfvars file is read; anything else (YAML, .tfbackend, JSON) is kept as text only. */
export const isTerraformSource = (path: string): boolean => path.endsWith('.tf') || path.endsWith('.tfvars');

function bodyItems(body: Body): BodyItem[] {
  return [...body.attributes.map((a) => attribute(a.name, expression(a.value))), ...body.blocks.map((b) => block(b.type, b.labels, bodyItems(b.body)))];
}

function expression(expr: Expr): Expression {
  switch (expr.kind) {
    case 'literal':
      return expr.value === null ? raw('null') : expr.value;
    case 'template':
      return template(...expr.parts.map((part) => (typeof part === 'string' ? part : raw(source(part)))));
    case 'tuple':
      return expr.items.map(expression);
    case 'object':
      return {
        kind: 'object',
        entries: expr.items.map((item) => [item.key.kind === 'literal' ? String(item.key.value) : source(item.key), expression(item.value)] as const),
      };
    case 'call':
      return call(expr.name, ...expr.args.map(expression));
    default:
      return raw(source(expr));
  }
}

/** An expression's text as the printer writes it. */
function source(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'string' ? quote(expr.value) : String(expr.value);
    case 'template':
      return `"${expr.parts.map((part) => (typeof part === 'string' ? escapeString(part) : `\${${source(part)}}`)).join('')}"`;
    case 'tuple':
      return `[${expr.items.map(source).join(', ')}]`;
    case 'object':
      return `{ ${expr.items.map((item) => `${source(item.key)} = ${source(item.value)}`).join(', ')} }`;
    case 'traversal':
      return expr.root + steps(expr.steps);
    case 'postfix':
      return source(expr.target) + steps(expr.steps);
    case 'call':
      return `${expr.name}(${expr.args.map(source).join(', ')})`;
    case 'operation':
      return expr.operands.length === 1 ? `${expr.operator}${source(expr.operands[0]!)}` : expr.operands.map(source).join(` ${expr.operator} `);
    case 'conditional':
      return `${source(expr.condition)} ? ${source(expr.then)} : ${source(expr.otherwise)}`;
    case 'for':
      return expr.text;
  }
}

const steps = (list: readonly Step[]): string =>
  list.map((step) => (step.kind === 'attribute' ? `.${step.name}` : step.kind === 'splat' ? '[*]' : `[${source(step.key)}]`)).join('');
