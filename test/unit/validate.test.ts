import { describe, expect, it } from 'vitest';
import { mergePlatform, validateProject } from '../../compiler/validate/index.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import { defaultPlatform } from '../../spec/index.js';
import { serviceYaml, sourceFile, validateTexts } from '../support/helpers.js';

const SPEC = 'services/orders/service.yaml';

/** Diagnostics of a one-service repo whose service.yaml is the minimal one plus `extra`. */
const check = (extra: string, name = 'orders'): readonly Diagnostic[] => validateTexts({ [SPEC]: serviceYaml(name, extra) }).diagnostics;

/** The single diagnostic, which must have the given code. */
function single(diagnostics: readonly Diagnostic[], code: string): Diagnostic {
  expect(diagnostics.map((d) => d.code)).toEqual([code]);
  return diagnostics[0]!;
}

const at = (d: Diagnostic): string => `${d.range?.line}:${d.range?.col}`;

const PAYMENTS = serviceYaml('payments', 'resources:\n  topics:\n    - name: payment-completed\n');

describe('validateProject on a valid project', () => {
  it('accepts the minimal service and returns it with the default platform', () => {
    const result = validateTexts({ [SPEC]: serviceYaml() });
    expect(result.diagnostics).toEqual([]);
    expect(result.valid?.services.map((s) => s.spec.name)).toEqual(['orders']);
    expect(result.valid?.platform.name).toBe('paved');
  });
});

describe('schema errors', () => {
  it('reports every unknown key in one pass, each at its key, with did-you-mean only where one is close', () => {
    const diagnostics = check('  resorces: { cpu: 250m }\nresorces: {}\nzzzqqq: 1\n');
    expect(diagnostics.map((d) => [d.code, at(d), d.message])).toEqual([
      ['SPEC.UNKNOWN_KEY', '9:1', 'unknown key "resorces" (did you mean "resources"?)'],
      ['SPEC.UNKNOWN_KEY', '10:1', 'unknown key "zzzqqq"'],
      ['SPEC.UNKNOWN_KEY', '8:3', 'runtime: unknown key "resorces" (did you mean "resources"?)'],
    ]);
    expect(diagnostics.map((d) => d.hint)).toEqual([
      'rename it to "resources"',
      'allowed keys here: apiVersion, kind, name, renamedFrom, owner, description, tier, runtime, ingress, dependsOn, env, secrets, egress, jobs, resources, environments, observability, dataLoss, overrides, retired',
      'rename it to "resources"',
    ]);
    expect(diagnostics.map((d) => d.pointer)).toEqual(['/resorces', '/zzzqqq', '/runtime/resorces']);
  });

  it('points SPEC.UNKNOWN_KEY at the whole key, line and columns', () => {
    const d = single(check('environments:\n  staging: {}\n  prodution: { scaling: { min: 2 } }\n'), 'SPEC.UNKNOWN_KEY');
    expect(d.message).toBe('environments: unknown key "prodution" (did you mean "production"?)');
    expect(d.range).toEqual({ line: 10, col: 3, endLine: 10, endCol: 12 });
    expect(d.pointer).toBe('/environments/prodution');
    expect(d.file).toBe(SPEC);
  });

  it('starts required, type, enum and range messages with the spec path of the value', () => {
    const text = 'apiVersion: paved/v1\nkind: Service\nname: orders\nowner: team-commerce\nruntime:\n  port: 70000\n  protocol: tcp\n  scaling: { min: "2" }\n';
    const diagnostics = validateTexts({ [SPEC]: text }).diagnostics;
    expect(diagnostics.map((d) => [d.code, at(d), d.message])).toEqual([
      ['SPEC.REQUIRED', '5:1', 'runtime: missing required key "language"'],
      ['SPEC.RANGE', '6:9', 'runtime.port: must be <= 65535, not 70000 (a number)'],
      ['SPEC.ENUM', '7:13', 'runtime.protocol: must be one of http, grpc, not "tcp" (a string)'],
      ['SPEC.TYPE', '8:19', 'runtime.scaling.min: must be an integer, not "2" (a string)'],
    ]);
    expect(diagnostics.map((d) => d.hint)).toEqual(['add "language" under runtime', 'use a value <= 65535', 'choose one of http, grpc', 'remove the quotes']);
  });

  it('suggests the closest enum value', () => {
    const d = single(check('  protocol: htp\n'), 'SPEC.ENUM');
    expect(d.message).toBe('runtime.protocol: must be one of http, grpc, not "htp" (a string) (did you mean "http"?)');
    expect(d.hint).toBe('write "http"');
  });

  it('lists the allowed keys when no key is close, as for environments.qa', () => {
    const d = single(check('environments:\n  qa: {}\n'), 'SPEC.UNKNOWN_KEY');
    expect(d.message).toBe('environments: unknown key "qa"');
    expect(d.hint).toBe('allowed keys here: preview, staging, production');
  });

  it.each([
    ['yes', 'ingress:\n  public: yes\n', 'ingress.public', '9:11'],
    ['on', 'resources:\n  buckets:\n    - name: files\n      versioned: on\n', 'resources.buckets[0].versioned', '11:18'],
  ])('rejects the YAML 1.1 boolean %s as a string, with a hint that names YAML 1.2', (word, extra, path, position) => {
    const d = single(check(extra), 'SPEC.TYPE');
    expect(d.message).toBe(`${path}: must be a boolean, not "${word}" (a string)`);
    expect(d.hint).toBe('write true or false: YAML 1.2 reads yes/no/on/off as strings');
    expect(at(d)).toBe(position);
  });

  it.each([
    ['1e3', '  scaling: { min: 1e3 }\n', 'runtime.scaling.min: number "1e3" is not a plain decimal'],
    ['0x10', '  scaling: { max: 0x10 }\n', 'runtime.scaling.max: number "0x10" is not a plain decimal'],
    ['.nan', '  scaling: { targetCPUUtilization: .nan }\n', 'runtime.scaling.targetCPUUtilization: number ".nan" is not a plain decimal'],
    ['9007199254740993', '  scaling: { max: 9007199254740993 }\n', 'runtime.scaling.max: number 9007199254740993 is too large to represent exactly'],
  ])('rejects the number %s with SPEC.NUMBER_FORMAT and no second schema error', (_, extra, message) => {
    const d = single(check(extra), 'SPEC.NUMBER_FORMAT');
    expect(d.message).toBe(message);
    expect(d.range?.line).toBe(8);
  });
});

