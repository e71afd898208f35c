/**
 * Egress destinations (service.yaml `egress:`): CIDR blocks parsed exactly
 * (IPv4 and IPv6, canonical text), host names and `*.` patterns, and the
 * address ranges an egress rule must never reach or must leave out. The
 * compiler validates with it and the Kubernetes emitter builds rules from it,
 * so both read the same ranges.
 */

export interface Cidr {
  readonly family: 4 | 6;
  /** The address as an unsigned integer of 32 or 128 bits. */
  readonly address: bigint;
  readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: "010" reads as octal in some resolvers and as decimal in others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] | undefined => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const all = [...head, ...tail];
  // An embedded IPv4 address (::ffff:192.0.2.1) counts as two groups, and only at the end.
  const last = all[all.length - 1];
  let v4: bigint | undefined;
  if (last !== undefined && last.includes('.')) {
    v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    if (tail.length > 0) tail.pop();
    else head.pop();
  }
  const count = head.length + tail.length + (v4 === undefined ? 0 : 2);
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const fill = halves.length === 2 ? Array<string>(8 - count).fill('0') : [];
  let value = 0n;
  for (const group of [...head, ...fill, ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return v4 === undefined ? value : (value << 32n) | v4;
}

/** An IP address without a prefix, or undefined. */
export function parseAddress(text: string): { family: 4 | 6; address: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, address: v4 };
  const v6 = text.includes(':') ? parseIpv6(text) : undefined;
  return v6 === undefined ? undefined : { family: 6, address: v6 };
}

/** `address/prefix`, or what is wrong with it in words. */
export function parseCidr(text: string): Cidr | { readonly problem: string } {
  const slash = text.indexOf('/');
  if (slash < 0) return { problem: 'has no prefix length; write the block, e.g. 203.0.113.7/32 for one address' };
  const ip = parseAddress(text.slice(0, slash));
  if (ip === undefined) return { problem: 'is not an IPv4 or IPv6 address with a prefix length' };
  const prefixText = text.slice(slash + 1);
  const max = BITS[ip.family];
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max)
    return { problem: `has prefix length ${JSON.stringify(prefixText)}; IPv${ip.family} takes 0 to ${max}` };
  return { family: ip.family, address: ip.address, prefix: Number(prefixText) };
}

const mask = (family: 4 | 6, prefix: number): bigint => {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
};

/** The block with its host bits cleared. */
export function network(cidr: Cidr): Cidr {
  return { ...cidr, address: cidr.address & mask(cidr.family, cidr.prefix) };
}

function formatIpv6(address: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(16 * (7 - i))) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes "::".
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

export function formatCidr(cidr: Cidr): string {
  const text = cidr.family === 4 ? [24n, 16n, 8n, 0n].map((shift) => String((cidr.address >> shift) & 0xffn)).join('.') : formatIpv6(cidr.address);
  return `${text}/${cidr.prefix}`;
}

/** Whether two blocks of one family share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  return (a.address & mask(a.family, prefix)) === (b.address & mask(b.family, prefix));
}

/** Whether `inner` lies wholly within `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && (inner.address & mask(outer.family, outer.prefix)) === outer.address;
}

const cidr = (text: string): Cidr => parseCidr(text) as Cidr;

/**
 * Ranges no egress entry may reach: they are the node or the pod itself, never
 * a destination outside the cluster. Link-local holds the instance metadata
 * service and the EKS Pod Identity agent, whose credentials belong to the node
 * and to every pod; IPv4-mapped IPv6 would reach any of the IPv4 ones again.
 */
