import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDocs, regenerateDoc } from '../../scripts/generate-spec.js';
import { HELP } from '../../cli/main.js';
import { POLICY_RULES as AUDIT_RULES } from '../../compiler/policy/registry.js';
import { hasErrors } from '../../compiler/diagnostics.js';
import { DECLARED_WAIVERS } from '../../emitters/shared/waivers.js';
import { compileDir, REPO, scratchCopy } from '../support/helpers.js';

const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');
const readme = read('README.md');

/** Every Markdown file of the documentation: the README, docs/, and the three beside the code. */
function documentation(): string[] {
  const files = ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'bench/RESULTS.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files.sort();
}

/** Markdown outside fenced code blocks, where links and headings live. */
function outsideFences(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .filter((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return !fenced && !line.startsWith('```');
    })
    .join('\n');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(path: string): Set<string> {
  return new Set([...outsideFences(read(path)).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe('README', () => {
  it('is a front door: at most 400 lines', () => {
    expect(readme.split('\n').length - 1).toBeLessThanOrEqual(400);
  });

  it('has a quick start of exactly two commands: install and compile the example, then test', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## What paved emits'));
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1];
    expect(block).toBe('npm ci && npx paved compile examples/shop\nnpm test\n');
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.bin.paved).toBe('bin/paved.js');
    expect(pkg.scripts.prepare).toBeDefined();
    expect(read('.ci/run')).toContain('\nnpm test\n');
  });

  it('shows a service.yaml of about twenty lines that compiles, with the targets the README says it turns into', () => {
    const section = readme.slice(readme.indexOf('## A service in twenty lines'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    expect(example!.split('\n').length - 1).toBeLessThanOrEqual(25);
    const scratch = scratchCopy();
    try {
      mkdirSync(join(scratch.dir, 'services', 'orders'), { recursive: true });
      writeFileSync(join(scratch.dir, 'services', 'orders', 'service.yaml'), example!);
      const result = compileDir(scratch.dir);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(hasErrors(result.diagnostics)).toBe(false);
      const paths = result.files.map((f) => f.path);
      for (const expected of [
        'generated/orders/terraform/kms.tf',
        'generated/orders/terraform/database.tf',
        'generated/orders/terraform/messaging.tf',
        'generated/orders/terraform/secrets.tf',
        'generated/orders/terraform/iam.tf',
        'generated/orders/kubernetes/preview/deployment.yaml',
        'generated/orders/kubernetes/staging/deployment.yaml',
        'generated/orders/kubernetes/production/deployment.yaml',
        '.github/workflows/paved-orders.yml',
        'generated/orders/grafana/dashboard.json',
        'generated/orders/alerts/rules.yaml',
        'generated/_platform/terraform/state.tf',
      ]) {
        expect(paths, expected).toContain(expected);
      }
    } finally {
      scratch.cleanup();
    }
  });
});

describe('the documentation', () => {
  it('holds generated blocks that match their sources: docs/reference/ the schemas, docs/cli.md the command table (npm run spec:generate)', () => {
    expect(generatedDocs().map((d) => d.path)).toEqual([
      'docs/reference/service.md',
      'docs/reference/platform.md',
      'docs/reference/releases.md',
      'docs/cli.md',
    ]);
    for (const { path } of generatedDocs()) expect(read(path), `${path} is stale; run npm run spec:generate`).toBe(regenerateDoc(path, read(path)));
  });

  it('documents every key of service-spec.md in the service.yaml reference', () => {
    const reference = read('docs/reference/service.md');
    for (const key of [
      'runtime.scaling.targetCPUUtilization',
      'resources.subscriptions[].maxRetries',
      'overrides.kubernetes[].reason',
      'environments.production.scaling',
      'observability.alerts.route',
    ]) {
      expect(reference).toContain(`| \`${key}\` |`);
    }
  });

  it('lists every command of the CLI help in the CLI reference', () => {
    const cli = read('docs/cli.md');
    for (const command of [
      'compile [root]',
      'check [root]',
      'validate [root]',
      'schema service|platform',
      'init <dir> --name <svc>',
      'new <name> --language node|python|go|java',
      'report [root]',
      'diff --base <git-ref> [root]',
      'explain <svc> [--env E]',
      'release <svc> --env staging|production --tag <tag>',
      'preview <svc> --pr <n>',
      'help [command]',
    ]) {
      expect(HELP).toContain(command);
      expect(cli).toContain(`paved ${command}`);
    }
  });

  it('has a Security model that lists every audited rule id and every declared waiver with its reason', () => {
    const section = read('docs/security.md');
    for (const heading of ['**What paved guarantees**', '**What the platform team must still provide**', '**Audited rules**', '**Waivers.**'])
      expect(section).toContain(heading);
    expect(AUDIT_RULES.flatMap((r) => r.ids).filter((id) => !section.includes(id))).toEqual([]);
    expect(DECLARED_WAIVERS.filter((w) => !section.includes(`\`${w.id}\``) || !section.includes(w.reason.replace(/\|/g, '\\|'))).map((w) => w.id)).toEqual([]);
  });

  it('links only to files that exist, and to headings that exist in them', () => {
    const files = documentation();
    expect(files).toContain('docs/README.md');
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const match of outsideFences(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:: not ours to check offline
        checked += 1;
        const [path = '', fragment] = target.split('#');
        const resolved =
          path === ''
            ? file
            : relative(REPO, resolve(REPO, dirname(file), path))
                .split('\\')
                .join('/');
        // A folder link (docs/) is fine when the folder exists.
        if (!existsSync(join(REPO, resolved))) broken.push(`${file}: ${target} (no ${resolved})`);
        else if (fragment !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment))
          broken.push(`${file}: ${target} (no heading #${fragment} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('has an index, docs/README.md, that links every page of the manual', () => {
    for (const page of [
      'docs/writing-a-service.md',
      'docs/reference/service.md',
      'docs/reference/platform.md',
      'docs/reference/releases.md',
      'docs/cli.md',
      'docs/ownership.md',
      'docs/scaffolding.md',
      'docs/targets/kubernetes.md',
      'docs/targets/terraform.md',
      'docs/targets/actions.md',
      'docs/targets/observability.md',
      'docs/platform-layer.md',
      'docs/day-2.md',
      'docs/security.md',
    ]) {
      expect(read('docs/README.md'), page).toContain(`](${page.slice('docs/'.length)})`);
    }
  });
});
