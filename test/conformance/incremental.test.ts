import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emitters } from '../../cli/emitters.js';
import { buildCacheLocation, CACHE_FOLDER } from '../../compiler/cache.js';
import { compile, type CompileResult } from '../../compiler/compile.js';
import { writeTree } from '../../compiler/write/tree.js';
import { plannedTree, readTree, REPO, scratchCopy, waiveOrdersFinding } from '../support/helpers.js';

/**
 * Incremental compiles (compiler/cache.ts): a service is emitted again only when
 * its key (its resolved model, those of the services it depends on, the platform
 * and the paved build) or one of its files on disk changed. Whatever is reused,
 * the tree written must be exactly the tree a full compile writes.
 */
const BUILD = 'test-build';
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

/** examples/shop in a git work tree, where the record of the last compile lives (in .git). */
function shop(git = true): string {
  const scratch = scratchCopy(join(REPO, 'examples/shop'));
  cleanups.push(scratch.cleanup);
  // The specs only: a quick-start compile of examples/shop leaves its (ignored) output beside them.
  for (const output of ['generated', '.github']) rmSync(join(scratch.dir, output), { recursive: true, force: true });
  if (git) execFileSync('git', ['init', '-q', scratch.dir]);
  return scratch.dir;
}

/** `paved compile` as the CLI runs it: incremental, recording for the next one. */
function compileAndWrite(root: string, build = BUILD): { result: CompileResult; written: readonly string[] } {
  const result = compile({ root, emitters, build });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  // Whatever it reuses, it reports exactly what a full compile reports.
  expect(result.diagnostics).toEqual(compile({ root, emitters }).diagnostics);
  const report = writeTree(root, result.output, result.files, { kept: result.kept, cache: result.cache });
  return { result, written: report.written };
}

/** Services whose emitters ran, by the sources of the per-service files they planned. */
/** The specs of the services whose emitters ran: a unit's files may come from other specs too (a preview's dependency bases). */
function emittedServices(result: CompileResult): string[] {
  const specs = new Map(result.project?.services.map((s) => [s.name, s.specPath]));
  return [...new Set(result.files.flatMap((f) => specs.get(result.owners.get(f.path)?.service ?? '') ?? []))].sort();
}

const generated = (root: string): Map<string, string> => readTree(root, (path) => !(path.startsWith('generated') || path.startsWith('.github')));

/** The tree a full, non-incremental compile plans for the root as it is now. */
const fullTree = (root: string): Map<string, string> => plannedTree(compile({ root, emitters }));

