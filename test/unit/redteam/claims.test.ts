import { describe, expect, it } from 'vitest';
import { parseSource } from '../../../compiler/parse.js';
import { validateProject } from '../../../compiler/validate/index.js';
import { overlaps, pathElements } from '../../../compiler/validate/claims.js';
import type { SourceFile } from '../../../compiler/source.js';

/** A service with an ingress: host on line 9 (value at col 9), paths from line 11 (values at col 7). */
function service(name: string, host: string | undefined, paths?: readonly string[]): string {
  return [
    'apiVersion: paved/v1',
    'kind: Service',
    `name: ${name}`,
    'owner: team-a',
    'runtime:',
    '  language: node',
    '  port: 8080',
    'ingress:',
    host === undefined ? '  public: true' : `  host: ${host}`,
    ...(paths ? ['  paths:', ...paths.map((p) => `    - ${p}`)] : []),
    '',
  ].join('\n');
}

const PLATFORM = 'apiVersion: paved/v1\nkind: Platform\ndomain: example.com\n';

function parse(path: string, text: string, kind: SourceFile['kind']): SourceFile {
  const parsed = parseSource(path, new TextEncoder().encode(text), kind);
  if (!parsed.file) throw new Error(`${path} does not parse: ${JSON.stringify(parsed.diagnostics)}`);
  return parsed.file;
}

