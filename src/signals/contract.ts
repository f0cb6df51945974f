/**
 * The metric contract (the README's "metric contract" table): every metric name, label name, bucket boundary and error
 * predicate that the shim emits and the rules, dashboards and autoscalers query. No other module spells a
 * metric or label name; they all ask this one.
 *
 * Names are the Prometheus-side names of the OpenTelemetry semantic conventions as the OTel Collector, the
 * Prometheus OTLP receiver and the Go SDK translate them (with the `_seconds` unit suffix), so services
 * instrumented in other languages match the same rules.
 */
import type { ResourcePoolKind } from '../spec/pools';
import type { ServiceDefinition, StatusClass } from '../spec/service';
import { parseDuration } from '../spec/duration';

/** Series the instrumentation shim emits. */
export const METRIC = {
  /** `http.server.request.duration`, histogram in seconds. */
  httpDuration: 'http_server_request_duration_seconds',
  /** `http.server.active_requests`, gauge. */
  httpActiveRequests: 'http_server_active_requests',
  /** Duration of non-HTTP work measured by `measure(operation, fn)`, histogram in seconds. */
  operationDuration: 'golden_signals_operation_duration_seconds',
  /** `nodejs.eventloop.time`, counter in seconds split by state: the event-loop utilization source. */
  eventLoopTime: 'nodejs_eventloop_time_seconds_total',
  /** Event-loop delay p99 (prom-client default metrics). Includes the ~10ms sampling resolution. */
  eventLoopDelayP99: 'nodejs_eventloop_lag_p99_seconds',
  /** prom-client default metrics. */
  processCpu: 'process_cpu_seconds_total',
  processResidentMemory: 'process_resident_memory_bytes',
  heapUsed: 'nodejs_heap_size_used_bytes',
  gcDuration: 'nodejs_gc_duration_seconds',
  /** Observations the shim's cardinality guard folded into `_OTHER`, by metric. */
  shimOverflow: 'golden_signals_shim_overflow_total',
  /** Observations the shim dropped as invalid (non-finite duration, status outside 100–599), by reason. */
  shimDropped: 'golden_signals_shim_dropped_total',
  // Connection pools (OTel semantic conventions, database metrics, "Connection pools"). An UpDownCounter
  // becomes a gauge without a suffix; a unit in braces (`{connection}`) is an annotation and adds none.
  /** `db.client.connection.count`, gauge: connections by `db_client_connection_state` (used, idle). */
  poolConnections: 'db_client_connection_count',
  /** `db.client.connection.max`, gauge: most connections the pool opens. */
  poolMax: 'db_client_connection_max',
  /** `db.client.connection.pending_requests`, gauge: requests waiting for a connection now. */
  poolPendingRequests: 'db_client_connection_pending_requests',
  /** `db.client.connection.wait_time`, histogram in seconds: how long getting a connection took. */
  poolWaitTime: 'db_client_connection_wait_time_seconds',
  /** `db.client.connection.timeouts`, counter: requests that gave up waiting for a connection. */
  poolTimeouts: 'db_client_connection_timeouts_total',
} as const;

/** Series scraped from the cluster (cAdvisor, kube-state-metrics, Prometheus itself). */
export const CLUSTER_METRIC = {
  up: 'up',
  containerCpu: 'container_cpu_usage_seconds_total',
  containerMemoryWorkingSet: 'container_memory_working_set_bytes',
  resourceRequests: 'kube_pod_container_resource_requests',
  resourceLimits: 'kube_pod_container_resource_limits',
  hpaCurrentReplicas: 'kube_horizontalpodautoscaler_status_current_replicas',
  hpaDesiredReplicas: 'kube_horizontalpodautoscaler_status_desired_replicas',
  hpaMinReplicas: 'kube_horizontalpodautoscaler_spec_min_replicas',
  hpaMaxReplicas: 'kube_horizontalpodautoscaler_spec_max_replicas',
  hpaSpecTarget: 'kube_horizontalpodautoscaler_spec_target_metric',
  hpaStatusTarget: 'kube_horizontalpodautoscaler_status_target_metric',
  /** Prometheus's synthetic series of pending and firing alerts, carrying each alert's labels. */
  alerts: 'ALERTS',
} as const;

