/**
 * The scaling section of a service definition: which workload scales, on which signals, how fast, and by
 * which controller (a HorizontalPodAutoscaler, or KEDA instead of it), plus an optional
 * VerticalPodAutoscaler. Plain typed data with no cdk8s import, like the rest of the spec.
 *
 * Field names follow the Kubernetes API they end up in (`stabilizationWindowSeconds`, `periodSeconds`,
 * `selectPolicy`, `averageUtilization`), so a reader who knows HPA YAML recognises every knob.
 */

/**
 * Horizontal (and optionally vertical) scaling of a service.
 *
 * @example
 * scaling: {
 *   minReplicas: 3, maxReplicas: 200,
 *   metrics: [{ type: 'requestsPerSecond' }],          // target = capacity.requestsPerSecond × (1 − headroom)
 *   behavior: 'spiky',
 *   vpa: { mode: 'Off' },                               // recommendations only, safe next to any HPA
 * }
 */
export interface ScalingPolicy {
  /**
   * Fewest replicas. 0 (scale to zero, e.g. for dev environments) is allowed only with
   * `autoscaler: { kind: 'keda' }` and a trigger that is not CPU or memory.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Name of the HorizontalPodAutoscaler. With KEDA it names the HPA that KEDA creates
   * (`advanced.horizontalPodAutoscalerConfig.name`), so the "autoscaler maxed out" alert finds it either way.
   * @default the service name
   */
  readonly autoscalerName?: string;
  /** The workload that scales. @default { kind: 'Deployment', name: <service name> } */
  readonly target?: ScaleTarget;
  /**
   * What the autoscaler scales on. The HPA proposes a replica count per metric and takes the largest.
   * @default the per-pod capacity metric the definition allows: `requestsPerSecond` when
   * `capacity.requestsPerSecond` is set, else `inFlightRequests` when `capacity.concurrentRequests` is set,
   * else CPU at 80% of requests (what the API server fills in for an HPA without metrics)
   */
  readonly metrics?: readonly ScalingMetric[];
  /**
   * Share of a pod's declared capacity kept free: per-pod targets derived from `capacity` are
   * `capacity × (1 − headroom)`. The default leaves room for the controller's 10% tolerance band plus
   * the growth during one reaction (sync period, metric window, pod start-up).
   * @default 0.2
   */
  readonly headroom?: number;
  /**
   * How fast replicas may change: a preset name, or a preset with overrides.
   * @default 'kubernetes-default' (no `behavior` in the HPA: the controller's built-in rules)
   */
  readonly behavior?: BehaviorPresetName | ScalingBehavior;
  /**
   * Which controller acts: a plain HPA (with prometheus-adapter rules for custom metrics) or a KEDA
   * ScaledObject, which creates its own HPA. Never both for one workload (the KEDA webhook rejects it).
   * @default { kind: 'hpa' }
   */
  readonly autoscaler?: AutoscalerChoice;
  /** A VerticalPodAutoscaler for the same workload. @default none */
  readonly vpa?: VerticalScaling;
}

/** The workload a scaling policy acts on. */
export interface ScaleTarget {
  /** Workload kind. */
  readonly kind: ScalableKind;
  /** Workload name, a DNS subdomain. */
  readonly name: string;
}

/** Workload kinds with a `/scale` subresource that this library targets. */
export type ScalableKind = 'Deployment' | 'StatefulSet';

/**
 * One signal to scale on. Exactly one target field per metric, as the API server requires.
 *
 * - `cpu` / `memory`: resource usage, as a share of the containers' requests (`averageUtilization`, a
 *   percentage) or as an absolute quantity per pod (`averageValue`, e.g. `'500m'`, `'1Gi'`).
 * - `requestsPerSecond`: the shim's request rate per pod (operations per second for workers), served to the
 *   HPA by prometheus-adapter or queried by KEDA.
 * - `inFlightRequests`: the shim's in-flight requests per pod.
 * - `external`: a series that is not the service's own, e.g. queue depth; `averageValue` divides it by
 *   the replica count (messages per pod), `value` compares it whole.
 */
export type ScalingMetric = ResourceScalingMetric | RequestsPerSecondMetric | InFlightRequestsMetric | ExternalScalingMetric;

/** CPU or memory of the service's pods. */
export interface ResourceScalingMetric {
  readonly type: 'cpu' | 'memory';
  /** Target usage as a percentage of the pods' requests, e.g. `70`. @default none: give this or averageValue */
  readonly averageUtilization?: number;
  /** Target usage per pod as a Kubernetes quantity, e.g. `'500m'` or `'512Mi'`. @default none */
  readonly averageValue?: string;
}

/** Requests (HTTP) or operations (workers) per second per pod, from the shim's duration histogram. */
export interface RequestsPerSecondMetric {
  readonly type: 'requestsPerSecond';
  /** Target per pod. @default capacity.requestsPerSecond × (1 − headroom) */
  readonly averageValue?: number;
}

/** Requests in flight per pod, from the shim's active-requests gauge (HTTP services only). */
export interface InFlightRequestsMetric {
  readonly type: 'inFlightRequests';
  /** Target per pod. @default capacity.concurrentRequests × (1 − headroom) */
  readonly averageValue?: number;
}

/** A metric from outside the service, e.g. the depth of the queue a worker drains. */
export interface ExternalScalingMetric {
  readonly type: 'external';
  /** Prometheus series name, e.g. `'rabbitmq_queue_messages_ready'`. */
  readonly metric: string;
  /** Label values that select the right series, e.g. `{ queue: 'emails' }`. @default {} */
  readonly selector?: Readonly<Record<string, string>>;
  /** Target per pod: the sum divided by the replica count. @default none: give this or value */
  readonly averageValue?: number;
  /** Target for the whole sum. @default none */
  readonly value?: number;
}

