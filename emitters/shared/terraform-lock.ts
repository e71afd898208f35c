/**
 * The one provider build every Terraform root paved emits is locked to, and the
 * version constraints that must admit it. Like the action pins
 * (emitters/actions/pins.ts), this is the only place the version and its hashes
 * are written; every root's `.terraform.lock.hcl` is printed from it
 * (serialize.ts terraformLockFile), so `terraform init` installs this exact
 * build in CI and on every machine, between plan and apply alike.
 *
 * To update it: put the new provider in the offline mirror, run
 * `terraform providers lock -fs-mirror=<mirror> -platform=linux_amd64` in a root
 * that requires it and copy `version` and the `h1:` hash here; add the
 * release's `zh:` hashes (`terraform providers lock` against the registry
 * writes them, as the release's signed SHA256SUMS lists them), then
 * `npm run fixtures:update` and review the diff. test/conformance/terraform-lock.test.ts
 * fails until the h1 equals what Terraform writes and init accepts the file read-only.
 */
export interface LockedProvider {
  /** The provider's full source address, as the lock file names it. */
  readonly address: string;
  /** Exact version, major.minor.patch. */
  readonly version: string;
  /** The `h1:` hash of the package's contents (linux_amd64), then the release's `zh:` zip hashes, one per platform. */
  readonly hashes: readonly string[];
  /** Where the hashes come from, for the next reviewer. */
  readonly verified: string;
}

export const LOCKED_AWS_PROVIDER: LockedProvider = {
  address: 'registry.terraform.io/hashicorp/aws',
  version: '5.100.0',
  hashes: [
    'h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=',
    'zh:054b8dd49f0549c9a7cc27d159e45327b7b65cf404da5e5a20da154b90b8a644',
    'zh:0b97bf8d5e03d15d83cc40b0530a1f84b459354939ba6f135a0086c20ebbe6b2',
    'zh:1589a2266af699cbd5d80737a0fe02e54ec9cf2ca54e7e00ac51c7359056f274',
    'zh:6330766f1d85f01ae6ea90d1b214b8b74cc8c1badc4696b165b36ddd4cc15f7b',
    'zh:7c8c2e30d8e55291b86fcb64bdf6c25489d538688545eb48fd74ad622e5d3862',
    'zh:99b1003bd9bd32ee323544da897148f46a527f622dc3971af63ea3e251596342',
    'zh:9b12af85486a96aedd8d7984b0ff811a4b42e3d88dad1a3fb4c0b580d04fa425',
    'zh:9f8b909d3ec50ade83c8062290378b1ec553edef6a447c56dadc01a99f4eaa93',
    'zh:aaef921ff9aabaf8b1869a86d692ebd24fbd4e12c21205034bb679b9caf883a2',
    'zh:ac882313207aba00dd5a76dbd572a0ddc818bb9cbf5c9d61b28fe30efaec951e',
    'zh:bb64e8aff37becab373a1a0cc1080990785304141af42ed6aa3dd4913b000421',
    'zh:dfe495f6621df5540d9c92ad40b8067376350b005c637ea6efac5dc15028add4',
    'zh:f0ddf0eaf052766cfe09dea8200a946519f653c384ab4336e2a4a64fdd6310e9',
    'zh:f1b7e684f4c7ae1eed272b6de7d2049bb87a0275cb04dbb7cda6636f600699c9',
    'zh:ff461571e3f233699bf690db319dfe46aec75e58726636a0d97dd9ac6e32fb70',
  ],
  verified:
    'h1: terraform 1.11.4 `providers lock -fs-mirror=/opt/tf-plugins -platform=linux_amd64` (the mirror conformance.md validates with; GitHub-hosted runners are linux_amd64). zh: the SHA-256 of each platform zip of the release (HashiCorp signs their list), as two independent public lock files of hashicorp/aws 5.100.0 record them, one beside this same h1; they let `terraform init` verify the package on every other platform (macOS, Windows, linux_arm64) without a lock change',
};

/** The Ruby-style operators Terraform accepts in a version constraint. */
type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~>';

/** One term of a constraint: `>= 5.100`. Parts left out are `undefined` (unconstrained). */
interface Term {
  readonly operator: Operator;
  readonly parts: readonly [number, number | undefined, number | undefined];
}

const TERM = /^(=|!=|>=|<=|>|<|~>)?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;

/** The terms of a constraint like `>= 5.100, < 7.0`, or why it cannot be read (prereleases and metadata are not supported). */
export function parseConstraint(text: string): { readonly terms: readonly Term[] } | { readonly problem: string } {
  const terms: Term[] = [];
  for (const raw of text.split(',')) {
    const match = TERM.exec(raw.trim());
    if (!match)
      return {
        problem: `${JSON.stringify(raw.trim())} is not a version constraint such as ">= 5.100" (operators =, !=, >, >=, <, <=, ~>; release versions only)`,
      };
    const part = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
    terms.push({ operator: (match[1] ?? '=') as Operator, parts: [Number(match[2]), part(match[3]), part(match[4])] });
  }
  return { terms };
}

