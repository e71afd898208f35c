import type { Emitter, EmitResult, GeneratedFile } from '../../spec/emitter.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { jsonFile, yamlFile } from '../shared/serialize.js';
import { serviceDashboard } from './dashboard.js';
import { overviewDashboard } from './overview.js';
import { ruleGroups, type RuleEnvironment, type RuleGroup } from './rules.js';

/**
 * Dashboards and alerts derived from the spec, with no separate SLO file:
 * a Grafana dashboard per service and one for the repo, and Prometheus rules
 * (SLI recordings, burn-rate alerts, workload alerts) as a plain rule file and
 * as a PrometheusRule in each cloud environment's Kubernetes output.
 */
export const observabilityEmitter: Emitter = {
  id: 'observability',
  emitService(service, project): EmitResult {
    const dir = `${project.output.dir}/${service.name}`;
    const source = service.specPath;
    const groups = new Map(RULE_ENVIRONMENTS.map((env) => [env, ruleGroups(service, project, env)] as const));
    const files: GeneratedFile[] = [
      jsonFile({ path: `${dir}/grafana/dashboard.json`, source, value: serviceDashboard(service, project) }),
      // Production's rules, for a Prometheus without the operator and for review; staging's differ in env, severities and AWS names.
      yamlFile({ path: `${dir}/alerts/rules.yaml`, source, value: { groups: groups.get('production') } }),
      ...RULE_ENVIRONMENTS.map((env) => yamlFile({ path: `${dir}/kubernetes/${env}/prometheusrule.yaml`, source, value: prometheusRule(service, groups.get(env)!) })),
    ];
    return { files, diagnostics: [] };
  },
  emitProject(project: ResolvedProject): EmitResult {
    if (project.services.length === 0) return { files: [], diagnostics: [] };
    return { files: [jsonFile({ path: `${project.output.dir}/grafana/overview.json`, source: project.platformSource, value: overviewDashboard(project) })], diagnostics: [] };
  },
};

/** One Prometheus per cloud environment's cluster evaluates the service's rules. */
const RULE_ENVIRONMENTS: readonly RuleEnvironment[] = ['staging', 'production'];

/**
 * The same groups as a prometheus-operator PrometheusRule, in the service's
 * namespace; the environment's Argo CD Application syncs it with the rest of
 * the directory.
 */
function prometheusRule(service: ResolvedService, groups: readonly RuleGroup[]): unknown {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: service.name,
      namespace: names.namespace(service.name),
      labels: {
        'app.kubernetes.io/name': service.name,
        'app.kubernetes.io/managed-by': 'paved',
        'paved.dev/team': service.owner,
        'paved.dev/tier': service.tier,
      },
    },
    spec: { groups },
  };
}
