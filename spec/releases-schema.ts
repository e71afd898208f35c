import type { JsonSchema } from './json-schema.js';
import { patterns } from './service-schema.js';

/** What CI records: a tag that is never `latest` (the commit SHA) and an image digest. */
export const RELEASE_PATTERNS = { tag: '^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$', digest: '^sha256:[0-9a-f]{64}$' } as const;

/** One deployed image of a service in an environment. */
const release: JsonSchema = {
  type: 'object',
  description: 'The image running in this environment.',
  additionalProperties: false,
  required: ['tag'],
  properties: {
    tag: {
      type: 'string',
      description: 'The image tag CI pushed: the commit SHA it was built from. Never `latest`.',
      pattern: RELEASE_PATTERNS.tag,
    },
    digest: {
      type: 'string',
      description: 'The sha256 digest of that image; when set, the manifests pin it (`<image>:<tag>@<digest>`).',
      pattern: RELEASE_PATTERNS.digest,
    },
  },
};

/**
 * releases.yaml, next to platform.yaml: which image each service runs in each
 * always-on environment. CI writes it when it promotes or rolls back and then
 * recompiles, so a deploy is a reviewed commit and every rendered manifest names
 * its exact image. A service without an entry for an environment is not deployed there yet.
 */
export const releasesSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://paved.dev/schemas/v1/releases.schema.json',
  title: 'paved releases',
  description: 'The image each service runs in staging and production; written by CI, read by paved compile.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { type: 'string', description: 'Version of the paved spec; `paved/v1`.', const: 'paved/v1' },
    kind: { type: 'string', description: 'Kind of spec file; `Releases` for a releases.yaml.', const: 'Releases' },
    services: {
      type: 'object',
      description: 'Releases by service name.',
      propertyNames: { type: 'string', pattern: patterns.name, maxLength: 40 },
      additionalProperties: {
        type: 'object',
        description: 'Releases of one service by environment.',
        additionalProperties: false,
        properties: {
          staging: release,
          production: release,
        },
        default: {},
      },
      default: {},
    },
  },
};
