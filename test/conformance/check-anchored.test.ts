import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { anchorRecord, PAVED_PINS } from '../../cli/anchor.js';
import { emitters } from '../../cli/emitters.js';
import { CACHE_FOLDER, checkRecordLocation, readCheckRecord, recordedManifest, type CheckRecord } from '../../compiler/cache.js';
import { parseManifest, type ManifestEntry } from '../../compiler/write/manifest.js';
import { compile, loadSources, type CompileResult } from '../../compiler/compile.js';
import { REPO, scratchCopy, waiveOrdersFinding } from '../support/helpers.js';
import { forge, git, paved, recordedShop as recordedShopIn } from '../support/recorded-shop.js';

/**
 * `paved check --base <commit>` anchored on the record a passing `paved check
 * --record` of that commit left (compiler/cache.ts CheckRecord): services whose
 * key the record holds and whose files are byte for byte the recorded ones are
 * not emitted again; everything else is, so the check never passes what a full
 * check fails (docs/incremental.md). Runs the built CLI: the record names the
 * build (dist/build-id.txt), which only the built paved has.
 */
const BUILD = readFileSync(join(REPO, 'dist/build-id.txt'), 'utf8').trim();

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function recordedShop(prepare?: (root: string) => void): { root: string; base: string } {
  const shop = recordedShopIn(prepare);
  cleanups.push(shop.cleanup);
  return shop;
}

function edit(root: string, service: string, from: RegExp, to: string): void {
  const spec = join(root, 'services', service, 'service.yaml');
  const text = readFileSync(spec, 'utf8');
  expect(text).toMatch(from);
  writeFileSync(spec, text.replace(from, to));
}

/** The compile `check --base` runs, in process: which services it emitted and which it kept. */
function anchored(root: string, base: string): CompileResult {
  const loaded = loadSources(root);
  const anchor = anchorRecord(root, base, BUILD, undefined, loaded)?.anchor;
  expect(anchor).toBeDefined();
  return compile({ root, emitters, build: BUILD, inMemory: true, anchor, keepValues: true }, loaded);
}

const emittedServices = (result: CompileResult): string[] => [...new Set(result.files.map((f) => f.source).filter((s) => s.startsWith('services/')))].sort();
const keptServices = (result: CompileResult): string[] => [...new Set(result.kept.map((k) => k.source))].sort();
const unchangedLine = /^paved: \d+ of \d+ services unchanged since the check of .*\n/m;

