import type { Diagnostic } from '../../spec/diagnostic.js';
import { locate } from '../positions.js';
import type { SourceFile } from '../source.js';
import { showString } from './text.js';

/**
 * A service's folder is checked like its name: the path reaches workflows
 * (`working-directory:`, `paths:` filters, the Docker build context) and the
 * header of every generated file, so only a portable charset passes. Each
 * folder name is letters, digits, `.`, `_` and `-`, and starts with a letter,
 * digit or `_` (no hidden `.folder`, no `-option`, no `..`).
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
export const MAX_FOLDER_SEGMENT = 100;
export const MAX_FOLDER_PATH = 200;

export function checkServiceFolder(file: SourceFile): Diagnostic[] {
  const slash = file.path.lastIndexOf('/');
  if (slash < 0) return [];
  const folder = file.path.slice(0, slash);
  const problem = folderProblem(folder);
  if (!problem) return [];
  // At `name:` when there is one, else the first character of the file.
  const range = locate(file, '/name', { key: true }) ?? { line: 1, col: 1, endLine: 1, endCol: 2 };
  return [
    {
      code: 'SPEC.FOLDER_PATH',
      severity: 'error',
      message: `the folder ${showString(folder)} of this service.yaml is not a portable path: ${problem}`,
      hint: 'rename the folder to letters, digits, ".", "_" and "-" (e.g. services/orders): its path is written into workflows, the Docker build context and every generated file',
      file: file.path,
      range,
    },
  ];
}

function folderProblem(folder: string): string | undefined {
  if (folder.length > MAX_FOLDER_PATH) return `it is ${folder.length} characters long, over ${MAX_FOLDER_PATH}`;
  for (const segment of folder.split('/')) {
    if (segment.length > MAX_FOLDER_SEGMENT) return `the folder name ${showString(segment)} is ${segment.length} characters long, over ${MAX_FOLDER_SEGMENT}`;
    if (!SEGMENT.test(segment)) {
      const reason =
        segment === ''
          ? 'is empty'
          : /^[.-]/.test(segment)
            ? `starts with ${showString(segment[0]!)}`
            : `holds ${showString([...segment].find((c) => !/[A-Za-z0-9._-]/.test(c))!)}`;
      return `the folder name ${showString(segment)} ${reason}`;
    }
  }
  return undefined;
}
