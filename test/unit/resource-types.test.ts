import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileProject } from '../../compiler/compile.js';
import { explainService } from '../../compiler/explain.js';
import { projectReport } from '../../compiler/report.js';
import { connectionEnvNames } from '../../spec/runtime-env.js';
import { caseRoot, compileDir, REPO, scratchCopy, serviceYaml, validateTexts } from '../support/helpers.js';

/** Platform resource types (issue 20, docs/resource-types.md): validation, resolution and what each target makes of an entry. */

const DOCDB_TYPE = `  documentdb:
    description: MongoDB-compatible document database
    module: platform/modules/documentdb
    inputs:
      type: object
      properties:
        size: { enum: [small, medium], default: small }
        instances: { type: integer, minimum: 1, maximum: 3, default: 1 }
      additionalProperties: false
    connection: [host, port, username]
    egressPorts: [27017]
    stateful: true
`;
const platformWith = (types: string): string => `apiVersion: paved/v1\nkind: Platform\nresourceTypes:\n${types}`;
const carts = (entries: string): string => serviceYaml('carts', `resources:\n${entries}`);
const brief = (d: { code: string; message: string; range?: { line: number; col: number } }): string =>
  `${d.range?.line ?? 0}:${d.range?.col ?? 0} ${d.code} ${d.message}`;

const scratches: Array<() => void> = [];
afterEach(() => scratches.splice(0).forEach((cleanup) => cleanup()));

/** A repository holding the example DocumentDB module, a platform.yaml and one service. */
function repo(platform: string, service: string): string {
  const scratch = scratchCopy();
  scratches.push(scratch.cleanup);
  cpSync(join(REPO, 'examples/resource-types/platform'), join(scratch.dir, 'platform'), { recursive: true });
  writeFileSync(join(scratch.dir, 'platform.yaml'), platform);
  mkdirSync(join(scratch.dir, 'services/carts'), { recursive: true });
  writeFileSync(join(scratch.dir, 'services/carts/service.yaml'), service);
  return scratch.dir;
}

describe('validation of service entries', () => {
  it('reports a misspelled input with its position and a suggestion, in the same pass as the built-in keys', () => {
    const result = validateTexts(
      { 'services/carts/service.yaml': carts('  documentdb:\n    - name: carts\n      sise: medium\n  databses: []\n') },
      platformWith(DOCDB_TYPE),
    );
    expect(result.diagnostics.map(brief)).toEqual([
      '12:3 SPEC.UNKNOWN_RESOURCE_TYPE resources: "databses" is neither a built-in resource kind nor one of the platform\'s resource types (did you mean "databases"?)',
      '11:7 SPEC.UNKNOWN_KEY resources.documentdb[0]: unknown key "sise" (did you mean "size"?)',
    ]);
  });

  it('reports a connection variable another resource or paved already sets, at the entry that repeats it', () => {
    const cacheType = DOCDB_TYPE.replace('  documentdb:', '  cache-eu:');
    const result = validateTexts(
      { 'services/carts/service.yaml': carts('  caches:\n    - name: eu-x\n  cache-eu:\n    - name: x\n') },
      platformWith(cacheType),
    );
    expect(result.diagnostics.map(brief)).toEqual([
      '12:7 NAME.COLLISION resources.cache-eu[0]: the connection variables CACHE_EU_X_HOST, CACHE_EU_X_PORT, CACHE_EU_X_USERNAME of cache-eu "x" are variables paved already sets: it carries the connection details of cache "eu-x"',
    ]);
    const otel = validateTexts(
      { 'services/carts/service.yaml': carts('  otel:\n    - name: service\n') },
      platformWith(DOCDB_TYPE.replace('  documentdb:', '  otel:').replace('connection: [host, port, username]', 'connection: [name]')),
    );
    expect(otel.diagnostics.map(brief)).toEqual([
      '10:7 NAME.COLLISION resources.otel[0]: the connection variable OTEL_SERVICE_NAME of otel "service" is a variable paved already sets: paved sets it in every container',
    ]);
  });

  it("lists the platform's types for an unknown one, and says when it declares none", () => {
    const withTypes = validateTexts({ 'services/carts/service.yaml': carts('  mongo:\n    - name: carts\n') }, platformWith(DOCDB_TYPE));
    expect(withTypes.diagnostics.map((d) => d.hint)).toEqual([
      "built in: databases, caches, topics, subscriptions, buckets, cron; the platform's types: documentdb",
    ]);
    const without = validateTexts({ 'services/carts/service.yaml': carts('  documentdb:\n    - name: carts\n') });
    expect(without.diagnostics.map((d) => `${d.code} ${d.hint}`)).toEqual([
      "SPEC.UNKNOWN_RESOURCE_TYPE built in: databases, caches, topics, subscriptions, buckets, cron; the platform's types: none (platform.yaml resourceTypes declares them)",
    ]);
  });

  it('requires a name on every entry, rejects a duplicate one and a value outside the schema', () => {
    const result = validateTexts(
      { 'services/carts/service.yaml': carts('  documentdb:\n    - size: small\n    - name: a\n      instances: 0\n    - name: b\n    - name: b\n') },
      platformWith(DOCDB_TYPE),
    );
    expect(result.diagnostics.map(brief)).toEqual([
      '10:7 SPEC.REQUIRED resources.documentdb[0]: missing required key "name"',
      '12:18 SPEC.RANGE resources.documentdb[1].instances: must be >= 1, not 0 (a number)',
    ]);
    const duplicate = validateTexts({ 'services/carts/service.yaml': carts('  documentdb:\n    - name: b\n    - name: b\n') }, platformWith(DOCDB_TYPE));
    expect(duplicate.diagnostics.map(brief)).toEqual(['11:13 REF.DUPLICATE_NAME resources.documentdb[1].name: documentdb "b" is declared twice']);
  });

  it("reserves the entries' connection variables: a service's own env of that name is an error", () => {
    const result = validateTexts(
      { 'services/carts/service.yaml': carts('  documentdb:\n    - name: carts\nenv:\n  DOCUMENTDB_CARTS_HOST: localhost\n') },
      platformWith(DOCDB_TYPE),
    );
    expect(result.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('DOCUMENTDB_CARTS_HOST')]);
  });
});

