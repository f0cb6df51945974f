import type { RouteSelection, SignalScope } from '../signals/queries';
import type { BurnTierName, ServiceDefinition, ServiceKind, Severity } from '../spec/service';
import type { DatabaseLimit, ResourcePoolKind } from '../spec/pools';
import type { ScalingModel } from './scaling';

/**
 * A validated service with every default resolved, once. Generators read only this; they never look at
 * the raw definition or re-apply a default. Durations are whole milliseconds, ratios are in [0, 1].
 */
export interface ServiceModel {
  readonly name: string;
  readonly namespace: string;
  readonly team: string;
  readonly kind: ServiceKind;
  /** The definition this model was resolved from (for the shim and for error messages). */
  readonly definition: ServiceDefinition;
  readonly metrics: MetricsModel;
  /** How queries select this service's series. */
  readonly scope: SignalScope;
  /** Histogram bucket boundaries in seconds, ascending (OTel defaults plus every latency threshold). */
  readonly buckets: readonly number[];
  readonly routes: readonly string[];
  /**
   * Every SLO, service-wide ones first (availability, then latency objectives from the tightest threshold),
   * then each journey's in definition order.
   */
  readonly slos: readonly SloModel[];
  /** The critical user journeys, in definition order (their SLOs are in {@link slos}). */
  readonly journeys: readonly JourneyModel[];
  readonly traffic: TrafficModel;
  readonly capacity: CapacityModel;
  readonly saturation: SaturationModel;
  readonly scaling?: ScalingModel;
  readonly alerting: AlertingModel;
  /** The error budget policy, when the definition has one and its alert is on. */
  readonly budgetPolicy?: BudgetPolicyModel;
  /** Durations of the rules that the definition does not set (resolved defaults, see ./timings.ts). */
  readonly timings: TimingsModel;
  /** Buckets of the connection wait-time histogram in seconds: {@link buckets} plus every pool's `maxWait`. */
  readonly poolWaitBuckets: readonly number[];
  /**
   * Advice about a valid definition (a pool far larger than its load needs). Synth reports each one as a
   * process warning; nothing fails.
   */
  readonly warnings: readonly DefinitionWarning[];
}

/** Advice about a field of a valid definition. */
export interface DefinitionWarning {
  readonly field: string;
  readonly value: unknown;
  /** What is off and what to do, e.g. "is far above what one pod needs ...". */
  readonly message: string;
}

export interface MetricsModel {
  readonly port: number;
  readonly path: string;
  readonly portName: string;
  readonly scrapeIntervalMs: number;
  readonly serviceSelector: Readonly<Record<string, string>>;
}

/** What an SLO measures. */
export type SloKind = 'availability' | 'latency';

export interface SloModel {
  readonly kind: SloKind;
  /**
   * Value of the `slo` label, unique within the service: `availability` and `latency` for the one-objective
   * form, `latency-<threshold>` for each of several latency objectives (`latency-100ms`, `latency-1s`), and the
   * journey's name before either for a journey's (`place-order-availability`).
   */
  readonly name: string;
  /** The journey this SLO is measured over; undefined for a service-wide SLO. */
  readonly journey?: JourneyModel;
  /** Golden signal the SLO belongs to (`signal` alert label). */
  readonly signal: 'errors' | 'latency';
  /** Objective as a ratio, e.g. 0.999. */
  readonly objective: number;
  /** Objective as the user wrote it, e.g. 99.9. */
  readonly objectivePercent: number;
  /** 1 − objective, exact, e.g. 0.001. */
  readonly errorBudget: number;
  readonly windowMs: number;
  /** Latency threshold in seconds (latency SLOs only). */
  readonly thresholdSeconds?: number;
  /** Enabled tiers, fastest first. */
  readonly tiers: readonly BurnTierModel[];
}

/** A critical user journey: a named subset of the service's requests. */
export interface JourneyModel {
  /** Value of the `journey` label of its SLOs' series and alerts. */
  readonly name: string;
  /** Its requests, grouped by method in order of first mention (`method` undefined: every method of the routes). */
  readonly requests: readonly RouteSelection[];
}

export type { RouteSelection } from '../signals/queries';

