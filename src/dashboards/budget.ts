/**
 * The error-budget report: one per service with SLOs, one row per SLO (see panels/budget.ts), answering how
 * much budget is left this calendar month and quarter, how fast it burns, when it runs out and which routes
 * spent it. The calendar period is the dashboard's time range, this month so far by default.
 */
import type { ServiceModel } from '../model/types';
import { namespaceVariable, serviceContext } from './context';
import { LIBRARY_TAG, namespaceTag, serviceTag } from './identity';
import { dashboardPath, runbookIndexUrl } from './links';
import { budgetPanels, budgetRowId, budgetRowTitle } from './panels/budget';
import { buildDashboard } from './sdk';
import type { DashboardJson } from './types';

/** Tag of every error-budget report, so Grafana's search lists them all. */
export const BUDGET_REPORT_TAG = 'error-budget';

/**
 * The report's default time range: this calendar month so far (Grafana's quick range "This month so far").
 * Every period query reads `$__range`, so picking "Previous month" or "This year so far" reports on that.
 */
export const BUDGET_REPORT_TIME = { from: 'now/M', to: 'now' } as const;

/**
 * The error-budget report of a service, as Grafana v1 JSON, or `undefined` for a service without SLOs (it has
 * no budget). Its uid is the model's `alerting.budgetReportUid`, the one the SLO alerts' `budget_report_url`
 * annotation points at. SLOs are rows in the model's order, so every SLO the definition gains gets its row.
 *
 * @example
 * const json = budgetReport(resolveService(checkout));
 * json?.uid; // 'gs-shop-checkout-budget'
 */
export function budgetReport(model: ServiceModel): DashboardJson | undefined {
  if (model.slos.length === 0) return undefined;
  const ctx = serviceContext(model);
  return buildDashboard({
    uid: model.alerting.budgetReportUid,
    title: `Error budgets / ${model.namespace} / ${model.name}`,
    description:
      `Error budgets of ${model.name} (team ${model.team}) over calendar periods and its SLO windows: what is left this month and quarter, ` +
      `how fast it burns, when it runs out and which routes spent it. Generated from its service definition.`,
    tags: [LIBRARY_TAG, BUDGET_REPORT_TAG, serviceTag(model.name), namespaceTag(model.namespace), `team:${model.team}`],
    time: BUDGET_REPORT_TIME,
    // Month-long sums change slowly; a minute's refresh would re-read a month of samples every minute.
    refresh: '5m',
    variables: [{ kind: 'datasource' }, namespaceVariable(model)],
    links: [
      {
        kind: 'url',
        title: 'Golden signals',
        tooltip: `The golden-signals dashboard of ${model.name}, over the last hours`,
        url: dashboardPath(model.alerting.dashboardUid),
        newTab: false,
        // Its panels are made for hours, not months: it opens at its own default range.
        keepTime: false,
        includeVars: true,
      },
      { kind: 'url', title: 'Runbooks', tooltip: `Runbooks of ${model.name}'s alerts`, url: runbookIndexUrl(model), newTab: true },
      { kind: 'tags', title: `${model.name} dashboards`, tooltip: `Every dashboard tagged ${serviceTag(model.name)}`, tags: [serviceTag(model.name)] },
    ],
    rows: model.slos.map((slo, i) => ({ id: budgetRowId(i), title: budgetRowTitle(slo), panels: budgetPanels(ctx, slo, i) })),
  });
}
