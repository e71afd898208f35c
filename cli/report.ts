import { resolve } from 'node:path';
import { compileProject } from '../compiler/compile.js';
import { projectReport, reportMarkdown, reportText } from '../compiler/report.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, type Io } from './io.js';

/** `paved report [--format text|json|markdown]`: the golden-path conformance of every service. */
export function runReport(rootArg: string, format: 'text' | 'json' | 'markdown', io: Io): number {
  const result = compileProject(resolve(io.cwd, rootArg));
  if (result.diagnostics.some((d) => d.severity === 'error') || !result.project) {
    io.stderr(formatText(result.diagnostics, result.sources));
    io.stderr('paved: fix these errors first; report needs a valid project\n');
    return EXIT_PROBLEMS;
  }
  const reports = projectReport(result.project);
  io.stdout(format === 'json' ? `${JSON.stringify({ services: reports }, null, 2)}\n` : format === 'markdown' ? reportMarkdown(reports) : reportText(reports));
  return EXIT_OK;
}
