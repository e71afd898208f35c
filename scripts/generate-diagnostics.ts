/**
 * Writes docs/diagnostics.md from the diagnostic code registry
 * (spec/diagnostic-codes.ts), its single source of truth.
 * Run: tsc -p tsconfig.build.json && node dist/scripts/generate-diagnostics.js
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIAGNOSTIC_CODES, DIAGNOSTIC_STAGES, type DiagnosticStage } from '../spec/diagnostic-codes.js';

export const DIAGNOSTICS_DOC = 'docs/diagnostics.md';

/** A Markdown table cell: pipes escaped, so a title or hint cannot end its cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function renderDiagnostics(): string {
  const lines = [
    '# Diagnostics',
    '',
    '<!-- Generated from spec/diagnostic-codes.ts by npm run spec:generate. Do not edit. -->',
    '',
    'Every problem paved reports has a stable code: `file:line:col: error CODE message`,',
    'then a hint. `--format json` carries the same fields, and `--format github` makes',
    'each one an annotation titled with its code. The hint below is what a diagnostic',
    'says when it has nothing more precise; most say more.',
    '',
  ];
  for (const stage of Object.keys(DIAGNOSTIC_STAGES) as DiagnosticStage[]) {
    const codes = Object.entries(DIAGNOSTIC_CODES).filter(([, info]) => info.stage === stage);
    lines.push(
      `## ${stage}`,
      '',
      `${DIAGNOSTIC_STAGES[stage][0]!.toUpperCase()}${DIAGNOSTIC_STAGES[stage].slice(1)}.`,
      '',
      '| Code | What is wrong | How to fix it |',
      '| --- | --- | --- |',
    );
    for (const [code, info] of codes) lines.push(`| \`${code}\` | ${cell(info.title)} | ${cell(info.hint)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, DIAGNOSTICS_DOC), renderDiagnostics());
  process.stdout.write(`wrote ${DIAGNOSTICS_DOC}\n`);
}