/** Label names. */
export const LABEL = {
  // Emitted by the shim (OTel semantic conventions, dots become underscores).
  method: 'http_request_method',
  route: 'http_route',
  statusCode: 'http_response_status_code',
  errorType: 'error_type',
  le: 'le',
  eventLoopState: 'nodejs_eventloop_state',
  operation: 'operation',
  outcome: 'outcome',
  overflowMetric: 'metric',
  dropReason: 'reason',
  /** `db.client.connection.pool.name`: the pool's name from the definition, never runtime input. */
  poolName: 'db_client_connection_pool_name',
  /** `db.client.connection.state`: `used` or `idle`. */
  poolState: 'db_client_connection_state',
  /** The name of an `http-client` pool, from the definition (see POOL_SERIES). */
  httpClientPoolName: 'http_client_connection_pool_name',
  /** `http.connection.state`: `active` or `idle`. */
  httpConnectionState: 'http_connection_state',
  /** The name of a `worker` pool, from the definition (see POOL_SERIES). */
  workerPoolName: 'nodejs_worker_pool_name',
  /** `busy` or `idle`. */
  workerState: 'nodejs_worker_pool_worker_state',
  // OpenMetrics exemplar labels (OTel spec, prometheus_and_openmetrics.md "Exemplars").
  traceId: 'trace_id',
  spanId: 'span_id',
  // Owned by the scrape configuration; the shim never emits them.
  namespace: 'namespace',
  job: 'job',
  instance: 'instance',
  pod: 'pod',
  container: 'container',
  service: 'service',
  // cAdvisor / kube-state-metrics.
  resource: 'resource',
  hpa: 'horizontalpodautoscaler',
  hpaMetricName: 'metric_name',
  hpaMetricTargetType: 'metric_target_type',
  // Alert and recording-rule identity.
  slo: 'slo',
  /** The critical user journey an SLO series or burn alert is about (absent on service-wide SLOs). */
  journey: 'journey',
  signal: 'signal',
  severity: 'severity',
  burnTier: 'burn_tier',
  team: 'team',
  // Prometheus's ALERTS series (Prometheus docs, "Alerting rules: inspecting alerts during runtime").
  alertName: 'alertname',
  alertState: 'alertstate',
  // Derived by dashboards with label_replace: the first digit of the status code, as `2xx`.
  statusClass: 'status_class',
} as const;

/**
 * Labels the generated alerts carry: the contract's identity labels (alertingRule, the SLO alerts' `slo` and
 * `burn_tier`), Prometheus's `alertname`, and the labels the alert expressions keep (their `by (...)`).
 * A static label of the same name (`alerting.labels`) would override them: `severity` decides page or ticket,
 * `service`, `namespace` and `team` decide who is notified.
 */
export const ALERT_LABELS: readonly string[] = [
  LABEL.service,
  LABEL.namespace,
  LABEL.team,
  LABEL.signal,
  LABEL.severity,
  LABEL.slo,
  LABEL.journey,
  LABEL.burnTier,
  LABEL.alertName,
  LABEL.alertState,
  LABEL.job,
  LABEL.instance,
  LABEL.pod,
  LABEL.container,
  LABEL.hpa,
  LABEL.hpaMetricName,
  LABEL.hpaMetricTargetType,
  LABEL.poolName,
  LABEL.httpClientPoolName,
  LABEL.workerPoolName,
];

/** Labels the scrape configuration owns; the shim must never emit them. */
export const TARGET_LABELS: readonly string[] = [LABEL.namespace, LABEL.job, LABEL.instance, LABEL.service, LABEL.pod];

/** Values of the `outcome` label of {@link METRIC.operationDuration}. */
export const OUTCOME = { success: 'success', error: 'error' } as const;

/** Values of the `db_client_connection_state` label (OTel `db.client.connection.state`). */
export const POOL_STATE = { used: 'used', idle: 'idle' } as const;

/**
 * The series of one kind of pool (`capacity.pools[].kind`): a gauge of units by state (in use, idle), the most
 * units, requests waiting now, a wait-time histogram and a timeout counter, each labelled with the pool's name.
 */
export interface PoolSeries {
  /** What the pool hands out, in the plural, for titles and messages: `connections`, `sockets`, `workers`. */
  readonly units: string;
  /** Gauge of units by {@link stateLabel}. */
  readonly count: string;
  readonly stateLabel: string;
  /** Values of {@link stateLabel}. */
  readonly state: { readonly used: string; readonly idle: string };
  readonly max: string;
  readonly pending: string;
  /** Histogram in seconds, without its `_bucket`/`_count`/`_sum` suffix. */
  readonly waitTime: string;
  readonly timeouts: string;
  /** Label with the pool's name from the definition, never runtime input. */
  readonly nameLabel: string;
}