describe("paved check --base anchored on the base commit's check record", () => {
  it('records a passing check in the cache folder, which git does not see', () => {
    const { root, base } = recordedShop();
    const record = JSON.parse(readFileSync(checkRecordLocation(root, base), 'utf8')) as CheckRecord;
    expect(record.build).toBe(BUILD);
    expect(record.commit).toBe(base);
    expect(Object.keys(record.units).sort()).toEqual([
      'services/catalog/service.yaml',
      'services/notifier/service.yaml',
      'services/orders/service.yaml',
      'services/payments/service.yaml',
      'services/storefront-api/service.yaml',
    ]);
    // Every recorded hash is that of the committed file.
    for (const unit of Object.values(record.units))
      for (const file of unit.files)
        expect(
          createHash('sha256')
            .update(readFileSync(join(root, file.path)))
            .digest('hex'),
        ).toBe(file.sha256);
    expect(git(root, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(existsSync(join(root, CACHE_FOLDER, '.gitignore'))).toBe(true);
  });

  it('emits only the changed service and those that depend on it, and passes as the full check does', () => {
    const { root, base } = recordedShop();
    edit(root, 'payments', /^description: .*$/m, 'description: Payments, now described differently');
    expect(paved(root, 'compile').code).toBe(0);
    git(root, 'commit', '-q', '-am', 'payments');

    const result = anchored(root, base);
    // orders lists payments in dependsOn; storefront-api's preview brings payments through orders, and catalog, whose
    // copies there name catalog's spec: catalog's own files are kept.
    expect(emittedServices(result)).toEqual([
      'services/catalog/service.yaml',
      'services/orders/service.yaml',
      'services/payments/service.yaml',
      'services/storefront-api/service.yaml',
    ]);
    expect(keptServices(result)).toEqual(['services/catalog/service.yaml', 'services/notifier/service.yaml']);
    // The repository-wide files are emitted every time.
    expect(result.files.some((f) => !f.source.startsWith('services/'))).toBe(true);
    // What it plans is exactly what a full compile plans.
    const full = compile({ root, emitters });
    expect([...result.files.map((f) => f.path), ...result.kept.map((k) => k.path)].sort()).toEqual(full.files.map((f) => f.path).sort());

    const check = paved(root, 'check', '--base', base);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain(
      `paved: 2 of 5 services unchanged since the check of ${base}: their files were compared with its record, not emitted again\n`,
    );
    expect(check.stdout.replace(unchangedLine, '')).toBe(paved(root, 'check').stdout);
  });

  it("reports an unchanged service's warnings as the full check does: a service whose emission reported anything is not recorded", () => {
    let warning = '';
    const { root, base } = recordedShop((dir) => (warning = waiveOrdersFinding(dir)));
    const record = JSON.parse(readFileSync(checkRecordLocation(root, base), 'utf8')) as CheckRecord;
    expect(Object.keys(record.units)).not.toContain('services/orders/service.yaml');
    edit(root, 'notifier', /^description: .*$/m, 'description: Notifier, now described differently');
    expect(paved(root, 'compile').code).toBe(0);
    git(root, 'commit', '-q', '-am', 'notifier');

    const result = anchored(root, base);
    // orders' preview brings payments, whose copies there name payments' spec: payments' own files are kept.
    expect(emittedServices(result)).toEqual(['services/notifier/service.yaml', 'services/orders/service.yaml', 'services/payments/service.yaml']);
    expect(result.kept.filter((k) => k.path.startsWith('generated/orders/'))).toEqual([]);
    expect(result.kept.some((k) => k.path.startsWith('generated/payments/'))).toBe(true);
    expect(result.diagnostics.filter((d) => d.code === 'POLICY.WAIVED').map((d) => d.message)).toEqual([warning]);
    const check = paved(root, 'check', '--base', base);
    const full = paved(root, 'check');
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stderr).toContain(warning);
    expect(check.stderr).toBe(full.stderr);
    expect(check.stdout.replace(unchangedLine, '')).toBe(full.stdout);
  });

  it('still catches a forged file of an unchanged service whose manifest hash is forged too, exactly as the full check does', () => {
    const { root, base } = recordedShop();
    edit(root, 'payments', /^description: .*$/m, 'description: Payments, now described differently');
    expect(paved(root, 'compile').code).toBe(0);
    const record = JSON.parse(readFileSync(checkRecordLocation(root, base), 'utf8')) as CheckRecord;
    const target = record.units['services/catalog/service.yaml']!.files.find((f) => f.path.endsWith('.yaml') && f.path.includes('/kubernetes/'))!.path;
    forge(root, target);

    // The forged service is emitted again; the others stay kept.
    expect(emittedServices(anchored(root, base))).toEqual([
      'services/catalog/service.yaml',
      'services/orders/service.yaml',
      'services/payments/service.yaml',
      'services/storefront-api/service.yaml',
    ]);
    const check = paved(root, 'check', '--base', base);
    const full = paved(root, 'check');
    expect(full.code).toBe(1);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(target);
    expect(check.stdout.replace(unchangedLine, '')).toBe(full.stdout);
    expect(check.stderr).toBe(full.stderr);
  });

  it('catches a forged manifest hash alone, with every file as recorded', () => {
    const { root, base } = recordedShop();
    const manifestPath = join(root, 'generated/.paved-manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string; sha256: string }[] };
    const entry = manifest.files.find((f) => f.path.startsWith('generated/catalog/'))!;
    entry.sha256 = '0'.repeat(64);
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const check = paved(root, 'check', '--base', base);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(unchangedLine);
    expect(check.stdout.replace(unchangedLine, '')).toBe(paved(root, 'check').stdout);
  });

  it('still reports the data loss of a changed service', () => {
    const { root, base } = recordedShop();
    edit(root, 'catalog', /^ {2}buckets:\n {4}- name: product-images\n.*\n.*\n/m, '');
    expect(paved(root, 'compile').code).toBe(0);
    const check = paved(root, 'check', '--base', base);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(unchangedLine);
    expect(check.stderr).toContain('error CHECK.DATA_LOSS resources.buckets: bucket "product-images" of service "catalog" is no longer declared');
    // Without the record, the same diagnostics from a full check.
    rmSync(checkRecordLocation(root, base));
    const full = paved(root, 'check', '--base', base);
    expect(full.stdout).not.toMatch(unchangedLine);
    expect(check.stderr).toBe(full.stderr);
    expect(check.stdout.replace(unchangedLine, '')).toBe(full.stdout);
  });

  it('holds a record to the base commit: a key or file the base does not hold is emitted again, whatever the record says', () => {
    const { root, base } = recordedShop();
    edit(root, 'payments', /^description: .*$/m, 'description: Payments, now described differently');
    expect(paved(root, 'compile').code).toBe(0);
    const location = checkRecordLocation(root, base);
    const record = JSON.parse(readFileSync(location, 'utf8')) as CheckRecord;
    const headKey = compile({ root, emitters, build: BUILD, inMemory: true }).units!['services/payments/service.yaml']!.key;
    // A poisoned record: payments' new key, with its new files as they are in the work tree, and a catalog file the base does not hold.
    const catalog = record.units['services/catalog/service.yaml']!;
    const forged = `${readFileSync(join(root, catalog.files[0]!.path), 'utf8')}# forged\n`;
    writeFileSync(join(root, catalog.files[0]!.path), forged);
    const hash = (path: string): string =>
      createHash('sha256')
        .update(readFileSync(join(root, path)))
        .digest('hex');
    const poisoned: CheckRecord = {
      ...record,
      units: {
        ...record.units,
        'services/payments/service.yaml': {
          key: headKey,
          files: record.units['services/payments/service.yaml']!.files.map((f) => ({ ...f, sha256: hash(f.path) })),
        },
        'services/catalog/service.yaml': { key: catalog.key, files: catalog.files.map((f) => ({ ...f, sha256: hash(f.path) })) },
      },
    };
    writeFileSync(location, JSON.stringify(poisoned));
    const result = anchored(root, base);
    expect(emittedServices(result)).toEqual([
      'services/catalog/service.yaml',
      'services/orders/service.yaml',
      'services/payments/service.yaml',
      'services/storefront-api/service.yaml',
    ]);
    const check = paved(root, 'check', '--base', base);
    expect(check.code).toBe(1);
    expect(check.stdout.replace(unchangedLine, '')).toBe(paved(root, 'check').stdout);
  });

  it('is a full check when the change adds, edits or removes a file that pins which paved runs and how', () => {
    expect(PAVED_PINS).toEqual(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc']);
    const pins: Record<string, string> = {
      'package.json': '{ "devDependencies": { "paved": "0.2.0" } }\n',
      'package-lock.json': '{ "lockfileVersion": 3 }\n',
      'npm-shrinkwrap.json': '{ "lockfileVersion": 3 }\n',
      '.npmrc': 'node-options=--max-old-space-size=64\n',
    };
    const anchors = (root: string, base: string): boolean => anchorRecord(root, base, BUILD, undefined, loadSources(root)) !== undefined;
    // Added: the base has none of them.
    const added = recordedShop();
    for (const [pin, text] of Object.entries(pins)) {
      writeFileSync(join(added.root, pin), text);
      expect(anchors(added.root, added.base), `${pin} added`).toBe(false);
      rmSync(join(added.root, pin));
      expect(anchors(added.root, added.base), `${pin} left out again`).toBe(true);
    }
    writeFileSync(join(added.root, 'package.json'), pins['package.json']!);
    const check = paved(added.root, 'check', '--base', added.base);
    expect(check.code).toBe(0);
    expect(check.stdout).not.toMatch(unchangedLine);
    // Edited or removed: the base has them all.
    const pinned = recordedShop((root) => {
      for (const [pin, text] of Object.entries(pins)) writeFileSync(join(root, pin), text);
    });
    expect(anchors(pinned.root, pinned.base)).toBe(true);
    for (const [pin, text] of Object.entries(pins)) {
      writeFileSync(join(pinned.root, pin), `${text}\n`);
      expect(anchors(pinned.root, pinned.base), `${pin} edited`).toBe(false);
      rmSync(join(pinned.root, pin));
      expect(anchors(pinned.root, pinned.base), `${pin} removed`).toBe(false);
      writeFileSync(join(pinned.root, pin), text);
      expect(anchors(pinned.root, pinned.base), `${pin} as in the base`).toBe(true);
    }
    // Anything but a regular file counts as changed and is never read: a link, even to the base's very bytes, and a
    // FIFO, whose read would block for good.
    writeFileSync(join(pinned.root, 'elsewhere.json'), pins['package.json']!);
    rmSync(join(pinned.root, 'package.json'));
    symlinkSync('elsewhere.json', join(pinned.root, 'package.json'));
    expect(anchors(pinned.root, pinned.base), 'package.json linked').toBe(false);
    rmSync(join(pinned.root, 'package.json'));
    execFileSync('mkfifo', [join(pinned.root, 'package.json')]);
    expect(anchors(pinned.root, pinned.base), 'package.json a FIFO').toBe(false);
  });

  it('trusts no record of another build, of another commit, or that is not well formed: the check is then a full one', () => {
    const { root, base } = recordedShop();
    const location = checkRecordLocation(root, base);
    const record = JSON.parse(readFileSync(location, 'utf8')) as CheckRecord;
    for (const broken of [
      { ...record, build: 'another build' },
      { ...record, commit: '0'.repeat(40) },
      { ...record, units: { x: { key: 1 } } },
    ]) {
      writeFileSync(location, JSON.stringify(broken));
      expect(readCheckRecord(root, base, BUILD)).toBeUndefined();
      const check = paved(root, 'check', '--base', base);
      expect(check.code).toBe(0);
      expect(check.stdout).not.toMatch(unchangedLine);
    }
  });
});

/** The anchored check and the full check of the same tree: both fail, with the same report but for the anchored check's count of kept services. */
function failsAsTheFullCheck(root: string, base: string): { stdout: string; stderr: string } {
  const check = paved(root, 'check', '--base', base);
  const full = paved(root, 'check');
  expect(full.code, full.stdout + full.stderr).toBe(1);
  expect(check.code, check.stdout + check.stderr).toBe(1);
  expect(check.stdout.replace(unchangedLine, '')).toBe(full.stdout);
  expect(check.stderr).toBe(full.stderr);
  return check;
}

/** Paths of catalog's files that the base commit holds, as the record lists them: a kubernetes manifest first. */
function catalogFiles(root: string, base: string): string[] {
  const record = JSON.parse(readFileSync(checkRecordLocation(root, base), 'utf8')) as CheckRecord;
  const paths = record.units['services/catalog/service.yaml']!.files.map((f) => f.path).filter((p) => p.startsWith('generated/catalog/'));
  return [...paths.filter((p) => p.includes('/kubernetes/') && p.endsWith('.yaml')), ...paths.filter((p) => !p.includes('/kubernetes/'))];
}

const edited = (path: string): string => `${path}: error CHECK.EDITED it differs from what paved last wrote\n`;

describe("check --base proves kept files by git's index", () => {
  it("keeps a clean file on git's word without reading it, planned with the hash the base commit's manifest gives", () => {
    const { root, base } = recordedShop();
    edit(root, 'payments', /^description: .*$/m, 'description: Payments, now described differently');
    expect(paved(root, 'compile').code).toBe(0);
    git(root, 'commit', '-q', '-am', 'payments');
    const loaded = loadSources(root);
    const anchored = anchorRecord(root, base, BUILD, undefined, loaded)!;
    const { record, clean } = anchored.anchor;
    expect(clean).toBeDefined();
    // The base's specs are parsed once with the working tree's: a spec of the same text is the same parse, the changed one its own.
    const parsedBase = new Map(anchored.prepared.loaded.services.map((f) => [f.path, f]));
    for (const file of loaded.services) expect(parsedBase.get(file.path) === file, file.path).toBe(file.path !== 'services/payments/service.yaml');
    expect(parsedBase.get('services/payments/service.yaml')!.text).not.toBe(loaded.services.find((f) => f.path === 'services/payments/service.yaml')!.text);
    expect(anchored.prepared.loaded.platform).toBe(loaded.platform);
    const notifier = record.units['services/notifier/service.yaml']!.files;
    for (const file of notifier) expect(clean!.get(file.path)).toBe(file.blob);
    const target = notifier.find((f) => f.path.startsWith('generated/notifier/'))!;
    const listed = JSON.parse(git(root, 'show', `${base}:generated/.paved-manifest.json`)) as { files: { path: string; sha256: string; source: string }[] };
    expect(listed.files.find((f) => f.path === target.path)).toEqual({ path: target.path, sha256: target.sha256, source: target.source });

    // Changed after git answered: kept all the same, so its bytes were never read.
    writeFileSync(join(root, target.path), 'changed after git answered\n');
    const kept = compile({ root, emitters, build: BUILD, inMemory: true, anchor: anchored.anchor, keepValues: true });
    expect(keptServices(kept)).toContain('services/notifier/service.yaml');
    expect(kept.kept.find((k) => k.path === target.path)).toEqual({ path: target.path, sha256: target.sha256, source: target.source });
    // Without git's word the bytes are read, and the change found.
    const { clean: _git, ...bytesOnly } = anchored.anchor;
    const reread = compile({ root, emitters, build: BUILD, inMemory: true, anchor: bytesOnly, keepValues: true });
    expect(emittedServices(reread)).toContain('services/notifier/service.yaml');
    expect(reread.kept.some((k) => k.path === target.path)).toBe(false);
  });

  it('catches a file deleted with its manifest entry, with the record forged to leave it out or to give it to no kept service', () => {
    for (const forgery of ['left out', 'moved to the others', 'moved to a service the change emits again'] as const) {
      const { root, base } = recordedShop();
      const [target] = catalogFiles(root, base);
      const location = checkRecordLocation(root, base);
      const record = JSON.parse(readFileSync(location, 'utf8')) as CheckRecord;
      const catalog = record.units['services/catalog/service.yaml']!;
      const entry = catalog.files.find((f) => f.path === target)!;
      const forged: CheckRecord = {
        ...record,
        units: {
          ...record.units,
          'services/catalog/service.yaml': { ...catalog, files: catalog.files.filter((f) => f !== entry) },
          ...(forgery === 'moved to a service the change emits again'
            ? {
                'services/storefront-api/service.yaml': {
                  ...record.units['services/storefront-api/service.yaml']!,
                  files: [...record.units['services/storefront-api/service.yaml']!.files, entry],
                },
              }
            : {}),
        },
        others: forgery === 'moved to the others' ? [...record.others, { path: entry.path, sha256: entry.sha256, source: entry.source }] : record.others,
      };
      writeFileSync(location, JSON.stringify(forged));
      if (forgery === 'moved to a service the change emits again') {
        // storefront-api lists catalog in dependsOn, so a catalog file may be in its scope; the change makes it emit again.
        edit(root, 'storefront-api', /^description: .*$/m, 'description: The storefront, described differently');
        expect(paved(root, 'compile').code).toBe(0);
      }
      rmSync(join(root, target!));
      const manifestPath = join(root, 'generated/.paved-manifest.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string }[] };
      writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, files: manifest.files.filter((f) => f.path !== target) }, null, 2)}\n`);
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', `${target} deleted`);
      const check = failsAsTheFullCheck(root, base);
      expect(check.stdout, forgery).toContain(`${target}: error CHECK.MISSING`);
      expect(check.stdout, forgery).not.toMatch(unchangedLine);
    }
  });

  it('catches a forged file committed with its manifest hash, with the record forged to vouch for it', () => {
    const { root, base } = recordedShop();
    const [target] = catalogFiles(root, base);
    forge(root, target!);
    git(root, 'commit', '-q', '-am', 'forged');
    expect(git(root, 'status', '--porcelain')).toBe('');
    // The record now names the forged bytes: their hash and their blob, which is what the index holds.
    const location = checkRecordLocation(root, base);
    const record = JSON.parse(readFileSync(location, 'utf8')) as CheckRecord;
    const bytes = readFileSync(join(root, target!));
    const unit = record.units['services/catalog/service.yaml']!;
    const files = unit.files.map((f) =>
      f.path === target ? { ...f, sha256: createHash('sha256').update(bytes).digest('hex'), blob: git(root, 'hash-object', target!) } : f,
    );
    writeFileSync(location, JSON.stringify({ ...record, units: { ...record.units, 'services/catalog/service.yaml': { ...unit, files } } }));
    const check = failsAsTheFullCheck(root, base);
    expect(check.stdout).toContain(`${target}: error CHECK.STALE its spec or platform changed since the last compile\n`);
  });

  it("catches a record whose hash for a clean file is not the base commit's, with the working manifest forged to match", () => {
    const { root, base } = recordedShop();
    const [target] = catalogFiles(root, base);
    const location = checkRecordLocation(root, base);
    const record = JSON.parse(readFileSync(location, 'utf8')) as CheckRecord;
    const unit = record.units['services/catalog/service.yaml']!;
    const poisoned = 'f'.repeat(64);
    const files = unit.files.map((f) => (f.path === target ? { ...f, sha256: poisoned } : f));
    writeFileSync(location, JSON.stringify({ ...record, units: { ...record.units, 'services/catalog/service.yaml': { ...unit, files } } }));
    const manifestPath = join(root, 'generated/.paved-manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: { path: string; sha256: string }[] };
    manifest.files.find((f) => f.path === target)!.sha256 = poisoned;
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    // The file itself is the base's, and git says so.
    expect(git(root, 'status', '--porcelain')).toBe('M generated/.paved-manifest.json');
    const check = failsAsTheFullCheck(root, base);
    expect(check.stdout).toContain('generated/.paved-manifest.json');
  });

  it('catches a kept file modified in the work tree but not staged', () => {
    const { root, base } = recordedShop();
    const [target] = catalogFiles(root, base);
    writeFileSync(join(root, target!), `${readFileSync(join(root, target!), 'utf8')}# edited\n`);
    expect(git(root, 'status', '--porcelain')).toBe(`M ${target}`);
    expect(failsAsTheFullCheck(root, base).stdout).toContain(edited(target!));
  });

  it('catches a kept file staged with other bytes', () => {
    const { root, base } = recordedShop();
    const [target] = catalogFiles(root, base);
    writeFileSync(join(root, target!), `${readFileSync(join(root, target!), 'utf8')}# staged\n`);
    git(root, 'add', target!);
    expect(git(root, 'status', '--porcelain')).toBe(`M  ${target}`);
    expect(failsAsTheFullCheck(root, base).stdout).toContain(edited(target!));
  });

  it('catches kept files marked assume-unchanged or skip-worktree whose bytes changed', () => {
    const { root, base } = recordedShop();
    const [first, second] = catalogFiles(root, base);
    git(root, 'update-index', '--assume-unchanged', first!);
    git(root, 'update-index', '--skip-worktree', second!);
    for (const path of [first!, second!]) writeFileSync(join(root, path), `${readFileSync(join(root, path), 'utf8')}# hidden from git\n`);
    // git no longer looks at either.
    expect(git(root, 'status', '--porcelain')).toBe('');
    const check = failsAsTheFullCheck(root, base);
    expect(check.stdout).toContain(edited(first!));
    expect(check.stdout).toContain(edited(second!));
  });

  it('reads no kept file through a linked folder, even one holding the recorded bytes, and fails as the full check does', () => {
    const { root, base } = recordedShop();
    // Moved out of the output folder, bytes untouched, and linked back in: git names every file under the link.
    execFileSync('mv', [join(root, 'generated/catalog'), join(root, 'elsewhere')]);
    symlinkSync('../elsewhere', join(root, 'generated/catalog'));
    expect(readFileSync(join(root, catalogFiles(root, base)[0]!), 'utf8')).not.toBe('');
    const kept = anchored(root, base).kept.map((k) => k.path);
    expect(kept.filter((path) => path.startsWith('generated/orders/')).length).toBeGreaterThan(0);
    expect(kept.filter((path) => path.startsWith('generated/catalog/'))).toEqual([]);
    expect(failsAsTheFullCheck(root, base).stderr).toContain('generated/catalog is a symbolic link');
  });

  it('refuses a link in place of a kept file, as the full check does', () => {
    const { root, base } = recordedShop();
    const [target, other] = catalogFiles(root, base);
    rmSync(join(root, target!));
    symlinkSync(relative(dirname(join(root, target!)), join(root, other!)), join(root, target!));
    const check = failsAsTheFullCheck(root, base);
    expect(check.stderr).toBe(
      `paved: refused: paved follows no symbolic link, and reads, replaces or deletes only regular files:\n  ${target} exists and is not a regular file (a symbolic link); paved will not replace it\nremove what stands in the way (or the entries from generated/.paved-manifest.json), then run paved again\n`,
    );
  });
});

describe('check --base --record', () => {
  it('records the head with the blob and hash of every file, kept ones included, and a check of the next change anchors on it', () => {
    const { root, base } = recordedShop();
    edit(root, 'payments', /^description: .*$/m, 'description: Payments, now described differently');
    expect(paved(root, 'compile').code).toBe(0);
    git(root, 'commit', '-q', '-am', 'payments');
    const head = git(root, 'rev-parse', 'HEAD');
    const recorded = paved(root, 'check', '--base', base, '--record');
    expect(recorded.code, recorded.stdout + recorded.stderr).toBe(0);
    expect(recorded.stdout).toMatch(unchangedLine);
    const record = JSON.parse(readFileSync(checkRecordLocation(root, head), 'utf8')) as CheckRecord;
    const files = Object.values(record.units).flatMap((u) => u.files);
    expect(files.length).toBeGreaterThan(300);
    for (const file of files) {
      expect(file.blob, file.path).toBe(git(root, 'rev-parse', `${head}:${file.path}`));
      expect(file.sha256, file.path).toBe(
        createHash('sha256')
          .update(readFileSync(join(root, file.path)))
          .digest('hex'),
      );
    }
    edit(root, 'notifier', /^description: .*$/m, 'description: Notifier, now described differently');
    expect(paved(root, 'compile').code).toBe(0);
    const next = paved(root, 'check', '--base', head);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toContain(`paved: 4 of 5 services unchanged since the check of ${head}`);
  });

  it('takes the hashes of the base manifest from the record only when its entries render that manifest, blob for blob', () => {
    const { root, base } = recordedShop();
    const record = readCheckRecord(root, base, BUILD)!;
    const manifest = 'generated/.paved-manifest.json';
    const blob = git(root, 'rev-parse', `${base}:${manifest}`);
    const listed = (entries: Iterable<ManifestEntry>): string[] => [...entries].map((e) => `${e.path} ${e.sha256} ${e.source}`).sort();
    const committed = parseManifest(git(root, 'show', `${base}:${manifest}`), { dir: 'generated', workflowsDir: '.github/workflows' }).entries;
    expect(listed(recordedManifest(record, blob)!.values())).toEqual(listed(committed.values()));
    expect(record.others.map((e) => e.path)).toContain('generated/dev/compose.yaml');

    const [first, ...rest] = record.others;
    const forgedHash = { ...record, others: [{ ...first!, sha256: '0'.repeat(64) }, ...rest] };
    const twice = { ...record, others: [first!, ...record.others] };
    const missing = { ...record, others: rest };
    const outside = { ...record, others: [...record.others, { path: 'README.md', sha256: first!.sha256, source: first!.source }] };
    for (const forged of [forgedHash, twice, missing, outside]) expect(recordedManifest(forged, blob)).toBeUndefined();
    expect(recordedManifest(record, undefined)).toBeUndefined();
  });
});

describe('check --base finds the repository from the root, never from committed files or the environment', () => {
  /** examples/shop compiled in `infra/` of a git repository, committed, its check recorded: the scratch top, the root and the base. */
  function shopInSubfolder(): { top: string; root: string; base: string } {
    const scratch = scratchCopy();
    cleanups.push(scratch.cleanup);
    const top = scratch.dir;
    const root = join(top, 'infra');
    cpSync(join(REPO, 'examples/shop'), root, { recursive: true });
    git(top, 'init', '-q', '-b', 'main');
    expect(paved(root, 'compile').code).toBe(0);
    git(top, 'add', '-A');
    git(top, 'commit', '-q', '-m', 'base');
    const base = git(top, 'rev-parse', 'HEAD');
    expect(paved(root, 'check', '--record').code).toBe(0);
    return { top, root, base };
  }

  it('refuses a bare repository committed in the root, which git would otherwise read before the real one', () => {
    const { top, root, base } = shopInSubfolder();
    // A repository of the committer's making: its HEAD, objects and refs, committed as files of infra/.
    const fake = join(top, 'fake');
    git(top, 'init', '-q', '--bare', fake);
    for (const part of ['HEAD', 'objects', 'refs']) cpSync(join(fake, part), join(root, part), { recursive: true });
    rmSync(fake, { recursive: true });
    writeFileSync(join(root, 'refs', 'heads', 'keep'), '');
    git(top, 'add', '-A');
    git(top, 'commit', '-q', '-m', 'a bare repository in infra/');
    expect(execFileSync('git', ['-C', root, 'rev-parse', '--is-bare-repository'], { encoding: 'utf8' }).trim()).toBe('true');
    const check = paved(root, 'check', '--base', base);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(
      /^paved: cannot read "[0-9a-f]{40}" from git: fatal: cannot use bare repository '.*infra' \(safe\.bareRepository is 'explicit'\)\n$/,
    );
    expect(check.stdout).not.toMatch(unchangedLine);
  });

  it('reads the repository from the root in a linked worktree hook, where git sets GIT_DIR', () => {
    const { top, base } = shopInSubfolder();
    const worktree = `${top}-worktree`;
    git(top, 'worktree', 'add', '-q', worktree, 'HEAD');
    cleanups.push(() => rmSync(worktree, { recursive: true, force: true }));
    const root = join(worktree, 'infra');
    cpSync(join(top, 'infra', CACHE_FOLDER), join(root, CACHE_FOLDER), { recursive: true });
    const gitDir = execFileSync('git', ['-C', root, 'rev-parse', '--absolute-git-dir'], { encoding: 'utf8' }).trim();
    const hook = { ...process.env, GIT_DIR: gitDir, GIT_INDEX_FILE: join(gitDir, 'index') };
    const run = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/paved.js'), ...args], { cwd: root, encoding: 'utf8', env: hook });
    const check = run('check', '--base', base);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(unchangedLine);
    expect(run('diff', '--base', base).status).toBe(0);
  });
});
