import { attribute, attributes, block, type Block, type BodyItem } from '../shared/hcl.js';
import type { CloudEnvironment, Variable } from './context.js';

/** Each variable once, in first-use order; two concerns sharing one (vpc_id, multi_az) must agree on it. */
export function uniqueVariables(variables: readonly Variable[]): Variable[] {
  const seen = new Map<string, Variable>();
  for (const variable of variables) {
    const first = seen.get(variable.name);
    if (!first) seen.set(variable.name, variable);
    else if (first.description !== variable.description) throw new Error(`terraform emitter: variable ${variable.name} is declared twice, differently`);
  }
  return [...seen.values()];
}

/** variables.tf: no defaults, so a missing tfvars entry fails the plan instead of guessing. */
export function variableBlocks(variables: readonly Variable[]): Block[] {
  return variables.map((variable) =>
    block('variable', [variable.name], [
      ...attributes({ description: variable.description, type: variable.type, nullable: false }),
      ...(variable.validation ? [block('validation', [], attributes({ condition: variable.validation.condition, error_message: variable.validation.errorMessage }))] : []),
    ]),
  );
}

/** env/<env>.tfvars: the value of every variable in that environment. */
export function tfvarsItems(variables: readonly Variable[], env: CloudEnvironment): BodyItem[] {
  return variables.map((variable) => attribute(variable.name, variable.value(env)));
}
