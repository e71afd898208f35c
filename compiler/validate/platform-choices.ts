import type { Diagnostic } from '../../spec/diagnostic.js';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import { hasPointer } from '../../spec/pointer.js';
import type { PlatformSpec } from '../../spec/types.js';
import { positioned } from '../positions.js';
import type { SourceFile } from '../source.js';
import type { ServiceInput } from './rules.js';
import { showString } from './text.js';

/**
 * Platform choices that must agree with each other, and with what the services
 * need, for the output to work in the cluster: Prometheus keeps the whole SLO
 * window, the S3 path the platform chose is open in the NetworkPolicies, and a
 * ClusterIssuer is not set where nothing would use it, and bucket names are
 * not left for anyone to take first.
 */
export function checkPlatformChoices(file: SourceFile, platform: PlatformSpec, services: readonly ServiceInput[] = []): Diagnostic[] {
  return [
    ...checkRetention(file, platform),
    ...checkTlsIssuer(file, platform),
    ...checkS3Egress(file, platform, services),
    ...checkBucketNameSuffix(file, services),
  ];
}

function report(file: SourceFile, pointer: string, code: DiagnosticCode, message: string, hint: string): Diagnostic {
  return positioned(file, pointer, code, message, { hint });
}

/** What these checks read of the merged platform, which is complete: every key is set. */
interface Choices {
  readonly observability: { readonly sloWindow: string; readonly prometheusRetention: string };
  readonly kubernetes: {
    readonly tlsCertificates: 'cert-manager' | 'controller-default';
    readonly egress: { readonly awsApiCidrs: readonly string[]; readonly privateSubnetCidrs: readonly string[]; readonly s3Endpoint: 'gateway' | 'interface' };
  };
}
const settings = (platform: PlatformSpec): Choices => platform as unknown as Choices;

const days = (duration: string): number => Number(duration.slice(0, -1));

/**
 * `slo:period_burn_rate:ratio` averages the 5-minute SLI over `[sloWindow]`
 * (emitters/observability/rules.ts): with less retention it silently averages
 * over what is left, and the remaining budget reads better than it is.
 */
function checkRetention(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const { sloWindow, prometheusRetention } = settings(platform).observability;
  if (days(prometheusRetention) >= days(sloWindow)) return [];
  // At the value the file wrote; a window raised above the default retention is reported at the window.
  const pointer =
    hasPointer(file.data, '/observability/prometheusRetention') || !hasPointer(file.data, '/observability/sloWindow')
      ? '/observability/prometheusRetention'
      : '/observability/sloWindow';
  return [
    report(
      file,
      pointer,
      'SPEC.PROMETHEUS_RETENTION',
      `Prometheus keeps ${prometheusRetention} of samples (observability.prometheusRetention) but the SLO window is ${sloWindow} (observability.sloWindow); the error budget rules average over the whole window`,
      `set observability.prometheusRetention to ${sloWindow} or more, and kube-prometheus-stack's prometheus.prometheusSpec.retention to match (its default is 10d)`,
    ),
  ];
}

function checkTlsIssuer(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const { tlsCertificates } = settings(platform).kubernetes;
  if (tlsCertificates !== 'controller-default' || !hasPointer(file.data, '/kubernetes/tlsClusterIssuer')) return [];
  return [
    report(
      file,
      '/kubernetes/tlsClusterIssuer',
      'SPEC.TLS_ISSUER_UNUSED',
      'names a ClusterIssuer, but kubernetes.tlsCertificates is controller-default, so no Ingress asks cert-manager for a certificate',
      "remove tlsClusterIssuer to serve the controller's default certificate, or set kubernetes.tlsCertificates: cert-manager to issue one per service",
    ),
  ];
}

const servicesWithBuckets = (services: readonly ServiceInput[]): string => {
  const named = services.filter((s) => (s.spec.resources?.buckets ?? []).length > 0).map((s) => s.spec.name);
  return named.length === 0 ? '' : `${named.slice(0, 3).map(showString).join(', ')}${named.length > 3 ? ` and ${named.length - 3} more` : ''}`;
};

/**
 * S3 bucket names are global and first come, first served. Without a suffix,
 * anyone who knows the platform and service names can create a bucket's name
 * before its first apply, which then fails (the pods' grants already refuse a
 * bucket in another account: s3:ResourceAccount). The suffix cannot be added
 * silently: it renames, so replaces, buckets that exist. Writing the key, even
 * as "", is the platform's visible choice; only leaving it out is reported.
 */
