import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import type { ResolvedProject } from '../../spec/model.js';
import { dashboardUid, OVERVIEW_UID } from './links.js';
import { firingAlerts } from './dashboard.js';
import { BUDGET, datasourceVariable, environmentVariable, link, PanelIds, row, stat } from './panels.js';
import { eq, series, sumBy } from './promql.js';
import { grafana } from './grafana.js';

/**
 * One dashboard for the whole repo: every service's error budget and firing
 * alerts, each linking to the service's own dashboard.
 */
export function overviewDashboard(project: ResolvedProject): Dashboard {
  const ids = new PanelIds();
  const env = eq('env', '$env');
  const builder = new (grafana().dashboard.DashboardBuilder)('Services overview')
    .uid(OVERVIEW_UID)
    .description('Error budget and firing alerts of every service paved compiles.')
    .tags(['paved'])
    .editable()
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(datasourceVariable(project.platform.observability.prometheusDatasource))
    .withVariable(environmentVariable(['production', 'staging']))
    .withRow(row(ids, 'Services'));
  // A retired service has no dashboard to link to.
  for (const service of project.services.filter((s) => !s.retired)) {
    const toService = [link(`${service.name} dashboard`, `/d/${dashboardUid(service)}`, true)];
    const hasSlo = service.observability.slo !== undefined;
    builder.withPanel(
      stat(
        ids,
        `${service.name}: error budget remaining`,
        hasSlo
          ? [
              {
                expr: sumBy(['sloth_slo'], series('slo:period_error_budget_remaining:ratio', [eq('sloth_service', service.name), env]), 'min'),
                legend: '{{sloth_slo}}',
              },
            ]
          : [],
        {
          unit: 'percentunit',
          width: 16,
          description: service.description,
          noValue: hasSlo ? 'no data' : 'no request SLO (worker)',
          steps: BUDGET,
        },
      ).links(toService),
    );
    builder.withPanel(firingAlerts(ids, `${service.name}: firing alerts`, service, { width: 8, height: 4 }).links(toService));
  }
  return builder.build();
}
