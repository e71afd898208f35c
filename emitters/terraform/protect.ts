import type { ResolvedService } from '../../spec/model.js';
import { acknowledgesLoss, isStateful, resourceEntry, subscriptionEntries, WHOLE_SERVICE } from '../shared/data-loss.js';
import { attribute, block, type Block, type BodyItem } from '../shared/hcl.js';
import type { StackFile } from './stack.js';

/**
 * Stateful resources (databases, caches, buckets, queues, topics, keys and
 * secrets) carry `lifecycle { prevent_destroy = true }`, so a plan that would
 * destroy or replace one fails at plan time, in every environment, unless the
 * service acknowledges it under `dataLoss:`. Applied after the overrides, so no
 * patch can take it away. It guards what stays in the configuration only: a
 * resource removed from the spec leaves with its lifecycle block, which is
 * what `paved check --base` is for.
 */
export function protectStatefulResources(files: readonly StackFile[], service: ResolvedService): StackFile[] {
  const subscriptions = subscriptionEntries(service.resources.subscriptions);
  const protect = (item: BodyItem): BodyItem => {
    if (item.kind !== 'block' || item.type !== 'resource' || !isStateful(item.labels[0]!)) return item;
    const entry = resourceEntry(item.body, subscriptions);
    return acknowledgesLoss(service, entry ?? WHOLE_SERVICE) ? item : withPreventDestroy(item);
  };
  return files.map((file) => (file.path.endsWith('.tf') ? { path: file.path, items: file.items.map(protect) } : file));
}

/** The block with prevent_destroy set in its lifecycle block, which goes last as Terraform's style has it. */
function withPreventDestroy(resource: Block): Block {
  const lifecycle = resource.body.find((i): i is Block => i.kind === 'block' && i.type === 'lifecycle');
  const kept = lifecycle ? lifecycle.body.filter((i) => !(i.kind === 'attribute' && i.name === 'prevent_destroy')) : [];
  const body = [...resource.body.filter((i) => i !== lifecycle), block('lifecycle', [], [attribute('prevent_destroy', true), ...kept])];
  return block(resource.type, resource.labels, body, resource.comments);
}
