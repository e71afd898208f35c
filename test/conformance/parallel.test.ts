import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { compileSources, type LoadedSources } from '../../compiler/compile.js';
import { emitSequentially } from '../../compiler/emit.js';
import { DONE, emitInThreads, NEXT, PARALLEL_THRESHOLD, RECEIVED, SERVICES_PER_WORKER, WAITING_LIMIT, workerCount } from '../../compiler/parallel.js';
import { Worker } from 'node:worker_threads';
import { parseSource } from '../../compiler/parse.js';
import { syntheticRepo } from '../../bench/synthetic.js';

/**
 * Emitting on worker threads (compiler/parallel.ts) must change nothing but the
 * time: the same files, in the same order, byte for byte. The worker runs the
 * built CLI (dist/), which `npm test` builds first.
 */
const WORKER = new URL('../../dist/cli/emit-worker.js', import.meta.url);

function loaded(count: number): LoadedSources {
  const files = syntheticRepo(count, 5, { everything: true });
  const parsed = files.map((f) => ({ f, r: parseSource(f.path, new TextEncoder().encode(f.text), f.kind) }));
  return {
    platform: parsed.find((p) => p.f.kind === 'platform')!.r.file,
    services: parsed.filter((p) => p.f.kind === 'service').map((p) => p.r.file!),
    loadDiagnostics: [],
    sources: new Map(),
  };
}

describe('emitting on worker threads', () => {
  it('plans exactly the files a single thread plans', () => {
    const repo = loaded(PARALLEL_THRESHOLD + 12);
    const threaded = compileSources(repo, { emitters, emitServices: emitInThreads(WORKER, 1) });
    const sequential = compileSources(repo, { emitters, emitServices: emitSequentially });
    expect(threaded.diagnostics).toEqual([]);
    expect(threaded.files.length).toBeGreaterThan(5000);
    expect(threaded.files.map((f) => [f.path, f.contents])).toEqual(sequential.files.map((f) => [f.path, f.contents]));
  });

  it('emits everything itself when the worker cannot start', () => {
    const repo = loaded(PARALLEL_THRESHOLD);
    const broken = compileSources(repo, { emitters, emitServices: emitInThreads(new URL('../../dist/cli/no-such-worker.js', import.meta.url), 1) });
    expect(broken.files.map((f) => f.contents)).toEqual(compileSources(repo, { emitters }).files.map((f) => f.contents));
  });

  it('leaves emitting to a worker that keeps up, and emits itself what an idle or failing worker did not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paved-worker-'));
    try {
      // Stand-in workers speaking the protocol: one marks what it emits, one fails on every service it takes.
      const worker = (body: string): URL => {
        const path = join(dir, `${body.length}.mjs`);
        writeFileSync(
          path,
          `import { workerData } from 'node:worker_threads';
const { names, counters, port } = workerData;
for (let i = Atomics.add(counters, ${NEXT}, 1); i < names.length; i = Atomics.add(counters, ${NEXT}, 1)) {
  try { ${body} } finally { Atomics.add(counters, ${DONE}, 1); Atomics.notify(counters, ${DONE}); }
}
`,
        );
        return pathToFileURL(path);
      };
      const repo = loaded(PARALLEL_THRESHOLD);
      const marking = worker(
        `port.postMessage([i, [{ emitter: 'stand-in', result: { files: [{ path: 'generated/' + names[i] + '/from-worker', contents: 'x', source: 'platform.yaml' }], diagnostics: [] } }]]);`,
      );
      // Waiting a minute for a result before emitting here: the calling thread only writes while the worker keeps up.
      const marked = compileSources(repo, { emitters, emitServices: emitInThreads(marking, 1, 60_000) });
      expect(marked.files.filter((f) => f.path.endsWith('/from-worker')).length).toBe(PARALLEL_THRESHOLD);

      // A worker that starts but takes nothing: after idleMs without a result, the calling thread emits every service.
      const idle = join(dir, 'idle.mjs');
      writeFileSync(idle, `setTimeout(() => undefined, 60_000);\n`);
      const waited = compileSources(repo, { emitters, emitServices: emitInThreads(pathToFileURL(idle), 1, 200) });
      expect(waited.files.map((f) => f.contents)).toEqual(compileSources(repo, { emitters }).files.map((f) => f.contents));

      const failing = worker(`throw new Error('worker failed');`);
      const recovered = compileSources(repo, { emitters, emitServices: emitInThreads(failing, 1) });
      expect(recovered.files.map((f) => f.contents)).toEqual(compileSources(repo, { emitters }).files.map((f) => f.contents));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts a worker for every SERVICES_PER_WORKER services, at least one and at most the threads the machine allows', () => {
    expect(workerCount(3, PARALLEL_THRESHOLD)).toBe(1);
    expect(workerCount(3, 2 * SERVICES_PER_WORKER - 1)).toBe(1);
    expect(workerCount(3, 2 * SERVICES_PER_WORKER)).toBe(2);
    expect(workerCount(3, 10 * SERVICES_PER_WORKER)).toBe(3);
    expect(workerCount(1, 10 * SERVICES_PER_WORKER)).toBe(1);
  });

  it('lets a worker take its next service only while fewer than WAITING_LIMIT finished ones wait for the main thread', async () => {
    const counters = new Int32Array(new SharedArrayBuffer(12));
    Atomics.store(counters, DONE, WAITING_LIMIT);
    const parallel = new URL('../../dist/compiler/parallel.js', import.meta.url).href;
    const worker = new Worker(
      `import('${parallel}').then(({ awaitTurn }) => { awaitTurn(require('node:worker_threads').workerData); require('node:worker_threads').parentPort.postMessage('turn'); });`,
      { eval: true, workerData: counters },
    );
    const turn = new Promise<number>((resolve) => worker.once('message', () => resolve(Atomics.load(counters, RECEIVED))));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Still waiting: WAITING_LIMIT services are done and none was taken in.
    expect(Atomics.load(counters, RECEIVED)).toBe(0);
    Atomics.add(counters, RECEIVED, 1);
    Atomics.notify(counters, RECEIVED);
    expect(await turn).toBe(1);
    await worker.terminate();
  });
});
