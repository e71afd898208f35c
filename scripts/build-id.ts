/**
 * Writes dist/build-id.txt: a hash of everything `npm run build` produced plus
 * the package and lock files. Incremental compiles key every service by it, so
 * a change to paved's code or to a locked dependency invalidates them all.
 * The bundles' code caches are left out: they are made from the bundles, which
 * are in, and after this (scripts/code-cache.ts), by runs that read the id.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHE_SUFFIX } from '../spec/code-cache.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(dist, '..');
const target = join(dist, 'build-id.txt');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const hash = createHash('sha256');
const inputs = [
  ...files(dist).filter((f) => f !== target && !f.endsWith(CODE_CACHE_SUFFIX)),
  ...['package.json', 'package-lock.json'].map((f) => join(repo, f)).filter((f) => existsSync(f)),
];
for (const file of inputs.map((f) => relative(repo, f)).sort())
  hash
    .update(`${file}\0`)
    .update(readFileSync(join(repo, file)))
    .update('\0');
writeFileSync(target, `${hash.digest('hex')}\n`);
