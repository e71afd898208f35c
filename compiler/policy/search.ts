/**
 * `pattern.test(value)`, skipping the regular expression when `value` is a
 * string without `literal` (or any of `literal`), text every match of `pattern` holds.
 * The audits run several expressions over every step's script and the whole
 * workflow; most scripts hold none of what they look for, and a substring
 * search rules that out faster than the expression does.
 */
export function matches(pattern: RegExp, literal: string | readonly string[], value: unknown): boolean {
  if (typeof value === 'string' && (typeof literal === 'string' ? !value.includes(literal) : !literal.some((l) => value.includes(l)))) return false;
  return pattern.test(value as string);
}
