import type { EnvironmentName, ResolvedProject, ResolvedService } from '../../spec/model.js';
import { trimSlash, kebab } from './text.js';

/**
 * Dashboard uids and the URLs alerts link to. A service's dashboard uid is its
 * name: unique in the repo, at most 40 characters (Grafana's uid limit), and the
 * same on every compile. The overview's uid has an underscore, which no service
 * name can, so the two never collide.
 */
export const dashboardUid = (service: ResolvedService): string => service.name;
export const OVERVIEW_UID = 'paved_overview';

/** The service dashboard opened on an environment. */
export function dashboardUrl(project: ResolvedProject, service: ResolvedService, env: EnvironmentName): string {
  return `${trimSlash(project.platform.observability.grafanaUrl)}/d/${dashboardUid(service)}?var-env=${env}`;
}

/**
 * One runbook per alert, shared by every service: the golden path gives every
 * service the same alerts, so the platform writes each runbook once and on-call
 * finds it on a service's first day.
 */
export function runbookUrl(project: ResolvedProject, alert: string): string {
  return `${trimSlash(project.platform.observability.runbookBaseUrl)}/${kebab(alert)}`;
}

/** Grafana's alert list filtered to the service's alerts; relative, so it works on any Grafana. */
export const alertListPath = (service: ResolvedService): string => `/alerting/list?search=label:service=${service.name}`;