function checkBucketNameSuffix(file: SourceFile, services: readonly ServiceInput[]): Diagnostic[] {
  const who = servicesWithBuckets(services);
  if (who === '' || hasPointer(file.data, '/cloud/bucketNameSuffix')) return [];
  return [
    {
      ...report(
        file,
        '/cloud/bucketNameSuffix',
        'SPEC.PREDICTABLE_BUCKET_NAMES',
        `not set, so the buckets of ${who} get names anyone can derive from the platform, service and bucket names; S3 names are global, so someone else can create one first and its apply fails`,
        'set cloud.bucketNameSuffix to random lowercase letters and digits, e.g. the output of `openssl rand -hex 4`, before the first bucket is created (it renames, so replaces, buckets that exist); write bucketNameSuffix: "" to keep the names of existing buckets',
      ),
      severity: 'warning',
    },
  ];
}

// ---------------------------------------------------------------------------
// S3 through the NetworkPolicies

interface Block {
  readonly first: number;
  readonly last: number;
}

/** An IPv4 CIDR as its first and last address; the schema's pattern guarantees the shape. */
function block(cidr: string): Block {
  const [address, bits] = cidr.split('/') as [string, string];
  const base = address.split('.').reduce((sum, octet) => sum * 256 + Math.min(Number(octet), 255), 0);
  const size = 2 ** (32 - Math.min(Number(bits), 32));
  const first = base - (base % size);
  return { first, last: first + size - 1 };
}

const inside = (inner: Block, outer: Block): boolean => inner.first >= outer.first && inner.last <= outer.last;
const overlaps = (a: Block, b: Block): boolean => a.first <= b.last && b.first <= a.last;

/** RFC 1918, shared address space (RFC 6598) and link-local: addresses S3's public endpoints never have. */
const NON_PUBLIC = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'].map(block);

/**
 * Services with buckets reach S3 through the awsApiCidrs egress rule
 * (emitters/kubernetes/networking.ts). Through a gateway endpoint (or none) S3
 * answers on its public addresses: a gateway endpoint is a prefix-list route,
 * not an address in the VPC, and a NetworkPolicy cannot name a prefix list. An
 * interface endpoint answers on private addresses in the VPC's subnets. A list
 * that cannot contain the chosen path blocks every bucket call; which public
 * ranges S3 has is AWS's to change, so only the impossible is an error.
 */
function checkS3Egress(file: SourceFile, platform: PlatformSpec, services: readonly ServiceInput[]): Diagnostic[] {
  const who = servicesWithBuckets(services);
  if (who === '') return [];
  const { awsApiCidrs, privateSubnetCidrs, s3Endpoint } = settings(platform).kubernetes.egress;
  const api = awsApiCidrs.map(block);
  const pointer = '/kubernetes/egress/awsApiCidrs';
  if (s3Endpoint === 'gateway' && api.every((b) => NON_PUBLIC.some((range) => inside(b, range)))) {
    return [
      report(
        file,
        pointer,
        'SPEC.S3_EGRESS',
        `holds only private ranges, but S3 is reached at its public addresses (kubernetes.egress.s3Endpoint: gateway; a gateway endpoint routes to S3's public prefix list), so the buckets of ${who} would be unreachable`,
        'add S3\'s ranges for the region (https://ip-ranges.amazonaws.com/ip-ranges.json, service "S3") or 0.0.0.0/0 to awsApiCidrs, or set kubernetes.egress.s3Endpoint: interface when the VPC has an S3 interface endpoint with private DNS',
      ),
    ];
  }
  if (s3Endpoint === 'interface' && !api.some((b) => privateSubnetCidrs.map(block).some((subnet) => overlaps(b, subnet)))) {
    return [
      report(
        file,
        pointer,
        'SPEC.S3_EGRESS',
        `shares no address with kubernetes.egress.privateSubnetCidrs, but S3 is reached through an interface endpoint in the VPC (kubernetes.egress.s3Endpoint: interface), so the buckets of ${who} would be unreachable`,
        "add the VPC's CIDR (where the endpoint's network interfaces are) to awsApiCidrs, or set kubernetes.egress.s3Endpoint: gateway and open S3's public ranges",
      ),
    ];
  }
  return [];
}
