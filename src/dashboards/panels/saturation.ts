/**
 * Saturation panels: how full the service is. CPU and memory per pod against the containers' requests and
 * limits, event-loop utilization and delay (the Node.js saturation signals), requests in
 * flight against the declared concurrency limit, replicas once the service autoscales, and the connection pools
 * the definition declares (`capacity.pools`): their use, the requests waiting for them and how long they wait.
 */
import { CLUSTER_METRIC, LABEL, POOL_SERIES } from '../../signals/contract';
import { aggregate, times } from '../../signals/promql';
import {
  autoscalerSeries,
  containerLabels,
  containerResource,
  cpuUsage,
  eventLoopDelayP99,
  eventLoopUtilization,
  inFlightPerInstance,
  memoryWorkingSet,
  poolInUseRatio,
  poolPendingRequests,
  poolWaitQuantile,
} from '../../signals/queries';
import { legendOf, type PanelContext } from '../context';
import { percent, seconds } from '../format';
import { PANEL_ID, REF_IDS } from '../ids';
import { Panel, type Query, Thresholds, timeSeries, UNIT } from '../sdk';
import type { ResourcePoolKind } from '../../spec/pools';

const REQUEST = 'request';
const LIMIT = 'limit';

/**
 * Usage per pod with the per-pod request and limit as dashed reference lines. Every pod of a Deployment
 * has the same request and limit, so `max` across pods is that one value, and stays one line.
 */
function resourcePanel(ctx: PanelContext, resource: 'cpu' | 'memory'): Panel {
  const scope = ctx.serviceScope;
  const perPod = (kind: 'requests' | 'limits') => aggregate('max', containerLabels(scope), containerResource(scope, kind, resource, [LABEL.pod]));
  const isCpu = resource === 'cpu';
  const limit = isCpu ? ctx.model.saturation.cpuOfLimit : ctx.model.saturation.memoryOfLimit;
  return timeSeries({
    id: isCpu ? PANEL_ID.cpu : PANEL_ID.memory,
    title: isCpu ? 'CPU per pod' : 'Memory per pod',
    description: isCpu
      ? `How many CPU cores does each pod use against its request and limit (dashed)? Past ${percent(limit)} of the limit the kernel starts throttling.`
      : `How much memory (working set) does each pod hold against its request and limit (dashed)? Past ${percent(limit)} of the limit the OOM killer is near.`,
    unit: isCpu ? UNIT.count : UNIT.bytes,
    min: 0,
    width: 12,
    queries: [
      { refId: REF_IDS[0], expr: isCpu ? cpuUsage(scope, ctx.window, [LABEL.pod]) : memoryWorkingSet(scope, [LABEL.pod]), legend: legendOf(LABEL.pod) },
      { refId: REF_IDS[1], expr: perPod('requests'), legend: REQUEST },
      { refId: REF_IDS[2], expr: perPod('limits'), legend: LIMIT },
    ],
    seriesColors: { [REQUEST]: 'blue', [LIMIT]: 'red' },
    referenceSeries: [REQUEST, LIMIT],
  });
}

export const cpuPanel = (ctx: PanelContext): Panel => resourcePanel(ctx, 'cpu');
export const memoryPanel = (ctx: PanelContext): Panel => resourcePanel(ctx, 'memory');

/** Event-loop utilization per pod: the share of time the loop is busy, Node's CPU-saturation signal. */
export function eventLoopUtilizationPanel(ctx: PanelContext): Panel {
  const threshold = ctx.model.saturation.eventLoopUtilization;
  return timeSeries({
    id: PANEL_ID.eventLoopUtilization,
    title: 'Event-loop utilization',
    description: `How busy is each pod's event loop? Above ${percent(threshold)} (dashed) requests queue behind each other.`,
    unit: UNIT.ratio,
    min: 0,
    max: 1,
    width: 12,
    queries: [{ refId: REF_IDS[0], expr: eventLoopUtilization(ctx.serviceScope, ctx.window), legend: legendOf(LABEL.instance) }],
    thresholds: { base: 'green', steps: [{ value: threshold, color: 'red' }] },
  });
}

