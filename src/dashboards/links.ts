import type { ServiceModel } from '../model/types';

function fill(model: ServiceModel, pattern: string): string {
  return pattern.replace(/\{service\}/g, model.name).replace(/\{namespace\}/g, model.namespace);
}

/**
 * The runbook page of one alert, from the service's pattern exactly as the rules' `runbook_url`
 * annotation renders it (`{alert}` in lower case, as kubernetes-mixin's `runbookURLPattern` does).
 */
export function alertRunbookUrl(model: ServiceModel, alert: string): string {
  return fill(model, model.alerting.runbookUrlPattern).replace(/\{alert\}/g, alert.toLowerCase());
}

/**
 * The service's runbook index: the pattern up to `{alert}`, since a dashboard is about every alert at once.
 *
 * @example // pattern 'https://runbooks.example.com/{namespace}/{alert}' -> 'https://runbooks.example.com/shop/'
 */
export function runbookIndexUrl(model: ServiceModel): string {
  return fill(model, model.alerting.runbookUrlPattern.split('{alert}')[0]);
}

/** Path of a dashboard, relative to the Grafana that shows it (so one JSON works behind any base URL). */
export function dashboardPath(uid: string): string {
  return `/d/${uid}`;
}

/**
 * A panel link to a dashboard that keeps the viewer's time range and data source (Grafana's
 * `${__url_time_range}` and `${datasource:queryparam}` link variables).
 */
export function panelDashboardLink(uid: string): string {
  return `${dashboardPath(uid)}?\${__url_time_range}&\${datasource:queryparam}`;
}
