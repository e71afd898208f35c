/**
 * Recognizes credentials pasted into a spec. Patterns follow polaris'
 * sensitiveContainerEnvVar and checkov's secret checks (CKV_SECRET_2 AWS keys,
 * _6 high-entropy strings, _9 JWTs, _13 private keys). Messages never echo the value.
 */

const SECRET_KEY_NAME = /(pass(word|wd)?|secret|token|bearer|api_?key|private_?key|credential|access_?key)/i;

const SECRET_VALUES: ReadonlyArray<[RegExp, string]> = [
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----/, 'a private key'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, 'a JSON Web Token'],
  [/\b(sk|rk)_live_[A-Za-z0-9]{16,}/, 'a Stripe live key'],
  [/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/, 'a GitHub token'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/:\/\/[^/\s:@]+:[^/\s@]+@/, 'a URL with a password in it'],
];

/** Why the value looks like a secret, or undefined. `key` is the map key holding it. */
export function secretProblem(key: string | undefined, value: string): string | undefined {
  for (const [pattern, what] of SECRET_VALUES) if (pattern.test(value)) return `value looks like ${what}`;
  if (key !== undefined && SECRET_KEY_NAME.test(key) && value.trim() !== '') return `"${key}" looks like a secret but holds a literal value`;
  if (looksRandom(value)) return 'value looks like a random credential (long and high-entropy)';
  return undefined;
}

/** A long token of mixed letters and digits with high Shannon entropy. */
function looksRandom(value: string): boolean {
  if (value.length < 24 || !/^[A-Za-z0-9+/=_-]+$/.test(value)) return false;
  if (!/[0-9]/.test(value) || !/[a-z]/.test(value) || !/[A-Z]/.test(value)) return false;
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / value.length) * Math.log2(n / value.length);
  return entropy >= 4.2;
}
