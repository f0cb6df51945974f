/**
 * Error-budget report panels, one block per SLO: budget left this calendar month (the dashboard's time range)
 * and this quarter (a panel time override), next to the SLO's rolling window; how fast it burns; when it runs
 * out at the current rate; and which routes (operations) and, for a service-wide SLO, which journeys spent it.
 *
 * Calendar periods come from Grafana: every period query reads `[$__range]`, so whatever range the viewer
 * picks (this month, last month, this quarter) is the period. Service-wide counts are sums of the recording
 * rules' base-window series (`sum_over_time(<bad events rate>[$__range])`), for two reasons:
 * - they are the events the burn alerts count, with the same error predicate, by construction;
 * - they cost one recorded series per SLO, one sample per evaluation, where `increase()` over a month or a
 *   quarter reads every raw series of the histogram (every bucket, route, method, status code and pod): what
 *   made Pyrra's `increase[4w]` queries slow (pyrra-dev/pyrra#1440).
 * A ratio of two such sums over the same samples is a ratio of event totals (the evaluation spacing cancels),
 * and a sum times the spacing is a count. The one thing the recorded series cannot say is *which route*: they
 * are aggregated per service, so the per-route breakdown reads the raw histogram with `increase()`, through the
 * same predicate builders as the recording rules.
 */
import type { JourneyModel, SloModel } from '../../model/types';
import { baseWindow } from '../../rules/windows';
import { sloScope } from '../../rules/slo';
import { LABEL } from '../../signals/contract';
import { exact, sumBy } from '../../signals/promql';
import { endpointLabel, errorIncrease, slowRequestIncrease, sloSeries, type SignalScope } from '../../signals/queries';
import { ALERT, RECORD } from '../../signals/recorded';
import type { PanelContext } from '../context';
import { capitalize, percent, window } from '../format';
import { BUDGET_BLOCK, BUDGET_SLOT, REF_IDS } from '../ids';
import { Panel, statPanel, tablePanel, type TableKey, type TableSpec, Thresholds, timeSeries, UNIT } from '../sdk';
import { promise, sloTitle } from './slo';
import { served } from './traffic';

/** Grafana's range of the panel's time range (Grafana docs, "Global variables: $__range"). */
export const RANGE = '$__range';

/**
 * The quarter panels' time override: this fiscal quarter so far, a quick range of Grafana's time picker that a
 * panel's relative time accepts too (rangeutil `describeTextRange` finds it among the standard options). With
 * the dashboard's fiscal year starting in January, Grafana's default, fiscal quarters are calendar quarters.
 * Grafana applies a panel override only while the dashboard's range is relative (an absolute range wins), and
 * `$__range` of the panel's queries is the overridden range, so the period query needs no change.
 */
export const QUARTER_SO_FAR = 'now/fQ';

/** The window "the current rate" is measured over: long enough to be steady, short enough to be now. */
const RECENT_MS = 3600_000;

/** How many routes (operations) the breakdown lists. */
const TOP = 10;

/** Budget colours of the service dashboard: red once overspent, orange once three quarters are spent. */
const BUDGET_THRESHOLDS: Thresholds = { base: 'red', steps: [{ value: 0, color: 'orange' }, { value: 0.25, color: 'green' }] };

/**
 * Burn-rate colours: green while the budget lasts the period, orange above, red from the lowest burn rate that
 * pages (the slowest page tier's factor), when a tier pages at all.
 */
function burnThresholds(slo: SloModel): Thresholds {
  const pages = slo.tiers.filter((t) => t.severity === 'page').map((t) => t.factor);
  return { base: 'green', steps: [{ value: 1, color: 'orange' }, ...(pages.length > 0 ? [{ value: Math.min(...pages), color: 'red' as const }] : [])] };
}

const id = (index: number, slot: keyof typeof BUDGET_SLOT): number => BUDGET_BLOCK * (index + 1) + BUDGET_SLOT[slot];

/** Row id of the SLO number `index` of the report. */
export function budgetRowId(index: number): number {
  return id(index, 'row');
}

/** Sum of a recorded base-window rate of the SLO over `range`. */
function recordedSum(ctx: PanelContext, slo: SloModel, record: 'sliErrors' | 'sliEvents', range: string): string {
  return `sum_over_time(${sloSeries(ctx.serviceScope, RECORD[record](baseWindow(ctx.model)), slo.name)}[${range}])`;
}

/** Bad events ÷ events over `range`, from the recorded series; absent (never NaN) without traffic. */
function errorRatioOver(ctx: PanelContext, slo: SloModel, range: string): string {
  return `${recordedSum(ctx, slo, 'sliErrors', range)} / (${recordedSum(ctx, slo, 'sliEvents', range)} > 0)`;
}

