/**
 * Fleet overview panels: one table with a row per service (traffic, error ratio, p99, error budget left,
 * firing alerts) and fleet-wide top-10 trends. Every query covers all services at once, aggregated
 * `by (namespace, job)`, so the panels are the same size for 3 services or 500; only the regexes that
 * select the services grow, and they are written once, as dashboard constants (see fleet.ts).
 */
import type { ServiceModel } from '../../model/types';
import { CLUSTER_METRIC, LABEL } from '../../signals/contract';
import { aggregate, selector } from '../../signals/promql';
import { firingAlertsPerService, latencyQuantile, requestErrorRatio, requestRate, serviceLabels, SignalScope, targetMatchers } from '../../signals/queries';
import { RECORD } from '../../signals/recorded';
import { legendOf } from '../context';
import { percent } from '../format';
import { namespaceTag, serviceTag } from '../identity';
import { REF_IDS } from '../ids';
import { dashboardSearchPath } from '../links';
import { Panel, tablePanel, Thresholds, timeSeries, UNIT } from '../sdk';

/** Panel ids of the fleet overview, fixed so `viewPanel=` links survive services joining and leaving. */
export const FLEET_PANEL_ID = { servicesRow: 1, services: 2, trendsRow: 10, topErrorRatio: 11, topTraffic: 12, leastBudget: 13 } as const;

/** How many services the trend panels show. */
const TOP = 10;

/** What the fleet panels need to know. */
export interface FleetContext {
  /**
   * One scope per group of services that share a kind, an error predicate and a cluster label: queries
   * differ between groups only in those, so each column is one query per group joined with `or`.
   * Namespace and job are regexes over the group's services.
   */
  readonly groups: readonly SignalScope[];
  /** The services, for descriptions and thresholds only: no query or panel is made per service. */
  readonly models: readonly ServiceModel[];
  /** Rate window of every `rate()`: `$__rate_interval`. */
  readonly window: string;
}

/** One expression per group, joined with `or`: the groups select disjoint services, so nothing is dropped. */
function fleetwide(ctx: FleetContext, expr: (scope: SignalScope) => string): string {
  return ctx.groups.map((g) => (ctx.groups.length === 1 ? expr(g) : `(${expr(g)})`)).join(' or ');
}

/** The lowest error budget left across a service's SLOs: the objective closest to being missed is the one that matters. */
function budgetRemaining(scope: SignalScope): string {
  return aggregate('min', serviceLabels(scope), selector(RECORD.budgetRemaining, targetMatchers(scope)));
}

/** Firing alerts per service, and 0 rather than an empty cell for a scraped service with none firing. */
function alertsOrZero(scope: SignalScope): string {
  return `${firingAlertsPerService(scope)} or 0 * ${aggregate('group', serviceLabels(scope), selector(CLUSTER_METRIC.up, targetMatchers(scope)))}`;
}

/**
 * Error ratio colours from the fleet's own availability objectives: orange above the strictest objective's
 * error budget, red above the loosest's, where every service with an availability SLO misses it. A fleet
 * without one gets no colours rather than invented ones.
 */
function errorRatioThresholds(models: readonly ServiceModel[]): Thresholds | undefined {
  const budgets = models.flatMap((m) => m.slos.filter((s) => s.kind === 'availability' && !s.journey).map((s) => s.errorBudget));
  if (budgets.length === 0) return undefined;
  const strictest = Math.min(...budgets);
  const loosest = Math.max(...budgets);
  return { base: 'green', steps: strictest === loosest ? [{ value: loosest, color: 'red' }] : [{ value: strictest, color: 'orange' }, { value: loosest, color: 'red' }] };
}

function errorRatioColours(models: readonly ServiceModel[]): string {
  const t = errorRatioThresholds(models);
  if (!t) return '';
  const [first, last] = [t.steps[0].value, t.steps[t.steps.length - 1].value];
  return first === last ? ` Red above ${percent(last)}, the error budget of every availability objective.` : ` Orange above ${percent(first)}, the strictest availability objective's error budget; red above ${percent(last)}, the loosest's.`;
}

/** Error budget left: red once overspent (an objective is missed), orange in its last quarter. */
const BUDGET_THRESHOLDS: Thresholds = { base: 'red', steps: [{ value: 0, color: 'orange' }, { value: 0.25, color: 'green' }] };

/**
 * Table rows at Grafana's small cell height are a little over one grid unit (30 px) each; the table grows
 * with the fleet up to a screen and scrolls beyond, so a small fleet has no empty space under it.
 */
function tableHeight(services: number): number {
  return Math.min(24, Math.max(6, 3 + Math.ceil(services * 1.2)));
}

