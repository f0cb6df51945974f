/**
 * The Kubernetes HPA controller's decision logic, transcribed from kubernetes/kubernetes
 * `pkg/controller/podautoscaler/replica_calculator.go` (per-metric proposals) and `horizontal.go`
 * (reconcile, stabilization, behavior policies), in their autoscaling/v2 (1.27+) form. Names follow the Go
 * code so the two can be read side by side. Deterministic and free of I/O: time is a number of seconds
 * passed in by the caller.
 *
 * Defaults are kube-controller-manager's production flags, not the test constants of
 * `replica_calculator_test.go` (research pitfall P13).
 */
import type { BehaviorModel, ScalingRulesModel } from '../presets';

/** kube-controller-manager flags that shape the HPA (`config/v1alpha1/defaults.go`). */
export interface ControllerConfig {
  /** `--horizontal-pod-autoscaler-sync-period`. */
  readonly syncPeriodSeconds: number;
  /** `--horizontal-pod-autoscaler-tolerance`. */
  readonly tolerance: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization` (also the scale-down window when behavior leaves it unset). */
  readonly downscaleStabilizationSeconds: number;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period`. */
  readonly cpuInitializationPeriodSeconds: number;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay`. */
  readonly initialReadinessDelaySeconds: number;
}

/** Production defaults: 15 s, 0.1, 5 m, 5 m, 30 s. */
export const CONTROLLER_DEFAULTS: ControllerConfig = {
  syncPeriodSeconds: 15,
  tolerance: 0.1,
  downscaleStabilizationSeconds: 300,
  cpuInitializationPeriodSeconds: 300,
  initialReadinessDelaySeconds: 30,
};

/** `scaleUpLimitFactor` and `scaleUpLimitMinimum` of horizontal.go: the legacy path's growth cap per sync. */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/**
 * How `groupPods` classified a pod for one metric: `ignored` pods (deleted or failed) drop out, `unready`
 * ones (Pending, or CPU samples from before readiness) and `missing` ones (no sample) get fill-in values.
 */
export type PodGroup = 'ready' | 'unready' | 'missing' | 'ignored';

/** One pod's sample for a per-pod metric, in milli-units as the Go code uses (int64). */
export interface PodSample {
  readonly group: PodGroup;
  /** Metric value (milli-units); absent for `missing`. For resource metrics: usage, e.g. milli-cores. */
  readonly value?: number;
  /** Resource request (milli-units), resource utilization only. */
  readonly request?: number;
}

/** A proposal, or why there is none (the metric is then "invalid" for this sync). */
export type Proposal = { readonly replicas: number } | { readonly error: string };

/**
 * `calcPlainMetricReplicas`: Pods metrics and resource metrics with an `averageValue` target.
 * `usage = Σ value / n` (integer division), `ratio = usage / target`.
 */
export function plainMetricReplicas(currentReplicas: number, pods: readonly PodSample[], targetUsage: number, tolerance: number): Proposal {
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const metrics = new Map<number, number>();
  const unready: number[] = [];
  const missing: number[] = [];
  pods.forEach((p, i) => {
    if (p.group === 'ready') metrics.set(i, p.value ?? 0);
    else if (p.group === 'unready') unready.push(i);
    else if (p.group === 'missing') missing.push(i);
  });
  if (metrics.size === 0) return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const ratioOf = (m: Map<number, number>) => Math.trunc(sum(m) / m.size) / targetUsage;
  const usageRatio = ratioOf(metrics);
  const scaleUpWithUnready = unready.length > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1.0 - usageRatio) <= tolerance) return { replicas: currentReplicas };
    return { replicas: Math.ceil(usageRatio * metrics.size) };
  }
  // On a scale-down, missing pods count as using exactly the target; on a scale-up, as using nothing.
  for (const i of missing) metrics.set(i, usageRatio < 1.0 ? targetUsage : 0);
  if (scaleUpWithUnready) for (const i of unready) metrics.set(i, 0);
  return recheck(currentReplicas, usageRatio, ratioOf(metrics), metrics.size, tolerance);
}

/**
 * `GetResourceReplicas` with a `Utilization` target: `utilization = int(Σ usage × 100 / Σ request)`,
 * `ratio = utilization / target`. Missing pods on a scale-down count at `max(100, target)`% of their
 * request (kubernetes/kubernetes#112178, 1.26+).
 */
export function resourceUtilizationReplicas(currentReplicas: number, pods: readonly PodSample[], targetUtilization: number, tolerance: number): Proposal {
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const metrics = new Map<number, { value: number; request: number }>();
  const unready: number[] = [];
  const missing: number[] = [];
  let readyPodCount = 0;
  for (const [i, p] of pods.entries()) {
    if (p.request === undefined && p.group !== 'ignored') return { error: `missing request for resource on pod ${i}` };
    if (p.group === 'ready') {
      metrics.set(i, { value: p.value ?? 0, request: p.request ?? 0 });
      readyPodCount++;
    } else if (p.group === 'unready') unready.push(i);
    else if (p.group === 'missing') missing.push(i);
  }
  if (metrics.size === 0) return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  const ratioOf = (m: Map<number, { value: number; request: number }>) => {
    let usage = 0;
    let requests = 0;
    for (const v of m.values()) {
      usage += v.value;
      requests += v.request;
    }
    return Math.trunc((usage * 100) / requests) / targetUtilization;
  };
  const usageRatio = ratioOf(metrics);
  const scaleUpWithUnready = unready.length > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1.0 - usageRatio) <= tolerance) return { replicas: currentReplicas };
    return { replicas: Math.ceil(usageRatio * readyPodCount) };
  }
  const fallback = Math.max(100, targetUtilization);
  for (const i of missing) {
    const request = pods[i].request ?? 0;
    metrics.set(i, { value: usageRatio < 1.0 ? Math.trunc((request * fallback) / 100) : 0, request });
  }
  if (scaleUpWithUnready) for (const i of unready) metrics.set(i, { value: 0, request: pods[i].request ?? 0 });
  return recheck(currentReplicas, usageRatio, ratioOf(metrics), metrics.size, tolerance);
}

/** The second pass shared by both calculators: refuse changes that are too small or reverse direction. */
function recheck(currentReplicas: number, usageRatio: number, newUsageRatio: number, count: number, tolerance: number): Proposal {
  if (Math.abs(1.0 - newUsageRatio) <= tolerance || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0)) {
    return { replicas: currentReplicas };
  }
  const newReplicas = Math.ceil(newUsageRatio * count);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) {
    return { replicas: currentReplicas };
  }
  return { replicas: newReplicas };
}

/**
 * `GetExternalPerPodMetricReplicas` (External or Object metric with an `averageValue` target; what KEDA's
 * triggers use): `ratio = Σ value / (target × statusReplicas)`; outside the tolerance,
 * `ceil(Σ value / target)`.
 */
export function externalPerPodReplicas(statusReplicas: number, total: number, targetAverage: number, tolerance: number): Proposal {
  const usage = Math.trunc(total);
  const ratio = usage / (targetAverage * statusReplicas);
  if (Math.abs(1.0 - ratio) <= tolerance) return { replicas: statusReplicas };
  return { replicas: Math.ceil(usage / targetAverage) };
}

/** `GetExternalMetricReplicas` with a `value` target: `ratio = Σ value / target`, scaled by the ready pods. */
export function externalValueReplicas(currentReplicas: number, readyPods: number, total: number, target: number, tolerance: number): Proposal {
  const ratio = Math.trunc(total) / target;
  if (currentReplicas === 0) return { replicas: Math.ceil(ratio) };
  if (Math.abs(1.0 - ratio) <= tolerance) return { replicas: currentReplicas };
  if (readyPods === 0) return { error: 'unable to calculate ready pods' };
  return { replicas: Math.ceil(ratio * readyPods) };
}

/** What the controller remembers per HPA between syncs (`recommendations`, `scaleUpEvents`, `scaleDownEvents`). */
export interface ControllerMemory {
  recommendations: Array<{ recommendation: number; timestamp: number }>;
  scaleUpEvents: Array<{ replicaChange: number; timestamp: number; outdated: boolean }>;
  scaleDownEvents: Array<{ replicaChange: number; timestamp: number; outdated: boolean }>;
}

/** A fresh memory, as when the controller first sees an HPA. */
export function newControllerMemory(): ControllerMemory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

/** The HPA spec fields the controller reads. */
export interface HpaSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** `undefined`: behavior omitted, the legacy normalization applies. */
  readonly behavior?: BehaviorModel;
}

/** One reconcile's outcome. `reason` is the HPA condition reason the controller would set. */
export interface Decision {
  readonly desiredReplicas: number;
  readonly rescale: boolean;
  readonly reason: string;
}

/**
 * `reconcileAutoscaler` for one sync: clamps out-of-range replica counts, takes the largest valid proposal,
 * normalizes it (stabilization and rate limits) and records what the next sync needs. Mutates `memory`.
 */
export function reconcile(spec: HpaSpec, memory: ControllerMemory, now: number, currentReplicas: number, proposals: readonly Proposal[], config: ControllerConfig = CONTROLLER_DEFAULTS): Decision {
  const minReplicas = spec.minReplicas;
  let desiredReplicas = 0;
  let reason: string;
  if (memory.recommendations.length === 0) memory.recommendations.push({ recommendation: currentReplicas, timestamp: now });
  if (currentReplicas === 0 && minReplicas !== 0) {
    return { desiredReplicas: 0, rescale: false, reason: 'ScalingDisabled' };
  } else if (currentReplicas > spec.maxReplicas) {
    desiredReplicas = spec.maxReplicas;
    reason = 'TooManyReplicas';
  } else if (currentReplicas < minReplicas) {
    desiredReplicas = minReplicas;
    reason = 'TooFewReplicas';
  } else {
    const valid = proposals.flatMap((p) => ('replicas' in p ? [p.replicas] : []));
    const invalid = proposals.length - valid.length;
    const largest = valid.length > 0 ? Math.max(...valid) : 0;
    // computeReplicasForMetrics: all invalid, or some invalid and the rest would scale down → no decision.
    if (invalid >= proposals.length || (invalid > 0 && largest < currentReplicas)) {
      return { desiredReplicas: currentReplicas, rescale: false, reason: 'FailedGetMetrics' };
    }
    const normalized = spec.behavior === undefined
      ? normalizeDesiredReplicas(memory, now, currentReplicas, largest, minReplicas, spec.maxReplicas, config)
      : normalizeDesiredReplicasWithBehaviors(memory, now, currentReplicas, largest, minReplicas, spec.maxReplicas, spec.behavior, config);
    desiredReplicas = normalized.replicas;
    reason = normalized.reason;
  }
  const rescale = desiredReplicas !== currentReplicas;
  if (rescale) storeScaleEvent(memory, spec.behavior, now, currentReplicas, desiredReplicas);
  return { desiredReplicas, rescale, reason };
}

/** Legacy path (`behavior == nil`): 5-minute scale-down stabilization, growth capped at max(2×, 4) per sync. */
export function normalizeDesiredReplicas(
  memory: ControllerMemory, now: number, currentReplicas: number, prenormalized: number, minReplicas: number, maxReplicas: number, config: ControllerConfig = CONTROLLER_DEFAULTS,
): { replicas: number; reason: string } {
  // stabilizeRecommendation: max over the window; one sample older than the window is reused.
  let maxRecommendation = prenormalized;
  let oldSampleIndex = -1;
  const cutoff = now - config.downscaleStabilizationSeconds;
  memory.recommendations.forEach((rec, i) => {
    if (rec.timestamp < cutoff) oldSampleIndex = i;
    else if (rec.recommendation > maxRecommendation) maxRecommendation = rec.recommendation;
  });
  if (oldSampleIndex >= 0) memory.recommendations[oldSampleIndex] = { recommendation: prenormalized, timestamp: now };
  else memory.recommendations.push({ recommendation: prenormalized, timestamp: now });

  // convertDesiredReplicasWithRules
  const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM);
  const maximumAllowed = Math.min(maxReplicas, scaleUpLimit);
  const limitReason = maxReplicas > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas';
  if (maxRecommendation < minReplicas) return { replicas: minReplicas, reason: 'TooFewReplicas' };
  if (maxRecommendation > maximumAllowed) return { replicas: maximumAllowed, reason: limitReason };
  return { replicas: maxRecommendation, reason: maxRecommendation !== prenormalized ? 'ScaleDownStabilized' : 'DesiredWithinRange' };
}

/** `normalizeDesiredReplicasWithBehaviors`: stabilization windows both ways, then the policies' rate limits. */
export function normalizeDesiredReplicasWithBehaviors(
  memory: ControllerMemory, now: number, currentReplicas: number, prenormalized: number, minReplicas: number, maxReplicas: number, behavior: BehaviorModel, config: ControllerConfig = CONTROLLER_DEFAULTS,
): { replicas: number; reason: string } {
  void config; // the scale-down window default is already filled into BehaviorModel (presets.ts)
  // stabilizeRecommendationWithBehaviors
  const upCutoff = now - behavior.scaleUp.stabilizationWindowSeconds;
  const downCutoff = now - behavior.scaleDown.stabilizationWindowSeconds;
  let upRecommendation = prenormalized;
  let downRecommendation = prenormalized;
  let oldSampleIndex = -1;
  memory.recommendations.forEach((rec, i) => {
    if (rec.timestamp > upCutoff) upRecommendation = Math.min(rec.recommendation, upRecommendation);
    if (rec.timestamp > downCutoff) downRecommendation = Math.max(rec.recommendation, downRecommendation);
    if (rec.timestamp < upCutoff && rec.timestamp < downCutoff) oldSampleIndex = i;
  });
  let recommendation = currentReplicas;
  if (recommendation < upRecommendation) recommendation = upRecommendation;
  if (recommendation > downRecommendation) recommendation = downRecommendation;
  if (oldSampleIndex >= 0) memory.recommendations[oldSampleIndex] = { recommendation: prenormalized, timestamp: now };
  else memory.recommendations.push({ recommendation: prenormalized, timestamp: now });
  const reason = recommendation !== prenormalized ? (prenormalized > currentReplicas ? 'ScaleUpStabilized' : 'ScaleDownStabilized') : 'DesiredWithinRange';

  // convertDesiredReplicasWithBehaviorRate
  if (recommendation > currentReplicas) {
    let scaleUpLimit = scaleUpLimitWithScalingRules(currentReplicas, memory, behavior.scaleUp, now);
    if (scaleUpLimit < currentReplicas) scaleUpLimit = currentReplicas;
    const maximumAllowed = Math.min(maxReplicas, scaleUpLimit);
    if (recommendation > maximumAllowed) return { replicas: maximumAllowed, reason: maxReplicas > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas' };
  } else if (recommendation < currentReplicas) {
    let scaleDownLimit = scaleDownLimitWithBehaviors(currentReplicas, memory, behavior.scaleDown, now);
    if (scaleDownLimit > currentReplicas) scaleDownLimit = currentReplicas;
    const minimumAllowed = Math.max(minReplicas, scaleDownLimit);
    if (recommendation < minimumAllowed) return { replicas: minimumAllowed, reason: minReplicas < scaleDownLimit ? 'ScaleDownLimit' : 'TooFewReplicas' };
  }
  return { replicas: recommendation, reason };
}

/** `getReplicasChangePerPeriod`: replicas changed by events strictly after `now − period`. */
function changeInPeriod(periodSeconds: number, events: ControllerMemory['scaleUpEvents'], now: number): number {
  const cutoff = now - periodSeconds;
  return events.reduce((n, e) => (e.timestamp > cutoff ? n + e.replicaChange : n), 0);
}

/** `calculateScaleUpLimitWithScalingRules`. */
export function scaleUpLimitWithScalingRules(currentReplicas: number, memory: ControllerMemory, rules: ScalingRulesModel, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const policy of rules.policies) {
    const periodStartReplicas = currentReplicas - changeInPeriod(policy.periodSeconds, memory.scaleUpEvents, now) + changeInPeriod(policy.periodSeconds, memory.scaleDownEvents, now);
    // Rounded up: otherwise a small percentage of few replicas would never add a pod.
    const proposed = policy.type === 'Pods' ? periodStartReplicas + policy.value : Math.ceil(periodStartReplicas * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** `calculateScaleDownLimitWithBehaviors`. */
export function scaleDownLimitWithBehaviors(currentReplicas: number, memory: ControllerMemory, rules: ScalingRulesModel, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  // For scale-down the smallest change is the largest replica count.
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const policy of rules.policies) {
    const periodStartReplicas = currentReplicas - changeInPeriod(policy.periodSeconds, memory.scaleUpEvents, now) + changeInPeriod(policy.periodSeconds, memory.scaleDownEvents, now);
    // int32(float64(...)) truncates toward zero.
    const proposed = policy.type === 'Pods' ? periodStartReplicas - policy.value : Math.trunc(periodStartReplicas * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** `storeScaleEvent`: only with behavior; reuses a slot older than the longest policy period. */
function storeScaleEvent(memory: ControllerMemory, behavior: BehaviorModel | undefined, now: number, prevReplicas: number, newReplicas: number): void {
  if (behavior === undefined) return;
  const up = newReplicas > prevReplicas;
  const rules = up ? behavior.scaleUp : behavior.scaleDown;
  const events = up ? memory.scaleUpEvents : memory.scaleDownEvents;
  const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
  // markScaleEventsOutdated: strictly before the cutoff.
  for (const e of events) if (e.timestamp < now - longest) e.outdated = true;
  const event = { replicaChange: Math.abs(newReplicas - prevReplicas), timestamp: now, outdated: false };
  const slot = events.findIndex((e) => e.outdated);
  if (slot >= 0) events[slot] = event;
  else events.push(event);
}

function sum(m: Map<number, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}
