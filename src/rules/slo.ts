/**
 * SLO rules: traffic-weighted error ratios over every window and the multiwindow, multi-burn-rate alerts
 * of the SRE Workbook (ch. 5, "Alerting on SLOs", approach 6).
 *
 * How the long windows are computed, and why: per SLO we record the bad-event rate and the event rate over
 * the base window (5m) once, then every longer window is `sum_over_time(bad[W]) / sum_over_time(events[W])`.
 * Both sums run over the same evaluation timestamps, so the ratio is a ratio of totals (traffic-weighted,
 * what Pyrra gets from `increase[W]`), not Sloth's average of 5m ratios, which over-weights quiet periods
 * (slok/sloth#241). And it reads one recorded series per window instead of every raw histogram series, which
 * is what made Pyrra's `increase[4w]` slow (pyrra-dev/pyrra#1440).
 */
import type { BurnTierModel, ServiceModel, SloModel } from '../model/types';
import { CLUSTER_METRIC, LABEL } from '../signals/contract';
import { aggregate, eq, exact, Matcher, on, re, selector } from '../signals/promql';
import { availabilityEventRate, errorRate, fastRequestRate, requestRate, serviceLabels, type SignalScope, targetMatchers } from '../signals/queries';
import { ALERT, RECORD } from '../signals/recorded';
import { formatDuration } from '../spec/duration';
import { alertingRule, budgetReportUrl } from './alert';
import { isAlertingRule, type AlertingRule, type RecordingRule, type Rule } from './types';
import { baseWindow, baseWindowMs, ratioWindowsMs, recordedRange, recordedSpacingMs } from './windows';

function sloMatchers(model: ServiceModel, slo: SloModel): Matcher[] {
  return [...targetMatchers(model.scope), eq(LABEL.slo, slo.name)];
}

/**
 * The labels every rule of an SLO records and alerts with: `slo`, which alone tells the service's SLOs apart
 * (see resolveObjectives in the model), and a journey's SLOs add `journey` for grouping and dashboards.
 */
export function sloLabels(slo: SloModel): Record<string, string> {
  return { [LABEL.slo]: slo.name, ...(slo.journey ? { [LABEL.journey]: slo.journey.name } : {}) };
}

/**
 * The scope an SLO's events come from: the service's `scope` (the rules' own, or a dashboard's with its
 * variables), narrowed to the journey's requests for a journey SLO.
 */
export function sloScope(scope: SignalScope, slo: SloModel): SignalScope {
  return slo.journey ? { ...scope, requests: slo.journey.requests } : scope;
}

/** Traffic and error rates of the whole service over the base window; SLOs and dashboards build on them. */
export function serviceRateRules(model: ServiceModel): RecordingRule[] {
  const w = baseWindow(model);
  const requests = selector(RECORD.requestRate(w), targetMatchers(model.scope));
  return [
    { record: RECORD.requestRate(w), expr: requestRate(model.scope, w) },
    // `or 0 * requests`: a service without a single error has no error series at all; recording 0 instead
    // keeps every ratio defined (and the dashboards flat at zero instead of "No data").
    { record: RECORD.errorRate(w), expr: `${errorRate(model.scope, w)}\nor\n0 * ${requests}` },
  ];
}

