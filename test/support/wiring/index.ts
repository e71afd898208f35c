import { checkApplications } from './argocd.js';
import { buildServiceEnvs, CHECKS, stacksFor, type CheckName, type ServiceEnv, type Stack, type WiringPlatform, type WiringProblem } from './context.js';
import { checkOperatorAccess } from './eso.js';
import { checkPodIdentity } from './identity.js';
import { checkIngress } from './ingress.js';
import { checkMonitoring } from './monitoring.js';
import { checkNetwork } from './network.js';
import { loadOutput } from './output.js';
import { checkSecrets } from './secrets.js';
import { checkApplyOrder, checkSubscriptions } from './subscriptions.js';

export type { CheckName, ServiceEnv, WiringPlatform, WiringProblem } from './context.js';

/**
 * The cross-target wiring check: reads a compiled output directory as a platform
 * engineer applying it would, and returns every link between targets that does
 * not hold. Each check runs over one service (or `_platform`) in one environment,
 * so any topology compiled elsewhere can be checked the same way:
 * `checkWiring('/path/to/generated', { secretStores, monitorLabels, … })`.
 */
export function checkWiring(outputDir: string, platform: WiringPlatform = {}): WiringProblem[] {
  return checkWiringDetailed(outputDir, platform).problems;
}

export interface WiringReport {
  readonly problems: WiringProblem[];
  /** How many links each check followed: a check at 0 had nothing to check in this output. */
  readonly followed: Readonly<Record<CheckName, number>>;
}

/** checkWiring, plus how many links each check followed. */
export function checkWiringDetailed(outputDir: string, platform: WiringPlatform = {}): WiringReport {
  const followed = Object.fromEntries(CHECKS.map((c) => [c, 0])) as Record<CheckName, number>;
  const count = (check: CheckName): void => {
    followed[check] += 1;
  };
  const tree = loadOutput(outputDir);
  const contexts = buildServiceEnvs(tree, platform, count);
  const units = [...tree.services, ...(tree.platform ? [tree.platform] : [])];
  const problems: WiringProblem[] = [];
  const stacksByEnv = new Map<string, Stack[]>();
  for (const ctx of contexts) {
    if (!stacksByEnv.has(ctx.env)) {
      const stacks = units.flatMap((u) => stacksFor(u, ctx.env));
      stacksByEnv.set(ctx.env, stacks);
      problems.push(...checkApplyOrder(ctx.env, stacks, count));
    }
    problems.push(...checkServiceEnv(ctx), ...checkSubscriptions(ctx, stacksByEnv.get(ctx.env) ?? []));
  }
  problems.push(...checkApplications(tree, platform, count));
  return { problems: sortProblems(problems), followed };
}

/** The per-service checks, for callers that build their own contexts. */
export function checkServiceEnv(ctx: ServiceEnv): WiringProblem[] {
  return [...checkSecrets(ctx), ...checkOperatorAccess(ctx), ...checkPodIdentity(ctx), ...checkMonitoring(ctx), ...checkNetwork(ctx), ...checkIngress(ctx)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortProblems(problems: WiringProblem[]): WiringProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = JSON.stringify(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => compare(a.file, b.file) || compare(a.check, b.check) || compare(a.object, b.object) || compare(a.from, b.from) || compare(a.to, b.to));
}

/** One problem as text: where, what, and both ends of the link. */
export function formatProblem(p: WiringProblem): string {
  return `${p.file}: ${p.object}: [${p.check}] ${p.message}\n  this end:  ${p.from}\n  other end: ${p.to}`;
}