describe('literal secrets', () => {
  const secrets: ReadonlyArray<readonly [string, string, string, string]> = [
    ['an AWS access key id', 'UPLOADER', 'AKIAIOSFODNN7EXAMPLE', 'env.UPLOADER: value looks like an AWS access key id'],
    [
      'a PEM private key',
      'TLS',
      '"-----BEGIN RSA PRIVATE KEY-----\\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\\n-----END RSA PRIVATE KEY-----"',
      'env.TLS: value looks like a private key',
    ],
    [
      'a JWT',
      'SESSION',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'env.SESSION: value looks like a JSON Web Token',
    ],
    ['a password under a secret-sounding name', 'DB_PASSWORD', 'hunter2', 'env.DB_PASSWORD: "DB_PASSWORD" looks like a secret but holds a literal value'],
    ['a high-entropy token', 'BUILD_REF', 'Zq8Xv2Lm9Tp4Rk7Wn3Yb6Hc1Jd5Fg0Qs', 'env.BUILD_REF: value looks like a random credential (long and high-entropy)'],
    ['a URL with a password', 'DATABASE_URL', 'postgres://u:pw@host/db', 'env.DATABASE_URL: value looks like a URL with a password in it'],
  ];
  it.each(secrets)('rejects %s with SEC.LITERAL_SECRET and never repeats the value', (_, key, value, message) => {
    const d = single(check(`env:\n  ${key}: ${value}\n`), 'SEC.LITERAL_SECRET');
    expect(d.message).toBe(message);
    expect(d.hint).toBe('never put a secret in a spec: list its name under `secrets:` and set the value in the secret store');
    expect(d.pointer).toBe(`/env/${key}`);
    expect(at(d)).toBe(`9:${key.length + 5}`);
    const raw = value.replace(/^"|"$/g, '');
    for (const piece of [raw, raw.slice(0, 12), 'hunter2', 'u:pw']) expect(JSON.stringify(d)).not.toContain(piece);
  });

  it.each([
    ['LOG_LEVEL: info'],
    ['DOCS_URL: https://example.com/docs?page=2'],
    ['DATABASE_URL: postgres://app@db.internal:5432/orders'],
    ['PUBLIC_HOST: orders.example.com'],
    ['CHECKSUM: "0123456789abcdef0123456789abcdef"'],
  ])('accepts the ordinary value %s', (line) => {
    expect(check(`env:\n  ${line}\n`)).toEqual([]);
  });

  it('rejects a secrets entry that carries a value, as SEC.LITERAL_SECRET without the value', () => {
    const d = single(check('secrets:\n  - STRIPE_API_KEY: not-really-a-key\n'), 'SEC.LITERAL_SECRET');
    expect(d.message).toBe('secrets[0]: secrets lists names only, and this entry carries a value');
    expect(JSON.stringify(d)).not.toContain('not-really-a-key');
  });
});

