import type { ServiceModel, SloModel } from '../model/types';
import { formatDuration } from '../spec/duration';

/**
 * The window of the base rate recordings that every longer window is averaged from. It is the shortest
 * short window of any enabled tier, at most `timings.baseWindowMaxMs` (5m by default, the SRE Workbook's
 * shortest alerting window), and never shorter than 4 scrape intervals.
 */
export function baseWindowMs(model: ServiceModel): number {
  const cap = model.timings.baseWindowMaxMs;
  const shorts = model.slos.flatMap((s) => s.tiers.map((t) => t.shortWindowMs));
  const fromTiers = shorts.length > 0 ? Math.min(...shorts) : cap;
  return Math.max(Math.min(fromTiers, cap), 4 * model.metrics.scrapeIntervalMs);
}

/** The base window as a Prometheus duration, e.g. `'5m'`. */
export function baseWindow(model: ServiceModel): string {
  return formatDuration(baseWindowMs(model));
}

/** Every window an SLO records an error ratio for: the tiers' short and long windows and the SLO window, ascending. */
export function ratioWindowsMs(model: ServiceModel, slo: SloModel): number[] {
  const all = new Set<number>([baseWindowMs(model), slo.windowMs]);
  for (const t of slo.tiers) {
    all.add(t.shortWindowMs);
    all.add(t.longWindowMs);
  }
  return [...all].sort((a, b) => a - b);
}

/**
 * promtool's unit-test engine refuses a query that loads more than 10,000 samples (promql/test.go
 * `MaxSamples`), and every sample of a long range costs memory in production too. Windows that would
 * read more recorded samples than this are read through a subquery at the base window's resolution instead:
 * sampling a 5m rate every 5m tiles the window exactly, so the sum stays traffic-weighted.
 */
const MAX_SAMPLES_PER_RANGE = 9000;

/**
 * How far apart the samples are that a range over `windowMs` of a recorded series reads: the evaluation
 * interval, or the resolution of the tiling subquery {@link recordedRange} switches to for long windows.
 * `sum_over_time` of a per-second rate times this spacing is the number of events the window saw.
 */
export function recordedSpacingMs(model: ServiceModel, windowMs: number): number {
  const interval = model.alerting.evaluationIntervalMs;
  if (windowMs / interval <= MAX_SAMPLES_PER_RANGE) return interval;
  const base = baseWindowMs(model);
  return Math.max(base, Math.ceil(windowMs / MAX_SAMPLES_PER_RANGE / base) * base);
}

/**
 * The range selector suffix for reading a recorded series over `windowMs`: `[1h]` when the window holds few
 * enough evaluations, otherwise a tiling subquery such as `[30d:5m]`.
 */
export function recordedRange(model: ServiceModel, windowMs: number): string {
  const win = formatDuration(windowMs);
  const spacing = recordedSpacingMs(model, windowMs);
  return spacing === model.alerting.evaluationIntervalMs ? `[${win}]` : `[${win}:${formatDuration(spacing)}]`;
}
