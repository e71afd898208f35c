import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../../compiler/compile.js';
import { MAX_FILE_BYTES, parseSource } from '../../../compiler/parse.js';
import { validateProject } from '../../../compiler/validate/index.js';
import { looksLikeJwt, secretProblem } from '../../../compiler/validate/secrets.js';
import { serviceLimits } from '../../../spec/service-schema.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const HEAD = 'apiVersion: paved/v1\nkind: Service\nname: hog\nowner: team-a\nruntime:\n  language: node\n  port: 8080\n';
/** Just under the load limit (files over 1 MiB are rejected unread, test/golden/hostile.test.ts). */
const SIZE = MAX_FILE_BYTES - 64;
const fill = (prefix: string, unit: string, suffix = ''): string =>
  prefix + unit.repeat(Math.floor((SIZE - prefix.length - suffix.length) / unit.length)) + suffix;

function errors(text: string): string[] {
  const parsed = parseSource('service.yaml', new TextEncoder().encode(text), 'service');
  const diagnostics = parsed.file ? validateProject(undefined, [parsed.file], { loadFailed: false }).diagnostics : parsed.diagnostics;
  return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.range?.line}:${d.range?.col} ${d.code} ${d.message}`);
}

/**
 * Every secret detector and every schema pattern (ajv runs them before maxLength
 * can stop it) on 1 MiB inputs built to make a backtracking matcher rescan, in a
 * child process that is killed if anything takes too long: a quadratic pattern
 * would hang the test instead of failing it.
 */
describe('every pattern runs in linear time', () => {
  it('takes under a second per 1 MiB adversarial input, for each secret detector and schema pattern', () => {
    const script = `
      import { SECRET_DETECTORS } from './dist/compiler/validate/secrets.js';
      import { readFileSync } from 'node:fs';
      const patterns = new Set();
      const walk = (node) => { if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) { if (k === 'pattern' && typeof v === 'string') patterns.add(v); else walk(v); } };
      for (const f of ['service', 'platform', 'releases']) walk(JSON.parse(readFileSync('spec/' + f + '.schema.json', 'utf8')));
      const pumps = ['a', '-', '.', 'a.', 'a-', '-a', '/', '/a', 'a/', '/..', '0', '0.', 'A', '_', ' ', ':', '@', '~0', '-eyJaaaaaaaaa', '-eyJaaaaaaaaa.', 'eyJaaaaaaaaa.eyJ', '://a:', '://a:b', '-----BEGIN ', '-----BEGIN A', 'sk_live_', 'github_pat_', 'xoxb-', 'AIza', 'a:0', 'db.a.', 'cache.a', 'subnet-0', 'sg-0', 'vpc-', 'a@', '0.0.0.0/0'];
      const inputs = pumps.map((p) => p.repeat(Math.ceil(${2 ** 20} / p.length)).slice(0, ${2 ** 20}) + '!\\n');
      const subjects = [...SECRET_DETECTORS.map((d) => [d.what, (s) => d.test(s)]), ...[...patterns].map((p) => { const re = new RegExp(p, 'u'); return [p, (s) => re.test(s)]; })];
      let worst = { ms: 0 };
      for (const [name, test] of subjects) for (const [i, input] of inputs.entries()) {
        const t = process.hrtime.bigint(); test(input); const ms = Number(process.hrtime.bigint() - t) / 1e6;
        if (ms > worst.ms) worst = { ms, name, pump: pumps[i] };
      }
      console.log(JSON.stringify({ subjects: subjects.length, inputs: inputs.length, worst }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(run.error, 'timed out: a pattern backtracks').toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { subjects: number; worst: { ms: number; name: string; pump: string } };
    expect(result.subjects).toBeGreaterThan(40);
    expect(result.worst.ms, JSON.stringify(result.worst)).toBeLessThan(1000);
  }, 90_000);

  it('finds the JSON Web Tokens the old pattern found, and not more', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    const old = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;
    const cases = [
      token,
      `Bearer ${token}`,
      `x-${token}`,
      `x_${token}`,
      `a${token}`,
      token.slice(0, 60),
      `${token.slice(0, 48)}.`,
      'eyJabc.eyJabcdefgh.x',
      'eyJabcdefgh.eyJabcdefgh.',
      'eyJabcdefgh.eyJabcdefgh.x',
      '-eyJaaaaaaaaa'.repeat(20),
      'eyJeyJaaaaaaaa.eyJaaaaaaaa.a',
    ];
    for (const value of cases) expect(looksLikeJwt(value), value).toBe(old.test(value));
    expect(secretProblem(undefined, `token ${token}`)).toBe('value looks like a JSON Web Token');
  });

  it('checks a 1 MiB description built against the old JWT pattern in well under a second', () => {
    const value = '-eyJaaaaaaaaa.'.repeat(Math.floor(SIZE / 14));
    const start = performance.now();
    expect(secretProblem(undefined, value)).toBeUndefined();
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('lists and maps are bounded', () => {
  const list = (key: string, count: number, item: (i: number) => string): string =>
    `${HEAD}${key}:\n${Array.from({ length: count }, (_, i) => `  - ${item(i)}\n`).join('')}`;

  it.each([
    ['dependsOn', serviceLimits.dependsOn, (i: number) => `svc${i}`, 'dependsOn'],
    ['secrets', serviceLimits.secrets, (i: number) => `S${i}`, 'secrets'],
  ])('rejects more than the bound of %s at the list', (key, bound, item, path) => {
    expect(errors(list(key, bound + 1, item)).filter((e) => e.includes('SPEC.LENGTH'))).toEqual([`8:1 SPEC.LENGTH ${path}: must have at most ${bound} items`]);
  });

  it('rejects more env variables than the bound, and more cron jobs, at their keys', () => {
    const env = `${HEAD}env:\n${Array.from({ length: serviceLimits.envVars + 1 }, (_, i) => `  V${i}: x\n`).join('')}`;
    expect(errors(env)).toEqual([`8:1 SPEC.INVALID env: must NOT have more than ${serviceLimits.envVars} properties`]);
    const cron = `${HEAD}resources:\n  cron:\n${Array.from({ length: serviceLimits.cronJobs + 1 }, (_, i) => `    - { name: j${i}, schedule: "@daily", command: [run] }\n`).join('')}`;
    expect(errors(cron)).toEqual([`9:3 SPEC.LENGTH resources.cron: must have at most ${serviceLimits.cronJobs} items`]);
  });

  it('rejects more patch operations in one override than the bound', () => {
    const ops = Array.from({ length: serviceLimits.patchOperations + 1 }, (_, i) => `        - { op: add, path: /metadata/labels/l${i}, value: x }\n`).join('');
    const text = `${HEAD}overrides:\n  kubernetes:\n    - target: Deployment/hog\n      reason: a reason long enough\n      patch:\n${ops}`;
    expect(errors(text)).toEqual([`12:7 SPEC.LENGTH overrides.kubernetes[0].patch: must have at most ${serviceLimits.patchOperations} items`]);
  });

  it('bounds the bytes of env each environment carries into every container', () => {
    const big = `"${'v'.repeat(4000)}"`;
    const text = `${HEAD}env:\n${Array.from({ length: 5 }, (_, i) => `  V${i}: ${big}\n`).join('')}environments:\n  staging:\n    env:\n${Array.from({ length: 4 }, (_, i) => `      S${i}: ${big}\n`).join('')}`;
    expect(errors(text)).toEqual([
      `16:5 SPEC.ENV_TOO_LARGE environments.staging.env: the env variables of staging add up to 36018 bytes of names and values; the limit is ${serviceLimits.envBytes}`,
    ]);
    const shared = `${HEAD}env:\n${Array.from({ length: 9 }, (_, i) => `  V${i}: ${big}\n`).join('')}`;
    expect(errors(shared)).toEqual(['8:1 SPEC.ENV_TOO_LARGE env: the env variables of preview add up to 36018 bytes of names and values; the limit is 32768']);
  });

  it('rejects a file of more than 25,000 lines and commas before parsing it, at the line break that crosses the bound', () => {
    expect(errors(`${HEAD}env:\n${'  A: b\n'.repeat(30_000)}`)).toEqual(['25001:7 LOAD.TOO_MANY_ENTRIES file holds more than 25000 lines and commas']);
    expect(errors(`${HEAD}env: {${'A: b, '.repeat(30_000)}}\n`)).toEqual(['8:149969 LOAD.TOO_MANY_ENTRIES file holds more than 25000 lines and commas']);
  });

  it('still rejects anchors and aliases, and reports duplicate keys found by a set, in linear time', () => {
    expect(errors(fill(`${HEAD}x: &a [1]\ny: [`, '*a, ', '*a]\n'))[0]).toBe('9:99975 LOAD.TOO_MANY_ENTRIES file holds more than 25000 lines and commas');
    expect(errors(`${HEAD}x: &a [1]\ny: [*a, *a]\n`)).toEqual([
      '8:7 LOAD.ALIAS anchor "&a" is not allowed (nor are the 2 other anchors and aliases in this file)',
    ]);
    expect(errors(`${HEAD}env:\n${Array.from({ length: 10_000 }, (_, i) => `  V${i % 5000}: x\n`).join('')}`).slice(0, 2)).toEqual([
      '5009:3 LOAD.DUPLICATE_KEY map keys must be unique',
      '5010:3 LOAD.DUPLICATE_KEY map keys must be unique',
    ]);
  });
});

/** `paved validate` on one service.yaml, as CI runs it: exit status, stderr, wall time and peak RSS of the process. */
function validate(text: string): Promise<{ status: number | null; stderr: string; ms: number; rssMiB: number }> {
  const root = mkdtempSync(join(tmpdir(), 'paved-cost-'));
  mkdirSync(join(root, 'svc'));
  writeFileSync(join(root, 'svc', 'service.yaml'), text);
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, join(REPO, 'bin', 'paved.js'), 'validate', root], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) => {
    child.on('close', (status) => {
      clearTimeout(timer);
      const rss = Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? NaN);
      done({ status, stderr, ms: performance.now() - started, rssMiB: rss / 1024 });
    });
  });
}

