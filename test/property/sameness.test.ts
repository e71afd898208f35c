import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { serviceName, syntheticRepo } from '../../bench/synthetic.js';
import { emitters } from '../../cli/emitters.js';
import { compileTexts, type CompileResult, type SpecText } from '../../compiler/compile.js';
import { seedRepos } from '../../scripts/fuzz.js';
import type { Emitter } from '../../spec/emitter.js';
import { envSegment } from '../../spec/runtime-env.js';
import { propertyCases, REPO } from '../support/helpers.js';

/**
 * The golden-path promise: a service's output is a function of its spec, so two
 * services that differ only in name get output that differs only in name.
 */

/** Renames a service everywhere a spec names it: its own name, dependsOn, subscriptions, override targets, releases. */
function rename(files: readonly SpecText[], from: string, to: string): SpecText[] {
  return files.map((file) => {
    const doc = parseDocument(file.text);
    if (file.kind === 'service') {
      if (doc.get('name') === from) doc.set('name', to);
      const depends = doc.get('dependsOn', true) as { items?: Array<{ value?: unknown }> } | undefined;
      for (const item of depends?.items ?? []) if (item.value === from) item.value = to;
      const subscriptions = doc.getIn(['resources', 'subscriptions'], true) as
        { items?: Array<{ get(k: string, keep: true): { value?: unknown } | undefined }> } | undefined;
      for (const subscription of subscriptions?.items ?? []) {
        const node = subscription.get('from', true);
        if (node?.value === from) node.value = to;
      }
      // Override targets name the service's objects (`Deployment/<name>`).
      for (const list of ['kubernetes', 'terraform']) {
        const overrides = doc.getIn(['overrides', list], true) as
          { items?: Array<{ get(k: string, keep: true): { value?: unknown } | undefined }> } | undefined;
        for (const override of overrides?.items ?? []) {
          const node = override.get('target', true);
          if (typeof node?.value === 'string' && node.value.endsWith(`/${from}`)) node.value = `${node.value.slice(0, -from.length)}${to}`;
        }
      }
    } else if (file.kind === 'releases' && doc.hasIn(['services', from])) {
      doc.setIn(['services', to], doc.getIn(['services', from], true));
      doc.deleteIn(['services', from]);
    }
    return { ...file, text: doc.toString() };
  });
}

function outputText(result: CompileResult): string {
  return result.files.map((f) => `=== ${f.path}\n${f.contents}`).join('');
}

/** Renames one service and checks that, mapping the new name back, every file is byte-identical. */
function expectSameButName(files: readonly SpecText[], service: string, names: readonly string[], list: readonly Emitter[] = emitters): void {
  const original = compileTexts(files, list);
  expect(original.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const before = outputText(original);
  // The new name keeps the sorted order of all names (suffix "-0" sorts right after the name
  // and before its longer relatives) and occurs nowhere in the original output.
  let renamed = `${service}-0`;
  while (before.includes(renamed)) renamed += '0';
  const order = (list: readonly string[]): string =>
    [...list]
      .sort()
      .map((n) => (n === renamed ? service : n))
      .join(',');
  expect(order(names.map((n) => (n === service ? renamed : n)))).toBe(order(names));
  const result = compileTexts(rename(files, service, renamed), list);
  expect(
    result.diagnostics.filter((d) => d.severity === 'error'),
    `renaming ${service}`,
  ).toEqual([]);
  // Names also reach environment variables upper-cased (QUEUE_<FROM>_<TOPIC>_URL, spec/runtime-env.ts).
  const after = outputText(result).split(renamed).join(service).split(envSegment(renamed)).join(envSegment(service));
  expect(after, `renaming ${service} to ${renamed} changed more than the name`).toBe(before);
}

describe('services that differ only in name', () => {
  it('get output that differs only in name, for every service of every fixture and example', () => {
    let checked = 0;
    for (const repo of seedRepos(REPO)) {
      const names = repo.filter((f) => f.kind === 'service').map((f) => parseDocument(f.text).get('name') as string);
      for (const name of names) {
        expectSameButName(repo, name, names);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  const services = propertyCases(300);
  it(`get output that differs only in name, for ${services} seeded random services`, () => {
    let checked = 0;
    for (let seed = 1; checked < services; seed++) {
      const repo = syntheticRepo(3, seed);
      const names = [0, 1, 2].map(serviceName);
      for (const name of names) {
        expectSameButName(repo, name, names);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(services);
    // 100 compiles of three services: 39 s before the platform layer and the database bootstrap, 50 s after, alone on 2 loaded cores.
  }, 180_000);

  it('would notice an emitter whose output depends on the name beyond spelling it (a hash of it)', () => {
    const hashing: Emitter = {
      id: 'hashing',
      emitService: (service, project) => ({
        diagnostics: [],
        files: [
          {
            path: `${project.output.dir}/${service.name}/id.txt`,
            source: service.specPath,
            contents: `${createHash('sha256').update(service.name).digest('hex')}\n`,
          },
        ],
      }),
    };
    const names = [0, 1].map(serviceName);
    expect(() => expectSameButName(syntheticRepo(2, 1), names[0]!, names, [hashing])).toThrow(/changed more than the name/);
  });
});
