import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RELEASES_FILE } from '../compiler/source.js';
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
  const path = join(root, RELEASES_FILE);
  if (!existsSync(path)) return EXIT_OK;
  let value: unknown;
  try {
    value = parse(readFileSync(path, 'utf8'));
  } catch {
    io.stderr(`paved: ${RELEASES_FILE} does not parse; run paved validate to see why\n`);
    return EXIT_PROBLEMS;
  }
  const release = recordedRelease(value, service, env);
  if (release === undefined) return EXIT_OK;
  if (release === 'malformed') {
    io.stderr(`paved: ${RELEASES_FILE}: services.${service}.${env} is not a tag and an optional sha256 digest; run paved validate to see why\n`);
    return EXIT_PROBLEMS;
  }
  io.stdout(`${release.tag}${release.digest === undefined ? '' : ` ${release.digest}`}\n`);
  return EXIT_OK;
}

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
