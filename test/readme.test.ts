import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embedReference, renderReference } from '../scripts/generate-spec.js';
import { platformSchema, serviceSchema } from '../spec/index.js';
import { HELP } from '../cli/main.js';
import { POLICY_RULES as AUDIT_RULES } from '../compiler/policy/registry.js';
import { DECLARED_WAIVERS } from '../emitters/shared/waivers.js';
import { REPO } from './helpers.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('README', () => {
  it('embeds service and platform references that match the schemas (npm run spec:generate)', () => {
    const regenerated = embedReference(embedReference(readme, 'service', renderReference(serviceSchema)), 'platform', renderReference(platformSchema));
    expect(readme).toBe(regenerated);
  });

  it('documents every key of service-spec.md in the reference', () => {
    for (const key of ['runtime.scaling.targetCPUUtilization', 'resources.subscriptions[].maxRetries', 'overrides.kubernetes[].reason', 'environments.production.scaling', 'observability.alerts.route']) {
      expect(readme).toContain(`| \`${key}\` |`);
    }
  });

  it('has a quick start of exactly two commands: install and compile the example, then test', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## What paved emits'));
    const block = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1];
    expect(block).toBe('npm ci && npx paved compile examples/shop\nnpm test\n');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.bin.paved).toBe('bin/paved.js');
    expect(pkg.scripts.prepare).toBeDefined();
    expect(readFileSync(join(REPO, '.ci', 'run'), 'utf8')).toContain('\nnpm test\n');
  });

  it('lists every command of the CLI help', () => {
    for (const command of ['compile [root]', 'check [root]', 'validate [root]', 'schema service|platform', 'init <dir> --name <svc>', 'new <name> --language node|python|go|java', 'report [root]', 'diff --base <git-ref> [root]', 'explain <svc> [--env E]', 'release <svc> --env staging|production --tag <tag>']) {
      expect(HELP).toContain(command);
      expect(readme).toContain(`paved ${command}`);
    }
  });

  it('has a Security model that lists every audited rule id and every declared waiver with its reason', () => {
    const section = readme.slice(readme.indexOf('## Security model'), readme.indexOf('## Performance'));
    for (const heading of ['**What paved guarantees**', '**What the platform team must still provide**', '**Audited rules**', '**Waivers.**']) expect(section).toContain(heading);
    expect(AUDIT_RULES.flatMap((r) => r.ids).filter((id) => !section.includes(id))).toEqual([]);
    expect(DECLARED_WAIVERS.filter((w) => !section.includes(`\`${w.id}\``) || !section.includes(w.reason.replace(/\|/g, '\\|'))).map((w) => w.id)).toEqual([]);
  });
});
