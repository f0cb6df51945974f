/**
 * PromQL builders for the four golden signals of one service. Rules, dashboards and autoscaler metrics
 * call these instead of writing PromQL, so a change of the contract is a change here.
 *
 * Every builder aggregates with an explicit `sum by (...)`: other SDKs add labels (e.g.
 * `network_protocol_version`) and nothing may assume the label set is exactly the shim's.
 * Windows are strings so dashboards can pass `$__rate_interval`.
 */
import type { ServiceKind } from '../spec/service';
import type { ResourcePoolKind } from '../spec/pools';
import { CLUSTER_METRIC, EVENT_LOOP_STATE, LABEL, METRIC, OUTCOME, POOL_SERIES } from './contract';
import { aggregate, eq, leRegex, Matcher, ne, re, selector, sumBy } from './promql';

/** Which service a query is about, and how its series are told apart. */
export interface SignalScope {
  /** Namespace label value (or a Grafana variable such as `$namespace`). */
  readonly namespace: string;
  /** Job label value: the service name (the scrape configuration pins it). */
  readonly job: string;
  /** Service kind: decides which histogram carries traffic, errors and latency. */
  readonly kind: ServiceKind;
  /** Regex over status codes that are errors (see `errorStatusRegex`). */
  readonly errorStatusRegex: string;
  /** Regex over the `error_type` of requests without a response that are errors (see `errorTypeRegex`). */
  readonly errorTypeRegex: string;
  /**
   * `error_type` of requests left out of the availability SLO's events (`errors.clientAborts: 'ignore'`).
   * @default none: every request is an event
   */
  readonly ignoredErrorType?: string;
  /** Container name in the service's pods (cAdvisor and kube-state-metrics series). */
  readonly container: string;
  /** HorizontalPodAutoscaler name, when the service autoscales. */
  readonly autoscalerName?: string;
  /** Extra label that tells clusters apart; kept by every aggregation. */
  readonly clusterLabel?: string;
  /** When true, namespace and job are matched as regexes (dashboard variables with multi-select). */
  readonly regexMatch?: boolean;
  /**
   * Regex over the endpoint label (route or operation) that histogram queries keep, e.g. a dashboard's
   * `$route` variable. Only the histogram carries the endpoint, so no other series is filtered by it.
   * @default every endpoint, and requests that matched no route
   */
  readonly endpointRegex?: string;
  /**
   * Only these requests (a critical user journey): per method, route templates. Histogram queries select each
   * method's routes with one selector and join the selectors with `or` (their series are disjoint), so exactly
   * the listed method and route pairs are read, never a cross product of the methods and the routes.
   * @default every request of the service
   */
  readonly requests?: readonly RouteSelection[];
}

/** Requests of some route templates, with one method or, `method` undefined, any. */
export interface RouteSelection {
  readonly method?: string;
  readonly routes: readonly string[];
}

/** Escapes a literal for a PromQL (RE2) regex: route templates hold `.`, `*` and `+`. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Labels every per-service aggregation keeps: `[cluster,] namespace, job`. */
export function serviceLabels(scope: SignalScope): string[] {
  return [...(scope.clusterLabel ? [scope.clusterLabel] : []), LABEL.namespace, LABEL.job];
}

/** Labels every per-container aggregation keeps: `[cluster,] namespace, container`. */
export function containerLabels(scope: SignalScope): string[] {
  return [...(scope.clusterLabel ? [scope.clusterLabel] : []), LABEL.namespace, LABEL.container];
}

function match(scope: SignalScope, label: string, value: string): Matcher {
  return scope.regexMatch ? re(label, value) : eq(label, value);
}

/** `{namespace="…", job="…"}` matchers of a service's own series. */
export function targetMatchers(scope: SignalScope): Matcher[] {
  return [match(scope, LABEL.namespace, scope.namespace), match(scope, LABEL.job, scope.job)];
}

/**
 * Matchers of the service's duration histogram: the target plus, when set, the endpoint filter; one set per
 * method of a journey's requests (see {@link SignalScope.requests}), to be joined with `or`.
 */
function histogramMatchers(scope: SignalScope): Matcher[][] {
  const base = [...targetMatchers(scope), ...(scope.endpointRegex === undefined ? [] : [re(endpointLabel(scope.kind), scope.endpointRegex)])];
  if (scope.requests === undefined) return [base];
  return scope.requests.map((r) => [
    ...base,
    ...(r.method === undefined ? [] : [eq(LABEL.method, r.method)]),
    r.routes.length === 1 ? eq(LABEL.route, r.routes[0]) : re(LABEL.route, r.routes.map(escapeRegex).join('|')),
  ]);
}

