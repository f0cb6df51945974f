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
import { LABEL } from '../signals/contract';
import { eq, exact, Matcher, on, selector } from '../signals/promql';
import { errorRate, fastRequestRate, requestRate, serviceLabels, targetMatchers } from '../signals/queries';
import { ALERT, RECORD } from '../signals/recorded';
import { formatDuration } from '../spec/duration';
import { alertingRule } from './alert';
import type { AlertingRule, RecordingRule } from './types';
import { baseWindow, ratioWindowsMs, recordedRange } from './windows';

function sloMatchers(model: ServiceModel, slo: SloModel): Matcher[] {
  return [...targetMatchers(model.scope), eq(LABEL.slo, slo.name)];
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
  const labels = { [LABEL.slo]: slo.name };
  const target = targetMatchers(model.scope);
  const m = sloMatchers(model, slo);
  const requests = selector(RECORD.requestRate(w), target);
  let badEvents: string;
  switch (slo.kind) {
    case 'availability':
      badEvents = selector(RECORD.errorRate(w), target);
      break;
    case 'latency':
      // Slow = all − fast. clamp_min guards against the last-digit float noise of the subtraction.
      badEvents = `clamp_min(\n  ${requests}\n  - ${on(serviceLabels(model.scope))}\n  ${fastRequestRate(model.scope, slo.thresholdSeconds!, w)},\n  0\n)`;
      break;
  }
  const events = selector(RECORD.sliEvents(w), m);
  const bad = selector(RECORD.sliErrors(w), m);
  const rules: RecordingRule[] = [
    { record: RECORD.sliEvents(w), expr: requests, labels },
    { record: RECORD.sliErrors(w), expr: badEvents, labels },
  ];
  for (const ms of ratioWindowsMs(model, slo)) {
    const win = formatDuration(ms);
    // `> 0` on the denominator: no traffic gives no sample instead of NaN (0/0), which would otherwise stick
    // in dashboards and budgets for the whole window (slok/sloth#133).
    const expr =
      win === w
        ? `${bad}\n/\n(${events} > 0)`
        : `sum_over_time(${bad}${recordedRange(model, ms)})\n/\n(sum_over_time(${events}${recordedRange(model, ms)}) > 0)`;
    rules.push({ record: RECORD.errorRatio(win), expr, labels });
  }
  const windowName = formatDuration(slo.windowMs);
  rules.push(
    { record: RECORD.objective, expr: `vector(${exact(slo.objective)})`, labels: { [LABEL.namespace]: model.namespace, [LABEL.job]: model.name, ...labels } },
    {
      record: RECORD.budgetRemaining,
      expr: `1 - ${selector(RECORD.errorRatio(windowName), m)} / ${exact(slo.errorBudget)}`,
      labels,
    },
  );
  return rules;
}

/** Events the low-traffic guard requires in a tier's long window, as a PromQL condition (empty when off). */
function lowTrafficGuard(model: ServiceModel, slo: SloModel, tier: BurnTierModel): string | undefined {
  if (tier.minEvents <= 0) return undefined;
  const events = selector(RECORD.sliEvents(baseWindow(model)), sloMatchers(model, slo));
  // avg rate × window length = events in the window, independent of the evaluation interval.
  return `avg_over_time(${events}${recordedRange(model, tier.longWindowMs)}) * ${tier.longWindowMs / 1000} >= ${tier.minEvents}`;
}

/** One alert per enabled tier: long AND short window above `factor × budget`, and enough events. */
export function sloAlertingRules(model: ServiceModel, slo: SloModel): AlertingRule[] {
  const m = sloMatchers(model, slo);
  const join = `and ${on([...serviceLabels(model.scope), LABEL.slo])}`;
  return slo.tiers.map((tier) => {
    const threshold = exact(tier.errorRatioThreshold);
    const long = formatDuration(tier.longWindowMs);
    const short = formatDuration(tier.shortWindowMs);
    const guard = lowTrafficGuard(model, slo, tier);
    const expr = [
      `${selector(RECORD.errorRatio(long), m)} > ${threshold}`,
      join,
      `${selector(RECORD.errorRatio(short), m)} > ${threshold}`,
      ...(guard ? [join, guard] : []),
    ].join('\n');
    const what = slo.kind === 'availability' ? 'requests failed' : `requests were slower than ${formatDuration(slo.thresholdSeconds! * 1000)}`;
    const window = formatDuration(slo.windowMs);
    const exhaustion = formatDuration(Math.round(slo.windowMs / tier.factor / 60_000) * 60_000);
    return alertingRule(model, {
      name: ALERT.errorBudgetBurn,
      signal: slo.signal,
      severity: tier.severity,
      expr,
      forMs: tier.forMs,
      labels: { [LABEL.slo]: slo.name, [LABEL.burnTier]: tier.name },
      summary: `${model.name} is burning its ${slo.name} error budget ${exact(tier.factor)}x too fast.`,
      description:
        `More than ${exact(tier.errorRatioThreshold * 100)}% of ${model.name} ${what} over both the last ${long} and ${short} ` +
        `(objective ${exact(slo.objectivePercent)}% over ${window}). At this rate ${exact(tier.budgetConsumedPercent)}% of the ` +
        `${window} error budget is gone within ${long}, and all of it within ${exhaustion}.` +
        (guard ? ` Silent below ${tier.minEvents} requests per ${long} (low-traffic guard).` : ''),
    });
  });
}
