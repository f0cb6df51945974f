/**
 * Resolution and validation of the `scaling` section. The checks mirror the API server's
 * (kubernetes/kubernetes `pkg/apis/autoscaling/validation/validation.go`) so a bad policy fails at synth
 * time with the field named, instead of at `kubectl apply`, plus the cross-object rules no single API
 * object can check: VPA and HPA on the same resource, scale-to-zero without KEDA.
 */
import { formatDuration } from '../spec/duration';
import type {
  BehaviorPresetName,
  CronSchedule,
  ResourceAmounts,
  ScalableKind,
  ScalingBehavior,
  ScalingPolicy,
  ScalingPolicyRule,
  ScalingRules,
  SelectPolicy,
  VpaMode,
} from '../spec/scaling';
import type { ServiceKind } from '../spec/service';
import { keyPath, LABEL_NAME, type Problems } from './problems';
import { BEHAVIOR_PRESET_NAMES, BehaviorModel, KUBERNETES_DEFAULT_BEHAVIOR, presetBehavior, ScalingRulesModel } from '../scaling/presets';

export type { BehaviorModel, ScalingRulesModel } from '../scaling/presets';

/** A validated scaling policy with every default resolved. */
export interface ScalingModel {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** HPA name (KEDA: the name of the HPA KEDA creates). */
  readonly autoscalerName: string;
  readonly target: ScaleTargetModel;
  /** Share of declared capacity kept free in derived targets, in [0, 1). */
  readonly headroom: number;
  /** At least one. */
  readonly metrics: readonly ScalingMetricModel[];
  /** Preset the behavior started from. */
  readonly behaviorPreset: BehaviorPresetName;
  /** The HPA `spec.behavior`; `undefined` means omitted (`kubernetes-default` without overrides). */
  readonly behavior?: BehaviorModel;
  readonly autoscaler: AutoscalerModel;
  readonly vpa?: VpaModel;
  /** Rate window of the per-pod request-rate query (adapter and KEDA): 4 scrape intervals. */
  readonly rateWindow: string;
}

/** The scaled workload. */
export interface ScaleTargetModel {
  readonly apiVersion: 'apps/v1';
  readonly kind: ScalableKind;
  readonly name: string;
}

/** A metric with its target resolved (derived targets carry `fromCapacity: true`). */
export type ScalingMetricModel =
  | { readonly type: 'cpu' | 'memory'; readonly target: ResourceTarget }
  | { readonly type: 'requestsPerSecond'; readonly averageValue: number; readonly fromCapacity: boolean }
  | { readonly type: 'inFlightRequests'; readonly averageValue: number; readonly fromCapacity: boolean }
  | {
      readonly type: 'external';
      readonly metric: string;
      readonly selector: Readonly<Record<string, string>>;
      readonly target: { readonly type: 'AverageValue'; readonly averageValue: number } | { readonly type: 'Value'; readonly value: number };
    };

/** Target of a CPU or memory metric. */
export type ResourceTarget =
  | { readonly type: 'Utilization'; readonly averageUtilization: number }
  | { readonly type: 'AverageValue'; readonly averageValue: string };

/** Which controller acts, resolved. */
export type AutoscalerModel =
  | { readonly kind: 'hpa' }
  | {
      readonly kind: 'keda';
      readonly serverAddress: string;
      readonly pollingIntervalSeconds: number;
      readonly cooldownPeriodSeconds: number;
      readonly activationThreshold: number;
      readonly schedules: readonly CronSchedule[];
    };

/** A VerticalPodAutoscaler, resolved. */
export interface VpaModel {
  readonly mode: VpaMode;
  readonly containers: readonly VpaContainerModel[];
}

export interface VpaContainerModel {
  readonly container: string;
  readonly mode: 'Auto' | 'Off';
  readonly minAllowed?: ResourceAmounts;
  readonly maxAllowed?: ResourceAmounts;
  readonly controlledResources: ReadonlyArray<'cpu' | 'memory'>;
  readonly controlledValues: 'RequestsAndLimits' | 'RequestsOnly';
}