/** Recording rules of one SLO: events, bad events, the error ratio per window, objective and budget left. */
export function sloRecordingRules(model: ServiceModel, slo: SloModel): RecordingRule[] {
  const w = baseWindow(model);
  const labels = sloLabels(slo);
  const target = targetMatchers(model.scope);
  const m = sloMatchers(model, slo);
  const recordedEvents = selector(RECORD.sliEvents(w), m);
  const scope = sloScope(model.scope, slo);
  // A service-wide SLO reads the service's recorded rates; a journey's reads the histogram of its own requests
  // (its bad events fall back to `0 * events`, as the service's error rate does, so its ratios stay defined).
  const requests = slo.journey ? recordedEvents : selector(RECORD.requestRate(w), target);
  let badEvents: string;
  let events = slo.journey ? requestRate(scope, w) : requests;
  switch (slo.kind) {
    case 'availability':
      badEvents = slo.journey ? `${errorRate(scope, w)}\nor ${on(serviceLabels(model.scope))}\n0 * ${recordedEvents}` : selector(RECORD.errorRate(w), target);
      if (model.scope.ignoredErrorType !== undefined) events = availabilityEventRate(scope, w);
      break;
    case 'latency':
      // Slow = all − fast. clamp_min guards against the last-digit float noise of the subtraction.
      badEvents = `clamp_min(\n  ${requests}\n  - ${on(serviceLabels(model.scope))}\n  ${fastRequestRate(scope, slo.thresholdSeconds!, w)},\n  0\n)`;
      break;
  }
  const bad = selector(RECORD.sliErrors(w), m);
  const rules: RecordingRule[] = [
    { record: RECORD.sliEvents(w), expr: events, labels },
    { record: RECORD.sliErrors(w), expr: badEvents, labels },
  ];
  for (const ms of ratioWindowsMs(model, slo)) {
    const win = formatDuration(ms);
    // `> 0` on the denominator: no traffic gives no sample instead of NaN (0/0), which would otherwise stick
    // in dashboards and budgets for the whole window (slok/sloth#133).
    const expr =
      win === w
        ? `${bad}\n/\n(${recordedEvents} > 0)`
        : `sum_over_time(${bad}${recordedRange(model, ms)})\n/\n(sum_over_time(${recordedEvents}${recordedRange(model, ms)}) > 0)`;
    rules.push({ record: RECORD.errorRatio(win), expr, labels });
  }
  const windowName = formatDuration(slo.windowMs);
  rules.push(
    { record: RECORD.objective, expr: `vector(${exact(slo.objective)})`, labels: { [LABEL.namespace]: model.namespace, [LABEL.job]: model.name, ...labels } },
    {
      record: RECORD.budgetRemaining,
      expr: `1 - ${selector(RECORD.errorRatio(windowName), m)} * ${windowCoverage(model, recordedEvents, slo.windowMs)} / ${exact(slo.errorBudget)}`,
      labels,
    },
  );
  return rules;
}

/**
 * Whether a rule of the service reads the whole SLO window: the window's error ratio (unless a burn tier reads the
 * same window), the budget left, and the budget policy's alert. Nothing else reads them, so they can be evaluated
 * in a group of their own (see `serviceRules`) without delaying any other rule.
 */
export function readsWholeSloWindow(model: ServiceModel): (rule: Rule) => boolean {
  const tierWindows = new Set(model.slos.flatMap((s) => s.tiers.flatMap((t) => [t.shortWindowMs, t.longWindowMs])).map((ms) => RECORD.errorRatio(formatDuration(ms))));
  const records = new Set([RECORD.budgetRemaining, ...model.slos.map((s) => RECORD.errorRatio(formatDuration(s.windowMs))).filter((r) => !tierWindows.has(r))]);
  return (rule) => (isAlertingRule(rule) ? rule.alert === ALERT.errorBudgetExhausted : records.has(rule.record));
}

/**
 * The share of a window that holds data, in (0, 1]: samples in the window ÷ the samples a full window holds.
 *
 * Why the budget needs it: the budget is a share of the requests the *whole* window will serve, not of the
 * requests seen so far. An hour-old service with a 12-minute full outage has a 20% error ratio over its one
 * hour of data; over a 30d window at 99.9% that ratio reads as a budget remaining of −199 (issue 17 saw
 * −417), while the outage really spent 12 min of the 43.2 min that 0.1% of 30 days allows, 28%. Scaling the
 * ratio by the coverage counts the bad events that happened against the traffic the window is expected to
 * hold at the rate seen so far; once the window is full it is exactly the traffic-weighted ratio.
 */
function windowCoverage(model: ServiceModel, events: string, windowMs: number): string {
  const samples = `count_over_time(${events}${recordedRange(model, windowMs)})`;
  return `clamp_max(${samples} / ${exact(windowMs / recordedSpacingMs(model, windowMs))}, 1)`;
}

