import { quoteList, type ServiceEnv, type Stack, type WiringProblem } from './context.js';
import { containersOf, describe, namespaceOf, podsOf } from './kube.js';
import type { Json, KubeObject, ManifestFolder } from './output.js';
import { jsonencodedKeys, referencedResource, resourceExpr, resourceValue, type Resource } from './terraform.js';

/**
 * Secrets, from Secrets Manager to the container: an ExternalSecret's store is one
 * the platform runs, its `remoteRef.key` a secret Terraform creates (name resolved
 * through the environment's tfvars), its `property` a key of the JSON Terraform
 * writes; and every `secretKeyRef`/`envFrom`/secret volume names a Secret the
 * folder creates (an ExternalSecret's target or a preview stand-in), with that key.
 * Semantics relied on (external-secrets.io/v1): the target Secret is
 * `spec.target.name`, defaulting to the ExternalSecret's name; `data[].secretKey`
 * are its keys unless `target.template.data` replaces them; `dataFrom.extract`
 * spreads the JSON keys of one secret, `dataFrom.find` keys only known at runtime.
 */

interface TerraformSecret {
  readonly stack: Stack;
  readonly resource: Resource;
  readonly name: string;
  /** Keys of the JSON the secret's version writes; undefined when Terraform writes no version, or its keys cannot be known. */
  readonly keys?: readonly string[];
  readonly version?: Resource;
}

function terraformSecrets(stacks: readonly Stack[]): TerraformSecret[] {
  const out: TerraformSecret[] = [];
  for (const stack of stacks) {
    const versions = stack.resources.filter((r) => r.type === 'aws_secretsmanager_secret_version');
    for (const resource of stack.resources) {
      if (resource.type !== 'aws_secretsmanager_secret') continue;
      const name = resourceValue(resource, 'name');
      if (typeof name !== 'string') continue;
      const version = versions.find((v) => {
        const ref = referencedResource(resourceExpr(v, 'secret_id'));
        return ref?.type === resource.type && ref.name === resource.name;
      });
      const keys = version ? jsonencodedKeys(resourceExpr(version, 'secret_string'), version.scope) : undefined;
      out.push({ stack, resource, name, version, keys });
    }
  }
  return out;
}

function stackNames(stacks: readonly Stack[]): string {
  return stacks.map((s) => `${s.root.dir} (${s.tfvars.path})`).join(', ');
}

const generatorRefs = (es: KubeObject): Json[] =>
  ((es.body.spec?.dataFrom ?? []) as Json[]).map((d) => d.sourceRef?.generatorRef).filter((g) => g !== undefined);

/**
 * `dataFrom[].sourceRef.generatorRef` names a generator (generators.external-secrets.io)
 * of its kind in the ExternalSecret's namespace; every dataFrom entry must be one,
 * since there is no store to read anything else from.
 */
function generatorProblems(ctx: ServiceEnv, es: KubeObject, folder: ManifestFolder): WiringProblem[] {
  ctx.followed('secret-store');
  const namespace = namespaceOf(es, folder);
  const problems: WiringProblem[] = [];
  const entries = (es.body.spec?.dataFrom ?? []) as Json[];
  for (const [i, entry] of entries.entries()) {
    const ref = entry.sourceRef?.generatorRef;
    const from = `spec.dataFrom[${i}].sourceRef.generatorRef = ${ref?.kind ?? '(none)'}/${ref?.name ?? ''}`;
    const found =
      ref &&
      folder.objects.some((o) => o.kind === ref.kind && o.name === ref.name && o.body.apiVersion === ref.apiVersion && namespaceOf(o, folder) === namespace);
    if (!found)
      problems.push({
        check: 'secret-store',
        file: es.file,
        object: describe(es),
        from,
        to: `generators in namespace ${namespace} of ${ctx.env}`,
        message: ref
          ? 'the ExternalSecret runs a generator the folder does not create'
          : 'the ExternalSecret has no secretStoreRef, and this entry no generator',
      });
  }
  return problems;
}

