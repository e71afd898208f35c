import { quoteList, type ServiceEnv, type Stack, type WiringProblem } from './context.js';
import type { Expr } from './hcl.js';
import { describe, namespaceOf } from './kube.js';
import type { Json, KubeObject } from './output.js';
import { evaluate, referencedResource, resourceExpr, resourceValue, Unknown, type Resource, type Scope, type Value } from './terraform.js';

/**
 * The External Secrets Operator reads Secrets Manager with the role `_platform/`
 * binds to it through Pod Identity (platform.yaml kubernetes.externalSecrets), so
 * that role's inline policy must allow `secretsmanager:GetSecretValue` on every
 * secret an ExternalSecret of the environment reads: `remoteRef.key` and
 * `dataFrom.extract.key` by name, `dataFrom.find` by the tags it filters on (which
 * also needs `secretsmanager:ListSecrets`). A Secrets Manager ARN ends in the
 * secret's name, `-` and six random characters (AWS Secrets Manager User Guide,
 * "Secret ARN"); IAM matches Resource with `*` and `?` wildcards, and a
 * `StringEquals` on `secretsmanager:ResourceTag/<tag>` against the secret's tag.
 * A secret encrypted with a customer managed key also needs `kms:Decrypt` on that
 * key (here gated by `kms:ResourceAliases`, so the key's alias must be listed).
 * What only apply knows (the partition from a data source) matches anything.
 */

interface Statement {
  readonly actions: readonly string[];
  /** IAM patterns; an unknown part is `*`. */
  readonly resources: readonly string[];
  /** `secretsmanager:ResourceTag/<tag>` StringEquals values, by tag. */
  readonly tagConditions: ReadonlyMap<string, readonly string[]>;
  /** `kms:ResourceAliases` ForAnyValue:StringEquals values; undefined without that condition. */
  readonly aliases?: readonly string[];
}

/** The strings an expression can stand for, with `*` where only apply knows (formatlist expands lists element-wise). */
function patterns(expr: Expr | undefined, scope: Scope): string[] {
  if (!expr) return [];
  if (expr.kind === 'call' && expr.name === 'formatlist') {
    const [format, ...rest] = expr.args.map((a) => patterns(a, scope));
    const lists = rest.map((values, i) => ({ values, list: isList(expr.args[i + 1] as Expr, scope) }));
    const length = Math.max(1, ...lists.filter((l) => l.list).map((l) => l.values.length));
    const out: string[] = [];
    for (const f of format ?? []) {
      for (let n = 0; n < length; n += 1) {
        let k = 0;
        out.push(
          f.replace(/%s/g, () => {
            const arg = lists[k++];
            return arg ? ((arg.list ? arg.values[n] : arg.values[0]) ?? '*') : '*';
          }),
        );
      }
    }
    return out;
  }
  if (expr.kind === 'template') {
    let texts = [''];
    for (const part of expr.parts) {
      const options = typeof part === 'string' ? [part] : patterns(part, scope);
      texts = texts.flatMap((t) => options.map((o) => t + o));
    }
    return texts;
  }
  if (expr.kind === 'tuple') return expr.items.flatMap((i) => patterns(i, scope));
  return flatten(evaluate(expr, scope));
}

function isList(expr: Expr, scope: Scope): boolean {
  return expr.kind === 'tuple' || Array.isArray(evaluate(expr, scope));
}

function flatten(value: Value): string[] {
  if (value instanceof Unknown) return ['*'];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return ['*'];
}

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
function iamMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

function listOf(value: Json): string[] {
  return Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
}

function statementsOf(policy: Resource): Statement[] {
  const expr = resourceExpr(policy, 'policy');
  if (expr?.kind !== 'call' || expr.name !== 'jsonencode' || expr.args[0]?.kind !== 'object') return [];
  const statementList = expr.args[0].items.find(
    (i) => (i.key.kind === 'literal' && i.key.value === 'Statement') || (i.key.kind === 'traversal' && i.key.root === 'Statement'),
  );
  if (statementList?.value.kind !== 'tuple') return [];
  return statementList.value.items.flatMap((s): Statement[] => {
    if (s.kind !== 'object') return [];
    const field = (name: string): Expr | undefined =>
      s.items.find((i) => (i.key.kind === 'traversal' && i.key.root === name && i.key.steps.length === 0) || (i.key.kind === 'literal' && i.key.value === name))
        ?.value;
    const effect = evaluate(field('Effect') ?? { kind: 'literal', value: 'Allow' }, policy.scope);
    if (effect !== 'Allow') return [];
    const actions = listOf(evaluate(field('Action') ?? { kind: 'tuple', items: [] }, policy.scope) as Json);
    const tagConditions = new Map<string, string[]>();
    let aliases: string[] | undefined;
    const condition = field('Condition');
    if (condition?.kind === 'object') {
      for (const operator of condition.items) {
        const op = evaluate(operator.key, policy.scope);
        if (operator.value.kind !== 'object') continue;
        for (const entry of operator.value.items) {
          const key = evaluate(entry.key, policy.scope);
          if (op === 'StringEquals' && typeof key === 'string' && key.startsWith('secretsmanager:ResourceTag/')) {
            tagConditions.set(key.slice('secretsmanager:ResourceTag/'.length), patterns(entry.value, policy.scope));
          }
          if (op === 'ForAnyValue:StringEquals' && key === 'kms:ResourceAliases') aliases = patterns(entry.value, policy.scope);
        }
      }
    }
    return [{ actions, resources: patterns(field('Resource'), policy.scope), tagConditions, aliases }];
  });
}