/**
 * Burn rate over `range`: the error ratio as a multiple of the budget, 1 spending exactly the budget.
 *
 * @example // availability at 99.9%: '(sum_over_time(bad[$__range]) / (sum_over_time(events[$__range]) > 0)) / 0.001'
 */
export function burnRateOver(ctx: PanelContext, slo: SloModel, range: string): string {
  return `(${errorRatioOver(ctx, slo, range)}) / ${exact(slo.errorBudget)}`;
}

/**
 * Budget left over `range`: 1 − bad events ÷ (events × error budget). For a period still running the events
 * are those so far, so the value is what the period ends with if the rest of it goes like the part seen.
 */
export function budgetLeftOver(ctx: PanelContext, slo: SloModel, range: string): string {
  return `1 - ${burnRateOver(ctx, slo, range)}`;
}

/** Bad events of the SLO in `range`, per route (operation), from the raw histogram. */
export function badEventsByEndpoint(ctx: PanelContext, slo: SloModel, range: string): string {
  return badEvents(sloScope(ctx.serviceScope, slo), slo, range, [endpointLabel(ctx.model.kind)]);
}

/**
 * Bad events of a service-wide SLO in `range` among one journey's requests, labelled `journey`: the SLO's own
 * predicate (its threshold, not the journey's) over the journey's routes, so the shares are of this SLO's budget.
 */
export function badEventsOfJourney(ctx: PanelContext, slo: SloModel, journey: JourneyModel, range: string): string {
  const bad = sumBy([], badEvents({ ...ctx.serviceScope, requests: journey.requests }, slo, range, []));
  // An absent source label reads as "", which the empty regex matches: every sample gets the journey's name.
  return `label_replace(${bad}, "${LABEL.journey}", "${journey.name}", "${LABEL.journey}", "")`;
}

function badEvents(scope: SignalScope, slo: SloModel, range: string, by: readonly string[]): string {
  switch (slo.kind) {
    case 'availability':
      return errorIncrease(scope, range, by);
    case 'latency':
      return slowRequestIncrease(scope, slo.thresholdSeconds!, range, by);
  }
}

function pastPeriodSentence(what: string): string {
  return (
    `Counted against the ${what} seen so far: the share of the budget that traffic allows which failures have not spent, ` +
    `so it is also what the period ends with if the rest of it goes like the part seen. Early in a period a few failures weigh more. Below 0% the objective is missed for the period.`
  );
}

function budgetStat(ctx: PanelContext, slo: SloModel, index: number, period: 'month' | 'quarter'): Panel {
  const s = served(ctx.model.kind);
  const quarter = period === 'quarter';
  return statPanel({
    id: id(index, period),
    title: `${sloTitle(slo)} budget left (${quarter ? 'this quarter' : 'time range'})`,
    description:
      (quarter
        ? `How much of this quarter's ${slo.name} error budget is left? The panel's own time range is this quarter so far (fiscal quarters, which are calendar quarters while the fiscal year starts in January), whatever relative range the dashboard shows. `
        : `How much of the ${slo.name} error budget of the dashboard's time range is left? By default the range is this calendar month so far; pick last month, this year or any range in the time picker. `) +
      `The budget is ${percent(slo.errorBudget)} of ${s.unit}. ` +
      pastPeriodSentence(s.unit),
    unit: UNIT.ratio,
    decimals: 1,
    width: 5,
    queries: [{ refId: REF_IDS[0], expr: budgetLeftOver(ctx, slo, RANGE), legend: 'budget left', instant: true }],
    thresholds: BUDGET_THRESHOLDS,
    noValue: `no ${s.unit}`,
    ...(quarter ? { relativeTime: QUARTER_SO_FAR } : {}),
  });
}

function rollingStat(ctx: PanelContext, slo: SloModel, index: number): Panel {
  const w = window(slo.windowMs);
  const exhausted = ctx.model.budgetPolicy ? ` ${ALERT.errorBudgetExhausted} fires when it stays at 0% or below.` : '';
  return statPanel({
    id: id(index, 'rolling'),
    title: `${sloTitle(slo)} budget left (rolling ${w})`,
    description:
      `How much of the error budget of the SLO's own window, the last ${w}, is left at the end of the time range? The recorded series the alerts read, ` +
      `counted against the traffic the whole window is expected to hold; the sparkline is its history over the time range.${exhausted}`,
    unit: UNIT.ratio,
    decimals: 1,
    width: 5,
    sparkline: true,
    queries: [{ refId: REF_IDS[0], expr: sloSeries(ctx.serviceScope, RECORD.budgetRemaining, slo.name), legend: 'budget left' }],
    thresholds: BUDGET_THRESHOLDS,
  });
}

