import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realDisk, replaceFileInPieces, type Disk } from '../../compiler/write/disk.js';
import { manifestByteLength, manifestPieces, pendingManifestPieces, type ManifestEntry, type PendingEntry } from '../../compiler/write/manifest.js';
import { jsonObjectPieces, matchesPieces, PIECE_LENGTH } from '../../compiler/write/pieces.js';

// Strings JSON.stringify escapes: quotes, backslashes, controls, a lone surrogate, non-ASCII and U+2028.
const AWKWARD = ['a"b', 'back\\slash', 'tab\there\nnew', '\u0000\u001f', '\ud800 lone', 'ünï €', 'line\u2028sep', ''];

function entry(i: number): PendingEntry {
  const odd = AWKWARD[i % AWKWARD.length]!;
  return { path: `generated/svc-${String(i).padStart(5, '0')}/${odd}.yaml`, sha256: i.toString(16).padStart(64, '0'), source: `services/${odd}/service.yaml` };
}

/** Enough entries for several pieces. */
const MANY = Array.from({ length: Math.ceil((3 * PIECE_LENGTH) / 200) }, (_, i) => entry(i));

const stringified = (files: readonly PendingEntry[], pending: boolean): string =>
  `${JSON.stringify(pending ? { version: 1, pending: true, files } : { version: 1, files }, null, 2)}\n`;

describe('the manifest in pieces', () => {
  it('is, byte for byte, the JSON.stringify of the manifest: empty, one entry, and across pieces', () => {
    for (const files of [[], [entry(3)], MANY]) {
      const plain = files.map(({ path, sha256, source }) => ({ path, sha256, source }));
      expect([...manifestPieces(files, false)].join('')).toBe(stringified(plain, false));
      expect([...manifestPieces(files, true)].join('')).toBe(stringified(plain, true));
    }
    expect([...manifestPieces(MANY, false)].length).toBeGreaterThan(2);
  });

  it('is counted in bytes without rendering: empty, one entry, and strings JSON.stringify escapes or that are not ASCII', () => {
    for (const files of [[], [entry(3)], MANY, AWKWARD.map((odd) => ({ path: odd, sha256: odd, source: odd }))]) {
      expect(manifestByteLength(files)).toBe(Buffer.byteLength([...manifestPieces(files, false)].join('')));
    }
  });

  it('prints previousSha256 only in a pending manifest', () => {
    const changed: PendingEntry = { ...entry(1), previousSha256: 'f'.repeat(64) };
    expect([...manifestPieces([changed], true)].join('')).toBe(stringified([changed], true));
    expect([...manifestPieces([changed], false)].join('')).not.toContain('previousSha256');
  });

  it('pends every planned file, the previous hash of those changing, and the previous files no longer planned, in path order', () => {
    const previous = new Map<string, ManifestEntry>([
      ['b', { path: 'b', sha256: '1', source: 's' }],
      ['c', { path: 'c', sha256: '2', source: 's' }],
      ['d', { path: 'd', sha256: '3', source: 's' }],
    ]);
    const planned = [
      { path: 'a', sha256: '9', source: 's' },
      { path: 'b', sha256: '8', source: 's' },
      { path: 'c', sha256: '7', source: 's' },
    ];
    const text = [...pendingManifestPieces(planned, previous, (path) => path !== 'c')].join('');
    expect(JSON.parse(text)).toEqual({
      version: 1,
      pending: true,
      files: [
        { path: 'a', sha256: '9', source: 's' },
        { path: 'b', sha256: '8', source: 's', previousSha256: '1' },
        { path: 'c', sha256: '7', source: 's' },
        { path: 'd', sha256: '3', source: 's' },
      ],
    });
  });
});

describe('a JSON object in pieces', () => {
  it('is the JSON.stringify of the object it lists, empty or across pieces', () => {
    const big = MANY.map((e) => [e.path, { sha256: e.sha256, size: 12.5, ino: 7 }] as const);
    for (const entries of [[], [['k', { a: [1, 'two'] }] as const], big]) {
      expect([...jsonObjectPieces(entries)].join('')).toBe(JSON.stringify(Object.fromEntries(entries)));
    }
  });
});

describe('matchesPieces', () => {
  it('holds only when the pieces are the whole text', () => {
    expect(matchesPieces('abcdef', ['ab', 'cd', 'ef'])).toBe(true);
    expect(matchesPieces('abcdef', ['ab', 'cd'])).toBe(false);
    expect(matchesPieces('abcd', ['ab', 'cd', 'ef'])).toBe(false);
    expect(matchesPieces('abcdef', ['ab', 'xd', 'ef'])).toBe(false);
    expect(matchesPieces(undefined, [])).toBe(false);
    expect(matchesPieces('', [])).toBe(true);
  });
});

describe('replaceFileInPieces', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** The real disk, noting each step and whether it flushed. */
  function notingDisk(steps: string[]): Disk {
    return {
      ...realDisk,
      writeFile: (path, contents, durable) => (steps.push(`create ${contents} ${durable}`), realDisk.writeFile(path, contents, durable)),
      append: (path, text, durable) => (steps.push(`append ${text} ${durable}`), realDisk.append(path, text, durable)),
      rename: (from, to) => (steps.push('rename'), realDisk.rename(from, to)),
    };
  }

  it('creates the temporary with the first piece, appends the rest, flushes once with the last, then renames', () => {
    dir = mkdtempSync(join(tmpdir(), 'paved-pieces-'));
    const steps: string[] = [];
    replaceFileInPieces(join(dir, 'out.json'), ['one', 'two', 'three'], notingDisk(steps), true);
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('onetwothree');
    expect(steps).toEqual(['create one false', 'append two false', 'append three true', 'rename']);
  });

  it('writes one piece, or none, in one step', () => {
    dir = mkdtempSync(join(tmpdir(), 'paved-pieces-'));
    const steps: string[] = [];
    replaceFileInPieces(join(dir, 'one'), ['only'], notingDisk(steps), true);
    replaceFileInPieces(join(dir, 'none'), [], notingDisk(steps), false);
    expect(readFileSync(join(dir, 'one'), 'utf8')).toBe('only');
    expect(readFileSync(join(dir, 'none'), 'utf8')).toBe('');
    expect(steps).toEqual(['create only true', 'rename', 'create  false', 'rename']);
  });

  it('leaves the target and no temporary behind when a piece cannot be made', () => {
    dir = mkdtempSync(join(tmpdir(), 'paved-pieces-'));
    const target = join(dir, 'out.json');
    replaceFileInPieces(target, ['old'], realDisk, false);
    function* failing(): Generator<string> {
      yield 'new';
      yield 'er';
      throw new Error('no more');
    }
    expect(() => replaceFileInPieces(target, failing(), realDisk, false)).toThrow('no more');
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['out.json']);
  });
});