function containerMatchers(scope: SignalScope): Matcher[] {
  return [match(scope, LABEL.namespace, scope.namespace), eq(LABEL.container, scope.container)];
}

/** The histogram whose `_count` is traffic, whose error subset is errors and whose buckets are latency. */
export function durationHistogram(kind: ServiceKind): string {
  switch (kind) {
    case 'http':
      return METRIC.httpDuration;
    case 'worker':
      return METRIC.operationDuration;
  }
}

/**
 * The matchers that select failed requests (or operations) of a service, each on its own: HTTP requests fail by
 * their status code, or, answered with none, by their `error_type` (the two sets are disjoint).
 */
function errorMatchers(scope: SignalScope): Matcher[] {
  switch (scope.kind) {
    case 'http':
      return [re(LABEL.statusCode, scope.errorStatusRegex), re(LABEL.errorType, scope.errorTypeRegex)];
    case 'worker':
      return [eq(LABEL.outcome, OUTCOME.error)];
  }
}

/** The label that names what was served: the route template for HTTP, the operation for workers. */
export function endpointLabel(kind: ServiceKind): string {
  switch (kind) {
    case 'http':
      return LABEL.route;
    case 'worker':
      return LABEL.operation;
  }
}

/**
 * How a counter is read over a window: `rate` (per second) for graphs and rules, `increase` (events in the
 * window) for the budget report, which counts events over a calendar period. Both extrapolate alike
 * (Prometheus docs, "increase()": "syntactic sugar for rate(v) multiplied by the number of seconds"), so the
 * same matchers give the same events either way.
 */
export type CounterFunction = 'rate' | 'increase';

function counter(fn: CounterFunction, metric: string, matchers: readonly Matcher[], window: string): string {
  return `${fn}(${selector(metric, matchers)}[${window}])`;
}

function rate(metric: string, matchers: readonly Matcher[], window: string): string {
  return counter('rate', metric, matchers, window);
}

/** `fn()` of the histogram series selected by each matcher set, joined with `or` (the sets select disjoint series). */
function counters(fn: CounterFunction, metric: string, sets: readonly (readonly Matcher[])[], window: string, extra: readonly Matcher[] = []): string {
  return sets.map((m) => counter(fn, metric, [...m, ...extra], window)).join(' or ');
}

function rates(metric: string, sets: readonly (readonly Matcher[])[], window: string, extra: readonly Matcher[] = []): string {
  return counters('rate', metric, sets, window, extra);
}

/** Traffic: requests (or operations) per second, summed per service and `by`. */
export function requestRate(scope: SignalScope, window: string, by: readonly string[] = []): string {
  return sumBy([...serviceLabels(scope), ...by], rates(`${durationHistogram(scope.kind)}_count`, histogramMatchers(scope), window));
}

/**
 * Errors: failed requests per second under the service's error predicate. For HTTP the union (`or`) of the
 * requests with an error status and those without a response whose `error_type` counts as failed: their series
 * never share a label set, so `or` keeps both.
 */
export function errorRate(scope: SignalScope, window: string, by: readonly string[] = []): string {
  return failed('rate', scope, window, by);
}

/** Errors: failed requests (operations) in `range`, under the same predicate as {@link errorRate}. */
export function errorIncrease(scope: SignalScope, range: string, by: readonly string[] = []): string {
  return failed('increase', scope, range, by);
}

function failed(fn: CounterFunction, scope: SignalScope, window: string, by: readonly string[]): string {
  const count = `${durationHistogram(scope.kind)}_count`;
  return sumBy([...serviceLabels(scope), ...by], errorMatchers(scope).map((m) => counters(fn, count, histogramMatchers(scope), window, [m])).join(' or '));
}

/** Traffic: requests (operations) in `range`, summed per service and `by`; {@link requestRate} as a count. */
export function requestIncrease(scope: SignalScope, range: string, by: readonly string[] = []): string {
  return sumBy([...serviceLabels(scope), ...by], counters('increase', `${durationHistogram(scope.kind)}_count`, histogramMatchers(scope), range));
}

