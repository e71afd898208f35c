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

  it('only compiler/write/ and cli write to disk', () => {
    const writers = /\b(writeFileSync|writeSync|renameSync|unlinkSync|rmSync|rmdirSync|mkdirSync|appendFileSync|createWriteStream)\b/;
    for (const folder of ['spec', 'compiler', 'emitters']) {
      for (const file of sources(folder)) {
        if (relative(REPO, file).startsWith('compiler/write/')) continue;
        expect(writers.test(readFileSync(file, 'utf8')), relative(REPO, file)).toBe(false);
      }
    }
  });

  it('emitters read no disk, clock, environment or randomness', () => {
    const impure = /\b(node:fs|node:os|process\.env|Date\.now|new Date\(|Math\.random|randomUUID|performance\.now)\b/;
    for (const file of sources('emitters')) expect(impure.test(readFileSync(file, 'utf8')), relative(REPO, file)).toBe(false);
  });
});

/**
 * One way to make a file (issue 14): every GeneratedFile is built by the
 * serializer of its format (emitters/shared/serialize.ts), which owns the
 * header, the comments and the final newline. These checks fail when an emitter
 * or the CLI builds file text another way.
 */
describe('one way to make a file', () => {
  const SERIALIZER = 'emitters/shared/serialize.ts';
  const code = (file: string): string =>
    readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
  const producers = [...sources('emitters'), ...sources('cli')].map((file) => ({ path: relative(REPO, file).split('\\').join('/'), text: code(file) }));

  it('only the serializer sets the contents of a file; the CLI\'s scaffold files are the team\'s own, not generated', () => {
    const offenders = producers.filter((f) => f.path !== SERIALIZER && f.path !== 'cli/scaffold.ts' && /\bcontents\s*:(?!\s*'(?:read|write)')/.test(f.text.replace(/\bcontents\s*:\s*string\b/g, '')));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('only the serializer turns values into YAML, JSON or HCL text, and nothing else prints the header', () => {
    const text = /(?<![.\w])(?:toYaml|toJson|referenceYaml|toYamlDocuments|printFile|generatedNote|generatedHeader|commentBlock|headerText)\s*\(/;
    const offenders = producers.filter((f) => !['emitters/shared/serialize.ts', 'emitters/shared/hcl.ts', 'emitters/shared/comment.ts', 'emitters/shared/waivers.ts'].includes(f.path) && text.test(f.text));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  // Not generated files: the release record (releases.yaml, a spec CI writes) and the starter service.yaml and platform.yaml (the teams' own), all with constant comments.
  const SPEC_WRITERS = ['cli/release.ts', 'cli/starter.ts', 'cli/starter-platform.ts'];

  it('no emitter or CLI code writes a comment by hand: no string starts a line with "#"', () => {
    const handComment = /(?:^|[^\\])(?:['"`]|\\n)# /;
    const offenders = producers.filter((f) => !['emitters/shared/comment.ts', ...SPEC_WRITERS].includes(f.path) && f.text.split('\n').some((line) => handComment.test(line) && !/"# v[0-9]/.test(line)));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('the marker text appears in no source of paved, only split in spec/marker.ts', () => {
    const marker = ['Code', 'generated', 'by', 'paved'].join(' ');
    const all = ['spec', 'compiler', 'emitters', 'cli', 'scripts', 'bench', 'test'].flatMap((folder) => sources(folder));
    expect(all.filter((file) => readFileSync(file, 'utf8').includes(marker)).map((file) => relative(REPO, file))).toEqual([]);
    const splitAt = new RegExp(`${['generated', 'by', 'paved'].join(' ')}'`);
    const split = all.filter((file) => splitAt.test(readFileSync(file, 'utf8'))).map((file) => relative(REPO, file).split('\\').join('/'));
    expect(split).toEqual(['spec/marker.ts']);
  });
});