/** Event-loop delay p99 per pod: how late timers and callbacks run. Includes ~10ms of sampling resolution. */
export function eventLoopDelayPanel(ctx: PanelContext): Panel {
  const threshold = ctx.model.saturation.eventLoopDelayP99Seconds;
  return timeSeries({
    id: PANEL_ID.eventLoopDelay,
    title: 'Event-loop delay p99',
    description: `How late does each pod's event loop run callbacks (p99)? Above ${seconds(threshold)} (dashed) every request waits that long; about 10ms is the sampling resolution, not load.`,
    unit: UNIT.seconds,
    min: 0,
    softMax: threshold * 1.1,
    width: 12,
    queries: [{ refId: REF_IDS[0], expr: eventLoopDelayP99(ctx.serviceScope), legend: legendOf(LABEL.instance) }],
    thresholds: { base: 'green', steps: [{ value: threshold, color: 'red' }] },
  });
}

/**
 * Requests in flight per pod against the declared concurrency limit (red) and the InFlightNearLimit
 * alert's share of it (orange). HTTP only: the gauge is `http.server.active_requests`.
 */
export function inFlightPanel(ctx: PanelContext): Panel | undefined {
  if (ctx.model.kind !== 'http') return undefined;
  const limit = ctx.model.capacity.concurrentRequests;
  const share = ctx.model.saturation.inFlightOfLimit;
  const thresholds: Thresholds | undefined =
    limit === undefined ? undefined : { base: 'green', steps: [{ value: times(limit, share), color: 'orange' }, { value: limit, color: 'red' }] };
  return timeSeries({
    id: PANEL_ID.inFlight,
    title: 'Requests in flight per pod',
    description:
      limit === undefined
        ? 'How many requests is each pod working on at once? No concurrency limit is declared (capacity.concurrentRequests).'
        : `How many requests is each pod working on at once, against its limit of ${limit} (red) and the alert at ${percent(share)} of it (orange)?`,
    unit: UNIT.count,
    min: 0,
    softMax: limit === undefined ? undefined : limit * 1.1,
    width: 12,
    queries: [{ refId: REF_IDS[0], expr: inFlightPerInstance(ctx.serviceScope), legend: legendOf(LABEL.instance) }],
    thresholds,
  });
}

/** Replicas the autoscaler runs, wants, and may run (kube-state-metrics). Only when the service autoscales. */
export function replicasPanel(ctx: PanelContext): Panel | undefined {
  const scaling = ctx.model.scaling;
  if (!scaling) return undefined;
  const series = [
    ['current', CLUSTER_METRIC.hpaCurrentReplicas],
    ['desired', CLUSTER_METRIC.hpaDesiredReplicas],
    ['min', CLUSTER_METRIC.hpaMinReplicas],
    ['max', CLUSTER_METRIC.hpaMaxReplicas],
  ] as const;
  return timeSeries({
    id: PANEL_ID.replicas,
    title: 'Replicas',
    description: `How many replicas does the ${scaling.autoscalerName} autoscaler run and want, between its minimum and maximum (dashed, ${scaling.minReplicas} to ${scaling.maxReplicas})? At the maximum it cannot add more.`,
    unit: UNIT.count,
    min: 0,
    decimals: 0,
    width: 12,
    // One series per HPA even when several kube-state-metrics replicas export it.
    queries: series.map(([legend, metric], i) => ({
      refId: REF_IDS[i],
      expr: aggregate('max', [LABEL.namespace, LABEL.hpa], autoscalerSeries(ctx.serviceScope, metric)),
      legend,
    })),
    seriesColors: { current: 'green', desired: 'yellow', min: 'blue', max: 'red' },
    referenceSeries: ['min', 'max'],
  });
}