function storeProblems(ctx: ServiceEnv, es: KubeObject, folder: ManifestFolder): WiringProblem[] {
  const ref = es.body.spec?.secretStoreRef ?? {};
  const kind: string = ref.kind ?? 'SecretStore';
  const name: string = ref.name ?? '';
  const from = `spec.secretStoreRef = ${kind}/${name}`;
  const storeObjects = ctx.envFolders.flatMap((f) => f.objects.filter((o) => o.kind === kind).map((o) => ({ o, f })));
  const platformStores = ctx.tree.platform?.kubernetes.get(ctx.env)?.objects.filter((o) => o.kind === 'ClusterSecretStore') ?? [];
  let names: string[];
  let where: string;
  if (kind === 'SecretStore') {
    const namespace = namespaceOf(es, folder);
    names = storeObjects.filter(({ o, f }) => namespaceOf(o, f) === namespace).map(({ o }) => o.name);
    where = `SecretStores in namespace ${namespace} of ${ctx.env}`;
  } else if (platformStores.length > 0) {
    names = platformStores.map((o) => o.name);
    where = `ClusterSecretStores in ${ctx.tree.platform?.kubernetes.get(ctx.env)?.dir}`;
  } else if (ctx.platform.secretStores?.[ctx.env] !== undefined) {
    names = [ctx.platform.secretStores[ctx.env] as string];
    where = `platform kubernetes.secretStores.${ctx.env}`;
  } else return [];
  ctx.followed('secret-store');
  if (names.includes(name))
    return kind === 'ClusterSecretStore'
      ? conditionProblems(
          es,
          folder,
          platformStores.find((o) => o.name === name),
          from,
        )
      : [];
  return [
    {
      check: 'secret-store',
      file: es.file,
      object: describe(es),
      from,
      to: `${where}: ${quoteList(names)}`,
      message: `the ExternalSecret reads from a ${kind} the platform does not run in ${ctx.env}`,
    },
  ];
}

/**
 * A ClusterSecretStore's `spec.conditions` limit the namespaces it serves
 * (external-secrets.io/v1: an ExternalSecret elsewhere is refused). Only
 * `namespaces` lists are read; a selector or regex leaves the link unchecked.
 */
function conditionProblems(es: KubeObject, folder: ManifestFolder, store: KubeObject | undefined, from: string): WiringProblem[] {
  const conditions: Json[] = store?.body.spec?.conditions ?? [];
  if (!store || conditions.length === 0 || conditions.some((c) => c.namespaceSelector !== undefined || c.namespaceRegexes !== undefined)) return [];
  const namespace = namespaceOf(es, folder);
  const allowed: string[] = conditions.flatMap((c) => c.namespaces ?? []);
  if (allowed.includes(namespace)) return [];
  return [
    {
      check: 'secret-store',
      file: es.file,
      object: describe(es),
      from: `${from} (namespace ${namespace})`,
      to: `${describe(store)} (${store.file}) spec.conditions namespaces: ${quoteList(allowed)}`,
      message: "the ClusterSecretStore does not serve the ExternalSecret's namespace",
    },
  ];
}

function remoteProblems(ctx: ServiceEnv, es: KubeObject): WiringProblem[] {
  const stacks = [...ctx.stacks, ...(ctx.unit === ctx.tree.platform ? [] : ctx.platformStacks)];
  if (stacks.length === 0) return []; // no Terraform for this environment (preview): values are set out of band
  const secrets = terraformSecrets(stacks);
  const problems: WiringProblem[] = [];
  const refs: { path: string; key: Json; property?: Json; spread: boolean }[] = [
    ...(es.body.spec?.data ?? []).map((d: Json, i: number) => ({
      path: `spec.data[${i}].remoteRef`,
      key: d.remoteRef?.key,
      property: d.remoteRef?.property,
      spread: false,
    })),
    ...(es.body.spec?.dataFrom ?? []).flatMap((d: Json, i: number) =>
      d.extract ? [{ path: `spec.dataFrom[${i}].extract`, key: d.extract.key, property: d.extract.property, spread: true }] : [],
    ),
  ];
  for (const ref of refs) {
    ctx.followed('remote-secret');
    const secret = secrets.find((s) => s.name === ref.key);
    if (!secret) {
      problems.push({
        check: 'remote-secret',
        file: es.file,
        object: describe(es),
        from: `${ref.path}.key = ${JSON.stringify(ref.key)}`,
        to: `aws_secretsmanager_secret names of ${stackNames(stacks)}: ${quoteList(secrets.map((s) => s.name))}`,
        message: `the ExternalSecret reads a Secrets Manager secret no Terraform root creates for ${ctx.env}`,
      });
      continue;
    }
    if (secret.keys !== undefined) ctx.followed('remote-property');
    const versionAt = secret.version ? `${secret.version.address} secret_string (${secret.version.file})` : '';
    if (ref.property !== undefined && secret.keys !== undefined && !secret.keys.includes(ref.property)) {
      problems.push({
        check: 'remote-property',
        file: es.file,
        object: describe(es),
        from: `${ref.path}.property = ${JSON.stringify(ref.property)}`,
        to: `${versionAt} keys: ${quoteList(secret.keys)}`,
        message: `the ExternalSecret reads a JSON key the Terraform secret ${secret.resource.address} does not write`,
      });
    }
    if (ref.property === undefined && !ref.spread && secret.keys !== undefined) {
      problems.push({
        check: 'remote-property',
        file: es.file,
        object: describe(es),
        from: `${ref.path} without property (key ${JSON.stringify(ref.key)})`,
        to: `${versionAt} is a JSON object with keys ${quoteList(secret.keys)}`,
        message: 'the ExternalSecret copies the whole JSON document into one key; name the property it needs',
      });
    }
  }
  return problems;
}

