import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/helpers.js';

/** The TypeScript files under a folder, sorted. */
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

/**
 * Dependencies flow one way: cli -> compiler -> emitters -> spec. The compiler is
 * handed its emitters; emitters never import each other, only emitters/shared.
 * The layering and the absence of import cycles are lint rules (lint/paved-rules.js,
 * run by npm run lint and .ci/run); these seeded violations prove they catch
 * what they must, static and dynamic imports alike.
 */
describe('module layering (npm run lint)', () => {
  const eslint = new ESLint({ cwd: REPO });
  const problems = async (path: string, text: string): Promise<string[]> =>
    (await eslint.lintText(text, { filePath: join(REPO, path) }))[0]!.messages
      .filter((m) => m.ruleId?.startsWith('paved/'))
      .map((m) => `${m.ruleId} ${m.message}`);

  it('lets each folder import what its layer may', async () => {
    expect(
      await problems(
        'emitters/terraform/seed.ts',
        "import { names } from '../../spec/naming.js';\nimport { hclFile } from '../shared/serialize.js';\nimport { emittedStack } from './index.js';\nexport { names, hclFile, emittedStack };\n",
      ),
    ).toEqual([]);
    expect(await problems('cli/seed.ts', "import { kubernetesEmitter } from '../emitters/kubernetes/index.js';\nexport { kubernetesEmitter };\n")).toEqual([]);
  });

  it('fails an emitter that imports another emitter, statically or dynamically', async () => {
    expect(
      await problems(
        'emitters/terraform/seed.ts',
        "import { environmentDirectory } from '../kubernetes/files.js';\nexport const later = () => import('../actions/paths.js');\nexport { environmentDirectory };\n",
      ),
    ).toEqual([
      'paved/layering emitters/terraform/seed.ts may not import emitters/kubernetes/files.ts: an emitter imports only spec/, its own folder and emitters/shared/',
      'paved/layering emitters/terraform/seed.ts may not import emitters/actions/paths.ts: an emitter imports only spec/, its own folder and emitters/shared/',
    ]);
  });

  it('fails the compiler importing an emitter, the CLI importing emitter internals, and spec importing anything outside spec', async () => {
    expect(await problems('compiler/seed.ts', "export { terraformEmitter } from '../emitters/terraform/index.js';\n")).toEqual([
      'paved/layering compiler/seed.ts may not import emitters/terraform/index.ts: the compiler is handed its emitters; it imports only spec/ and emitters/shared/',
    ]);
    expect(await problems('cli/seed.ts', "import { previewOverlay } from '../emitters/kubernetes/preview.js';\nexport { previewOverlay };\n")).toEqual([
      'paved/layering cli/seed.ts may not import emitters/kubernetes/preview.ts: the CLI uses an emitter through its index.ts, never its internals',
    ]);
    expect(await problems('spec/seed.ts', "import { compile } from '../compiler/compile.js';\nexport { compile };\n")).toEqual([
      'paved/layering spec/seed.ts may not import compiler/compile.ts: spec/ imports nothing outside spec/',
    ]);
  });

  it('fails an import cycle, naming every module on it', async () => {
    // compile.ts imports diagnostics.ts; diagnostics.ts importing compile.ts back closes a cycle.
    const found = await problems('compiler/diagnostics.ts', "import { compile } from './compile.js';\nexport { compile };\n");
    expect(found).toEqual(['paved/no-cycle import cycle: compiler/diagnostics.ts → compiler/compile.ts → compiler/diagnostics.ts']);
  });
});

describe('what modules may do', () => {
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

  it("only the serializer sets the contents of a file; the CLI's scaffold files are the team's own, not generated", () => {
    const offenders = producers.filter(
      (f) =>
        f.path !== SERIALIZER && f.path !== 'cli/scaffold.ts' && /\bcontents\s*:(?!\s*'(?:read|write)')/.test(f.text.replace(/\bcontents\s*:\s*string\b/g, '')),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('only the serializer turns values into YAML, JSON or HCL text, and nothing else prints the header', () => {
    const text = /(?<![.\w])(?:toYaml|toJson|referenceYaml|toYamlDocuments|printFile|generatedNote|generatedHeader|commentBlock|headerText)\s*\(/;
    const offenders = producers.filter(
      (f) =>
        !['emitters/shared/serialize.ts', 'emitters/shared/hcl.ts', 'emitters/shared/comment.ts', 'emitters/shared/waivers.ts'].includes(f.path) &&
        text.test(f.text),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  // Not generated files: the release record (releases.yaml, a spec CI writes) and the starter service.yaml and platform.yaml (the teams' own), all with constant comments.
  const SPEC_WRITERS = ['cli/release.ts', 'cli/starter.ts', 'cli/starter-platform.ts'];

  it('no emitter or CLI code writes a comment by hand: no string starts a line with "#"', () => {
    const handComment = /(?:^|[^\\])(?:['"`]|\\n)# /;
    const offenders = producers.filter(
      (f) =>
        !['emitters/shared/comment.ts', ...SPEC_WRITERS].includes(f.path) &&
        f.text.split('\n').some((line) => handComment.test(line) && !/"# v[0-9]/.test(line)),
    );
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

describe('where tests go (test/README.md)', () => {
  it('puts every test file in a tier and every other module in support/', () => {
    const misplaced = sources('test')
      .map((file) => relative(REPO, file))
      .filter((path) => (path.endsWith('.test.ts') ? !/^test\/(unit|golden|conformance|property)\//.test(path) : !path.startsWith('test/support/')));
    expect(misplaced).toEqual([]);
  });
});
