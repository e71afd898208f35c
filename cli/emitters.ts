import { actionsEmitter } from '../emitters/actions/index.js';
import { catalogEmitter } from '../emitters/catalog/index.js';
import { devEmitter } from '../emitters/dev/index.js';
import { kubernetesEmitter } from '../emitters/kubernetes/index.js';
import { observabilityEmitter } from '../emitters/observability/index.js';
import { platformEmitter } from '../emitters/platform/index.js';
import { terraformEmitter } from '../emitters/terraform/index.js';
import type { Emitter } from '../spec/emitter.js';

/** Every target paved emits, in a fixed order. The compiler is handed this list. */
export const emitters: readonly Emitter[] = [
  catalogEmitter,
  kubernetesEmitter,
  terraformEmitter,
  observabilityEmitter,
  actionsEmitter,
  platformEmitter,
  devEmitter,
];