/**
 * Series names per pool kind, translated to Prometheus as the rest of the contract (dots to underscores, unit
 * suffix `_seconds`, counters `_total`):
 * - `database`: OpenTelemetry's `db.client.connection.*` ("Database metrics: Connection pools").
 * - `http-client`: OpenTelemetry's `http.client.open_connections` with `http.connection.state` (active, idle) and
 *   .NET's `http.client.request.time_in_queue` (semantic conventions "HTTP metrics emitted by .NET", the one
 *   convention for waiting on a client's connection pool); max, pending and timeouts have no convention and
 *   follow the database names under `http.client.connection.*`.
 * - `worker`: no convention exists for a worker-thread pool; the same shape under `nodejs.worker_pool.*`, in
 *   the namespace of the runtime series (`nodejs_eventloop_*`).
 */
export const POOL_SERIES: Readonly<Record<ResourcePoolKind, PoolSeries>> = {
  database: {
    units: 'connections',
    count: METRIC.poolConnections,
    stateLabel: LABEL.poolState,
    state: POOL_STATE,
    max: METRIC.poolMax,
    pending: METRIC.poolPendingRequests,
    waitTime: METRIC.poolWaitTime,
    timeouts: METRIC.poolTimeouts,
    nameLabel: LABEL.poolName,
  },
  'http-client': {
    units: 'sockets',
    count: 'http_client_open_connections',
    stateLabel: LABEL.httpConnectionState,
    state: { used: 'active', idle: 'idle' },
    max: 'http_client_connection_max',
    pending: 'http_client_connection_pending_requests',
    waitTime: 'http_client_request_time_in_queue_seconds',
    timeouts: 'http_client_connection_timeouts_total',
    nameLabel: LABEL.httpClientPoolName,
  },
  worker: {
    units: 'workers',
    count: 'nodejs_worker_pool_workers',
    stateLabel: LABEL.workerState,
    state: { used: 'busy', idle: 'idle' },
    max: 'nodejs_worker_pool_max',
    pending: 'nodejs_worker_pool_pending_tasks',
    waitTime: 'nodejs_worker_pool_wait_time_seconds',
    timeouts: 'nodejs_worker_pool_timeouts_total',
    nameLabel: LABEL.workerPoolName,
  },
};

/** Every pool series name of every kind (the wait histograms without their suffixes). */
export const POOL_METRICS: readonly string[] = Object.values(POOL_SERIES).flatMap((s) => [s.count, s.max, s.pending, s.waitTime, s.timeouts]);

/** Values of the `nodejs_eventloop_state` label. */
export const EVENT_LOOP_STATE = { active: 'active', idle: 'idle' } as const;

/** `http_request_method` values kept as they are; anything else becomes {@link OTHER} (OTel semconv). */
export const KNOWN_HTTP_METHODS: readonly string[] = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'];

/** Placeholder label value for a method outside the known set or a route past the cardinality cap. */
export const OTHER = '_OTHER';

/**
 * What is wrong with a route template (the `http_route` values of node:http services), or undefined. One rule
 * for the definition's validation and the shim's matcher: a template starts with "/", and a `*` segment
 * takes the rest of the path, as in Fastify's router (find-my-way), so it must come last. The matcher
 * ignores the query string and fragment of a request, so a template with `?` or `#` never matches.
 */
export function routeTemplateProblem(template: unknown): string | undefined {
  if (typeof template !== 'string' || !template.startsWith('/')) return 'must be a route template starting with "/", e.g. "/orders/:id"';
  if (/\/\*[^/]*\/./.test(template)) return 'may use "*" only as the last segment, e.g. "/files/*"';
  if (/[?#]/.test(template)) {
    return 'must be a path without a query string or fragment: requests are matched on their path alone, so a template with "?" or "#" never matches; e.g. "/search"';
  }
  return undefined;
}

/**
 * The paths a template matches, as a key: two templates with the same key match the same requests, and the
 * matcher answers the first, so the other's series stay 0. A trailing slash is ignored (the matcher ignores
 * it in the request too) and parameter names do not count: `/orders/:id` and `/orders/:key/` are one shape,
 * `/orders/:` (and `/files/*`, `*rest` alike `*`).
 */
export function routeShape(template: string): string {
  const path = template.length > 1 && template.endsWith('/') ? template.slice(0, -1) : template;
  return path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? ':' : segment.startsWith('*') ? '*' : segment))
    .join('/');
}

