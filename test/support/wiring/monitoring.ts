import { quoteList, type ServiceEnv, type WiringProblem } from './context.js';
import { allows, describe, namespaceOf, podsOf, selects, serviceSelects, showSelector, type Pod } from './kube.js';
import type { Json, KubeObject, ManifestFolder } from './output.js';

/**
 * Prometheus Operator (monitoring.coreos.com/v1): a ServiceMonitor selects
 * Services in its own namespace unless `namespaceSelector` says otherwise, and
 * scrapes the Service port named by `endpoints[].port`, which reaches the pods
 * through `targetPort`; a PodMonitor scrapes the container port named by
 * `podMetricsEndpoints[].port`. The `job` label is the value of the target's
 * `jobLabel` label, else the Service name (ServiceMonitor) or
 * `<namespace>/<PodMonitor name>` (PodMonitor). kube-prometheus-stack selects
 * monitors and rules by the labels the platform lists in `kubernetes.monitorLabels`
 * (its serviceMonitorSelector/ruleSelector). The rules' `job`/`namespace` (and
 * kube-state-metrics `cronjob`/`horizontalpodautoscaler`/`deployment`) matchers
 * must name what the monitors and manifests produce.
 */

interface Scrape {
  readonly job: string;
  readonly namespace: string;
}

const PROMETHEUS_POD_LABELS = { 'app.kubernetes.io/name': 'prometheus' };

function labelProblems(ctx: ServiceEnv, object: KubeObject): WiringProblem[] {
  const required = ctx.platform.monitorLabels;
  if (!required) return [];
  ctx.followed('monitor-labels');
  const missing = Object.entries(required).filter(([k, v]) => object.labels[k] !== v);
  if (missing.length === 0) return [];
  return [
    {
      check: 'monitor-labels',
      file: object.file,
      object: describe(object),
      from: `metadata.labels: ${quoteList(Object.entries(object.labels).map(([k, v]) => `${k}=${v}`))}`,
      to: `platform kubernetes.monitorLabels: ${quoteList(Object.entries(required).map(([k, v]) => `${k}=${v}`))}`,
      message: `Prometheus selects ${object.kind}s by the platform's monitor labels; this one lacks ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    },
  ];
}

function inNamespaces(monitor: KubeObject, folder: ManifestFolder): (namespace: string) => boolean {
  const selector = monitor.body.spec?.namespaceSelector;
  if (selector?.any === true) return () => true;
  if (Array.isArray(selector?.matchNames)) return (n) => selector.matchNames.includes(n);
  const own = namespaceOf(monitor, folder);
  return (n) => n === own;
}

function reachable(ctx: ServiceEnv, monitor: KubeObject, pod: Pod, port: number, path: string): WiringProblem[] {
  const namespace = ctx.platform.prometheusNamespace;
  if (namespace === undefined) return [];
  ctx.followed('monitor-reachable');
  const prometheus = { namespace, namespaceLabels: ctx.network.namespaceLabels(namespace), labels: PROMETHEUS_POD_LABELS, ports: [] };
  if (allows(ctx.network, 'Ingress', pod, prometheus, port)) return [];
  return [
    {
      check: 'monitor-reachable',
      file: monitor.file,
      object: describe(monitor),
      from: `${path} → ${describe(pod.owner)} container port ${port}`,
      to: `NetworkPolicies selecting ${describe(pod.owner)}'s pods admit no ingress from namespace ${namespace} (platform kubernetes.prometheusNamespace) on ${port}`,
      message: 'Prometheus cannot reach the port the monitor scrapes',
    },
  ];
}

