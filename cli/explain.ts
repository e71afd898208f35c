import { resolve } from 'node:path';
import { compileProject } from '../compiler/compile.js';
import { didYouMean } from '../compiler/diagnostics.js';
import { explainService, isEnvironment, type ExplainRow } from '../compiler/explain.js';
import { locate } from '../compiler/positions.js';
import { parseSource } from '../compiler/parse.js';
import { serviceNamed } from '../compiler/resolve.js';
import { SPEC_FILES } from '../spec/layout.js';
import type { SourceFile } from '../compiler/source.js';
import { formatText, type OutputFormat } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';

/** `paved explain <svc> [--env E]`: every resolved value of a service and where it came from. */
export function runExplain(rootArg: string, name: string, env: string | undefined, format: OutputFormat, io: Io): number {
  if (env !== undefined && !isEnvironment(env)) {
    io.stderr(`paved: --env must be preview, staging or production, not ${JSON.stringify(env)}\n`);
    return EXIT_USAGE;
  }
  const result = compileProject(resolve(io.cwd, rootArg));
  if (result.diagnostics.some((d) => d.severity === 'error') || !result.project) {
    io.stderr(formatText(result.diagnostics, result.sources));
    io.stderr('paved: fix these errors first; explain needs a valid project\n');
    return EXIT_PROBLEMS;
  }
  const service = serviceNamed(result.project, name);
  if (!service) {
    const suggestion = didYouMean(
      name,
      result.project.services.map((s) => s.specName),
    );
    io.stderr(`paved: no service named ${JSON.stringify(name)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}\n`);
    return EXIT_PROBLEMS;
  }
  const parsed = new Map<string, SourceFile | undefined>();
  const fileOf = (path: string): SourceFile | undefined => {
    if (!parsed.has(path)) {
      const text = result.sources.get(path);
      parsed.set(
        path,
        text === undefined
          ? undefined
          : parseSource(path, new TextEncoder().encode(text), path === SPEC_FILES.platform ? 'platform' : path === SPEC_FILES.releases ? 'releases' : 'service')
              .file,
      );
    }
    return parsed.get(path);
  };
  const rows = explainService(service, fileOf(service.specPath)?.data, env);
  const where = (row: ExplainRow): string => {
    const origin = row.origin;
    if (!('file' in origin) || origin.file === undefined) return '';
    const file = fileOf(origin.file);
    const range = file && origin.pointer ? locate(file, origin.pointer) : undefined;
    return range ? `${origin.file}:${range.line}:${range.col}` : `${origin.file}${origin.pointer ? ` ${origin.pointer}` : ''}`;
  };
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify({ service: service.name, environment: env ?? null, values: rows.map((r) => ({ path: r.path, value: JSON.parse(r.value) as unknown, origin: { ...r.origin, at: where(r) || undefined } })) }, null, 2)}\n`,
    );
    return EXIT_OK;
  }
  const width = Math.min(60, Math.max(...rows.map((r) => r.path.length)));
  const valueWidth = Math.min(40, Math.max(...rows.map((r) => r.value.length)));
  io.stdout(`${service.name} (${service.specPath})${env ? `, ${env}` : ''}\n\n`);
  for (const r of rows) {
    const value = r.value.length > 40 ? `${r.value.slice(0, 37)}...` : r.value;
    io.stdout(`${r.path.padEnd(width)}  ${value.padEnd(valueWidth)}  ${r.origin.kind.padEnd(11)} ${where(r)}`.trimEnd() + '\n');
  }
  return EXIT_OK;
}
