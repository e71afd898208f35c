import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers.js';

/**
 * Dependencies flow one way: cli -> compiler -> emitters -> spec. The compiler is
 * handed its emitters; emitters never import each other, only emitters/shared.
 */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) out.push(path);
    }
  };
  walk(join(REPO, folder));
  return out.sort();
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'/g)].map((m) => relative(REPO, join(file, '..', m[1]!)).split('\\').join('/'));
}

const topFolder = (path: string): string => path.split('/')[0]!;

describe('module layering', () => {
  it('spec imports nothing outside spec', () => {
    for (const file of sources('spec')) for (const target of imports(file)) expect(topFolder(target), `${relative(REPO, file)} -> ${target}`).toBe('spec');
  });

  it('emitters import only spec, their own folder and emitters/shared', () => {
    for (const file of sources('emitters')) {
      const own = relative(REPO, file).split('/').slice(0, 2).join('/');
      for (const target of imports(file)) {
        const allowed = target.startsWith('spec/') || target.startsWith(`${own}/`) || target.startsWith('emitters/shared/');
        expect(allowed, `${relative(REPO, file)} -> ${target}`).toBe(true);
      }
    }
  });

  it('the compiler imports no emitter and no cli code', () => {
    for (const file of sources('compiler')) {
      for (const target of imports(file)) {
        expect(['compiler', 'spec'].includes(topFolder(target)) || target.startsWith('emitters/shared/'), `${relative(REPO, file)} -> ${target}`).toBe(true);
      }
    }
  });

  it('only compiler/write and cli write to disk', () => {
    const writers = /\b(writeFileSync|writeSync|renameSync|unlinkSync|rmSync|rmdirSync|mkdirSync|appendFileSync|createWriteStream)\b/;
    for (const folder of ['spec', 'compiler', 'emitters']) {
      for (const file of sources(folder)) {
        if (relative(REPO, file) === 'compiler/write.ts') continue;
        expect(writers.test(readFileSync(file, 'utf8')), relative(REPO, file)).toBe(false);
      }
    }
  });

  it('emitters read no disk, clock, environment or randomness', () => {
    const impure = /\b(node:fs|node:os|process\.env|Date\.now|new Date\(|Math\.random|randomUUID|performance\.now)\b/;
    for (const file of sources('emitters')) expect(impure.test(readFileSync(file, 'utf8')), relative(REPO, file)).toBe(false);
  });
});
