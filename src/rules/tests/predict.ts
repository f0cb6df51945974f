/**
 * A small evaluator of the generated SLO rules over synthetic per-minute counters, used to decide what a
 * generated promtool test must expect at a given time: which burn tiers are firing, which are not yet.
 * It follows Prometheus 2's semantics (inclusive range selectors, `extrapolatedRate` from
 * promql/functions.go, `for` measured from the first evaluation the condition held). promtool then checks
 * the expectation against the real engine, so a mistake here fails the suite instead of hiding.
 */
import type { BurnTierModel, SloModel } from '../../model/types';

const MINUTE = 60_000;

/** Cumulative counters sampled once a minute from t=0: events and bad events of one SLO. */
export interface CounterTrack {
  readonly events: readonly number[];
  readonly bad: readonly number[];
}

/** Prometheus's `extrapolatedRate` for a counter sampled every minute, over `[t - window, t]`, per second. */
export function promRate(samples: readonly number[], tMs: number, windowMs: number): number | undefined {
  const first = Math.max(0, Math.ceil((tMs - windowMs) / MINUTE));
  const last = Math.min(samples.length - 1, Math.floor(tMs / MINUTE));
  if (last - first < 1) return undefined;
  const firstV = samples[first];
  const result = samples[last] - firstV;
  const sampled = (last - first) * MINUTE;
  let toStart = first * MINUTE - (tMs - windowMs);
  const toEnd = tMs - last * MINUTE;
  if (result > 0 && firstV >= 0) toStart = Math.min(toStart, sampled * (firstV / result));
  const threshold = (sampled / (last - first)) * 1.1;
  let interval = sampled;
  interval += toStart < threshold ? toStart : sampled / (last - first) / 2;
  interval += toEnd < threshold ? toEnd : sampled / (last - first) / 2;
  return (result * (interval / sampled)) / (windowMs / 1000);
}

/** When each tier of an SLO fires under a scenario: the first evaluation time it is firing, per tier. */
export interface TierTimeline {
  readonly tier: BurnTierModel;
  /** Evaluation times (ms) at which the alert is firing. */
  readonly firingAt: ReadonlySet<number>;
}

/**
 * Evaluates the SLO's recording rules and burn alerts every `step` up to `untilMs`, as promtool does with that
 * `evaluation_interval` (the recorded base rates then have one sample per step). `bad` is the SLI numerator
 * counter (errors, or slow requests).
 */
export function predictBurnAlerts(slo: SloModel, track: CounterTrack, baseMs: number, untilMs: number, step: number): TierTimeline[] {
  const times: number[] = [];
  const events: (number | undefined)[] = [];
  const bad: (number | undefined)[] = [];
  const timelines = slo.tiers.map((tier) => ({ tier, firingAt: new Set<number>(), activeAt: undefined as number | undefined }));
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
    const eventsIn = (windowMs: number) => {
      let se = 0;
      let n = 0;
      for (let i = times.length - 1; i >= 0 && times[i] >= t - windowMs; i--) {
        if (events[i] === undefined) continue;
        se += events[i]!;
        n++;
      }
      return n === 0 ? 0 : (se / n) * (windowMs / 1000);
    };
    for (const tl of timelines) {
      const long = ratio(tl.tier.longWindowMs);
      const short = ratio(tl.tier.shortWindowMs);
      const holds =
        long !== undefined &&
        short !== undefined &&
        long > tl.tier.errorRatioThreshold &&
        short > tl.tier.errorRatioThreshold &&
        (tl.tier.minEvents <= 0 || eventsIn(tl.tier.longWindowMs) >= tl.tier.minEvents);
      if (!holds) {
        tl.activeAt = undefined;
        continue;
      }
      tl.activeAt ??= t;
      if (t - tl.activeAt >= tl.tier.forMs) tl.firingAt.add(t);
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
