/**
 * A worker thread of compiler/parallel.ts: takes service indices from the
 * shared counter until none are left, emits each with every emitter and posts
 * the result, taking the next only when the main thread keeps up (awaitTurn).
 * Every service it takes is counted done, emitted or not, so the main thread
 * never waits on a failure; it emits what is missing itself.
 */
import { workerData } from 'node:worker_threads';
import { emitService } from '../compiler/emit.js';
import { awaitTurn, DONE, NEXT, type EmitWorkerData, type EmitWorkerMessage } from '../compiler/parallel.js';
import { emitters } from './emitters.js';

const { project, names, counters, port } = workerData as EmitWorkerData;
const byName = new Map(project.services.map((s) => [s.name, s]));
for (let i = Atomics.add(counters, NEXT, 1); i < names.length; awaitTurn(counters), i = Atomics.add(counters, NEXT, 1)) {
  try {
    const message: EmitWorkerMessage = [i, emitService(project, byName.get(names[i]!)!, emitters, byName)];
    port.postMessage(message);
  } catch (error) {
    port.postMessage({ error: String(error) } satisfies EmitWorkerMessage);
  } finally {
    Atomics.add(counters, DONE, 1);
    Atomics.notify(counters, DONE);
  }
}
