/**
 * Rules per SLO and what they cost to evaluate, ours against Sloth and Pyrra.
 *
 *   npx ts-node --transpile-only bench/rules/count.ts
 *
 * Ours are counted from serviceRules() of a definition holding only that SLO, split into the per-service
 * base rates (shared by every SLO of the service), the SLO's own recording rules and burn alerts, and the
 * alerts that are not about the SLO at all (traffic, saturation, meta). The peers' numbers are the ones
 * verified in /work/shared/research/slo-alerting.md (§2.2 Sloth, §3.2–3.3 Pyrra, §10): they are not run here.
 *
 * Evaluation cost is counted as raw samples read by range selectors and subqueries per evaluation of the
 * SLO's rules (instant selectors read one sample per series and are left out everywhere). Ours is parsed
 * from the generated expressions; the peers' from the expressions the research notes quote.
 */
import { resolveService, ServiceModel } from '../../src/model';
import { isAlertingRule, serviceRules } from '../../src/rules';
import { serviceRateRules, sloAlertingRules, sloRecordingRules } from '../../src/rules/slo';
import { LABEL } from '../../src/signals/contract';
import { ALERT, RECORD } from '../../src/signals/recorded';
import { formatDuration, parseDuration } from '../../src/spec';
import { ONE_SLO } from './definitions';

/** Series each selector over the raw histogram matches: `_count` (all), `_bucket{le=threshold}` (all), 5xx ones. */
const RAW_SERIES = 50;
const ERROR_SERIES = 10;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;


interface Counts {
  readonly baseRecording: number;
  readonly sloRecording: number;
  readonly sloAlerts: number;
  readonly sloAbsentAlerts: number;
  readonly nonSloAlerts: number;
  readonly total: number;
  readonly detail: string;
}

function ours(model: ServiceModel): Counts {
  const slo = model.slos[0];
  const all = serviceRules(model).groups.flatMap((g) => g.rules);
  const baseRecording = serviceRateRules(model).length;
  const recording = sloRecordingRules(model, slo);
  const alerts = sloAlertingRules(model, slo);
  const nonSlo = all.filter((r) => isAlertingRule(r) && r.alert !== ALERT.errorBudgetBurn);
  // Every rule of the file is in exactly one bucket.
  if (baseRecording + recording.length + alerts.length + nonSlo.length !== all.length) throw new Error('rule buckets do not add up');
  const ratios = recording.filter((r) => r.record.startsWith(RECORD.errorRatio('')));
  const windows = ratios.map((r) => r.record.slice(RECORD.errorRatio('').length)).join(', ');
  return {
    baseRecording,
    sloRecording: recording.length,
    sloAlerts: alerts.length,
    sloAbsentAlerts: 0,
    nonSloAlerts: nonSlo.length,
    total: all.length,
    detail:
      `SLO recordings: events + bad events (2), error ratio over ${ratios.length} windows (${windows}), objective, budget remaining; ` +
      `non-SLO alerts: ${[...new Set(nonSlo.map((r) => (isAlertingRule(r) ? r.alert : '')))].join(', ')}`,
  };
}

/** Sloth (§2.2): 8 SLI recordings (7 alert windows + the 30d period) + 7 metadata recordings + page and ticket alerts. */
const SLOTH: Counts = {
  baseRecording: 0,
  sloRecording: 15,
  sloAlerts: 2,
  sloAbsentAlerts: 0,
  nonSloAlerts: 0,
  total: 17,
  detail: 'SLI ratio over 5m, 30m, 1h, 2h, 6h, 1d, 3d, 30d (8); objective, error budget, period days, current and period burn rate, budget remaining, info (7)',
};
/** Pyrra (§3.2), ratio SLO with one metric: 1 increase[4w] + 7 burnrate recordings, 4 burn alerts, 1 absent alert. */
const PYRRA_AVAILABILITY: Counts = {
  baseRecording: 0,
  sloRecording: 8,
  sloAlerts: 4,
  sloAbsentAlerts: 1,
  nonSloAlerts: 0,
  total: 13,
  detail: 'increase over the SLO window (1); burn rate (an error ratio) over 7 distinct windows; SLOMetricAbsent (1); +5 with --generic-rules',
};
/** Pyrra (§3.2) latency: `_count` and `_bucket` increases, 7 burnrate recordings, 4 burn alerts, 2 absent alerts. */
const PYRRA_LATENCY: Counts = { ...PYRRA_AVAILABILITY, sloRecording: 9, sloAbsentAlerts: 2, total: 15, detail: 'as for availability, with an increase and an absent alert for both `_count` and `_bucket`' };

