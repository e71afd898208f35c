import { describe, expect, it } from 'vitest';
import { emitters } from '../../../cli/emitters.js';
import { syntheticRepo } from '../../../bench/synthetic.js';
import { compileSources } from '../../../compiler/compile.js';
import { parseSource } from '../../../compiler/parse.js';
import { emitInThreads, PARALLEL_THRESHOLD } from '../../../compiler/parallel.js';
import { emitSequentially } from '../../../compiler/emit.js';

/**
 * Red team, class "policy": overrides that take the output off the golden path
 * past the override deny-lists (issue 14). The compile-time policy must fail
 * each at the patch operation that did it, naming the rule; platform waivers
 * excuse a rule and are reported; allow lists reject everything else.
 *
 * This file: the same findings when services are emitted on worker threads. The fixtures are in policy-harness.ts.
 */

describe('the policy on worker threads', () => {
  it('reports the same violation, at the same operation, as a single thread', () => {
    const files = syntheticRepo(PARALLEL_THRESHOLD + 4, 7, { everything: true });
    const victim = files.filter((f) => f.kind === 'service').at(-1)!;
    const name = /^name: (.+)$/m.exec(victim.text)![1]!;
    const override = `overrides:\n  kubernetes:\n    - target: Deployment/${name}\n      reason: "red team: threads"\n      patch:\n        - { op: add, path: /spec/template/spec/nodeName, value: n1 }\n`;
    const texts = files.map((f) => (f === victim ? { ...f, text: `${f.text}${override}` } : f));
    const parsed = texts.map((f) => ({ f, r: parseSource(f.path, new TextEncoder().encode(f.text), f.kind) }));
    const repo = {
      platform: parsed.find((p) => p.f.kind === 'platform')!.r.file,
      services: parsed.filter((p) => p.f.kind === 'service').map((p) => p.r.file!),
      loadDiagnostics: [],
      sources: new Map(),
    };
    const worker = new URL('../../../dist/cli/emit-worker.js', import.meta.url);
    const threaded = compileSources(repo, { emitters, emitServices: emitInThreads(worker, 1) });
    const sequential = compileSources(repo, { emitters, emitServices: emitSequentially });
    expect(threaded.files).toEqual([]);
    expect(threaded.diagnostics).toEqual(sequential.diagnostics);
    expect([...new Set(threaded.diagnostics.map((d) => `${d.code} ${d.file} ${d.message.slice(0, d.message.indexOf(' ('))}`))]).toEqual([
      `POLICY.VIOLATION ${victim.path} overrides.kubernetes[0].patch[0]: this operation makes the output break §4 paved PAVED_SCHEDULING`,
    ]);
  });
});
