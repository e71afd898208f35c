/**
 * The serialization floor of one repo, run by bench/compile.ts as a child process:
 * `node --expose-gc dist/bench/floor.js <root> <runs>` prints one JSON object on stdout.
 *
 * Each of `runs` rounds, in this warmed-up process, each timing started from a
 * collected heap (so no step pays for the garbage of the one before) and with
 * the serializers' scalar memo emptied (as in a fresh CLI process):
 * 1. An in-memory compile of the repo (`compile()`: read and parse specs,
 *    validate, resolve, emit; no writes), timed with nothing else in the heap,
 *    as a CLI process runs it.
 * 2. A compile with the serializer probe on, which records every value given to
 *    `toYaml`, `toJson` and the HCL `printFile` with the text each returned;
 *    every value is serialized again and must give the same text, so no value
 *    changed after it was serialized (the floor times what the compile serialized).
 * 3. The re-serialization of every recorded value with the same functions and
 *    no other work: the floor.
 * 4. The compile of step 1 again, beside the recorded values (how this benchmark
 *    timed it until the run after b552798; a heap holding every value the compile
 *    serialized slows it by a few percent), reported for comparison only.
 * 5. For scale, the write floor: the same files written plainly into an empty directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emitters } from '../cli/emitters.js';
import { compile } from '../compiler/compile.js';
import { printFile, type BodyItem } from '../emitters/shared/hcl.js';
import { clearSerializerMemo, toJson, toYaml } from '../emitters/shared/serialize.js';
import { serializerProbe, type SerializerName } from '../emitters/shared/serializer-probe.js';

export interface FloorResult {
  readonly files: number;
  readonly outputBytes: number;
  readonly calls: Readonly<Record<SerializerName, number>>;
  /** Bytes the recorded calls returned; the rest of the output is headers, comments and the like. */
  readonly serializedBytes: number;
  /** In-memory compiles, ms, memo emptied before each, with nothing else in the heap. */
  readonly compileMs: readonly number[];
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

export function measureFloor(root: string, runs: number): FloorResult {
  let result = compile({ root, emitters });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`${root} does not compile: ${errors[0]!.code} ${errors[0]!.message}`);
  const files = result.files.length;
  const outputBytes = result.files.reduce((sum, f) => sum + Buffer.byteLength(f.contents), 0);

  let sink = 0;
  let calls: Call[] = [];
  const replay = (): void => {
    for (const call of calls) sink += SERIALIZERS[call.serializer](call.value).length;
  };
  const compileMs: number[] = [];
  const compileCpuMs: number[] = [];
  const compileBesideValuesMs: number[] = [];
  const floorMs: number[] = [];
  const floorCpuMs: number[] = [];
  const floorWarmMemoMs: number[] = [];
  const writeMs: number[] = [];
  const writeCpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    calls = [];
    const compiled = timed(() => compile({ root, emitters }));
    compileMs.push(compiled.wall);
    compileCpuMs.push(compiled.cpu);

    serializerProbe.record = (serializer, value, text) => calls.push({ serializer, value, text });
    try {
      result = compile({ root, emitters });
    } finally {
      serializerProbe.record = undefined;
    }
    clearSerializerMemo();
    for (const call of calls) {
      if (SERIALIZERS[call.serializer](call.value) !== call.text)
        throw new Error(
          `a value given to the ${call.serializer} serializer changed after it was serialized; the floor would not time what the compile serialized`,
        );
    }
    const floor = timed(replay);
    floorMs.push(floor.wall);
    floorCpuMs.push(floor.cpu);
    collect();
    floorWarmMemoMs.push(elapsed(replay).wall);
    compileBesideValuesMs.push(timed(() => compile({ root, emitters })).wall);

    const target = mkdtempSync(join(tmpdir(), 'paved-bench-write-'));
    const written = elapsed(() => {
      for (const file of result.files) {
        mkdirSync(dirname(join(target, file.path)), { recursive: true });
        writeFileSync(join(target, file.path), file.contents);
      }
    });
    writeMs.push(written.wall);
    writeCpuMs.push(written.cpu);
    rmSync(target, { recursive: true, force: true });
  }
  if (sink === 0) throw new Error('nothing was serialized');

  const count = (name: SerializerName): number => calls.filter((c) => c.serializer === name).length;
  return {
    files,
    outputBytes,
    calls: { yaml: count('yaml'), json: count('json'), hcl: count('hcl') },
    serializedBytes: calls.reduce((sum, c) => sum + Buffer.byteLength(c.text), 0),
    compileMs,
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
if (root !== undefined) process.stdout.write(`${JSON.stringify(measureFloor(root, Number(runs ?? 5)))}\n`);
