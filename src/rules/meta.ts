/**
 * Meta alerts: whether the golden signals can be trusted at all. "Targets down" is the cause that
 * explains every missing-data symptom, so routing inhibits the symptom alerts of the same service with it.
 */
import type { ServiceModel } from '../model/types';
import { aggregate, on, selector } from '../signals/promql';
import { durationHistogram, serviceLabels, targetMatchers, targetsUp } from '../signals/queries';
import { ALERT } from '../signals/recorded';
import { formatDuration } from '../spec/duration';
import { alertingRule } from './alert';
import type { AlertingRule } from './types';
import { targetsDownForMs } from './waits';

export function metaAlertingRules(model: ServiceModel): AlertingRule[] {
  const by = serviceLabels(model.scope);
  const up = targetsUp(model.scope);
  const signals = selector(`${durationHistogram(model.kind)}_count`, targetMatchers(model.scope));
  const downFor = formatDuration(targetsDownForMs(model));
  const missingFor = formatDuration(model.timings.signalsMissingForMs);
  return [
    alertingRule(model, {
      name: ALERT.targetsDown,
      signal: 'traffic',
      severity: 'page',
      // Every target down, or none discovered at all (ServiceMonitor selects nothing, Deployment scaled to 0).
      // A share of targets down is kube-prometheus's TargetDown; this alert is the one that explains why
      // the service's own signals went quiet, so it must not fire while some pods still serve.
      expr: `${aggregate('max', by, up)} == 0\nor\nabsent(${up})`,
      forMs: targetsDownForMs(model),
      summary: `${model.name} cannot be scraped.`,
      description: `Prometheus has scraped no target of ${model.name} in ${model.namespace} successfully for ${downFor}. Its golden signals are blind: check that the pods run and expose port ${model.metrics.port} at ${model.metrics.path}.`,
    }),
    alertingRule(model, {
      name: ALERT.signalsMissing,
      signal: 'traffic',
      severity: 'ticket',
      expr: `${aggregate('max', by, up)} == 1\nunless ${on(by)}\n${aggregate('group', by, signals)}`,
      forMs: model.timings.signalsMissingForMs,
      summary: `${model.name} is scraped but exports no golden-signal series.`,
      description: `Targets of ${model.name} are up, but ${durationHistogram(model.kind)} has been missing for ${missingFor}: the instrumentation is not installed, not called, or renamed (the OpenTelemetry JS Prometheus exporter drops the _seconds suffix). Its SLO and traffic alerts cannot fire.`,
    }),
  ];
}