/**
 * The services table. Each row links to the service's dashboards through Grafana's search by the tags
 * every service dashboard carries (`service:<name>` and `namespace:<namespace>`): one link for every row,
 * filled from the row's labels (Grafana docs, "Data links: `${__data.fields.<name>}`"), and right whatever
 * uid a service's dashboard has (long names get hashed uids, see dashboardUid).
 */
export function fleetTable(ctx: FleetContext): Panel {
  const n = ctx.models.length;
  const field = (label: string) => `\${__data.fields.${label}}`;
  return tablePanel({
    id: FLEET_PANEL_ID.services,
    title: 'Services',
    description:
      `Which of the ${n} service${n === 1 ? '' : 's'} need attention? One row each: requests (or operations) per second, the share that fails, ` +
      `p99 latency, the error budget left to its most spent SLO (empty without SLOs) and its firing alerts, at the end of the time range. ` +
      `Click a service to list its dashboards.` +
      errorRatioColours(ctx.models),
    width: 24,
    height: tableHeight(n),
    keys: [
      { label: LABEL.namespace, title: 'Namespace' },
      {
        label: LABEL.job,
        title: 'Service',
        link: { title: `Dashboards of ${field(LABEL.job)}`, url: dashboardSearchPath([serviceTag(field(LABEL.job)), namespaceTag(field(LABEL.namespace))]) },
      },
    ],
    columns: [
      { refId: REF_IDS[0], title: 'Traffic', unit: UNIT.requestsPerSecond, expr: fleetwide(ctx, (s) => requestRate(s, ctx.window)) },
      {
        refId: REF_IDS[1],
        title: 'Error ratio',
        unit: UNIT.ratio,
        decimals: 2,
        expr: fleetwide(ctx, (s) => requestErrorRatio(s, ctx.window)),
        thresholds: errorRatioThresholds(ctx.models),
      },
      { refId: REF_IDS[2], title: 'p99 latency', unit: UNIT.seconds, expr: fleetwide(ctx, (s) => latencyQuantile(s, 0.99, ctx.window)) },
      { refId: REF_IDS[3], title: 'Error budget left', unit: UNIT.ratio, decimals: 1, expr: fleetwide(ctx, budgetRemaining), thresholds: BUDGET_THRESHOLDS, color: 'background' },
      {
        refId: REF_IDS[4],
        title: 'Firing alerts',
        unit: UNIT.count,
        decimals: 0,
        expr: fleetwide(ctx, alertsOrZero),
        thresholds: { base: 'green', steps: [{ value: 1, color: 'red' }] },
        color: 'background',
      },
    ],
    sortBy: { title: 'Error ratio', descending: true },
  });
}

const legend = `${legendOf(LABEL.namespace)}/${legendOf(LABEL.job)}`;

/**
 * Fleet-wide trends: the ten services with the highest error ratio, the most traffic and the least error
 * budget left. `topk`/`bottomk` pick per evaluation step, so over a range a few more than ten may appear.
 */
export function fleetTrendPanels(ctx: FleetContext): Panel[] {
  return [
    timeSeries({
      id: FLEET_PANEL_ID.topErrorRatio,
      title: `Top ${TOP} services by error ratio`,
      description: `Which services fail the largest share of their requests (or operations), and since when?` + errorRatioColours(ctx.models),
      unit: UNIT.ratio,
      min: 0,
      width: 8,
      queries: [{ refId: REF_IDS[0], expr: `topk(${TOP}, ${fleetwide(ctx, (s) => requestErrorRatio(s, ctx.window))})`, legend }],
      thresholds: errorRatioThresholds(ctx.models),
    }),
    timeSeries({
      id: FLEET_PANEL_ID.topTraffic,
      title: `Top ${TOP} services by traffic`,
      description: 'Which services serve the most requests (or operations) per second?',
      unit: UNIT.requestsPerSecond,
      min: 0,
      width: 8,
      queries: [{ refId: REF_IDS[0], expr: `topk(${TOP}, ${fleetwide(ctx, (s) => requestRate(s, ctx.window))})`, legend }],
    }),
    timeSeries({
      id: FLEET_PANEL_ID.leastBudget,
      title: `${TOP} services with the least error budget left`,
      description: 'Which services are closest to missing an SLO? The lowest error budget left across each service\'s SLOs; below 0% an objective is missed.',
      unit: UNIT.ratio,
      width: 8,
      queries: [{ refId: REF_IDS[0], expr: `bottomk(${TOP}, ${fleetwide(ctx, budgetRemaining)})`, legend }],
      thresholds: BUDGET_THRESHOLDS,
    }),
  ];
}
