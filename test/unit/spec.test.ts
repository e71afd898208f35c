import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderSchemaJson, renderTypes } from '../../scripts/generate-spec.js';
import { defaultPlatform } from '../../spec/default-platform.js';
import type { JsonSchema, JsonValue } from '../../spec/json-schema.js';
import { platformSchema } from '../../spec/platform-schema.js';
import { serviceDefaults, serviceSchema } from '../../spec/service-schema.js';
import type { PlatformSpec } from '../../spec/types.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validateService = ajv.compile(serviceSchema);
const validatePlatform = ajv.compile(platformSchema);

const repoFile = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The examples of shared/design/service-spec.md, verbatim. */
const serviceExample = `
apiVersion: paved/v1
kind: Service
name: orders                 # DNS-1123 label, <= 40 chars (leaves room for env suffixes)
owner: team-commerce         # required: routes alerts, fills catalog
description: Order intake and lifecycle
tier: standard               # a tier the platform defines: critical | standard | experimental by default

runtime:
  language: node             # node | go | python | java | container — picks CI build/test steps
  build:                     # how CI builds the image (paths relative to this file's folder)
    context: .
    dockerfile: Dockerfile
  port: 8080                 # omit for a worker: no Service, no ingress, no HTTP SLO
  protocol: http             # http | grpc: grpc gets gRPC health probes and gRPC metrics
  command: ["node", "dist/server.js"]   # optional; argv only, never a shell string
  health:                    # http paths; for grpc the standard gRPC health service is probed
    liveness: /healthz
    readiness: /readyz
  resources: { cpu: 250m, memory: 256Mi }   # requests; limits are derived by platform policy
  scaling: { min: 2, max: 10, targetCPUUtilization: 70 }

ingress:                     # omit: reachable only inside the cluster
  public: true
  host: orders.example.com   # default: <name>.<platform domain>; preview gets <name>-pr-<n>.<domain>
  paths: ["/"]

dependsOn: [payments]        # services this one calls: NetworkPolicy egress, catalog graph

env:                         # plain configuration; values are strings
  LOG_LEVEL: info
secrets:                     # names only — a value here is an error
  - STRIPE_API_KEY

resources:                   # the infrastructure this service needs
  databases:
    - name: orders
      engine: postgres       # v1: postgres
      version: "16"
      size: small            # small | medium | large: mapped to instance classes by the platform
  caches:
    - name: sessions         # redis
      size: small
  topics:
    - name: order-created    # this service publishes
  subscriptions:
    - topic: payment-completed
      from: payments         # the service that declares that topic
      maxRetries: 5          # then the message goes to a dead-letter queue
  buckets:
    - name: invoices
      public: false
      versioned: true
  cron:
    - name: nightly-report
      schedule: "0 3 * * *"
      command: ["node", "dist/report.js"]

environments:                # per-environment differences, within platform policy
  preview: { enabled: true }
  staging: { scaling: { min: 1 } }
  production:
    scaling: { min: 3, max: 20 }
    resources: { cpu: 500m, memory: 512Mi }
    env: { LOG_LEVEL: warn }

observability:
  slo:
    availability: 99.9       # percent over the platform's SLO window (30d default)
    latency: { percentile: 99, thresholdMs: 300 }
  alerts:
    route: commerce-oncall   # routing label on every alert

overrides:                   # the explicit escape hatch; every use is reported as a deviation
  kubernetes:
    - target: Deployment/orders
      environments: [production]   # optional; default: every environment
      reason: "Checkout must not be preempted during sales peaks (INC-142)"   # required
      patch:                 # RFC 6902 JSON patch
        - { op: add, path: /spec/template/spec/priorityClassName, value: high }
  terraform: []              # same shape: target is "<resource type>.<name>"
`;

const platformExample = `
apiVersion: paved/v1
kind: Platform
name: acme
domain: example.com
cloud:
  provider: aws
  region: eu-west-1
  accounts: { staging: "111111111111", production: "222222222222" }
network:                     # inputs the service stacks read; owned by the platform's own stack
  vpcId: vpc-0123456789abcdef0
  privateSubnetIds: [subnet-0aaa, subnet-0bbb]
kubernetes:
  clusters: { preview: dev-eks, staging: stg-eks, production: prd-eks }
  ingressClass: nginx
registry: ghcr.io/acme
terraform:
  stateBucket: acme-tfstate
  lockTable: acme-tflock
  awsProviderVersion: ">= 5.100, < 7.0"
gitops:
  repoURL: https://github.com/acme/platform
  argocdNamespace: argocd
observability:
  prometheusDatasource: prometheus
  grafanaFolder: Services
  sloWindow: 30d
tiers:
  critical:     { minReplicas: { production: 3 }, availability: 99.95 }
  standard:     { minReplicas: { production: 2 }, availability: 99.9 }
  experimental: { minReplicas: { production: 1 }, availability: 99.0 }
sizes:
  database: { small: db.t4g.small, medium: db.r6g.large, large: db.r6g.2xlarge }
  cache:    { small: cache.t4g.small, medium: cache.r6g.large, large: cache.r6g.2xlarge }
policy:
  production: { deletionProtection: true, multiAz: true, backupRetentionDays: 14 }
output:
  dir: generated             # everything paved writes, but workflows
  workflowsDir: .github/workflows
scaffold:
  templates: platform/templates   # optional: the platform's own \`paved new\` templates
`;

