import type { EnvironmentName, ResolvedProject } from '../../../spec/model.js';
import { ENVIRONMENTS } from '../../../spec/model.js';
import { names } from '../../../spec/naming.js';

/**
 * The declared secrets (`secrets:` of each service) whose values someone must
 * put into Secrets Manager before the environment first syncs: until then the
 * ExternalSecret fails and the pods wait in CreateContainerConfigError. Names
 * only; paved never sees a value.
 */

export interface SecretToSet {
  readonly name: string;
  readonly service: string;
  readonly owner: string;
}

export interface EnvironmentSecrets {
  readonly account: string;
  readonly region: string;
  readonly secrets: readonly SecretToSet[];
}

/** By environment, in promotion order; services by name, secrets as declared. Environments without any are left out. */
export function secretsToSet(project: ResolvedProject): Partial<Record<EnvironmentName, EnvironmentSecrets>> {
  const { cloud } = project.platform;
  const out: Partial<Record<EnvironmentName, EnvironmentSecrets>> = {};
  for (const env of ENVIRONMENTS) {
    // A retired service's secrets need no value: nothing reads them any more.
    const live = project.services.filter((s) => !s.retired);
    const services = env === 'preview' ? live.filter((s) => s.environments.preview.enabled) : live;
    const secrets = services.flatMap((s) => s.secrets.map((secret) => ({ name: names.secret(s.name, env, secret), service: s.name, owner: s.owner })));
    if (secrets.length === 0) continue;
    // Preview runs in the staging account.
    out[env] = { account: cloud.accounts[env === 'preview' ? 'staging' : env], region: cloud.region, secrets };
  }
  return out;
}

/** The comment atop the file: what the list is and how to set a value without it reaching a shell history or this repository. */
export function secretsComments(project: ResolvedProject): string[] {
  return [
    'The declared secrets of every service, by environment: set each value in AWS Secrets Manager before the',
    "environment's first sync, or its ExternalSecret fails and the pods wait in CreateContainerConfigError.",
    'Staging and production: the service stack (Terraform) creates each entry, encrypted with the service key; set its value with',
    `  aws secretsmanager put-secret-value --region ${project.platform.cloud.region} --secret-id <name> --secret-string file://<file holding the value>`,
    'Preview (in the staging account): nothing creates the entries; use test values only, with',
    `  aws secretsmanager create-secret --region ${project.platform.cloud.region} --name <name> --secret-string file://<file holding the value>`,
  ];
}
