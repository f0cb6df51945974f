/**
 * Every query of a dashboard with its Grafana variables filled in, as plain PromQL a Prometheus can run:
 * what the e2e harness sends to a real Prometheus, and what the PromQL tests parse.
 */
import type { ServiceModel } from '../model/types';
import { budgetReport } from './budget';
import { ALL_ROUTES, VARIABLE } from './context';
import { fleetDashboard, FleetDashboardOptions } from './fleet';
import { DATASOURCE_VARIABLE } from './sdk';
import { serviceDashboard, ServiceDashboardOptions } from './service';
import type { DashboardJson } from './types';

/** One query of one panel. */
export interface DashboardQuery {
  readonly uid: string;
  readonly panelId: number;
  readonly refId: string;
  readonly expr: string;
}

/** Values for Grafana's variables; `__rate_interval` and friends without the `$`. */
export type VariableValues = Readonly<Record<string, string>>;

/**
 * Grafana's variable syntaxes (Grafana docs, "Variable syntax"): `$name`, `${name}`, `${name:format}` and
 * the deprecated `[[name]]`.
 */
const VARIABLE_REFERENCE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

/**
 * Replaces every Grafana variable in `text` by its value.
 *
 * @throws Error naming the variable when `values` has none for it: a query must not reach Prometheus with
 *   a `$` left in it.
 * @example substituteVariables('rate(x[$__rate_interval])', { __rate_interval: '1m' }) // 'rate(x[1m])'
 */
export function substituteVariables(text: string, values: VariableValues): string {
  return text.replace(VARIABLE_REFERENCE, (whole, braced?: string, bracketed?: string, bare?: string) => {
    const name = (braced ?? bracketed ?? bare)!;
    // `$1` / `${1}` are label_replace back-references, not variables; Grafana leaves them alone too.
    if (/^\d+$/.test(name)) return whole;
    const value = values[name];
    if (value === undefined) throw new Error(`substituteVariables: no value for Grafana variable "${name}" in ${JSON.stringify(text)} (${whole})`);
    return value;
  });
}

/** Every target of a dashboard, in panel order, with its variables substituted. */
export function queriesOf(dashboard: DashboardJson, values: VariableValues): DashboardQuery[] {
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ uid: dashboard.uid, panelId: p.id, refId: t.refId, expr: substituteVariables(t.expr, values) })),
  );
}

/** Values a test or the e2e harness gives Grafana's variables. */
export interface QueryValues {
  /** Value of `$__rate_interval`: at least 4 scrape intervals. @default '1m' */
  readonly rateInterval?: string;
  /** Value of `$route`: a regex over routes. @default '.*', every route */
  readonly route?: string;
  /**
   * Value of `$__range`, the length of the time range (the budget report's period), as Grafana sends it: whole
   * seconds. @default '3600s'
   */
  readonly range?: string;
}

function builtins(options: QueryValues): Record<string, string> {
  return { __rate_interval: options.rateInterval ?? '1m', __range: options.range ?? '3600s', [DATASOURCE_VARIABLE]: 'prometheus' };
}

/**
 * Every query of a service's dashboard as its own namespace would run it.
 *
 * @example
 * dashboardQueries(resolveService(checkout)).forEach((q) => promQuery(q.expr)); // e2e: each returns data
 */
export function dashboardQueries(model: ServiceModel, options: QueryValues & ServiceDashboardOptions = {}): DashboardQuery[] {
  return queriesOf(serviceDashboard(model, options), {
    ...builtins(options),
    [VARIABLE.namespace]: model.namespace,
    [VARIABLE.route]: options.route ?? ALL_ROUTES,
  });
}

/**
 * Every query of a service's error-budget report as its own namespace would run it; none for a service
 * without SLOs, which has no report.
 *
 * @example
 * budgetReportQueries(resolveService(checkout), { range: '2592000s' }); // the budget of the last 30 days
 */
export function budgetReportQueries(model: ServiceModel, options: QueryValues = {}): DashboardQuery[] {
  const report = budgetReport(model);
  return report ? queriesOf(report, { ...builtins(options), [VARIABLE.namespace]: model.namespace }) : [];
}

/** Values of a dashboard's constant variables, as Grafana substitutes them (the fleet's service regexes). */
export function constantValues(dashboard: DashboardJson): Record<string, string> {
  return Object.fromEntries(dashboard.templating.list.filter((v) => v.type === 'constant').map((v) => [v.name, String(v.query)]));
}

/** Every query of the fleet overview of `models`. */
export function fleetDashboardQueries(models: readonly ServiceModel[], options: QueryValues & FleetDashboardOptions = {}): DashboardQuery[] {
  const dashboard = fleetDashboard(models, options);
  return queriesOf(dashboard, { ...builtins(options), ...constantValues(dashboard) });
}
