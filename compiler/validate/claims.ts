import type { Diagnostic } from '../../spec/diagnostic.js';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import { defaultPlatform } from '../../spec/index.js';
import { serviceDefaults } from '../../spec/service-schema.js';
import { deployedName } from '../../spec/naming.js';
import type { PlatformSpec } from '../../spec/types.js';
import { locate, positioned } from '../positions.js';
import type { ServiceInput } from './rules.js';
import { showString } from './text.js';

/**
 * Cross-service claims on ingress traffic (production hosts; staging and preview
 * hosts derive from the unique service name).
 *
 * - A host sits under the platform's `domain` or one of `ingress.domains`
 *   (a strict subdomain, label by label: `evilexample.com` and
 *   `example.com.evil.io` are not under `example.com`), or is listed exactly in
 *   `ingress.hosts`. The schema already admits only lower-case ASCII hosts without
 *   a trailing dot, so look-alikes differ in their bytes (punycode included).
 * - Hosts paved generates stay theirs: `<name>.<domain>` belongs to the service
 *   called `<name>`, `<anything>-pr-<n>.<domain>` to preview environments and
 *   anything under `staging.<domain>` to staging.
 * - Host plus path is unique across the repository. Paths are ingress-nginx
 *   `Prefix` paths (emitters/kubernetes/networking.ts), which match element by
 *   element: `/` overlaps every path of its host, `/api` overlaps `/api/v2` but
 *   not `/apiv2`. Of two services whose paths overlap, the later in path order
 *   is reported, naming the earlier and its position.
 */
export function checkClaims(services: readonly ServiceInput[], platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (service: ServiceInput, pointer: string, code: DiagnosticCode, message: string, hint: string): void => {
    diagnostics.push(positioned(service.file, pointer, code, message, { hint }));
  };
  // The platform is merged over the default, which sets a domain.
  const domain = platform.domain ?? defaultPlatform.domain;
  const domains = [domain, ...(platform.ingress?.domains ?? [])];
  const listed = new Set(platform.ingress?.hosts ?? []);
  // Default hosts are derived from the name a service is deployed under (docs/day-2.md, Renaming).
  const byName = new Map(services.map((s) => [deployedName(s.spec), s]));

  const claims: Claim[] = [];
  for (const service of services) {
    const { spec } = service;
    if (!spec.ingress || spec.runtime.port === undefined) continue;
    const explicit = spec.ingress.host;
    const host = explicit ?? `${deployedName(spec)}.${domain}`;
    const hostPointer = explicit === undefined ? '/name' : '/ingress/host';

    if (explicit !== undefined && !listed.has(host) && !domains.some((d) => isSubdomain(host, d))) {
      const under =
        domains.length === 1 ? `the platform's domain ${showString(domain)}` : `any of the platform's domains (${domains.map(showString).join(', ')})`;
      report(
        service,
        hostPointer,
        'CLAIM.HOST_OUTSIDE_DOMAIN',
        `host ${showString(host)} is not under ${under}`,
        `use a host ending in ".${domain}", or ask the platform team to list it under ingress.hosts or ingress.domains in platform.yaml`,
      );
      continue;
    }
    const reserved = reservedFor(host, domain, deployedName(spec), byName);
    if (reserved) {
      report(
        service,
        hostPointer,
        'CLAIM.RESERVED_HOST',
        `host ${showString(host)} ${reserved}`,
        explicit === undefined ? 'rename the service, or set ingress.host to a host of its own' : `choose another host, e.g. "${deployedName(spec)}.${domain}"`,
      );
      continue;
    }
    const paths = spec.ingress.paths ?? serviceDefaults.ingressPaths;
    claims.push({
      service,
      host,
      paths: paths.map((path, index) => ({ path, index, elements: pathElements(path) })),
      explicitPaths: spec.ingress.paths !== undefined,
    });
  }

  const byHost = new Map<string, Claim[]>();
  for (const claim of claims) byHost.set(claim.host, [...(byHost.get(claim.host) ?? []), claim]);
  for (const sharing of byHost.values()) {
    for (let later = 1; later < sharing.length; later++) {
      const claim = sharing[later]!;
      for (const path of claim.paths) {
        const taken = sharing
          .slice(0, later)
          .flatMap((earlier) => earlier.paths.filter((p) => overlaps(p.elements, path.elements)).map((p) => ({ earlier, p })))[0];
        if (!taken) continue;
        const { earlier, p } = taken;
        const earlierPointer = earlier.explicitPaths ? `/ingress/paths/${p.index}` : '/ingress';
        const where = locate(earlier.service.file, earlierPointer);
        const at = `${earlier.service.file.path}${where ? `:${where.line}:${where.col}` : ''}`;
        const pointer = claim.explicitPaths ? `/ingress/paths/${path.index}` : '/ingress';
        const same = p.path === path.path ? `the same path` : `path ${showString(p.path)}, which overlaps it`;
        report(
          claim.service,
          pointer,
          'CLAIM.DUPLICATE_ROUTE',
          `${claim.explicitPaths ? `path ${showString(path.path)}` : `the default path "/"`} on host ${showString(claim.host)} is already routed to service ${showString(earlier.service.spec.name)}, which declares ${same} (${at})`,
          'two services may share a host only with paths that do not overlap (a Prefix path covers every path below it, "/" the whole host); choose another path or host',
        );
      }
    }
  }
  return diagnostics;
}

interface Claim {
  readonly service: ServiceInput;
  readonly host: string;
  readonly paths: ReadonlyArray<{ readonly path: string; readonly index: number; readonly elements: readonly string[] }>;
  readonly explicitPaths: boolean;
}

/** Whether `host` is a strict subdomain of `domain`, compared on label boundaries. */
export function isSubdomain(host: string, domain: string): boolean {
  return host.length > domain.length + 1 && host.endsWith(`.${domain}`);
}

/** Why a host belongs to something paved generates, or undefined. */
function reservedFor(host: string, domain: string, self: string, byName: ReadonlyMap<string, ServiceInput>): string | undefined {
  if (isSubdomain(host, `staging.${domain}`))
    return `is under staging.${domain}, which paved reserves for the staging hosts of services (<service>.staging.${domain})`;
  if (!isSubdomain(host, domain)) return undefined;
  const label = host.slice(0, host.length - domain.length - 1);
  if (label.includes('.')) return undefined;
  if (/-pr-[0-9]+$/.test(label)) return `has the form <service>-pr-<number>.${domain}, which paved reserves for the preview environments of pull requests`;
  const owner = byName.get(label);
  if (owner && label !== self) return `is the default host of service ${showString(label)} (${owner.file.path})`;
  return undefined;
}

/**
 * A Prefix path's elements as ingress-nginx and the Kubernetes API compare them:
 * split on "/", empty elements (a trailing or doubled slash) dropped; "." and
 * ".." resolved as the proxy normalizes the request path.
 */
export function pathElements(path: string): string[] {
  const elements: string[] = [];
  for (const element of path.split('/')) {
    if (element === '' || element === '.') continue;
    if (element === '..') elements.pop();
    else elements.push(element);
  }
  return elements;
}

/** Prefix paths overlap when one's elements begin the other's. */
export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