/** What scaling resolution needs from the rest of the (already resolved) definition. */
export interface ScalingContext {
  readonly service: string;
  readonly kind: ServiceKind;
  readonly capacity: { readonly requestsPerSecond?: number; readonly concurrentRequests?: number };
  /** The service's container (VPA default policy). */
  readonly container: string;
  readonly scrapeIntervalMs: number;
}

/** Where problems go: the field, the value found, what is allowed. */
export type ReportProblem = (field: string, value: unknown, allowed: string) => void;

/** Default share of capacity kept free; see {@link ScalingPolicy.headroom}. */
export const DEFAULT_HEADROOM = 0.2;
/**
 * CPU target when nothing else is known: what the API server fills in for an HPA without metrics
 * (`pkg/apis/autoscaling/v2/defaults.go`, `DefaultCPUUtilization = 80`).
 */
export const DEFAULT_CPU_UTILIZATION = 80;
/** API-server limits (`validation.go`): `MaxStabilizationWindowSeconds`, `MaxPeriodSeconds`. */
export const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
export const MAX_PERIOD_SECONDS = 1800;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Kubernetes quantity in the forms people write for CPU and memory (decimal or binary SI suffix). */
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const QUANTITY_FACTOR: Readonly<Record<string, number>> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
/**
 * Smallest per-pod target: the HPA's targets are rendered in milli-units (the scaling manifests' `quantity`),
 * so anything smaller would be written as "0m", a target every pod always exceeds: the HPA would run at
 * maxReplicas.
 */
export const MIN_PER_POD_TARGET = 0.001;

/**
 * Validates `scaling` and resolves its defaults. Every problem is reported; the returned model is only
 * meaningful when none was.
 *
 * @example
 * const model = resolveScaling({ maxReplicas: 30, behavior: 'spiky' },
 *   { service: 'checkout', kind: 'http', capacity: { requestsPerSecond: 250 }, container: 'checkout', scrapeIntervalMs: 30_000 },
 *   problems);
 * model.metrics[0]; // { type: 'requestsPerSecond', averageValue: 200, fromCapacity: true }
 */
