/**
 * Durations the rules use that a definition does not set: how long each non-SLO alert waits (`for`), the
 * windows of the traffic-drop comparison, and the cap on the base rate window. They live in the model, not
 * in the rule generators, so that every duration a rule reads comes from one place: a time-compressed model
 * (./compress.ts, for the end-to-end test) then changes all of them at once and nothing is left at its
 * production value by accident.
 */
import type { TimingsModel } from './types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/** The defaults every resolved model carries. Why each number, next to it. */
export const DEFAULT_TIMINGS: TimingsModel = {
  // The SRE Workbook's shortest alerting window (ch. 5, Table 5-8: 1h long / 5m short); every SLO ratio is
  // averaged from the base rate, so a shorter base buys nothing but noise.
  baseWindowMaxMs: 5 * MINUTE,
  // pint alerts/absent: an `absent()` alert needs a `for` of at least two scrapes; a minute covers the
  // default 30s scrape and one Prometheus restart without paging.
  absentForMinMs: 1 * MINUTE,
  // Long enough that one quiet 5m stretch (a deploy, a retry storm ending) does not count as a drop.
  trafficDropWindowMs: 30 * MINUTE,
  // Traffic has a weekly rhythm: compare with the same hour of the same weekday.
  trafficDropOffsetMs: 7 * DAY,
  // A ticket, not a page: a drop that lasts a quarter hour is worth a look, a shorter one is a blip.
  trafficDropForMs: 15 * MINUTE,
  // Ticket alerts below follow kubernetes-mixin's resource alerts (15m on CPU / memory near limits).
  trafficAboveCapacityForMs: 15 * MINUTE,
  cpuNearLimitForMs: 15 * MINUTE,
  // Above requests is a placement risk, not an outage: wait longer before ticketing.
  cpuAboveRequestForMs: 30 * MINUTE,
  memoryNearLimitForMs: 15 * MINUTE,
  eventLoopSaturatedForMs: 15 * MINUTE,
  eventLoopDelayHighForMs: 15 * MINUTE,
  // In-flight requests climb within seconds before requests are rejected: a shorter wait than CPU.
  inFlightNearLimitForMs: 5 * MINUTE,
  // A pool fills as fast as in-flight requests climb (each holds a connection): the same wait.
  poolNearExhaustionForMs: 5 * MINUTE,
  // Waits queue within seconds of the pool filling; 5m of p99 above maxWait is a queue, not a burst.
  poolWaitSlowForMs: 5 * MINUTE,
  // Measured against the latency SLO's ticket tier (a 3x burn), so it waits as long as a short burn alert would.
  poolWaitBreaksLatencyForMs: 15 * MINUTE,
  // The HPA's default scale-up stabilization plus a few reconciliations; shorter is a scale-up in progress.
  autoscalerMaxedOutForMs: 15 * MINUTE,
  // kube-prometheus's TargetDown waits 10m for a share of targets; every target down is worse, so 2m
  // (longer than a rolling restart's gap between the last old and first new pod).
  targetsDownForMs: 2 * MINUTE,
  // A deploy without instrumentation shows up within minutes; 10m rides out a slow start-up.
  signalsMissingForMs: 10 * MINUTE,
};
