import { WAIVERS as ACTIONS_WAIVERS } from '../../emitters/actions/waivers.js';
import { WAIVERS as KUBERNETES_WAIVERS } from '../../emitters/kubernetes/waivers.js';
import { WAIVERS as TERRAFORM_WAIVERS } from '../../emitters/terraform/waivers.js';

/** Every waiver the emitters declare, under the `<emitter>:<name>` a finding carries. */
export interface DeclaredWaiver {
  readonly id: string;
  readonly rules: readonly string[];
  readonly reason: string;
}

export const DECLARED_WAIVERS: readonly DeclaredWaiver[] = [
  ...Object.entries(TERRAFORM_WAIVERS).map(([name, w]) => ({ id: `terraform:${name}`, rules: w.rule.split(/, | \/ /), reason: w.reason })),
  ...Object.entries(KUBERNETES_WAIVERS).map(([name, w]) => ({ id: `kubernetes:${name}`, rules: w.rules, reason: w.reason })),
  ...Object.entries(ACTIONS_WAIVERS).map(([name, w]) => ({ id: `actions:${name}`, rules: w.rules, reason: w.reason })),
];
