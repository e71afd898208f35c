import { closeSync, constants, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CACHE_FOLDER } from '../../spec/layout.js';

/**
 * Makes the cache folder a location's file goes in, when the location is in
 * one: a real directory (never a link) holding its own `.gitignore`. False
 * when something else stands there: the record is then not written.
 */
export function prepareCacheFolder(location: string): boolean {
  const folder = dirname(location);
  if (basename(folder) !== CACHE_FOLDER) return true;
  try {
    mkdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  try {
    if (!lstatSync(folder).isDirectory()) return false;
    // Created new or left as it is: an existing .gitignore is the user's to keep.
    const fd = openSync(join(folder, '.gitignore'), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, "# paved's cache of this root: local state, never committed.\n*\n");
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  return true;
}
