/**
 * A small evaluator of the generated SLO rules over synthetic per-minute counters, used to decide what a
 * generated promtool test must expect at a given time: which burn tiers are firing, which are not yet.
 * It follows Prometheus 2's semantics (inclusive range selectors, `extrapolatedRate` from
 * promql/functions.go, `for` measured from the first evaluation the condition held). promtool then checks
 * the expectation against the real engine, so a mistake here fails the suite instead of hiding.
 */
import type { BurnTierModel, ServiceModel, SloModel } from '../../model/types';
import { quietAfterFasterTierMs } from '../slo';
import { baseWindowMs, recordedSpacingMs } from '../windows';

const MINUTE = 60_000;

/** Cumulative counters sampled once a minute from t=0 (`undefined`: not scraped): events and bad events of one SLO. */
export interface CounterTrack {
  readonly events: readonly (number | undefined)[];
  readonly bad: readonly (number | undefined)[];
}

/**
 * Prometheus's `extrapolatedRate` for a counter sampled every minute (with gaps where a sample is
 * `undefined`), over `[t - window, t]`, per second.
 */
export function promRate(samples: readonly (number | undefined)[], tMs: number, windowMs: number): number | undefined {
  const present: number[] = [];
  for (let i = Math.max(0, Math.ceil((tMs - windowMs) / MINUTE)); i <= Math.min(samples.length - 1, Math.floor(tMs / MINUTE)); i++) {
    if (samples[i] !== undefined) present.push(i);
  }
  if (present.length < 2) return undefined;
  const first = present[0];
  const last = present[present.length - 1];
  const firstV = samples[first]!;
  const result = samples[last]! - firstV;
  const sampled = (last - first) * MINUTE;
  const average = sampled / (present.length - 1);
  let toStart = first * MINUTE - (tMs - windowMs);
  const toEnd = tMs - last * MINUTE;
  if (result > 0 && firstV >= 0) toStart = Math.min(toStart, sampled * (firstV / result));
  const threshold = average * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : average / 2;
  interval += toEnd < threshold ? toEnd : average / 2;
  return (result * (interval / sampled)) / (windowMs / 1000);
}

/** When each tier of an SLO fires under a scenario: the first evaluation time it is firing, per tier. */
export interface TierTimeline {
  readonly tier: BurnTierModel;
  /** Evaluation times (ms) at which the alert is firing. */
  readonly firingAt: ReadonlySet<number>;
}

/** Prometheus's default lookback for an instant selector (`--query.lookback-delta`). */
const LOOKBACK_MS = 5 * MINUTE;

/**
 * Evaluates the SLO's recording rules and burn alerts every `step` up to `untilMs`, as promtool does with that
 * `evaluation_interval` (the recorded base rates then have one sample per step). `bad` is the SLI numerator
 * counter (errors, or slow requests). Models the low-traffic guard (the recorded samples present in the long
 * window × their spacing in the rules, which is the service's evaluation interval whatever the test's step) and
 * the quiet clause of slower tiers (`ALERTS` of a faster tier firing within the quiet window, unless this tier's
 * own `ALERTS` sample of the previous evaluation, visible within the 5m lookback, says it fires already).
 */
export function predictBurnAlerts(model: ServiceModel, slo: SloModel, track: CounterTrack, untilMs: number, step: number): TierTimeline[] {
  const baseMs = baseWindowMs(model);
  const times: number[] = [];
  const events: (number | undefined)[] = [];
  const bad: (number | undefined)[] = [];
  const timelines = slo.tiers.map((tier) => ({
    tier,
    firingAt: new Set<number>(),
    activeAt: undefined as number | undefined,
    lastFiredAt: -Infinity,
    spacingMs: recordedSpacingMs(model, tier.longWindowMs),
    quietMs: quietAfterFasterTierMs(model, tier),
  }));
  /** Index of the latest evaluation at or before `t` and not before `from`, or -1. */
  const latestIn = (from: number, t: number) => {
    for (let i = times.length - 1; i >= 0; i--) if (times[i] <= t) return times[i] >= from ? i : -1;
    return -1;
  };
  for (let t = 0; t <= untilMs; t += step) {
    const ev = promRate(track.events, t, baseMs);
    const b = promRate(track.bad, t, baseMs);
    times.push(t);
    events.push(ev);
    bad.push(ev === undefined || b === undefined ? undefined : Math.max(0, b));
    const ratio = (windowMs: number) => {
      let sb = 0;
      let se = 0;
      for (let i = times.length - 1; i >= 0 && times[i] >= t - windowMs; i--) {
        if (events[i] === undefined) continue;
        se += events[i]!;
        sb += bad[i]!;
      }
      return se > 0 ? sb / se : undefined;
    };
    /** `sum_over_time(events[W]) × spacing`, or over the tiling subquery `[W:spacing]` the rules use for long windows. */
    const eventsIn = (windowMs: number, spacingMs: number) => {
      let sum = 0;
      if (spacingMs === model.alerting.evaluationIntervalMs) {
        for (let i = times.length - 1; i >= 0 && times[i] >= t - windowMs; i--) sum += events[i] ?? 0;
      } else {
        for (let p = Math.ceil((t - windowMs) / spacingMs) * spacingMs; p <= t; p += spacingMs) {
          const i = latestIn(p - LOOKBACK_MS, p);
          if (i >= 0) sum += events[i] ?? 0;
        }
      }
      return sum * (spacingMs / 1000);
    };
    for (const [k, tl] of timelines.entries()) {
      const long = ratio(tl.tier.longWindowMs);
      const short = ratio(tl.tier.shortWindowMs);
      const firingBefore = step <= LOOKBACK_MS && tl.firingAt.has(t - step);
      const quiet = !firingBefore && timelines.slice(0, k).some((f) => f.lastFiredAt >= t - tl.quietMs);
      const holds =
        long !== undefined &&
        short !== undefined &&
        long > tl.tier.errorRatioThreshold &&
        short > tl.tier.errorRatioThreshold &&
        (tl.tier.minEvents <= 0 || eventsIn(tl.tier.longWindowMs, tl.spacingMs) >= tl.tier.minEvents) &&
        !quiet;
      if (!holds) {
        tl.activeAt = undefined;
        continue;
      }
      tl.activeAt ??= t;
      if (t - tl.activeAt >= tl.tier.forMs) {
        tl.firingAt.add(t);
        tl.lastFiredAt = t;
      }
    }
  }
  return timelines.map(({ tier, firingAt }) => ({ tier, firingAt }));
}

/**
 * Tiers firing at `t`, or `undefined` when any tier changes state within `marginMs` of `t` (an expectation
 * there would test float noise, not the rules).
 */
export function firingTiersAt(timelines: readonly TierTimeline[], t: number, marginMs: number, step: number): BurnTierModel[] | undefined {
  const firing: BurnTierModel[] = [];
  for (const tl of timelines) {
    const states = new Set<boolean>();
    for (let x = t - marginMs; x <= t + marginMs; x += step) states.add(tl.firingAt.has(x));
    if (states.size > 1) return undefined;
    if (tl.firingAt.has(t)) firing.push(tl.tier);
  }
  return firing;
}
