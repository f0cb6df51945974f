/**
 * Panel ids, fixed per section and slot rather than counted, so `viewPanel=` links, bookmarks and
 * annotations keep pointing at the same panel when a service gains an SLO, an autoscaler or a route:
 * nothing is renumbered, a panel that does not apply is simply absent.
 */
import type { SloKind } from '../model/types';

/** Row ids. */
export const ROW_ID = { slos: 1, journeys: 2, traffic: 30, errors: 40, latency: 50, saturation: 60 } as const;

/** First id of each SLO's panels; one block of ten per SLO kind. */
export const SLO_PANEL_BASE: Readonly<Record<SloKind, number>> = { availability: 10, latency: 20 };

/**
 * First id of the SLOs beyond one per kind (several latency objectives, journeys): a block of ten each, in the
 * model's order, past every other panel id.
 */
export const SLO_PANEL_EXTRA_BASE = 100;

/** Offset of each panel within an SLO's block. */
export const SLO_SLOT = { sli: 1, budgetRemaining: 2, burnRate: 3, alertState: 4 } as const;

/** Ids of the panels outside the SLO row. */
export const PANEL_ID = {
  requestsByClass: 31,
  requestsByRouteAndClass: 32,
  requestsPerPod: 33,
  errorRatio: 41,
  errorRatioByRoute: 42,
  latencyQuantiles: 51,
  requestsWithinThreshold: 52,
  latencyHeatmap: 53,
  cpu: 61,
  memory: 62,
  eventLoopUtilization: 63,
  eventLoopDelay: 64,
  inFlight: 65,
  replicas: 66,
  poolInUse: 67,
  poolWaiting: 68,
  poolWaitTime: 69,
} as const;

/** Stable query ids, in order: a panel's n-th query is always `REF_IDS[n]`. */
export const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

/**
 * Error-budget report: SLO number `i` (in the model's order) owns the block of ids from
 * `BUDGET_BLOCK * (i + 1)`, its row first. A block per SLO rather than per kind, so a service with several
 * latency objectives gets one block each, and an SLO added at the end renumbers nothing.
 */
export const BUDGET_BLOCK = 100;

/** Offset of each row and panel within an SLO's block of the error-budget report. */
export const BUDGET_SLOT = { row: 0, month: 1, quarter: 2, rolling: 3, burnRate: 4, exhaustion: 5, burnHistory: 6, spenders: 7, journeys: 8 } as const;
