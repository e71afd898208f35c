import type { EnvironmentName, ResolvedProject } from '../../../spec/model.js';

/** The labels of every platform object: the service objects' convention, without a service. */
export function platformLabels(project: ResolvedProject, env?: EnvironmentName): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': project.platform.name,
    'app.kubernetes.io/managed-by': 'paved',
    ...(env === undefined ? {} : { 'paved.dev/environment': env }),
  };
}