const allows = (s: Statement, action: string): boolean => s.actions.some((a) => iamMatch(a, action));

/** The alias of the customer managed key an attribute names (`aws_kms_key.x.arn`, aliased by an `aws_kms_alias` of the same root); undefined for AWS managed keys. */
function keyAlias(stack: Stack, resource: Resource, attribute: string): { alias: string; key: Resource } | undefined {
  const ref = referencedResource(resourceExpr(resource, attribute));
  if (ref?.type !== 'aws_kms_key') return undefined;
  const key = stack.resources.find((r) => r.type === 'aws_kms_key' && r.name === ref.name);
  const alias = stack.resources.find((r) => {
    const target = referencedResource(resourceExpr(r, 'target_key_id'));
    return r.type === 'aws_kms_alias' && target?.type === 'aws_kms_key' && target.name === ref.name;
  });
  const name = alias ? resourceValue(alias, 'name') : undefined;
  return key && typeof name === 'string' ? { alias: name, key } : undefined;
}

/** Where a secret's ciphertext key is: the Terraform secret by name, or the RDS instance whose master secret `find` selects by its ARN tag. */
function encryptionOf(
  ctx: ServiceEnv,
  secretName: string | undefined,
  instanceArn: string | undefined,
): { alias: string; key: Resource; stack: Stack } | undefined {
  for (const stack of ctx.stacks) {
    const secret =
      secretName === undefined ? undefined : stack.resources.find((r) => r.type === 'aws_secretsmanager_secret' && resourceValue(r, 'name') === secretName);
    const found = secret ? keyAlias(stack, secret, 'kms_key_id') : undefined;
    if (found) return { ...found, stack };
    const identifier = instanceArn?.split(':db:')[1];
    const instance =
      identifier === undefined ? undefined : stack.resources.find((r) => r.type === 'aws_db_instance' && resourceValue(r, 'identifier') === identifier);
    const master = instance ? keyAlias(stack, instance, 'master_user_secret_kms_key_id') : undefined;
    if (master) return { ...master, stack };
  }
  return undefined;
}

/** The operator's role in this environment's `_platform/` roots, and its inline policies. */
function operatorAccess(ctx: ServiceEnv): { role: Resource; stack: Stack; statements: Statement[] } | undefined {
  const eso = ctx.platform.externalSecrets;
  if (!eso) return undefined;
  for (const stack of ctx.platformStacks) {
    const association = stack.resources.find(
      (r) =>
        r.type === 'aws_eks_pod_identity_association' &&
        resourceValue(r, 'namespace') === eso.namespace &&
        resourceValue(r, 'service_account') === eso.serviceAccount,
    );
    const ref = association ? referencedResource(resourceExpr(association, 'role_arn')) : undefined;
    const role = ref?.type === 'aws_iam_role' ? stack.resources.find((r) => r.type === 'aws_iam_role' && r.name === ref.name) : undefined;
    if (!role) continue;
    const policies = stack.resources.filter((r) => {
      const target = referencedResource(resourceExpr(r, 'role'));
      return r.type === 'aws_iam_role_policy' && target?.type === 'aws_iam_role' && target.name === role.name;
    });
    return { role, stack, statements: policies.flatMap(statementsOf) };
  }
  return undefined;
}

