import { specDiagnostic, type Diagnostic } from '../../spec/diagnostic.js';
import { CLOUD_ENVIRONMENTS } from '../../spec/naming.js';
import type { PlatformSpec } from '../../spec/types.js';
import { locate, positioned } from '../positions.js';
import type { SourceFile } from '../source.js';

type OneOrPerEnvironment<T> = T | Readonly<Partial<Record<string, T>>>;

const isPerEnvironment = <T>(value: OneOrPerEnvironment<T> | undefined): value is Readonly<Partial<Record<string, T>>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The network a platform.yaml gives the service stacks (issue 15 item 2):
 * `network.vpcId` and `network.privateSubnetIds` take one value for both
 * cloud environments or a map per environment. A map the file writes names
 * both staging and production (otherwise the deep merge would hand the missing
 * one the embedded default's placeholder); one subnet list cannot serve two
 * VPCs; and one VPC for two accounts works only if it is shared through RAM,
 * which paved cannot see, so it says what it assumes.
 */
export function checkPlatformNetwork(file: SourceFile, platform: PlatformSpec): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const written = (file.data as { network?: { vpcId?: unknown; privateSubnetIds?: unknown } } | undefined)?.network ?? {};
  for (const key of ['vpcId', 'privateSubnetIds'] as const) {
    const value = written[key] as OneOrPerEnvironment<unknown> | undefined;
    if (!isPerEnvironment(value)) continue;
    const pointer = `/network/${key}`;
    for (const env of CLOUD_ENVIRONMENTS.filter((e) => value[e] === undefined)) {
      diagnostics.push({
        ...specDiagnostic('SPEC.REQUIRED', file.path, pointer, `missing required key "${env}"`, {
          hint: `a map per environment names staging and production; write one ${key === 'vpcId' ? 'id' : 'list'} instead of the map if both share it`,
          range: locate(file, pointer),
        }),
        pointer: `${pointer}/${env}`,
      });
    }
  }
  if (diagnostics.length > 0) return diagnostics;

  const network = platform.network!;
  const vpc = network.vpcId as OneOrPerEnvironment<string>;
  const accounts = platform.cloud!.accounts as Readonly<Record<'staging' | 'production', string>>;
  if (isPerEnvironment(vpc) && vpc.staging !== vpc.production && !isPerEnvironment(network.privateSubnetIds as OneOrPerEnvironment<readonly string[]>)) {
    const pointer = '/network/privateSubnetIds';
    diagnostics.push(
      specDiagnostic(
        'SPEC.SUBNETS_PER_VPC',
        file.path,
        pointer,
        `one list of subnets for two VPCs (staging ${vpc.staging}, production ${vpc.production}); a subnet belongs to one VPC`,
        {
          hint: 'give each environment the subnets of its own VPC: privateSubnetIds: { staging: [subnet-…], production: [subnet-…] }',
          range: locate(file, written.privateSubnetIds === undefined ? '/network/vpcId' : pointer),
        },
      ),
    );
  }
  if (typeof vpc === 'string' && accounts.staging !== accounts.production) {
    const pointer = '/network/vpcId';
    diagnostics.push(
      positioned(
        file,
        pointer,
        'SPEC.SHARED_VPC',
        `one VPC ${vpc} for staging and production, whose accounts differ (${accounts.staging}, ${accounts.production}): paved assumes the VPC is shared with both accounts through AWS RAM, and production's databases and caches then share staging's network`,
        {
          hint: `if each account has its own VPC, write one per environment: vpcId: { staging: vpc-…, production: vpc-… } and privateSubnetIds: { staging: [subnet-…], production: [subnet-…] }; if it is shared through RAM, say so by naming it for each: vpcId: { staging: ${vpc}, production: ${vpc} }`,
          severity: 'warning',
        },
      ),
    );
  }
  return diagnostics;
}
