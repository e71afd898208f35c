/**
 * An evaluator for the subset of GitHub Actions expressions paved writes
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions):
 * context references with property paths, string literals, `==`, `!=`, `!`,
 * `&&`, `||`, parentheses, and the status functions `success()`, `always()`,
 * `cancelled()`, `failure()`. Semantics as documented there: `&&` and `||`
 * return an operand, not a boolean; `==` compares strings ignoring case; a
 * missing property is null; null, false, 0 and '' are falsy; comparing values
 * of different types converts both to numbers (null is 0). Anything outside the
 * subset throws, so a test cannot silently evaluate what paved never writes.
 *
 * Job conditions follow GitHub's rules: a condition with no status function
 * is `success() && (<condition>)`; success() is true when every job in `needs`
 * succeeded (a skipped or failed need skips the job).
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type Contexts = Readonly<Record<string, Json>>;
export type JobResult = 'success' | 'failure' | 'skipped' | 'cancelled';

interface Status {
  /** The results of the jobs in `needs`. */
  readonly needs: readonly JobResult[];
  readonly cancelled?: boolean;
}

type Token = { kind: 'op'; value: string } | { kind: 'string'; value: string } | { kind: 'ident'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ') i++;
    else if (text.startsWith('==', i) || text.startsWith('!=', i) || text.startsWith('&&', i) || text.startsWith('||', i)) {
      tokens.push({ kind: 'op', value: text.slice(i, i + 2) });
      i += 2;
    } else if ('()!'.includes(c)) {
      tokens.push({ kind: 'op', value: c });
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated string in ${text}`);
      tokens.push({ kind: 'string', value: text.slice(i + 1, end) });
      i = end + 1;
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(text.slice(i));
      if (!match) throw new Error(`unexpected ${JSON.stringify(c)} in ${text}`);
      tokens.push({ kind: 'ident', value: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

const truthy = (v: Json): boolean => !(v === null || v === false || v === 0 || v === '');
const toNumber = (v: Json): number =>
  v === null ? 0 : typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' ? (v.trim() === '' ? 0 : Number(v)) : NaN;
function equals(a: Json, b: Json): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== 'object' || a === null)) return a === b;
  return toNumber(a) === toNumber(b);
}

const STATUS_FUNCTIONS = ['success', 'always', 'cancelled', 'failure'];

function lookup(contexts: Contexts, path: string): Json {
  const [root, ...rest] = path.split('.');
  if (!(root! in contexts)) throw new Error(`unknown context ${root} in ${path}`);
  let value: Json = contexts[root!]!;
  for (const key of rest) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? ((value as Record<string, Json>)[key] ?? null) : null;
  return value;
}

/** Evaluates one expression (without `${{ }}`). */
export function evaluate(text: string, contexts: Contexts, status: Status = { needs: [] }): Json {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isOp = (value: string): boolean => peek()?.kind === 'op' && peek()!.value === value;
  const expect = (value: string): void => {
    if (!isOp(value)) throw new Error(`expected ${value} at token ${at} of ${text}`);
    at++;
  };
  const primary = (): Json => {
    const token = tokens[at++];
    if (!token) throw new Error(`unexpected end of ${text}`);
    if (token.kind === 'string') return token.value;
    if (token.kind === 'op' && token.value === '(') {
      const value = or();
      expect(')');
      return value;
    }
    if (token.kind === 'op' && token.value === '!') return !truthy(primary());
    if (token.kind === 'ident') {
      if (token.value === 'true' || token.value === 'false') return token.value === 'true';
      if (STATUS_FUNCTIONS.includes(token.value) && isOp('(')) {
        expect('(');
        expect(')');
        const cancelled = status.cancelled ?? false;
        if (token.value === 'always') return true;
        if (token.value === 'cancelled') return cancelled;
        if (token.value === 'failure') return status.needs.includes('failure');
        return !cancelled && status.needs.every((r) => r === 'success');
      }
      return lookup(contexts, token.value);
    }
    throw new Error(`unexpected ${token.value} in ${text}`);
  };
  const comparison = (): Json => {
    let left = primary();
    while (isOp('==') || isOp('!=')) {
      const op = tokens[at++]!.value;
      const right = primary();
      left = op === '==' ? equals(left, right) : !equals(left, right);
    }
    return left;
  };
  const and = (): Json => {
    let left = comparison();
    while (isOp('&&')) {
      at++;
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Json => {
    let left = and();
    while (isOp('||')) {
      at++;
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`trailing tokens in ${text}`);
  return value;
}

/** A value as the runner sees it: every `${{ … }}` replaced by its result as text. */
export function interpolate(value: string, contexts: Contexts, status?: Status): string {
  return value.replace(/\$\{\{ (.*?) \}\}/g, (_, inner: string) => {
    const result = evaluate(inner, contexts, status);
    return result === null ? '' : typeof result === 'object' ? JSON.stringify(result) : String(result);
  });
}

/** Whether a job (or step) with this `if:` runs, by GitHub's rules. */
export function conditionHolds(condition: string | undefined, contexts: Contexts, status: Status): boolean {
  const text = condition === undefined ? 'success()' : condition.trim().replace(/^\$\{\{ ([^]*) \}\}$/, '$1');
  const usesStatus = STATUS_FUNCTIONS.some((f) => new RegExp(`\\b${f}\\(\\)`).test(text));
  return truthy(evaluate(usesStatus ? text : `success() && (${text})`, contexts, status));
}

interface SimulatedJob {
  readonly if?: string;
  readonly needs?: readonly string[];
}

/**
 * Which jobs of a workflow run for one event, and with what result: jobs in
 * `needs` order; a job that runs gets the result `ran(id)` gives it (success
 * by default), its outputs come from `outputs(id)`.
 */
export function simulate(
  jobs: Readonly<Record<string, SimulatedJob>>,
  contexts: Contexts,
  options: { readonly result?: (id: string) => JobResult; readonly outputs?: (id: string) => Readonly<Record<string, string>> } = {},
): Record<string, JobResult> {
  const results: Record<string, JobResult> = {};
  const needsContext: Record<string, Json> = {};
  const pending = Object.keys(jobs);
  while (pending.length > 0) {
    const index = pending.findIndex((id) => (jobs[id]!.needs ?? []).every((n) => n in results));
    if (index < 0) throw new Error(`a needs cycle or an unknown need among ${pending.join(', ')}`);
    const id = pending.splice(index, 1)[0]!;
    const job = jobs[id]!;
    const needs = job.needs ?? [];
    const scoped = { ...contexts, needs: Object.fromEntries(needs.map((n) => [n, needsContext[n]!])) };
    const runs = conditionHolds(job.if, scoped, { needs: needs.map((n) => results[n]!) });
    results[id] = runs ? (options.result?.(id) ?? 'success') : 'skipped';
    needsContext[id] = { result: results[id], outputs: runs ? { ...(options.outputs?.(id) ?? {}) } : {} };
  }
  return results;
}