describe('validation of type definitions', () => {
  it('names a missing module folder, a module lacking a variable paved passes, and an iamPolicy the module does not back', () => {
    const missing = compileDir(
      repo(platformWith(DOCDB_TYPE.replace('platform/modules/documentdb', 'platform/modules/docdb')), carts('  documentdb:\n    - name: carts\n')),
    );
    expect(missing.diagnostics.map(brief)).toEqual([
      '6:13 SPEC.RESOURCE_TYPE_MODULE resourceTypes.documentdb.module: the module folder "platform/modules/docdb" does not exist',
    ]);
    const extraInput = DOCDB_TYPE.replace(
      '      additionalProperties: false',
      '        engine: { type: string, default: "5.0" }\n      additionalProperties: false',
    );
    const undeclared = compileDir(repo(platformWith(`${extraInput}    iamPolicy: true\n`), carts('  documentdb:\n    - name: carts\n')));
    expect(undeclared.diagnostics.map(brief)).toEqual([
      '4:3 SPEC.RESOURCE_TYPE_MODULE resourceTypes.documentdb.module: iamPolicy: true, but the module at "platform/modules/documentdb" exports no iam_policy_json',
      '6:13 SPEC.RESOURCE_TYPE_MODULE resourceTypes.documentdb.module: the module at "platform/modules/documentdb" declares no variable "engine", which paved passes',
    ]);
  });

  it('accepts a registry source only with a version, and rejects defaults the schema itself refuses', () => {
    const registry = DOCDB_TYPE.replace('module: platform/modules/documentdb', 'module: not a source\n    version: "~> 1.0"');
    expect(validateTexts({ 'services/carts/service.yaml': serviceYaml('carts') }, platformWith(registry)).diagnostics.map((d) => d.code)).toEqual([
      'SPEC.PATTERN',
    ]);
    const badSource = DOCDB_TYPE.replace('module: platform/modules/documentdb', 'module: modules/documentdb\n    version: "~> 1.0"');
    expect(validateTexts({ 'services/carts/service.yaml': serviceYaml('carts') }, platformWith(badSource)).diagnostics.map((d) => d.message)).toEqual([
      'resourceTypes.documentdb.module: "modules/documentdb" is not a registry source (namespace/name/provider, optionally after a host), though version is set',
    ]);
    const badDefault = DOCDB_TYPE.replace('default: small', 'default: large');
    expect(validateTexts({ 'services/carts/service.yaml': serviceYaml('carts') }, platformWith(badDefault)).diagnostics.map((d) => d.message)).toEqual([
      'resourceTypes.documentdb.inputs: the defaults are not valid against the schema: /size must be equal to one of the allowed values',
    ]);
  });

  it('requires a stand-in image pinned by digest', () => {
    const standIn = `${DOCDB_TYPE}    standIn: { image: "docker.io/library/mongo:7.0.14", port: 27017 }\n`;
    const result = validateTexts({ 'services/carts/service.yaml': serviceYaml('carts') }, platformWith(standIn));
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'SPEC.PATTERN resourceTypes.documentdb.standIn.image: "docker.io/library/mongo:7.0.14" is invalid: it must be an image pinned by digest: registry/repository:tag@sha256: and 64 lowercase hex digits',
    ]);
  });
});

