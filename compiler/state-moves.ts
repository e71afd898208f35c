import type { BodyItem } from '../emitters/shared/hcl.js';
import type { Diagnostic } from '../spec/diagnostic.js';
import type { GeneratedFile } from '../spec/emitter.js';
import { atOutputDir, type CompiledRevision } from './data-loss.js';
import { plainBody } from './policy/view.js';
import { PLATFORM_FILE } from './source.js';

/**
 * `paved check --base`: a Terraform root whose state the change looks for
 * elsewhere. A new state bucket (`terraform.stateBucket`) or region
 * (`cloud.region`) in platform.yaml gives every root another backend, and CI's
 * `terraform init` starts each from the empty state it finds there: the next
 * apply creates every resource again beside those that exist, which fails on
 * the names they hold and leaves them unmanaged. The resources' own region
 * (`aws_region`) moving is the same: Terraform no longer finds them. Nothing is
 * destroyed, so nothing of the data-loss check sees it. Pure.
 */
export function stateMoves(base: CompiledRevision, head: CompiledRevision): Diagnostic[] {
  const before = placesOf(atOutputDir(base.files, base.project.output.dir, head.project.output.dir));
  const moves = new Map<Environment, string[]>();
  for (const [id, now] of placesOf(head.files)) {
    const was = before.get(id);
    if (was === undefined) continue;
    const changes = [
      ...(was.state === now.state ? [] : [`its state from ${was.state} to ${now.state}`]),
      ...(was.region === now.region ? [] : [`its resources from region ${was.region} to ${now.region}`]),
    ];
    if (changes.length === 0) continue;
    const [root, environment] = id.split('\u0000') as [string, Environment];
    moves.set(environment, [...(moves.get(environment) ?? []), `${root} (${changes.join(', ')})`]);
  }
  return (['staging', 'production'] as const).flatMap((environment): Diagnostic[] => {
    const roots = moves.get(environment);
    return roots === undefined
      ? []
      : [
          {
            code: 'CHECK.STATE_MOVED',
            severity: 'warning',
            file: PLATFORM_FILE,
            message: `the change moves ${roots.length} Terraform root${roots.length === 1 ? '' : 's'} in ${environment}: ${roots.slice(0, SHOWN).join('; ')}${roots.length > SHOWN ? `; and ${roots.length - SHOWN} more` : ''}. Terraform looks for them at the new place and finds nothing there, so the next apply creates every resource again beside those that exist: it fails on the names they hold and leaves them unmanaged`,
            hint: 'before merging, move each state to its new place (terraform init -migrate-state in each root, from the old backend configuration to the new) and, for a new region, the resources themselves; or keep terraform.stateBucket and cloud.region as they were',
          },
        ];
  });
}

type Environment = 'staging' | 'production';

/** How many roots one diagnostic names before it counts the rest. */
const SHOWN = 3;

/** Where a root keeps its state (`s3://bucket/key in region`) and its resources' region, per environment. */
interface Place {
  readonly state: string;
  readonly region: string;
}

/** `<root>\u0000<environment>` → its place, for every root with a backend configuration. */
function placesOf(files: readonly GeneratedFile[]): Map<string, Place> {
  const backends = new Map<string, Record<string, unknown>>();
  const regions = new Map<string, unknown>();
  for (const file of files) {
    const found = /^(.*)\/env\/(staging|production)\.(s3\.tfbackend|tfvars)$/.exec(file.path);
    if (!found || !Array.isArray(file.value)) continue;
    const values = plainBody(file.value as readonly BodyItem[]);
    const id = `${found[1]}\u0000${found[2]}`;
    if (found[3] === 'tfvars') regions.set(id, values.aws_region);
    else backends.set(id, values);
  }
  return new Map(
    [...backends].map(([id, backend]) => [
      id,
      { state: `s3://${String(backend.bucket)}/${String(backend.key)} in ${String(backend.region)}`, region: String(regions.get(id)) },
    ]),
  );
}
