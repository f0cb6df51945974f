/**
 * The scaling simulator: a service's resolved scaling policy, driven by a traffic profile, through the HPA
 * controller of ./controller.ts, one second at a time. It answers "what would this policy have done":
 * replicas, load per pod, the share of traffic above what the ready pods can serve, pod-hours and the time
 * to recover after a spike.
 *
 * The world around the controller is modelled simply, and each choice is stated:
 * - Traffic is spread evenly over Ready pods (a Service's endpoints); a pod is Pending, and takes no traffic,
 *   for `podStartupSeconds` after it is created (scheduling, image pull, start, readiness probe).
 * - A pod's capacity is `capacity.requestsPerSecond`. Offered load above it is overload; it is still
 *   counted by the request histogram (shed as fast errors), so the HPA sees the true demand.
 * - Prometheus-backed metrics (prometheus-adapter, KEDA) are the average over the rate window
 *   (`scaling.rateWindow`) and exist only after two scrapes of a Ready pod; CPU (metrics-server) averages
 *   15 s. CPU usage is proportional to load (`cpuAtCapacityPercent` of the request at capacity); memory is
 *   flat (`memoryUtilizationPercent`). An external metric is the backlog of a queue fed by the traffic.
 * - Scale-down deletes Pending pods first, then the most recently Ready (the ReplicaSet controller's order).
 * - KEDA: its triggers become External `AverageValue` metrics of the HPA KEDA creates, as KEDA does; cron
 *   triggers and the 0↔1 activation are not simulated (minReplicas is taken as at least 1).
 */
import type { ScalingMetricModel, ScalingModel } from '../../model/scaling';
import type { ServiceModel } from '../../model/types';
import { parseDuration } from '../../spec/duration';
import {
  CONTROLLER_DEFAULTS,
  ControllerConfig,
  externalPerPodReplicas,
  externalValueReplicas,
  HpaSpec,
  newControllerMemory,
  plainMetricReplicas,
  PodSample,
  Proposal,
  reconcile,
  resourceUtilizationReplicas,
} from './controller';
import { profileDuration, TrafficProfile, trafficAt } from './profiles';

/** Options of {@link simulate}. */
export interface SimulationOptions {
  /** Controller flags. @default CONTROLLER_DEFAULTS (production: 15 s sync, 0.1 tolerance, 5 m windows) */
  readonly controller?: ControllerConfig;
  /** Seconds from pod creation to Ready. @default 60 */
  readonly podStartupSeconds?: number;
  /** Simulate a fixed fleet of this many pods instead of the autoscaler. @default the service's autoscaler */
  readonly fixedReplicas?: number;
  /** CPU a pod uses at its declared capacity, in percent of its request. @default 100 */
  readonly cpuAtCapacityPercent?: number;
  /** Memory a pod uses, in percent of its request, whatever the load. @default 50 */
  readonly memoryUtilizationPercent?: number;
}

/** One sync period of the simulation. */
export interface SimulationStep {
  /** Seconds since the start. */
  readonly t: number;
  readonly requestsPerSecond: number;
  /** Replicas after this sync's decision (Pending and Ready). */
  readonly replicas: number;
  readonly readyReplicas: number;
  /** Offered requests per second per Ready pod. */
  readonly loadPerPod: number;
  /** Share of the requests since the previous step that exceeded what the Ready pods could serve. */
  readonly overloadShare: number;
  /** Controller condition reason (`ScaleUpLimit`, `ScaleDownStabilized`, …), or `fixed`. */
  readonly reason: string;
}

/** Totals of one run. */
export interface SimulationTotals {
  /** Requests above the Ready pods' capacity ÷ all requests. */
  readonly overloadShare: number;
  /** Pod-seconds ÷ 3600, counting Pending pods too (they are paid for). */
  readonly podHours: number;
  readonly peakReplicas: number;
  /** Longest stretch of continuous overload (seconds): the time to recover after the worst spike. */
  readonly timeToRecoverSeconds: number;
  /** Seconds with any overload. */
  readonly overloadedSeconds: number;
  readonly requests: number;
}