describe('text that could run or hide code', () => {
  it.each([
    ['an env value', 'env:\n  BUILD_LABEL: "${{ secrets.AWS_KEY }}"\n', 'env.BUILD_LABEL', '9:16'],
    ['the description', 'description: "built from ${{ github.event.pull_request.title }}"\n', 'description', '8:14'],
    ['a command argument', '  command: ["node", "${{ github.sha }}"]\n', 'runtime.command[1]', '8:21'],
  ])('rejects ${{ in %s with SEC.GITHUB_EXPRESSION', (_, extra, path, position) => {
    const d = single(check(extra), 'SEC.GITHUB_EXPRESSION');
    expect(d.message).toBe(`${path}: contains a GitHub Actions expression "\${{"`);
    expect(at(d)).toBe(position);
  });

  it.each([
    ['U+202E', '\u202E'],
    ['U+200B', '\u200B'],
    ['U+0007', '\u0007'],
  ])('rejects %s in a value with SEC.HIDDEN_CHARACTER naming the code point', (codePoint, char) => {
    const d = single(check(`description: "Refunds API ${char}admin"\n`), 'SEC.HIDDEN_CHARACTER');
    expect(d.message).toBe(`description: value contains the invisible or control character ${codePoint}`);
    expect(d.hint).toBe('delete it: such characters can make text read differently from what it does (Trojan Source, CVE-2021-42574)');
    expect(at(d)).toBe('8:14');
  });

  it('keeps a hidden character in a key out of the SEC.HIDDEN_CHARACTER message', () => {
    const d = single(check('env:\n  "LOG\u202ELEVEL": info\n'), 'SEC.HIDDEN_CHARACTER');
    expect(d.message).not.toMatch(/[\u202E]/);
  });

  it('rejects a command that runs a shell string through bash -c with SEC.SHELL_COMMAND', () => {
    const d = single(check('  command: ["bash", "-c", "npm start"]\n'), 'SEC.SHELL_COMMAND');
    expect(d.message).toBe('runtime.command: runs a shell string through "bash"');
    expect(d.hint).toBe('call the program directly as a list of arguments; put pipelines in a script inside the image');
    expect(at(d)).toBe('8:3');
  });

  it('rejects /bin/sh -ec in a cron command with SEC.SHELL_COMMAND', () => {
    const d = single(
      check('resources:\n  cron:\n    - name: nightly\n      schedule: "@daily"\n      command: ["/bin/sh", "-ec", "x"]\n'),
      'SEC.SHELL_COMMAND',
    );
    expect(d.message).toBe('resources.cron[0].command: runs a shell string through "sh"');
  });

  it('accepts node -e, which is not a shell', () => {
    expect(check('  command: ["node", "-e", "x"]\n')).toEqual([]);
  });
});