export function resolveScaling(input: ScalingPolicy, ctx: ScalingContext, p: Problems): ScalingModel {
  const report: ReportProblem = p.sink;
  const at = (f: string) => `scaling.${f}`;
  const autoscaler = resolveAutoscaler(input.autoscaler, p);

  const maxFound = wholeNumber(report, at('maxReplicas'), input.maxReplicas, 1, 10_000);
  const maxReplicas = maxFound ?? 1;
  let minReplicas = 1;
  if (input.minReplicas !== undefined) {
    // minReplicas 0 on a plain HPA needs the alpha HPAScaleToZero gate (validation.go); KEDA does 0↔1 itself.
    const lowest = autoscaler.kind === 'keda' ? 0 : 1;
    const found = wholeNumber(report, at('minReplicas'), input.minReplicas, lowest, 10_000, lowest === 1 && input.minReplicas === 0 ? ' (0, scale to zero, needs autoscaler: { kind: "keda" })' : '');
    minReplicas = found ?? 1;
  }
  // Either bound may be the wrong one, so the problem names both: it is reported at maxReplicas, the field the
  // API server names ("must be greater than or equal to `minReplicas`").
  if (maxFound !== undefined && minReplicas > maxFound) {
    report(at('maxReplicas'), maxFound, `must be at least scaling.minReplicas (${minReplicas})`);
    minReplicas = Math.min(minReplicas, maxReplicas);
  }
  const autoscalerName = input.autoscalerName ?? ctx.service;
  if (input.autoscalerName !== undefined && !isDnsLabel(input.autoscalerName)) {
    report(at('autoscalerName'), input.autoscalerName, 'must be a DNS label: at most 63 characters of a-z, 0-9 and "-"');
  }

  const targetIn = input.target ?? { kind: 'Deployment' as const, name: ctx.service };
  if (targetIn.kind !== 'Deployment' && targetIn.kind !== 'StatefulSet') {
    report(at('target.kind'), targetIn.kind, 'must be "Deployment" or "StatefulSet"');
  }
  // A name derived from the service name is already reported under `name`; only check one written here.
  if (input.target !== undefined && (typeof targetIn.name !== 'string' || targetIn.name.length > 253 || !DNS_SUBDOMAIN.test(targetIn.name))) {
    report(at('target.name'), targetIn.name, 'must be a DNS subdomain: lower-case a-z, 0-9, "-" and ".", at most 253 characters');
  }

  const headroom = input.headroom ?? DEFAULT_HEADROOM;
  if (typeof headroom !== 'number' || !Number.isFinite(headroom) || headroom < 0 || headroom >= 1) {
    report(at('headroom'), input.headroom, 'must be a share of capacity from 0 (inclusive) to 1 (exclusive), e.g. 0.2');
  }
  const safeHeadroom = typeof headroom === 'number' && headroom >= 0 && headroom < 1 ? headroom : DEFAULT_HEADROOM;

  const metrics = resolveMetrics(input, ctx, safeHeadroom, report);
  const { preset, behavior } = resolveBehavior(input.behavior, report);
  const vpa = input.vpa === undefined ? undefined : resolveVpa(input.vpa, ctx, report);

  if (vpa) checkVpaConflict(vpa, metrics, report);
  if (autoscaler.kind === 'keda') {
    autoscaler.schedules.forEach((s, i) => {
      if (typeof s.desiredReplicas === 'number' && s.desiredReplicas > maxReplicas) {
        report(at(`autoscaler.schedules[${i}].desiredReplicas`), s.desiredReplicas, `must be at most maxReplicas (${maxReplicas})`);
      }
    });
    if (minReplicas === 0 && metrics.every((m) => m.type === 'cpu' || m.type === 'memory') && autoscaler.schedules.length === 0) {
      // KEDA's webhook: "scale to zero is only supported with at least one non-CPU/memory trigger".
      report(at('minReplicas'), 0, 'scale to zero needs at least one trigger that is not CPU or memory (a Prometheus metric or a schedule): KEDA cannot wake a workload on CPU');
    }
  }

  return {
    minReplicas,
    maxReplicas,
    autoscalerName,
    target: { apiVersion: 'apps/v1', kind: targetIn.kind, name: targetIn.name },
    headroom: safeHeadroom,
    metrics,
    behaviorPreset: preset,
    behavior,
    autoscaler,
    vpa,
    rateWindow: formatDuration(4 * ctx.scrapeIntervalMs),
  };
}

