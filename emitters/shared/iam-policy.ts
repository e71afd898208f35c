import { call, object, raw, type Call, type Expression, type ObjectExpression } from './hcl.js';

/**
 * IAM policy documents as typed values, printed as `jsonencode({ ... })` so
 * references stay references and no heredoc holds hand-written JSON. Tests read
 * these values to check the security rules before anything is printed.
 */
export interface Principal {
  readonly AWS?: Expression;
  readonly Service?: string;
  /** A web identity provider, e.g. GitHub's OIDC provider. */
  readonly Federated?: Expression;
}

export type Condition = Readonly<Record<string, Readonly<Record<string, Expression>>>>;

export interface PolicyStatement {
  /** Letters and digits only (IAM's rule); unique within a document. */
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  /** Resource policies name who; identity policies leave it out. `'*'` only in a Deny. */
  readonly Principal?: Principal | '*';
  readonly Action: readonly string[];
  /** Trust policies have none. */
  readonly Resource?: readonly Expression[];
  readonly Condition?: Condition;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export const policy = (...statements: readonly PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });

/** A one-element list prints as the element, as AWS itself shows it. */
const oneOrMany = (values: readonly Expression[]): Expression => (values.length === 1 ? values[0]! : values);

function statementObject(statement: PolicyStatement): ObjectExpression {
  const principal = statement.Principal;
  return object({
    Sid: statement.Sid,
    Effect: statement.Effect,
    Principal:
      principal === undefined
        ? undefined
        : principal === '*'
          ? '*'
          : object({ AWS: principal.AWS, Service: principal.Service, Federated: principal.Federated }),
    Action: oneOrMany(statement.Action),
    Resource: statement.Resource ? oneOrMany(statement.Resource) : undefined,
    Condition: statement.Condition
      ? object(Object.fromEntries(Object.entries(statement.Condition).map(([test, values]) => [test, object(values)])))
      : undefined,
  });
}

export function policyExpression(document: PolicyDocument): Call {
  return call('jsonencode', object({ Version: document.Version, Statement: document.Statement.map(statementObject) }));
}

/** `order-created` → `OrderCreated`: statement ids take letters and digits only. */
export function sidPart(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The one trust statement of a role pods assume through EKS Pod Identity: the
 * account, and the session tags Pod Identity sets naming the pod's cluster,
 * namespace and ServiceAccount (Amazon EKS User Guide, "Create IAM role with
 * trust policy required by EKS Pod Identity"), so no other cluster or
 * ServiceAccount can bind the role. Not `aws:SourceArn`: Pod Identity does not
 * document sending it, and a condition on a key that is absent denies.
 */
export function podIdentityTrust(binding: {
  readonly account: Expression;
  readonly clusterArn: Expression;
  readonly namespace: Expression;
  readonly serviceAccount: Expression;
}): PolicyStatement {
  return {
    Sid: 'EksPodIdentity',
    Effect: 'Allow',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: {
      StringEquals: {
        'aws:SourceAccount': binding.account,
        'aws:RequestTag/eks-cluster-arn': binding.clusterArn,
        'aws:RequestTag/kubernetes-namespace': binding.namespace,
        'aws:RequestTag/kubernetes-service-account': binding.serviceAccount,
      },
    },
  };
}

/**
 * The precondition on a platform resource type module's `iam_policy_json`
 * (emitters/terraform/resource-types.ts), known only at plan: every statement a
 * plain Allow (no NotAction, NotResource or principal), every action named
 * (`service:Action`: no `*`, no `service:*`), every resource named (no `*`).
 * The policy's §1 #21 rule requires exactly this condition on such a policy.
 */
export function modulePolicyCondition(policy: string): Call {
  // A call of alltrue over a for expression, as the HCL reader of the tests reads it back (test/support/upgrade).
  const statements = [
    `[for s in flatten([jsondecode(${policy}).Statement]) :`,
    `try(s.Effect, "") == "Allow"`,
    `&& length(setintersection(keys(s), ["NotAction", "NotResource", "Principal", "NotPrincipal"])) == 0`,
    `&& length(flatten([try(s.Action, [])])) > 0`,
    `&& alltrue([for a in flatten([try(s.Action, [])]) : a != "*" && !endswith(a, ":*")])`,
    `&& length(flatten([try(s.Resource, [])])) > 0`,
    `&& alltrue([for r in flatten([try(s.Resource, [])]) : r != "*"])]`,
  ].join(' ');
  return call('alltrue', raw(statements));
}