function burnRateStat(ctx: PanelContext, slo: SloModel, index: number): Panel {
  const recent = window(RECENT_MS);
  const thresholds = burnThresholds(slo);
  const pages = thresholds.steps[1] ? ` Red from ${exact(thresholds.steps[1].value)}, the lowest burn rate of a tier that pages.` : '';
  return statPanel({
    id: id(index, 'burnRate'),
    title: `${sloTitle(slo)} burn rate`,
    description:
      `How fast is the ${slo.name} error budget burning, over the time range and over the last ${recent}? ` +
      `1 spends exactly the budget by the end of any period.${pages}`,
    unit: UNIT.count,
    decimals: 2,
    width: 5,
    queries: [
      { refId: REF_IDS[0], expr: burnRateOver(ctx, slo, RANGE), legend: 'period', instant: true },
      { refId: REF_IDS[1], expr: burnRateOver(ctx, slo, recent), legend: `last ${recent}`, instant: true },
    ],
    thresholds,
    noValue: 'no traffic',
  });
}

/**
 * When the rolling budget runs out at the current rate: a full budget lasts `window ÷ burn rate` (SRE Workbook,
 * table 5-4), so what is left lasts `left × window ÷ burn rate`. The rolling window, not the calendar period,
 * because that is the budget {@link ALERT.errorBudgetExhausted} watches.
 */
export function timeToExhaustion(ctx: PanelContext, slo: SloModel): string {
  const left = sloSeries(ctx.serviceScope, RECORD.budgetRemaining, slo.name);
  return `clamp_min(${left}, 0) * ${exact(slo.windowMs / 1000)} / (${burnRateOver(ctx, slo, window(RECENT_MS))} > 0)`;
}

function exhaustionStat(ctx: PanelContext, slo: SloModel, index: number): Panel {
  const w = window(slo.windowMs);
  const recent = window(RECENT_MS);
  return statPanel({
    id: id(index, 'exhaustion'),
    title: `${sloTitle(slo)} budget gone in`,
    description:
      `When is the rolling ${w} ${slo.name} budget spent if the last ${recent}'s burn rate goes on? What is left × ${w} ÷ the burn rate; ` +
      `0 when it is already spent, "not burning" without failures. A lower bound: old failures leaving the window give some budget back meanwhile.`,
    unit: UNIT.seconds,
    decimals: 1,
    width: 4,
    queries: [{ refId: REF_IDS[0], expr: timeToExhaustion(ctx, slo), legend: 'budget gone in', instant: true }],
    thresholds: { base: 'red', steps: [{ value: 86_400, color: 'orange' }, { value: 7 * 86_400, color: 'green' }] },
    noValue: 'not burning',
  });
}

function burnHistoryPanel(ctx: PanelContext, slo: SloModel, index: number): Panel {
  const windows = [...new Set([...slo.tiers.map((t) => t.longWindowMs), slo.windowMs])].sort((a, b) => a - b);
  return timeSeries({
    id: id(index, 'burnHistory'),
    title: `${sloTitle(slo)} burn rate over time`,
    description:
      `When did the ${slo.name} budget burn? The burn rate over each alerting tier's long window and over the SLO's ${window(slo.windowMs)}, ` +
      `as recorded for the alerts; the dashed line at 1 spends exactly the budget.`,
    unit: UNIT.count,
    min: 0,
    softMax: 2,
    width: 12,
    queries: windows.map((ms, i) => ({
      refId: REF_IDS[i],
      expr: `${sloSeries(ctx.serviceScope, RECORD.errorRatio(window(ms)), slo.name)} / ${exact(slo.errorBudget)}`,
      legend: window(ms),
    })),
    thresholds: { base: 'green', steps: [{ value: 1, color: 'orange' }] },
  });
}

/** Every event of the SLO in `range`, recorded: the sum of per-second rates × the evaluation interval they are spaced by. */
function eventsOver(ctx: PanelContext, slo: SloModel, range: string): string {
  return `${sumBy([], recordedSum(ctx, slo, 'sliEvents', range))} * ${exact(ctx.model.alerting.evaluationIntervalMs / 1000)}`;
}

/** What tells the two spent-budget tables apart: the label a row is keyed by, and where the panel goes. */
interface SpentTableSpec extends Pick<TableSpec, 'id' | 'title' | 'description' | 'width' | 'height'> {
  readonly key: TableKey;
}