function serviceMonitor(ctx: ServiceEnv, monitor: KubeObject, folder: ManifestFolder, pods: readonly Pod[], scrapes: Scrape[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const spec = monitor.body.spec ?? {};
  const base = { check: 'monitor-target' as const, file: monitor.file, object: describe(monitor) };
  ctx.followed('monitor-target');
  const inScope = inNamespaces(monitor, folder);
  const services = ctx.envFolders.flatMap((f) =>
    f.objects.filter((o) => o.kind === 'Service' && inScope(namespaceOf(o, f)) && selects(spec.selector ?? {}, o.labels)).map((o) => ({ o, f })),
  );
  if (services.length === 0) {
    return [
      {
        ...base,
        from: `spec.selector = ${showSelector(spec.selector)}`,
        to: `Services in ${ctx.env} and their labels: ${quoteList(ctx.envFolders.flatMap((f) => f.objects.filter((o) => o.kind === 'Service' && inScope(namespaceOf(o, f))).map((o) => `${o.name} {${showSelector({ matchLabels: o.labels })}}`)))}`,
        message: 'the ServiceMonitor selects no Service',
      },
    ];
  }
  for (const { o: service, f } of services) {
    const namespace = namespaceOf(service, f);
    const jobLabel = spec.jobLabel;
    scrapes.push({ job: jobLabel && service.labels[jobLabel] !== undefined ? service.labels[jobLabel] : service.name, namespace });
    const backing = pods.filter((p) => p.namespace === namespace && serviceSelects(service.body.spec?.selector, p.labels));
    (spec.endpoints ?? []).forEach((endpoint: Json, i: number) => {
      const path = `spec.endpoints[${i}]`;
      const servicePorts: Json[] = service.body.spec?.ports ?? [];
      let target: Json;
      if (endpoint.port !== undefined) {
        const port = servicePorts.find((p) => p.name === endpoint.port);
        if (!port) {
          problems.push({
            ...base,
            from: `${path}.port = ${JSON.stringify(endpoint.port)}`,
            to: `${describe(service)} (${service.file}) port names: ${quoteList(servicePorts.map((p) => p.name ?? String(p.port)))}`,
            message: 'the ServiceMonitor scrapes a port the Service does not name',
          });
          return;
        }
        target = port.targetPort ?? port.port;
      } else target = endpoint.targetPort;
      if (backing.length === 0) {
        problems.push({
          ...base,
          from: `${path} via ${describe(service)} selector ${showSelector(service.body.spec?.selector)}`,
          to: `pods in namespace ${namespace}: ${quoteList(pods.filter((p) => p.namespace === namespace).map((p) => describe(p.owner)))}`,
          message: 'the scraped Service selects no pods',
        });
        return;
      }
      for (const pod of backing) {
        const port = pod.ports.find((c) => (typeof target === 'number' ? c.containerPort === target : c.name === target));
        if (!port) {
          problems.push({
            ...base,
            from: `${path} → ${describe(service)} targetPort ${JSON.stringify(target)}`,
            to: `${describe(pod.owner)} (${pod.owner.file}) container ports: ${quoteList(pod.ports.map((c) => `${c.name ?? ''}:${c.containerPort}`))}`,
            message: 'the scraped port is not a container port of the pods behind the Service',
          });
        } else problems.push(...reachable(ctx, monitor, pod, port.containerPort, path));
      }
    });
  }
  return problems;
}

function podMonitor(ctx: ServiceEnv, monitor: KubeObject, folder: ManifestFolder, pods: readonly Pod[], scrapes: Scrape[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const spec = monitor.body.spec ?? {};
  const base = { check: 'monitor-target' as const, file: monitor.file, object: describe(monitor) };
  ctx.followed('monitor-target');
  const inScope = inNamespaces(monitor, folder);
  const selected = pods.filter((p) => inScope(p.namespace) && selects(spec.selector ?? {}, p.labels));
  if (selected.length === 0) {
    return [
      {
        ...base,
        from: `spec.selector = ${showSelector(spec.selector)}`,
        to: `pod templates in ${ctx.env} and their labels: ${quoteList(pods.filter((p) => inScope(p.namespace)).map((p) => `${describe(p.owner)} {${showSelector({ matchLabels: p.labels })}}`))}`,
        message: 'the PodMonitor selects no pods',
      },
    ];
  }
  for (const pod of selected) {
    const jobLabel = spec.jobLabel;
    scrapes.push({
      job: jobLabel && pod.labels[jobLabel] !== undefined ? pod.labels[jobLabel] : `${namespaceOf(monitor, folder)}/${monitor.name}`,
      namespace: pod.namespace,
    });
    (spec.podMetricsEndpoints ?? []).forEach((endpoint: Json, i: number) => {
      const path = `spec.podMetricsEndpoints[${i}]`;
      const wanted = endpoint.port ?? endpoint.portNumber ?? endpoint.targetPort;
      const port = pod.ports.find((c) => (typeof wanted === 'number' ? c.containerPort === wanted : c.name === wanted));
      if (!port) {
        problems.push({
          ...base,
          from: `${path}.port = ${JSON.stringify(wanted)}`,
          to: `${describe(pod.owner)} (${pod.owner.file}) container ports: ${quoteList(pod.ports.map((c) => `${c.name ?? ''}:${c.containerPort}`))}`,
          message: 'the PodMonitor scrapes a port the pods do not name',
        });
      } else problems.push(...reachable(ctx, monitor, pod, port.containerPort, path));
    });
  }
  return problems;
}

/** Equality matchers of a PromQL expression: `name="value"` (escapes undone). */
export function equalityMatchers(expr: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const m of expr.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) {
    const before = expr[(m.index ?? 0) - 1];
    if (before === '!' || before === '=' || before === '~') continue;
    out.push({ name: m[1] as string, value: JSON.parse(`"${m[2]}"`) as string });
  }
  return out;
}

const OBJECT_MATCHERS: Readonly<Record<string, string>> = { cronjob: 'CronJob', horizontalpodautoscaler: 'HorizontalPodAutoscaler', deployment: 'Deployment' };

function ruleProblems(ctx: ServiceEnv, rule: KubeObject, scrapes: readonly Scrape[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const namespaces = [...new Set(ctx.envFolders.flatMap((f) => podsOf(f).map((p) => p.namespace)))].sort();
  (rule.body.spec?.groups ?? []).forEach((group: Json, g: number) => {
    (group.rules ?? []).forEach((r: Json, i: number) => {
      const path = `spec.groups[${g}].rules[${i}] (${r.record ?? r.alert})`;
      const matchers = equalityMatchers(String(r.expr ?? ''));
      const namespace = matchers.find((m) => m.name === 'namespace')?.value;
      const base = { check: 'rule-matcher' as const, file: rule.file, object: describe(rule) };
      for (const m of matchers) {
        const from = `${path}.expr matcher ${m.name}="${m.value}"`;
        if (m.name === 'job' || m.name === 'namespace' || OBJECT_MATCHERS[m.name] !== undefined) ctx.followed('rule-matcher');
        if (m.name === 'job') {
          const jobs = scrapes.filter((s) => namespace === undefined || s.namespace === namespace);
          if (!jobs.some((s) => s.job === m.value)) {
            problems.push({
              ...base,
              from,
              to: `jobs the monitors of ${ctx.env} produce${namespace === undefined ? '' : ` in namespace ${namespace}`}: ${quoteList(jobs.map((s) => s.job))}`,
              message: 'the rule reads a job no monitor scrapes, so it never sees a series',
            });
          }
        } else if (m.name === 'namespace' && !namespaces.includes(m.value)) {
          problems.push({
            ...base,
            from,
            to: `namespaces with workloads in ${ctx.env}: ${quoteList(namespaces)}`,
            message: 'the rule reads a namespace no workload runs in',
          });
        } else if (OBJECT_MATCHERS[m.name] !== undefined) {
          const kind = OBJECT_MATCHERS[m.name] as string;
          const names = ctx.envFolders.flatMap((f) =>
            f.objects.filter((o) => o.kind === kind && (namespace === undefined || namespaceOf(o, f) === namespace)).map((o) => o.name),
          );
          if (!names.includes(m.value)) {
            problems.push({
              ...base,
              from,
              to: `${kind}s${namespace === undefined ? '' : ` in namespace ${namespace}`}: ${quoteList(names)}`,
              message: `the rule reads a ${kind} the manifests do not create`,
            });
          }
        }
      }
    });
  });
  return problems;
}

export function checkMonitoring(ctx: ServiceEnv): WiringProblem[] {
  const folder = ctx.folder;
  if (!folder) return [];
  const problems: WiringProblem[] = [];
  const pods = ctx.envFolders.flatMap(podsOf);
  const scrapes: Scrape[] = [];
  // Every monitor of the environment produces jobs a rule may read; only this folder's monitors are reported.
  for (const f of ctx.envFolders) {
    for (const monitor of f.objects) {
      const own = f === folder;
      if (monitor.kind === 'ServiceMonitor') {
        const found = serviceMonitor(ctx, monitor, f, pods, scrapes);
        if (own) problems.push(...labelProblems(ctx, monitor), ...found);
      } else if (monitor.kind === 'PodMonitor') {
        const found = podMonitor(ctx, monitor, f, pods, scrapes);
        if (own) problems.push(...labelProblems(ctx, monitor), ...found);
      }
    }
  }
  for (const rule of folder.objects.filter((o) => o.kind === 'PrometheusRule')) {
    problems.push(...labelProblems(ctx, rule), ...ruleProblems(ctx, rule, scrapes));
  }
  return problems;
}