/** What {@link simulate} reports. */
export interface SimulationResult {
  readonly service: string;
  readonly profile: string;
  /** `hpa`/`keda` with the behavior preset, or `fixed-<n>`. */
  readonly policy: string;
  readonly capacityPerPod: number;
  readonly steps: readonly SimulationStep[];
  readonly totals: SimulationTotals;
}

interface Pod {
  readonly createdAt: number;
  readonly readyAt: number;
}

/** CPU and memory request the simulated pods carry (milli-units); only ratios matter. */
const REQUEST_MILLI = 1000;
/** metrics-server `--metric-resolution` default: the window a CPU sample averages. */
const CPU_WINDOW_SECONDS = 15;
/** Below this share of traffic, overload is rounding, not an outage. */
const OVERLOAD_EPSILON = 1e-3;

/**
 * Runs one service's scaling policy against a traffic profile.
 *
 * @throws Error when the service declares no `capacity.requestsPerSecond` (overload needs it) or no `scaling`.
 * @example
 * const result = simulate(resolveService(checkout), FLASH_CROWD);
 * result.totals.overloadShare; // e.g. 0.08
 */
export function simulate(model: ServiceModel, profile: TrafficProfile, options: SimulationOptions = {}): SimulationResult {
  const capacity = model.capacity.requestsPerSecond;
  if (capacity === undefined) throw new Error(`simulate: service "${model.name}" declares no capacity.requestsPerSecond; the simulator needs it to tell served from overloaded traffic`);
  const scaling = model.scaling;
  if (!scaling && options.fixedReplicas === undefined) throw new Error(`simulate: service "${model.name}" has no scaling section; pass fixedReplicas to simulate a fixed fleet`);
  const config = options.controller ?? CONTROLLER_DEFAULTS;
  const startup = options.podStartupSeconds ?? 60;
  const cpuAtCapacity = options.cpuAtCapacityPercent ?? 100;
  const memoryPercent = options.memoryUtilizationPercent ?? 50;
  const scrapeSeconds = model.metrics.scrapeIntervalMs / 1000;
  const rateWindowSeconds = (parseDuration(scaling?.rateWindow ?? '2m') ?? 120_000) / 1000;
  const duration = profileDuration(profile);

  const fixed = options.fixedReplicas;
  const spec: HpaSpec | undefined = scaling && { minReplicas: Math.max(1, scaling.minReplicas), maxReplicas: scaling.maxReplicas, behavior: scaling.behavior };
  const initial = fixed ?? clamp(Math.ceil(trafficAt(profile, 0) / initialTarget(scaling!, capacity)), spec!.minReplicas, spec!.maxReplicas);
  let pods: Pod[] = Array.from({ length: initial }, () => ({ createdAt: -1e9, readyAt: -1e9 }));
  const memory = newControllerMemory();

  // Prefix sums per second: offered load per Ready pod, and total traffic (for window averages).
  const perPod: number[] = [0];
  const total: number[] = [0];
  let backlog = 0;
  const steps: SimulationStep[] = [];
  let requests = 0;
  let over = 0;
  let podSeconds = 0;
  let peak = initial;
  let stepRequests = 0;
  let stepOver = 0;
  let overloadedSeconds = 0;
  let run = 0;
  let longestRun = 0;
  let reason = fixed === undefined ? 'DesiredWithinRange' : 'fixed';

  const windowAverage = (prefix: number[], from: number, to: number) => (to > from ? (prefix[to] - prefix[from]) / (to - from) : 0);

  for (let t = 0; t <= duration; t++) {
    if (fixed === undefined && t % config.syncPeriodSeconds === 0) {
      const ready = pods.filter((p) => p.readyAt <= t).length;
      const proposals = scaling!.metrics.map((m) =>
        proposal(m, scaling!, {
          t, pods, ready, current: pods.length, config, capacity, concurrentRequests: model.capacity.concurrentRequests, cpuAtCapacity, memoryPercent, backlog,
          podMetricAverage: (p: Pod, window: number) => windowAverage(perPod, Math.max(t - window, Math.max(0, p.readyAt)), t),
          totalAverage: (window: number) => windowAverage(total, Math.max(0, t - window), t),
          promDelay: 2 * scrapeSeconds,
          rateWindowSeconds,
        }),
      );
      const decision = reconcile(spec!, memory, t, pods.length, proposals, config);
      reason = decision.reason;
      if (decision.rescale) pods = resize(pods, decision.desiredReplicas, t, startup);
      peak = Math.max(peak, pods.length);
      const readyNow = pods.filter((p) => p.readyAt <= t).length;
      if (t > 0) {
        const rps = trafficAt(profile, t);
        steps.push({ t, requestsPerSecond: rps, replicas: pods.length, readyReplicas: readyNow, loadPerPod: readyNow > 0 ? rps / readyNow : Infinity, overloadShare: stepRequests > 0 ? stepOver / stepRequests : 0, reason });
        stepRequests = 0;
        stepOver = 0;
      }
    } else if (fixed !== undefined && t > 0 && t % config.syncPeriodSeconds === 0) {
      const rps = trafficAt(profile, t);
      steps.push({ t, requestsPerSecond: rps, replicas: fixed, readyReplicas: fixed, loadPerPod: rps / fixed, overloadShare: stepRequests > 0 ? stepOver / stepRequests : 0, reason });
      stepRequests = 0;
      stepOver = 0;
    }
    if (t === duration) break;

    // Second [t, t+1): traffic meets the Ready pods.
    const rps = trafficAt(profile, t);
    const ready = pods.filter((p) => p.readyAt <= t).length;
    const servable = ready * capacity;
    const overload = Math.max(0, rps - servable);
    backlog = Math.max(0, backlog + rps - servable);
    perPod.push(perPod[perPod.length - 1] + (ready > 0 ? rps / ready : 0));
    total.push(total[total.length - 1] + rps);
    requests += rps;
    over += overload;
    stepRequests += rps;
    stepOver += overload;
    podSeconds += pods.length;
    if (overload > OVERLOAD_EPSILON * rps) {
      overloadedSeconds++;
      run++;
      longestRun = Math.max(longestRun, run);
    } else run = 0;
  }

  return {
    service: model.name,
    profile: profile.name,
    policy: fixed !== undefined ? `fixed-${fixed}` : `${scaling!.autoscaler.kind}/${scaling!.behaviorPreset}`,
    capacityPerPod: capacity,
    steps,
    totals: { overloadShare: requests > 0 ? over / requests : 0, podHours: podSeconds / 3600, peakReplicas: peak, timeToRecoverSeconds: longestRun, overloadedSeconds, requests },
  };
}

