/**
 * Synthetic input series for promtool unit tests, labelled as the shim and the cluster exporters label
 * them. Values are per-minute samples written in promtool's expanding notation.
 */
import type { ServiceModel } from '../../model/types';
import { CLUSTER_METRIC, ERROR_TYPE, EVENT_LOOP_STATE, LABEL, METRIC, OUTCOME, POOL_STATE } from '../../signals/contract';
import { eq, leLabel, Matcher, selector } from '../../signals/promql';
import { durationHistogram } from '../../signals/queries';

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** A stretch of a scenario: `minutes` long, at `perMinute` increase (counters) or `value` (gauges). */
export interface Segment {
  readonly minutes: number;
  readonly perMinute: number;
  /** The counter keeps growing but is not scraped (promtool `_`): skips days of evaluation nobody checks. */
  readonly missing?: boolean;
}

/** Exact decimal for sample values (promtool parses them as floats). */
function num(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** Expanding notation for a counter that starts at 0 and grows per segment, one sample a minute. */
export function counterValues(segments: readonly Segment[]): string {
  let v = 0;
  const parts = ['0'];
  for (const s of segments) {
    if (s.minutes <= 0) continue;
    parts.push(s.missing ? `_x${s.minutes}` : `${num(v + s.perMinute)}+${num(s.perMinute)}x${s.minutes - 1}`);
    v += s.perMinute * s.minutes;
  }
  return parts.join(' ');
}

/** The cumulative samples a {@link counterValues} string expands to (for the predictor), `undefined` where missing. */
export function counterSamples(segments: readonly Segment[]): (number | undefined)[] {
  const out: (number | undefined)[] = [0];
  let v = 0;
  for (const s of segments) for (let i = 0; i < s.minutes; i++) out.push(s.missing ? ((v += s.perMinute), undefined) : (v += s.perMinute));
  return out;
}

/** Expanding notation for a gauge holding `value` for each segment's minutes (the first sample included). */
export function gaugeValues(segments: ReadonlyArray<{ readonly minutes: number; readonly value: number | '_' }>): string {
  return segments
    .filter((s) => s.minutes > 0)
    .map((s, i) => {
      const n = i === 0 ? s.minutes : s.minutes - 1;
      if (s.value === '_') return Array.from({ length: n + 1 }, () => '_').join(' ');
      return `${num(s.value)}x${n}`;
    })
    .join(' ');
}

/** Labels a scrape of the service adds (namespace, job and the Kubernetes target labels), plus the cluster label when configured. */
export function targetLabels(model: ServiceModel, instance = '10.0.0.1:9464'): Matcher[] {
  return [
    ...(model.alerting.clusterLabel ? [eq(model.alerting.clusterLabel, 'test-cluster')] : []),
    eq(LABEL.namespace, model.namespace),
    eq(LABEL.job, model.name),
    eq(LABEL.instance, instance),
  ];
}

/** One status code the service counts as an error (the first of its predicate). */
function errorStatus(model: ServiceModel): string {
  const first = model.scope.errorStatusRegex.split('|')[0];
  return first.replace(/\./g, '0');
}

/**
 * How a test request ended: answered well (`ok`), answered with an error status (`error`), or, HTTP only,
 * without a response: the handler threw (`unanswered`) or the connection closed first (`aborted`).
 */
export type Outcome = 'ok' | 'error' | 'unanswered' | 'aborted';

/** Series of the duration histogram's `_count` for one outcome. */
export function histogramCount(model: ServiceModel, outcome: Outcome): string {
  const metric = `${durationHistogram(model.kind)}_count`;
  switch (model.kind) {
    case 'http':
      return selector(metric, [
        ...targetLabels(model),
        eq(LABEL.method, 'GET'),
        eq(LABEL.route, model.routes[0] ?? '/'),
        ...(outcome === 'unanswered' || outcome === 'aborted'
          ? [eq(LABEL.errorType, ERROR_TYPE[outcome])]
          : [eq(LABEL.statusCode, outcome === 'ok' ? '200' : errorStatus(model))]),
        // An extra label other SDKs add: the rules must aggregate it away (the contract aggregates with explicit `sum by`).
        eq('url_scheme', 'http'),
      ]);
    case 'worker':
      return selector(metric, [...targetLabels(model), eq(LABEL.operation, 'process'), eq(LABEL.outcome, outcome === 'ok' ? OUTCOME.success : OUTCOME.error)]);
  }
}

/** One `_bucket` series of the histogram at bound `le` (Prometheus 2 label form). */
export function histogramBucket(model: ServiceModel, le: number | '+Inf', outcome: Outcome = 'ok'): string {
  const base = histogramCount(model, outcome).replace(/_count\{/, '_bucket{');
  return base.replace(/\}$/, `, ${LABEL.le}="${le === '+Inf' ? le : leLabel(le)}"}`);
}

export const cluster = {
  up: (model: ServiceModel, instance?: string) => selector(CLUSTER_METRIC.up, targetLabels(model, instance)),
  containerCpu: (model: ServiceModel) => selector(CLUSTER_METRIC.containerCpu, podLabels(model)),
  memory: (model: ServiceModel) => selector(CLUSTER_METRIC.containerMemoryWorkingSet, podLabels(model)),
  resource: (model: ServiceModel, kind: 'requests' | 'limits', resource: 'cpu' | 'memory') =>
    selector(kind === 'requests' ? CLUSTER_METRIC.resourceRequests : CLUSTER_METRIC.resourceLimits, [
      ...podLabels(model),
      eq(LABEL.resource, resource),
      eq('unit', resource === 'cpu' ? 'core' : 'byte'),
    ]),
  hpa: (model: ServiceModel, metric: (typeof CLUSTER_METRIC)[keyof typeof CLUSTER_METRIC], extra: Matcher[] = []) =>
    selector(metric, [
      ...(model.alerting.clusterLabel ? [eq(model.alerting.clusterLabel, 'test-cluster')] : []),
      eq(LABEL.namespace, model.namespace),
      eq(LABEL.hpa, model.scaling?.autoscalerName ?? model.name),
      eq(LABEL.job, 'kube-state-metrics'),
      ...extra,
    ]),
};

/** cAdvisor / kube-state-metrics labels of the service's one test pod. */
function podLabels(model: ServiceModel): Matcher[] {
  return [
    ...(model.alerting.clusterLabel ? [eq(model.alerting.clusterLabel, 'test-cluster')] : []),
    eq(LABEL.namespace, model.namespace),
    eq(LABEL.pod, `${model.name}-7d9f8b6c5-x2x4q`),
    eq(LABEL.container, model.saturation.container),
  ];
}

export const runtime = {
  eventLoop: (model: ServiceModel, state: keyof typeof EVENT_LOOP_STATE) =>
    selector(METRIC.eventLoopTime, [...targetLabels(model), eq(LABEL.eventLoopState, EVENT_LOOP_STATE[state])]),
  eventLoopDelay: (model: ServiceModel) => selector(METRIC.eventLoopDelayP99, targetLabels(model)),
  inFlight: (model: ServiceModel) => selector(METRIC.httpActiveRequests, [...targetLabels(model), eq(LABEL.method, 'GET')]),
};

/** The shim's connection-pool series of one pool on the test pod. */
export const pool = {
  connections: (model: ServiceModel, name: string, state: keyof typeof POOL_STATE) =>
    selector(METRIC.poolConnections, [...targetLabels(model), eq(LABEL.poolName, name), eq(LABEL.poolState, POOL_STATE[state])]),
  max: (model: ServiceModel, name: string) => selector(METRIC.poolMax, [...targetLabels(model), eq(LABEL.poolName, name)]),
  pending: (model: ServiceModel, name: string) => selector(METRIC.poolPendingRequests, [...targetLabels(model), eq(LABEL.poolName, name)]),
  waitCount: (model: ServiceModel, name: string) => selector(`${METRIC.poolWaitTime}_count`, [...targetLabels(model), eq(LABEL.poolName, name)]),
  waitBucket: (model: ServiceModel, name: string, le: number | '+Inf') =>
    selector(`${METRIC.poolWaitTime}_bucket`, [...targetLabels(model), eq(LABEL.poolName, name), eq(LABEL.le, le === '+Inf' ? le : leLabel(le))]),
};
