/**
 * Recognizes credentials pasted into a spec. Patterns follow polaris'
 * sensitiveContainerEnvVar and checkov's secret checks (CKV_SECRET_2 AWS keys,
 * _6 high-entropy strings, _9 JWTs, _13 private keys). Messages never echo the value.
 *
 * Every check runs in time linear in the value (test/property/redteam/cost.test.ts times
 * each on adversarial 1 MiB inputs): a regular expression here either has a
 * bounded repetition or an unbounded one that cannot be re-entered from many
 * starting points, and the JSON Web Token, whose segments are unbounded runs of
 * the same characters, is found by a scanner instead.
 */

const SECRET_KEY_NAME = /(pass(word|wd)?|secret|token|bearer|api_?key|private_?key|credential|access_?key)/i;

/** One kind of credential: how to recognize it, and what to call it. */
export interface SecretDetector {
  readonly what: string;
  readonly test: (value: string) => boolean;
}

const pattern = (re: RegExp, what: string): SecretDetector => ({ what, test: (value) => re.test(value) });

export const SECRET_DETECTORS: readonly SecretDetector[] = [
  pattern(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, 'an AWS access key id'),
  // `[A-Z ]*` stops at the next "-", and every start needs "-----BEGIN ": runs never overlap.
  pattern(/-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----/, 'a private key'),
  { what: 'a JSON Web Token', test: looksLikeJwt },
  // Unbounded tails with nothing after them: the first long enough run matches at once.
  pattern(/\b(sk|rk)_live_[A-Za-z0-9]{16}/, 'a Stripe live key'),
  pattern(/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40}/, 'a GitHub token'),
  pattern(/\bxox[abpr]-[A-Za-z0-9-]{10}/, 'a Slack token'),
  pattern(/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'),
  // Both runs stop at "/", and every start needs "://": runs never overlap.
  pattern(/:\/\/[^/\s:@]+:[^/\s@]+@/, 'a URL with a password in it'),
];

/** Why the value looks like a secret, or undefined. `key` is the map key holding it. */
export function secretProblem(key: string | undefined, value: string): string | undefined {
  for (const detector of SECRET_DETECTORS) if (detector.test(value)) return `value looks like ${detector.what}`;
  if (key !== undefined && SECRET_KEY_NAME.test(key) && value.trim() !== '') return `"${key}" looks like a secret but holds a literal value`;
  if (looksRandom(value)) return 'value looks like a random credential (long and high-entropy)';
  return undefined;
}

const isTokenCharacter = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x2d;
const isWordCharacter = (code: number): boolean => code !== 0x2d && isTokenCharacter(code);

/**
 * `\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+` in one pass.
 * The regular expression rescans the rest of a run from every "eyJ" inside it
 * (quadratic); since a segment always ends where its run of base64url
 * characters ends, the end of each run is computed once, back to front.
 */
export function looksLikeJwt(value: string): boolean {
  const n = value.length;
  const runEnd = new Int32Array(n + 1);
  runEnd[n] = n;
  for (let i = n - 1; i >= 0; i--) runEnd[i] = isTokenCharacter(value.charCodeAt(i)) ? runEnd[i + 1]! : i;
  const segment = (start: number): number | undefined => {
    // "eyJ" and at least 8 more characters, ending at a ".".
    if (!value.startsWith('eyJ', start)) return undefined;
    const end = runEnd[start + 3]!;
    return end - (start + 3) >= 8 && value.charCodeAt(end) === 0x2e ? end : undefined;
  };
  for (let i = value.indexOf('eyJ'); i >= 0; i = value.indexOf('eyJ', i + 1)) {
    if (i > 0 && isWordCharacter(value.charCodeAt(i - 1))) continue;
    const header = segment(i);
    if (header === undefined) continue;
    const payload = segment(header + 1);
    if (payload !== undefined && isTokenCharacter(value.charCodeAt(payload + 1))) return true;
  }
  return false;
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