describe('resolution and emission', () => {
  it("applies the type's defaults and records where each input came from for paved explain", () => {
    const result = compileProject(caseRoot('resource-types'));
    const cartsService = result.project!.services.find((s) => s.name === 'carts')!;
    expect(cartsService.resources.typed).toEqual([
      { type: 'documentdb', name: 'carts', inputs: { instances: 2, size: 'medium' }, connection: ['host', 'port', 'username'] },
      { type: 'dynamodb-table', name: 'events', inputs: { hash_key: 'id' }, connection: ['table'] },
    ]);
    const rows = explainService(cartsService, {}, 'staging').filter((r) => r.path.startsWith('resources.typed'));
    expect(rows.map((r) => `${r.path} ${r.origin.kind} ${r.origin.file ?? ''} ${r.origin.pointer ?? ''}`)).toEqual(
      expect.arrayContaining([
        'resources.typed[0].inputs.size spec services/carts/service.yaml /resources/documentdb/0/size',
        'resources.typed[1].inputs.hash_key platform platform.yaml /resourceTypes/dynamodb-table/inputs/properties/hash_key/default',
      ]),
    );
  });

  it('reports each entry under its type with its inputs, and says when previews run without it', () => {
    const reports = projectReport(compileProject(caseRoot('resource-types')).project!);
    expect(reports.map((r) => [r.name, r.resources.documentdb, r.resources['dynamodb-table']])).toEqual([
      ['carts', ['carts (instances 2, size "medium")'], ['events (hash_key "id", no preview stand-in)']],
      ['orders', ['history (instances 1, size "small")'], undefined],
    ]);
  });

  it('names connection variables <TYPE>_<NAME>_<OUTPUT>, upper-cased with - as _', () => {
    expect(connectionEnvNames({ typed: [{ type: 'dynamodb-table', name: 'order-events', connection: ['table', 'stream_arn'] }] })).toEqual([
      'DYNAMODB_TABLE_ORDER_EVENTS_TABLE',
      'DYNAMODB_TABLE_ORDER_EVENTS_STREAM_ARN',
    ]);
  });

  it('calls a registry module by source and version, and a local one by its path from the stack folder', () => {
    const registry = DOCDB_TYPE.replace('module: platform/modules/documentdb', 'module: example-org/documentdb/aws\n    version: "~> 1.4"');
    const dir = repo(platformWith(registry), carts('  documentdb:\n    - name: carts\n'));
    const result = compileDir(dir);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const tf = result.files.find((f) => f.path === 'generated/carts/terraform/resource-types.tf')!.contents;
    expect(tf).toContain('  source             = "example-org/documentdb/aws"\n  version            = "~> 1.4"\n');
    const local = compileDir(caseRoot('resource-types'), 'out/deeper');
    expect(local.files.find((f) => f.path === 'out/deeper/carts/terraform/resource-types.tf')!.contents).toContain(
      'source             = "../../../../platform/modules/documentdb"',
    );
  });
});