export function checkOperatorAccess(ctx: ServiceEnv): WiringProblem[] {
  const folder = ctx.folder;
  if (!folder || ctx.unit === ctx.tree.platform) return [];
  // No operator role in `_platform/` for this environment (preview, or a platform that keeps it elsewhere): nothing to check against.
  const access = operatorAccess(ctx);
  if (!access) return [];
  const { role, stack, statements } = access;
  const region = stack.tfvars.values.aws_region;
  const account = stack.tfvars.values.aws_account_id;
  if (typeof region !== 'string' || typeof account !== 'string') return [];
  const problems: WiringProblem[] = [];
  const where = `${role.address} inline policies (${stack.root.dir}, ${stack.tfvars.path})`;
  // An example ARN of the secret: the six random characters are a placeholder.
  const arnOf = (name: string): string => `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
  const readers = statements.filter((s) => allows(s, 'secretsmanager:GetSecretValue'));
  const report = (es: KubeObject, from: string, to: string, message: string): void => {
    problems.push({ check: 'eso-access', file: es.file, object: describe(es), from, to, message });
  };
  // Secrets Manager decrypts with the secret's key on the reader's behalf: the role needs kms:Decrypt on it (kms:ViaService secretsmanager).
  const decrypters = statements.filter((s) => allows(s, 'kms:Decrypt'));
  const decryptProblem = (es: KubeObject, from: string, encryption: { alias: string; key: Resource; stack: Stack } | undefined): void => {
    if (!encryption) return;
    ctx.followed('eso-access');
    const keyArn = `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`;
    const ok = decrypters.some(
      (s) => s.resources.some((p) => iamMatch(p, keyArn)) && (s.aliases === undefined || s.aliases.some((a) => iamMatch(a, encryption.alias))),
    );
    if (ok) return;
    report(
      es,
      `${from}: encrypted with ${encryption.key.address} (${encryption.alias}, ${encryption.stack.root.dir})`,
      `${where} allow kms:Decrypt ${quoteList(decrypters.map((s) => `on ${s.resources.join(', ')}${s.aliases === undefined ? '' : ` if kms:ResourceAliases has one of ${s.aliases.join(', ')}`}`))}`,
      "the External Secrets Operator's role may not decrypt the secret this ExternalSecret reads",
    );
  };
  for (const es of folder.objects.filter((o) => o.kind === 'ExternalSecret' && o.body.spec?.secretStoreRef?.kind === 'ClusterSecretStore')) {
    const spec = es.body.spec ?? {};
    const byName: { path: string; key: string }[] = [
      ...(spec.data ?? []).map((d: Json, i: number) => ({ path: `spec.data[${i}].remoteRef.key`, key: d.remoteRef?.key })),
      ...(spec.dataFrom ?? []).flatMap((d: Json, i: number) => (d.extract ? [{ path: `spec.dataFrom[${i}].extract.key`, key: d.extract.key }] : [])),
    ];
    for (const { path, key } of byName) {
      ctx.followed('eso-access');
      const arn = arnOf(String(key));
      if (readers.some((s) => s.tagConditions.size === 0 && s.resources.some((p) => iamMatch(p, arn)))) {
        decryptProblem(es, `${path} = ${JSON.stringify(key)}`, encryptionOf(ctx, String(key), undefined));
        continue;
      }
      report(
        es,
        `${path} = ${JSON.stringify(key)} (namespace ${namespaceOf(es, folder)})`,
        `${where} allow secretsmanager:GetSecretValue on: ${quoteList(readers.flatMap((s) => s.resources))}`,
        "the External Secrets Operator's role may not read the secret this ExternalSecret names",
      );
    }
    (spec.dataFrom ?? []).forEach((d: Json, i: number) => {
      if (!d.find) return;
      ctx.followed('eso-access');
      const tags: Record<string, string> = d.find.tags ?? {};
      // The name regexp read as a literal prefix (`^rds!db-`): an example secret name it finds, not every one.
      const name = typeof d.find.name?.regexp === 'string' ? d.find.name.regexp.replace(/^\^/, '') : '';
      const arn = arnOf(`${name}00000000-0000-0000-0000-000000000000`);
      const matching = readers.filter((s) => s.resources.some((p) => iamMatch(p, arn)));
      const covered = matching.some((s) =>
        [...s.tagConditions].every(([tag, values]) => tags[tag] !== undefined && values.some((v) => iamMatch(v, tags[tag] as string))),
      );
      const from = `spec.dataFrom[${i}].find = name ${JSON.stringify(d.find.name?.regexp ?? '')}, tags ${quoteList(Object.entries(tags).map(([k, v]) => `${k}=${v}`))}`;
      if (covered) decryptProblem(es, from, encryptionOf(ctx, undefined, tags['aws:rds:primaryDBInstanceArn']));
      else {
        const gate = (s: Statement): string => [...s.tagConditions].map(([tag, values]) => ` if ${tag} is one of ${values.join(', ')}`).join('');
        report(
          es,
          from,
          `${where} allow secretsmanager:GetSecretValue on ${arn.replace(/-AbCdEf$/, '-…')} only: ${quoteList(matching.map((s) => `${s.resources.filter((p) => iamMatch(p, arn)).join(', ')}${gate(s)}`))}`,
          "the External Secrets Operator's role may not read the secrets this ExternalSecret finds",
        );
      }
      if (!statements.some((s) => allows(s, 'secretsmanager:ListSecrets'))) {
        report(
          es,
          from,
          `${where} do not allow secretsmanager:ListSecrets`,
          "the External Secrets Operator's role may not list secrets, so find matches nothing",
        );
      }
    });
  }
  return problems;
}
