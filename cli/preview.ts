import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileProject } from '../compiler/compile.js';
import { serviceNamed } from '../compiler/resolve.js';
import { writeFileAtomic } from '../compiler/write/create.js';
import { readRegularBytes } from '../compiler/write/resolver.js';
import { MAX_FILE_BYTES } from '../compiler/parse.js';
import { environmentDirectory, previewOverlay, type PreviewDependency, type PreviewImage } from '../emitters/kubernetes/index.js';
import { layout } from '../spec/layout.js';
import type { ResolvedService } from '../spec/model.js';
import { previewDependencies } from '../spec/preview-dependencies.js';
import { parsedReleases, recordedRelease } from './release-show.js';
import { yamlText } from '../emitters/shared/serialize.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';

/** `<repository>:<tag>` with an optional `@sha256:<hex>`. */
const IMAGE = /^(?<repository>[a-z0-9][a-z0-9._/:-]*?):(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(?:@(?<digest>sha256:[0-9a-f]{64}))?$/;

/**
 * `paved preview <svc> --pr <n> --image <image> --out <dir> [--releases <file>]`:
 * writes CI's kustomize overlay of one pull request's preview into <dir>, over
 * the service's generated preview base and the bases of the services it
 * depends on, transitively, each at the image staging runs, for
 * `kubectl apply --kustomize <dir>`.
 */
export function runPreview(root: string, service: string, pr: string, image: string, out: string, io: Io, releasesFile?: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(pr)) {
    io.stderr(`paved: --pr must be a pull request number, not ${JSON.stringify(pr)}\n`);
    return EXIT_USAGE;
  }
  const parsed = IMAGE.exec(image)?.groups;
  if (!parsed) {
    io.stderr(`paved: --image must be <repository>:<tag>[@sha256:<digest>], not ${JSON.stringify(image)}\n`);
    return EXIT_USAGE;
  }
  const result = compileProject(resolve(io.cwd, root));
  if (result.diagnostics.some((d) => d.severity === 'error') || !result.project) {
    io.stderr(formatText(result.diagnostics, result.sources));
    return EXIT_PROBLEMS;
  }
  const project = result.project;
  const target = serviceNamed(project, service);
  if (!target) {
    io.stderr(`paved: no service named ${JSON.stringify(service)}\n`);
    return EXIT_USAGE;
  }
  if (!target.environments.preview.enabled) {
    io.stderr(`paved: ${service} has environments.preview.enabled: false\n`);
    return EXIT_PROBLEMS;
  }
  // Only the preview repository: a preview must never run (or advertise) a production image.
  if (parsed.repository !== target.runtime.previewImage) {
    io.stderr(`paved: --image must be an image of ${target.runtime.previewImage}, not of ${parsed.repository}\n`);
    return EXIT_USAGE;
  }
  const staging = stagingReleases(releasesFile, io);
  if (staging === undefined) return EXIT_PROBLEMS;
  const overlay = resolve(io.cwd, out);
  const relativeTo = (dir: string): string =>
    relative(overlay, join(resolve(io.cwd, root), dir))
      .split('\\')
      .join('/');
  const dependencies: PreviewDependency[] = [];
  const leftOut: string[] = [];
  for (const dependency of previewDependencies(target, project.services)) {
    const release = staging(dependency);
    if (release === 'malformed') {
      io.stderr(`paved: ${releasesFile}: services.${dependency.name}.staging is not a tag and an optional sha256 digest\n`);
      return EXIT_PROBLEMS;
    }
    if (release === undefined) leftOut.push(dependency.name);
    else dependencies.push({ service: dependency, base: relativeTo(layout.previewDependency(project.output, target.name, dependency.name)), image: release });
  }
  const kustomization = previewOverlay(
    target,
    project,
    Number(pr),
    { tag: parsed.tag!, ...(parsed.digest ? { digest: parsed.digest } : {}) },
    relativeTo(environmentDirectory(project, target, 'preview')),
    dependencies,
  );
  // A dependency staging never ran has no image to run: the preview goes ahead without it, and says so.
  const comments = leftOut.length > 0 ? [`Left out, with no staging release to run: ${leftOut.join(', ')}.`] : [];
  mkdirSync(overlay, { recursive: true });
  writeFileAtomic(join(overlay, 'kustomization.yaml'), yamlText({ source: target.specPath, comments, value: kustomization }));
  io.stdout(`wrote ${join(out, 'kustomization.yaml')}\n`);
  for (const d of dependencies) io.stdout(`with ${d.service.name} at ${d.service.runtime.image}:${d.image.tag}${d.image.digest ? `@${d.image.digest}` : ''}\n`);
  for (const name of leftOut)
    io.stderr(`paved: ${name} has no staging release${releasesFile ? ` in ${releasesFile}` : ''}: left out of the preview of ${target.name}\n`);
  return EXIT_OK;
}

type StagingRelease = PreviewImage | 'malformed' | undefined;

/**
 * Where the dependencies' staging images come from: `--releases <file>` (CI
 * passes staging's releases.yaml, read from its deploy branch), else the
 * project's own releases.yaml as compiled. Undefined when the file cannot be read.
 */
function stagingReleases(releasesFile: string | undefined, io: Io): ((service: ResolvedService) => StagingRelease) | undefined {
  if (releasesFile === undefined) return (service) => service.environments.staging.release;
  let read: ReturnType<typeof readRegularBytes>;
  try {
    read = readRegularBytes(resolve(io.cwd, releasesFile), undefined, MAX_FILE_BYTES);
  } catch (error) {
    io.stderr(`paved: --releases ${releasesFile}: ${(error as Error).message.split('\n')[0]}\n`);
    return undefined;
  }
  if (read === undefined) {
    io.stderr(`paved: --releases ${releasesFile}: no regular file of at most ${MAX_FILE_BYTES} bytes is there (a link, a FIFO or a folder is not read)\n`);
    return undefined;
  }
  const parsed = parsedReleases(read.bytes, releasesFile);
  if (parsed === undefined) {
    io.stderr(`paved: --releases ${releasesFile} does not parse as paved reads a releases.yaml (YAML 1.2 without anchors, aliases, tags or repeated keys)\n`);
    return undefined;
  }
  return (service) => recordedRelease(parsed.data, service.name, 'staging');
}
