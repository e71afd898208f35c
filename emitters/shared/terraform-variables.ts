import type { EnvironmentName } from '../../spec/model.js';
import { attribute, block, type Block, type BodyItem, type Expression } from './hcl.js';

/**
 * The inputs and outputs of a Terraform root paved writes (a service stack, its
 * subscriptions root, the platform root): the .tf files are the same for
 * staging and production, and what differs is a variable with a value per
 * environment in env/<env>.tfvars.
 */

export type CloudEnvironment = Extract<EnvironmentName, 'staging' | 'production'>;

export interface Variable {
  readonly name: string;
  readonly description: string;
  readonly type: Expression;
  readonly validation?: { readonly condition: Expression; readonly errorMessage: string };
  readonly value: (env: CloudEnvironment) => Expression;
}

export interface Output {
  readonly name: string;
  readonly description: string;
  readonly value: Expression;
}

/** Each variable once, in first-use order; two concerns sharing one (vpc_id, multi_az) must agree on it. */
export function uniqueVariables(variables: readonly Variable[]): Variable[] {
  const seen = new Map<string, Variable>();
  for (const variable of variables) {
    const first = seen.get(variable.name);
    if (!first) seen.set(variable.name, variable);
    else if (first.description !== variable.description) throw new Error(`terraform variables: ${variable.name} is declared twice, differently`);
  }
  return [...seen.values()];
}

/** variables.tf: no defaults, so a missing tfvars entry fails the plan instead of guessing. */
export function variableBlocks(variables: readonly Variable[]): Block[] {
  return variables.map((variable) => {
    const body: BodyItem[] = [attribute('description', variable.description), attribute('type', variable.type), attribute('nullable', false)];
    const { validation } = variable;
    if (validation) body.push(block('validation', [], [attribute('condition', validation.condition), attribute('error_message', validation.errorMessage)]));
    return block('variable', [variable.name], body);
  });
}

/** env/<env>.tfvars: the value of every variable in that environment. */
export function tfvarsItems(variables: readonly Variable[], env: CloudEnvironment): BodyItem[] {
  return variables.map((variable) => attribute(variable.name, variable.value(env)));
}