type Version = readonly [number, number, number];

const zeroed = (term: Term): Version => [term.parts[0], term.parts[1] ?? 0, term.parts[2] ?? 0];

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/** Whether `version` (x.y.z) meets the term, as Terraform reads it: `= 5.100` means 5.100.*, `~> 5.100` means >= 5.100.0 and < 6.0.0. */
function meets(term: Term, version: Version): boolean {
  const bound = zeroed(term);
  const sameWhereGiven = term.parts.every((p, i) => p === undefined || p === version[i]);
  switch (term.operator) {
    case '=':
      return sameWhereGiven;
    case '!=':
      return !sameWhereGiven;
    case '>':
      return compare(version, bound) > 0;
    case '>=':
      return compare(version, bound) >= 0;
    case '<':
      return compare(version, bound) < 0;
    case '<=':
      return compare(version, bound) <= 0;
    case '~>': {
      // The last part given may grow; the ones before it are fixed (`~> 5` is read as `~> 5.0`).
      const fixed = term.parts[2] === undefined ? 1 : 2;
      return compare(version, bound) >= 0 && version.slice(0, fixed).every((p, i) => p === bound[i]);
    }
  }
}

/** Whether every term of the constraint admits the version. */
export function constraintAdmits(terms: readonly Term[], version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return terms.every((term) => meets(term, [major, minor, patch]));
}

const ORDER: Readonly<Record<Operator, number>> = { '>': 1, '>=': 2, '=': 3, '~>': 4, '<=': 6, '<': 7, '!=': 8 };

/**
 * The constraint as Terraform records it in `constraints =` of a lock file
 * (getproviders.VersionConstraintsString): parts left out written as 0, except
 * a two-part `~>`; duplicates dropped; sorted by version, then by operator
 * (lower bounds first); `=` written as the bare version.
 */
export function canonicalConstraint(terms: readonly Term[]): string {
  const written = (term: Term): string => {
    const [major, minor, patch] = zeroed(term);
    const twoParts = term.operator === '~>' && term.parts[2] === undefined;
    const version = twoParts ? `${major}.${minor}` : `${major}.${minor}.${patch}`;
    return term.operator === '=' ? version : `${term.operator} ${version}`;
  };
  // `~> 5.100` and `~> 5.100.0` differ; the operator order tells them apart (patch-only 4, minor-only 5).
  const rank = (term: Term): number => (term.operator === '~>' && term.parts[2] === undefined ? 5 : ORDER[term.operator]);
  const unique = new Map<string, Term>();
  for (const term of terms) unique.set(written(term), term);
  return [...unique.values()]
    .sort((a, b) => compare(zeroed(a), zeroed(b)) || rank(a) - rank(b))
    .map(written)
    .join(', ');
}

/** What a root's lock file records: the locked provider under the root's own constraint. */
export interface ProviderLock {
  readonly address: string;
  readonly version: string;
  readonly constraints: string;
  readonly hashes: readonly string[];
}

/** Lock entries by constraint: every root of every service asks with the platform's one constraint. */
const LOCKS = new Map<string, ProviderLock>();

/** The lock entry for the AWS provider under `constraint` (platform.yaml terraform.awsProviderVersion, validated to admit it). */
export function awsProviderLock(constraint: string): ProviderLock {
  let lock = LOCKS.get(constraint);
  if (lock === undefined) {
    lock = lockUnder(constraint);
    // Platforms are few; a long-lived process (tests, the fuzzer) that sees many starts over.
    if (LOCKS.size >= 64) LOCKS.clear();
    LOCKS.set(constraint, lock);
  }
  return lock;
}

function lockUnder(constraint: string): ProviderLock {
  const parsed = parseConstraint(constraint);
  // Validation (compiler/validate) rejects a constraint that does not parse or admit the locked version before any emitter runs.
  if ('problem' in parsed || !constraintAdmits(parsed.terms, LOCKED_AWS_PROVIDER.version))
    throw new Error(`terraform lock: ${JSON.stringify(constraint)} does not admit ${LOCKED_AWS_PROVIDER.version}`);
  return {
    address: LOCKED_AWS_PROVIDER.address,
    version: LOCKED_AWS_PROVIDER.version,
    constraints: canonicalConstraint(parsed.terms),
    hashes: LOCKED_AWS_PROVIDER.hashes,
  };
}

/** The lock file's name in every root. */
export const LOCK_FILE_NAME = '.terraform.lock.hcl';