describe('incremental compiles', () => {
  it('emit nothing again when nothing changed, and write nothing', () => {
    const root = shop();
    const first = compileAndWrite(root);
    expect(first.result.kept).toEqual([]);
    expect(emittedServices(first.result)).toHaveLength(5);

    const second = compileAndWrite(root);
    expect(emittedServices(second.result)).toEqual([]);
    expect(second.result.kept.length).toBeGreaterThan(200);
    expect(second.written).toEqual([]);
    expect(generated(root)).toEqual(fullTree(root));
  });

  it('emit a changed service and the services that depend on it, and nothing else', () => {
    const root = shop();
    compileAndWrite(root);
    const spec = join(root, 'services/payments/service.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^description: .*$/m, 'description: Payments, now described differently'));

    const { result, written } = compileAndWrite(root);
    // orders lists payments in dependsOn: its NetworkPolicy egress reads payments' port. storefront-api depends on
    // orders, so its preview brings payments too, and its key covers payments' model.
    expect(emittedServices(result)).toEqual(['services/orders/service.yaml', 'services/payments/service.yaml', 'services/storefront-api/service.yaml']);
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((path) => path.includes('/payments') || path.includes('grafana/overview') || path.endsWith('paved-payments.yml'))).toBe(true);
    expect(generated(root)).toEqual(fullTree(root));
  });

  it('carry a dependency change into the services that depend on it', () => {
    const root = shop();
    compileAndWrite(root);
    const spec = join(root, 'services/payments/service.yaml');
    const text = readFileSync(spec, 'utf8');
    const port = /^ {2}port: (\d+)/m.exec(text)?.[1];
    expect(port).toBeDefined();
    writeFileSync(spec, text.replace(/^ {2}port: \d+/m, '  port: 8181'));

    const { result } = compileAndWrite(root);
    // storefront-api too: its preview brings payments through orders.
    expect(emittedServices(result)).toEqual(['services/orders/service.yaml', 'services/payments/service.yaml', 'services/storefront-api/service.yaml']);
    expect(readFileSync(join(root, 'generated/storefront-api/kubernetes/preview/dependencies/payments/deployment.yaml'), 'utf8')).toContain(
      'containerPort: 8181',
    );
    const policy = readFileSync(join(root, 'generated/orders/kubernetes/production/networkpolicy.yaml'), 'utf8');
    expect(policy).toContain('port: 8181');
    expect(generated(root)).toEqual(fullTree(root));
  });

  it('emit everything again when the platform or the paved build changes', () => {
    const root = shop();
    compileAndWrite(root);
    expect(emittedServices(compileAndWrite(root, 'another-build').result)).toHaveLength(5);

    const platform = join(root, 'platform.yaml');
    writeFileSync(platform, readFileSync(platform, 'utf8').replace(/^domain: .*$/m, 'domain: example.com'));
    const { result } = compileAndWrite(root, 'another-build');
    expect(emittedServices(result)).toHaveLength(5);
    expect(generated(root)).toEqual(fullTree(root));
  });

  it("report a service's warnings on every compile: a service whose emission reported anything is emitted again", () => {
    const root = shop();
    // A waived policy finding is a warning of the service's emission: the waiver must stay visible.
    const warning = waiveOrdersFinding(root);
    const waived = (result: CompileResult): string[] => result.diagnostics.filter((d) => d.code === 'POLICY.WAIVED').map((d) => d.message);

    const first = compileAndWrite(root).result;
    expect(waived(first)).toEqual([warning]);
    expect(Object.keys(first.units!)).not.toContain('services/orders/service.yaml');
    expect(Object.keys(first.units!)).toHaveLength(4);

    const second = compileAndWrite(root);
    expect(emittedServices(second.result)).toEqual(['services/orders/service.yaml']);
    expect(waived(second.result)).toEqual([warning]);
    expect(second.written).toEqual([]);
    expect(generated(root)).toEqual(fullTree(root));
  });

  it('restore a hand-edited or deleted file by emitting its service again', () => {
    const root = shop();
    compileAndWrite(root);
    const edited = 'generated/catalog/kubernetes/production/deployment.yaml';
    const deleted = 'generated/notifier/alerts/rules.yaml';
    const original = readFileSync(join(root, edited), 'utf8');
    writeFileSync(join(root, edited), `${original}# tweaked by hand\n`);
    rmSync(join(root, deleted));

    const { result, written } = compileAndWrite(root);
    expect(emittedServices(result)).toEqual(['services/catalog/service.yaml', 'services/notifier/service.yaml']);
    expect([...written].sort()).toEqual([edited, deleted].sort());
    expect(readFileSync(join(root, edited), 'utf8')).toBe(original);
    expect(generated(root)).toEqual(fullTree(root));
  });

  it('re-check a touched file once, then trust its new stamp', () => {
    const root = shop();
    compileAndWrite(root);
    const touched = join(root, 'generated/orders/catalog-info.yaml');
    utimesSync(touched, new Date(2001, 0, 1), new Date(2001, 0, 1));

    const again = compileAndWrite(root);
    expect(emittedServices(again.result)).toEqual(['services/orders/service.yaml']);
    expect(again.written).toEqual([]);
    expect(emittedServices(compileAndWrite(root).result)).toEqual([]);
  });

  it('reuse nothing after an interrupted compile, or when the record is unreadable or from another build', () => {
    const root = shop();
    compileAndWrite(root);
    const manifest = join(root, 'generated/.paved-manifest.json');
    const cache = buildCacheLocation(root, compile({ root, emitters }).output)!;
    expect(cache.startsWith(join(root, '.git/'))).toBe(true);

    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"version": 1,', '"version": 1,\n  "pending": true,'));
    expect(emittedServices(compileAndWrite(root).result)).toHaveLength(5);

    writeFileSync(cache, '{ not json');
    expect(emittedServices(compileAndWrite(root).result)).toHaveLength(5);

    writeFileSync(cache, JSON.stringify({ ...JSON.parse(readFileSync(cache, 'utf8')), build: 'other' }));
    expect(emittedServices(compileAndWrite(root).result)).toHaveLength(5);
    expect(generated(root)).toEqual(fullTree(root));
  });

  it("keep their record in the git directory, or outside a work tree in the root's cache folder, which ignores itself", () => {
    const tracked = shop();
    compileAndWrite(tracked);
    expect(existsSync(buildCacheLocation(tracked, compile({ root: tracked, emitters }).output)!)).toBe(true);
    expect(existsSync(join(tracked, CACHE_FOLDER))).toBe(false);
    expect(execFileSync('git', ['status', '--porcelain', '--ignored', '--untracked-files=all'], { cwd: tracked, encoding: 'utf8' })).not.toMatch(/paved-cache/);

    const untracked = shop(false);
    const location = buildCacheLocation(untracked, compile({ root: untracked, emitters }).output)!;
    expect(location.startsWith(join(realpathSync(untracked), CACHE_FOLDER, 'compile-'))).toBe(true);
    compileAndWrite(untracked);
    expect(existsSync(location)).toBe(true);
    expect(readFileSync(join(untracked, CACHE_FOLDER, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const second = compileAndWrite(untracked);
    expect(emittedServices(second.result)).toEqual([]);
    expect(second.written).toEqual([]);
    expect(generated(untracked)).toEqual(fullTree(untracked));
    // Made a work tree now: git sees nothing of the cache folder, whose .gitignore ignores itself too.
    execFileSync('git', ['init', '-q', untracked]);
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: untracked, encoding: 'utf8' });
    expect(status).not.toMatch(/paved-cache/);
    expect(status).toMatch(/services\/orders\/service\.yaml/);
  });

  it("leave a cache folder's .gitignore as they found it, and record nothing where a file stands in the folder's place", () => {
    const root = shop(false);
    mkdirSync(join(root, CACHE_FOLDER));
    writeFileSync(join(root, CACHE_FOLDER, '.gitignore'), 'mine\n');
    compileAndWrite(root);
    expect(readFileSync(join(root, CACHE_FOLDER, '.gitignore'), 'utf8')).toBe('mine\n');
    expect(emittedServices(compileAndWrite(root).result)).toEqual([]);

    const blocked = shop(false);
    writeFileSync(join(blocked, CACHE_FOLDER), 'not a folder');
    compileAndWrite(blocked);
    expect(readFileSync(join(blocked, CACHE_FOLDER), 'utf8')).toBe('not a folder');
    expect(emittedServices(compileAndWrite(blocked).result)).toHaveLength(5);
    expect(generated(blocked)).toEqual(fullTree(blocked));
  });

  it('still write the tree when the record cannot be written', () => {
    const root = shop();
    const location = buildCacheLocation(root, compile({ root, emitters }).output)!;
    // A directory where the record goes: no rename can replace it (root ignores permissions, so no chmod).
    mkdirSync(join(location, 'in-the-way'), { recursive: true });
    const first = compileAndWrite(root);
    expect(first.written.length).toBeGreaterThan(200);
    expect(emittedServices(compileAndWrite(root).result)).toHaveLength(5);
    expect(generated(root)).toEqual(fullTree(root));
  });

  it('delete the files of a removed service, emitting again only the services whose models named it', () => {
    const root = shop();
    compileAndWrite(root);
    rmSync(join(root, 'services/notifier'), { recursive: true });
    const releases = join(root, 'releases.yaml');
    writeFileSync(releases, readFileSync(releases, 'utf8').replace(/^ {2}notifier:\n {4}staging: .*\n/m, ''));
    const { result } = compileAndWrite(root);
    // notifier subscribed to a topic of orders, whose resolved topic lists its subscribers; storefront-api depends on orders.
    expect(emittedServices(result)).toEqual(['services/orders/service.yaml', 'services/storefront-api/service.yaml']);
    expect(generated(root)).toEqual(fullTree(root));
    expect([...generated(root).keys()].some((path) => path.startsWith('generated/notifier/'))).toBe(false);
  });
});
