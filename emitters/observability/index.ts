import type { Emitter, EmitResult, GeneratedFile } from '../../spec/emitter.js';
import type { ResolvedProject, ResolvedService } from '../../spec/model.js';
import { names } from '../../spec/naming.js';
import { withMonitorLabels } from '../shared/monitor-labels.js';
import { jsonFile, yamlFile } from '../shared/serialize.js';
import { serviceDashboard } from './dashboard.js';
import { overviewDashboard } from './overview.js';
import { ruleGroups, type RuleEnvironment, type RuleGroup } from './rules.js';
import { layout } from '../../spec/layout.js';

/**
 * Dashboards and alerts derived from the spec, with no separate SLO file:
 * a Grafana dashboard per service and one for the repo, and Prometheus rules
 * (SLI recordings, burn-rate alerts, workload alerts) as a plain rule file and
 * as a PrometheusRule in each cloud environment's Kubernetes output.
 */
export const observabilityEmitter: Emitter = {
  id: 'observability',
  emitService(service, project): EmitResult {
    // A retired service serves nothing to watch; its PrometheusRule leaves with its manifests.
    if (service.retired) return { files: [], diagnostics: [] };
    const source = service.specPath;
    const groups = ruleGroups(service, project, RULE_ENVIRONMENTS);
    const comments = retentionNote(service, project);
    const files: GeneratedFile[] = [
      jsonFile({ path: layout.dashboard(project.output, service.name), source, value: serviceDashboard(service, project) }),
      // Production's rules, for a Prometheus without the operator and for review; staging's differ in env, severities and AWS names.
      yamlFile({ path: layout.alerts(project.output, service.name), source, comments, value: { groups: groups.get('production') } }),
      ...RULE_ENVIRONMENTS.map((env) =>
        yamlFile({
          path: `${layout.kubernetes(project.output, service.name, env)}/prometheusrule.yaml`,
          source,
          comments,
          value: prometheusRule(service, project, groups.get(env)!),
        }),
      ),
    ];
    return { files, diagnostics: [] };
  },
  emitProject(project: ResolvedProject): EmitResult {
    if (project.services.every((s) => s.retired)) return { files: [], diagnostics: [] };
    return {
      files: [jsonFile({ path: layout.overviewDashboard(project.output), source: project.platformSource, value: overviewDashboard(project) })],
      diagnostics: [],
    };
  },
};

/** One Prometheus per cloud environment's cluster evaluates the service's rules. */
const RULE_ENVIRONMENTS: readonly RuleEnvironment[] = ['staging', 'production'];

/**
 * The same groups as a prometheus-operator PrometheusRule, in the service's
 * namespace; the environment's Argo CD Application syncs it with the rest of
 * the directory.
 */
function prometheusRule(service: ResolvedService, project: ResolvedProject, groups: readonly RuleGroup[]): unknown {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: service.name,
      namespace: names.namespace(service.name),
      // The Prometheus's ruleSelector looks for the same labels as its monitor selectors.
      labels: withMonitorLabels(
        {
          'app.kubernetes.io/name': service.name,
          'app.kubernetes.io/managed-by': 'paved',
          'paved.dev/team': service.owner,
          'paved.dev/tier': service.tier,
        },
        project.platform,
      ),
    },
    spec: { groups },
  };
}

/**
 * The SLO meta rules average the 5-minute error ratio over the whole sloWindow
 * (rules.ts `slo:period_burn_rate:ratio`), so they read samples that old: the
 * rule files say so where the Prometheus team reads them.
 */
function retentionNote(service: ResolvedService, project: ResolvedProject): string[] {
  if (!service.observability.slo) return [];
  const { sloWindow, prometheusRetention } = project.platform.observability;
  return [
    `The SLO rules read ${sloWindow} of samples: the Prometheus that loads them must keep at least ${sloWindow} (this platform's observability.prometheusRetention is ${prometheusRetention}; kube-prometheus-stack keeps 10d unless prometheus.prometheusSpec.retention is raised).`,
  ];
}
