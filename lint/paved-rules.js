/**
 * paved's own lint rules (eslint.config.js): the layering of its folders and
 * no import cycles. Plain JavaScript, so ESLint loads it without a build; it
 * reads other modules with the same parser ESLint uses, so dynamic imports and
 * `export … from` count as much as static imports.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The repo-relative POSIX path of a file. */
const repoPath = (file) => relative(REPO, file).split(sep).join('/');

/** A relative specifier (`./x.js`) from `file` to the TypeScript source it names, repo-relative; undefined for packages and builtins. */
function target(file, specifier) {
  if (typeof specifier !== 'string' || !specifier.startsWith('.')) return undefined;
  return repoPath(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

/** Every module `node` names by a string literal: import and export declarations, dynamic import(). */
function specifiers(node) {
  const found = [];
  const visit = (n) => {
    if (!n || typeof n.type !== 'string') return;
    if ((n.type === 'ImportDeclaration' || n.type === 'ExportNamedDeclaration' || n.type === 'ExportAllDeclaration') && n.source) {
      // Types are erased: a type-only import is no runtime edge.
      if (n.importKind !== 'type' && n.exportKind !== 'type') found.push({ node: n.source, value: n.source.value });
    } else if (n.type === 'ImportExpression' && n.source.type === 'Literal') {
      found.push({ node: n.source, value: n.source.value });
    }
    for (const key of Object.keys(n)) {
      if (key === 'parent') continue;
      const child = n[key];
      if (Array.isArray(child)) child.forEach(visit);
      else if (child && typeof child.type === 'string') visit(child);
    }
  };
  visit(node);
  return found;
}

/** Which folders a folder may import from: cli → compiler → emitters → spec, and no emitter into another. */
function allowed(from, to) {
  const [top, second] = from.split('/');
  const [toTop, toSecond] = to.split('/');
  if (top === 'test') return true;
  if (top === 'scripts' || top === 'bench') return toTop !== 'test';
  if (toTop === 'spec') return true;
  if (top === 'spec') return false;
  if (top === 'emitters') return toTop === 'emitters' && (toSecond === second || toSecond === 'shared');
  if (top === 'compiler') return toTop === 'compiler' || (toTop === 'emitters' && toSecond === 'shared');
  // The CLI registers the emitters: it may use each one's entry point, never its internals.
  if (top === 'cli')
    return (
      toTop === 'cli' || toTop === 'compiler' || (toTop === 'emitters' && (toSecond === 'shared' || (to.split('/').length === 3 && to.endsWith('/index.ts'))))
    );
  return true;
}

/** A rule's visitor that calls `check(node, to)` for every module of this repository the file imports. */
const eachImport = (context, check) => ({
  Program(program) {
    for (const { node, value } of specifiers(program)) {
      const to = target(context.filename, value);
      if (to !== undefined) check(node, to);
    }
  },
});

const WHY = {
  emitters: 'an emitter imports only spec/, its own folder and emitters/shared/',
  compiler: 'the compiler is handed its emitters; it imports only spec/ and emitters/shared/',
  cli: 'the CLI uses an emitter through its index.ts, never its internals',
  spec: 'spec/ imports nothing outside spec/',
};

const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'cli → compiler → emitters → spec; no emitter imports another' },
    schema: [],
    messages: { layer: '{{from}} may not import {{to}}: {{why}}' },
  },
  create(context) {
    const from = repoPath(context.filename);
    return eachImport(context, (node, to) => {
      if (!allowed(from, to)) context.report({ node, messageId: 'layer', data: { from, to, why: WHY[from.split('/')[0]] } });
    });
  },
};

/** Module → the modules it imports at run time, read once per lint run. */
const edges = new Map();
function importsOf(path) {
  if (!edges.has(path)) {
    let found = [];
    try {
      const { ast } = tseslint.parser.parseForESLint(readFileSync(join(REPO, path), 'utf8'), { sourceType: 'module', range: false, loc: false });
      found = specifiers(ast)
        .map(({ value }) => target(join(REPO, path), value))
        .filter((t) => t !== undefined);
    } catch {
      // A module that does not exist or does not parse is tsc's to report.
    }
    edges.set(path, found);
  }
  return edges.get(path);
}

/** The shortest path of imports from `start` back to `goal` (breadth first), or undefined. */
function pathBack(start, goal) {
  const seen = new Set([start]);
  const queue = [[start, [start]]];
  while (queue.length > 0) {
    const [at, path] = queue.shift();
    if (at === goal) return path;
    for (const next of importsOf(at)) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push([next, [...path, next]]);
    }
  }
  return undefined;
}

const noCycle = {
  meta: { type: 'problem', docs: { description: 'no import cycles between modules' }, schema: [], messages: { cycle: 'import cycle: {{cycle}}' } },
  create(context) {
    const from = repoPath(context.filename);
    return eachImport(context, (node, to) => {
      const back = pathBack(to, from);
      if (back) context.report({ node, messageId: 'cycle', data: { cycle: [from, ...back].join(' → ') } });
    });
  },
};

export default { meta: { name: 'paved' }, rules: { layering, 'no-cycle': noCycle } };