function resolveMetrics(input: ScalingPolicy, ctx: ScalingContext, headroom: number, report: ReportProblem): ScalingMetricModel[] {
  const derive = (capacity: number) => Math.round(capacity * (1 - headroom) * 1000) / 1000;
  const given = input.metrics;
  if (given === undefined) {
    if (ctx.capacity.requestsPerSecond !== undefined) {
      const v = derivedTarget(report, ctx.capacity.requestsPerSecond, 'capacity.requestsPerSecond', headroom, derive);
      return v === undefined ? [] : [{ type: 'requestsPerSecond', ...v }];
    }
    if (ctx.capacity.concurrentRequests !== undefined && ctx.kind === 'http') {
      const v = derivedTarget(report, ctx.capacity.concurrentRequests, 'capacity.concurrentRequests', headroom, derive);
      return v === undefined ? [] : [{ type: 'inFlightRequests', ...v }];
    }
    return [{ type: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } }];
  }
  if (!Array.isArray(given) || given.length === 0) {
    report('scaling.metrics', given, 'must be a non-empty list of metrics, or left out to scale on the declared capacity');
    return [];
  }
  const out: ScalingMetricModel[] = [];
  given.forEach((m, i) => {
    const f = `scaling.metrics[${i}]`;
    switch (m?.type) {
      case 'cpu':
      case 'memory': {
        const hasUtil = m.averageUtilization !== undefined;
        const hasValue = m.averageValue !== undefined;
        if (hasUtil === hasValue) {
          report(f, m, 'a cpu or memory metric needs exactly one target: averageUtilization (percent of requests) or averageValue (a quantity per pod)');
        } else if (hasUtil) {
          const u = wholeNumber(report, `${f}.averageUtilization`, m.averageUtilization, 1, 10_000);
          if (u !== undefined) out.push({ type: m.type, target: { type: 'Utilization', averageUtilization: u } });
        } else if (quantity(report, `${f}.averageValue`, m.averageValue) !== undefined) {
          out.push({ type: m.type, target: { type: 'AverageValue', averageValue: String(m.averageValue) } });
        }
        break;
      }
      case 'requestsPerSecond': {
        const v = perPodTarget(report, `${f}.averageValue`, m.averageValue, ctx.capacity.requestsPerSecond, 'capacity.requestsPerSecond', headroom, derive);
        if (v) out.push({ type: 'requestsPerSecond', ...v });
        break;
      }
      case 'inFlightRequests': {
        if (ctx.kind !== 'http') {
          report(`${f}.type`, m.type, 'inFlightRequests needs an HTTP service: workers have no in-flight gauge; use requestsPerSecond or an external queue metric');
          break;
        }
        const v = perPodTarget(report, `${f}.averageValue`, m.averageValue, ctx.capacity.concurrentRequests, 'capacity.concurrentRequests', headroom, derive);
        if (v) out.push({ type: 'inFlightRequests', ...v });
        break;
      }
      case 'external': {
        if (typeof m.metric !== 'string' || !METRIC_NAME.test(m.metric)) report(`${f}.metric`, m.metric, 'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
        const selector = m.selector ?? {};
        // Values that are not strings are reported by the shape check (model/schema.ts).
        for (const k of Object.keys(selector)) {
          if (!LABEL_NAME.test(k)) report(keyPath(`${f}.selector`, k), k, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
        }
        const hasAvg = m.averageValue !== undefined;
        const hasValue = m.value !== undefined;
        if (hasAvg === hasValue) {
          report(f, m, 'an external metric needs exactly one target: averageValue (per pod) or value (for the whole sum)');
          break;
        }
        const n = targetValue(report, hasAvg ? `${f}.averageValue` : `${f}.value`, hasAvg ? m.averageValue : m.value);
        if (n === undefined) break;
        out.push({
          type: 'external',
          metric: m.metric,
          selector,
          target: hasAvg ? { type: 'AverageValue', averageValue: n } : { type: 'Value', value: n },
        });
        break;
      }
      default:
        report(`${f}.type`, (m as { type?: unknown })?.type, 'must be one of "cpu", "memory", "requestsPerSecond", "inFlightRequests", "external"');
    }
  });
  return out;
}

function perPodTarget(
  report: ReportProblem,
  field: string,
  explicit: number | undefined,
  capacity: number | undefined,
  capacityField: string,
  headroom: number,
  derive: (capacity: number) => number,
): { averageValue: number; fromCapacity: boolean } | undefined {
  if (explicit !== undefined) {
    const n = targetValue(report, field, explicit);
    return n === undefined ? undefined : { averageValue: n, fromCapacity: false };
  }
  if (capacity === undefined) {
    report(field, undefined, `is required unless ${capacityField} is declared (the target is then derived from it with the headroom)`);
    return undefined;
  }
  return derivedTarget(report, capacity, capacityField, headroom, derive);
}

/**
 * The per-pod target derived from a declared capacity, or undefined (reported at the capacity, the number
 * to change) when it rounds below {@link MIN_PER_POD_TARGET}.
 */
function derivedTarget(
  report: ReportProblem,
  capacity: number,
  capacityField: string,
  headroom: number,
  derive: (capacity: number) => number,
): { averageValue: number; fromCapacity: true } | undefined {
  // Checked before rounding: 0.001 × 0.8 would round up to 0.001, a target 25% above the one meant.
  if (capacity * (1 - headroom) < MIN_PER_POD_TARGET) {
    report(
      capacityField,
      capacity,
      `gives a per-pod scaling target of ${capacity} × (1 − headroom ${headroom}), below ${MIN_PER_POD_TARGET}, the finest target the HPA is written with (milli-units): declare the capacity in larger units of work, lower scaling.headroom, or scale on another metric`,
    );
    return undefined;
  }
  return { averageValue: derive(capacity), fromCapacity: true };
}

function resolveBehavior(input: BehaviorPresetName | ScalingBehavior | undefined, report: ReportProblem): { preset: BehaviorPresetName; behavior?: BehaviorModel } {
  const allowed = `must be one of ${BEHAVIOR_PRESET_NAMES.map((n) => `"${n}"`).join(', ')}`;
  if (input === undefined) return { preset: 'kubernetes-default' };
  if (typeof input === 'string') {
    if (!BEHAVIOR_PRESET_NAMES.includes(input)) {
      report('scaling.behavior', input, allowed);
      return { preset: 'kubernetes-default' };
    }
    return { preset: input, behavior: presetBehavior(input) };
  }
  const preset = input.preset ?? 'kubernetes-default';
  if (!BEHAVIOR_PRESET_NAMES.includes(preset)) {
    report('scaling.behavior.preset', input.preset, allowed);
    return { preset: 'kubernetes-default' };
  }
  // Overriding anything makes `behavior` non-nil, and the API server then fills the rest with its
  // defaults; starting kubernetes-default overrides from those defaults reproduces that.
  const base = presetBehavior(preset) ?? KUBERNETES_DEFAULT_BEHAVIOR;
  if (input.scaleUp === undefined && input.scaleDown === undefined) return { preset, behavior: presetBehavior(preset) };
  return {
    preset,
    behavior: {
      scaleUp: resolveRules(report, 'scaling.behavior.scaleUp', input.scaleUp, base.scaleUp),
      scaleDown: resolveRules(report, 'scaling.behavior.scaleDown', input.scaleDown, base.scaleDown),
    },
  };
}

const SELECT_POLICIES: readonly SelectPolicy[] = ['Max', 'Min', 'Disabled'];

function resolveRules(report: ReportProblem, at: string, rules: ScalingRules | undefined, base: ScalingRulesModel): ScalingRulesModel {
  if (rules === undefined) return base;
  const window = rules.stabilizationWindowSeconds === undefined
    ? base.stabilizationWindowSeconds
    : wholeNumber(report, `${at}.stabilizationWindowSeconds`, rules.stabilizationWindowSeconds, 0, MAX_STABILIZATION_WINDOW_SECONDS) ?? base.stabilizationWindowSeconds;
  const selectPolicy = rules.selectPolicy ?? base.selectPolicy;
  if (!SELECT_POLICIES.includes(selectPolicy)) report(`${at}.selectPolicy`, rules.selectPolicy, 'must be "Max", "Min" or "Disabled"');
  let policies = base.policies;
  if (rules.policies !== undefined) {
    if (!Array.isArray(rules.policies) || rules.policies.length === 0) {
      // validation.go validateScalingRules: "must specify at least one Policy".
      report(`${at}.policies`, rules.policies, 'must list at least one policy; to stop scaling this way use selectPolicy: "Disabled"');
    } else {
      policies = rules.policies.map((p, i) => resolvePolicy(report, `${at}.policies[${i}]`, p));
    }
  }
  return { stabilizationWindowSeconds: window, selectPolicy, policies };
}

function resolvePolicy(report: ReportProblem, at: string, p: ScalingPolicyRule): ScalingPolicyRule {
  if (p?.type !== 'Pods' && p?.type !== 'Percent') report(`${at}.type`, p?.type, 'must be "Pods" or "Percent"');
  // validation.go validateScalingPolicy: value > 0, 0 < periodSeconds <= 1800.
  const value = wholeNumber(report, `${at}.value`, p?.value, 1, 2 ** 31 - 1) ?? 1;
  const periodSeconds = wholeNumber(report, `${at}.periodSeconds`, p?.periodSeconds, 1, MAX_PERIOD_SECONDS) ?? 15;
  return { type: p?.type, value, periodSeconds };
}

function resolveAutoscaler(input: ScalingPolicy['autoscaler'], p: Problems): AutoscalerModel {
  const report: ReportProblem = p.sink;
  if (input === undefined) return { kind: 'hpa' };
  switch (input.kind) {
    case 'hpa':
      return { kind: 'hpa' };
    case 'keda': {
      const at = 'scaling.autoscaler';
      p.httpUrl(`${at}.serverAddress`, input.serverAddress, 'must be the Prometheus base URL, e.g. "http://prometheus-operated.monitoring:9090"');
      const pollingIntervalSeconds = input.pollingIntervalSeconds === undefined ? 30 : wholeNumber(report, `${at}.pollingIntervalSeconds`, input.pollingIntervalSeconds, 1, 3600) ?? 30;
      const cooldownPeriodSeconds = input.cooldownPeriodSeconds === undefined ? 300 : wholeNumber(report, `${at}.cooldownPeriodSeconds`, input.cooldownPeriodSeconds, 0, 86_400) ?? 300;
      const activationThreshold = input.activationThreshold ?? 0;
      if (typeof activationThreshold !== 'number' || !Number.isFinite(activationThreshold) || activationThreshold < 0) {
        report(`${at}.activationThreshold`, input.activationThreshold, 'must be a finite number, 0 or more');
      }
      const schedules = input.schedules ?? [];
      schedules.forEach((s, i) => {
        const f = `${at}.schedules[${i}]`;
        p.timeZone(`${f}.timezone`, s.timezone);
        p.cron(`${f}.start`, s.start, '45 8 * * 1-5');
        p.cron(`${f}.end`, s.end, '0 18 * * 1-5');
        // KEDA's cronMetadata.Validate: "start and end can not have exactly same time input".
        if (typeof s.start === 'string' && s.start === s.end) report(`${f}.end`, s.end, 'must differ from start: KEDA refuses a schedule that starts and ends at the same time');
        wholeNumber(report, `${f}.desiredReplicas`, s.desiredReplicas, 1, 10_000);
      });
      return { kind: 'keda', serverAddress: input.serverAddress, pollingIntervalSeconds, cooldownPeriodSeconds, activationThreshold, schedules };
    }
    default:
      report('scaling.autoscaler.kind', (input as { kind?: unknown }).kind, 'must be "hpa" or "keda"');
      return { kind: 'hpa' };
  }
}

const VPA_MODES: readonly VpaMode[] = ['Off', 'Initial', 'Recreate'];

function resolveVpa(input: NonNullable<ScalingPolicy['vpa']>, ctx: ScalingContext, report: ReportProblem): VpaModel {
  let mode = input.mode ?? 'Off';
  if (!VPA_MODES.includes(mode)) {
    // Auto is deprecated (an alias of Recreate); InPlaceOrRecreate needs Kubernetes 1.33 (research §5).
    report('scaling.vpa.mode', input.mode, 'must be "Off", "Initial" or "Recreate" (the modes every VPA version accepts)');
    mode = 'Off'; // reported: the checks below must not quote or compare it
  }
  const given = input.containers ?? [{ container: ctx.container }];
  if (given.length === 0) report('scaling.vpa.containers', given, 'must list at least one container policy, or be left out for the service container');
  const seen = new Set<string>();
  const containers = given.map((c, i): VpaContainerModel => {
    const f = `scaling.vpa.containers[${i}]`;
    if (c.container !== '*' && !isDnsLabel(c.container)) report(`${f}.container`, c.container, 'must be a container name (a DNS label) or "*"');
    if (seen.has(c.container)) report(`${f}.container`, c.container, 'must not have two policies');
    seen.add(c.container);
    const cmode = c.mode ?? 'Auto';
    if (cmode !== 'Auto' && cmode !== 'Off') report(`${f}.mode`, c.mode, 'must be "Auto" or "Off"');
    let controlledResources = c.controlledResources ?? ['cpu', 'memory'];
    if (!Array.isArray(controlledResources) || controlledResources.length === 0 || controlledResources.some((r) => r !== 'cpu' && r !== 'memory')) {
      report(`${f}.controlledResources`, c.controlledResources, 'must be a non-empty list of "cpu" and "memory"');
      controlledResources = []; // reported: the conflict check must not read it
    }
    const controlledValues = c.controlledValues ?? 'RequestsAndLimits';
    if (controlledValues !== 'RequestsAndLimits' && controlledValues !== 'RequestsOnly') report(`${f}.controlledValues`, c.controlledValues, 'must be "RequestsAndLimits" or "RequestsOnly"');
    for (const r of ['cpu', 'memory'] as const) {
      const lo = c.minAllowed?.[r] === undefined ? undefined : quantity(report, `${f}.minAllowed.${r}`, c.minAllowed[r]);
      const hi = c.maxAllowed?.[r] === undefined ? undefined : quantity(report, `${f}.maxAllowed.${r}`, c.maxAllowed[r]);
      if (lo !== undefined && hi !== undefined && lo > hi) report(`${f}.minAllowed.${r}`, c.minAllowed?.[r], `must not exceed maxAllowed.${r} (${c.maxAllowed?.[r]})`);
    }
    return { container: c.container, mode: cmode, minAllowed: c.minAllowed, maxAllowed: c.maxAllowed, controlledResources, controlledValues };
  });
  return { mode, containers };
}

/**
 * VPA "should not be used with the HPA on the same resource metric (CPU or memory)"
 * (kubernetes/autoscaler `vertical-pod-autoscaler/docs/known-limitations.md`): both would react to the
 * same usage, one by resizing pods, the other by counting them. `Off` only recommends, so it never conflicts.
 */
function checkVpaConflict(vpa: VpaModel, metrics: readonly ScalingMetricModel[], report: ReportProblem): void {
  if (vpa.mode === 'Off') return;
  const hpaResources = new Set(metrics.flatMap((m) => (m.type === 'cpu' || m.type === 'memory' ? [m.type] : [])));
  vpa.containers.forEach((c, i) => {
    if (c.mode === 'Off') return;
    const clash = c.controlledResources.filter((r) => hpaResources.has(r));
    if (clash.length > 0) {
      const keep = (['cpu', 'memory'] as const).filter((r) => !hpaResources.has(r));
      report(
        `scaling.vpa.containers[${i}].controlledResources`,
        c.controlledResources,
        `must not include ${clash.map((r) => `"${r}"`).join(' or ')}: the autoscaler scales on it, and a VPA in ${vpa.mode} mode resizing the same resource fights it. ` +
          (keep.length > 0 ? `Use controlledResources: ["${keep.join('", "')}"], ` : '') +
          'set vpa.mode: "Off" for recommendations only, or scale on requestsPerSecond/inFlightRequests instead',
      );
    }
  });
}

function isDnsLabel(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 63 && DNS_LABEL.test(v);
}

function wholeNumber(report: ReportProblem, field: string, value: unknown, min: number, max: number, note = ''): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    report(field, value, `must be a whole number from ${min} to ${max}${note}`);
    return undefined;
  }
  return value;
}

/** A per-pod or total target, at least {@link MIN_PER_POD_TARGET} (a smaller one would be written as "0m"). */
function targetValue(report: ReportProblem, field: string, value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_PER_POD_TARGET) {
    report(field, value, `must be a finite number of at least ${MIN_PER_POD_TARGET} (targets are written in milli-units; a smaller one would be "0m")`);
    return undefined;
  }
  return value;
}

/** Parses a quantity to a plain number (cores or bytes), reporting it when malformed. */
function quantity(report: ReportProblem, field: string, value: unknown): number | undefined {
  const m = typeof value === 'string' ? QUANTITY.exec(value) : null;
  if (!m || Number(m[1]) <= 0) {
    report(field, value, 'must be a positive Kubernetes quantity, e.g. "250m" or "1" for CPU, "512Mi" or "2Gi" for memory');
    return undefined;
  }
  return Number(m[1]) * QUANTITY_FACTOR[m[3] ?? ''];
}
