/** Error panels: the share of requests that fail, overall and by route. */
import { endpointLabel, requestErrorRatio } from '../../signals/queries';
import { legendOf, type PanelContext } from '../context';
import { percent } from '../format';
import { PANEL_ID, REF_IDS } from '../ids';
import { Panel, Thresholds, timeSeries, UNIT } from '../sdk';
import { served } from './traffic';

/**
 * The availability SLO's error budget as a line: a ratio above it, held for the whole window, misses the
 * objective. Absent without an availability SLO.
 */
function budgetLine(ctx: PanelContext): Thresholds | undefined {
  const slo = ctx.model.slos.find((s) => s.kind === 'availability' && !s.journey);
  return slo && { base: 'green', steps: [{ value: slo.errorBudget, color: 'red' }] };
}

function budgetSentence(ctx: PanelContext): string {
  const slo = ctx.model.slos.find((s) => s.kind === 'availability' && !s.journey);
  return slo ? ` The dashed line is the ${percent(slo.errorBudget)} the availability objective allows.` : '';
}

/** Error ratio of the whole service (within the route filter). */
export function errorRatioPanel(ctx: PanelContext): Panel {
  const s = served(ctx.model.kind);
  return timeSeries({
    id: PANEL_ID.errorRatio,
    title: 'Error ratio',
    description: `What share of ${s.unit} fail?${budgetSentence(ctx)}`,
    unit: UNIT.ratio,
    min: 0,
    width: 12,
    queries: [{ refId: REF_IDS[0], expr: requestErrorRatio(ctx.scope, ctx.window), legend: 'error ratio' }],
    thresholds: budgetLine(ctx),
  });
}

/** Error ratio per route: whether failures are everywhere or in one route. */
export function errorRatioByRoutePanel(ctx: PanelContext): Panel {
  const s = served(ctx.model.kind);
  const endpoint = endpointLabel(ctx.model.kind);
  return timeSeries({
    id: PANEL_ID.errorRatioByRoute,
    title: `Error ratio by ${s.endpoint}`,
    description: `Which ${s.endpoint}s fail, and what share of their ${s.unit}?${budgetSentence(ctx)}`,
    unit: UNIT.ratio,
    min: 0,
    width: 12,
    queries: [{ refId: REF_IDS[0], expr: requestErrorRatio(ctx.scope, ctx.window, [endpoint]), legend: legendOf(endpoint) }],
    thresholds: budgetLine(ctx),
  });
}

/** The errors row. */
export function errorPanels(ctx: PanelContext): Panel[] {
  return [errorRatioPanel(ctx), errorRatioByRoutePanel(ctx)];
}
