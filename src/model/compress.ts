/**
 * A time-compressed copy of a model, for tests that run the generated rules against a real Prometheus in
 * minutes instead of days (the end-to-end test, test/e2e). Every duration the rules read is divided by the
 * same factor, so the rules keep their shape: the same multiwindow pairs, the same order of `for`s, the same
 * thresholds, labels and annotations. Only the clock runs faster.
 *
 * It is the library's own transformation, not a hand-written test profile, so a test of the compressed
 * model tests the generators as they are: add a duration to the rules and it must come from the model, or
 * the e2e test runs it at its production length and times out.
 */
import { formatDuration } from '../spec/duration';
import type { BurnTierModel, ServiceModel, SloModel, TimingsModel } from './types';

/** Intervals of the Prometheus that runs the compressed rules. */
export interface CompressTimeOptions {
  /** Scrape interval of the test Prometheus, whole seconds. Rate windows are kept at 4 of these at least. */
  readonly scrapeIntervalMs: number;
  /** Evaluation interval of the compressed rule group, whole seconds. */
  readonly evaluationIntervalMs: number;
}

const SECOND = 1000;

/**
 * How each timing compresses: a `window` is a range PromQL reads (kept at 4 scrapes or more), a `wait` is a
 * `for` or an offset (only kept non-negative). A mapped type, so a new timing does not compile until it is
 * classified here.
 */
const TIMING_KIND: { readonly [K in keyof TimingsModel]: 'window' | 'wait' } = {
  baseWindowMaxMs: 'window',
  absentForMinMs: 'wait',
  trafficDropWindowMs: 'window',
  trafficDropOffsetMs: 'wait',
  trafficDropForMs: 'wait',
  trafficAboveCapacityForMs: 'wait',
  cpuNearLimitForMs: 'wait',
  cpuAboveRequestForMs: 'wait',
  memoryNearLimitForMs: 'wait',
  eventLoopSaturatedForMs: 'wait',
  eventLoopDelayHighForMs: 'wait',
  inFlightNearLimitForMs: 'wait',
  poolNearExhaustionForMs: 'wait',
  poolWaitSlowForMs: 'wait',
  poolWaitBreaksLatencyForMs: 'wait',
  autoscalerMaxedOutForMs: 'wait',
  targetsDownForMs: 'wait',
  signalsMissingForMs: 'wait',
};

/** `ms / factor`, rounded to whole seconds: Prometheus durations in rule files are written in whole units. */
export function compressMs(ms: number, factor: number): number {
  return Math.round(ms / factor / SECOND) * SECOND;
}

/**
 * A copy of `model` whose every duration is divided by `factor`: SLO windows, burn-tier windows and `for`s,
 * the no-traffic window, and every `timings` entry; scrape and evaluation intervals are set from `options`.
 *
 * - Rate windows are rounded to whole seconds and kept at 4 scrape intervals or more (the rule a resolved
 *   model already obeys: fewer samples and one missed scrape leaves `rate()` empty).
 * - `for`s are rounded to whole seconds and never negative; `0s` means "fire on the first evaluation".
 * - Burn factors, error-ratio thresholds, low-traffic guards (`minEvents`), objectives, labels and
 *   annotations are kept, not recomputed: rounding must not move a threshold. `minEvents` counts events in
 *   a long window that is now `factor` times shorter, so a test must send `factor` times the traffic per
 *   second to clear it.
 * - Recording rules are named after their windows, so the compressed ones have other names
 *   (`slo:sli_error:ratio_rate5s`); anything that queries them (dashboards) must be generated from the
 *   compressed model too.
 *
 * @throws Error when the factor or intervals are not usable, or when compression collapses a tier (its
 *   short window no longer shorter than its long window, or its long window past the SLO window).
 * @example
 * const fast = compressTime(resolveService(checkout), 240, { scrapeIntervalMs: 1000, evaluationIntervalMs: 1000 });
 * fast.slos[0].tiers[0].longWindowMs; // 15_000 (1h / 240)
 */
export function compressTime(model: ServiceModel, factor: number, options: CompressTimeOptions): ServiceModel {
  if (!Number.isFinite(factor) || factor < 1) throw new Error(`compressTime: factor must be a finite number of at least 1; got ${factor}`);
  for (const key of ['scrapeIntervalMs', 'evaluationIntervalMs'] as const) {
    const v = options[key];
    if (!Number.isInteger(v) || v < SECOND || v % SECOND !== 0) throw new Error(`compressTime: ${key} must be a whole number of seconds in ms (at least 1000); got ${v}`);
  }
  const minWindowMs = 4 * options.scrapeIntervalMs;
  const window = (ms: number) => Math.max(compressMs(ms, factor), minWindowMs);
  const wait = (ms: number) => Math.max(compressMs(ms, factor), 0);

  const slos = model.slos.map((slo): SloModel => {
    const windowMs = window(slo.windowMs);
    const tiers = slo.tiers.map((t): BurnTierModel => {
      const tier = { ...t, longWindowMs: window(t.longWindowMs), shortWindowMs: window(t.shortWindowMs), forMs: wait(t.forMs) };
      if (tier.shortWindowMs >= tier.longWindowMs || tier.longWindowMs > windowMs) {
        throw new Error(
          `compressTime: factor ${factor} collapses the ${slo.name} SLO's ${t.name} tier (short ${formatDuration(tier.shortWindowMs)}, ` +
            `long ${formatDuration(tier.longWindowMs)}, SLO window ${formatDuration(windowMs)}): use a smaller factor or a shorter scrape interval`,
        );
      }
      return tier;
    });
    return { ...slo, windowMs, tiers };
  });

  const timings = Object.fromEntries(
    (Object.keys(TIMING_KIND) as Array<keyof TimingsModel>).map((key) => {
      const kind = TIMING_KIND[key];
      switch (kind) {
        case 'window':
          return [key, window(model.timings[key])];
        case 'wait':
          return [key, wait(model.timings[key])];
        default:
          return assertNever(kind);
      }
    }),
  ) as unknown as TimingsModel;

  return {
    ...model,
    metrics: { ...model.metrics, scrapeIntervalMs: options.scrapeIntervalMs },
    slos,
    traffic: { ...model.traffic, noTrafficForMs: model.traffic.noTrafficForMs === undefined ? undefined : window(model.traffic.noTrafficForMs) },
    alerting: {
      ...model.alerting,
      evaluationIntervalMs: options.evaluationIntervalMs,
      // The same multiple of the evaluation interval, so the SLO-window group keeps evaluating with the other.
      ...(model.alerting.sloWindowEvaluationIntervalMs === undefined
        ? {}
        : { sloWindowEvaluationIntervalMs: options.evaluationIntervalMs * (model.alerting.sloWindowEvaluationIntervalMs / model.alerting.evaluationIntervalMs) }),
    },
    timings,
  };
}

function assertNever(x: never): never {
  throw new Error(`compressTime: unexpected timing kind ${JSON.stringify(x)}`);
}
