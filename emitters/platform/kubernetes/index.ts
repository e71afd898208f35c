import type { Diagnostic } from '../../../spec/diagnostic.js';
import type { GeneratedFile } from '../../../spec/emitter.js';
import type { ResolvedProject } from '../../../spec/model.js';
import { ENVIRONMENTS } from '../../../spec/model.js';
import { CLOUD_ENVIRONMENTS } from '../../../spec/naming.js';
import { yamlFile } from '../../shared/serialize.js';
import { appProject, ARGOCD_DEFAULT_PROJECT } from './app-project.js';
import { bootstrapApplication, clusterApplication, servicesApplication } from './applications.js';
import { argocdDirectory, bootstrapFile, clusterDirectory, secretsFile } from './layout.js';
import { secretStores } from './secret-stores.js';
import { secretsComments, secretsToSet } from './secrets-to-set.js';

/**
 * The Kubernetes half of the platform layer: what a platform team applies
 * once so that every service after it deploys (README, Platform layer:
 * Kubernetes). Project-wide, so it is emitted from the whole project, never
 * per service:
 *
 *   _platform/bootstrap.yaml                          the Application to apply by hand
 *   _platform/argocd/appproject.yaml                  the services' AppProject
 *   _platform/argocd/<env>-platform.yaml              Application: the cluster's objects
 *   _platform/argocd/<env>-services.yaml              Application: the environment's app-of-apps
 *   _platform/kubernetes/<env>/clustersecretstore-<store>.yaml
 *   _platform/secrets.yaml                            secret values to set before the first sync
 */
export function platformKubernetesFiles(project: ResolvedProject): GeneratedFile[] {
  if (project.services.length === 0) return [];
  const source = project.platformSource;
  const files: GeneratedFile[] = [];
  const argocd: GeneratedFile[] = [];

  const projectObject = appProject(project);
  if (projectObject) argocd.push(yamlFile({ path: `${argocdDirectory(project)}/appproject.yaml`, source, value: projectObject }));

  const stores = secretStores(project);
  for (const env of ENVIRONMENTS) {
    const store = stores.get(env);
    if (!store) continue;
    files.push(yamlFile({ path: `${clusterDirectory(project, env)}/clustersecretstore-${store.metadata.name}.yaml`, source, value: store }));
    argocd.push(yamlFile({ path: `${argocdDirectory(project)}/${env}-platform.yaml`, source, value: clusterApplication(project, env) }));
  }
  for (const env of CLOUD_ENVIRONMENTS as ReadonlyArray<'staging' | 'production'>) {
    // Once a service runs there. The service Applications are on the deploy branch only (main records no
    // releases), so this cannot wait for a release; until the first one, Argo CD reports the folder missing.
    if (!project.services.some((s) => s.environments[env].enabled)) continue;
    argocd.push(yamlFile({ path: `${argocdDirectory(project)}/${env}-services.yaml`, source, value: servicesApplication(project, env) }));
  }
  if (argocd.length > 0) files.push(...argocd, yamlFile({ path: bootstrapFile(project), source, value: bootstrapApplication(project) }));

  const secrets = secretsToSet(project);
  if (Object.keys(secrets).length > 0)
    files.push(yamlFile({ path: secretsFile(project), source, comments: secretsComments(project), value: { environments: secrets } }));
  return files;
}

/** What the platform layer cannot do for this platform.yaml, as warnings. */
export function platformKubernetesDiagnostics(project: ResolvedProject): Diagnostic[] {
  if (project.services.length === 0 || project.platform.gitops.project !== ARGOCD_DEFAULT_PROJECT) return [];
  return [
    {
      code: 'EMIT.DEFAULT_PROJECT',
      severity: 'warning',
      message: `gitops.project: "${ARGOCD_DEFAULT_PROJECT}" is Argo CD's built-in project; paved emits no AppProject over it, so nothing limits the service Applications to their own namespaces and kinds`,
      hint: 'name a project paved owns (the embedded default is "paved"): paved then generates it in _platform/argocd/appproject.yaml',
      file: project.platformSource,
      pointer: '/gitops/project',
    },
  ];
}