describe('rules across services', () => {
  it('reports an unknown dependsOn target with REF.UNKNOWN_SERVICE and suggests a near name', () => {
    const d = single(
      validateTexts({ [SPEC]: serviceYaml('orders', 'dependsOn: [paymnets]\n'), 'services/payments/service.yaml': PAYMENTS }).diagnostics,
      'REF.UNKNOWN_SERVICE',
    );
    expect(d.message).toBe('dependsOn[0]: no service named "paymnets" in this repository (did you mean "payments"?)');
    expect(d.hint).toBe('write "payments"');
    expect(d.file).toBe(SPEC);
    expect(at(d)).toBe('8:13');
  });

  it('suggests nothing for an unknown service with no near name', () => {
    const d = single(
      validateTexts({ [SPEC]: serviceYaml('orders', 'dependsOn: [inventory]\n'), 'services/payments/service.yaml': PAYMENTS }).diagnostics,
      'REF.UNKNOWN_SERVICE',
    );
    expect(d.message).toBe('dependsOn[0]: no service named "inventory" in this repository');
    expect(d.hint).toBe('check the name in the other service.yaml');
  });

  it('reports a subscription to a topic the publisher does not declare with REF.UNKNOWN_TOPIC', () => {
    const orders = serviceYaml('orders', 'resources:\n  subscriptions:\n    - topic: payment-complete\n      from: payments\n');
    const d = single(validateTexts({ [SPEC]: orders, 'services/payments/service.yaml': PAYMENTS }).diagnostics, 'REF.UNKNOWN_TOPIC');
    expect(d.message).toBe('resources.subscriptions[0].topic: service "payments" declares no topic "payment-complete" (did you mean "payment-completed"?)');
    expect(d.hint).toBe('payments declares: payment-completed');
    expect(at(d)).toBe('10:14');
  });

  it('accepts a subscription to its own topic: a service may consume its own events later, through its own queue', () => {
    expect(check('resources:\n  topics:\n    - name: order-created\n  subscriptions:\n    - topic: order-created\n      from: orders\n')).toEqual([]);
  });

  it('reports a dependency on itself with REF.SELF_DEPENDENCY', () => {
    const d = single(check('dependsOn: [orders]\n'), 'REF.SELF_DEPENDENCY');
    expect(d.message).toBe('dependsOn[0]: a service cannot depend on itself');
    expect(at(d)).toBe('8:13');
  });

  it('reports the second service with a taken name as REF.DUPLICATE_SERVICE, naming the first file', () => {
    const d = single(validateTexts({ 'a/service.yaml': serviceYaml('orders'), 'b/service.yaml': serviceYaml('orders') }).diagnostics, 'REF.DUPLICATE_SERVICE');
    expect(d.file).toBe('b/service.yaml');
    expect(d.message).toBe('name: service "orders" is already declared in a/service.yaml');
    expect(at(d)).toBe('3:7');
  });

  it('reports a name that is both in env and in secrets with REF.DUPLICATE_ENV at the secret', () => {
    const d = single(check('env:\n  STRIPE_KEY_ID: acct-1\nsecrets: [STRIPE_KEY_ID]\n'), 'REF.DUPLICATE_ENV');
    expect(d.message).toBe('secrets[0]: STRIPE_KEY_ID is both a secret and a plain env variable');
    expect(d.hint).toBe('remove env.STRIPE_KEY_ID: the secret provides the variable');
    expect(at(d)).toBe('10:11');
  });

  it('reports a secret that an environment env also sets with REF.DUPLICATE_ENV', () => {
    const diagnostics = check('secrets: [STRIPE_KEY_ID]\nenvironments:\n  production:\n    env: { STRIPE_KEY_ID: acct-1 }\n');
    expect(diagnostics.map((d) => d.code)).toEqual(['REF.DUPLICATE_ENV']);
  });

  it('reports a tier the platform does not define with REF.UNKNOWN_TIER and suggests a near one', () => {
    const d = single(check('tier: critcal\n'), 'REF.UNKNOWN_TIER');
    expect(d.message).toBe('tier: tier "critcal" is not defined by the platform (did you mean "critical"?)');
    expect(d.hint).toBe('defined tiers: critical, standard, experimental');
  });
});

describe('platform policy', () => {
  it('reports POLICY.MIN_REPLICAS when an explicit min is below the tier floor, once, for production', () => {
    const d = single(check('  scaling: { min: 2 }\ntier: critical\n'), 'POLICY.MIN_REPLICAS');
    expect(d.message).toBe("runtime.scaling.min: production: scaling.min 2 is below the critical tier's minimum of 3 replicas");
    expect(d.hint).toBe('set environments.production.scaling.min to at least 3, or choose another tier');
    expect(at(d)).toBe('8:19');
  });

  it('points POLICY.MIN_REPLICAS at the environment override when that sets the min', () => {
    const d = single(check('tier: critical\nenvironments:\n  production:\n    scaling: { min: 1 }\n'), 'POLICY.MIN_REPLICAS');
    expect(d.pointer).toBe('/environments/production/scaling/min');
    expect(at(d)).toBe('11:21');
  });

  it('accepts a critical service without scaling: the default min is lifted to the floor, not reported', () => {
    expect(check('tier: critical\n')).toEqual([]);
  });

  it('reports POLICY.SCALING when max is below min', () => {
    const diagnostics = check('environments:\n  staging:\n    scaling: { min: 5, max: 3 }\n');
    const d = single(diagnostics, 'POLICY.SCALING');
    expect(d.message).toBe('environments.staging.scaling.max: scaling.max 3 is below scaling.min 5');
    expect(d.hint).toBe('raise max or lower min');
    expect(at(d)).toBe('10:29');
  });

  it('reports a service-wide max below min once, not once per environment', () => {
    expect(check('  scaling: { min: 5, max: 3 }\n').map((d) => d.code)).toEqual(['POLICY.SCALING']);
  });

  it('reports an objective below the tier availability with POLICY.SLO_BELOW_TIER', () => {
    const d = single(check('tier: critical\nobservability:\n  slo:\n    availability: 99.9\n'), 'POLICY.SLO_BELOW_TIER');
    expect(d.message).toBe("observability.slo.availability: 99.9% is below the critical tier's 99.95%");
    expect(at(d)).toBe('11:19');
  });

  it('accepts a disabled preview environment', () => {
    expect(check('environments:\n  preview: { enabled: false }\n')).toEqual([]);
  });

  it('rejects staging: { enabled: false } at environments.staging.enabled', () => {
    const [d] = check('environments:\n  staging: { enabled: false }\n');
    expect(d?.pointer).toBe('/environments/staging/enabled');
    expect(at(d!)).toBe('9:23');
  });

  it('reports staging: { enabled: false } as POLICY.ENVIRONMENT_REQUIRED', () => {
    const d = single(check('environments:\n  staging: { enabled: false }\n'), 'POLICY.ENVIRONMENT_REQUIRED');
    expect(d.message).toBe('environments.staging.enabled: staging cannot be disabled');
  });
});

