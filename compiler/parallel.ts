import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ResolvedProject } from '../spec/model.js';
import { emitSequentially, emitService, type EmitServices, type ServiceEmission } from './emit.js';

/**
 * Below this many services to emit, a thread costs more to start (it loads the
 * emitters) than it saves.
 */
export const PARALLEL_THRESHOLD = 48;

/**
 * A worker for every this many services to emit, up to the cores: each holds
 * its own heap and copy of the project, 50–80 MiB. Cold compiles on a tmpfs,
 * peak RSS with one, two and three workers: 300 services 230, 285 and 349 MiB;
 * 500 services 296, 345 and 400 MiB; 1,000 services 363, 439 and 517 MiB. One
 * per 500 keeps a cold compile under 0.4 MiB per service + 150 MiB on a machine
 * of any size.
 */
export const SERVICES_PER_WORKER = 500;

/** How many workers emit `services` services when the machine allows `threads`. */
export const workerCount = (threads: number, services: number): number => Math.min(threads, Math.max(1, Math.floor(services / SERVICES_PER_WORKER)));

/**
 * Shared counters: the next service index to take, how many services are done
 * (emitted or failed), and how many of those this thread has taken in (delivered,
 * or read as a worker's failure).
 */
export const NEXT = 0;
export const DONE = 1;
export const RECEIVED = 2;
/**
 * How many finished services may wait for this thread at once. Workers emit
 * while this thread writes; on a slow disk they would run ahead and their
 * results pile up in the ports (each a service's whole output), so a worker
 * takes its next service only while fewer than this many wait (awaitTurn).
 */
export const WAITING_LIMIT = 4;

/** In a worker: blocks until fewer than WAITING_LIMIT finished services wait for the main thread. */
export function awaitTurn(counters: Int32Array): void {
  for (;;) {
    const received = Atomics.load(counters, RECEIVED);
    if (Atomics.load(counters, DONE) - received < WAITING_LIMIT) return;
    // Timed, so a worker the main thread terminates is never left blocked for good.
    Atomics.wait(counters, RECEIVED, received, 50);
  }
}
/** A worker that took a service and then made no progress for this long is given up on. */
const STALL_MS = 120_000;
/**
 * A worker's heap. V8 sizes its growth by the limits: with the defaults, a
 * worker's old generation grew by ~130 MiB of garbage before its first full
 * collection (the cold compile's peak RSS). Measured on a cold compile of 300
 * services (one worker on two cores), peak RSS and user CPU: no limits 305 MiB,
 * 4.9 s; old 256 + young 16 MiB 262 MiB, 5.5 s; young 8 MiB 250 MiB, 6.3 s;
 * young 4 MiB 225 MiB, 6.7 s. A smaller young generation collects more often.
 * A worker holds the project and one service at a time, far below the old
 * limit; one that hit it would stop, and what it took would be emitted here
 * after STALL_MS.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/** What cli/emit-worker receives. */
export interface EmitWorkerData {
  readonly project: ResolvedProject;
  /** Names of the services to emit, by index. */
  readonly names: readonly string[];
  readonly counters: Int32Array;
  readonly port: MessagePort;
}

/** A worker posts `[index, emission]` per service; `error` if it could not start. */
export type EmitWorkerMessage = readonly [number, ServiceEmission] | { readonly error: string };

/**
 * How long the calling thread waits for a worker's result before it emits a
 * service itself. Only a worker that failed to start, died or stalls leaves it
 * idle this long: a worker starts in a few hundred milliseconds and emits a
 * service in tens.
 */
export const IDLE_MS = 1000;

/**
 * Emits services on worker threads running `script` (cli/emit-worker), up to
 * `threads` of them (workerCount), which take services from one shared
 * counter, so a slow service never leaves a thread idle. Synchronous: the
 * calling thread delivers each result as it arrives, so results do not pile up
 * until the end (a streaming compile writes and releases them). It emits a
 * service itself only when no worker result came for `idleMs`. The main
 * thread's heap, unlike a worker's (WORKER_LIMITS), grows far past its live
 * data before a full collection: when it emitted its share, a cold compile of
 * 300 services ended with 146 MiB in its heap, of which 45 were live at its
 * only full collection. Cold compiles on a tmpfs (two cores, one worker), peak
 * RSS and wall, emitting a share here and not: 300 services 273 and 230 MiB,
 * 4.3 and 4.6 s; 1,000 services 530 and 360 MiB, 13.0 and 14.5 s. A worker
 * that fails on a service still counts it done. Results carry their index, so
 * output does not depend on which thread emitted what; whatever a worker did
 * not deliver is emitted here, where its error, if any, surfaces as usual.
 */
export function emitInThreads(script: URL, threads = Math.min(availableParallelism() - 1, 3), idleMs = IDLE_MS): EmitServices {
  return (project, services, emitters, deliver) => {
    if (threads < 1 || services.length < PARALLEL_THRESHOLD) return emitSequentially(project, services, emitters, deliver);

    const counters = new Int32Array(new SharedArrayBuffer(12));
    const names = services.map((s) => s.name);
    const workers = Array.from({ length: workerCount(threads, services.length) }, () => {
      const { port1, port2 } = new MessageChannel();
      const data: EmitWorkerData = { project, names, counters, port: port2 };
      const worker = new Worker(script, { workerData: data, transferList: [port2], resourceLimits: WORKER_LIMITS });
      // A worker that fails takes nothing more; what it took is emitted here.
      worker.on('error', () => undefined);
      return { worker, port: port1 };
    });

    const delivered: boolean[] = new Array<boolean>(services.length).fill(false);
    const received = (): void => {
      Atomics.add(counters, RECEIVED, 1);
      Atomics.notify(counters, RECEIVED);
    };
    const hand = (i: number, emission: ServiceEmission): void => {
      if (delivered[i]) return;
      delivered[i] = true;
      deliver(i, emission);
    };
    let lastResult = Date.now();
    const drain = (): void => {
      for (const { port } of workers) {
        for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
          lastResult = Date.now();
          const posted = message.message as EmitWorkerMessage;
          if (Array.isArray(posted)) hand(posted[0], posted[1]);
          received();
        }
      }
    };
    const byName = new Map(project.services.map((s) => [s.name, s]));
    /** Emits the next service here; false when every service is taken. */
    const emitHere = (): boolean => {
      const i = Atomics.add(counters, NEXT, 1);
      if (i >= services.length) return false;
      const emission = emitService(project, services[i]!, emitters, byName);
      Atomics.add(counters, DONE, 1);
      hand(i, emission);
      received();
      return true;
    };
    let progress = Date.now();
    for (let done = Atomics.load(counters, DONE); done < services.length && Date.now() - progress < STALL_MS;) {
      // Taken in before waiting: a worker holds its next service until what it finished is received.
      // DONE was read before this drain, and a worker posts before it counts, so nothing counted is left unread.
      drain();
      // No worker result for idleMs: the workers failed or stall, and this thread emits until one comes.
      const idle = Date.now() - lastResult >= idleMs;
      if (!(idle && emitHere())) Atomics.wait(counters, DONE, done, idle ? 1000 : idleMs);
      const now = Atomics.load(counters, DONE);
      if (now !== done) progress = Date.now();
      done = now;
    }

    drain();
    for (const { worker, port } of workers) {
      port.close();
      void worker.terminate();
    }
    const missing = services.flatMap((_, i) => (delivered[i] ? [] : [i]));
    emitSequentially(
      project,
      missing.map((i) => services[i]!),
      emitters,
      (j, emission) => hand(missing[j]!, emission),
    );
  };
}