// ---------------------------------------------------------------------------------------------------------
// Evaluation cost

interface Cost {
  /** Samples read per evaluation by the rule over the SLO window (30d), and by all SLO rules together. */
  readonly periodPerEval: number;
  readonly allPerEval: number;
  /** The same per minute, at the evaluation intervals the tool actually uses. */
  readonly periodPerMinute: number;
  readonly allPerMinute: number;
  readonly how: string;
}

const SELECTOR = /([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}(?:\[([0-9a-z]+)(?::([0-9a-z]+))?\])?/g;

/** Samples one expression reads through range selectors and subqueries. */
function samplesOf(expr: string, model: ServiceModel): number {
  let total = 0;
  for (const m of expr.matchAll(SELECTOR)) {
    const [, metric, matchers, range, resolution] = m;
    if (!range) continue;
    const windowMs = parseDuration(range)!;
    const recorded = metric.includes(':');
    const series = recorded ? 1 : matchers.includes(`${LABEL.statusCode}=~`) ? ERROR_SERIES : RAW_SERIES;
    // A subquery evaluates its inner (instant) selector once per resolution step: one sample per step.
    // A plain range reads every sample: one per evaluation for recorded series, one per scrape for raw ones.
    const step = resolution ? parseDuration(resolution)! : recorded ? model.alerting.evaluationIntervalMs : model.metrics.scrapeIntervalMs;
    total += series * Math.floor(windowMs / step);
  }
  return total;
}

function ourCost(model: ServiceModel): Cost {
  const slo = model.slos[0];
  const rules = [...serviceRateRules(model), ...sloRecordingRules(model, slo), ...sloAlertingRules(model, slo)];
  const period = rules.find((r) => 'record' in r && r.record === RECORD.errorRatio(formatDuration(slo.windowMs)))!;
  const periodPerEval = samplesOf(period.expr, model);
  const allPerEval = rules.reduce((a, r) => a + samplesOf(r.expr, model), 0);
  const perMinute = MINUTE / model.alerting.evaluationIntervalMs;
  return {
    periodPerEval,
    allPerEval,
    periodPerMinute: periodPerEval * perMinute,
    allPerMinute: allPerEval * perMinute,
    how: `30d: \`${period.expr.split('\n')[0].replace(/\{[^}]*\}/, '{…}')}\` / (the same over events); every window reads the two recorded 5m rates, only the 5m rates read raw series`,
  };
}

/** Samples of `rate(x[W])`-style reads of `series` raw series, scraped every `scrapeMs`, summed over `windows`. */
function rawReads(series: number, windowsMs: readonly number[], scrapeMs: number): number {
  return windowsMs.reduce((a, w) => a + series * Math.floor(w / scrapeMs), 0);
}

const SLOTH_WINDOWS_MS = [5, 30, 60, 120, 360, 1440, 4320].map((m) => m * MINUTE);
/** Pyrra's 28d-base windows scaled to 30d and rounded to the minute (§3.3): 5m, 32m, 1h4m, 2h9m, 6h26m, 1d1h43m, 4d6h51m. */
const PYRRA_WINDOWS_MS = [5, 30, 60, 120, 360, 1440, 5760].map((m) => Math.round((m * 30) / 28) * MINUTE);

/**
 * Sloth (§2.2): each alert window is `rate(errors[W]) / rate(total[W])` over raw series; the 30d ratio is
 * `sum_over_time(ratio_rate5m[30d]) / count_over_time(ratio_rate5m[30d])` over its own recorded series. No
 * group interval is set, so the global evaluation interval (1m here) applies.
 */
function slothCost(kind: 'availability' | 'latency', scrapeMs: number): Cost {
  // Latency is an events query: (count[W] − bucket[W]) / count[W], three raw reads per window.
  const seriesPerWindow = kind === 'availability' ? ERROR_SERIES + RAW_SERIES : 3 * RAW_SERIES;
  const periodPerEval = 2 * Math.floor((30 * DAY) / MINUTE);
  const allPerEval = rawReads(seriesPerWindow, SLOTH_WINDOWS_MS, scrapeMs) + periodPerEval;
  return { periodPerEval, allPerEval, periodPerMinute: periodPerEval, allPerMinute: allPerEval, how: '30d: average of the recorded 5m ratios (sum and count over 30d of one series); 7 windows over raw series' };
}

/**
 * Pyrra (§3.2, §3.3): `sum by (code) (increase(metric[30d]))` over raw series in the `-increase` group,
 * evaluated every 150s for a 28–35d window; 7 burnrate rules `sum(rate(errors[W])) / sum(rate(total[W]))`
 * over raw series in a 30s group.
 */
function pyrraCost(kind: 'availability' | 'latency', scrapeMs: number): Cost {
  const increaseSeries = kind === 'availability' ? RAW_SERIES : 2 * RAW_SERIES; // latency: _count and _bucket
  const burnSeries = kind === 'availability' ? ERROR_SERIES + RAW_SERIES : 3 * RAW_SERIES;
  const periodPerEval = rawReads(increaseSeries, [30 * DAY], scrapeMs);
  const burnPerEval = rawReads(burnSeries, PYRRA_WINDOWS_MS, scrapeMs);
  return {
    periodPerEval,
    allPerEval: periodPerEval + burnPerEval,
    periodPerMinute: Math.round((periodPerEval * 60) / 150),
    allPerMinute: Math.round((periodPerEval * 60) / 150 + burnPerEval * 2),
    how: '30d: increase over raw series (150s group); 7 burn-rate windows over raw series (30s group)',
  };
}

// ---------------------------------------------------------------------------------------------------------

const fmt = (n: number) => n.toLocaleString('en-US');

function main(): void {
  const models = { availability: resolveService(ONE_SLO.availability), latency: resolveService(ONE_SLO.latency) };
  const scrapeMs = models.availability.metrics.scrapeIntervalMs;

  console.log('Rules for one SLO at 99.9% over 30d (latency: 300ms), from serviceRules() of a service with only that SLO:\n');
  console.log('| generator | SLO | per-service base rates (rec.) | per-SLO recording | per-SLO burn alerts | per-SLO absent alerts | per SLO in all | non-SLO alerts in the file | rules in the file |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const rows: Array<[string, string, Counts]> = [
    ['ours', 'availability', ours(models.availability)],
    ['ours', 'latency', ours(models.latency)],
    ['Sloth', 'availability or latency', SLOTH],
    ['Pyrra', 'availability (ratio)', PYRRA_AVAILABILITY],
    ['Pyrra', 'latency', PYRRA_LATENCY],
  ];
  for (const [who, slo, c] of rows) {
    const perSlo = c.sloRecording + c.sloAlerts + c.sloAbsentAlerts;
    console.log(`| ${who} | ${slo} | ${c.baseRecording} | ${c.sloRecording} | ${c.sloAlerts} | ${c.sloAbsentAlerts} | ${perSlo} | ${c.nonSloAlerts} | ${c.total} |`);
  }
  console.log('');
  for (const [who, slo, c] of rows) console.log(`- ${who}, ${slo}: ${c.detail}`);

  console.log(
    `\nSamples read per evaluation by range selectors and subqueries of the SLO's rules (base rates, recordings, burn alerts), ` +
      `one service, ${RAW_SERIES} raw histogram series per selector (${ERROR_SERIES} of the \`_count\` series are 5xx), ` +
      `scrape ${formatDuration(scrapeMs)}, rules at 1m unless the tool sets its own interval:\n`,
  );
  console.log('| generator | SLO | 30d window, per evaluation | all SLO rules, per evaluation | 30d window, per minute | all SLO rules, per minute | how |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
  const costs: Array<[string, string, Cost]> = [
    ['ours', 'availability', ourCost(models.availability)],
    ['ours', 'latency', ourCost(models.latency)],
    ['Sloth', 'availability', slothCost('availability', scrapeMs)],
    ['Sloth', 'latency', slothCost('latency', scrapeMs)],
    ['Pyrra', 'availability', pyrraCost('availability', scrapeMs)],
    ['Pyrra', 'latency', pyrraCost('latency', scrapeMs)],
  ];
  for (const [who, slo, c] of costs) {
    console.log(`| ${who} | ${slo} | ${fmt(c.periodPerEval)} | ${fmt(c.allPerEval)} | ${fmt(c.periodPerMinute)} | ${fmt(c.allPerMinute)} | ${c.how} |`);
  }
}

main();
