import type { Diagnostic } from '../../spec/diagnostic.js';
import { contains, formatCidr, hostAllowed, hostProblem, network, parseCidr, reservedOverlap, type Cidr } from '../../spec/egress.js';
import type { PlatformSpec, ServiceSpec } from '../../spec/types.js';
import type { SourceFile } from '../source.js';
import { reporter, type Report } from './rules.js';
import { showString } from './text.js';

/**
 * A service's `egress:` (issue 19): each entry names exactly one destination,
 * a host (a DNS name or a `*.` pattern) or a canonical CIDR block that reaches
 * nothing on the node, names it once per port, and stays inside what the
 * platform allows (kubernetes.egress.allow). The platform's own allow-list is
 * checked with the same rules.
 */

type Allow = NonNullable<NonNullable<NonNullable<PlatformSpec['kubernetes']>['egress']>['allow']>;

/** Every service's egress entries. */
export function checkEgress(services: ReadonlyArray<{ readonly file: SourceFile; readonly spec: ServiceSpec }>, platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics);
  for (const { file, spec } of services) checkServiceEgress(file, spec, platform, report);
  return diagnostics;
}

function checkServiceEgress(file: SourceFile, spec: ServiceSpec, platform: PlatformSpec, report: Report): void {
  const allow = platform.kubernetes?.egress?.allow;
  const allowedCidrs = (allow?.cidrs ?? []).map(parseCidr).filter((c): c is Cidr => !('problem' in c));
  const seen = new Map<string, number>();
  for (const [index, entry] of (spec.egress ?? []).entries()) {
    const at = `/egress/${index}`;
    if ((entry.host === undefined) === (entry.cidr === undefined)) {
      report(
        file,
        at,
        'EGRESS.DESTINATION',
        entry.host === undefined ? 'names no destination' : 'names both a host and a cidr',
        'give each entry exactly one of host (a DNS name) and cidr (an address block), and a port; two destinations are two entries',
      );
      continue;
    }
    let destination: string;
    if (entry.host !== undefined) {
      const problem = hostProblem(entry.host);
      if (problem) {
        report(file, `${at}/host`, 'EGRESS.HOST', `host ${showString(entry.host)} ${problem}`);
        continue;
      }
      destination = entry.host;
      if (allow !== undefined && !(allow.hosts ?? []).some((pattern) => hostAllowed(pattern, entry.host!)))
        report(
          file,
          `${at}/host`,
          'EGRESS.NOT_ALLOWED',
          `host ${showString(entry.host)} is not among the hosts the platform allows (${listed(allow.hosts)})`,
          'ask the platform team to add it to kubernetes.egress.allow.hosts in platform.yaml, or remove the entry',
        );
    } else {
      const parsed = checkCidr(file, `${at}/cidr`, entry.cidr!, report);
      if (parsed === undefined) continue;
      destination = entry.cidr!;
      if (allow !== undefined && !allowedCidrs.some((outer) => contains(outer, parsed)))
        report(
          file,
          `${at}/cidr`,
          'EGRESS.NOT_ALLOWED',
          `cidr ${showString(entry.cidr!)} is not within the blocks the platform allows (${listed(allow.cidrs)})`,
          'ask the platform team to add it to kubernetes.egress.allow.cidrs in platform.yaml, or remove the entry',
        );
    }
    const key = `${destination} ${entry.port}`;
    const first = seen.get(key);
    if (first !== undefined)
      report(
        file,
        at,
        'EGRESS.DUPLICATE',
        `${showString(destination)} port ${entry.port} is already opened by egress entry ${first + 1}`,
        'remove one of the two entries',
      );
    else seen.set(key, index);
  }
}

/** A CIDR block, reported unless it is exact, canonical and reaches nothing reserved. */
function checkCidr(file: SourceFile, pointer: string, text: string, report: Report): Cidr | undefined {
  const parsed = parseCidr(text);
  if ('problem' in parsed) {
    report(file, pointer, 'EGRESS.CIDR', `cidr ${showString(text)} ${parsed.problem}`);
    return undefined;
  }
  const canonical = formatCidr(network(parsed));
  if (canonical !== text) {
    const hostBits = network(parsed).address !== parsed.address;
    report(
      file,
      pointer,
      'EGRESS.CIDR_NOT_CANONICAL',
      hostBits ? `cidr ${showString(text)} has host bits set past its /${parsed.prefix} prefix` : `cidr ${showString(text)} is not written canonically`,
      `write ${canonical}${hostBits ? `, the block it lies in, or ${formatCidr({ ...parsed, prefix: parsed.family === 4 ? 32 : 128 })} for the one address` : ''}`,
    );
    return undefined;
  }
  const reserved = reservedOverlap(parsed);
  if (reserved) {
    report(
      file,
      pointer,
      'EGRESS.CIDR_RESERVED',
      `cidr ${showString(text)} reaches ${reserved.cidr} (${reserved.what}), which is the node or the pod itself, never a destination outside the cluster`,
      parsed.prefix === 0
        ? 'name the blocks you need, or a host entry, which opens its port to public addresses only'
        : 'name a block outside the reserved ranges',
    );
    return undefined;
  }
  return parsed;
}

const listed = (values: readonly string[] | undefined): string => ((values ?? []).length === 0 ? 'none' : (values ?? []).join(', '));

/** The platform's kubernetes.egress.allow, checked like service entries. */
export function checkPlatformEgress(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = reporter(diagnostics);
  const allow: Allow | undefined = platform.kubernetes?.egress?.allow;
  for (const [index, host] of (allow?.hosts ?? []).entries()) {
    const problem = hostProblem(host);
    if (problem) report(file, `/kubernetes/egress/allow/hosts/${index}`, 'EGRESS.HOST', `host ${showString(host)} ${problem}`);
  }
  for (const [index, cidr] of (allow?.cidrs ?? []).entries()) checkCidr(file, `/kubernetes/egress/allow/cidrs/${index}`, cidr, report);
  return diagnostics;
}
