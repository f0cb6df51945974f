/**
 * How long alerts that react to the same outage wait (`for`), decided in one place because they must agree:
 * when every target of a service goes down, ServiceTargetsDown must be firing before the symptom alerts it
 * inhibits (TrafficAbsent) are, or the symptom pages first and the outage pages twice.
 */
import type { ServiceModel } from '../model/types';

/** `absent()` alerts need a `for` of at least two scrapes, or one missed scrape fires them (pint alerts/absent). */
function absentForMs(model: ServiceModel): number {
  return Math.max(model.timings.absentForMinMs, 2 * model.metrics.scrapeIntervalMs);
}

/** ServiceTargetsDown's `for`: `timings.targetsDownForMs`, and never shorter than an `absent()` alert's. */
export function targetsDownForMs(model: ServiceModel): number {
  return Math.max(model.timings.targetsDownForMs, absentForMs(model));
}

/**
 * TrafficAbsent's `for`: one rule evaluation longer than ServiceTargetsDown's. Both conditions start with the
 * same failed scrape (the `up == 0` sample and the staleness markers that make `absent()` true), so with the
 * extra evaluation ServiceTargetsDown reaches Alertmanager first and its inhibit rule mutes TrafficAbsent
 * before its first notification. (With the `for` of 1m it had before, an outage paged for TrafficAbsent a
 * minute ahead of ServiceTargetsDown, and the inhibition only arrived after that page.)
 */
export function trafficAbsentForMs(model: ServiceModel): number {
  return targetsDownForMs(model) + model.alerting.evaluationIntervalMs;
}
