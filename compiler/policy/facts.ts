/**
 * Facts derived once from a policy target (or from one part of it: a stack, a
 * workflow) and shared by every rule that reads them: ninety rules re-deriving
 * pod templates, objects by kind or parsed tfvars cost more than the checks.
 *
 * Facts are kept for one run of the rules (`sharingFacts`) and dropped with it;
 * outside a run each read derives anew. Not in a module-wide WeakMap: that map
 * lives in the old generation while its keys, a service's output, are young,
 * and V8's young-generation collector keeps the values of such entries alive.
 * Every service's output was then copied and promoted to the old generation
 * (about 200 MB in a compile of 300 services, and a quarter of its time in
 * collection).
 *
 * A derivation that throws on malformed output is not kept: each rule that
 * reads the fact derives it again and throws the same error, so the throw
 * stays a finding of each such rule (registry.ts runRule) and no rule sees a
 * fact another rule could not read.
 *
 * What a fact holds is shared: rules only read it (the arrays it makes are
 * frozen, and test/unit/policy-facts.test.ts runs every rule over frozen output).
 */

/** The facts of the run under way, by derivation and key; undefined between runs. */
let known: Map<(key: never) => unknown, Map<object, unknown>> | undefined;

/** Runs `run` with facts shared by everything it reads, then drops them; inside a run already, it joins that run. */
export function sharingFacts<T>(run: () => T): T {
  if (known !== undefined) return run();
  known = new Map();
  try {
    return run();
  } finally {
    known = undefined;
  }
}

/** `derive` as a fact: each key's answer derived once in the run under way. */
export function fact<K extends object, T>(derive: (key: K) => T): (key: K) => T {
  return (key) => {
    // Malformed output can put a string or null where an object belongs: derived each time, as a rule would.
    if (known === undefined || typeof key !== 'object' || key === null) return derive(key);
    let values = known.get(derive) as Map<K, T> | undefined;
    if (values === undefined) known.set(derive, (values = new Map()));
    const found = values.get(key);
    if (found !== undefined || values.has(key)) return found as T;
    const value = derive(key);
    values.set(key, value);
    return value;
  };
}

/** Items grouped by a key, each group in the items' order. */
export function groupedBy<T>(items: readonly T[], keyOf: (item: T) => string): ReadonlyMap<string, readonly T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  for (const group of groups.values()) Object.freeze(group);
  return groups;
}

/** An empty list to return for a missing group, shared and frozen. */
export const NONE: readonly never[] = Object.freeze([]);

/**
 * A fact with an argument: each answer derived once per key (a target, a
 * stack) and argument, e.g. a test of every label value, which recurs across
 * a target's objects. A derivation that throws is not kept, as with `fact`.
 */
export function factBy<K extends object, A, T>(derive: (key: K, argument: A) => T): (key: K, argument: A) => T {
  const answers = fact((_key: K) => new Map<A, T>());
  return (key, argument) => {
    const known = answers(key);
    if (known.has(argument)) return known.get(argument) as T;
    const answer = derive(key, argument);
    known.set(argument, answer);
    return answer;
  };
}
