import { emitInThreads } from '../compiler/parallel.js';

/** Emits services in worker threads: beside this module, or beside the bundle that holds it (dist/bundle/emit-worker.js). */
export const EMIT_IN_THREADS = emitInThreads(new URL('./emit-worker.js', import.meta.url));
