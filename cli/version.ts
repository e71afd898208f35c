import { readFileSync } from 'node:fs';
import { shipped } from '../spec/code-root.js';

/** The package version, read once from package.json next to dist/. */
export const version: string = (JSON.parse(readFileSync(shipped('../package.json'), 'utf8')) as { version: string }).version;
