/**
 * The rules Sloth and Pyrra generate for the same SLOs as ours, written from their documented output
 * (/work/shared/research/slo-alerting.md §2.2–2.3 for Sloth, §3.2–3.4 for Pyrra), over the same metric contract,
 * so each generator's shape can be evaluated by a real Prometheus over the same data.
 *
 * Both peers take the SLI as PromQL over raw series; we give them the selectors our rules use (same error
 * predicate, same `le` matcher, both Prometheus 2 and 3 forms) so only the rule shape differs.
 */
import type { ServiceModel, SloModel } from '../../../src/model/types';
import type { Rule, RuleFile, RuleGroup } from '../../../src/rules/types';
import { LABEL, OUTCOME } from '../../../src/signals/contract';
import { eq, exact, leRegex, re, selector } from '../../../src/signals/promql';
import { durationHistogram, targetMatchers } from '../../../src/signals/queries';
import { formatDuration } from '../../../src/spec/duration';
import { slothLabels } from './fleet-data';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The three selectors of an SLO: all requests, failed requests, requests within the latency threshold. */
function sli(model: ServiceModel, slo: SloModel) {
  const hist = durationHistogram(model.kind);
  const target = targetMatchers(model.scope);
  const total = selector(`${hist}_count`, target);
  const failed = selector(`${hist}_count`, [...target, model.kind === 'http' ? re(LABEL.statusCode, model.scope.errorStatusRegex) : eq(LABEL.outcome, OUTCOME.error)]);
  const fast = slo.kind === 'latency' ? selector(`${hist}_bucket`, [...target, re(LABEL.le, leRegex(slo.thresholdSeconds!))]) : undefined;
  return { total, failed, fast };
}

/** `errors / total` over a window, as both peers render an events SLI (latency: total − within threshold). */
function errorRatio(model: ServiceModel, slo: SloModel, w: string): string {
  const { total, failed, fast } = sli(model, slo);
  const t = `sum(rate(${total}[${w}]))`;
  const bad = fast ? `(${t} - sum(rate(${fast}[${w}])))` : `(sum(rate(${failed}[${w}])))`;
  return `${bad}\n/\n(${t})`;
}

// ---------------------------------------------------------------------------------------------------------
// Sloth: 8 SLI recordings (7 alert windows + the period, "optimized"), 7 metadata recordings, page and ticket
// alerts; three groups per SLO; no group interval (the global evaluation interval, 1m here).

/** Sloth's Google catalogue (google-30d.yaml / google-28d.yaml): short/long windows and budget shares. */
const SLOTH_ALERT_WINDOWS = [
  { short: 5 * MINUTE, long: HOUR, budget: 0.02, severity: 'page' },
  { short: 30 * MINUTE, long: 6 * HOUR, budget: 0.05, severity: 'page' },
  { short: 2 * HOUR, long: DAY, budget: 0.1, severity: 'ticket' },
  { short: 6 * HOUR, long: 3 * DAY, budget: 0.1, severity: 'ticket' },
] as const;