/** Optional properties that deliberately have no default: leaving them out means something. */
const withoutDefault = new Set([
  'service#/properties/renamedFrom', // not renamed: deployed under its name
  'service#/properties/runtime/properties/port', // a worker
  'service#/properties/runtime/properties/command', // the image's entrypoint
  'service#/properties/runtime/properties/servicePort', // runtime.port
  'service#/properties/observability/properties/metrics', // the platform's metrics contract
  'service#/properties/observability/properties/metrics/properties/port', // the platform's metrics port
  'service#/properties/ingress', // cluster-internal only
  'service#/properties/ingress/properties/host', // derived: <name>.<domain>
  'service#/properties/observability/properties/slo/properties/latency', // no latency SLO
  'service#/properties/observability/properties/alerts/properties/route', // the owner
  'service#/$defs/jsonPatchOperation/properties/value', // required by some ops
  'service#/$defs/jsonPatchOperation/properties/from', // required by some ops
  'platform#/properties/scaffold/properties/templates', // the built-in templates
  'platform#/properties/kubernetes/properties/egress/properties/allow', // no restriction: any egress destination
  'platform#/properties/kubernetes/properties/egress/properties/allow/properties/hosts', // no host allowed
  'platform#/properties/kubernetes/properties/egress/properties/allow/properties/cidrs', // no block allowed
  'service#/properties/egress/items/properties/host', // exactly one of host and cidr
  'service#/properties/egress/items/properties/cidr', // likewise
  'platform#/properties/overridePolicy/properties/kubernetes/properties/allow', // no allow list: the deny-lists and the policy only
  'platform#/properties/overridePolicy/properties/terraform/properties/allow', // likewise
  'platform#/properties/overridePolicy/properties/waivers/items/properties/services', // every service
  'platform#/properties/ci/properties/releaseApp', // the stored token ci.releaseToken names
  'service#/properties/retired', // a live service
  'platform#/properties/resourceTypes', // no platform resource types: the built-in resources only
  'platform#/properties/resourceTypes/additionalProperties/properties/standIn', // no stand-in: previews and local dev go without the resource
  'service#/properties/resources/properties/databases/items/properties/version', // the engine's: "16" for postgres, "8.0" for mysql
  'service#/properties/resources/properties/databases/items/properties/storageGiB', // the platform's sizes.databaseStorageGiB.min
  // Not renamed: the entry is deployed under its name (docs/day-2.md, Renaming).
  ...['databases', 'caches', 'topics', 'subscriptions', 'buckets', 'cron'].map(
    (list) => `service#/properties/resources/properties/${list}/items/properties/renamedFrom`,
  ),
]);

interface PropertySite {
  readonly id: string;
  readonly pointer: string;
  readonly name: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

/** Every property declared anywhere in a schema, $defs included (but not inside `if`/`then`). */
function properties(label: string, root: JsonSchema): PropertySite[] {
  const found: PropertySite[] = [];
  const visit = (schema: JsonSchema, pointer: string): void => {
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      const at = `${pointer}/properties/${name}`;
      found.push({ id: `${label}#${at}`, pointer: at, name, schema: child, required: schema.required?.includes(name) ?? false });
      visit(child, at);
    }
    for (const [name, child] of Object.entries(schema.$defs ?? {})) visit(child, `${pointer}/$defs/${name}`);
    if (schema.items) visit(schema.items, `${pointer}/items`);
    if (schema.additionalProperties) visit(schema.additionalProperties, `${pointer}/additionalProperties`);
  };
  visit(root, '');
  return found;
}

const allProperties = [...properties('service', serviceSchema), ...properties('platform', platformSchema)];

function errorsOf(validate: typeof validateService, data: unknown): Array<Pick<ErrorObject, 'instancePath' | 'keyword' | 'message'>> {
  validate(data);
  return (validate.errors ?? []).map(({ instancePath, keyword, message }) => ({ instancePath, keyword, message }));
}

function validService(): Record<string, unknown> {
  return { apiVersion: 'paved/v1', kind: 'Service', name: 'orders', owner: 'team-commerce', runtime: { language: 'node', port: 8080 } };
}