describe('derived names and paths', () => {
  it('reports a cache whose ElastiCache id would exceed 40 characters once, not once per environment', () => {
    // orders-service-main-stg-session-store-xyz: 41 characters (and 41 for prd).
    const d = single(check('resources:\n  caches:\n    - name: session-store-xyz\n', 'orders-service-main'), 'NAME.DERIVED');
    expect(d.message).toBe(
      'resources.caches[0].name: derived ElastiCache replication group id "orders-service-main-stg-session-store-xyz" is 41 characters; the limit is 40',
    );
    expect(d.hint).toBe('shorten the service or resource name; paved never truncates names');
    expect(at(d)).toBe('10:13');
  });

  it('accepts a cache id of exactly 40 characters', () => {
    expect(check('resources:\n  caches:\n    - name: session-store-xy\n', 'orders-service-main')).toEqual([]);
  });

  it('rejects build.context: ../../.. at runtime.build.context', () => {
    const [d] = check('  build:\n    context: ../../..\n');
    expect(d?.pointer).toBe('/runtime/build/context');
    expect(at(d!)).toBe('9:14');
  });

  it('reports build.context: ../../.. as SPEC.PATH_OUTSIDE_REPO', () => {
    const d = single(check('  build:\n    context: ../../..\n'), 'SPEC.PATH_OUTSIDE_REPO');
    expect(d.message).toBe('runtime.build.context: "../../.." leads outside the repository');
  });
});

describe('the platform', () => {
  it('merges a platform.yaml that sets only the name over the embedded default', () => {
    const result = validateTexts({ [SPEC]: serviceYaml() }, 'apiVersion: paved/v1\nkind: Platform\nname: acme\n');
    expect(result.diagnostics).toEqual([]);
    const platform = result.valid!.platform;
    expect(platform.name).toBe('acme');
    expect(platform.domain).toBe('example.com');
    expect(platform).toEqual({ ...defaultPlatform, name: 'acme' });
  });

  it('reports an unknown platform key with did-you-mean', () => {
    const d = single(
      validateTexts({ [SPEC]: serviceYaml() }, 'apiVersion: paved/v1\nkind: Platform\ncloud:\n  regoin: eu-west-1\n').diagnostics,
      'SPEC.UNKNOWN_KEY',
    );
    expect(d.file).toBe('platform.yaml');
    expect(d.message).toBe('cloud: unknown key "regoin" (did you mean "region"?)');
    expect(at(d)).toBe('4:3');
  });

  it('mergePlatform replaces lists, merges maps key by key and adds new keys', () => {
    const merged = mergePlatform(defaultPlatform, {
      network: { privateSubnetIds: ['subnet-1'] },
      cloud: { region: 'us-east-1' },
      tiers: { gold: { availability: 99.99 } },
    });
    expect(merged.network).toEqual({ ...defaultPlatform.network, privateSubnetIds: ['subnet-1'] });
    expect(merged.cloud).toEqual({ ...defaultPlatform.cloud, region: 'us-east-1' });
    expect(merged.cloud.accounts).toEqual({ staging: '111111111111', production: '222222222222' });
    expect(Object.keys(merged.tiers)).toEqual(['critical', 'standard', 'experimental', 'gold']);
    expect(merged.kubernetes).toBe(defaultPlatform.kubernetes);
  });

  it('mergePlatform keeps the base for an undefined override and does not mutate either side', () => {
    const base = { a: [1, 2], b: { c: 1, d: 2 } };
    const over = { a: [3], b: { c: 5 } };
    expect(mergePlatform(base, over)).toEqual({ a: [3], b: { c: 5, d: 2 } });
    expect(base).toEqual({ a: [1, 2], b: { c: 1, d: 2 } });
    expect(over).toEqual({ a: [3], b: { c: 5 } });
    expect(mergePlatform(base, undefined)).toBe(base);
  });
});