/**
 * Latency: requests (operations) in `range` slower than `thresholdSeconds`, per service and `by`: all of them
 * less those within the threshold (the bad events of a latency SLO, as its recording rule counts them).
 * `clamp_min` guards against the last-digit float noise of the subtraction, as the rule does.
 */
export function slowRequestIncrease(scope: SignalScope, thresholdSeconds: number, range: string, by: readonly string[] = []): string {
  const fast = sumBy(
    [...serviceLabels(scope), ...by],
    counters('increase', `${durationHistogram(scope.kind)}_bucket`, histogramMatchers(scope), range, [re(LABEL.le, leRegex(thresholdSeconds))]),
  );
  return `clamp_min(${requestIncrease(scope, range, by)} - on (${[...serviceLabels(scope), ...by].join(', ')}) ${fast}, 0)`;
}

/**
 * SLO events of availability: requests per second, less those the definition leaves out of the SLO
 * (`errors.clientAborts: 'ignore'`); the same series as {@link requestRate} otherwise.
 */
export function availabilityEventRate(scope: SignalScope, window: string): string {
  if (scope.ignoredErrorType === undefined) return requestRate(scope, window);
  return sumBy(serviceLabels(scope), rates(`${durationHistogram(scope.kind)}_count`, histogramMatchers(scope), window, [ne(LABEL.errorType, scope.ignoredErrorType)]));
}

/** Latency: requests per second answered within `thresholdSeconds` (a bucket boundary, both `le` forms matched). */
export function fastRequestRate(scope: SignalScope, thresholdSeconds: number, window: string, by: readonly string[] = []): string {
  return sumBy(
    [...serviceLabels(scope), ...by],
    rates(`${durationHistogram(scope.kind)}_bucket`, histogramMatchers(scope), window, [re(LABEL.le, leRegex(thresholdSeconds))]),
  );
}

/** Latency: the q-quantile (0 < q < 1) of request duration in seconds, interpolated from the buckets. */
export function latencyQuantile(scope: SignalScope, q: number, window: string, by: readonly string[] = []): string {
  return `histogram_quantile(${q}, ${sumBy([...serviceLabels(scope), ...by, LABEL.le], rates(`${durationHistogram(scope.kind)}_bucket`, histogramMatchers(scope), window))})`;
}

/** Latency heatmap source: per-bucket request rate. */
export function bucketRate(scope: SignalScope, window: string): string {
  return sumBy([LABEL.le], rates(`${durationHistogram(scope.kind)}_bucket`, histogramMatchers(scope), window));
}

/** Saturation: requests in flight per instance (pod). */
export function inFlightPerInstance(scope: SignalScope): string {
  return sumBy([...serviceLabels(scope), LABEL.instance], selector(METRIC.httpActiveRequests, targetMatchers(scope)));
}

/**
 * Saturation: event-loop utilization per instance, `rate(active) / rate(active + idle)`, in [0, 1]. This is
 * the Node.js saturation signal; the raw lag gauge measures only the previous scrape.
 */
export function eventLoopUtilization(scope: SignalScope, window: string): string {
  const by = [...serviceLabels(scope), LABEL.instance];
  const active = sumBy(by, rate(METRIC.eventLoopTime, [...targetMatchers(scope), eq(LABEL.eventLoopState, EVENT_LOOP_STATE.active)], window));
  const all = sumBy(by, rate(METRIC.eventLoopTime, targetMatchers(scope), window));
  return `${active} / (${all} > 0)`;
}

/** Saturation: event-loop delay p99 per instance, in seconds. */
export function eventLoopDelayP99(scope: SignalScope): string {
  return aggregate('max', [...serviceLabels(scope), LABEL.instance], selector(METRIC.eventLoopDelayP99, targetMatchers(scope)));
}

/** Matchers of one pool's series (or every pool of the kind, for `pool` undefined). */
function poolMatchers(scope: SignalScope, kind: ResourcePoolKind, pool: string | undefined): Matcher[] {
  return [...targetMatchers(scope), ...(pool === undefined ? [] : [eq(POOL_SERIES[kind].nameLabel, pool)])];
}

/** Labels every per-pool aggregation keeps: the service's, the kind's pool-name label and, `perInstance`, the instance. */
export function poolLabels(scope: SignalScope, kind: ResourcePoolKind, perInstance: boolean): string[] {
  return [...serviceLabels(scope), ...(perInstance ? [LABEL.instance] : []), POOL_SERIES[kind].nameLabel];
}

