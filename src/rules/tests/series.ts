/**
 * Synthetic input series for promtool unit tests, labelled as the shim and the cluster exporters label
 * them. Values are per-minute samples written in promtool's expanding notation.
 */
import type { JourneyModel, PoolModel, ServiceModel } from '../../model/types';
import { CLUSTER_METRIC, ERROR_TYPE, EVENT_LOOP_STATE, LABEL, METRIC, OUTCOME, POOL_SERIES } from '../../signals/contract';
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

/** The method and route template of a test request (HTTP). */
export interface Endpoint {
  readonly method: string;
  readonly route: string;
}

const TEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Whether a journey's rules select requests of `endpoint`. */
export function journeySelects(journey: JourneyModel, endpoint: Endpoint): boolean {
  return journey.requests.some((r) => (r.method === undefined || r.method === endpoint.method) && r.routes.includes(endpoint.route));
}

/**
 * Where a scenario's service-wide requests go: `GET <first route>`, as always, unless a journey selects it (its
 * SLOs would burn with the service's); then the first method and route no journey selects.
 */
export function mainEndpoint(model: ServiceModel): Endpoint {
  const first = { method: 'GET', route: model.routes[0] ?? '/' };
  if (!model.journeys.some((j) => journeySelects(j, first))) return first;
  const candidates = model.routes.flatMap((route) => TEST_METHODS.map((method) => ({ method, route })));
  return candidates.find((e) => !model.journeys.some((j) => journeySelects(j, e))) ?? { method: 'GET', route: '/' };
}

/** Where a journey's scenario requests go: its first request no other journey selects (else its first). */
export function journeyEndpoint(model: ServiceModel, journey: JourneyModel): Endpoint {
  const own = journey.requests.flatMap((r) => r.routes.map((route) => ({ method: r.method ?? 'GET', route })));
  return own.find((e) => !model.journeys.some((j) => j !== journey && journeySelects(j, e))) ?? own[0];
}

/**
 * A request on one of the journey's routes with a method the journey does not select for it (`GET /checkout` in
 * a journey of `POST /checkout` and `GET /orders/:id`), which its rules must leave out; undefined when the
 * journey takes every method of its routes.
 */
export function outsideEndpoint(journey: JourneyModel): Endpoint | undefined {
  const routes = journey.requests.flatMap((r) => r.routes);
  const methods = [...journey.requests.flatMap((r) => (r.method ? [r.method] : [])), ...TEST_METHODS];
  for (const route of routes) for (const method of methods) if (!journeySelects(journey, { method, route })) return { method, route };
  return undefined;
}

/** Series of the duration histogram's `_count` for one outcome, of `endpoint` (HTTP; {@link mainEndpoint} by default). */
export function histogramCount(model: ServiceModel, outcome: Outcome, endpoint: Endpoint = mainEndpoint(model)): string {
  const metric = `${durationHistogram(model.kind)}_count`;
  switch (model.kind) {
    case 'http':
      return selector(metric, [
        ...targetLabels(model),
        eq(LABEL.method, endpoint.method),
        eq(LABEL.route, endpoint.route),
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
export function histogramBucket(model: ServiceModel, le: number | '+Inf', outcome: Outcome = 'ok', endpoint?: Endpoint): string {
  const base = histogramCount(model, outcome, endpoint).replace(/_count\{/, '_bucket{');
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

/** The shim's series of one pool on the test pod, named as its kind's (see POOL_SERIES). */
export const pool = {
  units: (model: ServiceModel, p: PoolModel, state: 'used' | 'idle') => {
    const s = POOL_SERIES[p.kind];
    return selector(s.count, [...poolTarget(model, p), eq(s.stateLabel, s.state[state])]);
  },
  max: (model: ServiceModel, p: PoolModel) => selector(POOL_SERIES[p.kind].max, poolTarget(model, p)),
  pending: (model: ServiceModel, p: PoolModel) => selector(POOL_SERIES[p.kind].pending, poolTarget(model, p)),
  waitCount: (model: ServiceModel, p: PoolModel) => selector(`${POOL_SERIES[p.kind].waitTime}_count`, poolTarget(model, p)),
  waitBucket: (model: ServiceModel, p: PoolModel, le: number | '+Inf') =>
    selector(`${POOL_SERIES[p.kind].waitTime}_bucket`, [...poolTarget(model, p), eq(LABEL.le, le === '+Inf' ? le : leLabel(le))]),
};

function poolTarget(model: ServiceModel, p: PoolModel): Matcher[] {
  return [...targetLabels(model), eq(POOL_SERIES[p.kind].nameLabel, p.name)];
}