describe('project-level checks', () => {
  it('reports a repository without services as LOAD.NO_SERVICES', () => {
    const result = validateTexts({});
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([['LOAD.NO_SERVICES', 'no service.yaml found under the root']]);
    expect(result.valid).toBeUndefined();
  });

  it('reports an --out outside the repository as CLI.BAD_OUT', () => {
    const result = validateProject(undefined, [sourceFile('services/orders/service.yaml', serviceYaml('orders'))], {
      loadFailed: false,
      outDir: '../elsewhere',
    });
    expect(result.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        'CLI.BAD_OUT',
        '--out "../elsewhere" must be a relative directory inside the repository: it has an empty, "." or ".." segment; write each folder once, separated by one "/"',
        'e.g. --out generated',
      ],
    ]);
  });

  it('reports a request SLO on a worker as SPEC.WORKER_SLO', () => {
    const worker =
      'apiVersion: paved/v1\nkind: Service\nname: jobs\nowner: team-commerce\nruntime:\n  language: node\nobservability:\n  slo:\n    availability: 99.9\n';
    expect(validateTexts({ 'services/jobs/service.yaml': worker }).diagnostics.map((d) => [d.code, d.message, d.range?.line])).toEqual([
      ['SPEC.WORKER_SLO', 'observability.slo: a worker (no runtime.port) serves no requests, so it has no request SLO', 8],
    ]);
  });
});

describe('databases (issue 19): versions per engine and storage within the platform', () => {
  const database = (fields: string): string => `resources:\n  databases:\n    - { name: main, ${fields} }\n`;

  it.each([
    'engine: mysql',
    'engine: mysql, version: "8.0"',
    'engine: mysql, version: "8.4.3"',
    'version: "16"',
    'version: "16.4"',
    'engine: postgres, version: "11"',
  ])('accepts %s', (fields) => {
    expect(check(database(fields))).toEqual([]);
  });

  it.each([
    ['engine: mysql, version: "16"', 'MySQL version "16" is not one RDS offers; paved supports MySQL 8.0 and 8.4'],
    ['engine: mysql, version: "8"', 'MySQL version "8" is not one RDS offers; paved supports MySQL 8.0 and 8.4'],
    ['engine: mysql, version: "8.0.39.1"', 'MySQL version "8.0.39.1" is not one RDS offers; paved supports MySQL 8.0 and 8.4'],
    ['version: "16.4.1"', 'PostgreSQL version "16.4.1" is not one RDS offers (a major of 11 or later, e.g. "16" or "16.4")'],
    ['version: "10"', 'PostgreSQL version "10" is not one RDS offers (a major of 11 or later, e.g. "16" or "16.4")'],
  ])('rejects %s at the version', (fields, message) => {
    const d = single(check(database(fields)), 'SPEC.DATABASE_VERSION');
    expect(d.message).toBe(`resources.databases[0].version: database "main": ${message}`);
    expect(d.pointer).toBe('/resources/databases/0/version');
  });

  it("takes storage within the platform's bounds, and reports it outside them with the bounds platform.yaml sets", () => {
    expect(check(database('storageGiB: 20'))).toEqual([]);
    expect(check(database('storageGiB: 100'))).toEqual([]);
    const d = single(check(database('storageGiB: 101')), 'POLICY.DATABASE_STORAGE');
    expect(d.message).toBe(`resources.databases[0].storageGiB: database "main": storageGiB 101 is outside the platform's bounds, 20 to 100 GiB`);
    const platform = 'apiVersion: paved/v1\nkind: Platform\nname: acme\nsizes:\n  databaseStorageGiB: { min: 50, max: 500 }\n';
    const withPlatform = (fields: string) => validateTexts({ [SPEC]: serviceYaml('orders', database(fields)) }, platform).diagnostics;
    expect(withPlatform('storageGiB: 500')).toEqual([]);
    expect(single(withPlatform('storageGiB: 20'), 'POLICY.DATABASE_STORAGE').message).toContain(
      "storageGiB 20 is outside the platform's bounds, 50 to 500 GiB",
    );
  });

  it('reserves DATABASE_<NAME>_PASSWORD where paved sets it: auth: password anywhere, and every MySQL database (its preview password)', () => {
    const secret = 'secrets:\n  - DATABASE_MAIN_PASSWORD\n';
    expect(single(check(secret + database('auth: password')), 'REF.RESERVED_ENV').message).toBe(
      'secrets[0]: DATABASE_MAIN_PASSWORD is set by paved: it carries the connection details of database "main"',
    );
    expect(single(check(secret + database('engine: mysql')), 'REF.RESERVED_ENV').pointer).toBe('/secrets/0');
    // A PostgreSQL database with IAM authentication has no password anywhere: the name is the service's.
    expect(check(secret + database('engine: postgres'))).toEqual([]);
  });
});

