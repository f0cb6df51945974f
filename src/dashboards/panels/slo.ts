/**
 * SLO panels, one block per SLO: the SLI against its objective, the error budget left over the SLO window,
 * the burn rate of every alerting tier against its threshold, and the state of its burn alerts.
 *
 * Budget and burn rates read the recording rules' Sloth-compatible series (`slo:*`, see RECORD), which
 * are exactly what the alerts evaluate; the SLI is computed from the histogram at the dashboard's
 * resolution, so it also works on a range no recording rule covers.
 */
import type { SloModel } from '../../model/types';
import { runbookUrl } from '../../rules/alert';
import { sloScope } from '../../rules/slo';
import { LABEL } from '../../signals/contract';
import { eq, exact } from '../../signals/promql';
import { alertState, fastRequestRatio, requestErrorRatio, sloSeries } from '../../signals/queries';
import { ALERT, RECORD } from '../../signals/recorded';
import type { PanelContext } from '../context';
import { SLO_PANEL_BASE, SLO_PANEL_EXTRA_BASE, SLO_SLOT, REF_IDS } from '../ids';
import { capitalize, percent, seconds, window } from '../format';
import { Panel, statPanel, timeSeries, Thresholds, UNIT } from '../sdk';

/**
 * Panel id of one of an SLO's panels. The one-objective SLOs keep their blocks (`availability` 10, `latency` 20),
 * so links to them survive; every other SLO (several latency objectives, journeys) gets a block of ten from
 * {@link SLO_PANEL_EXTRA_BASE} in the model's order.
 */
function id(ctx: PanelContext, slo: SloModel, slot: keyof typeof SLO_SLOT): number {
  if (slo.name === slo.kind) return SLO_PANEL_BASE[slo.kind] + SLO_SLOT[slot];
  const extra = ctx.model.slos.filter((s) => s.name !== s.kind);
  return SLO_PANEL_EXTRA_BASE + 10 * extra.indexOf(slo) + SLO_SLOT[slot];
}

/** How a panel names an SLO: "Availability", "Latency within 100ms", "Place-order journey availability". */
export function sloTitle(slo: SloModel): string {
  if (slo.name === slo.kind) return capitalize(slo.name);
  // One of several latency objectives: its name ends in its threshold (`latency-100ms`).
  const several = slo.kind === 'latency' && /(^|-)latency-\d+m?s$/.test(slo.name);
  const what = several ? `${slo.kind} within ${seconds(slo.thresholdSeconds ?? 0)}` : slo.kind;
  return slo.journey ? `${capitalize(slo.journey.name)} journey ${what}` : capitalize(what);
}

/** The requests an SLO is about, in words. */
function requestsOf(slo: SloModel): string {
  return slo.journey ? `${slo.journey.name} requests (${slo.journey.requests.map((r) => `${r.method ?? 'any method'} ${r.routes.join(', ')}`).join('; ')})` : 'requests';
}

/** What the SLO promises, in words: "99.9% of requests succeed". */
export function promise(slo: SloModel): string {
  switch (slo.kind) {
    case 'availability':
      return `${percent(slo.objective)} of ${requestsOf(slo)} succeed`;
    case 'latency':
      return `${percent(slo.objective)} of ${requestsOf(slo)} are answered within ${seconds(slo.thresholdSeconds ?? 0)}`;
  }
}

/** The SLI: share of good events over the panel's rate window. */
function sliQuery(ctx: PanelContext, slo: SloModel): string {
  const scope = sloScope(ctx.serviceScope, slo);
  switch (slo.kind) {
    case 'availability':
      return `1 - (${requestErrorRatio(scope, ctx.window)})`;
    case 'latency':
      return fastRequestRatio(scope, slo.thresholdSeconds ?? 0, ctx.window);
  }
}

/** The SLI against its objective: red below the dashed objective line. */
export function sliPanel(ctx: PanelContext, slo: SloModel): Panel {
  return timeSeries({
    id: id(ctx, slo, 'sli'),
    title: `${sloTitle(slo)} SLI`,
    description: `Do ${promise(slo)} right now? The SLI over the dashboard's rate interval; the dashed line is the objective.`,
    unit: UNIT.ratio,
    decimals: 3,
    max: 1,
    width: 8,
    queries: [{ refId: REF_IDS[0], expr: sliQuery(ctx, slo), legend: 'SLI' }],
    thresholds: { base: 'red', steps: [{ value: slo.objective, color: 'green' }] },
  });
}