/** Sloth's rule groups for one SLO over `windowMs`. */
export function slothGroups(model: ServiceModel, slo: SloModel, windowMs: number): RuleGroup[] {
  const labels = slothLabels(model, slo);
  const id = labels.sloth_id;
  const budget = exact(slo.errorBudget);
  const sel = (w: string) => selector(`slo:sli_error:ratio_rate${w}`, [eq('sloth_id', id), eq('sloth_service', labels.sloth_service), eq('sloth_slo', slo.name)]);
  const period = formatDuration(windowMs);
  const windows = [...new Set(SLOTH_ALERT_WINDOWS.flatMap((a) => [a.short, a.long]))].sort((a, b) => a - b).map(formatDuration);
  const sliRules: Rule[] = windows.map((w) => ({ record: `slo:sli_error:ratio_rate${w}`, expr: errorRatio(model, slo, w), labels: { ...labels, sloth_window: w } }));
  sliRules.push({
    record: `slo:sli_error:ratio_rate${period}`,
    expr: `sum_over_time(${sel('5m')}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(${sel('5m')}[${period}])`,
    labels: { ...labels, sloth_window: period },
  });
  const on = 'on(sloth_id, sloth_slo, sloth_service) group_left';
  const meta: Rule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${exact(slo.objective)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(1-${exact(slo.objective)})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${windowMs / DAY})`, labels },
    { record: 'slo:current_burn_rate:ratio', expr: `${sel('5m')}\n/ ${on}\nslo:error_budget:ratio{sloth_id="${id}", sloth_service="${labels.sloth_service}", sloth_slo="${slo.name}"}`, labels },
    { record: 'slo:period_burn_rate:ratio', expr: `${sel(period)}\n/ ${on}\nslo:error_budget:ratio{sloth_id="${id}", sloth_service="${labels.sloth_service}", sloth_slo="${slo.name}"}`, labels },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio{sloth_id="${id}", sloth_service="${labels.sloth_service}", sloth_slo="${slo.name}"}`, labels },
    { record: 'sloth_slo_info', expr: 'vector(1)', labels: { ...labels, sloth_mode: 'cli-gen-prom', sloth_objective: exact(slo.objectivePercent), sloth_spec: 'prometheus/v1', sloth_version: 'v0.11.0' } },
  ];
  const pair = (a: (typeof SLOTH_ALERT_WINDOWS)[number]) => {
    const f = `(${exact((a.budget * windowMs) / a.long)} * ${budget})`;
    return `(max(${sel(formatDuration(a.short))} > ${f}) without (sloth_window)\nand\nmax(${sel(formatDuration(a.long))} > ${f}) without (sloth_window))`;
  };
  const alert = (severity: 'page' | 'ticket'): Rule => {
    const [a, b] = SLOTH_ALERT_WINDOWS.filter((w) => w.severity === severity);
    return {
      alert: `${model.name}-${slo.name}-burn`,
      expr: `${pair(a)}\nor ignoring (sloth_window)\n${pair(b)}`,
      for: '0s',
      labels: { ...labels, sloth_severity: severity },
      annotations: { title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.` },
    };
  };
  const base = `${model.namespace}-${model.name}-${slo.name}`;
  return [
    { name: `sloth-slo-sli-recordings-${base}`, interval: '1m', rules: sliRules },
    { name: `sloth-slo-meta-recordings-${base}`, interval: '1m', rules: meta },
    { name: `sloth-slo-alerts-${base}`, interval: '1m', rules: [alert('page'), alert('ticket')] },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Pyrra: an `-increase` group (the SLO window's increase per metric, and the absent alerts) at an interval that
// grows with the window, and a 30s group with 7 burn-rate recordings and 4 alerts. Windows scale from 28d.

/** Pyrra's 28d-base tiers (§3.3): short and long window in minutes, factor, `for`, severity. */
const PYRRA_TIERS = [
  { short: 5, long: 60, factor: 14, forMs: 2 * MINUTE, severity: 'critical' },
  { short: 30, long: 360, factor: 7, forMs: 15 * MINUTE, severity: 'critical' },
  { short: 120, long: 1440, factor: 2, forMs: HOUR, severity: 'warning' },
  { short: 360, long: 5760, factor: 1, forMs: 3 * HOUR, severity: 'warning' },
] as const;

/**
 * The `-increase` group's interval: 150s for 28–35d windows (§3.2). For shorter windows the research notes give
 * 30s below 7d; we take 60s for 7d (an assumption: the next step of the documented ladder).
 */
function pyrraIncreaseInterval(windowMs: number): string {
  if (windowMs >= 28 * DAY) return '150s';
  if (windowMs >= 7 * DAY) return '60s';
  return '30s';
}

/** Pyrra's two rule groups for one SLO over `windowMs`. */
export function pyrraGroups(model: ServiceModel, slo: SloModel, windowMs: number): RuleGroup[] {
  const scale = (minutes: number) => formatDuration(Math.max(1, Math.round((minutes * windowMs) / (28 * DAY))) * MINUTE);
  const { total, fast } = sli(model, slo);
  const hist = durationHistogram(model.kind);
  const w = formatDuration(windowMs);
  const labels = { slo: `${model.name}-${slo.name}`, namespace: model.namespace, job: model.name };
  const by = model.kind === 'http' ? LABEL.statusCode : LABEL.outcome;
  const increase: Rule[] =
    slo.kind === 'availability'
      ? [
          { record: `${hist}_count:increase${w}`, expr: `sum by (${by}) (increase(${total}[${w}]))`, labels },
          { alert: 'SLOMetricAbsent', expr: `absent(${total}) == 1`, for: '2m', labels: { ...labels, severity: 'critical' }, annotations: {} },
        ]
      : [
          { record: `${hist}_count:increase${w}`, expr: `sum(increase(${total}[${w}]))`, labels },
          { record: `${hist}_bucket:increase${w}`, expr: `sum by (le) (increase(${fast}[${w}]))`, labels },
          { alert: 'SLOMetricAbsent', expr: `absent(${total}) == 1`, for: '2m', labels: { ...labels, severity: 'critical' }, annotations: {} },
          { alert: 'SLOMetricAbsent', expr: `absent(${fast}) == 1`, for: '2m', labels: { ...labels, severity: 'critical' }, annotations: {} },
        ];
  const windows = [...new Set(PYRRA_TIERS.flatMap((t) => [scale(t.short), scale(t.long)]))];
  const burn: Rule[] = windows.map((win) => ({ record: `${hist}:burnrate${win}`, expr: errorRatio(model, slo, win), labels }));
  const matchers = `{job="${model.name}", namespace="${model.namespace}", slo="${labels.slo}"}`;
  for (const t of PYRRA_TIERS) {
    const f = `(${t.factor} * (1-${exact(slo.objective)}))`;
    burn.push({
      alert: 'ErrorBudgetBurn',
      expr: `${hist}:burnrate${scale(t.short)}${matchers} > ${f} and ${hist}:burnrate${scale(t.long)}${matchers} > ${f}`,
      for: formatDuration(t.forMs),
      labels: { ...labels, severity: t.severity, short: scale(t.short), long: scale(t.long) },
      annotations: {},
    });
  }
  const name = `${model.namespace}-${model.name}-${slo.name}`;
  return [
    { name: `${name}-increase`, interval: pyrraIncreaseInterval(windowMs), rules: increase },
    { name, interval: '30s', rules: burn },
  ];
}

/** The whole fleet's rule file for one peer. */
export function peerRules(models: readonly ServiceModel[], peer: 'sloth' | 'pyrra'): RuleFile {
  return {
    groups: models.flatMap((m) => m.slos.flatMap((slo) => (peer === 'sloth' ? slothGroups(m, slo, slo.windowMs) : pyrraGroups(m, slo, slo.windowMs)))),
  };
}
