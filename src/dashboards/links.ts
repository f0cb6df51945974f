import type { ServiceModel } from '../model/types';
import { runbookUrl } from '../rules/alert';
import type { DashboardLink } from './sdk';

/**
 * The service's runbook index: the pattern up to `{alert}`, since a dashboard is about every alert at once.
 * The rules' {@link runbookUrl} fills it in, so the pattern's placeholders are interpreted in one place.
 *
 * @example // pattern 'https://runbooks.example.com/{namespace}/{alert}' -> 'https://runbooks.example.com/shop/'
 */
export function runbookIndexUrl(model: ServiceModel): string {
  const index = model.alerting.runbookUrlPattern.split('{alert}')[0];
  // The index has no `{alert}` left, so the alert name passed is never used.
  return runbookUrl({ ...model, alerting: { ...model.alerting, runbookUrlPattern: index } }, '');
}

/** Path of a dashboard, relative to the Grafana that shows it (so one JSON works behind any base URL). */
export function dashboardPath(uid: string): string {
  return `/d/${uid}`;
}

/**
 * Grafana's dashboard search filtered by tags, relative like {@link dashboardPath}. With several tags only
 * the dashboards carrying all of them are listed (Grafana HTTP API, "Folder/Dashboard Search": `tag`, "List
 * of tags to search for", is an AND). The tags may hold link variables such as `${__data.fields.job}`.
 *
 * @example dashboardSearchPath(['service:checkout', 'namespace:shop']) // '/dashboards?tag=service:checkout&tag=namespace:shop'
 */
export function dashboardSearchPath(tags: readonly string[]): string {
  return `/dashboards?${tags.map((t) => `tag=${t}`).join('&')}`;
}

/**
 * The service dashboard's link to the service's error-budget report. It leaves the time range behind: the
 * report opens at its own default, this calendar month so far, since a golden-signals range of hours is no
 * budget period. The namespace variable goes along.
 */
export function budgetReportLink(model: ServiceModel): DashboardLink {
  return {
    kind: 'url',
    title: 'Error-budget report',
    tooltip: `Error budgets of ${model.name} this month and quarter, burn rates, and the routes that spent them`,
    url: dashboardPath(model.alerting.budgetReportUid),
    newTab: false,
    keepTime: false,
    includeVars: true,
  };
}