/**
 * The low-traffic guard of a tier, as a PromQL condition (undefined when off): at least `minEvents` events
 * *happened* in the tier's long window. Each recorded sample is the per-second rate of the base window before
 * it, one per evaluation (or per subquery step), so their sum times that spacing counts the events the window
 * really saw. Averaging the rate and multiplying by the whole window instead extrapolates a young series (a
 * new service, a new Prometheus, a scrape gap) over time in which nothing was measured: at 3 requests a
 * minute with one failure, it let the medium tier page 18 minutes after deployment, on 55 requests, while its
 * description said "Silent below 334 requests per 6h" (issue 17).
 */
function lowTrafficGuard(model: ServiceModel, slo: SloModel, windowMs: number, minEvents: number): string | undefined {
  if (minEvents <= 0) return undefined;
  const events = selector(RECORD.sliEvents(baseWindow(model)), sloMatchers(model, slo));
  const spacingSeconds = recordedSpacingMs(model, windowMs) / 1000;
  return `sum_over_time(${events}${recordedRange(model, windowMs)}) * ${exact(spacingSeconds)} >= ${minEvents}`;
}

/**
 * How long a tier stays silent after a faster tier of the same SLO fired: its short window plus the base
 * rate window. That is how long the incident the faster tier paged for stays in this tier's short window
 * (the base rates recorded in the first base window after recovery still carry it), so within it this tier
 * could only repeat that incident, and with the page resolved it would arrive as a fresh notification after
 * recovery (issue 17 saw the medium tier fire 7 min after a fast page resolved). A burn that keeps this
 * tier's condition true past it is one the faster tier no longer covers, and it notifies after its `for`.
 */
export function quietAfterFasterTierMs(model: ServiceModel, tier: BurnTierModel): number {
  return tier.shortWindowMs + baseWindowMs(model);
}

/**
 * The quiet clause of a slower tier (undefined for the fastest): "a faster tier of this SLO fired
 * within {@link quietAfterFasterTierMs}, and this tier is not already firing". Done in the rule, not by an
 * Alertmanager inhibition, so no alert is muted: Alertmanager sends no resolved notification for an alert that
 * resolves while inhibited (prometheus/alertmanager#2754), and an inhibited slower tier took over, as a new
 * notification, when the faster one resolved. A tier that fired first (a slow-burn ticket, then an escalation
 * to a page) keeps firing until its own burn ends, so its ticket is resolved by the data, not by the page.
 * It reads `ALERTS`, which Prometheus writes for every rule; the faster tiers come first in the group, so this
 * evaluation's state of them is already written.
 */
function quietAfterFasterTier(model: ServiceModel, slo: SloModel, tier: BurnTierModel): string | undefined {
  const faster = slo.tiers.slice(0, slo.tiers.indexOf(tier)).map((t) => t.name);
  if (faster.length === 0) return undefined;
  // Joined without `job`: alerts are the service's by their `service` label (see alertState in signals/queries).
  const by = [...serviceLabels(model.scope).filter((l) => l !== LABEL.job), LABEL.slo];
  const alerts = (tiers: Matcher) =>
    selector(CLUSTER_METRIC.alerts, [
      eq(LABEL.alertName, ALERT.errorBudgetBurn),
      eq(LABEL.alertState, 'firing'),
      eq(LABEL.namespace, model.namespace),
      eq(LABEL.service, model.name),
      eq(LABEL.slo, slo.name),
      tiers,
    ]);
  const fired = aggregate('max', by, `max_over_time(${alerts(re(LABEL.burnTier, faster.join('|')))}[${formatDuration(quietAfterFasterTierMs(model, tier))}])`);
  return `unless ${on(by)}\n(\n  ${fired}\n  unless ${on(by)}\n  ${alerts(eq(LABEL.burnTier, tier.name))}\n)`;
}

/**
 * Annotation of every SLO alert (burn tiers and the budget policy's) linking the service's error-budget report:
 * how much budget is left this month and quarter, and which route spent it, one click from the notification.
 */
export const BUDGET_REPORT_ANNOTATION = 'budget_report_url';

