/**
 * Appends `items` to `target` in place. A loop, not `target.push(...items)`: a
 * spread passes every item as an argument, and past ~120,000 of them (fewer
 * deeper in the stack) V8 throws RangeError. Lists that grow with the input,
 * such as diagnostics across every spec or the files of a whole tree, go
 * through here, so a large repository or a hostile spec cannot crash paved.
 */
export function append<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
