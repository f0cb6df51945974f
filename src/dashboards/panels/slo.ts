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
import { LABEL } from '../../signals/contract';
import { eq, exact } from '../../signals/promql';
import { alertState, fastRequestRatio, requestErrorRatio, sloSeries } from '../../signals/queries';
import { ALERT, RECORD } from '../../signals/recorded';
import type { PanelContext } from '../context';
import { SLO_PANEL_BASE, SLO_SLOT, REF_IDS } from '../ids';
import { capitalize, percent, seconds, window } from '../format';
import { Panel, statPanel, timeSeries, Thresholds, UNIT } from '../sdk';

const id = (slo: SloModel, slot: keyof typeof SLO_SLOT): number => SLO_PANEL_BASE[slo.kind] + SLO_SLOT[slot];

/** What the SLO promises, in words: "99.9% of requests succeed". */
export function promise(slo: SloModel): string {
  switch (slo.kind) {
    case 'availability':
      return `${percent(slo.objective)} of requests succeed`;
    case 'latency':
      return `${percent(slo.objective)} of requests are answered within ${seconds(slo.thresholdSeconds ?? 0)}`;
  }
}

/** The SLI: share of good events over the panel's rate window. */
function sliQuery(ctx: PanelContext, slo: SloModel): string {
  switch (slo.kind) {
    case 'availability':
      return `1 - (${requestErrorRatio(ctx.serviceScope, ctx.window)})`;
    case 'latency':
      return fastRequestRatio(ctx.serviceScope, slo.thresholdSeconds ?? 0, ctx.window);
  }
}

/** The SLI against its objective: red below the dashed objective line. */
export function sliPanel(ctx: PanelContext, slo: SloModel): Panel {
  return timeSeries({
    id: id(slo, 'sli'),
    title: `${capitalize(slo.name)} SLI`,
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
    id: id(slo, 'budgetRemaining'),
    title: `${capitalize(slo.name)} error budget left (${window(slo.windowMs)})`,
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
    id: id(slo, 'burnRate'),
    title: `${capitalize(slo.name)} burn rate`,
    description:
      `How fast is the ${capitalize(slo.name)} error budget burning? 1 spends exactly the budget over ${window(slo.windowMs)}. ` +
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
    id: id(slo, 'alertState'),
    title: `${capitalize(slo.name)} burn alerts`,
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
