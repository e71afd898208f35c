import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import * as releaseScripts from '../../../emitters/actions/release-scripts.js';
import * as scripts from '../../../emitters/actions/scripts.js';
import { caseRoot, goldenCases } from '../../support/helpers.js';

/** `paved new orders --language node` in a fresh repository holding `platform` as platform.yaml. */
async function paveNew(
  platform: string | undefined,
  setUp?: (repo: string) => void,
): Promise<{ code: number; stdout: string; stderr: string; written: boolean; repo: string }> {
  const repo = mkdtempSync(join(tmpdir(), 'paved-redteam-new-'));
  if (platform !== undefined) writeFileSync(join(repo, 'platform.yaml'), platform);
  setUp?.(repo);
  let stdout = '';
  let stderr = '';
  const code = await main(['new', 'orders', '--language', 'node'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: repo });
  const written = existsSync(join(repo, 'orders'));
  rmSync(repo, { recursive: true, force: true });
  return { code, stdout, stderr, written, repo };
}

const HEAD = 'apiVersion: paved/v1\nkind: Platform\n';

describe('paved new reads platform.yaml with the strict loader', () => {
  it.each([
    [
      'an anchor and an alias',
      `${HEAD}domain: &d example.com\nname: *d\n`,
      'platform.yaml:3:12: error LOAD.ALIAS anchor "&d" is not allowed (nor is the other anchor or alias in this file)',
    ],
    ['a duplicate key', `${HEAD}scaffold:\n  templates: a\n  templates: b\n`, 'platform.yaml:5:3: error LOAD.DUPLICATE_KEY map keys must be unique'],
    ['an unknown key', `${HEAD}scafold:\n  templates: evil\n`, 'platform.yaml:3:1: error SPEC.UNKNOWN_KEY unknown key "scafold" (did you mean "scaffold"?)'],
    [
      'an unknown key under scaffold',
      `${HEAD}scaffold:\n  template: evil\n`,
      'platform.yaml:4:3: error SPEC.UNKNOWN_KEY scaffold: unknown key "template" (did you mean "templates"?)',
    ],
    [
      'templates outside the repository',
      `${HEAD}scaffold:\n  templates: ../elsewhere\n`,
      'platform.yaml:4:14: error SPEC.PATTERN scaffold.templates: "../elsewhere" is invalid: it must be a relative path inside the repository: no leading "/", no ".." segment',
    ],
    [
      'an absolute template path',
      `${HEAD}scaffold:\n  templates: /etc\n`,
      'platform.yaml:4:14: error SPEC.PATTERN scaffold.templates: "/etc" is invalid: it must be a relative path inside the repository: no leading "/", no ".." segment',
    ],
    ['a merge key', `${HEAD}scaffold:\n  <<: {templates: x}\n`, 'platform.yaml:4:3: error LOAD.MERGE_KEY merge key "<<" is not allowed'],
    ['a tag', `${HEAD}scaffold:\n  templates: !!str x\n`, 'platform.yaml:4:20: error LOAD.TAG tag "!!str" is not allowed'],
    ['a second document', `${HEAD}---\n${HEAD}`, 'platform.yaml:3:1: error LOAD.MULTIPLE_DOCUMENTS file contains more than one YAML document'],
    [
      'a policy violation',
      `${HEAD}policy:\n  production: { deletionProtection: true, multiAz: true, backupRetentionDays: 1 }\n`,
      'platform.yaml:4:79: error POLICY.BACKUP_RETENTION policy.production.backupRetentionDays: 1 days of backups is too few for production',
    ],
  ])('rejects %s with its position, exit 1 and nothing written', async (_, platform, first) => {
    const run = await paveNew(platform);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(first);
    expect(run.stderr).toContain('paved: platform.yaml is invalid; nothing written\n');
    expect(run.stdout).toBe('');
    expect(run.written).toBe(false);
  });

  it("says it runs the platform's templates, and from where", async () => {
    const run = await paveNew(`${HEAD}scaffold:\n  templates: platform/templates\n`, (repo) => {
      mkdirSync(join(repo, 'platform', 'templates', 'node'), { recursive: true });
      writeFileSync(join(repo, 'platform', 'templates', 'node', 'README.md.njk'), '# {{ name }}\n');
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('note:'))).toEqual([
      "note: ran the platform's scaffold templates from platform/templates (scaffold.templates in platform.yaml); they are code the platform team owns and reviews",
    ]);
  });

  it("prints no note for paved's built-in templates, with or without a platform.yaml", async () => {
    for (const platform of [undefined, `${HEAD}domain: example.org\n`]) {
      const run = await paveNew(platform);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toContain('note:');
    }
  });
});

describe("generated workflows run only the repository's installed paved", () => {
  const workflows = goldenCases()
    .map((name) => join(caseRoot(name), 'expected', '.github', 'workflows'))
    .filter((dir) => existsSync(dir))
    .flatMap((dir) => readdirSync(dir).map((f) => join(dir, f)));

  it('has golden workflows to look at', () => {
    expect(workflows.length).toBeGreaterThan(10);
  });

  it('never calls npx, and calls paved only as npm exec --offline --no -- paved', () => {
    for (const file of workflows) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/\bnpx\b/);
      for (const line of text.split('\n').filter((l) => !/^\s*(- )?name:/.test(l) && /\bpaved (compile|check|diff|preview|release|"\$\{release)/.test(l))) {
        expect(line, file).toMatch(/npm exec --offline --no -- paved /);
      }
    }
  });

  it('keeps every script constant free of a bare paved or npx call', () => {
    expect(scripts.PAVED).toBe('npm exec --offline --no -- paved');
    for (const [name, value] of Object.entries({ ...scripts, ...releaseScripts })) {
      if (typeof value !== 'string') continue;
      expect(value, name).not.toMatch(/\bnpx\b/);
      expect(value.replaceAll(scripts.PAVED, ''), name).not.toMatch(/(^|[\s;&|(])paved\s/m);
    }
  });
});