/** Requests per second per pod the policy aims at, to start the run in a steady state. */
function initialTarget(scaling: ScalingModel, capacity: number): number {
  const rps = scaling.metrics.find((m) => m.type === 'requestsPerSecond');
  return rps && rps.type === 'requestsPerSecond' ? rps.averageValue : capacity * (1 - scaling.headroom);
}

interface MetricWorld {
  readonly t: number;
  readonly pods: readonly Pod[];
  readonly ready: number;
  readonly current: number;
  readonly config: ControllerConfig;
  readonly capacity: number;
  readonly concurrentRequests?: number;
  readonly cpuAtCapacity: number;
  readonly memoryPercent: number;
  readonly backlog: number;
  readonly podMetricAverage: (p: Pod, windowSeconds: number) => number;
  readonly totalAverage: (windowSeconds: number) => number;
  /** Seconds a Ready pod needs before Prometheus has two samples of it. */
  readonly promDelay: number;
  readonly rateWindowSeconds: number;
}

/** The controller's proposal for one metric, from the pods' samples as the metrics APIs would serve them. */
function proposal(m: ScalingMetricModel, scaling: ScalingModel, w: MetricWorld): Proposal {
  const tol = w.config.tolerance;
  if (scaling.autoscaler.kind === 'keda' && (m.type === 'requestsPerSecond' || m.type === 'inFlightRequests')) {
    // KEDA's HPA: External metric, AverageValue = threshold, value = the single-valued query.
    const totalRps = w.totalAverage(m.type === 'requestsPerSecond' ? w.rateWindowSeconds : w.promDelay / 2);
    const value = m.type === 'requestsPerSecond' ? totalRps : totalRps * secondsPerRequest(w, scaling, m.averageValue);
    return externalPerPodReplicas(w.current, Math.round(value * 1000), m.averageValue * 1000, tol);
  }
  switch (m.type) {
    case 'requestsPerSecond':
      return plainMetricReplicas(w.current, promSamples(w, w.rateWindowSeconds, 1), Math.round(m.averageValue * 1000), tol);
    case 'inFlightRequests':
      // Little's law: in flight = rate × latency; at capacity a pod holds its concurrency limit.
      return plainMetricReplicas(w.current, promSamples(w, w.promDelay / 2, secondsPerRequest(w, scaling, m.averageValue)), Math.round(m.averageValue * 1000), tol);
    case 'cpu':
    case 'memory': {
      const samples = resourceSamples(w, m.type);
      return m.target.type === 'Utilization'
        ? resourceUtilizationReplicas(w.current, samples, m.target.averageUtilization, tol)
        : plainMetricReplicas(w.current, samples, quantityMilli(m.target.averageValue, m.type), tol);
    }
    case 'external': {
      const value = Math.round(w.backlog * 1000);
      return m.target.type === 'AverageValue'
        ? externalPerPodReplicas(w.current, value, m.target.averageValue * 1000, tol)
        : externalValueReplicas(w.current, w.ready, value, m.target.value * 1000, tol);
    }
  }
}

