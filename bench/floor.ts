/**
 * The serialization floor of one repo, run by bench/compile.ts as a child process:
 * `node --expose-gc dist/bench/floor.js <root> <runs>` prints one JSON object on stdout.
 *
 * Each of `runs` rounds, in this warmed-up process, each timing started from a
 * collected heap (so no step pays for the garbage of the one before) and with
 * the serializers' scalar memo emptied (as in a fresh CLI process):
 * 1. An in-memory compile of the repo (`compile()`: read and parse specs,
 *    validate, resolve, emit; no writes), timed with nothing else in the heap,
 *    as a CLI process runs it: no result of an earlier compile is alive (the
 *    runs up to bd25cda held the previous round's result, all its output), and
 *    each service's files go, once emitted and checked, to a sink that keeps
 *    their paths and lets their bytes go, as the CLI's writer does once it has
 *    written them. The same compile holding every file to its end (`compile()`
 *    without a sink, as the runs up to this one timed it) is reported beside it.
 * 2. A compile with the serializer probe on, which records every value given to
 *    `toYaml`, `toJson` and the HCL `printFile` with the text each returned;
 *    every value is serialized again and must give the same text, so no value
 *    changed after it was serialized (the floor times what the compile serialized).
 * 3. For scale, the write floor: that compile's files written plainly into an
 *    empty directory. Then the compile's result and the recorded texts are let go.
 * 4. The re-serialization of every recorded value with the same functions and
 *    no other work, holding the values alone: the floor.
 * 5. The compile holding every file again, beside the recorded values (how this
 *    benchmark timed it until the run after b552798), reported for comparison only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emitters } from '../cli/emitters.js';
import { compile, type CompileResult } from '../compiler/compile.js';
import type { FileSink } from '../compiler/emit.js';
import { printFile, type BodyItem } from '../emitters/shared/hcl.js';
import { clearSerializerMemo, toJson, toYaml } from '../emitters/shared/serialize.js';
import { serializerProbe, type SerializerName } from '../emitters/shared/serializer-probe.js';
import { applyV8Flags } from '../spec/v8-flags.js';

export interface FloorResult {
  readonly files: number;
  readonly outputBytes: number;
  readonly calls: Readonly<Record<SerializerName, number>>;
  /** Bytes the recorded calls returned; the rest of the output is headers, comments and the like. */
  readonly serializedBytes: number;
  /** In-memory compiles, ms, memo emptied before each, with nothing else in the heap, their files released as streamed. */
  readonly compileMs: readonly number[];
  /** The same compiles holding every file until they return (the method of earlier runs), ms; for comparison. */
  readonly compileHoldingMs: readonly number[];
  /** The same compiles beside the recorded values (the method of earlier runs), ms; for comparison. */
  readonly compileBesideValuesMs: readonly number[];
  /** Re-serializing every recorded value, ms, memo emptied before each. */
  readonly floorMs: readonly number[];
  /** CPU time (user + system, whole process) of the same compiles and re-serializations, ms. */
  readonly compileCpuMs: readonly number[];
  readonly floorCpuMs: readonly number[];
  /**
   * Writing the compile's files with plain mkdir + writeFileSync into an empty
   * temporary directory (no manifest, lock, temporary file or rename): what the
   * file system alone charges for a cold compile's output, ms.
   */
  readonly writeMs: readonly number[];
  readonly writeCpuMs: readonly number[];
  /** The re-serialization again with the memo left warm from the previous pass: a lower bound, not the floor. */
  readonly floorWarmMemoMs: readonly number[];
}

interface Call {
  readonly serializer: SerializerName;
  readonly value: unknown;
  readonly text: string;
}

const SERIALIZERS: Readonly<Record<SerializerName, (value: unknown) => string>> = {
  yaml: toYaml,
  json: toJson,
  hcl: (value) => printFile(value as readonly BodyItem[]),
};

/** Wall and CPU milliseconds of `fn`. */
function elapsed(fn: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** A full garbage collection, so a timing starts from a collected heap. */
function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('bench/floor.js needs node --expose-gc');
  gc();
}

/** `fn` timed from a collected heap and an empty serializer memo. */
function timed(fn: () => void): { wall: number; cpu: number } {
  clearSerializerMemo();
  collect();
  return elapsed(fn);
}

/**
 * Where the timed compile streams each service's files: their paths are kept,
 * their bytes let go, as the CLI's writer (write/tree.ts TreeWriter) lets them
 * go once written. No hash: the manifest is the writer's work, not emission's.
 */