/**
 * Named behaviors:
 * - `kubernetes-default`: no `behavior` field; the controller's built-in rules apply.
 * - `spiky`: fast up, slow down, for release spikes and flash crowds.
 * - `steady`: slow both ways, for smooth diurnal traffic where churn costs more than a few minutes of lag.
 * - `batch`: queue workers: fast up to drain a backlog, gentle down so in-progress work finishes.
 */
export type BehaviorPresetName = 'kubernetes-default' | 'spiky' | 'steady' | 'batch';

/** A preset with overrides; each direction's fields replace the preset's. */
export interface ScalingBehavior {
  /** Starting point. @default 'kubernetes-default' (the API server's defaults for any field not given) */
  readonly preset?: BehaviorPresetName;
  /** Rules for adding replicas. @default the preset's */
  readonly scaleUp?: ScalingRules;
  /** Rules for removing replicas. @default the preset's */
  readonly scaleDown?: ScalingRules;
}

/** One direction's scaling rules (HPA `behavior.scaleUp` / `behavior.scaleDown`). */
export interface ScalingRules {
  /**
   * Seconds of past recommendations considered: scale-up takes the lowest of them, scale-down the highest.
   * 0–3600. @default the preset's
   */
  readonly stabilizationWindowSeconds?: number;
  /** Which policy wins when several allow different changes. @default the preset's ('Max' in all presets) */
  readonly selectPolicy?: SelectPolicy;
  /** Limits on the change per period; replaces the preset's list. Non-empty. @default the preset's */
  readonly policies?: readonly ScalingPolicyRule[];
}

/** `Max`: the policy allowing the largest change; `Min`: the smallest; `Disabled`: no change this way. */
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

/** At most `value` pods (or percent of the replicas at the period's start) per `periodSeconds`. */
export interface ScalingPolicyRule {
  readonly type: 'Pods' | 'Percent';
  /** Greater than 0, whole. */
  readonly value: number;
  /** 1–1800, whole. */
  readonly periodSeconds: number;
}

/** See {@link ScalingPolicy.autoscaler}. */
export type AutoscalerChoice = HpaAutoscaler | KedaAutoscaler;

/** A HorizontalPodAutoscaler; custom metrics come through prometheus-adapter rules generated alongside. */
export interface HpaAutoscaler {
  readonly kind: 'hpa';
}

/**
 * A KEDA ScaledObject with Prometheus triggers (and optionally cron triggers). KEDA queries Prometheus
 * itself, so no prometheus-adapter rules are needed.
 */
export interface KedaAutoscaler {
  readonly kind: 'keda';
  /** Prometheus base URL KEDA queries, e.g. `'http://prometheus-operated.monitoring:9090'`. */
  readonly serverAddress: string;
  /** Seconds between KEDA's checks of each trigger. @default 30 (KEDA's default) */
  readonly pollingIntervalSeconds?: number;
  /** Seconds after the last active trigger before scaling 1 → 0 (only matters when minReplicas is 0). @default 300 */
  readonly cooldownPeriodSeconds?: number;
  /**
   * A Prometheus trigger is "active" (wakes the workload from zero) when its value exceeds this.
   * @default 0
   */
  readonly activationThreshold?: number;
  /** Scheduled floors, e.g. 20 replicas from 08:45 on weekdays. @default [] */
  readonly schedules?: readonly CronSchedule[];
}

/** A KEDA cron trigger: at least `desiredReplicas` between `start` and `end`. */
export interface CronSchedule {
  /** IANA time zone, e.g. `'Europe/Berlin'`. */
  readonly timezone: string;
  /** Five-field cron expression when the window opens, e.g. `'45 8 * * 1-5'`. */
  readonly start: string;
  /** Five-field cron expression when it closes, e.g. `'0 18 * * 1-5'`. */
  readonly end: string;
  /** Replicas held during the window; at most maxReplicas. */
  readonly desiredReplicas: number;
}

/** A VerticalPodAutoscaler (autoscaling.k8s.io/v1). */
export interface VerticalScaling {
  /**
   * `Off`: recommend only (always safe next to an HPA); `Initial`: set requests when pods are created;
   * `Recreate`: also evict pods whose requests are far off. These three exist in every VPA version.
   * @default 'Off'
   */
  readonly mode?: VpaMode;
  /** Per-container policies. @default one policy for the service's container with the defaults below */
  readonly containers?: readonly VpaContainerPolicy[];
}

/** See {@link VerticalScaling.mode}. */
export type VpaMode = 'Off' | 'Initial' | 'Recreate';

/** Limits of what the VPA may set for one container. */
export interface VpaContainerPolicy {
  /** Container name, or `'*'` for every container without its own policy. */
  readonly container: string;
  /** `Off` excludes the container from the VPA. @default 'Auto' */
  readonly mode?: 'Auto' | 'Off';
  /** Lowest requests the VPA recommends. @default none */
  readonly minAllowed?: ResourceAmounts;
  /** Highest requests the VPA recommends. @default none */
  readonly maxAllowed?: ResourceAmounts;
  /** Resources the VPA manages. @default ['cpu', 'memory'] */
  readonly controlledResources?: ReadonlyArray<'cpu' | 'memory'>;
  /** `RequestsOnly` leaves limits alone; `RequestsAndLimits` scales them in proportion. @default 'RequestsAndLimits' */
  readonly controlledValues?: 'RequestsAndLimits' | 'RequestsOnly';
}

/** Kubernetes quantities, e.g. `{ cpu: '250m', memory: '256Mi' }`. */
export interface ResourceAmounts {
  readonly cpu?: string;
  readonly memory?: string;
}