/** The shim's default cap on series per histogram (`maxSeriesPerMetric`): the OTel SDK's default cardinality limit. */
export const DEFAULT_MAX_SERIES_PER_METRIC = 2000;
/**
 * Series a route is budgeted in the duration histogram: the method × status-code pairs it sees in practice
 * (GET and POST, each with a few of 200, 201, 204, 400, 404, 409, 429, 500, 503). The shim pre-creates two
 * per route (GET 200 and GET with an error status) before any request.
 */
export const SERIES_PER_ROUTE = 10;
/**
 * Most routes a definition may list: the shim keeps 5% of its default cap for `_OTHER` series, which leaves
 * 1,900, and {@link SERIES_PER_ROUTE} each of those fits 190 routes. Past that, real traffic folds into
 * `_OTHER` and routes stop being measured on their own; a service with more routes is better measured
 * per router (or per route prefix) than per template.
 */
export const MAX_ROUTES = Math.floor((DEFAULT_MAX_SERIES_PER_METRIC * 0.95) / SERIES_PER_ROUTE);

/**
 * OpenTelemetry's advised boundaries for `http.server.request.duration` (semantic conventions, HTTP
 * metrics), in seconds.
 */
export const OTEL_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * Histogram bucket boundaries for a service, in seconds: the OTel advised boundaries plus every latency
 * SLO threshold, sorted and unique, so "share of requests slower than the threshold" is exact rather than
 * interpolated.
 */
export function histogramBuckets(definition: Pick<ServiceDefinition, 'slos' | 'journeys'>): number[] {
  const bounds = new Set(OTEL_DURATION_BUCKETS);
  // Every latency objective's threshold, service-wide and per journey, one objective or several. Read
  // defensively: the shim calls this on the definition as the app imported it, which nothing validated.
  const objectives = [definition.slos, ...Object.values(definition.journeys ?? {})].flatMap((o) => {
    const latency: unknown = o?.latency;
    return Array.isArray(latency) ? latency : latency === undefined ? [] : [latency];
  });
  for (const objective of objectives) {
    const threshold: unknown = (objective as { threshold?: unknown } | null)?.threshold;
    const ms = typeof threshold === 'string' ? parseDuration(threshold) : undefined;
    if (ms !== undefined && ms > 0) bounds.add(ms / 1000);
  }
  return [...bounds].sort((a, b) => a - b);
}

/**
 * `error_type` values of an HTTP request that got no complete response (and so no status code). Server-side,
 * Node.js reports a client that went away and a connection the server or a proxy dropped alike (the socket
 * closed before the response finished), so the shim tells apart only what it sees itself.
 */
export const ERROR_TYPE = {
  /** The server failed to answer: the handler threw (node:http adapter; Express and Fastify answer a throw with a 500). */
  unanswered: 'unanswered',
  /** The connection closed before the response was complete: the client gave up, or a timeout or proxy dropped it. */
  aborted: 'aborted',
} as const;

/**
 * The `error_type` values that count as failed requests: `unanswered` always (a request the server failed to
 * answer is a failed request), `aborted` unless `errors.clientAborts` is `'ignore'`. By default a closed
 * connection counts as failed because the server cannot tell a client that gave up on a hung server from one
 * that navigated away, and a hung server must not look healthy.
 */
export function errorTypeRegex(definition: Pick<ServiceDefinition, 'errors'>): string {
  return definition.errors?.clientAborts === 'ignore' ? ERROR_TYPE.unanswered : `${ERROR_TYPE.unanswered}|${ERROR_TYPE.aborted}`;
}

/** Default error predicate: server errors only. */
export const DEFAULT_ERROR_STATUS_CODES: ReadonlyArray<StatusClass | number> = ['5xx'];

/**
 * The error predicate as a regex over `http_response_status_code`, e.g. `5..|429`. Shared by the rules
 * (as a PromQL matcher) and the shim (which counts the same requests as errors).
 */
export function errorStatusRegex(definition: Pick<ServiceDefinition, 'errors'>): string {
  const codes = definition.errors?.statusCodes ?? DEFAULT_ERROR_STATUS_CODES;
  return codes.map((c) => (typeof c === 'number' ? String(c) : `${c[0]}..`)).join('|');
}

/** Whether a status code is an error under a service's predicate (the shim's side of {@link errorStatusRegex}). */
export function errorStatusTest(definition: Pick<ServiceDefinition, 'errors'>): (status: number) => boolean {
  const pattern = new RegExp(`^(?:${errorStatusRegex(definition)})$`);
  return (status) => pattern.test(String(status));
}