const released = (): FileSink => ({ stage: (files) => files.map(({ path, source }) => ({ path, source, sha256: '' })) });

/** The compile as timed; it must stream every file the first compile planned. */
function compileReleasing(root: string, files: number): void {
  const result = compile({ root, emitters, sink: released });
  if (result.streamed?.length !== files) throw new Error(`the streaming compile took ${result.streamed?.length ?? 0} files, not ${files}`);
}

/** The size of a repo's output; its compile is not kept (it is out of scope when measureFloor times anything). */
function outputOf(root: string): { files: number; outputBytes: number } {
  const first = compile({ root, emitters });
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`${root} does not compile: ${errors[0]!.code} ${errors[0]!.message}`);
  return { files: first.files.length, outputBytes: first.files.reduce((sum, f) => sum + Buffer.byteLength(f.contents), 0) };
}

export function measureFloor(root: string, runs: number): FloorResult {
  const { files, outputBytes } = outputOf(root);
  let sink = 0;
  // What the floor holds while it is timed: the values alone, as recorded.
  let values: { readonly serializer: SerializerName; readonly value: unknown }[] = [];
  const calls = { yaml: 0, json: 0, hcl: 0 };
  let serializedBytes = 0;
  const replay = (): void => {
    for (const call of values) sink += SERIALIZERS[call.serializer](call.value).length;
  };
  const compileMs: number[] = [];
  const compileCpuMs: number[] = [];
  const compileHoldingMs: number[] = [];
  const compileBesideValuesMs: number[] = [];
  const floorMs: number[] = [];
  const floorCpuMs: number[] = [];
  const floorWarmMemoMs: number[] = [];
  const writeMs: number[] = [];
  const writeCpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    // Nothing of an earlier compile or round is alive here: a CLI process holds no other compile.
    values = [];
    const compiled = timed(() => compileReleasing(root, files));
    compileMs.push(compiled.wall);
    compileCpuMs.push(compiled.cpu);
    compileHoldingMs.push(timed(() => compile({ root, emitters })).wall);

    const recorded: Call[] = [];
    serializerProbe.record = (serializer, value, text) => recorded.push({ serializer, value, text });
    let result: CompileResult | undefined;
    try {
      result = compile({ root, emitters });
    } finally {
      serializerProbe.record = undefined;
    }
    clearSerializerMemo();
    for (const call of recorded) {
      if (SERIALIZERS[call.serializer](call.value) !== call.text)
        throw new Error(
          `a value given to the ${call.serializer} serializer changed after it was serialized; the floor would not time what the compile serialized`,
        );
    }
    calls.yaml = calls.json = calls.hcl = serializedBytes = 0;
    for (const call of recorded) {
      calls[call.serializer]++;
      serializedBytes += Buffer.byteLength(call.text);
    }
    values = recorded.map(({ serializer, value }) => ({ serializer, value }));
    recorded.length = 0;

    const target = mkdtempSync(join(tmpdir(), 'paved-bench-write-'));
    const written = elapsed(() => {
      for (const file of result!.files) {
        mkdirSync(dirname(join(target, file.path)), { recursive: true });
        writeFileSync(join(target, file.path), file.contents);
      }
    });
    writeMs.push(written.wall);
    writeCpuMs.push(written.cpu);
    rmSync(target, { recursive: true, force: true });
    result = undefined;

    const floor = timed(replay);
    floorMs.push(floor.wall);
    floorCpuMs.push(floor.cpu);
    collect();
    floorWarmMemoMs.push(elapsed(replay).wall);
    compileBesideValuesMs.push(timed(() => compile({ root, emitters })).wall);
  }
  if (sink === 0) throw new Error('nothing was serialized');

  return {
    files,
    outputBytes,
    calls,
    serializedBytes,
    compileMs,
    compileHoldingMs,
    compileBesideValuesMs,
    floorMs,
    compileCpuMs,
    floorCpuMs,
    writeMs,
    writeCpuMs,
    floorWarmMemoMs,
  };
}

const [root, runs] = process.argv.slice(2);
if (root !== undefined) {
  // A CLI process's V8 flags (bin/paved.js), for the compile and the floor alike.
  applyV8Flags();
  process.stdout.write(`${JSON.stringify(measureFloor(root, Number(runs ?? 5)))}\n`);
}
