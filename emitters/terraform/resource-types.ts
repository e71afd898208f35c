import type { ResolvedResourceType, ResolvedTypedResource } from '../../spec/model.js';
import { deployedName, names } from '../../spec/naming.js';
import { attribute, attributes, block, map, raw, template, type Block, type Expression } from '../shared/hcl.js';
import { modulePolicyCondition } from '../shared/iam-policy.js';
import { connectionSecret } from './connection.js';
import { entry, KMS_KEY_ARN, localName, mapOfNames, movedBlocks, namesByResource, resource, type Concern, type StackContext } from './context.js';
import { networkVariables } from './inputs.js';
import { podIngressSecurityGroup } from './network.js';

/** The tfvars key of an entry: `<type>.<name>`, which no two entries share. */
const entryKey = (r: ResolvedTypedResource): string => `${r.type}.${r.name}`;

/**
 * Platform resource types (platform.yaml resourceTypes, docs/resource-types.md):
 * per entry, a security group that admits only the cluster's pods on the type's
 * egressPorts, a `module` block calling the platform's module with paved's
 * fixed interface and the service's inputs, the connection secret filled from
 * the module's outputs, and, when the type says the module exports
 * `iam_policy_json`, that policy on the service's role, refused at plan when it
 * holds a wildcard.
 */
export function resourceTypesConcern(context: StackContext): Concern | undefined {
  const { service, project } = context;
  const typed = service.resources.typed;
  if (typed.length === 0) return undefined;
  const moduleFrom = moduleSource(context);
  return {
    file: 'resource-types.tf',
    blocks: typed.flatMap((r) => {
      const type = project.platform.resourceTypes[r.type]!;
      const blocks = entryBlocks(context, r, type, moduleFrom);
      return [...blocks, ...renameMoves(context, r, type, blocks, moduleFrom)];
    }),
    variables: [
      ...networkVariables(context),
      {
        name: 'platform_resources',
        description: 'Names of the objects paved creates beside each platform resource type module, derived by paved.',
        type: mapOfNames('security_group', 'connection_secret'),
        value: (env) =>
          namesByResource(typed, entryKey, (r) => ({
            security_group: names.securityGroup(service.name, env, r.type, deployedName(r)),
            connection_secret: names.connectionSecret(service.name, env, r.type, deployedName(r)),
          })),
      },
    ],
    statements: [],
    outputs: [],
  };
}

/**
 * A local module's source, relative to the stack's folder (`<output>/<service>/terraform`,
 * spec/layout.ts), which is how Terraform wants a local path: it starts with `../`.
 */
type ModuleFrom = (type: ResolvedResourceType) => readonly [string, string | undefined];

function moduleSource(context: StackContext): ModuleFrom {
  const depth = `${context.project.output.dir}/${context.service.name}/terraform`.split('/').filter((s) => s !== '' && s !== '.').length;
  return (type) => (type.module.kind === 'local' ? [`${'../'.repeat(depth)}${type.module.path}`, undefined] : [type.module.source, type.module.version]);
}

function entryBlocks(context: StackContext, r: ResolvedTypedResource, type: ResolvedResourceType, moduleFrom: ModuleFrom): Block[] {
  const { service } = context;
  const local = localName(r.type, r.name);
  const deployed = deployedName(r);
  const what = `${r.type} ${deployed}`;
  const [source, version] = moduleFrom(type);
  const blocks: Block[] = [
    ...podIngressSecurityGroup(local, entry('platform_resources', entryKey(r), 'security_group'), what, type.egressPorts, (port) =>
      localName(local, String(port)),
    ),
    block(
      'module',
      [local],
      [
        ...attributes({ source, version }),
        ...attributes({
          name: deployed,
          service: service.name,
          environment: raw('var.environment'),
          kms_key_arn: KMS_KEY_ARN,
          subnet_ids: raw('var.private_subnet_ids'),
          security_group_ids: [raw(`aws_security_group.${local}.id`)],
          tags: map({ 'managed-by': 'paved', service: service.name, environment: raw('var.environment'), 'resource-type': r.type, resource: deployed }),
        }),
        ...Object.entries(r.inputs).map(([key, value]) => attribute(key, hclValue(value))),
      ],
      [`${what}: platform resource type "${r.type}" (platform.yaml resourceTypes.${r.type}).`],
    ),
  ];
  if (r.connection.length > 0)
    blocks.push(
      ...connectionSecret(
        r.type,
        r.name,
        entry('platform_resources', entryKey(r), 'connection_secret'),
        Object.fromEntries(r.connection.map((output) => [output, raw(`module.${local}.${output}`)])),
        deployed,
        r.connection,
      ),
    );
  if (type.iamPolicy) blocks.push(modulePolicy(local, what));
  return blocks;
}

/**
 * The module's `iam_policy_json` on the service's role. Its statements are
 * known only at plan, so the least-privilege checks paved applies to its own
 * policies at compile time become a precondition Terraform evaluates: Allow
 * only, no NotAction, NotResource or Principal, every action named
 * (`service:Action`, no `*` and no `service:*`), every resource named (no `*`).
 */
function modulePolicy(local: string, what: string): Block {
  const condition = modulePolicyCondition(`module.${local}.iam_policy_json`);
  return resource('aws_iam_role_policy', local, [
    ...attributes({
      name: template(raw('var.role_name'), `-${local}`),
      role: raw('aws_iam_role.service.id'),
      policy: raw(`module.${local}.iam_policy_json`),
    }),
    block(
      'lifecycle',
      [],
      [
        block(
          'precondition',
          [],
          attributes({
            condition,
            error_message: `The module of the ${what} exports an iam_policy_json with a wildcard action or resource, or a statement that is not a plain Allow; paved attaches only least-privilege policies.`,
          }),
        ),
      ],
    ),
  ]);
}

/** A renamed entry keeps its state: its objects and its module move to the addresses of the new spec name. */
function renameMoves(context: StackContext, r: ResolvedTypedResource, type: ResolvedResourceType, blocks: readonly Block[], moduleFrom: ModuleFrom): Block[] {
  if (r.renamedFrom === undefined || r.renamedFrom === r.name) return [];
  const before = { ...r, name: r.renamedFrom };
  const moves = movedBlocks(`${r.type}.${r.name}`, entryBlocks(context, before, type, moduleFrom), blocks);
  return [
    ...moves,
    block('moved', [], [attribute('from', raw(`module.${localName(r.type, r.renamedFrom)}`)), attribute('to', raw(`module.${localName(r.type, r.name)}`))]),
  ];
}

/** A validated input as an HCL value: strings quoted by the serializer, lists and objects element by element. */
function hclValue(value: unknown): Expression {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(hclValue);
  if (value === null) return raw('null');
  return map(Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, hclValue(v)])));
}