export const RESERVED_RANGES: ReadonlyArray<{ readonly cidr: string; readonly what: string }> = [
  { cidr: '0.0.0.0/8', what: 'this network, RFC 1122' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local: the instance metadata service and the EKS Pod Identity agent' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '240.0.0.0/4', what: 'reserved and broadcast' },
  { cidr: '::/128', what: 'the unspecified address' },
  { cidr: '::1/128', what: 'loopback' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped addresses' },
  { cidr: 'fe80::/10', what: 'link-local' },
  { cidr: 'fd00:ec2::/32', what: 'the instance metadata service and the EKS Pod Identity agent (IPv6)' },
  { cidr: 'ff00::/8', what: 'multicast' },
];

/** The first reserved range a block overlaps, if any. */
export function reservedOverlap(block: Cidr): { readonly cidr: string; readonly what: string } | undefined {
  return RESERVED_RANGES.find((range) => overlaps(block, cidr(range.cidr)));
}

/**
 * What a host entry opens when the platform cannot enforce host names: every
 * public address, that is the whole space less the private, shared and special
 * ranges (RFC 1918, RFC 6598, RFC 6890 and their IPv6 counterparts), so a host
 * entry never opens the VPC, the cluster or the node.
 */
export const PUBLIC_RANGES: ReadonlyArray<{ readonly cidr: string; readonly except: readonly string[] }> = [
  {
    cidr: '0.0.0.0/0',
    except: [
      '0.0.0.0/8',
      '10.0.0.0/8',
      '100.64.0.0/10',
      '127.0.0.0/8',
      '169.254.0.0/16',
      '172.16.0.0/12',
      '192.0.0.0/24',
      '192.0.2.0/24',
      '192.168.0.0/16',
      '198.18.0.0/15',
      '198.51.100.0/24',
      '203.0.113.0/24',
      '224.0.0.0/4',
      '240.0.0.0/4',
    ],
  },
  {
    cidr: '::/0',
    except: ['::/8', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8'],
  },
];

/** A DNS name in lower case: labels of letters, digits and hyphens, at least two, the last not all digits. */
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Names that never leave the cluster or the node. */
const LOCAL_SUFFIXES = ['localhost', 'local', 'svc', 'internal', 'cluster.local', 'home.arpa', 'in-addr.arpa', 'ip6.arpa'];

/** What is wrong with an egress host (or a platform's allowed host pattern), in words, or undefined. */
export function hostProblem(host: string): string | undefined {
  if (parseAddress(host) !== undefined || parseAddress(host.replace(/^\[|\]$/g, '')) !== undefined)
    return 'is an IP address; write it as a cidr entry (one address is /32, or /128 for IPv6)';
  if (host.endsWith('.')) return 'ends with a dot; write the name without it';
  if (host !== host.toLowerCase()) return 'has upper-case letters; write host names in lower case';
  if (host.length > 253) return 'is longer than 253 characters, the longest DNS name';
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (name.includes('*')) return 'has a "*" other than a leading "*."; a pattern is "*." and a domain, e.g. *.example.com';
  const labels = name.split('.');
  if (labels.some((label) => label === '')) return 'has an empty label (two dots in a row, or a leading dot)';
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined)
    return `has the label ${JSON.stringify(bad)}, which is not a DNS label (letters, digits and hyphens, at most 63, no hyphen at either end)`;
  if (labels.length < 2)
    return wildcard
      ? 'matches every name under a top-level domain; a pattern needs a domain of at least two labels, e.g. *.example.com'
      : 'is a single label, which names no host outside the cluster; write the full name, e.g. api.example.com';
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'ends with an all-digit label, which no top-level domain is';
  const local = LOCAL_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (local !== undefined)
    return `is a ${JSON.stringify(local)} name, which resolves inside the cluster or the network, not outside it; services of this repository go in dependsOn`;
  return undefined;
}

/**
 * Whether a platform's allowed host pattern admits a service's host: an exact
 * name admits itself; `*.d` admits every name under d, and every `*.` pattern
 * under d.
 */
export function hostAllowed(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const domain = pattern.slice(2);
  const name = host.startsWith('*.') ? host.slice(2) : host;
  return host.startsWith('*.') ? name === domain || name.endsWith(`.${domain}`) : name.endsWith(`.${domain}`);
}