/** One alert per enabled tier: long AND short window above `factor × budget`, and enough events. */
export function sloAlertingRules(model: ServiceModel, slo: SloModel): AlertingRule[] {
  const m = sloMatchers(model, slo);
  const join = `and ${on([...serviceLabels(model.scope), LABEL.slo])}`;
  return slo.tiers.map((tier) => {
    const threshold = exact(tier.errorRatioThreshold);
    const long = formatDuration(tier.longWindowMs);
    const short = formatDuration(tier.shortWindowMs);
    const guard = lowTrafficGuard(model, slo, tier.longWindowMs, tier.minEvents);
    const quiet = quietAfterFasterTier(model, slo, tier);
    const expr = [
      `${selector(RECORD.errorRatio(long), m)} > ${threshold}`,
      join,
      `${selector(RECORD.errorRatio(short), m)} > ${threshold}`,
      ...(guard ? [join, guard] : []),
      ...(quiet ? [quiet] : []),
    ].join('\n');
    const of = slo.journey ? `${model.name} ${slo.journey.name} journey` : model.name;
    const what = slo.kind === 'availability' ? 'requests failed' : `requests were slower than ${formatDuration(slo.thresholdSeconds! * 1000)}`;
    const window = formatDuration(slo.windowMs);
    const exhaustion = formatDuration(Math.round(slo.windowMs / tier.factor / 60_000) * 60_000);
    return alertingRule(model, {
      name: ALERT.errorBudgetBurn,
      signal: slo.signal,
      severity: tier.severity,
      expr,
      forMs: tier.forMs,
      labels: { ...sloLabels(slo), [LABEL.burnTier]: tier.name },
      summary: `${model.name} is burning its ${slo.name} error budget ${exact(tier.factor)}x too fast.`,
      description:
        `More than ${exact(tier.errorRatioThreshold * 100)}% of ${of} ${what} over both the last ${long} and ${short} ` +
        `(objective ${exact(slo.objectivePercent)}% over ${window}). At this rate ${exact(tier.budgetConsumedPercent)}% of the ` +
        `${window} error budget is gone within ${long}, and all of it within ${exhaustion}.` +
        (guard ? ` Silent below ${tier.minEvents} requests per ${long} (low-traffic guard).` : '') +
        (quiet ? ` Silent for ${formatDuration(quietAfterFasterTierMs(model, tier))} after a faster tier of this SLO fired: that notification covers the incident.` : ''),
      annotations: { [BUDGET_REPORT_ANNOTATION]: budgetReportUrl(model) },
    });
  });
}

/**
 * How long a spent budget must stay spent before {@link ALERT.errorBudgetExhausted} fires: an hour, so a budget
 * hovering at zero (old errors leaving the window as new ones arrive) gives one notification, not a flap.
 */
export const BUDGET_EXHAUSTED_FOR_MS = 3600_000;

/**
 * The budget policy's alert (SRE Workbook, "Error budget policy"): the SLO's budget left over its window is
 * spent, whatever the burn rate is now, and the alert carries the agreed action in its `policy` annotation. Its
 * low-traffic guard asks for `1 / budget` requests in the window, so that one failure alone cannot spend a budget.
 */
export function budgetExhaustedRule(model: ServiceModel, slo: SloModel): AlertingRule | undefined {
  const policy = model.budgetPolicy;
  if (!policy) return undefined;
  const window = formatDuration(slo.windowMs);
  const minEvents = Math.ceil(Number((1 / slo.errorBudget).toPrecision(12)));
  const expr = [
    `${selector(RECORD.budgetRemaining, sloMatchers(model, slo))} <= 0`,
    `and ${on([...serviceLabels(model.scope), LABEL.slo])}`,
    lowTrafficGuard(model, slo, slo.windowMs, minEvents)!,
  ].join('\n');
  return alertingRule(model, {
    name: ALERT.errorBudgetExhausted,
    signal: slo.signal,
    severity: policy.severity,
    expr,
    forMs: BUDGET_EXHAUSTED_FOR_MS,
    labels: sloLabels(slo),
    summary: `${model.name} has spent its ${slo.name} error budget.`,
    description:
      `The ${slo.name} SLO of ${model.name} (${exact(slo.objectivePercent)}% over ${window}) has no error budget left: the failures of the last ${window} ` +
      `used up all ${exact(slo.errorBudget * 100)}% it allows, counted against the traffic the window is expected to hold. ` +
      `It stays spent until enough of them leave the window. Silent below ${minEvents} requests in the window.`,
    annotations: { policy: policy.action, [BUDGET_REPORT_ANNOTATION]: budgetReportUrl(model) },
  });
}