describe('service ports, metrics and discovery', () => {
  /** A service.yaml with the given runtime block (indented under runtime:) and top-level extra. */
  const withRuntime = (runtime: string, extra = '', name = 'orders'): string =>
    `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: team-commerce\nruntime:\n  language: node\n${runtime}${extra}`;
  const checkRuntime = (runtime: string, extra = ''): readonly Diagnostic[] => validateTexts({ [SPEC]: withRuntime(runtime, extra) }).diagnostics;

  it('accepts servicePort, named ports and a metrics port shared with the main port', () => {
    expect(
      checkRuntime(
        '  port: 8079\n  servicePort: 80\n  ports:\n    - { name: admin, port: 9000 }\n    - { name: grpc-api, port: 9090, protocol: grpc }\n',
        'observability:\n  metrics: { port: 8079, path: /prometheus, convention: prometheus }\n',
      ),
    ).toEqual([]);
  });

  it('rejects servicePort and ports on a worker with SPEC.WORKER_PORTS', () => {
    const diagnostics = checkRuntime('  servicePort: 80\n  ports:\n    - { name: admin, port: 9000 }\n');
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['SPEC.WORKER_PORTS', 'runtime.servicePort: a worker (no runtime.port) has no Service, so it has no servicePort'],
      ['SPEC.WORKER_PORTS', 'runtime.ports: a worker (no runtime.port) has no Service, so nothing could reach its runtime.ports'],
    ]);
  });

  it('rejects a port named like the main port or metrics with SPEC.RESERVED_PORT_NAME, and a name used twice with REF.DUPLICATE_NAME', () => {
    const diagnostics = checkRuntime(
      '  port: 8080\n  ports:\n    - { name: http, port: 9000 }\n    - { name: metrics, port: 9001 }\n    - { name: admin, port: 9002 }\n    - { name: admin, port: 9003 }\n',
    );
    expect(diagnostics.map((d) => [d.code, d.message, at(d)])).toEqual([
      ['SPEC.RESERVED_PORT_NAME', 'runtime.ports[0].name: "http" is the name of the main port (runtime.port, named after runtime.protocol http)', '9:15'],
      ['SPEC.RESERVED_PORT_NAME', 'runtime.ports[1].name: "metrics" is the name of the metrics port', '10:15'],
      ['REF.DUPLICATE_NAME', 'runtime.ports[3].name: port "admin" is declared twice', '12:15'],
    ]);
  });

  it('rejects a number the main port, the Service port or another port has with SPEC.DUPLICATE_PORT, and the implicit metrics port with POLICY.RESERVED_PORT', () => {
    const diagnostics = checkRuntime(
      '  port: 8080\n  servicePort: 80\n  ports:\n    - { name: a, port: 8080 }\n    - { name: b, port: 80 }\n    - { name: c, port: 9100 }\n    - { name: d, port: 9100 }\n    - { name: e, port: 9464 }\n',
    );
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['SPEC.DUPLICATE_PORT', 'runtime.ports[0].port: port 8080 is also runtime.port'],
      ['SPEC.DUPLICATE_PORT', 'runtime.ports[1].port: port 80 is also runtime.servicePort'],
      ['SPEC.DUPLICATE_PORT', 'runtime.ports[3].port: port 9100 is also runtime.ports[2]'],
      ['POLICY.RESERVED_PORT', 'runtime.ports[4].port: port 9464 is the metrics port every pod serves'],
    ]);
  });

  it('accepts runtime.port 9464 once observability.metrics.port declares it, and rejects a servicePort on the separate metrics port', () => {
    expect(checkRuntime('  port: 9464\n', 'observability:\n  metrics: { port: 9464 }\n')).toEqual([]);
    const d = single(checkRuntime('  port: 8080\n  servicePort: 9464\n'), 'SPEC.DUPLICATE_PORT');
    expect(d.message).toBe('runtime.servicePort: port 9464 is also the metrics port on the Service');
  });

  it('rejects metrics declared on a gRPC port with SPEC.METRICS_ON_GRPC_PORT, main or named', () => {
    const main = single(checkRuntime('  port: 9090\n  protocol: grpc\n', 'observability:\n  metrics: { port: 9090 }\n'), 'SPEC.METRICS_ON_GRPC_PORT');
    expect(main.message).toBe('observability.metrics.port: port 9090 is runtime.port, which speaks gRPC; Prometheus scrapes metrics over HTTP/1.1');
    const named = single(
      checkRuntime('  port: 8080\n  ports: [{ name: api, port: 9090, protocol: grpc }]\n', 'observability:\n  metrics: { port: 9090 }\n'),
      'SPEC.METRICS_ON_GRPC_PORT',
    );
    expect(named.message).toBe('observability.metrics.port: port 9090 is runtime.ports[0], which speaks gRPC; Prometheus scrapes metrics over HTTP/1.1');
    // An http entry of runtime.ports may serve them.
    expect(checkRuntime('  port: 9090\n  protocol: grpc\n  ports: [{ name: admin, port: 9000 }]\n', 'observability:\n  metrics: { port: 9000 }\n')).toEqual([]);
  });

  it('rejects identical liveness and readiness paths with SPEC.IDENTICAL_PROBES, at readiness', () => {
    const d = single(checkRuntime('  port: 8080\n  health: { liveness: /health, readiness: /health }\n'), 'SPEC.IDENTICAL_PROBES');
    expect(d.message).toBe('runtime.health.readiness: liveness and readiness both probe "/health"');
    // A readiness path equal to the default liveness path is caught too, at the key that was set.
    expect(single(checkRuntime('  port: 8080\n  health: { readiness: /healthz }\n'), 'SPEC.IDENTICAL_PROBES').message).toBe(
      'runtime.health.readiness: liveness and readiness both probe "/healthz"',
    );
    // gRPC is probed through the gRPC health service: its paths are not used.
    expect(checkRuntime('  port: 8080\n  protocol: grpc\n  health: { liveness: /h, readiness: /h }\n')).toEqual([]);
  });

  it("rejects a service or environment env entry named like a dependency's URL variable with REF.RESERVED_ENV; a worker dependency has none", () => {
    const catalogue = serviceYaml('catalogue');
    const worker = withRuntime('', '', 'shipping-worker');
    const api = serviceYaml(
      'api',
      'dependsOn: [catalogue, shipping-worker]\nenv:\n  CATALOGUE_URL: http://x\n  SHIPPING_WORKER_URL: http://y\nenvironments:\n  production:\n    env: { CATALOGUE_URL: http://z }\n',
    );
    const diagnostics = validateTexts({ 'api/service.yaml': api, 'catalogue/service.yaml': catalogue, 'shipping/service.yaml': worker }).diagnostics;
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['REF.RESERVED_ENV', 'env.CATALOGUE_URL: CATALOGUE_URL is set by paved: it carries the URL of dependency "catalogue"'],
      ['REF.RESERVED_ENV', 'environments.production.env.CATALOGUE_URL: CATALOGUE_URL is set by paved: it carries the URL of dependency "catalogue"'],
    ]);
  });

  it('rejects a dependency whose URL variable is one paved already sets with NAME.COLLISION at the dependsOn entry', () => {
    const subscriber = serviceYaml('api', 'dependsOn: [queue-shop-sold]\nresources:\n  subscriptions: [{ from: shop, topic: sold }]\n');
    const diagnostics = validateTexts({
      'api/service.yaml': subscriber,
      'shop/service.yaml': serviceYaml('shop', 'resources:\n  topics: [{ name: sold }]\n'),
      'q/service.yaml': serviceYaml('queue-shop-sold'),
    }).diagnostics;
    const d = single(diagnostics, 'NAME.COLLISION');
    expect(d.message).toBe(
      'dependsOn[0]: the URL variable of dependency "queue-shop-sold", QUEUE_SHOP_SOLD_URL, is a variable paved already sets: it carries the connection details of queue "shop-sold"',
    );
  });
});
