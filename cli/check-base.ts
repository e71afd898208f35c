import { emitPrepared, type CompileResult, type PreparedCompile } from '../compiler/compile.js';
import { dataLossDiagnostics, dataLosses } from '../compiler/data-loss.js';
import { protectionsLifted } from '../compiler/protection-lifted.js';
import { stateMoves } from '../compiler/state-moves.js';
import { storageShrinks } from '../compiler/storage-shrink.js';
import { parseSource } from '../compiler/parse.js';
import { locate } from '../compiler/positions.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import type { AnchoredBase } from './anchor.js';
import { emitters } from './emitters.js';
import { emitChanged, readRevision } from './revision.js';

/**
 * `paved check --base <ref>`: the day-2 half of the check. The base revision's
 * specs are compiled with this paved and compared with the working tree's
 * compile; every stateful resource the change would destroy or replace is an
 * error unless a `dataLoss:` or `retired:` entry acknowledges it, and a
 * deleted service is one unless its base spec was retired (compiler/data-loss.ts);
 * so is a database's storage going down (compiler/storage-shrink.ts). Warnings:
 * an update that shortens a retention (compiler/retention.ts), a root whose
 * state would be looked for elsewhere (compiler/state-moves.ts) and a new
 * `dataLoss:` line that lifts a protection (compiler/protection-lifted.ts).
 * `head` is the working tree's compile and `headPrepared` what it was emitted
 * from. Anchored on the base's check record (compile.ts `anchor`), the head
 * kept its values, and the services it kept are not emitted in the base
 * either, where their key is the same: a service emits the same files from the
 * same key, so the files it would compare hold no change, let alone a loss.
 */
export function checkAgainstBase(
  root: string,
  ref: string,
  outDir: string | undefined,
  head: CompileResult,
  headPrepared: PreparedCompile,
  build: string | undefined,
  anchored?: AnchoredBase,
): { diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> } | { problem: string } {
  const keptSpecs = new Set(head.kept.map((k) => k.source));
  const unchanged = new Map(Object.entries(head.units ?? {}).flatMap(([spec, unit]) => (keptSpecs.has(spec) ? [[spec, unit.key] as const] : [])));
  const base = anchored ? emitAnchoredBase(anchored, head, outDir, unchanged) : undefined;
  return base ? compareWithBase(ref, head, base) : compareWithRevision(root, ref, outDir, headPrepared, build);
}

/**
 * The base the anchor was keyed from, emitted now but for the services kept in
 * the head with the same key: its specs were chosen outside the same output
 * folders as the head's, or it is compiled again.
 */
function emitAnchoredBase(
  anchored: AnchoredBase,
  head: CompileResult,
  outDir: string | undefined,
  unchanged: ReadonlyMap<string, string>,
): CompileResult | undefined {
  const { output } = anchored.anchor.record;
  if (output.dir !== head.output.dir || output.workflowsDir !== head.output.workflowsDir) return undefined;
  return emitPrepared(anchored.prepared, { emitters: BASE_EMITTERS, outDir, keepValues: true, ...(unchanged.size > 0 ? { unchanged } : {}) });
}

/**
 * What an anchored base is emitted with: the targets whose files dataLosses
 * compares, those applied to a cloud account or a cluster. Workflows, the
 * catalog and local development files hold no data, and the base passed a
 * check with this build, so leaving them out hides no failure of the base. A
 * base without a record is compiled with every target: CHECK.BASE_DOES_NOT_COMPILE
 * is about any of it.
 */
const BASE_EMITTERS = emitters.filter((e) => ['kubernetes', 'terraform', 'observability', 'platform'].includes(e.id));

/**
 * Without a record: the base's specs are validated, resolved and keyed with
 * this build, and a service whose key is the same on both sides is emitted on
 * neither, as the kept services of an anchored check are not (a key emits the
 * same files, which hold no change). Every other service is emitted on both
 * sides with its values, here, apart from the head's check: the check streamed
 * its files to the disk comparison and kept no value, so what is held at once
 * is the changed services' output, not the whole repository's twice. A base
 * service the head has too with the same key emits what the head's did, which
 * compiled; so the base still fails to compile (CHECK.BASE_DOES_NOT_COMPILE)
 * exactly when a full compile of it would. A paved without a build identity
 * keys nothing and compares every service.
 */
function compareWithRevision(
  root: string,
  ref: string,
  outDir: string | undefined,
  headPrepared: PreparedCompile,
  build: string | undefined,
): { diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> } | { problem: string } {
  const read = readRevision(root, ref);
  if ('problem' in read) return read;
  const { base, head } = emitChanged(read.revision, headPrepared, outDir, build);
  return compareWithBase(ref, head, base);
}

function compareWithBase(ref: string, head: CompileResult, base: CompileResult): { diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> } {
  if (base.project === undefined || base.diagnostics.some((d) => d.severity === 'error')) {
    // What the base would lose cannot be known, so the check cannot pass: say why, with the base's own errors.
    return {
      diagnostics: [
        ...base.diagnostics.filter((d) => d.severity === 'error'),
        {
          code: 'CHECK.BASE_DOES_NOT_COMPILE',
          severity: 'error',
          message: `the specs at ${JSON.stringify(ref)} do not compile with this paved, so what this change would destroy cannot be checked`,
          hint: 'fix them in the base branch first, or check against a revision that compiles',
        },
      ],
      sources: base.sources,
    };
  }
  const revisions = { base: { files: base.files, project: base.project }, head: { files: head.files, project: head.project! } };
  const losses = dataLosses(revisions.base, revisions.head);
  const found = [
    ...dataLossDiagnostics(losses, head.project!, base.project),
    ...storageShrinks(base.project, head.project!),
    ...stateMoves(revisions.base, revisions.head),
    ...protectionsLifted(base.project, head.project!, losses),
  ];
  const located = found.map((d) => {
    const text = d.file === undefined || d.pointer === undefined ? undefined : head.sources.get(d.file);
    if (text === undefined) return d;
    const parsed = parseSource(d.file!, new TextEncoder().encode(text), 'service').file;
    const range = parsed ? locate(parsed, d.pointer!) : undefined;
    return range ? { ...d, range } : d;
  });
  return { diagnostics: located, sources: head.sources };
}