/** Every error as `file:line:col CODE message`, in the order validation sorts them. */
function errors(services: Record<string, string>, platform = PLATFORM): string[] {
  const files = Object.entries(services).map(([path, text]) => parse(path, text, 'service'));
  const result = validateProject(parse('platform.yaml', platform, 'platform'), files, { loadFailed: false });
  return result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.range?.line}:${d.range?.col} ${d.code} ${d.message}`);
}

describe('ingress host and path are unique across the repository', () => {
  it('reports the later service (by path) that routes the same host and path, naming the earlier one and its position', () => {
    expect(
      errors({ 'a/service.yaml': service('orders', 'shop.example.com', ['/api']), 'b/service.yaml': service('thief', 'shop.example.com', ['/api']) }),
    ).toEqual([
      'b/service.yaml:11:7 CLAIM.DUPLICATE_ROUTE ingress.paths[0]: path "/api" on host "shop.example.com" is already routed to service "orders", which declares the same path (a/service.yaml:11:7)',
    ]);
  });

  it('is decided by file path, not by declaration or name order', () => {
    expect(errors({ 'a/service.yaml': service('zeta', 'shop.example.com', ['/x']), 'z/service.yaml': service('alpha', 'shop.example.com', ['/x']) })).toEqual([
      'z/service.yaml:11:7 CLAIM.DUPLICATE_ROUTE ingress.paths[0]: path "/x" on host "shop.example.com" is already routed to service "zeta", which declares the same path (a/service.yaml:11:7)',
    ]);
  });

  it('treats "/" as overlapping every path of its host, including the default path', () => {
    expect(errors({ 'a/service.yaml': service('orders', 'shop.example.com'), 'b/service.yaml': service('thief', 'shop.example.com', ['/admin']) })).toEqual([
      'b/service.yaml:11:7 CLAIM.DUPLICATE_ROUTE ingress.paths[0]: path "/admin" on host "shop.example.com" is already routed to service "orders", which declares path "/", which overlaps it (a/service.yaml:8:1)',
    ]);
    expect(errors({ 'a/service.yaml': service('orders', 'shop.example.com', ['/api']), 'b/service.yaml': service('thief', 'shop.example.com') })).toEqual([
      'b/service.yaml:8:1 CLAIM.DUPLICATE_ROUTE ingress: the default path "/" on host "shop.example.com" is already routed to service "orders", which declares path "/api", which overlaps it (a/service.yaml:11:7)',
    ]);
  });

  it('treats a prefix as overlapping the paths below it, and a deeper path as overlapping its prefix', () => {
    expect(
      errors({
        'a/service.yaml': service('orders', 'shop.example.com', ['/api']),
        'b/service.yaml': service('thief', 'shop.example.com', ['/static', '/api/v2']),
      }),
    ).toEqual([
      'b/service.yaml:12:7 CLAIM.DUPLICATE_ROUTE ingress.paths[1]: path "/api/v2" on host "shop.example.com" is already routed to service "orders", which declares path "/api", which overlaps it (a/service.yaml:11:7)',
    ]);
    expect(
      errors({
        'a/service.yaml': service('orders', 'shop.example.com', ['/api/v2/orders']),
        'b/service.yaml': service('thief', 'shop.example.com', ['/api/']),
      }),
    ).toEqual([
      'b/service.yaml:11:7 CLAIM.DUPLICATE_ROUTE ingress.paths[0]: path "/api/" on host "shop.example.com" is already routed to service "orders", which declares path "/api/v2/orders", which overlaps it (a/service.yaml:11:7)',
    ]);
  });

  it('sees through doubled slashes and dot segments the proxy normalizes away', () => {
    expect(
      errors({
        'a/service.yaml': service('orders', 'shop.example.com', ['/admin']),
        'b/service.yaml': service('thief', 'shop.example.com', ['/static/../admin']),
      }),
    ).toEqual([
      'b/service.yaml:11:7 CLAIM.DUPLICATE_ROUTE ingress.paths[0]: path "/static/../admin" on host "shop.example.com" is already routed to service "orders", which declares path "/admin", which overlaps it (a/service.yaml:11:7)',
    ]);
    expect(
      errors({ 'a/service.yaml': service('orders', 'shop.example.com', ['/admin']), 'b/service.yaml': service('thief', 'shop.example.com', ['//./admin//x']) }),
    ).toHaveLength(1);
  });

  it('lets two services share a host with disjoint paths, element by element', () => {
    expect(
      errors({
        'a/service.yaml': service('orders', 'shop.example.com', ['/api']),
        'b/service.yaml': service('carts', 'shop.example.com', ['/apiv2', '/cart']),
      }),
    ).toEqual([]);
    expect(overlaps(pathElements('/api'), pathElements('/apiv2'))).toBe(false);
    expect(overlaps(pathElements('/'), pathElements('/anything/at/all'))).toBe(true);
    expect(overlaps(pathElements('/a/b'), pathElements('/a/b/'))).toBe(true);
  });

  it('compares paths case-sensitively, as Prefix paths match', () => {
    expect(
      errors({ 'a/service.yaml': service('orders', 'shop.example.com', ['/API']), 'b/service.yaml': service('carts', 'shop.example.com', ['/api']) }),
    ).toEqual([]);
  });

  it('reports each overlapping path of the later service', () => {
    expect(
      errors({
        'a/service.yaml': service('orders', 'shop.example.com', ['/a', '/b']),
        'b/service.yaml': service('thief', 'shop.example.com', ['/b/1', '/c', '/a']),
      }),
    ).toEqual([
      'b/service.yaml:11:7 CLAIM.DUPLICATE_ROUTE ingress.paths[0]: path "/b/1" on host "shop.example.com" is already routed to service "orders", which declares path "/b", which overlaps it (a/service.yaml:12:7)',
      'b/service.yaml:13:7 CLAIM.DUPLICATE_ROUTE ingress.paths[2]: path "/a" on host "shop.example.com" is already routed to service "orders", which declares the same path (a/service.yaml:11:7)',
    ]);
  });
});

describe('a host sits under the platform domain unless the platform lists it', () => {
  const outside = (host: string): string =>
    `svc/service.yaml:9:9 CLAIM.HOST_OUTSIDE_DOMAIN ingress.host: host "${host}" is not under the platform's domain "example.com"`;

  it.each(['example.com.evil.io', 'evilexample.com', 'example.co', 'xn--exmple-cua.com', 'shop.example.com.attacker.net', 'example.com-evil.io'])(
    'rejects the look-alike %s',
    (host) => {
      expect(errors({ 'svc/service.yaml': service('shop', host) })).toEqual([outside(host)]);
    },
  );

  it('rejects the bare domain itself: only subdomains are under it', () => {
    expect(errors({ 'svc/service.yaml': service('shop', 'example.com') })).toEqual([outside('example.com')]);
  });

  it('accepts subdomains of the domain, of an additional domain, and a listed exact host', () => {
    const platform = `${PLATFORM}ingress:\n  domains: [example.io]\n  hosts: [www.example.org]\n`;
    expect(
      errors(
        {
          'a/service.yaml': service('a', 'a.example.com'),
          'b/service.yaml': service('b', 'deep.b.example.io'),
          'c/service.yaml': service('c', 'www.example.org'),
        },
        platform,
      ),
    ).toEqual([]);
  });

  it('lists every allowed domain when the platform has several, and a listed host does not open its domain', () => {
    const platform = `${PLATFORM}ingress:\n  domains: [example.io]\n  hosts: [www.example.org]\n`;
    expect(errors({ 'svc/service.yaml': service('shop', 'api.example.org') }, platform)).toEqual([
      'svc/service.yaml:9:9 CLAIM.HOST_OUTSIDE_DOMAIN ingress.host: host "api.example.org" is not under any of the platform\'s domains ("example.com", "example.io")',
    ]);
  });

  it('rejects upper case, a trailing dot and non-ASCII (IDN) hosts at the schema, with a position', () => {
    expect(errors({ 'svc/service.yaml': service('shop', 'Shop.Example.com') })).toEqual([
      'svc/service.yaml:9:9 SPEC.PATTERN ingress.host: "Shop.Example.com" is invalid: it must match ^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]([-a-z0-9]*[a-z0-9])?$',
    ]);
    expect(errors({ 'svc/service.yaml': service('shop', 'shop.example.com.') })).toEqual([
      'svc/service.yaml:9:9 SPEC.PATTERN ingress.host: "shop.example.com." is invalid: it must match ^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]([-a-z0-9]*[a-z0-9])?$',
    ]);
    expect(errors({ 'svc/service.yaml': service('shop', 'shop.exämple.com') })).toEqual([
      'svc/service.yaml:9:9 SPEC.NON_ASCII ingress.host: contains the non-ASCII character U+00E4; names must be plain ASCII',
    ]);
  });

  it('validates the platform lists themselves', () => {
    const files = [parse('svc/service.yaml', service('shop', undefined), 'service')];
    const result = validateProject(
      parse('platform.yaml', `${PLATFORM}ingress:\n  domains: [Example.IO]\n  hosts: [ok.example.org, ok.example.org]\n`, 'platform'),
      files,
      { loadFailed: false },
    );
    expect(result.diagnostics.map((d) => `${d.file}:${d.range?.line}:${d.range?.col} ${d.code} ${d.message}`)).toEqual([
      'platform.yaml:5:13 SPEC.PATTERN ingress.domains[0]: "Example.IO" is invalid: it must match ^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]([-a-z0-9]*[a-z0-9])?$',
      'platform.yaml:6:11 SPEC.DUPLICATE ingress.hosts: items 1 and 0 are the same',
    ]);
  });
});

