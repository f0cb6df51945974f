import type { ServiceModel } from '../model/types';
import { LABEL } from '../signals/contract';
import type { AlertName, Signal } from '../signals/recorded';
import { formatDuration } from '../spec/duration';
import type { Severity } from '../spec/service';
import type { AlertingRule } from './types';

/** What an alert builder decides; the label and annotation contract (labels service, namespace, team, signal, severity; annotations summary, description, runbook_url, dashboard_url) is applied here. */
export interface AlertSpec {
  readonly name: AlertName;
  readonly signal: Signal;
  readonly severity: Severity;
  readonly expr: string;
  readonly forMs: number;
  /** Static headline ending in a period (monitoring-mixins style guide). */
  readonly summary: string;
  /** What is happening and what it means, with the numbers behind the threshold. Static text, no `$value`. */
  readonly description: string;
  /** Identity labels beyond the contract's, e.g. `slo` and `burn_tier`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations beyond the contract's four, e.g. the budget policy's `policy`. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Builds an alerting rule with the labels `service`, `namespace`, `team`, `signal`, `severity` and the
 * annotations `summary`, `description`, `runbook_url`, `dashboard_url`.
 *
 * Annotations are literal text rather than templates over `$value`: each rule belongs to one service, so
 * everything worth saying is known at synth time, the generated promtool tests can expect them exactly,
 * and pint's `alerts/template` check has nothing to flag.
 */
export function alertingRule(model: ServiceModel, spec: AlertSpec): AlertingRule {
  return {
    alert: spec.name,
    expr: spec.expr,
    for: formatDuration(spec.forMs),
    labels: {
      [LABEL.service]: model.name,
      [LABEL.namespace]: model.namespace,
      [LABEL.team]: model.team,
      [LABEL.signal]: spec.signal,
      [LABEL.severity]: spec.severity,
      ...spec.labels,
      ...model.alerting.labels,
    },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: runbookUrl(model, spec.name),
      dashboard_url: dashboardUrl(model),
      ...spec.annotations,
    },
  };
}

/** The runbook link of an alert, from the configurable pattern (`{alert}`, `{service}`, `{namespace}`). */
export function runbookUrl(model: ServiceModel, alert: string): string {
  return model.alerting.runbookUrlPattern
    .replace(/\{alert\}/g, alert.toLowerCase())
    .replace(/\{service\}/g, model.name)
    .replace(/\{namespace\}/g, model.namespace);
}

/**
 * Deep link into the service's error-budget report (same UID as the dashboards module generates), at its own
 * default time range, the calendar month so far.
 */
export function budgetReportUrl(model: ServiceModel): string {
  return `${model.alerting.grafanaUrl}/d/${model.alerting.budgetReportUid}?var-namespace=${encodeURIComponent(model.namespace)}`;
}

/** Deep link into the service's Grafana dashboard (same UID as the dashboards module generates). */
export function dashboardUrl(model: ServiceModel): string {
  return `${model.alerting.grafanaUrl}/d/${model.alerting.dashboardUid}?var-namespace=${encodeURIComponent(model.namespace)}`;
}
