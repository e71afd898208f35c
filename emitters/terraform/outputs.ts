import { attributes, block, type Block } from '../shared/hcl.js';
import type { Output } from './context.js';

/** outputs.tf: names, endpoints and ARNs for the Kubernetes side and operators; never a secret value. */
export function outputBlocks(outputs: readonly Output[]): Block[] {
  return outputs.map((output) => block('output', [output.name], attributes({ description: output.description, value: output.value })));
}