describe('hosts paved generates cannot be claimed', () => {
  it.each([
    ['orders-pr-42.example.com', 'has the form <service>-pr-<number>.example.com, which paved reserves for the preview environments of pull requests'],
    ['x-pr-1.example.com', 'has the form <service>-pr-<number>.example.com, which paved reserves for the preview environments of pull requests'],
    ['orders.staging.example.com', 'is under staging.example.com, which paved reserves for the staging hosts of services (<service>.staging.example.com)'],
    ['a.b.staging.example.com', 'is under staging.example.com, which paved reserves for the staging hosts of services (<service>.staging.example.com)'],
  ])('rejects %s', (host, why) => {
    expect(errors({ 'a/service.yaml': service('orders', undefined), 'b/service.yaml': service('thief', host) })).toEqual([
      `b/service.yaml:9:9 CLAIM.RESERVED_HOST ingress.host: host "${host}" ${why}`,
    ]);
  });

  it("rejects another service's default host, whatever the file order", () => {
    expect(errors({ 'a/service.yaml': service('thief', 'orders.example.com'), 'b/service.yaml': service('orders', undefined) })).toEqual([
      'a/service.yaml:9:9 CLAIM.RESERVED_HOST ingress.host: host "orders.example.com" is the default host of service "orders" (b/service.yaml)',
    ]);
  });

  it('rejects a service name whose default host takes the preview form, at the name', () => {
    expect(errors({ 'a/service.yaml': service('orders-pr-7', undefined) })).toEqual([
      'a/service.yaml:3:7 CLAIM.RESERVED_HOST name: host "orders-pr-7.example.com" has the form <service>-pr-<number>.example.com, which paved reserves for the preview environments of pull requests',
    ]);
  });

  it('lets a service set its own default host, and a preview-looking host under another domain', () => {
    const platform = `${PLATFORM}ingress:\n  domains: [example.io]\n`;
    expect(
      errors({ 'a/service.yaml': service('orders', 'orders.example.com'), 'b/service.yaml': service('carts', 'carts-pr-1.example.io') }, platform),
    ).toEqual([]);
  });
});
