import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, hasErrors, normalizeDiagnostics } from '../../compiler/diagnostics.js';
import type { Diagnostic } from '../../spec/diagnostic.js';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';

const d = (file: string | undefined, line: number, col: number, code: DiagnosticCode, message = 'm', extra: Partial<Diagnostic> = {}): Diagnostic => ({
  code,
  severity: 'error',
  message,
  ...(file === undefined ? {} : { file }),
  ...(line === 0 ? {} : { range: { line, col, endLine: line, endCol: col + 1 } }),
  ...extra,
});

const key = (x: Diagnostic): string => `${x.file ?? '-'}:${x.range?.line ?? 0}:${x.range?.col ?? 0} ${x.code} ${x.message}`;

describe('normalizeDiagnostics', () => {
  it('sorts by file, then line, then column, then code', () => {
    const input = [
      d('b.yaml', 1, 1, 'CLAIM.DUPLICATE_ROUTE'),
      d('a.yaml', 10, 1, 'CLAIM.DUPLICATE_ROUTE'),
      d('a.yaml', 2, 5, 'SPEC.TYPE'),
      d('a.yaml', 2, 5, 'CRON.INVALID'),
      d('a.yaml', 2, 3, 'SPEC.TYPE'),
    ];
    expect(normalizeDiagnostics(input).map(key)).toEqual([
      'a.yaml:2:3 SPEC.TYPE m',
      'a.yaml:2:5 CRON.INVALID m',
      'a.yaml:2:5 SPEC.TYPE m',
      'a.yaml:10:1 CLAIM.DUPLICATE_ROUTE m',
      'b.yaml:1:1 CLAIM.DUPLICATE_ROUTE m',
    ]);
  });

  it('compares lines as numbers and files by code unit, not by locale', () => {
    const input = [d('a.yaml', 9, 1, 'SPEC.ENUM'), d('a.yaml', 10, 1, 'SPEC.ENUM'), d('b.yaml', 1, 1, 'SPEC.ENUM'), d('B.yaml', 1, 1, 'SPEC.ENUM')];
    expect(normalizeDiagnostics(input).map(key)).toEqual([
      'B.yaml:1:1 SPEC.ENUM m',
      'a.yaml:9:1 SPEC.ENUM m',
      'a.yaml:10:1 SPEC.ENUM m',
      'b.yaml:1:1 SPEC.ENUM m',
    ]);
  });

  it('puts project-wide diagnostics (no file) first and breaks full ties by message', () => {
    const input = [d('a.yaml', 1, 1, 'SPEC.ENUM', 'second'), d(undefined, 0, 0, 'LOAD.NO_SERVICES'), d('a.yaml', 1, 1, 'SPEC.ENUM', 'first')];
    expect(normalizeDiagnostics(input).map(key)).toEqual(['-:0:0 LOAD.NO_SERVICES m', 'a.yaml:1:1 SPEC.ENUM first', 'a.yaml:1:1 SPEC.ENUM second']);
  });

  it('removes exact duplicates and keeps diagnostics that differ in code, message or position', () => {
    const input = [
      d('a.yaml', 1, 1, 'SPEC.ENUM'),
      d('a.yaml', 1, 1, 'SPEC.ENUM'),
      d('a.yaml', 1, 1, 'SPEC.RANGE'),
      d('a.yaml', 1, 1, 'SPEC.ENUM', 'other'),
      d('a.yaml', 1, 2, 'SPEC.ENUM'),
    ];
    expect(normalizeDiagnostics(input).map(key)).toEqual([
      'a.yaml:1:1 SPEC.ENUM m',
      'a.yaml:1:1 SPEC.ENUM other',
      'a.yaml:1:1 SPEC.RANGE m',
      'a.yaml:1:2 SPEC.ENUM m',
    ]);
  });

  it('does not modify its input', () => {
    const input = [d('b.yaml', 1, 1, 'CLAIM.DUPLICATE_ROUTE'), d('a.yaml', 1, 1, 'CLAIM.DUPLICATE_ROUTE')];
    const copy = structuredClone(input);
    normalizeDiagnostics(input);
    expect(input).toEqual(copy);
  });
});

describe('hasErrors', () => {
  it('is true only when some diagnostic is an error', () => {
    expect(hasErrors([])).toBe(false);
    expect(hasErrors([d('a', 1, 1, 'SPEC.CONST', 'm', { severity: 'warning' })])).toBe(false);
    expect(hasErrors([d('a', 1, 1, 'SPEC.CONST', 'm', { severity: 'warning' }), d('a', 1, 1, 'EMIT.COLLISION')])).toBe(true);
  });
});

describe('didYouMean', () => {
  const SERVICE_KEYS = [
    'apiVersion',
    'kind',
    'name',
    'owner',
    'description',
    'tier',
    'runtime',
    'ingress',
    'dependsOn',
    'env',
    'secrets',
    'resources',
    'environments',
    'observability',
    'overrides',
  ];

  it('suggests resources for resorces', () => {
    expect(didYouMean('resorces', SERVICE_KEYS)).toBe('resources');
  });

  it('suggests region for regoin', () => {
    expect(didYouMean('regoin', ['provider', 'region', 'accounts'])).toBe('region');
  });

  it.each(['banana', 'zzzqqq', 'x', 'replicas'])('suggests nothing for the unrelated word %s', (word) => {
    expect(didYouMean(word, SERVICE_KEYS)).toBeUndefined();
  });

  it('ignores case and returns the candidate as spelled', () => {
    expect(didYouMean('RESOURCES', SERVICE_KEYS)).toBe('resources');
    expect(didYouMean('dependson', SERVICE_KEYS)).toBe('dependsOn');
    expect(didYouMean('Resorces', SERVICE_KEYS)).toBe('resources');
  });

  it('suggests nothing without candidates', () => {
    expect(didYouMean('resources', [])).toBeUndefined();
  });

  it('picks the alphabetically first of equally close candidates', () => {
    expect(didYouMean('cat', ['hat', 'bat'])).toBe('bat');
  });

  it('suggests grpc for the transposition grcp', () => {
    expect(didYouMean('grcp', ['http', 'grpc'])).toBe('grpc');
  });

  it('suggests production for the abbreviation prod', () => {
    expect(didYouMean('prod', ['preview', 'staging', 'production'])).toBe('production');
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('resorces', 'resources')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
