import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * The part of Cilium's CiliumNetworkPolicy CRD (cilium.io/v2,
 * pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml) that paved
 * emits, transcribed field by field with the CRD's own patterns, enums, limits
 * and one-of rules. There is no kubernetes-models package for Cilium, so the
 * conformance suite validates with this. It is stricter than the CRD in one
 * way only: any field paved does not emit is rejected (additionalProperties),
 * so a new field must be added here from the CRD before it can be emitted.
 */

const labelValue = { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' };

const endpointSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: labelValue },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string' },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

/** FQDNSelector and PortRuleDNS: exactly one of matchName and matchPattern. */
const fqdnSelector = {
  type: 'object',
  additionalProperties: false,
  oneOf: [{ required: ['matchName'] }, { required: ['matchPattern'] }],
  properties: {
    matchName: { type: 'string', maxLength: 255, pattern: '^([-a-zA-Z0-9_]+[.]?)+$' },
    matchPattern: { type: 'string', maxLength: 255, pattern: '^([-a-zA-Z0-9_*]+[.]?)+$' },
  },
};

const portRule = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ports: {
      type: 'array',
      maxItems: 40,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          port: {
            type: 'string',
            pattern: '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$',
          },
          protocol: { enum: ['TCP', 'UDP', 'SCTP', 'VRRP', 'IGMP', 'ANY'] },
        },
      },
    },
    rules: {
      type: 'object',
      additionalProperties: false,
      // The CRD's one-of http, kafka, dns, l7proto: paved writes only dns.
      required: ['dns'],
      properties: { dns: { type: 'array', items: fqdnSelector } },
    },
  },
};

const egressRule = {
  type: 'object',
  additionalProperties: false,
  properties: {
    toEndpoints: { type: 'array', items: endpointSelector },
    toFQDNs: { type: 'array', items: fqdnSelector },
    toPorts: { type: 'array', items: portRule },
  },
  // "ToFQDN cannot occur in the same policy as other To* rules" (the CRD's description of toFQDNs).
  not: { required: ['toFQDNs', 'toEndpoints'] },
};

export const CILIUM_NETWORK_POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'cilium.io/v2' },
    kind: { const: 'CiliumNetworkPolicy' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'namespace'],
      properties: {
        name: { type: 'string' },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      // The CRD: exactly one of endpointSelector and nodeSelector, at least one rule list.
      required: ['endpointSelector', 'egress'],
      properties: { endpointSelector, egress: { type: 'array', items: egressRule } },
    },
  },
} as const;

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(CILIUM_NETWORK_POLICY_SCHEMA);

/** A model in the shape of kubernetes-models' classes: `validate()` throws what is wrong. */
export class CiliumNetworkPolicy {
  constructor(private readonly data: unknown) {}

  validate(): void {
    if (!validate(this.data)) throw new Error(validate.errors!.map((e) => `${e.instancePath} ${e.message}`).join('; '));
  }
}
