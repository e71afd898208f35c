import type { LineCounter, Node } from 'yaml';
import { SPEC_FILES } from '../spec/layout.js';

/** A parsed spec file. Later stages point back into it through node ranges. */
export interface SourceFile {
  /** Repo-relative POSIX path, as printed in diagnostics. */
  readonly path: string;
  readonly kind: 'service' | 'platform' | 'releases';
  /** Text as parsed: BOM removed, line endings kept. */
  readonly text: string;
  /** The document's root node (compiler/block-yaml.ts or the yaml library's, with the same ranges). */
  readonly contents: Node;
  readonly lineCounter: LineCounter;
  /** The document as plain data (strings, numbers, booleans, null, arrays, objects). */
  readonly data: unknown;
}

export const PLATFORM_FILE = SPEC_FILES.platform;
export const SERVICE_FILE = SPEC_FILES.service;
export const RELEASES_FILE = SPEC_FILES.releases;
