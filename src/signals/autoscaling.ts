/**
 * The autoscaler's side of the metric contract: the custom-metric names prometheus-adapter exposes to the
 * HPA, the adapter's discovery rules for them, and the single-value queries KEDA's Prometheus scaler runs.
 * Built from the same contract as rules and dashboards, so the HPA scales on exactly the series the shim
 * emits.
 */
import type { ServiceKind } from '../spec/service';
import { LABEL, METRIC } from './contract';
import { aggregate, eq, ne, selector } from './promql';
import { durationHistogram, SignalScope, targetMatchers } from './queries';

/**
 * Custom-metric names (custom.metrics.k8s.io) the generated adapter rules expose and the HPA asks for.
 * Rates get a name of their own (`…_per_second`): the adapter turns a counter into a rate, and an HPA
 * asking for the counter's name would read like it scales on a total.
 */
export function adapterMetricName(metric: 'requestsPerSecond' | 'inFlightRequests', kind: ServiceKind): string {
  switch (metric) {
    case 'requestsPerSecond':
      return kind === 'http' ? 'http_server_requests_per_second' : 'golden_signals_operations_per_second';
    case 'inFlightRequests':
      return METRIC.httpActiveRequests;
  }
}

/** A prometheus-adapter discovery rule (`docs/config.md`: seriesQuery, resources, name, metricsQuery). */
export interface AdapterRule {
  readonly seriesQuery: string;
  readonly seriesFilters?: ReadonlyArray<{ readonly is?: string; readonly isNot?: string }>;
  readonly resources: {
    readonly overrides?: Readonly<Record<string, { readonly resource: string }>>;
    readonly namespaced?: boolean;
  };
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
}

/** Series the scrape configuration attached to a pod (the ServiceMonitor keeps namespace and pod). */
const podSeries = [ne(LABEL.namespace, ''), ne(LABEL.pod, '')];
/** How the adapter maps series labels to Kubernetes objects, so a Pods metric can be asked per pod. */
const podResources = {
  overrides: { [LABEL.namespace]: { resource: 'namespace' }, [LABEL.pod]: { resource: 'pod' } },
};

function anchored(name: string): string {
  return `^${name}$`;
}

/**
 * Adapter rule exposing requests (or operations) per second per pod, from the duration histogram's
 * `_count`. `<<.LabelMatchers>>` carries the namespace and the HPA's pods, `<<.GroupBy>>` the pod label
 * (prometheus-adapter Go template delimiters).
 */
export function requestRateAdapterRule(kind: ServiceKind, window: string): AdapterRule {
  const series = `${durationHistogram(kind)}_count`;
  return {
    seriesQuery: selector(series, podSeries),
    resources: podResources,
    name: { matches: anchored(series), as: adapterMetricName('requestsPerSecond', kind) },
    metricsQuery: aggregate('sum', ['<<.GroupBy>>'], `rate(<<.Series>>{<<.LabelMatchers>>}[${window}])`),
  };
}

/** Adapter rule exposing requests in flight per pod (the shim's active-requests gauge, summed over methods). */
export function inFlightAdapterRule(): AdapterRule {
  return {
    seriesQuery: selector(METRIC.httpActiveRequests, podSeries),
    resources: podResources,
    name: { matches: anchored(METRIC.httpActiveRequests), as: adapterMetricName('inFlightRequests', 'http') },
    metricsQuery: aggregate('sum', ['<<.GroupBy>>'], '<<.Series>>{<<.LabelMatchers>>}'),
  };
}

/**
 * External-metric rule (external.metrics.k8s.io) for a series outside the service, e.g. a queue exporter's.
 * `namespaced: false` because the exporter usually runs in another namespace than the workers; the HPA's
 * `metric.selector` narrows the series instead.
 */
export function externalAdapterRule(metric: string): AdapterRule {
  return {
    seriesQuery: selector(metric, []),
    resources: { namespaced: false },
    name: { matches: anchored(metric), as: metric },
    metricsQuery: aggregate('sum', ['<<.GroupBy>>'], '<<.Series>>{<<.LabelMatchers>>}'),
  };
}

/*
 * KEDA's Prometheus scaler needs a query returning exactly one element (pkg/scalers/prometheus_scaler.go
 * errors on more), so these sum without `by`.
 */

/** Requests (or operations) per second of the whole service, one value. */
export function serviceRequestRateTotal(scope: SignalScope, window: string): string {
  return aggregate('sum', [], `rate(${selector(`${durationHistogram(scope.kind)}_count`, targetMatchers(scope))}[${window}])`);
}

/** Requests in flight across the whole service, one value. */
export function serviceInFlightTotal(scope: SignalScope): string {
  return aggregate('sum', [], selector(METRIC.httpActiveRequests, targetMatchers(scope)));
}

/** An external series summed to one value, e.g. the ready messages of one queue. */
export function externalMetricTotal(metric: string, labels: Readonly<Record<string, string>>): string {
  return aggregate('sum', [], selector(metric, Object.entries(labels).map(([k, v]) => eq(k, v))));
}