/**
 * Seconds each request stays in flight (Little's law: in flight = rate × latency). With both capacities
 * declared, a pod at its rate limit holds its concurrency limit; otherwise the in-flight target is taken to
 * sit at the same headroom as the rate.
 */
function secondsPerRequest(w: MetricWorld, scaling: ScalingModel, target: number): number {
  return w.concurrentRequests !== undefined ? w.concurrentRequests / w.capacity : target / (w.capacity * (1 - scaling.headroom));
}

/** Pods as prometheus-adapter serves them: Pending → unready, Ready without two scrapes → missing. */
function promSamples(w: MetricWorld, windowSeconds: number, scale: number): PodSample[] {
  return w.pods.map((p): PodSample => {
    if (p.readyAt > w.t) return { group: 'unready' };
    if (w.t - p.readyAt < w.promDelay) return { group: 'missing' };
    return { group: 'ready', value: Math.round(w.podMetricAverage(p, windowSeconds) * scale * 1000) };
  });
}

/**
 * Pods as metrics-server serves them. For CPU, `groupPods` also treats a pod as unready while its sample
 * may predate readiness (within the CPU initialization period): `readyAt + window > now`.
 */
function resourceSamples(w: MetricWorld, resource: 'cpu' | 'memory'): PodSample[] {
  return w.pods.map((p): PodSample => {
    if (p.readyAt > w.t) return { group: 'unready', request: REQUEST_MILLI };
    const sinceStart = w.t - p.createdAt;
    if (resource === 'cpu' && sinceStart < w.config.cpuInitializationPeriodSeconds && w.t < p.readyAt + CPU_WINDOW_SECONDS) return { group: 'unready', request: REQUEST_MILLI };
    const value = resource === 'cpu'
      ? Math.round((w.podMetricAverage(p, CPU_WINDOW_SECONDS) / w.capacity) * (w.cpuAtCapacity / 100) * REQUEST_MILLI)
      : Math.round((w.memoryPercent / 100) * REQUEST_MILLI);
    return { group: 'ready', value, request: REQUEST_MILLI };
  });
}

/**
 * An absolute resource target in the samples' milli-units. Memory is flat in this model, so its target is
 * taken as the request: the ratio is then memoryUtilizationPercent, whatever quantity was written.
 */
function quantityMilli(text: string, resource: 'cpu' | 'memory'): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(text);
  return resource === 'cpu' && m ? Number(m[1]) * (m[2] ? 1 : 1000) : REQUEST_MILLI;
}

/** Scales to `desired` pods: new pods start Pending; removals take Pending pods, then the newest Ready ones. */
function resize(pods: Pod[], desired: number, t: number, startup: number): Pod[] {
  if (desired > pods.length) return [...pods, ...Array.from({ length: desired - pods.length }, () => ({ createdAt: t, readyAt: t + startup }))];
  const ranked = [...pods].sort((a, b) => {
    const ra = a.readyAt <= t ? 1 : 0;
    const rb = b.readyAt <= t ? 1 : 0;
    return ra !== rb ? ra - rb : b.readyAt - a.readyAt;
  });
  return ranked.slice(pods.length - desired);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