/**
 * Saturation: share of a pool's units (connections, sockets, workers) in use, per instance (pod) and pool, in
 * [0, 1]. A pod's pool is its own bound: one exhausted pod queues its share of requests while the others idle.
 */
export function poolInUseRatio(scope: SignalScope, kind: ResourcePoolKind, pool?: string): string {
  const s = POOL_SERIES[kind];
  const by = poolLabels(scope, kind, true);
  const used = sumBy(by, selector(s.count, [...poolMatchers(scope, kind, pool), eq(s.stateLabel, s.state.used)]));
  return `${used} / (${sumBy(by, selector(s.max, poolMatchers(scope, kind, pool)))} > 0)`;
}

/** Saturation: requests waiting for a unit of the pool now, per instance and pool. */
export function poolPendingRequests(scope: SignalScope, kind: ResourcePoolKind, pool?: string): string {
  return sumBy(poolLabels(scope, kind, true), selector(POOL_SERIES[kind].pending, poolMatchers(scope, kind, pool)));
}

/**
 * Saturation: share of a pool's requests for a unit that waited longer than `bound` seconds (a bucket boundary
 * of the wait-time histogram, both `le` forms matched), across the service's pods. Absent without any request
 * in the window.
 */
export function poolWaitsSlowerThan(scope: SignalScope, kind: ResourcePoolKind, bound: number, window: string, pool?: string): string {
  const s = POOL_SERIES[kind];
  const by = poolLabels(scope, kind, false);
  const within = sumBy(by, rate(`${s.waitTime}_bucket`, [...poolMatchers(scope, kind, pool), re(LABEL.le, leRegex(bound))], window));
  const all = sumBy(by, rate(`${s.waitTime}_count`, poolMatchers(scope, kind, pool), window));
  return `1 - (${within} / (${all} > 0))`;
}

/** Saturation: the q-quantile of a pool kind's wait time per pool in seconds, interpolated from the buckets. */
export function poolWaitQuantile(scope: SignalScope, kind: ResourcePoolKind, q: number, window: string): string {
  return `histogram_quantile(${q}, ${sumBy([...poolLabels(scope, kind, false), LABEL.le], rate(`${POOL_SERIES[kind].waitTime}_bucket`, targetMatchers(scope), window))})`;
}

/** Saturation: CPU cores used by the service's containers (cAdvisor), summed per `by`. */
export function cpuUsage(scope: SignalScope, window: string, by: readonly string[] = []): string {
  return sumBy([...containerLabels(scope), ...by], rate(CLUSTER_METRIC.containerCpu, containerMatchers(scope), window));
}

/** Saturation: memory working set of the service's containers in bytes (cAdvisor), summed per `by`. */
export function memoryWorkingSet(scope: SignalScope, by: readonly string[] = []): string {
  return sumBy([...containerLabels(scope), ...by], selector(CLUSTER_METRIC.containerMemoryWorkingSet, containerMatchers(scope)));
}

/** Resource requests or limits of the service's containers (kube-state-metrics), summed per `by`. */
export function containerResource(
  scope: SignalScope,
  kind: 'requests' | 'limits',
  resource: 'cpu' | 'memory',
  by: readonly string[] = [],
): string {
  const metric = kind === 'requests' ? CLUSTER_METRIC.resourceRequests : CLUSTER_METRIC.resourceLimits;
  return sumBy([...containerLabels(scope), ...by], selector(metric, [...containerMatchers(scope), eq(LABEL.resource, resource)]));
}

/** Meta: scrape health of the service's targets (`up`, 1 per healthy target). */
export function targetsUp(scope: SignalScope): string {
  return selector(CLUSTER_METRIC.up, targetMatchers(scope));
}

/** Matchers of the service's HorizontalPodAutoscaler series (kube-state-metrics). */
export function autoscalerMatchers(scope: SignalScope): Matcher[] {
  return [match(scope, LABEL.namespace, scope.namespace), eq(LABEL.hpa, scope.autoscalerName ?? scope.job)];
}

/** One kube-state-metrics HPA series of the service, e.g. current or max replicas. */
export function autoscalerSeries(scope: SignalScope, metric: (typeof CLUSTER_METRIC)[keyof typeof CLUSTER_METRIC]): string {
  return selector(metric, autoscalerMatchers(scope));
}

