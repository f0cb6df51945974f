/**
 * Latency panels: percentiles, the share of requests within each latency objective's threshold, and the
 * bucket heatmap. Every latency target asks for exemplars, so a slow dot links to its trace once the
 * Prometheus data source has `exemplarTraceIdDestinations` (a data-source setting, outside the dashboard).
 */
import { LABEL } from '../../signals/contract';
import { bucketRate, fastRequestRatio, latencyQuantile } from '../../signals/queries';
import { legendOf, type PanelContext } from '../context';
import { percent, seconds } from '../format';
import { PANEL_ID, REF_IDS } from '../ids';
import { heatmapPanel, Panel, timeSeries, UNIT } from '../sdk';
import { served } from './traffic';

/** Percentiles drawn: the median, the common tail and the SLO-style tail. */
export const QUANTILES: readonly number[] = [0.5, 0.9, 0.99];

function latencySlos(ctx: PanelContext) {
  return ctx.model.slos.filter((s) => s.kind === 'latency' && !s.journey && s.thresholdSeconds !== undefined);
}

/** p50, p90 and p99 from the histogram; each latency objective's threshold is a dashed line. */
export function latencyQuantilesPanel(ctx: PanelContext): Panel {
  const slos = latencySlos(ctx);
  const s = served(ctx.model.kind);
  return timeSeries({
    id: PANEL_ID.latencyQuantiles,
    title: 'Latency percentiles',
    description:
      `How long do ${s.unit} take for the median, the slowest 10% and the slowest 1%?` +
      (slos.length > 0 ? ` The dashed line is the latency objective's threshold (${slos.map((l) => seconds(l.thresholdSeconds!)).join(', ')}).` : ''),
    unit: UNIT.seconds,
    min: 0,
    width: 8,
    queries: QUANTILES.map((q, i) => ({
      refId: REF_IDS[i],
      expr: latencyQuantile(ctx.scope, q, ctx.window),
      legend: `p${Math.round(q * 100)}`,
      exemplar: true,
    })),
    thresholds: slos.length > 0 ? { base: 'green', steps: slos.map((l) => ({ value: l.thresholdSeconds!, color: 'red' as const })) } : undefined,
  });
}

/**
 * Share of requests answered within each latency objective's threshold: exact, because every threshold is
 * a bucket boundary. Absent without a latency objective, which has no threshold to measure.
 */
export function requestsWithinThresholdPanel(ctx: PanelContext): Panel | undefined {
  const slos = latencySlos(ctx);
  if (slos.length === 0) return undefined;
  const s = served(ctx.model.kind);
  return timeSeries({
    id: PANEL_ID.requestsWithinThreshold,
    title: `${s.unit.charAt(0).toUpperCase()}${s.unit.slice(1)} within the latency threshold`,
    description: `What share of ${s.unit} are answered within ${slos.map((l) => seconds(l.thresholdSeconds!)).join(', ')}? The dashed line is the objective (${slos.map((l) => percent(l.objective)).join(', ')}).`,
    unit: UNIT.ratio,
    decimals: 2,
    max: 1,
    width: 8,
    queries: slos.map((l, i) => ({
      refId: REF_IDS[i],
      expr: fastRequestRatio(ctx.scope, l.thresholdSeconds!, ctx.window),
      legend: `≤ ${seconds(l.thresholdSeconds!)}`,
      exemplar: true,
    })),
    thresholds: { base: 'red', steps: slos.map((l) => ({ value: l.objective, color: 'green' as const })) },
  });
}

/** The distribution over time, one cell per bucket, straight from Prometheus (no browser re-bucketing). */
export function latencyHeatmapPanel(ctx: PanelContext, width: number): Panel {
  const s = served(ctx.model.kind);
  return heatmapPanel({
    id: PANEL_ID.latencyHeatmap,
    title: 'Latency distribution',
    description: `How are ${s.unit} spread over the histogram's latency buckets: one slow tail, or everything slower? Cell colour is ${s.unit} per second.`,
    unit: UNIT.requestsPerSecond,
    yUnit: UNIT.seconds,
    width,
    queries: [{ refId: REF_IDS[0], expr: bucketRate(ctx.scope, ctx.window), legend: legendOf(LABEL.le), exemplar: true, format: 'heatmap' }],
  });
}

/** The latency row: the heatmap takes the room the threshold panel leaves when there is no latency SLO. */
export function latencyPanels(ctx: PanelContext): Panel[] {
  const within = requestsWithinThresholdPanel(ctx);
  return within ? [latencyQuantilesPanel(ctx), within, latencyHeatmapPanel(ctx, 8)] : [latencyQuantilesPanel(ctx), latencyHeatmapPanel(ctx, 16)];
}
