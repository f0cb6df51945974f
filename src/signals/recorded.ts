import type { ResourcePoolKind } from '../spec/pools';

/**
 * Names of the series the generated recording rules produce and of the alerts they raise. Dashboards,
 * routing and autoscaler queries read these, so they are part of the contract too.
 *
 * Recording names follow the `level:metric:operations` convention (Prometheus docs, "Recording rules");
 * the SLO ones keep Sloth's names (`slo:sli_error:ratio_rate<W>`, `slo:objective:ratio`,
 * `slo:period_error_budget_remaining:ratio`) so Sloth's Grafana dashboard 14348 works unchanged.
 */

export const RECORD = {
  /** Requests (operations) per second of a service, `{namespace, job}`. */
  requestRate: (window: string) => `namespace_job:requests:rate${window}`,
  /** Failed requests per second of a service under its error predicate; 0, not absent, without errors. */
  errorRate: (window: string) => `namespace_job:request_errors:rate${window}`,
  /** SLO events (the SLI denominator) per second, `{namespace, job, slo}`. */
  sliEvents: (window: string) => `slo:sli_events:rate${window}`,
  /** SLO bad events (the SLI numerator) per second, `{namespace, job, slo}`. */
  sliErrors: (window: string) => `slo:sli_errors:rate${window}`,
  /** Traffic-weighted error ratio over a window: bad events / events. Absent (never NaN) without traffic. */
  errorRatio: (window: string) => `slo:sli_error:ratio_rate${window}`,
  /** The SLO objective as a ratio, e.g. 0.999. */
  objective: 'slo:objective:ratio',
  /** Share of the error budget left over the SLO window; negative once overspent. */
  budgetRemaining: 'slo:period_error_budget_remaining:ratio',
} as const;

/** Alert names (CamelCase, mixin style guide). The `signal` label says which golden signal each belongs to. */
export const ALERT = {
  /** Multi-window burn of an SLO's error budget; `slo` and `burn_tier` labels tell which. */
  errorBudgetBurn: 'ErrorBudgetBurn',
  /** An SLO's error budget is spent over its window (`budgetPolicy`); carries the policy in an annotation. */
  errorBudgetExhausted: 'ErrorBudgetExhausted',
  trafficAbsent: 'TrafficAbsent',
  trafficDrop: 'TrafficDrop',
  trafficAboveCapacity: 'TrafficAboveCapacity',
  cpuNearLimit: 'CPUNearLimit',
  cpuAboveRequest: 'CPUAboveRequest',
  memoryNearLimit: 'MemoryNearLimit',
  eventLoopSaturated: 'EventLoopSaturated',
  eventLoopDelayHigh: 'EventLoopDelayHigh',
  inFlightNearLimit: 'InFlightNearLimit',
  autoscalerMaxedOut: 'AutoscalerMaxedOut',
  /** A pod has had most of a connection pool in use; `db_client_connection_pool_name` says which pool. */
  poolNearExhaustion: 'ConnectionPoolNearExhaustion',
  /** The p99 wait for a pool's connections is above the pool's `maxWait`. */
  poolWaitSlow: 'ConnectionPoolWaitSlow',
  /** Waits for a pool's connections alone make requests slower than the latency objective's threshold, at a ticket burn rate. */
  poolWaitBreaksLatency: 'ConnectionPoolWaitBreaksLatency',
  /** The same three for an `http-client` pool (an HTTP agent's sockets to one upstream). */
  httpClientPoolNearExhaustion: 'HttpClientPoolNearExhaustion',
  httpClientPoolWaitSlow: 'HttpClientPoolWaitSlow',
  httpClientPoolWaitBreaksLatency: 'HttpClientPoolWaitBreaksLatency',
  /** The same three for a `worker` pool (worker threads). */
  workerPoolNearExhaustion: 'WorkerPoolNearExhaustion',
  workerPoolWaitSlow: 'WorkerPoolWaitSlow',
  workerPoolWaitBreaksLatency: 'WorkerPoolWaitBreaksLatency',
  /** Every scrape target of the service is down (or none is discovered). Inhibits the symptom alerts. */
  targetsDown: 'ServiceTargetsDown',
  /** Targets are up but the golden-signal series are missing: instrumentation is broken. */
  signalsMissing: 'GoldenSignalsMissing',
} as const;

export type AlertName = (typeof ALERT)[keyof typeof ALERT];

/** A pool's three alerts: near exhaustion, slow waits, waits that break the latency objective. */
export interface PoolAlerts {
  readonly nearExhaustion: AlertName;
  readonly waitSlow: AlertName;
  readonly waitBreaksLatency: AlertName;
}

/** The alerts of each pool kind: named after what runs out, so a responder reads the kind in the name. */
export const POOL_ALERTS: Readonly<Record<ResourcePoolKind, PoolAlerts>> = {
  database: { nearExhaustion: ALERT.poolNearExhaustion, waitSlow: ALERT.poolWaitSlow, waitBreaksLatency: ALERT.poolWaitBreaksLatency },
  'http-client': { nearExhaustion: ALERT.httpClientPoolNearExhaustion, waitSlow: ALERT.httpClientPoolWaitSlow, waitBreaksLatency: ALERT.httpClientPoolWaitBreaksLatency },
  worker: { nearExhaustion: ALERT.workerPoolNearExhaustion, waitSlow: ALERT.workerPoolWaitSlow, waitBreaksLatency: ALERT.workerPoolWaitBreaksLatency },
};

/** The golden signal an alert is about (`signal` label). */
export type Signal = 'latency' | 'traffic' | 'errors' | 'saturation';