/**
 * Errors: share of requests that failed, in [0, 1]; 0 rather than absent while requests succeed, absent
 * without traffic (never NaN).
 */
export function requestErrorRatio(scope: SignalScope, window: string, by: readonly string[] = []): string {
  const requests = requestRate(scope, window, by);
  return `(${errorRate(scope, window, by)} or ${requests} * 0) / (${requests} > 0)`;
}

/** Latency: share of requests answered within `thresholdSeconds`, in [0, 1]; absent without traffic. */
export function fastRequestRatio(scope: SignalScope, thresholdSeconds: number, window: string, by: readonly string[] = []): string {
  return `${fastRequestRate(scope, thresholdSeconds, window, by)} / (${requestRate(scope, window, by)} > 0)`;
}

/**
 * The label {@link requestRateByClass} splits traffic by: the status class (`2xx`) for HTTP, the outcome
 * for workers.
 */
export function trafficClassLabel(kind: ServiceKind): string {
  switch (kind) {
    case 'http':
      return LABEL.statusClass;
    case 'worker':
      return LABEL.outcome;
  }
}

/**
 * Traffic by class: HTTP requests per second by status class (`1xx`..`5xx`, derived from the status code
 * with `label_replace`, since no exporter emits a class label), or operations by outcome for workers.
 */
export function requestRateByClass(scope: SignalScope, window: string, by: readonly string[] = []): string {
  switch (scope.kind) {
    case 'http':
      return sumBy(
        [...serviceLabels(scope), ...by, LABEL.statusClass],
        `label_replace(${rates(`${METRIC.httpDuration}_count`, histogramMatchers(scope), window)}, "${LABEL.statusClass}", "\${1}xx", "${LABEL.statusCode}", "([1-5])..")`,
      );
    case 'worker':
      return requestRate(scope, window, [...by, LABEL.outcome]);
  }
}

/** Values of the `alertstate` label of the ALERTS series. */
const ALERT_STATE = { firing: 'firing', pending: 'pending' } as const;

function alertMatchers(scope: SignalScope, state: keyof typeof ALERT_STATE, extra: readonly Matcher[]): Matcher[] {
  // Alerts carry `service`; their `job` is the rule group's, not the service's.
  return [match(scope, LABEL.namespace, scope.namespace), eq(LABEL.service, scope.job), eq(LABEL.alertState, ALERT_STATE[state]), ...extra];
}

/**
 * Alerts: the state of the service's alerts that match `extra`, as one number: 2 when any fires, 1 when
 * any is pending, 0 when all are quiet.
 */
export function alertState(scope: SignalScope, extra: readonly Matcher[] = []): string {
  const firing = aggregate('max', [], selector(CLUSTER_METRIC.alerts, alertMatchers(scope, 'firing', extra)));
  const pending = aggregate('max', [], selector(CLUSTER_METRIC.alerts, alertMatchers(scope, 'pending', extra)));
  return `${firing} * 2 or ${pending} or vector(0)`;
}

/** Alerts: how many of the service's alerts fire, per `by`; 0 rather than absent when none does. */
export function firingAlerts(scope: SignalScope, by: readonly string[] = []): string {
  const count = aggregate('count', by, selector(CLUSTER_METRIC.alerts, alertMatchers(scope, 'firing', [])));
  return by.length === 0 ? `${count} or vector(0)` : count;
}

/**
 * Alerts: how many alerts fire per service, keyed `[cluster,] namespace, job` like every other per-service
 * series so a fleet table can join it. The job is copied from the alerts' `service` label (their own `job`
 * is the rule group's, see {@link alertState}); absent for a service with none firing.
 */
export function firingAlertsPerService(scope: SignalScope): string {
  const alerts = selector(CLUSTER_METRIC.alerts, [
    match(scope, LABEL.namespace, scope.namespace),
    match(scope, LABEL.service, scope.job),
    eq(LABEL.alertState, ALERT_STATE.firing),
  ]);
  return aggregate('count', serviceLabels(scope), `label_replace(${alerts}, "${LABEL.job}", "\${1}", "${LABEL.service}", "(.*)")`);
}

/** A recorded SLO series (`slo:*`, see `RECORD`) of one of the service's SLOs. */
export function sloSeries(scope: SignalScope, record: string, slo: string): string {
  return selector(record, [...targetMatchers(scope), eq(LABEL.slo, slo)]);
}