export interface BurnTierModel {
  readonly name: BurnTierName;
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
  readonly budgetConsumedPercent: number;
  /** Burn-rate factor: budget share × SLO window / long window (14.4 for the fast tier on 30 days). */
  readonly factor: number;
  /** Error-ratio threshold: factor × error budget, exact (0.0144 for the fast tier at 99.9%). */
  readonly errorRatioThreshold: number;
  readonly forMs: number;
  readonly severity: Severity;
  /** Fewest events in the long window before the alert may fire (the low-traffic guard). */
  readonly minEvents: number;
}

export interface TrafficModel {
  /** Page after this long without any request; undefined when the service may idle. */
  readonly noTrafficForMs?: number;
  /** Ticket when traffic is below this share of last week; undefined when off. */
  readonly dropBelowLastWeek?: number;
  readonly dropMinRequestsPerSecond: number;
}

export interface CapacityModel {
  readonly requestsPerSecond?: number;
  readonly concurrentRequests?: number;
  /** Bounded resources of each pod, in definition order. */
  readonly pools: readonly PoolModel[];
}

/** A resolved `capacity.pools` entry. */
export interface PoolModel {
  readonly kind: ResourcePoolKind;
  /** Value of the pool-name label. */
  readonly name: string;
  readonly size: number;
  readonly inUseOfSize: number;
  readonly maxWaitSeconds: number;
  /** Units (connections, sockets, workers) in use on average at the declared capacity (Little's law), when the definition gives enough to say. */
  readonly unitsNeeded?: number;
  readonly connectsTo?: DatabaseLimit;
}

export interface SaturationModel {
  readonly container: string;
  readonly cpuOfLimit: number;
  readonly cpuOfRequest: number;
  readonly memoryOfLimit: number;
  readonly eventLoopUtilization: number;
  readonly eventLoopDelayP99Seconds: number;
  readonly inFlightOfLimit: number;
}

/** The scaling section, resolved (defined with its resolver in ./scaling). */
export type { ScalingModel } from './scaling';

/** See {@link ServiceDefinition.budgetPolicy}. */
export interface BudgetPolicyModel {
  readonly severity: Severity;
  readonly action: string;
}

export interface AlertingModel {
  readonly runbookUrlPattern: string;
  readonly grafanaUrl: string;
  readonly evaluationIntervalMs: number;
  /** Interval of the SLO-window rules' own group; undefined: they stay in the service's group. */
  readonly sloWindowEvaluationIntervalMs?: number;
  readonly clusterLabel?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** UID of the service's Grafana dashboard (deterministic; the dashboards module uses the same). */
  readonly dashboardUid: string;
  /** UID of the service's error-budget report (deterministic; the dashboards module uses the same). */
  readonly budgetReportUid: string;
}

/**
 * Durations the rule generators read besides the definition's own (SLO windows, tiers, `noTrafficFor`,
 * scrape and evaluation intervals). Resolved to defaults ({@link DEFAULT_TIMINGS}), so that a
 * time-compressed model (`compressTime`) changes every duration of every rule at once. Milliseconds.
 */
export interface TimingsModel {
  /** Upper bound of the base rate window every SLO ratio is built from. @default 5m */
  readonly baseWindowMaxMs: number;
  /** Least `for` of an `absent()` alert (it is also at least two scrapes). @default 1m */
  readonly absentForMinMs: number;
  /** Window the week-over-week traffic comparison averages over. @default 30m */
  readonly trafficDropWindowMs: number;
  /** How far back the traffic comparison looks. @default 1w */
  readonly trafficDropOffsetMs: number;
  readonly trafficDropForMs: number;
  readonly trafficAboveCapacityForMs: number;
  readonly cpuNearLimitForMs: number;
  readonly cpuAboveRequestForMs: number;
  readonly memoryNearLimitForMs: number;
  readonly eventLoopSaturatedForMs: number;
  readonly eventLoopDelayHighForMs: number;
  readonly inFlightNearLimitForMs: number;
  readonly poolNearExhaustionForMs: number;
  readonly poolWaitSlowForMs: number;
  readonly poolWaitBreaksLatencyForMs: number;
  readonly autoscalerMaxedOutForMs: number;
  /** Least `for` of ServiceTargetsDown (it is also at least the `absent()` wait). @default 2m */
  readonly targetsDownForMs: number;
  readonly signalsMissingForMs: number;
}
