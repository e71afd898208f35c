import { join } from 'node:path';
import { isMap, parseDocument, type Document, type YAMLMap } from 'yaml';
import { compileWithReleases, loadSources, type LoadedSources } from '../compiler/compile.js';
import { writeFileAtomic } from '../compiler/write/create.js';
import { RELEASES_FILE } from '../compiler/source.js';
import { emitters } from './emitters.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';
import { readReleasesFile } from './release-show.js';
import { printable } from '../spec/text.js';

const HEADER = `# Written by CI (paved release), not by hand: which image each service runs in
# staging and production. Every change is a reviewed commit; run paved compile after it.
`;

/**
 * `paved release <svc> --env E --tag T [--digest D]`: records in releases.yaml
 * that a service runs an image in an environment (a deploy, a promotion or a
 * rollback), keeping the file's comments, then validates the whole project.
 * Records of services no spec declares any more are dropped, and said so.
 * With `--record-only` it only edits the file: the release jobs' retries,
 * whose first attempt validated the same record.
 */
type RawSpec = { readonly name?: unknown; readonly renamedFrom?: unknown; readonly retired?: unknown };

const rawSpecs = (loaded: LoadedSources): RawSpec[] => loaded.services.map((f) => (f.data ?? {}) as RawSpec);

/** Spec name -> the name the service is deployed under, for every spec that reads. */
const deployedNames = (specs: readonly RawSpec[]): Map<string, string> =>
  new Map(specs.flatMap(({ name, renamedFrom }) => (typeof name === 'string' ? [[name, typeof renamedFrom === 'string' ? renamedFrom : name] as const] : [])));

/** The name releases.yaml records a service under, given either of its names. */
export const deployedNameOf = (loaded: LoadedSources, service: string): string => deployedNames(rawSpecs(loaded)).get(service) ?? service;

export function runRelease(
  root: string,
  service: string,
  env: string,
  tag: string,
  digest: string | undefined,
  io: Io,
  options: { readonly recordOnly?: boolean } = {},
): number {
  if (env !== 'staging' && env !== 'production') {
    io.stderr(`paved: --env must be staging or production, not ${JSON.stringify(env)} (preview images are set per pull request)\n`);
    return EXIT_USAGE;
  }
  // Refused before anything is written: the file is replaced by a rename over this path, never written through it.
  const path = join(root, RELEASES_FILE);
  const read = readReleasesFile(root);
  if ('refused' in read) {
    io.stderr(read.refused);
    return EXIT_PROBLEMS;
  }
  // Edited as a document, to keep its comments and order, once the compiler's own reader has read it (readReleasesFile).
  const doc: Document = parseDocument(read.text ?? `${HEADER}apiVersion: paved/v1\nkind: Releases\nservices: {}\n`);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    io.stderr(`paved: ${RELEASES_FILE} does not parse; run paved validate to see why\n`);
    return EXIT_PROBLEMS;
  }
  if (!doc.has('services') || !isMap(doc.get('services'))) doc.set('services', doc.createNode({}));
  const services = doc.get('services') as YAMLMap;
  services.flow = false;
  // Records are kept under the name a service is deployed under (docs/day-2.md, Renaming).
  const loaded = loadSources(root);
  const specs = rawSpecs(loaded);
  const deployedAs = deployedNames(specs);
  service = deployedAs.get(service) ?? service;
  doc.setIn(['services', service, env], doc.createNode(digest === undefined ? { tag } : { tag, digest }, { flow: true }));
  // A deleted service's records go: on a deploy branch they would fail every later release's validation.
  // So do a retired one's: it runs nowhere, and its teardown takes it off the deploy branches.
  const named = (list: typeof specs): Set<string> => new Set(list.flatMap(({ name }) => (typeof name === 'string' ? [deployedAs.get(name)!] : [])));
  const retired = named(specs.filter((data) => data.retired !== undefined));
  const declared = named(specs.filter((data) => data.retired === undefined));
  // Only when every spec was read: a spec that does not parse names nothing, and its record must stay.
  const readAll = !loaded.loadDiagnostics.some((d) => d.severity === 'error');
  const dropped = readAll ? services.items.map((item) => String(item.key)).filter((name) => name !== service && !declared.has(name)) : [];
  for (const name of dropped) services.delete(name);
  // One order for everyone: services sorted by name, environments in promotion order.
  services.items.sort((a, b) => (String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0));
  const entry = doc.getIn(['services', service]);
  if (isMap(entry)) entry.items.sort((a, b) => (String(a.key) === 'staging' ? -1 : 0) - (String(b.key) === 'staging' ? -1 : 0));
  const text = doc.toString({ lineWidth: 0 });

  for (const name of dropped)
    io.stdout(
      `${RELEASES_FILE}: ${printable(name)} dropped: ${retired.has(name) ? 'it is retired, so it runs nowhere' : 'no service.yaml declares it any more'}\n`,
    );
  // --record-only: a release job's retry, whose record the first attempt already compiled with the project.
  if (options.recordOnly) {
    writeFileAtomic(path, text);
    io.stdout(`${RELEASES_FILE}: ${service} ${env} -> ${tag}${digest ? `@${digest}` : ''} (recorded only)\n`);
    return EXIT_OK;
  }
  // The whole project must compile with the new file before it replaces the old one.
  const result = compileWithReleases(loaded, text, { emitters });
  if (result.diagnostics.some((d) => d.severity === 'error')) {
    io.stderr(formatText(result.diagnostics, result.sources));
    io.stderr(`paved: ${RELEASES_FILE} left unchanged\n`);
    return EXIT_PROBLEMS;
  }
  writeFileAtomic(path, text);
  io.stdout(`${RELEASES_FILE}: ${service} ${env} -> ${tag}${digest ? `@${digest}` : ''}\nnext: paved compile, then commit both\n`);
  return EXIT_OK;
}