describe('a 1 MiB service.yaml validates in bounded time and memory (real CLI process)', () => {
  it('answers every adversarial shape within 2 s of CPU-bound work and 512 MiB', async () => {
    const shapes: Array<[string, string, RegExp]> = [
      [
        'one huge description against the JWT pattern',
        fill(`${HEAD}description: "`, '-eyJaaaaaaaaa.', '"\n'),
        /svc\/service\.yaml:8:14: error SPEC\.LENGTH description: must be at most 300 characters, not 1048\d{3}/,
      ],
      [
        'many env variables',
        fill(`${HEAD}env:\n`, '  VARIABLE_NAME: "a value"\n'),
        /svc\/service\.yaml:25001:27: error LOAD\.TOO_MANY_ENTRIES file holds more than 25000 lines and commas/,
      ],
      [
        'a one-line flow map of secret-looking values',
        fill(`${HEAD}env: {`, `P: "ghp_${'a'.repeat(36)}", `, '}\n'),
        /error LOAD\.DUPLICATE_KEY map keys must be unique/,
      ],
      ['one huge explicit key', fill(`${HEAD}env:\n  ? K`, 'k', '\n  : v\n'), /svc\/service\.yaml:9:5: error SPEC\.KEY_NAME|error SPEC\.LENGTH|error LOAD\./],
      ['deep flow nesting', fill(`${HEAD}env: `, '['), /svc\/service\.yaml:8:\d+: error LOAD\.TOO_DEEP value nests more than 32 levels deep/],
    ];
    const results = await Promise.all(shapes.map(([, text]) => validate(text)));
    for (const [index, [name, , expected]] of shapes.entries()) {
      const result = results[index]!;
      expect(result.status, `${name}: ${result.stderr.slice(0, 500)}`).toBe(1);
      expect(result.stderr, name).toMatch(expected);
      // Wall time under a loaded CI machine: generous; the README gives medians.
      expect(result.ms, name).toBeLessThan(20_000);
      expect(result.rssMiB, name).toBeLessThan(512);
    }
  }, 60_000);
});

describe('errors that grow with the input', () => {
  it('reports 140,000 errors across seven specs, more than a spread of arguments holds, instead of crashing', () => {
    // Seven service.yaml files of 20,000 env entries each (under the 25,000-entry limit), every value a GitHub expression.
    const env = Array.from({ length: 20_000 }, (_, i) => `  K${i}: "\${{ x }}"\n`).join('');
    const files = Array.from({ length: 7 }, (_, i) => ({
      path: `s${i}/service.yaml`,
      kind: 'service' as const,
      text: `${HEAD.replace('name: hog', `name: hog${i}`)}env:\n${env}`,
    }));
    const { diagnostics } = compileTexts(files, []);
    expect(diagnostics.filter((d) => d.code === 'SEC.GITHUB_EXPRESSION')).toHaveLength(140_000);
    expect(diagnostics.filter((d) => d.code !== 'SEC.GITHUB_EXPRESSION').map((d) => `${d.file}:${d.range?.line} ${d.code} ${d.message}`)).toEqual(
      files.map((f) => `${f.path}:8 SPEC.INVALID env: must NOT have more than 150 properties`),
    );
  }, 60_000);
});
