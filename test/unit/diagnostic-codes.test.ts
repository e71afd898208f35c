import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTICS_DOC, renderDiagnostics } from '../../scripts/generate-diagnostics.js';
import { DIAGNOSTIC_CODES } from '../../spec/diagnostic-codes.js';
import { REPO } from '../support/helpers.js';

/**
 * The diagnostic code registry (spec/diagnostic-codes.ts) is the whole list:
 * each code is reported somewhere, pinned by some test, and documented.
 */
function textsUnder(dir: string, keep: (path: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (keep(path)) out.set(relative(REPO, path), readFileSync(path, 'utf8'));
    }
  };
  walk(join(REPO, dir));
  return out;
}

const codes = Object.keys(DIAGNOSTIC_CODES);
const mentions = (texts: Map<string, string>, code: string): string[] =>
  [...texts].filter(([, text]) => new RegExp(`\\b${code.replace('.', '\\.')}\\b`).test(text)).map(([path]) => path);

describe('the diagnostic code registry', () => {
  it('holds only codes paved reports', () => {
    const sources = new Map([
      ...['cli', 'compiler', 'emitters', 'spec'].flatMap((dir) => [...textsUnder(dir, (p) => p.endsWith('.ts') && !p.endsWith('diagnostic-codes.ts'))]),
    ]);
    expect(codes.filter((code) => mentions(sources, code).length === 0)).toEqual([]);
  });

  it('has a test or golden case that pins each code', () => {
    const pins = new Map([
      ...textsUnder('test', (p) => !p.endsWith('diagnostic-codes.test.ts')),
      ...textsUnder('fixtures', (p) => p.endsWith('.txt') || p.endsWith('.ts')),
    ]);
    expect(codes.filter((code) => mentions(pins, code).length === 0)).toEqual([]);
  });

  it('is documented in docs/diagnostics.md (npm run spec:generate)', () => {
    expect(readFileSync(join(REPO, DIAGNOSTICS_DOC), 'utf8')).toBe(renderDiagnostics());
  });

  it('gives every code a stage, a title and a hint, each one line', () => {
    for (const [code, info] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code).toMatch(/^[A-Z]+\.[A-Z0-9_]+$/);
      expect(
        ([info.title, info.hint] as string[]).filter((text) => text === '' || text.includes('\n')),
        code,
      ).toEqual([]);
    }
  });
});