/** A Secret the folder creates, and its keys when they are known. */
interface CreatedSecret {
  readonly source: KubeObject;
  readonly keys?: ReadonlySet<string>;
}

function createdSecrets(ctx: ServiceEnv, folder: ManifestFolder): Map<string, CreatedSecret> {
  const out = new Map<string, CreatedSecret>();
  const terraform = terraformSecrets([...ctx.stacks, ...ctx.platformStacks]);
  for (const o of folder.objects) {
    const namespace = namespaceOf(o, folder);
    if (o.kind === 'Secret') {
      out.set(`${namespace}/${o.name}`, { source: o, keys: new Set([...Object.keys(o.body.data ?? {}), ...Object.keys(o.body.stringData ?? {})]) });
    }
    if (o.kind === 'ExternalSecret') {
      const spec = o.body.spec ?? {};
      const target = spec.target?.name ?? o.name;
      let keys: Set<string> | undefined = new Set((spec.data ?? []).map((d: Json) => d.secretKey));
      for (const d of spec.dataFrom ?? []) {
        const extracted = d.extract ? terraform.find((s) => s.name === d.extract.key)?.keys : undefined;
        if (extracted && keys) for (const k of extracted) keys.add(k);
        else keys = undefined;
      }
      const template = spec.target?.template;
      if (template?.templateFrom) keys = undefined;
      else if (template?.data) {
        const templated = Object.keys(template.data);
        keys = template.mergePolicy === 'Merge' && keys ? new Set([...keys, ...templated]) : new Set(templated);
      }
      out.set(`${namespace}/${target}`, { source: o, keys });
    }
  }
  return out;
}

function refProblems(ctx: ServiceEnv, folder: ManifestFolder): WiringProblem[] {
  const secrets = createdSecrets(ctx, folder);
  const problems: WiringProblem[] = [];
  const namesIn = (namespace: string): string[] => [...secrets.keys()].filter((k) => k.startsWith(`${namespace}/`)).map((k) => k.slice(namespace.length + 1));
  for (const pod of podsOf(folder)) {
    const check = (path: string, name: string, key: string | undefined, optional: boolean): void => {
      if (optional) return;
      ctx.followed('secret-key-ref');
      const created = secrets.get(`${pod.namespace}/${name}`);
      const object = describe(pod.owner);
      if (!created) {
        problems.push({
          check: 'secret-key-ref',
          file: pod.owner.file,
          object,
          from: `${path} = Secret ${pod.namespace}/${name}${key === undefined ? '' : ` key ${JSON.stringify(key)}`}`,
          to: `Secrets created in ${folder.dir} (namespace ${pod.namespace}): ${quoteList(namesIn(pod.namespace))}`,
          message: 'the workload reads a Secret that nothing in its folder creates',
        });
      } else if (key !== undefined && created.keys !== undefined && !created.keys.has(key)) {
        problems.push({
          check: 'secret-key-ref',
          file: pod.owner.file,
          object,
          from: `${path} = Secret ${pod.namespace}/${name} key ${JSON.stringify(key)}`,
          to: `${describe(created.source)} (${created.source.file}) creates keys: ${quoteList([...created.keys].sort())}`,
          message: 'the workload reads a key its Secret does not have',
        });
      }
    };
    for (const { container, path } of containersOf(pod)) {
      (container.env ?? []).forEach((e: Json, i: number) => {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) check(`${path}.env[${i}] (${e.name}).valueFrom.secretKeyRef`, ref.name, ref.key, ref.optional === true);
      });
      (container.envFrom ?? []).forEach((e: Json, i: number) => {
        if (e.secretRef) check(`${path}.envFrom[${i}].secretRef`, e.secretRef.name, undefined, e.secretRef.optional === true);
      });
    }
    const volumesPath = pod.path === '' ? 'spec.volumes' : `${pod.path}.spec.volumes`;
    (pod.spec.volumes ?? []).forEach((v: Json, i: number) => {
      if (!v.secret) return;
      const items: Json[] = v.secret.items ?? [];
      if (items.length === 0) check(`${volumesPath}[${i}].secret`, v.secret.secretName, undefined, v.secret.optional === true);
      items.forEach((item, j) => check(`${volumesPath}[${i}].secret.items[${j}]`, v.secret.secretName, item.key, v.secret.optional === true));
    });
  }
  return problems;
}

export function checkSecrets(ctx: ServiceEnv): WiringProblem[] {
  const folder = ctx.folder;
  if (!folder) return [];
  const problems: WiringProblem[] = [];
  for (const es of folder.objects.filter((o) => o.kind === 'ExternalSecret')) {
    // Values only a generator makes (preview's database passwords) read no store: the generator must be there instead.
    if (es.body.spec?.secretStoreRef === undefined && generatorRefs(es).length > 0) problems.push(...generatorProblems(ctx, es, folder));
    else problems.push(...storeProblems(ctx, es, folder), ...remoteProblems(ctx, es));
  }
  problems.push(...refProblems(ctx, folder));
  return problems;
}