/** A table of the bad events `bad` (one sample per key) and the share of the SLO's budget of the range each spent. */
function spentTable(ctx: PanelContext, slo: SloModel, panel: SpentTableSpec, bad: string): Panel {
  const what = badEventsName(ctx, slo);
  return tablePanel({
    ...panel,
    keys: [panel.key],
    columns: [
      { refId: REF_IDS[0], title: capitalize(what), unit: UNIT.count, decimals: 0, expr: `topk(${TOP}, ${bad})` },
      {
        refId: REF_IDS[1],
        title: 'Budget spent',
        unit: UNIT.ratio,
        decimals: 1,
        expr: `topk(${TOP}, (${bad}) / on () group_left () (${eventsOver(ctx, slo, RANGE)} * ${exact(slo.errorBudget)} > 0))`,
        thresholds: { base: 'green', steps: [{ value: 0.25, color: 'orange' }, { value: 1, color: 'red' }] },
      },
    ],
    sortBy: { title: 'Budget spent', descending: true },
  });
}

function badEventsName(ctx: PanelContext, slo: SloModel): string {
  const s = served(ctx.model.kind);
  return slo.kind === 'availability' ? `failed ${s.unit}` : `${s.unit} slower than the threshold`;
}

function spendersTable(ctx: PanelContext, slo: SloModel, index: number): Panel {
  const s = served(ctx.model.kind);
  const endpoint = endpointLabel(ctx.model.kind);
  // `> 0`: a route that spent nothing is no answer to "which spent it".
  const bad = `${sumBy([endpoint], badEventsByEndpoint(ctx, slo, RANGE))} > 0`;
  return spentTable(
    ctx,
    slo,
    {
      id: id(index, 'spenders'),
      title: `Which ${s.endpoint}s spent the ${slo.name} budget`,
      description:
        `Which ${s.endpoint}s spent the ${slo.name} budget of the time range? The ${TOP} with the most ${badEventsName(ctx, slo)}, and the share of the period's budget ` +
        `(${percent(slo.errorBudget)} of all its ${s.unit}) each spent; the shares add up to the budget spent. Counted from the raw histogram ` +
        `with the same ${slo.kind === 'availability' ? 'error predicate' : 'threshold'} as the SLO's rules; an empty ${s.endpoint} is ${s.unit} that matched none.`,
      key: { label: endpoint, title: capitalize(s.endpoint) },
      width: 12,
    },
    bad,
  );
}

/**
 * Which critical user journeys spent a service-wide SLO's budget: the question after "which routes" when the
 * routes are grouped into journeys. A journey's own SLOs have their own rows; this table divides the service's.
 */
function journeysTable(ctx: PanelContext, slo: SloModel, index: number): Panel {
  const s = served(ctx.model.kind);
  const journeys = ctx.model.journeys;
  const bad = `(${journeys.map((j) => badEventsOfJourney(ctx, slo, j, RANGE)).join(' or ')}) > 0`;
  return spentTable(
    ctx,
    slo,
    {
      id: id(index, 'journeys'),
      title: `Which journeys spent the ${slo.name} budget`,
      description:
        `Which critical user journeys spent the service-wide ${slo.name} budget of the time range? The ${badEventsName(ctx, slo)} among each journey's routes, by this SLO's ` +
        `${slo.kind === 'availability' ? 'error predicate' : 'threshold'}, and the share of the period's budget each spent. A route in two journeys counts for both, ` +
        `and routes in no journey are missing, so the shares need not add up to the budget spent; "Which ${s.endpoint}s" has the whole.`,
      key: { label: LABEL.journey, title: 'Journey' },
      width: 24,
      // One table row per journey at Grafana's small cell height, a little over one grid unit each.
      height: Math.min(12, 3 + Math.ceil(journeys.length * 1.2)),
    },
    bad,
  );
}

/**
 * The panels of the SLO number `index`: five stats on one line (5 + 5 + 5 + 5 + 4 columns), the burn history and
 * the spending routes below, and for a service-wide SLO of a service with journeys, the spending journeys.
 */
export function budgetPanels(ctx: PanelContext, slo: SloModel, index: number): Panel[] {
  return [
    budgetStat(ctx, slo, index, 'month'),
    budgetStat(ctx, slo, index, 'quarter'),
    rollingStat(ctx, slo, index),
    burnRateStat(ctx, slo, index),
    exhaustionStat(ctx, slo, index),
    burnHistoryPanel(ctx, slo, index),
    spendersTable(ctx, slo, index),
    ...(!slo.journey && ctx.model.journeys.length > 0 ? [journeysTable(ctx, slo, index)] : []),
  ];
}

/** The report row title of an SLO: its name and promise. */
export function budgetRowTitle(slo: SloModel): string {
  return `${sloTitle(slo)}: ${promise(slo)} over ${window(slo.windowMs)}`;
}
