import { join } from 'node:path';
import { MAX_FILE_BYTES, parseSource } from '../compiler/parse.js';
import { RELEASES_FILE } from '../compiler/source.js';
import { describeType, lstatOrUndefined, readRegularBytes } from '../compiler/write/resolver.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * `paved release <svc> --env E --show`: prints what releases.yaml records for a
 * service in an environment, `<tag> <digest>` (the digest may be absent), or
 * nothing when it records no release. The release jobs read the deploy branch's
 * releases.yaml with it, now and in its history (README, Deploy, promotion and
 * rollback); only values of the shapes CI writes are printed.
 */
export function runReleaseShow(root: string, service: string, env: string, io: Io): number {
  if (env !== 'staging' && env !== 'production') {
    io.stderr(`paved: --env must be staging or production, not ${JSON.stringify(env)}\n`);
    return EXIT_USAGE;
  }
  const read = readReleasesFile(root);
  if ('refused' in read) {
    io.stderr(read.refused);
    return EXIT_PROBLEMS;
  }
  if (read.text === undefined) return EXIT_OK;
  const release = recordedRelease(read.data, service, env);
  if (release === undefined) return EXIT_OK;
  if (release === 'malformed') {
    io.stderr(`paved: ${RELEASES_FILE}: services.${service}.${env} is not a tag and an optional sha256 digest; run paved validate to see why\n`);
    return EXIT_PROBLEMS;
  }
  io.stdout(`${release.tag}${release.digest === undefined ? '' : ` ${release.digest}`}\n`);
  return EXIT_OK;
}

/**
 * releases.yaml at the root, for `paved release` and `--show`: its text,
 * undefined when there is none (no release yet), or why paved refuses it. The
 * service teams commit it, so it is read as the compiler reads a spec at the
 * root (compiler/load.ts): a regular file up to MAX_FILE_BYTES, opened without
 * following a link and checked to be the file lstat saw. A link (to a file
 * outside the repository), a FIFO (which would hang the read), a device, a
 * directory or a larger file is refused before anything is opened or written;
 * release replaces the file by renaming over this same path.
 */
export function readReleasesFile(
  root: string,
): { readonly text: undefined } | { readonly text: string; readonly data: unknown } | { readonly refused: string } {
  const path = join(root, RELEASES_FILE);
  const stat = lstatOrUndefined(path);
  if (stat === undefined) return { text: undefined };
  if (stat.isSymbolicLink())
    return { refused: `paved: ${RELEASES_FILE} is a symbolic link; paved reads and writes only a regular file there: replace the link with the file itself\n` };
  if (!stat.isFile())
    return {
      refused: `paved: ${RELEASES_FILE} is ${describeType(stat)}; paved reads and writes only a regular file there: remove it, and restore the file CI wrote from version control (without one, no service has a release yet)\n`,
    };
  if (stat.size > MAX_FILE_BYTES) return { refused: tooLarge(stat.size) };
  const read = readRegularBytes(path, stat, MAX_FILE_BYTES);
  // Replaced, removed or grown past the limit between the lstat and the open: what is there now was never checked.
  if (read === undefined) return { refused: `paved: ${RELEASES_FILE} changed while paved read it; run paved again\n` };
  const parsed = parsedReleases(read.bytes, RELEASES_FILE);
  return parsed ?? { refused: `paved: ${RELEASES_FILE} does not parse; run paved validate to see why\n` };
}

/**
 * A releases.yaml's bytes read by the compiler's own reader (compiler/parse.ts:
 * no anchors, aliases, tags or repeated keys), so every command that reads the
 * file sees the records the compile validated, or none: the yaml library's
 * defaults would read an alias or a tag the compile refuses. Undefined when it
 * does not parse.
 */
export function parsedReleases(bytes: Uint8Array, path: string): { readonly text: string; readonly data: unknown } | undefined {
  const parsed = parseSource(path, bytes, 'releases');
  return parsed.file === undefined || parsed.diagnostics.some((d) => d.severity === 'error') ? undefined : { text: parsed.file.text, data: parsed.file.data };
}

const tooLarge = (size: number): string =>
  `paved: ${RELEASES_FILE} is ${size} bytes; the limit is ${MAX_FILE_BYTES} bytes (1 MiB), as for every spec: restore the file CI wrote from version control\n`;

/**
 * What a parsed releases.yaml records for a service in an environment: its tag
 * and digest, nothing, or `malformed` when the record is not of the shapes CI
 * writes. Records of other services are not read, so a file that still names a
 * service the checkout has renamed or deleted serves the others.
 */
export function recordedRelease(value: unknown, service: string, env: 'staging' | 'production'): { tag: string; digest?: string } | 'malformed' | undefined {
  const services = (value as { services?: unknown } | null)?.services;
  const entry =
    services !== null && typeof services === 'object' && Object.hasOwn(services, service) ? (services as Record<string, unknown>)[service] : undefined;
  const release = entry !== null && typeof entry === 'object' && Object.hasOwn(entry, env) ? (entry as Record<string, unknown>)[env] : undefined;
  if (release === undefined || release === null) return undefined;
  const { tag, digest } = release as { tag?: unknown; digest?: unknown };
  if (typeof tag !== 'string' || !TAG.test(tag) || (digest !== undefined && (typeof digest !== 'string' || !DIGEST.test(digest)))) return 'malformed';
  return digest === undefined ? { tag } : { tag, digest: digest as string };
}
