import type { EnvironmentName, ResolvedProject } from '../../spec/model.js';
import type { RunStep, UsesStep, Value } from './model.js';
import { PINNED_ACTIONS as A, TOOL_VERSIONS } from './pins.js';
import { workingDirectory } from './paths.js';
import { KUBECONFIG, NPM_CI, TERRAFORM_INIT } from './scripts.js';

/**
 * Steps shared by several jobs. Every cache an action offers is off: a cache is
 * state an earlier run wrote, which a publishing job must not trust (zizmor
 * cache-poisoning); builds start clean and take a little longer.
 */

/** Never leaves the token in .git/config, where any later step could read it (zizmor artipacked). */
export function checkout(options: { readonly fetchDepth?: number } = {}): UsesStep {
  return {
    name: 'Check out',
    uses: A.checkout,
    with: { 'persist-credentials': false, ...(options.fetchDepth !== undefined ? { 'fetch-depth': options.fetchDepth } : {}) },
  };
}

export function setupNode(): UsesStep {
  return { name: 'Set up Node.js', uses: A.setupNode, with: { 'node-version': TOOL_VERSIONS.node, 'package-manager-cache': false } };
}

/**
 * paved itself, from the lockfile at the paved root: the repository depends on
 * paved as a devDependency there, so the scripts' PAVED runs the reviewed version.
 */
export function installPaved(project: ResolvedProject): RunStep {
  return { name: 'Install paved', run: NPM_CI, 'working-directory': workingDirectory(project) };
}

/** Short-lived credentials from GitHub's OIDC token; the job needs `id-token: write`, and nothing stores a key. */
export function awsCredentials(project: ResolvedProject, env: EnvironmentName): UsesStep {
  return {
    name: `Assume the ${env} CI role`,
    uses: A.awsCredentials,
    with: {
      'role-to-assume': project.platform.ci.roleArns[env],
      'aws-region': project.platform.cloud.region,
      'role-session-name': 'paved-${{ github.run_id }}',
    },
  };
}

export function kubeconfig(project: ResolvedProject, env: EnvironmentName): RunStep {
  return { name: `Connect to the ${env} cluster`, run: KUBECONFIG, env: { CLUSTER: project.platform.kubernetes.clusters[env] } };
}

/** The wrapper would mix its own output into `terraform show`; the version is the one conformance.md validates with. */
export function setupTerraform(): UsesStep {
  return { name: 'Set up Terraform', uses: A.setupTerraform, with: { terraform_version: TOOL_VERSIONS.terraform, terraform_wrapper: false } };
}

/** `what` names the root in the step's name when a job has more than one (`subscriptions`). */
export function terraformInit(project: ResolvedProject, stack: string, env: EnvironmentName, what?: string): RunStep {
  return {
    name: what ? `Terraform init (${what})` : 'Terraform init',
    run: TERRAFORM_INIT,
    env: { STACK: stack, ENVIRONMENT: env },
    'working-directory': workingDirectory(project),
  };
}

/** Registry login for pushing or reading images. ghcr.io takes the workflow token; other registries a username and secret. */
export function registryLogin(project: ResolvedProject, condition?: Value): UsesStep {
  const host = project.platform.registry.split('/')[0]!;
  const credentials =
    host === 'ghcr.io'
      ? { username: '${{ github.actor }}', password: '${{ github.token }}' }
      : { username: '${{ vars.REGISTRY_USERNAME }}', password: '${{ secrets.REGISTRY_PASSWORD }}' };
  return { name: `Log in to ${host}`, ...(condition ? { if: condition } : {}), uses: A.dockerLogin, with: { registry: host, ...credentials } };
}

/** The registry is ghcr.io, whose packages the workflow token reaches with the `packages` permission. */
export const usesGhcr = (project: ResolvedProject): boolean => project.platform.registry.split('/')[0] === 'ghcr.io';

export function setupBuildx(): UsesStep {
  return { name: 'Set up Docker Buildx', uses: A.dockerSetupBuildx, with: { 'cache-binary': false } };
}