/**
 * Error budget left over the SLO window, with its history. Red once overspent (Pyrra), amber once three
 * quarters are spent: the point where an error-budget policy slows risky changes down (SRE Workbook, ch. 4).
 */
export function budgetRemainingPanel(ctx: PanelContext, slo: SloModel): Panel {
  const thresholds: Thresholds = { base: 'red', steps: [{ value: 0, color: 'orange' }, { value: 0.25, color: 'green' }] };
  return statPanel({
    id: id(ctx, slo, 'budgetRemaining'),
    title: `${sloTitle(slo)} error budget left (${window(slo.windowMs)})`,
    description: `How much of the ${window(slo.windowMs)} error budget (${percent(slo.errorBudget)} of requests) is left? Below 0% the objective is already missed over the window.`,
    unit: UNIT.ratio,
    decimals: 1,
    width: 4,
    sparkline: true,
    queries: [{ refId: REF_IDS[0], expr: sloSeries(ctx.serviceScope, RECORD.budgetRemaining, slo.name), legend: 'budget left' }],
    thresholds,
  });
}

/**
 * Burn rate of each tier over its long window, the series its alert evaluates, divided by the budget so
 * 1 means "spends exactly the budget over the SLO window". Each tier's factor is a dashed threshold line,
 * red when it pages and orange when it files a ticket.
 */
export function burnRatePanel(ctx: PanelContext, slo: SloModel): Panel {
  const factors = new Map<number, 'red' | 'orange'>();
  for (const t of slo.tiers) if (factors.get(t.factor) !== 'red') factors.set(t.factor, t.severity === 'page' ? 'red' : 'orange');
  const tiers = slo.tiers.map((t) => `${t.name} ${exact(t.factor)}× over ${window(t.longWindowMs)}`).join(', ');
  return timeSeries({
    id: id(ctx, slo, 'burnRate'),
    title: `${sloTitle(slo)} burn rate`,
    description:
      `How fast is the ${sloTitle(slo)} error budget burning? 1 spends exactly the budget over ${window(slo.windowMs)}. ` +
      `Dashed lines are the alert thresholds: ${tiers || 'no tier is enabled'}.`,
    unit: UNIT.count,
    min: 0,
    softMax: Math.max(1, ...slo.tiers.map((t) => t.factor)) * 1.1,
    width: 8,
    queries: slo.tiers.map((t, i) => ({
      refId: REF_IDS[i],
      expr: `${sloSeries(ctx.serviceScope, RECORD.errorRatio(window(t.longWindowMs)), slo.name)} / ${exact(slo.errorBudget)}`,
      legend: `${t.name} (${window(t.longWindowMs)})`,
    })),
    thresholds: { base: 'green', steps: [...factors].map(([value, color]) => ({ value, color })) },
  });
}

/** Burn alerts of the SLO per tier, as words (Sloth 14348's alert-state stats), linked to the runbook. */
export function alertStatePanel(ctx: PanelContext, slo: SloModel): Panel {
  return statPanel({
    id: id(ctx, slo, 'alertState'),
    title: `${sloTitle(slo)} burn alerts`,
    description: `Is a ${ALERT.errorBudgetBurn} alert of this SLO firing or pending, and for which tier?`,
    unit: UNIT.none,
    width: 4,
    queries: slo.tiers.map((t, i) => ({
      refId: REF_IDS[i],
      expr: alertState(ctx.serviceScope, [eq(LABEL.alertName, ALERT.errorBudgetBurn), eq(LABEL.slo, slo.name), eq(LABEL.burnTier, t.name)]),
      legend: t.name,
    })),
    states: [
      { value: 0, text: 'OK', color: 'green' },
      { value: 1, text: 'PENDING', color: 'orange' },
      { value: 2, text: 'FIRING', color: 'red' },
    ],
    noValue: 'no tiers',
    links: [{ title: `Runbook: ${ALERT.errorBudgetBurn}`, url: runbookUrl(ctx.model, ALERT.errorBudgetBurn) }],
  });
}

/** The four panels of one SLO, on one line of the grid (8 + 4 + 8 + 4 columns). */
export function sloPanels(ctx: PanelContext, slo: SloModel): Panel[] {
  return [sliPanel(ctx, slo), budgetRemainingPanel(ctx, slo), burnRatePanel(ctx, slo), alertStatePanel(ctx, slo)];
}