describe('generated spec files', () => {
  it('spec/service.schema.json is what the generator renders from serviceSchema', () => {
    expect(repoFile('spec/service.schema.json')).toBe(renderSchemaJson(serviceSchema));
  });

  it('spec/platform.schema.json is what the generator renders from platformSchema', () => {
    expect(repoFile('spec/platform.schema.json')).toBe(renderSchemaJson(platformSchema));
  });

  it('spec/types.ts is what the generator renders from both schemas', () => {
    expect(repoFile('spec/types.ts')).toBe(renderTypes());
  });

  it('types.ts starts with the generated-file line and documents defaults with @default', () => {
    const types = renderTypes();
    expect(types.startsWith('// Generated by scripts/generate-spec.ts from spec/*-schema.ts; run npm run spec:generate.\n')).toBe(true);
    expect(types).toContain("export type EnvironmentName = 'preview' | 'staging' | 'production';");
    expect(types).toContain('   * @default "standard"\n   */\n  readonly tier?: string;');
    expect(types).toContain('readonly policy?: Readonly<Partial<Record<EnvironmentName, EnvironmentPolicySpec>>>;');
  });
});

describe('schema documentation', () => {
  it.each(allProperties.map((p) => [p.id, p] as const))('%s has a description', (_id, property) => {
    expect(property.schema.description?.length ?? 0).toBeGreaterThan(10);
  });

  it.each(allProperties.filter((p) => !p.required).map((p) => [p.id, p] as const))(
    '%s, being optional, has a default or is a listed exception',
    (id, property) => {
      expect(property.schema.default !== undefined || withoutDefault.has(id)).toBe(true);
      expect(property.schema.default !== undefined && withoutDefault.has(id)).toBe(false);
    },
  );

  it('required properties have no default', () => {
    expect(allProperties.filter((p) => p.required && p.schema.default !== undefined).map((p) => p.id)).toEqual([]);
  });

  it('every default is valid against the schema it documents', () => {
    const invalid = allProperties
      .filter((p) => p.schema.default !== undefined)
      .filter((p) => {
        const root = p.id.startsWith('service#') ? serviceSchema : platformSchema;
        const validate = ajv.getSchema(`${root.$id}#${p.pointer}`);
        if (!validate) throw new Error(`cannot compile ${p.id}`);
        return !validate(p.schema.default);
      })
      .map((p) => p.id);
    expect(invalid).toEqual([]);
  });

  it('every platform default is the embedded default platform value at the same path', () => {
    const mismatches: string[] = [];
    const visit = (schema: JsonSchema, value: JsonValue | undefined, path: string): void => {
      for (const [name, child] of Object.entries(schema.properties ?? {})) {
        const here = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, JsonValue>)[name] : undefined;
        if (child.default !== undefined && JSON.stringify(child.default) !== JSON.stringify(here)) mismatches.push(`${path}.${name}`);
        visit(child, here, `${path}.${name}`);
      }
    };
    visit(platformSchema, defaultPlatform, 'platform');
    expect(mismatches).toEqual([]);
  });

  it("the default tier is one of the embedded platform's tiers", () => {
    expect(Object.keys(defaultPlatform.tiers)).toContain(serviceDefaults.tier);
  });
});

describe('the embedded default platform', () => {
  it('validates against the platform schema', () => {
    expect(errorsOf(validatePlatform, defaultPlatform)).toEqual([]);
  });

  it('is a PlatformSpec and cannot be mutated', () => {
    const typed: PlatformSpec = defaultPlatform;
    expect(Object.isFrozen(typed.tiers?.['standard']?.minReplicas)).toBe(true);
  });
});

describe('the examples of service-spec.md', () => {
  it('the service.yaml example validates', () => {
    expect(errorsOf(validateService, parse(serviceExample))).toEqual([]);
  });

  it('the platform.yaml example validates', () => {
    expect(errorsOf(validatePlatform, parse(platformExample))).toEqual([]);
  });

  it('a service with only the required keys validates', () => {
    expect(errorsOf(validateService, validService())).toEqual([]);
  });
});

