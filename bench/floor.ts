/**
 * The serialization floor of one repo, run by bench/compile.ts as a child process:
 * `node dist/bench/floor.js <root> <runs>` prints one JSON object on stdout.
 *
 * 1. One in-memory compile with the serializer probe on records every value given to
 *    `toYaml`, `toJson` and the HCL `printFile`, with the text each returned.
 * 2. Every recorded value is serialized again and must give the same text, so no
 *    value changed after it was serialized (the floor times what the compile serialized).
 * 3. `runs` times each, in this warmed-up process and with the serializers' scalar memo
 *    emptied first (as in a fresh CLI process): an in-memory compile of the repo
 *    (`compile()`: read and parse specs, validate, resolve, emit; no writes), and the
 *    re-serialization of every recorded value with the same functions and no other work.
 * 4. For scale, the write floor: the same files written plainly into an empty directory.
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
  /** In-memory compiles, ms, memo emptied before each. */
  readonly compileMs: readonly number[];
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

export function measureFloor(root: string, runs: number): FloorResult {
  const calls: Call[] = [];
  serializerProbe.record = (serializer, value, text) => calls.push({ serializer, value, text });
  let result;
  try {
    result = compile({ root, emitters });
  } finally {
    serializerProbe.record = undefined;
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`${root} does not compile: ${errors[0]!.code} ${errors[0]!.message}`);

  clearSerializerMemo();
  for (const call of calls) {
    if (SERIALIZERS[call.serializer](call.value) !== call.text)
      throw new Error(
        `a value given to the ${call.serializer} serializer changed after it was serialized; the floor would not time what the compile serialized`,
      );
  }

  let sink = 0;
  const replay = (): void => {
    for (const call of calls) sink += SERIALIZERS[call.serializer](call.value).length;
  };
  const compileMs: number[] = [];
  const compileCpuMs: number[] = [];
  const floorMs: number[] = [];
  const floorCpuMs: number[] = [];
  const floorWarmMemoMs: number[] = [];
  const writeMs: number[] = [];
  const writeCpuMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    clearSerializerMemo();
    const compiled = elapsed(() => compile({ root, emitters }));
    compileMs.push(compiled.wall);
    compileCpuMs.push(compiled.cpu);
    clearSerializerMemo();
    const floor = elapsed(replay);
    floorMs.push(floor.wall);
    floorCpuMs.push(floor.cpu);
    floorWarmMemoMs.push(elapsed(replay).wall);
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
    files: result.files.length,
    outputBytes: result.files.reduce((sum, f) => sum + Buffer.byteLength(f.contents), 0),
    calls: { yaml: count('yaml'), json: count('json'), hcl: count('hcl') },
    serializedBytes: calls.reduce((sum, c) => sum + Buffer.byteLength(c.text), 0),
    compileMs,
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
