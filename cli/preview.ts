import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { compileProject } from '../compiler/compile.js';
import { serviceNamed } from '../compiler/resolve.js';
import { writeFileAtomic } from '../compiler/write/create.js';
import { environmentDirectory, previewOverlay } from '../emitters/kubernetes/index.js';
import { yamlText } from '../emitters/shared/serialize.js';
import { formatText } from './format.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type Io } from './io.js';

/** `<repository>:<tag>` with an optional `@sha256:<hex>`. */
const IMAGE = /^(?<repository>[a-z0-9][a-z0-9._/:-]*?):(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(?:@(?<digest>sha256:[0-9a-f]{64}))?$/;

/**
 * `paved preview <svc> --pr <n> --image <image> --out <dir>`: writes CI's
 * kustomize overlay of one pull request's preview into <dir>, over the
 * service's generated preview base, for `kubectl apply --kustomize <dir>`.
 */
export function runPreview(root: string, service: string, pr: string, image: string, out: string, io: Io): number {
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
  const overlay = resolve(io.cwd, out);
  const base = join(resolve(io.cwd, root), environmentDirectory(project, target, 'preview'));
  const kustomization = previewOverlay(
    target,
    project,
    Number(pr),
    { tag: parsed.tag!, ...(parsed.digest ? { digest: parsed.digest } : {}) },
    relative(overlay, base).split('\\').join('/'),
  );
  mkdirSync(overlay, { recursive: true });
  writeFileAtomic(join(overlay, 'kustomization.yaml'), yamlText({ source: target.specPath, value: kustomization }));
  io.stdout(`wrote ${join(out, 'kustomization.yaml')}\n`);
  return EXIT_OK;
}