/** Names of the pools with what they hold, for descriptions: `orders-db (connections), payments-api (sockets)`. */
function poolNames(ctx: PanelContext): string {
  return ctx.model.capacity.pools.map((p) => `${p.name} (${POOL_SERIES[p.kind].units})`).join(', ');
}

/** One query per pool kind the service declares, in the kinds' order: each kind has its own series and name label. */
function poolQueries(ctx: PanelContext, expr: (kind: ResourcePoolKind) => string, perInstance: boolean): Query[] {
  const kinds = [...new Set(ctx.model.capacity.pools.map((p) => p.kind))];
  return kinds.map((kind, i) => ({
    refId: REF_IDS[i],
    expr: expr(kind),
    legend: perInstance ? legendOf(POOL_SERIES[kind].nameLabel, LABEL.instance) : legendOf(POOL_SERIES[kind].nameLabel),
  }));
}

/**
 * Share of each pod's pool in use, per pool, against the lowest `inUseOfSize` of the pools (red): the
 * pools' NearExhaustion alerts' line. Only when the definition declares pools.
 */
export function poolInUsePanel(ctx: PanelContext): Panel | undefined {
  const pools = ctx.model.capacity.pools;
  if (pools.length === 0) return undefined;
  const threshold = Math.min(...pools.map((p) => p.inUseOfSize));
  return timeSeries({
    id: PANEL_ID.poolInUse,
    title: 'Pools in use per pod',
    description: `What share of each pod's pools (${poolNames(ctx)}) is in use? Above ${percent(threshold)} (red) the next burst waits for the pool.`,
    unit: UNIT.ratio,
    min: 0,
    max: 1,
    width: 8,
    queries: poolQueries(ctx, (kind) => poolInUseRatio(ctx.serviceScope, kind), true),
    thresholds: { base: 'green', steps: [{ value: threshold, color: 'red' }] },
  });
}

/** Requests waiting for a pool per pod: any sustained value means the pool is the bottleneck. */
export function poolWaitingPanel(ctx: PanelContext): Panel | undefined {
  if (ctx.model.capacity.pools.length === 0) return undefined;
  return timeSeries({
    id: PANEL_ID.poolWaiting,
    title: 'Requests waiting for a pool',
    description: `How many requests of each pod wait for a pool (${poolNames(ctx)}) right now? Anything above zero for long means the pool, not the pod, sets the pace.`,
    unit: UNIT.count,
    min: 0,
    decimals: 0,
    width: 8,
    queries: poolQueries(ctx, (kind) => poolPendingRequests(ctx.serviceScope, kind), true),
  });
}

/** Wait time p99 per pool against the lowest `maxWait` of the pools (red). */
export function poolWaitTimePanel(ctx: PanelContext): Panel | undefined {
  const pools = ctx.model.capacity.pools;
  if (pools.length === 0) return undefined;
  const threshold = Math.min(...pools.map((p) => p.maxWaitSeconds));
  return timeSeries({
    id: PANEL_ID.poolWaitTime,
    title: 'Pool wait p99',
    description: `How long do requests wait for a pool (p99, per pool: ${poolNames(ctx)})? Above ${seconds(threshold)} (red) they queue for the pool.`,
    unit: UNIT.seconds,
    min: 0,
    softMax: times(threshold, 1.1),
    width: 8,
    queries: poolQueries(ctx, (kind) => poolWaitQuantile(ctx.serviceScope, kind, 0.99, ctx.window), false),
    thresholds: { base: 'green', steps: [{ value: threshold, color: 'red' }] },
  });
}

/** The saturation row. */
export function saturationPanels(ctx: PanelContext): Panel[] {
  return [
    cpuPanel(ctx),
    memoryPanel(ctx),
    eventLoopUtilizationPanel(ctx),
    eventLoopDelayPanel(ctx),
    inFlightPanel(ctx),
    replicasPanel(ctx),
    poolInUsePanel(ctx),
    poolWaitingPanel(ctx),
    poolWaitTimePanel(ctx),
  ].filter((p): p is Panel => p !== undefined);
}