describe('invalid service specs', () => {
  const withRuntime = (runtime: Record<string, unknown>): Record<string, unknown> => ({ ...validService(), runtime: { language: 'node', ...runtime } });

  it('an unknown top-level key is an additionalProperties error', () => {
    expect(errorsOf(validateService, { ...validService(), resorces: {} })).toEqual([
      { instancePath: '', keyword: 'additionalProperties', message: 'must NOT have additional properties' },
    ]);
  });

  it('a replicas-style typo inside scaling is an unknown key', () => {
    expect(errorsOf(validateService, withRuntime({ scaling: { replicas: 3 } }))).toEqual([
      { instancePath: '/runtime/scaling', keyword: 'additionalProperties', message: 'must NOT have additional properties' },
    ]);
  });

  it('command as a shell string is a type error', () => {
    expect(errorsOf(validateService, withRuntime({ command: 'npm test; curl x | sh' }))).toEqual([
      { instancePath: '/runtime/command', keyword: 'type', message: 'must be array' },
    ]);
  });

  it('a database version written as the float 16.1 is a type error', () => {
    const spec = { ...validService(), resources: { databases: [{ name: 'main', version: parse('16.10') as unknown }] } };
    expect(errorsOf(validateService, spec)).toEqual([{ instancePath: '/resources/databases/0/version', keyword: 'type', message: 'must be string' }]);
  });

  it('port 70000 is out of range', () => {
    expect(errorsOf(validateService, withRuntime({ port: 70000 }))).toEqual([
      { instancePath: '/runtime/port', keyword: 'maximum', message: 'must be <= 65535' },
    ]);
  });

  it('enabled: "yes" is a string where a boolean is expected', () => {
    const spec = { ...validService(), environments: { preview: parse('{ enabled: yes }') as unknown } };
    expect(errorsOf(validateService, spec)).toEqual([{ instancePath: '/environments/preview/enabled', keyword: 'type', message: 'must be boolean' }]);
  });

  it('leaves disabling production to the policy check, which can explain it (POLICY.ENVIRONMENT_REQUIRED)', () => {
    expect(errorsOf(validateService, { ...validService(), environments: { production: { enabled: false } } })).toEqual([]);
  });

  it('infinity and unsafe integers are not replica counts', () => {
    expect(errorsOf(validateService, withRuntime({ scaling: { max: Infinity } }))).toEqual([
      { instancePath: '/runtime/scaling/max', keyword: 'type', message: 'must be integer' },
    ]);
    expect(errorsOf(validateService, withRuntime({ scaling: { max: 9007199254740993 } }))).toEqual([
      { instancePath: '/runtime/scaling/max', keyword: 'maximum', message: 'must be <= 1000' },
    ]);
  });

  it('a service name must be a DNS label of at most 40 characters starting with a letter', () => {
    for (const name of ['My_Service', '1api', 'api-', '../../x']) {
      expect(errorsOf(validateService, { ...validService(), name }).map((e) => e.keyword)).toEqual(['pattern']);
    }
    expect(errorsOf(validateService, { ...validService(), name: 'a'.repeat(41) }).map((e) => e.keyword)).toEqual(['maxLength']);
  });

  it('an env var name with "=" is rejected by propertyNames', () => {
    const keywords = errorsOf(validateService, { ...validService(), env: { 'FOO=BAR': 'x' } }).map((e) => e.keyword);
    expect(keywords).toEqual(['pattern', 'propertyNames']);
  });

  it('an override without a reason, or with a patch op missing its value, is rejected', () => {
    const override = { target: 'Deployment/orders', patch: [{ op: 'add', path: '/spec/replicas' }] };
    expect(errorsOf(validateService, { ...validService(), overrides: { kubernetes: [override] } })).toEqual([
      { instancePath: '/overrides/kubernetes/0', keyword: 'required', message: "must have required property 'reason'" },
      { instancePath: '/overrides/kubernetes/0/patch/0', keyword: 'required', message: "must have required property 'value'" },
      { instancePath: '/overrides/kubernetes/0/patch/0', keyword: 'if', message: 'must match "then" schema' },
    ]);
  });
});

describe('invalid platform specs', () => {
  const platform = (rest: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'paved/v1', kind: 'Platform', ...rest });

  it('an account id written as a number is a type error', () => {
    expect(errorsOf(validatePlatform, platform({ cloud: { accounts: { production: 12345678901 } } }))).toEqual([
      { instancePath: '/cloud/accounts/production', keyword: 'type', message: 'must be string' },
    ]);
  });

  it('an account id needs 12 digits', () => {
    expect(errorsOf(validatePlatform, platform({ cloud: { accounts: { staging: '11111111111' } } })).map((e) => e.keyword)).toEqual(['pattern']);
  });

  it('an unknown environment in a per-environment map is rejected', () => {
    expect(errorsOf(validatePlatform, platform({ kubernetes: { clusters: { prod: 'x' } } })).map((e) => e.keyword)).toEqual(['enum', 'propertyNames']);
  });

  it('output directories must stay inside the repo', () => {
    for (const dir of ['/etc/paved', '../elsewhere', 'a/../../b', 'a\\b']) {
      expect(errorsOf(validatePlatform, platform({ output: { dir } })).map((e) => e.keyword)).toEqual(['pattern']);
    }
    expect(errorsOf(validatePlatform, platform({ output: { dir: 'build/generated', workflowsDir: '.github/workflows' } }))).toEqual([]);
  });
});
