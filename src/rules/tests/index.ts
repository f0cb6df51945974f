/**
 * Generated promtool unit tests (`promtool test rules`): proof that every alert of a service fires when it
 * must, by when, and stays silent when it must.
 *
 * - For every SLO and burn tier: an outage that tier exists for, with the tier's long window of healthy
 *   history first. It must fire by the SRE Workbook detection time (`(1 − SLO) / error ratio × long window
 *   × burn factor`, i.e. `threshold / error ratio × long window`) plus the base rate window (the 5m rates
 *   ramp up), the tier's `for` and one evaluation; and it must not fire before `for` has run.
 * - A healthy service: nothing fires. A low-traffic service with one bad request: no burn alert.
 * - One scenario per traffic, saturation and meta alert.
 *
 * What else is firing at each check (slower tiers catching up, for instance) is predicted by evaluating the
 * rules over the same synthetic data (./predict.ts); promtool then checks the prediction.
 *
 * promtool evaluates every rule of its rule files at every step, so a scenario costs its length / step
 * evaluations of the rules it loads (issue 19), about 40–200 µs each. Three things keep that to seconds per service:
 * - Scenarios that prove long windows run at a coarser evaluation step, in a test file of their own (promtool
 *   has one `evaluation_interval` per file): at 1m the week-long TrafficDrop scenario took 106 s of CPU, at 15m
 *   about 4 s. See {@link scenarioStep}.
 * - Each scenario loads only the alerts it proves and the rules they read ({@link Scope}, ../subset.ts): the
 *   same TrafficDrop scenario took 7 s against the whole file, whose `[30d:5m]` budget rules it never needs,
 *   and 0.6 s against its subset. A guard scenario loads its burn tier alone (7 rules, not 15), a CPU scenario
 *   the CPU alert alone.
 * - Each file loads only the input series its rules select (a 30m file's availability scenarios read the
 *   request counter, not the histogram buckets): loading samples is a fifth of a multi-day scenario's cost.
 */
import type { BurnTierModel, JourneyModel, PoolModel, ServiceModel, SloModel } from '../../model/types';
import { CLUSTER_METRIC, LABEL, POOL_SERIES } from '../../signals/contract';
import { eq, exact } from '../../signals/promql';
import { ALERT, AlertName, POOL_ALERTS } from '../../signals/recorded';
import { formatDuration } from '../../spec/duration';
import { serviceRules } from '../index';
import { AlertingRule, isAlertingRule, type RuleFile } from '../types';
import { POOL_WAIT_BURN_FACTOR, poolBurnObjective } from '../pools';
import { readsSeries, ruleSubset } from '../subset';
import { BUDGET_EXHAUSTED_FOR_MS } from '../slo';
import { baseWindowMs, recordedSpacingMs } from '../windows';
import { firingTiersAt, predictBurnAlerts, type TierTimeline } from './predict';
import {
  cluster,
  counterSamples,
  counterValues,
  type Endpoint,
  gaugeValues,
  histogramBucket,
  histogramCount,
  InputSeries,
  journeyEndpoint,
  type Outcome,
  outsideEndpoint,
  pool as poolSeries,
  runtime,
  Segment,
} from './series';

const MINUTE = 60_000;
/**
 * Healthy traffic in every scenario: 10 requests per second. That clears the low-traffic guard of usual
 * objectives, not of every one: see {@link burnTrafficPerMinute}.
 */
const HEALTHY_PER_MINUTE = 600;
/** How far above a burn tier's low-traffic guard its scenario's traffic stays, so the guard never decides it. */
const GUARD_MARGIN = 2;

/**
 * Requests per minute of an SLO's burn scenarios: {@link HEALTHY_PER_MINUTE}, or more when a tier's guard needs
 * it. The guard (`minEvents`, by default `1 / threshold`) asks for that many events in the tier's long window,
 * and the threshold shrinks with the budget: at 99.9999% the fast tier's auto guard is 69,445 events per hour,
 * twice what 10 req/s gives, so at 10 req/s the rule is right not to fire. A service with such an objective
 * has the traffic to judge it, so the scenario gets it too: {@link GUARD_MARGIN} times every guard's rate.
 * A scenario evaluated every `step` records one base-rate sample per step where production records one per
 * evaluation interval, and the guard counts samples × interval, so it sees `interval / step` of the traffic:
 * the scenario's traffic is raised by that factor too.
 */
function burnTrafficPerMinute(ctx: Ctx, slo: SloModel, step: number): number {
  const sparse = step / ctx.step;
  const needed = Math.max(...slo.tiers.map((t) => (GUARD_MARGIN * sparse * t.minEvents) / (t.longWindowMs / MINUTE)));
  return needed <= HEALTHY_PER_MINUTE ? HEALTHY_PER_MINUTE : Math.ceil(needed / HEALTHY_PER_MINUTE) * HEALTHY_PER_MINUTE;
}

export interface ExpectedAlert {
  readonly exp_labels: Readonly<Record<string, string>>;
  readonly exp_annotations: Readonly<Record<string, string>>;
}
export interface AlertRuleTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly ExpectedAlert[];
}
export interface TestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly InputSeries[];
  readonly alert_rule_test: readonly AlertRuleTest[];
}
/** A promtool test file. */
export interface PromtoolTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly TestGroup[];
}

/**
 * What a scenario proves, which decides the rules it runs against (see ../subset.ts): `service`, every rule of
 * the file (the healthy scenario proves that none of them fires); `burn` and `budget`, one SLO's burn-rate or
 * budget-exhausted alerts; `tier`, one burn tier of an SLO, for scenarios that check that tier alone (a guard
 * keeping it silent, or the fastest tier firing); `alert`, one traffic, saturation or meta alert; `pool`, the
 * alerts of one resource pool.
 */
type Scope =
  | { readonly kind: 'service' }
  | { readonly kind: 'burn' | 'budget'; readonly slo: SloModel }
  | { readonly kind: 'tier'; readonly slo: SloModel; readonly tier: BurnTierModel }
  | { readonly kind: 'alert'; readonly alert: AlertName }
  | { readonly kind: 'pool'; readonly pool: PoolModel };

/** `CPUNearLimit` → `cpu-near-limit`. */
function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * The scope's part of test and subset file names: `service`, `availability-burn`, `availability-burn-fast`,
 * `traffic-drop`, `orders-db-pool`.
 */
function scopeName(scope: Scope): string {
  switch (scope.kind) {
    case 'service':
      return scope.kind;
    case 'alert':
      return kebab(scope.alert);
    case 'pool':
      return `${scope.pool.name}-pool`;
    case 'burn':
    case 'budget':
      return `${scope.slo.name}-${scope.kind}`;
    case 'tier':
      return `${scope.slo.name}-burn-${scope.tier.name}`;
  }
}

/** The alerting rules a scope proves; its rule subset is them and what they read. */
function provenBy(scope: Scope): (rule: AlertingRule) => boolean {
  switch (scope.kind) {
    case 'service':
      return () => true;
    case 'alert':
      return (rule) => rule.alert === scope.alert && rule.labels[LABEL.slo] === undefined;
    case 'pool':
      return (rule) => rule.expr.includes(`${POOL_SERIES[scope.pool.kind].nameLabel}="${scope.pool.name}"`);
    case 'burn':
    case 'budget': {
      const alert = scope.kind === 'burn' ? ALERT.errorBudgetBurn : ALERT.errorBudgetExhausted;
      return (rule) => rule.alert === alert && rule.labels[LABEL.slo] === scope.slo.name;
    }
    case 'tier':
      return (rule) => rule.alert === ALERT.errorBudgetBurn && rule.labels[LABEL.slo] === scope.slo.name && rule.labels[LABEL.burnTier] === scope.tier.name;
  }
}

/**
 * The rules a scope's scenarios run against. A tier's subset leaves out the other tiers of its SLO, which it
 * reads only in its quiet clause (`'none'`, ../subset.ts): without the tiers that could quiet it, it fires at
 * least as often as shipped, so a check that it stays silent proves as much as against every tier, in about
 * half the rules (issue 19). The fastest tier has no quiet clause, so its subset is exact.
 */
function subsetOf(ctx: Ctx, scope: Scope): RuleFile | undefined {
  switch (scope.kind) {
    case 'service':
      return undefined;
    case 'tier':
      return ruleSubset(ctx.file, provenBy(scope), 'none');
    case 'burn':
    case 'budget':
    case 'alert':
    case 'pool':
      return ruleSubset(ctx.file, provenBy(scope));
  }
}

/**
 * The scope a burn scenario of one tier runs in, given what it checks: its tier's own, when it checks that the
 * tier stays silent or checks the fastest tier (whose subset is exact), or else the SLO's burn scope, where
 * every tier is loaded.
 */
function tierScope(slo: SloModel, tier: BurnTierModel, firing: readonly BurnTierModel[]): Scope {
  const silent = !firing.includes(tier) && firing.every((t) => slo.tiers.indexOf(t) > slo.tiers.indexOf(tier));
  return tier === slo.tiers[0] || silent ? { kind: 'tier', slo, tier } : { kind: 'burn', slo };
}

/** A scenario under construction: input series plus the checks, with its length in minutes and evaluation step. */
interface Scenario {
  readonly name: string;
  readonly scope: Scope;
  readonly minutes: number;
  readonly step: number;
  readonly series: InputSeries[];
  readonly checks: AlertRuleTest[];
}

function roundUp(ms: number, to: number): number {
  return Math.ceil(ms / to) * to;
}

/** Coarser steps a scenario may run at, as multiples of the service's evaluation interval, coarsest first. */
const STEP_MULTIPLES = [30, 15, 5, 1] as const;
/**
 * Steps the shortest window a scenario proves must span: two, so the window's average holds three recorded
 * samples (Prometheus 2's range selectors include both ends) and no single evaluation decides it. The
 * predictor models exactly those samples and promtool checks it; a coarser step changes how finely the test
 * resolves time (the fire-by bound's "one evaluation" is one step of the test), never the rules it runs.
 */
const MIN_STEPS_PER_WINDOW = 2;

/**
 * The evaluation step of a scenario whose shortest proven window is `shortestWindowMs` and whose alert waits
 * `forMs`: the coarsest multiple of the service's interval that puts {@link MIN_STEPS_PER_WINDOW} steps in the
 * window and divides `for` (so "not before its for" is checked at the last evaluation before it ends). The
 * rules under test are the shipped ones either way; only how often promtool evaluates them changes, and the
 * fire-by bound's "one evaluation" is one evaluation of that step.
 */
function scenarioStep(ctx: Ctx, shortestWindowMs: number, forMs: number): number {
  for (const k of STEP_MULTIPLES) {
    const step = ctx.step * k;
    if (step * MIN_STEPS_PER_WINDOW <= shortestWindowMs && forMs % step === 0) return step;
  }
  return ctx.step;
}

/** The labels an alert carries: its rule's labels over the labels its expression outputs. */
function expectedAlert(rule: AlertingRule, outputLabels: Record<string, string>): ExpectedAlert {
  return { exp_labels: { ...outputLabels, ...rule.labels }, exp_annotations: rule.annotations };
}

/** The generated tests of one service. */
export interface RuleTests {
  /** Subsets of the service's rule file by scope (`availability-burn`, `traffic`, ...): see ../subset.ts. */
  readonly subsets: Readonly<Record<string, RuleFile>>;
  /** promtool test files by `<scope>.<step>`, e.g. `availability-burn.30m`, sorted. */
  readonly files: Readonly<Record<string, PromtoolTestFile>>;
}

/**
 * Builds the promtool tests of a service: one file per scope and evaluation step its scenarios run at (see
 * {@link scenarioStep}). A file runs against the rule subset of its scope, or the whole rule file for the
 * `service` scope.
 *
 * @param ruleFileOf path of the rule file a test file loads, relative to the test files: of the service's
 * whole rule file (`undefined`) or of a subset (by scope name)
 * @example
 * ruleTests(model, (subset) => (subset ? `shop-checkout.${subset}.rules.yaml` : '../shop-checkout.rules.yaml'));
 */
export function ruleTests(model: ServiceModel, ruleFileOf: (subset: string | undefined) => string): RuleTests {
  const ctx = context(model);
  const scenarios: Scenario[] = [
    healthy(ctx),
    ...model.slos.flatMap((slo) => slo.tiers.map((tier) => burn(ctx, slo, tier))),
    ...model.slos.flatMap((slo) => slo.tiers.flatMap((tier) => lowTraffic(ctx, slo, tier) ?? [])),
    ...model.slos.flatMap((slo) => slo.tiers.flatMap((tier) => (['young', 'gap'] as const).flatMap((shape) => sparseHistory(ctx, slo, tier, shape) ?? []))),
    ...model.slos.flatMap((slo) => unanswered(ctx, slo) ?? []),
    ...model.slos.flatMap((slo) => budgetExhausted(ctx, slo)),
    ...model.journeys.flatMap((journey) => journeyExclusion(ctx, journey) ?? []),
    ...simpleAlertScenarios(ctx),
    ...ctx.model.capacity.pools.flatMap((p) => poolScenarios(ctx, p)),
  ];
  const subsets: Record<string, RuleFile> = {};
  const files = new Map<string, { scope: string; step: number; scenarios: Scenario[] }>();
  for (const scenario of scenarios) {
    const scope = scopeName(scenario.scope);
    if (scenario.scope.kind !== 'service' && subsets[scope] === undefined) subsets[scope] = subsetOf(ctx, scenario.scope)!;
    assertProven(ctx, scenario);
    const name = `${scope}.${formatDuration(scenario.step)}`;
    const file = files.get(name) ?? { scope, step: scenario.step, scenarios: [] };
    file.scenarios.push(scenario);
    files.set(name, file);
  }
  return {
    subsets,
    files: Object.fromEntries(
      [...files.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, { scope, step, scenarios: inFile }]) => [
          name,
          {
            rule_files: [ruleFileOf(subsets[scope] === undefined ? undefined : scope)],
            evaluation_interval: formatDuration(step),
            tests: inFile.map((s) => ({ name: s.name, interval: '1m', input_series: s.series.filter((i) => readsSeries(subsets[scope] ?? ctx.file, i.series)), alert_rule_test: s.checks })),
          },
        ]),
    ),
  };
}

/** A check of an alert its scope's rules do not hold would pass vacuously: a bug of the generator. */
function assertProven(ctx: Ctx, scenario: Scenario): void {
  const proven = new Set(ctx.rules.filter(provenBy(scenario.scope)).map((r) => r.alert));
  const stray = scenario.checks.find((c) => !proven.has(c.alertname));
  if (stray) throw new Error(`rule tests: "${scenario.name}" checks ${stray.alertname}, which its scope ${scopeName(scenario.scope)} does not hold`);
  const { scope } = scenario;
  if (scope.kind === 'tier' && scope.tier !== scope.slo.tiers[0] && scenario.checks.some((c) => c.exp_alerts.length > 0)) {
    throw new Error(`rule tests: "${scenario.name}" expects the ${scope.tier.name} tier to fire without the tiers that could quiet it: only silence is proven that way`);
  }
}

interface Ctx {
  readonly model: ServiceModel;
  /** The service's rule file, and its alerting rules. */
  readonly file: RuleFile;
  readonly rules: readonly AlertingRule[];
  readonly step: number;
  readonly base: number;
}

function context(model: ServiceModel): Ctx {
  const file = serviceRules(model);
  const rules = file.groups.flatMap((g) => g.rules).filter(isAlertingRule);
  return { model, file, rules, step: model.alerting.evaluationIntervalMs, base: baseWindowMs(model) };
}

function outputLabels(model: ServiceModel, by: 'service' | 'container' | 'autoscaler', slo?: string): Record<string, string> {
  const clusterLabel = model.alerting.clusterLabel ? { [model.alerting.clusterLabel]: 'test-cluster' } : {};
  switch (by) {
    case 'service':
      return { ...clusterLabel, [LABEL.namespace]: model.namespace, [LABEL.job]: model.name, ...(slo ? { [LABEL.slo]: slo } : {}) };
    case 'container':
      return { ...clusterLabel, [LABEL.namespace]: model.namespace, [LABEL.container]: model.saturation.container };
    case 'autoscaler':
      return { ...clusterLabel, [LABEL.namespace]: model.namespace, [LABEL.hpa]: model.scaling?.autoscalerName ?? model.name };
  }
}

/**
 * Every series a healthy service has, for `minutes`, with overrides per series. Errors at a tenth of each
 * budget, CPU at 30% of its limit, memory at 30%, event loop 20% busy, 5 requests in flight.
 */
function healthySeries(ctx: Ctx, minutes: number, override: Partial<Record<string, string>> = {}, drop: readonly string[] = [], perMinute = HEALTHY_PER_MINUTE): InputSeries[] {
  const { model } = ctx;
  const serviceWide = model.slos.filter((s) => !s.journey);
  const budgetOf = (kind: SloModel['kind']) => Math.min(1, ...serviceWide.filter((s) => s.kind === kind).map((s) => s.errorBudget));
  // A tenth of the smallest budget: with several latency objectives, the tightest budget decides.
  const errorShare = serviceWide.some((s) => s.kind === 'availability') ? budgetOf('availability') / 10 : 0;
  const slowShare = serviceWide.some((s) => s.kind === 'latency') ? budgetOf('latency') / 10 : 0;
  const c = (perMinute: number) => counterValues([{ minutes, perMinute }]);
  const g = (value: number) => gaugeValues([{ minutes, value }]);
  const all: Record<string, string> = {
    ...histogram(model, 'ok', c(perMinute * (1 - errorShare)), c(perMinute * (1 - errorShare) * (1 - slowShare))),
    ...histogram(model, 'error', c(perMinute * errorShare), c(perMinute * errorShare)),
    [cluster.up(model)]: g(1),
    [cluster.up(model, '10.0.0.2:9464')]: g(1),
    [runtime.eventLoop(model, 'active')]: c(12),
    [runtime.eventLoop(model, 'idle')]: c(48),
    [runtime.eventLoopDelay(model)]: g(0.02),
    [runtime.inFlight(model)]: g(5),
    [cluster.containerCpu(model)]: c(18),
    [cluster.resource(model, 'requests', 'cpu')]: g(0.5),
    [cluster.resource(model, 'limits', 'cpu')]: g(1),
    [cluster.memory(model)]: g(300 * 2 ** 20),
    [cluster.resource(model, 'requests', 'memory')]: g(512 * 2 ** 20),
    [cluster.resource(model, 'limits', 'memory')]: g(2 ** 30),
    ...(model.scaling
      ? {
          [cluster.hpa(model, CLUSTER_METRIC.hpaCurrentReplicas)]: g(model.scaling.minReplicas),
          [cluster.hpa(model, CLUSTER_METRIC.hpaMaxReplicas)]: g(model.scaling.maxReplicas),
          [cluster.hpa(model, CLUSTER_METRIC.hpaSpecTarget, [eq(LABEL.hpaMetricName, 'cpu'), eq(LABEL.hpaMetricTargetType, 'utilization')])]: g(70),
          [cluster.hpa(model, CLUSTER_METRIC.hpaStatusTarget, [eq(LABEL.hpaMetricName, 'cpu'), eq(LABEL.hpaMetricTargetType, 'utilization')])]: g(50),
        }
      : {}),
  };
  for (const [k, v] of Object.entries(override)) if (v !== undefined) all[k] = v;
  return Object.entries(all)
    .filter(([k]) => !drop.includes(k))
    .map(([series, values]) => ({ series, values }));
}

function alertNames(ctx: Ctx): AlertName[] {
  return [...new Set(ctx.rules.map((r) => r.alert as AlertName))];
}

function healthy(ctx: Ctx): Scenario {
  const minutes = 180;
  return {
    name: `healthy: ${ctx.model.name} at a tenth of every budget and threshold raises no alert`,
    scope: { kind: 'service' },
    minutes,
    step: ctx.step,
    series: healthySeries(ctx, minutes),
    checks: [60, 180].flatMap((m) => alertNames(ctx).map((alertname) => ({ eval_time: `${m}m`, alertname, exp_alerts: [] }))),
  };
}

/** Bad-event share that only this tier (and slower ones) can detect: between its threshold and the next faster tier's. */
function outageRatio(slo: SloModel, tier: BurnTierModel): number {
  const i = slo.tiers.indexOf(tier);
  if (i === 0) return 1;
  return Math.min(1, Math.sqrt(tier.errorRatioThreshold * slo.tiers[i - 1].errorRatioThreshold));
}

function burnRules(ctx: Ctx, slo: SloModel): AlertingRule[] {
  return ctx.rules.filter((r) => r.alert === ALERT.errorBudgetBurn && r.labels[LABEL.slo] === slo.name);
}

function burnExpectation(ctx: Ctx, slo: SloModel, tiers: readonly BurnTierModel[]): ExpectedAlert[] {
  return burnRules(ctx, slo)
    .filter((r) => tiers.some((t) => t.name === r.labels[LABEL.burnTier]))
    .map((r) => expectedAlert(r, { ...outputLabels(ctx.model, 'service', slo.name), ...(slo.journey ? { [LABEL.journey]: slo.journey.name } : {}) }));
}

/**
 * The `_count` and `_bucket` series of one outcome (ok or error) of the duration histogram, of `endpoint`: `total`
 * requests, `fast` of them at or under every latency threshold up to `slowAbove` (every threshold by default),
 * all of them under the thresholds above it and +Inf: slow requests land just above `slowAbove`.
 */
function histogram(model: ServiceModel, outcome: Outcome, total: string, fast: string, endpoint?: Endpoint, slowAbove?: number): Record<string, string> {
  return {
    [histogramCount(model, outcome, endpoint)]: total,
    [histogramBucket(model, '+Inf', outcome, endpoint)]: total,
    ...Object.fromEntries(
      model.slos
        .filter((s) => s.kind === 'latency')
        .map((l) => [histogramBucket(model, l.thresholdSeconds!, outcome, endpoint), slowAbove === undefined || l.thresholdSeconds! <= slowAbove ? fast : total]),
    ),
  };
}

/** Where an SLO's scenario requests go: a journey's own request, or (undefined) the service's usual one. */
function endpointOf(ctx: Ctx, slo: SloModel): Endpoint | undefined {
  return slo.journey ? journeyEndpoint(ctx.model, slo.journey) : undefined;
}

/**
 * Requests per minute of the rest of the service while a journey's scenario runs: enough that the journey's bad
 * requests, diluted in the service-wide ratios, stay under half of every service-wide tier's threshold, so the
 * scenario shows the journey burning while the service as a whole is healthy (and its alerts stay silent).
 */
function restOfServicePerMinute(ctx: Ctx, journeyPeakPerMinute: number): number {
  const thresholds = ctx.model.slos.filter((s) => !s.journey).flatMap((s) => s.tiers.map((t) => t.errorRatioThreshold));
  if (thresholds.length === 0) return HEALTHY_PER_MINUTE;
  return Math.max(HEALTHY_PER_MINUTE, roundUp((2 * journeyPeakPerMinute) / Math.min(...thresholds), HEALTHY_PER_MINUTE));
}

/** Input series for an SLO scenario: events and bad events per segment. */
function sloSeries(ctx: Ctx, slo: SloModel, minutes: number, events: readonly Segment[], bad: readonly Segment[]): InputSeries[] {
  const { model } = ctx;
  const good = counterValues(events.map((e, i) => ({ ...e, perMinute: e.perMinute - bad[i].perMinute })));
  // Unscraped where the events are: a gap is a gap in every series of the histogram.
  const none = counterValues(events.map((e) => ({ ...e, perMinute: 0 })));
  const endpoint = endpointOf(ctx, slo);
  const rest = slo.journey ? restOfServicePerMinute(ctx, Math.max(...events.map((e) => e.perMinute))) : HEALTHY_PER_MINUTE;
  switch (slo.kind) {
    case 'availability':
      // Failed requests are fast: they must not burn the latency SLO too.
      return healthySeries(ctx, minutes, { ...histogram(model, 'ok', good, good, endpoint), ...histogram(model, 'error', counterValues(bad), counterValues(bad), endpoint) }, [], rest);
    case 'latency':
      // Slow requests succeed but land just above the threshold bucket: slower than this objective's threshold
      // (and every tighter one's), within every looser one's.
      return healthySeries(
        ctx,
        minutes,
        { ...histogram(model, 'ok', counterValues(events), good, endpoint, slo.thresholdSeconds), ...histogram(model, 'error', none, none, endpoint) },
        [],
        rest,
      );
  }
}

/**
 * How long a burn incident lasts at least: 12 minutes, the full outage of the real-time run in issue 17, so a
 * fast page has fired well before recovery. A slower tier's incident lasts until its tier has fired.
 */
const INCIDENT_MIN_MS = 12 * MINUTE;

/**
 * A burn incident of one tier (see {@link burn}): the series, when it starts and recovers, and the predicted
 * state of every tier of the SLO. Exported for the incident-class tables (what each incident notifies, and when).
 */
export interface BurnIncident {
  readonly slo: SloModel;
  readonly tier: BurnTierModel;
  /** Bad-event share during the incident. */
  readonly badShare: number;
  readonly perMinute: number;
  readonly step: number;
  readonly startMs: number;
  readonly recoveryMs: number;
  readonly endMs: number;
  /** The evaluation at which the tier must be firing (the workbook's detection bound), and a state there. */
  readonly fireBy: number;
  readonly notBefore: number;
  readonly events: readonly Segment[];
  readonly bad: readonly Segment[];
  readonly timelines: readonly TierTimeline[];
}

/**
 * The incident a tier exists for, start to quiet: healthy traffic ({@link healthyHistoryMs}), then a bad-event
 * share only this tier (and slower ones) can detect ({@link outageRatio}) until the tier has fired and at least
 * {@link INCIDENT_MIN_MS}, then healthy again until no tier of the SLO can speak of it any more: every short
 * window (and the base rates it sums) has forgotten the incident, so no condition can hold again.
 */
export function burnIncident(model: ServiceModel, slo: SloModel, tier: BurnTierModel): BurnIncident {
  return incidentOf(context(model), slo, tier);
}

/** {@link burnIncident} with the service's rules already generated (the scenarios share one context). */
function incidentOf(ctx: Ctx, slo: SloModel, tier: BurnTierModel): BurnIncident {
  const step = scenarioStep(ctx, tier.shortWindowMs, tier.forMs);
  // The shortest history that reads as a mature service's: the same notifications, at the same offsets from its
  // start, as after the longest history the scenario affords (see historyCandidatesMs).
  const histories = historyCandidatesMs(slo, tier, step);
  const mature = incidentAfter(ctx, slo, tier, step, histories[histories.length - 1]);
  for (const history of histories.slice(0, -1)) {
    const incident = incidentAfter(ctx, slo, tier, step, history);
    if (sameNotifications(incident, mature)) return incident;
  }
  return mature;
}

/** The incident of {@link incidentOf} after `startMs` of healthy history. */
function incidentAfter(ctx: Ctx, slo: SloModel, tier: BurnTierModel, step: number, startMs: number): BurnIncident {
  const { model } = ctx;
  const r = outageRatio(slo, tier);
  // SRE Workbook: time to fire = threshold / error ratio × alerting window.
  const detectionMs = (tier.errorRatioThreshold / r) * tier.longWindowMs;
  const fireBy = roundUp(startMs + detectionMs + ctx.base + tier.forMs + step, step);
  const notBefore = roundUp(startMs + tier.forMs, step) - step;
  // Past every short window (and the base rates feeding it) after recovery, no tier's condition can hold again.
  const longestShortWindow = Math.max(...slo.tiers.map((t) => t.shortWindowMs));
  const perMinute = burnTrafficPerMinute(ctx, slo, step);
  const simulate = (recoveryMs: number) => {
    const endMs = roundUp(recoveryMs + longestShortWindow + 2 * ctx.base + 2 * step, step);
    const stretch = (fromMs: number, toMs: number, bad: number) => ({ events: { minutes: (toMs - fromMs) / MINUTE, perMinute }, bad: { minutes: (toMs - fromMs) / MINUTE, perMinute: perMinute * bad } });
    const parts = [stretch(0, startMs, 0), stretch(startMs, recoveryMs, r), stretch(recoveryMs, endMs, 0)];
    const events = parts.map((p) => p.events);
    const bad = parts.map((p) => p.bad);
    const timelines = predictBurnAlerts(model, slo, { events: counterSamples(events), bad: counterSamples(bad) }, endMs, step);
    return { slo, tier, badShare: r, perMinute, step, startMs, recoveryMs, endMs, fireBy, notBefore, events, bad, timelines };
  };
  // Find when the tier settles firing with the incident still on, then end the incident right after that
  // (or after INCIDENT_MIN_MS): the data up to there, and so the onset, stays the same.
  const open = simulate(fireBy + onsetHorizonMs(step) + 2 * step);
  const fired = settledFiring(open, tier);
  return simulate(roundUp(Math.max((fired?.at ?? fireBy) + 3 * step, startMs + INCIDENT_MIN_MS), step));
}

/** Most evaluations a burn scenario spends on healthy history before its incident. */
const MAX_HISTORY_EVALUATIONS = 300;
/** Granularity of the shorter histories tried: the long window of the default medium tier. */
const HISTORY_GRAIN_MS = 6 * 60 * MINUTE;

/**
 * Healthy histories a burn incident may start after, shortest first; the last is the mature one: the longest long
 * window of the SLO's tiers that fits in {@link MAX_HISTORY_EVALUATIONS} at the scenario's step (at least the
 * tier's own). A mature service has days of history, so its slower tiers read the incident diluted over their
 * whole window; with only an hour, they would read it as a young series does and may race the faster tier.
 * {@link incidentOf} takes the shortest (in {@link HISTORY_GRAIN_MS} steps) whose predicted notifications are the
 * mature one's: the history before it changes nothing promtool checks, and at a 15m step the medium tier's 3d of
 * history was 288 of its 324 evaluations (issue 19). The fast tier's 1m scenarios keep one hour (six would be 360
 * evaluations): there the slower tiers racing harder only makes the quiet clause's proof stricter.
 */
function historyCandidatesMs(slo: SloModel, tier: BurnTierModel, step: number): number[] {
  const mature = Math.max(tier.longWindowMs, ...slo.tiers.map((t) => t.longWindowMs).filter((w) => w / step <= MAX_HISTORY_EVALUATIONS));
  const shorter = Array.from({ length: Math.ceil(mature / HISTORY_GRAIN_MS) - 1 }, (_, i) => (i + 1) * HISTORY_GRAIN_MS);
  return [...shorter, mature];
}

/** Whether two incidents notify the same tiers at the same offsets from their start, recovery included. */
function sameNotifications(a: BurnIncident, b: BurnIncident): boolean {
  const offsets = (i: BurnIncident) => JSON.stringify([i.recoveryMs - i.startMs, incidentNotifications(i).map((n) => [n.tier.name, n.firingMs - i.startMs, n.resolvedMs - i.startMs])]);
  return offsets(a) === offsets(b);
}

/** How far past the fire-by bound to look for a settled state: ten evaluations, at least ten minutes. */
function onsetHorizonMs(step: number): number {
  return Math.max(10 * MINUTE, 10 * step);
}

/** The first evaluation from the fire-by bound at which the tiers' states are settled, and those states. */
function settledFiring(incident: BurnIncident, tier: BurnTierModel): { at: number; firing: BurnTierModel[] } | undefined {
  const { timelines, step, fireBy } = incident;
  for (let at = fireBy; at < fireBy + onsetHorizonMs(step) - 2 * step; at += step) {
    const firing = firingTiersAt(timelines, at, 2 * step, step);
    if (firing !== undefined) return firing.includes(tier) ? { at, firing } : undefined;
  }
  return undefined;
}

/** One firing stretch of a tier in an incident: a firing notification, then a resolved one. */
export interface Notification {
  readonly tier: BurnTierModel;
  readonly firingMs: number;
  readonly resolvedMs: number;
}

/** The notifications an incident produces, in order of firing: one per stretch a tier fires. */
export function incidentNotifications(incident: BurnIncident): Notification[] {
  const out: Notification[] = [];
  for (const tl of incident.timelines) {
    let from: number | undefined;
    for (let t = 0; t <= incident.endMs + incident.step; t += incident.step) {
      const firing = tl.firingAt.has(t);
      if (firing && from === undefined) from = t;
      if (!firing && from !== undefined) {
        out.push({ tier: tl.tier, firingMs: from, resolvedMs: t });
        from = undefined;
      }
    }
  }
  return out.sort((a, b) => a.firingMs - b.firingMs);
}

/**
 * The scenario of {@link burnIncident}: the tier fires by the workbook bound and not before its `for`; then
 * what every tier of the SLO does is checked at each state change the predictor expects (a little after, so
 * no check lands on an edge) and every {@link quietCheckMs} up to the end, so a notification the incident
 * should not produce (a slower tier taking over after recovery, a ticket after the page) fails the test.
 */
function burn(ctx: Ctx, slo: SloModel, tier: BurnTierModel): Scenario {
  const { model } = ctx;
  const incident = incidentOf(ctx, slo, tier);
  const notifications = incidentNotifications(incident);
  const { step, timelines, startMs, fireBy, notBefore, badShare: r, perMinute } = incident;
  const checks: AlertRuleTest[] = [];
  const margin = 2 * step;
  // Only this SLO's burn alerts are in the scope's rules, so the checks expect only them: a tighter latency
  // objective burning alongside (its slow requests are slower than this threshold too) is proven by its own scenarios.
  const check = (at: number, firing: readonly BurnTierModel[]) =>
    checks.push({ eval_time: formatDuration(at), alertname: ALERT.errorBudgetBurn, exp_alerts: burnExpectation(ctx, slo, firing) });
  const early = firingTiersAt(timelines, notBefore, margin, step);
  if (early && !early.includes(tier)) check(notBefore, early);
  const onset = settledFiring(incident, tier);
  if (!onset) {
    throw new Error(
      `rule tests: ${model.name} ${slo.name} ${tier.name} tier is not predicted to fire by ${formatDuration(fireBy + onsetHorizonMs(step))} at a ${exact(r * 100)}% bad-event share: the rules or the scenario are wrong`,
    );
  }
  const { at } = onset;
  check(at, onset.firing);
  const checked = new Set([at]);
  const changes = notifications.flatMap((n) => [n.firingMs, n.resolvedMs]);
  const every = quietCheckMs(slo, tier, step);
  const later = [...changes.map((c) => roundUp(c + margin + step, step)), ...Array.from({ length: Math.floor((incident.endMs - at) / every) }, (_, i) => at + (i + 1) * every)];
  for (const t of [...new Set(later)].sort((a, b) => a - b)) {
    if (t <= at || t > incident.endMs - margin || checked.has(t)) continue;
    const state = firingTiersAt(timelines, t, margin, step);
    if (state === undefined) continue;
    check(t, state);
    checked.add(t);
  }
  const share = r === 1 ? 'a 100% outage' : `${exact(r * 100)}% bad ${slo.kind === 'latency' ? 'latency' : 'responses'}`;
  const resolved = notifications.find((n) => n.tier === tier);
  return {
    name:
      `${slo.name} ${tier.name} burn: after ${formatDuration(startMs)} of healthy traffic${perMinute === HEALTHY_PER_MINUTE ? '' : ` at ${exact(perMinute / 60)} req/s (the guard's minEvents needs it)`}, ${share} fires the ${tier.severity} ` +
      `by ${formatDuration(at - startMs)} (workbook ${formatDuration(Math.ceil(((tier.errorRatioThreshold / r) * tier.longWindowMs) / 1000) * 1000)} + ${formatDuration(ctx.base)} rate window + for ${formatDuration(tier.forMs)} + one ${formatDuration(step)} evaluation)` +
      (early && !early.includes(tier) ? `, and not before its for (${formatDuration(notBefore - startMs)})` : '') +
      `; after recovery at ${formatDuration(incident.recoveryMs - startMs)}` +
      (resolved ? ` it resolves by ${formatDuration(resolved.resolvedMs - incident.recoveryMs)}` : '') +
      `, and the SLO's alerts are checked until ${formatDuration(incident.endMs - incident.recoveryMs)} after it`,
    scope: { kind: 'burn', slo },
    minutes: incident.endMs / MINUTE,
    step,
    series: sloSeries(ctx, slo, incident.endMs / MINUTE, incident.events, incident.bad),
    checks,
  };
}

/**
 * Spacing of the quiet checks after an incident: the shortest `for` of the SLO's slower tiers (those that
 * could take over after the incident's tier), at least one step. An alert that fires stays firing for at least
 * the stretch its condition held, which past the quiet window is longer than the gap between two checks.
 */
function quietCheckMs(slo: SloModel, tier: BurnTierModel, step: number): number {
  const slower = slo.tiers.slice(slo.tiers.indexOf(tier) + 1);
  return Math.max(step, roundUp(Math.min(...(slower.length > 0 ? slower : [tier]).map((t) => t.forMs)), step));
}

/**
 * Requests the server never answered are failed requests (issue 17): the availability SLO's 100% outage of the
 * fast tier, with every failure recorded without a status code, as the shim records them: `error_type="unanswered"`
 * (the handler threw) and, unless `errors.clientAborts` is `'ignore'`, half of them `"aborted"` (the connection
 * closed first). It must fire as the status-code outage does, at the same evaluation.
 */
function unanswered(ctx: Ctx, slo: SloModel): Scenario | undefined {
  const { model } = ctx;
  if (model.kind !== 'http' || slo.kind !== 'availability') return undefined;
  const tier = slo.tiers[0];
  const incident = incidentOf(ctx, slo, tier);
  const onset = settledFiring(incident, tier);
  if (!onset) return undefined;
  const abortsFail = model.scope.ignoredErrorType === undefined;
  const share = (s: Segment, k: number) => ({ ...s, perMinute: s.perMinute * k });
  const failures: Partial<Record<Outcome, readonly Segment[]>> = abortsFail
    ? { unanswered: incident.bad.map((s) => share(s, 0.5)), aborted: incident.bad.map((s) => share(s, 0.5)) }
    : { unanswered: incident.bad };
  const minutes = onset.at / MINUTE + 1;
  const base = sloSeries(ctx, slo, incident.endMs / MINUTE, incident.events, incident.bad);
  // The status-code errors become failures without a status code; everything else is the incident's own input.
  const endpoint = endpointOf(ctx, slo);
  const errorSeries = new Set(Object.keys(histogram(model, 'error', '', '', endpoint)));
  const series = [
    ...base.filter((s) => !errorSeries.has(s.series)),
    ...Object.entries(failures).flatMap(([outcome, segments]) => {
      const values = counterValues(segments!);
      return Object.entries(histogram(model, outcome as Outcome, values, values, endpoint)).map(([s, v]) => ({ series: s, values: v }));
    }),
  ];
  return {
    name: `${slo.name} unanswered: a 100% outage of requests answered with no status code (error_type ${Object.keys(failures).join(' and ')}) fires the ${tier.name} ${tier.severity} at ${formatDuration(onset.at - incident.startMs)}, as an outage of ${model.scope.errorStatusRegex} responses does`,
    scope: { kind: 'tier', slo, tier },
    minutes,
    step: incident.step,
    series,
    checks: [{ eval_time: formatDuration(onset.at), alertname: ALERT.errorBudgetBurn, exp_alerts: burnExpectation(ctx, slo, onset.firing.filter((t) => t === tier)) }],
  };
}

/**
 * The budget policy's alert, per SLO: a 100% outage after an hour of healthy traffic spends the budget once the
 * bad requests reach `budget × window` of the window's expected traffic (43.2 minutes of full outage at 99.9%
 * over 30d, whatever the history), and the alert fires by then plus the base rate window, its `for` and two
 * evaluations, not before its `for`. And a service too quiet to judge: one failure among so few requests that
 * it alone would spend four budgets stays silent, by the guard.
 *
 * Evaluated at the coarsest step that reads every point of the budget's tiling subquery (`[30d:5m]` is read at
 * 5m): a coarser step would leave points of it empty and count the window's traffic short.
 */
function budgetExhausted(ctx: Ctx, slo: SloModel): Scenario[] {
  const { model } = ctx;
  const rule = ctx.rules.find((r) => r.alert === ALERT.errorBudgetExhausted && r.labels[LABEL.slo] === slo.name);
  if (!rule) return [];
  const forMs = BUDGET_EXHAUSTED_FOR_MS;
  const spacing = recordedSpacingMs(model, slo.windowMs);
  const step = [...STEP_MULTIPLES].map((k) => ctx.step * k).find((s) => s <= spacing && forMs % s === 0) ?? ctx.step;
  const expected = [expectedAlert(rule, outputLabels(model, 'service', slo.name))];
  const historyMs = 60 * MINUTE;
  const spentAt = historyMs + slo.errorBudget * slo.windowMs;
  const notBefore = roundUp(spentAt + forMs, step) - step;
  const firesBy = roundUp(spentAt + ctx.base + forMs + 2 * step, step);
  const minutes = firesBy / MINUTE + 1;
  const outage = sloSeries(ctx, slo, minutes, [{ minutes: historyMs / MINUTE, perMinute: HEALTHY_PER_MINUTE }, { minutes: minutes - historyMs / MINUTE, perMinute: HEALTHY_PER_MINUTE }], [{ minutes: historyMs / MINUTE, perMinute: 0 }, { minutes: minutes - historyMs / MINUTE, perMinute: HEALTHY_PER_MINUTE }]);
  // Quiet: a rate at which one failure is four budgets of the window's expected traffic.
  const quietPerMinute = Number((0.25 / (slo.errorBudget * (slo.windowMs / MINUTE))).toPrecision(6));
  const quietHistoryMin = 6 * 60;
  const quietCheck = roundUp(quietHistoryMin * MINUTE + ctx.base + forMs + 2 * step, step);
  const quietMinutes = quietCheck / MINUTE + 1;
  const quiet = sloSeries(
    ctx,
    slo,
    quietMinutes,
    [{ minutes: quietHistoryMin, perMinute: quietPerMinute }, { minutes: 1, perMinute: quietPerMinute + 1 }, { minutes: quietMinutes - quietHistoryMin - 1, perMinute: quietPerMinute }],
    [{ minutes: quietHistoryMin, perMinute: 0 }, { minutes: 1, perMinute: 1 }, { minutes: quietMinutes - quietHistoryMin - 1, perMinute: 0 }],
  );
  return [
    {
      name: `${slo.name} budget spent: after 1h of healthy traffic, a 100% outage spends the ${formatDuration(slo.windowMs)} budget at ${formatDuration(spentAt - historyMs)} and fires the ${rule.labels[LABEL.severity]} by ${formatDuration(firesBy - historyMs)}, not before its for (${rule.for})`,
      scope: { kind: 'budget', slo },
      minutes,
      step,
      series: outage,
      checks: [
        { eval_time: formatDuration(notBefore), alertname: ALERT.errorBudgetExhausted, exp_alerts: [] },
        { eval_time: formatDuration(firesBy), alertname: ALERT.errorBudgetExhausted, exp_alerts: expected },
      ],
    },
    {
      name: `${slo.name} budget at low traffic: one failure among ${exact(Number((quietPerMinute * quietHistoryMin).toPrecision(3)))} requests in ${quietHistoryMin / 60}h, four budgets of the window's expected traffic, stays silent (guard: ${Math.ceil(1 / slo.errorBudget)} requests)`,
      scope: { kind: 'budget', slo },
      minutes: quietMinutes,
      step,
      series: quiet,
      checks: [{ eval_time: formatDuration(quietCheck), alertname: ALERT.errorBudgetExhausted, exp_alerts: [] }],
    },
  ];
}

/** Longest window a gap scenario runs over: 6h, 360 evaluations at 1m (a day would be 1,440, 9 s of CPU). */
const GAP_PROOF_MAX_WINDOW_MS = 6 * 60 * MINUTE;

/**
 * Too few requests *happened* in a tier's long window, although their rate times the window is plenty: the
 * low-traffic guard must count events, not extrapolate a rate (issue 17).
 *
 * - `young`: the service (or Prometheus) starts now, at a rate whose 1-window extrapolation is twice the
 *   guard; a few bad requests follow. An extrapolating guard lets the tier fire within its `for`.
 * - `gap`: the same rate with 60% of the window unscraped (data loss, a Prometheus outage), then the bad
 *   requests: what remains of the window holds less than half the guard.
 *
 * Run at the service's own evaluation interval, where the guard's count is exact; so the gap, which needs most
 * of a long window, is proven on the tiers whose window is at most {@link GAP_PROOF_MAX_WINDOW_MS} (the same
 * rule text serves every tier). Undefined when a custom tier leaves no room for the shape (its `for` as long as
 * its short window).
 */
function sparseHistory(ctx: Ctx, slo: SloModel, tier: BurnTierModel, shape: 'young' | 'gap'): Scenario | undefined {
  if (tier.minEvents <= 0 || (shape === 'gap' && tier.longWindowMs > GAP_PROOF_MAX_WINDOW_MS)) return undefined;
  const step = ctx.step;
  const windowMin = tier.longWindowMs / MINUTE;
  const perMinute = (2 * tier.minEvents) / windowMin;
  const gap = shape === 'gap' ? { from: Math.round(0.2 * windowMin), to: Math.round(0.8 * windowMin) } : undefined;
  const badAtMin = (gap?.to ?? 0) + ctx.base / MINUTE + 5;
  const checkAt = roundUp(badAtMin * MINUTE + tier.forMs + 2 * step, step);
  if (checkAt - badAtMin * MINUTE >= tier.shortWindowMs) return undefined;
  const minutes = checkAt / MINUTE + 1;
  const windowFrom = Math.max(0, checkAt / MINUTE - windowMin);
  const scrapedMin = gap ? Math.max(0, gap.from - windowFrom) + (checkAt / MINUTE - gap.to) : checkAt / MINUTE;
  const happened = perMinute * scrapedMin;
  // Enough bad requests that both windows are over the threshold with room to spare, as the one failure of issue 17 was.
  const badRequests = Math.max(1, Math.ceil(2 * tier.errorRatioThreshold * happened));
  // The bad requests are requests too: with a guard of a few events they alone may satisfy it.
  if (happened + badRequests >= 0.9 * tier.minEvents) return undefined;
  const segment = (from: number, to: number, missing = false, extraBad = 0) => ({
    events: { minutes: to - from, perMinute: perMinute + extraBad, missing },
    bad: { minutes: to - from, perMinute: extraBad, missing },
  });
  const parts = [
    ...(gap ? [segment(0, gap.from), segment(gap.from, gap.to, true)] : []),
    segment(gap?.to ?? 0, badAtMin),
    segment(badAtMin, badAtMin + 1, false, badRequests),
    segment(badAtMin + 1, minutes),
  ].filter((p) => p.events.minutes > 0);
  const events = parts.map((p) => p.events);
  const bad = parts.map((p) => p.bad);
  const timelines = predictBurnAlerts(ctx.model, slo, { events: counterSamples(events), bad: counterSamples(bad) }, checkAt, step);
  const firing = firingTiersAt(timelines, checkAt, 2 * step, step);
  if (firing === undefined || firing.includes(tier)) {
    throw new Error(`rule tests: ${ctx.model.name} ${slo.name} ${tier.name} tier is predicted to fire on a ${shape} series of ${exact(happened)} requests (guard ${tier.minEvents}): the rules or the scenario are wrong`);
  }
  const scope = tierScope(slo, tier, firing);
  const story =
    shape === 'young'
      ? `a series born ${formatDuration(checkAt)} ago`
      : `a window with ${formatDuration((gap!.to - gap!.from) * MINUTE)} unscraped`;
  return {
    name: `${slo.name} low traffic, ${shape}: ${badRequests} bad of ${Math.floor(happened)} requests in ${story} (at ${exact(perMinute)}/min, ${formatDuration(tier.longWindowMs)} × rate = ${2 * tier.minEvents}, guard ${tier.minEvents}) does not fire the ${tier.name} tier`,
    scope,
    minutes,
    step,
    series: sloSeries(ctx, slo, minutes, events, bad),
    checks: [{ eval_time: formatDuration(checkAt), alertname: ALERT.errorBudgetBurn, exp_alerts: burnExpectation(ctx, slo, scope.kind === 'tier' ? [] : firing) }],
  };
}

/**
 * One bad request among too few to judge: `n` events per long window, fewer than the guard's minimum and
 * fewer than `1 / threshold` (so without the guard that single failure would cross the threshold).
 */
function lowTraffic(ctx: Ctx, slo: SloModel, tier: BurnTierModel): Scenario | undefined {
  const n = Math.floor(0.8 * Math.min(tier.minEvents, Math.ceil(1 / tier.errorRatioThreshold)));
  if (tier.minEvents <= 0 || n < 1) return undefined;
  const historyMin = tier.longWindowMs / MINUTE;
  const perMinute = n / historyMin;
  const step = scenarioStep(ctx, tier.shortWindowMs, tier.forMs);
  const checkAt = roundUp(historyMin * MINUTE + tier.forMs + 2 * step + MINUTE, step);
  const minutes = checkAt / MINUTE + 1;
  const events: Segment[] = [{ minutes, perMinute }];
  const badCounter = gaugeValues([
    { minutes: historyMin, value: 0 },
    { minutes: minutes - historyMin, value: 1 },
  ]);
  const series = sloSeries(ctx, slo, minutes, events, [{ minutes, perMinute: 0 }]);
  // Availability: the error counter (and its buckets) step to 1. Latency: the fast bucket lags the count by one request.
  const endpoint = endpointOf(ctx, slo);
  const lagging = lagByOne(events, historyMin, minutes);
  const patch: Record<string, string> =
    slo.kind === 'availability'
      ? histogram(ctx.model, 'error', badCounter, badCounter, endpoint)
      : Object.fromEntries(
          ctx.model.slos
            .filter((l) => l.kind === 'latency' && l.thresholdSeconds! <= slo.thresholdSeconds!)
            .map((l) => [histogramBucket(ctx.model, l.thresholdSeconds!, 'ok', endpoint), lagging]),
        );
  const patched = series.map((s) => (patch[s.series] === undefined ? s : { ...s, values: patch[s.series] }));
  return {
    name: `${slo.name} low traffic: one bad request among ${n} per ${formatDuration(tier.longWindowMs)} (guard: ${tier.minEvents}) does not fire the ${tier.name} tier`,
    scope: { kind: 'tier', slo, tier },
    minutes,
    step,
    series: patched,
    checks: [{ eval_time: formatDuration(checkAt), alertname: ALERT.errorBudgetBurn, exp_alerts: [] }],
  };
}

/**
 * A journey selects method and route *pairs*: a 100% outage of a request on one of its routes with a method it
 * does not select (`GET /checkout` for a journey of `POST /checkout` and `GET /orders/:id`) must not fire its
 * alerts, while its own requests are healthy. Selecting methods and routes as two regexes (a cross product)
 * would count that request in and page. Checked, against the journey SLO's burn rules, where a 100% outage of
 * its own requests fires its fastest tier.
 */
function journeyExclusion(ctx: Ctx, journey: JourneyModel): Scenario | undefined {
  const { model } = ctx;
  const outside = outsideEndpoint(journey);
  const slo = model.slos.find((s) => s.journey === journey);
  if (!outside || !slo) return undefined;
  const tier = slo.tiers[0];
  const { fireBy, startMs, step, endMs, perMinute } = incidentOf(ctx, slo, tier);
  const minutes = Math.min(endMs, fireBy + step) / MINUTE;
  const c = (segments: Segment[]) => counterValues(segments);
  const healthy = c([{ minutes, perMinute }]);
  const broken = c([{ minutes: startMs / MINUTE, perMinute: 0 }, { minutes: minutes - startMs / MINUTE, perMinute }]);
  const fine = c([{ minutes, perMinute }]);
  const outage =
    slo.kind === 'availability'
      ? { ...histogram(model, 'ok', c([{ minutes: startMs / MINUTE, perMinute }, { minutes: minutes - startMs / MINUTE, perMinute: 0 }]), c([{ minutes: startMs / MINUTE, perMinute }, { minutes: minutes - startMs / MINUTE, perMinute: 0 }]), outside), ...histogram(model, 'error', broken, broken, outside) }
      : histogram(model, 'ok', fine, c([{ minutes: startMs / MINUTE, perMinute }, { minutes: minutes - startMs / MINUTE, perMinute: 0 }]), outside, slo.thresholdSeconds);
  const own = endpointOf(ctx, slo)!;
  const series = healthySeries(ctx, minutes, { ...histogram(model, 'ok', healthy, healthy, own), ...outage }, [], restOfServicePerMinute(ctx, perMinute));
  return {
    name:
      `${journey.name} journey selects method and route pairs: a 100% ${slo.kind === 'availability' ? 'outage' : 'slowdown'} of ${outside.method} ${outside.route}, a route of the journey with a method it does not take, ` +
      `fires no ${slo.name} burn alert by ${formatDuration(fireBy - startMs)} (when its own requests' outage fires the ${tier.name} tier) while ${own.method} ${own.route} is healthy`,
    scope: { kind: 'tier', slo, tier },
    minutes,
    step,
    series,
    checks: [{ eval_time: formatDuration(fireBy), alertname: ALERT.errorBudgetBurn, exp_alerts: [] }],
  };
}

/** A fast-bucket counter equal to the event counter minus one slow request from `fromMinute` on. */
function lagByOne(events: readonly Segment[], fromMinute: number, minutes: number): string {
  const samples = counterSamples(events).slice(0, minutes + 1);
  return samples.map((v, i) => (v === undefined ? '_' : String(Number((i >= fromMinute ? v - 1 : v).toPrecision(12))))).join(' ');
}

/**
 * A scenario that breaks one thing at `conditionFromMs` and checks one alert before and after its `for`.
 * `windowMs`, the shortest window the alert averages over, lets a long scenario run at a coarser step.
 */
function single(
  ctx: Ctx,
  alert: AlertName,
  by: 'service' | 'container' | 'autoscaler',
  story: string,
  series: (minutes: number) => InputSeries[],
  conditionFromMs: number,
  rampMs = 0,
  windowMs?: number,
): Scenario | undefined {
  const rule = ctx.rules.find((r) => r.alert === alert);
  if (!rule) return undefined;
  const forMs = parseForMs(rule.for);
  const step = windowMs === undefined ? ctx.step : scenarioStep(ctx, windowMs, forMs);
  const firesBy = roundUp(conditionFromMs + rampMs + forMs + 2 * step, step);
  const minutes = firesBy / MINUTE + 1;
  const notYet = roundUp(conditionFromMs + forMs, step) - step;
  const checks: AlertRuleTest[] = [];
  if (notYet > 0) checks.push({ eval_time: formatDuration(notYet), alertname: alert, exp_alerts: [] });
  checks.push({ eval_time: formatDuration(firesBy), alertname: alert, exp_alerts: [expectedAlert(rule, outputLabels(ctx.model, by))] });
  return { name: `${alert}: ${story}, fires by ${formatDuration(firesBy)} and not before its for (${rule.for})`, scope: { kind: 'alert', alert }, minutes, step, series: series(minutes), checks };
}

function parseForMs(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m) throw new Error(`unexpected for: ${text}`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

function simpleAlertScenarios(ctx: Ctx): Scenario[] {
  const { model } = ctx;
  /** Successful requests, all fast. */
  const both = (values: string) => histogram(model, 'ok', values, values);
  const stepTo = (minutes: number, before: number, after: number, atMin: number) =>
    gaugeValues([
      { minutes: atMin, value: before },
      { minutes: minutes - atMin, value: after },
    ]);
  const at = 30;
  const out: Array<Scenario | undefined> = [];

  const idle = model.traffic.noTrafficForMs;
  if (idle !== undefined) {
    out.push(
      single(
        ctx,
        ALERT.trafficAbsent,
        'service',
        `traffic stops at ${at}m and stays at zero for ${formatDuration(idle)}`,
        (m) => {
          const stops = (perMinute: number) => counterValues([{ minutes: at, perMinute }, { minutes: m - at, perMinute: 0 }]);
          const errors = stops(HEALTHY_PER_MINUTE * (model.slos.find((x) => x.kind === 'availability')?.errorBudget ?? 0) / 10);
          return healthySeries(ctx, m, { ...histogram(model, 'ok', stops(HEALTHY_PER_MINUTE), stops(HEALTHY_PER_MINUTE)), ...histogram(model, 'error', errors, errors) });
        },
        at * MINUTE + idle,
      ),
    );
  }
  if (model.traffic.dropBelowLastWeek !== undefined) {
    const week = 7 * 24 * 60;
    const share = model.traffic.dropBelowLastWeek / 2;
    const dropAt = week + 60;
    out.push(
      single(
        ctx,
        ALERT.trafficDrop,
        'service',
        `after a week at 10 req/s, traffic falls to ${exact(share * 100)}% at 1w1h`,
        (m) =>
          healthySeries(ctx, m, {
            ...both(
              // Only the hours around "now" and "a week ago" are scraped: the days between matter to no rule.
              counterValues([
                { minutes: 3 * 60, perMinute: HEALTHY_PER_MINUTE },
                { minutes: dropAt - 5 * 60, perMinute: HEALTHY_PER_MINUTE, missing: true },
                { minutes: 2 * 60, perMinute: HEALTHY_PER_MINUTE },
                { minutes: m - dropAt, perMinute: HEALTHY_PER_MINUTE * share },
              ]),
            ),
          }),
        dropAt * MINUTE,
        35 * MINUTE, // the 30m averages need (1 - s) / (1 - s/2) of their window, plus the 5m rate ramp
        model.timings.trafficDropWindowMs,
      ),
    );
  }
  if (model.capacity.requestsPerSecond !== undefined) {
    const perMinute = model.capacity.requestsPerSecond * 2 * 1.5 * 60;
    out.push(
      single(
        ctx,
        ALERT.trafficAboveCapacity,
        'service',
        `two pods serve 1.5x their declared ${exact(model.capacity.requestsPerSecond)} req/s each from ${at}m`,
        (m) => healthySeries(ctx, m, both(counterValues([{ minutes: at, perMinute: HEALTHY_PER_MINUTE }, { minutes: m - at, perMinute }]))),
        at * MINUTE,
        ctx.base,
      ),
    );
  }
  const s = model.saturation;
  out.push(
    single(
      ctx,
      ALERT.cpuNearLimit,
      'container',
      `CPU rises to ${exact(((1 + s.cpuOfLimit) / 2) * 100)}% of the limit at ${at}m`,
      (m) => healthySeries(ctx, m, { [cluster.containerCpu(model)]: counterValues([{ minutes: at, perMinute: 18 }, { minutes: m - at, perMinute: 60 * ((1 + s.cpuOfLimit) / 2) }]) }),
      at * MINUTE,
      ctx.base,
    ),
    single(
      ctx,
      ALERT.cpuAboveRequest,
      'container',
      `CPU rises to ${exact(s.cpuOfRequest * 1.5 * 50)}% of the limit (${exact(s.cpuOfRequest * 1.5 * 100)}% of the request) at ${at}m`,
      (m) => healthySeries(ctx, m, { [cluster.containerCpu(model)]: counterValues([{ minutes: at, perMinute: 18 }, { minutes: m - at, perMinute: 60 * 0.5 * s.cpuOfRequest * 1.5 }]) }),
      at * MINUTE,
      ctx.base,
    ),
    single(
      ctx,
      ALERT.memoryNearLimit,
      'container',
      `the working set grows to ${exact(((1 + s.memoryOfLimit) / 2) * 100)}% of the limit at ${at}m`,
      (m) => healthySeries(ctx, m, { [cluster.memory(model)]: stepTo(m, 300 * 2 ** 20, Math.round(2 ** 30 * ((1 + s.memoryOfLimit) / 2)), at) }),
      at * MINUTE,
    ),
    single(
      ctx,
      ALERT.eventLoopSaturated,
      'service',
      `the event loop becomes ${exact(((1 + s.eventLoopUtilization) / 2) * 100)}% busy at ${at}m`,
      (m) => {
        const busy = (1 + s.eventLoopUtilization) / 2;
        return healthySeries(ctx, m, {
          [runtime.eventLoop(model, 'active')]: counterValues([{ minutes: at, perMinute: 12 }, { minutes: m - at, perMinute: 60 * busy }]),
          [runtime.eventLoop(model, 'idle')]: counterValues([{ minutes: at, perMinute: 48 }, { minutes: m - at, perMinute: 60 * (1 - busy) }]),
        });
      },
      at * MINUTE,
      ctx.base,
    ),
    single(
      ctx,
      ALERT.eventLoopDelayHigh,
      'service',
      `event-loop delay p99 doubles past ${formatDuration(s.eventLoopDelayP99Seconds * 1000)} at ${at}m`,
      (m) => healthySeries(ctx, m, { [runtime.eventLoopDelay(model)]: stepTo(m, 0.02, s.eventLoopDelayP99Seconds * 2, at) }),
      at * MINUTE,
    ),
  );
  const limit = model.capacity.concurrentRequests;
  if (limit !== undefined) {
    const inFlight = limit * (1 + s.inFlightOfLimit) * 0.5;
    out.push(
      single(
        ctx,
        ALERT.inFlightNearLimit,
        'service',
        `${exact(inFlight)} of ${exact(limit)} requests are in flight from ${at}m`,
        (m) => healthySeries(ctx, m, { [runtime.inFlight(model)]: stepTo(m, 5, inFlight, at) }),
        at * MINUTE,
      ),
    );
  }
  if (model.scaling) {
    const metric = [eq(LABEL.hpaMetricName, 'cpu'), eq(LABEL.hpaMetricTargetType, 'utilization')];
    out.push(
      single(
        ctx,
        ALERT.autoscalerMaxedOut,
        'autoscaler',
        `the autoscaler reaches ${model.scaling.maxReplicas} replicas at ${at}m with CPU at 95% against a 70% target`,
        (m) =>
          healthySeries(ctx, m, {
            [cluster.hpa(model, CLUSTER_METRIC.hpaCurrentReplicas)]: stepTo(m, model.scaling!.minReplicas, model.scaling!.maxReplicas, at),
            [cluster.hpa(model, CLUSTER_METRIC.hpaStatusTarget, metric)]: stepTo(m, 50, 95, at),
          }),
        at * MINUTE,
      ),
    );
  }
  out.push(
    single(
      ctx,
      ALERT.targetsDown,
      'service',
      `both targets stop answering scrapes at ${at}m`,
      (m) => healthySeries(ctx, m, { [cluster.up(model)]: stepTo(m, 1, 0, at), [cluster.up(model, '10.0.0.2:9464')]: stepTo(m, 1, 0, at) }),
      at * MINUTE,
    ),
    single(
      ctx,
      ALERT.signalsMissing,
      'service',
      'targets are up but no request histogram was ever exported',
      (m) =>
        healthySeries(ctx, m, {}, [...Object.keys(histogram(model, 'ok', '', '')), ...Object.keys(histogram(model, 'error', '', ''))]),
      0,
    ),
  );
  return out.filter((x): x is Scenario => x !== undefined);
}

/**
 * One pool's scenarios, on its series alone (no other rule is checked, so no other series is needed, and the
 * short inputs keep them cheap): a healthy pool raises none of its alerts, and each alert fires from its fault.
 * The fault starts at 10m; the healthy check runs past every pool alert's window and `for`.
 */
function poolScenarios(ctx: Ctx, pool: PoolModel): Scenario[] {
  const { model } = ctx;
  const { nameLabel, units } = POOL_SERIES[pool.kind];
  const alerts = POOL_ALERTS[pool.kind];
  const scope: Scope = { kind: 'pool', pool };
  const rules = ctx.rules.filter(provenBy(scope));
  const at = 10;
  const latency = poolBurnObjective(model)?.thresholdSeconds;
  const bounds = [...new Set([pool.maxWaitSeconds, ...(latency === undefined ? [] : [latency])])];
  /**
   * The pool's series for `minutes`: `used` units from `at` on (30% of the pool before), and 600 waits a minute
   * of which `slowShare` take `slowSeconds` from `at` on (none before); the rest get a unit at once.
   */
  const series = (minutes: number, used: number, slowShare: number, slowSeconds: number): InputSeries[] => {
    const healthyUsed = Math.round(pool.size * 0.3);
    const g = (before: number, after: number) => gaugeValues([{ minutes: at, value: before }, { minutes: minutes - at, value: after }]);
    const waits = (share: number) => counterValues([{ minutes: at, perMinute: HEALTHY_PER_MINUTE }, { minutes: minutes - at, perMinute: HEALTHY_PER_MINUTE * (1 - share) }]);
    return [
      { series: poolSeries.units(model, pool, 'used'), values: g(healthyUsed, used) },
      { series: poolSeries.units(model, pool, 'idle'), values: g(pool.size - healthyUsed, pool.size - used) },
      { series: poolSeries.max(model, pool), values: g(pool.size, pool.size) },
      { series: poolSeries.pending(model, pool), values: g(0, used >= pool.size ? 5 : 0) },
      { series: poolSeries.waitCount(model, pool), values: waits(0) },
      { series: poolSeries.waitBucket(model, pool, '+Inf'), values: waits(0) },
      ...bounds.map((b) => ({ series: poolSeries.waitBucket(model, pool, b), values: waits(b >= slowSeconds ? 0 : slowShare) })),
    ];
  };
  const output = (rule: AlertingRule): Record<string, string> => {
    const perPod: Record<string, string> = rule.alert === alerts.nearExhaustion ? { [LABEL.instance]: '10.0.0.1:9464' } : {};
    return { ...outputLabels(model, 'service'), ...perPod, [nameLabel]: pool.name };
  };
  const fires = (rule: AlertingRule, story: string, rampMs: number, build: (minutes: number) => InputSeries[]): Scenario => {
    const forMs = parseForMs(rule.for);
    const firesBy = roundUp(at * MINUTE + rampMs + forMs + 2 * ctx.step, ctx.step);
    const notYet = roundUp(at * MINUTE + forMs, ctx.step) - ctx.step;
    const minutes = firesBy / MINUTE + 1;
    return {
      name: `${rule.alert} (${pool.name}): ${story}, fires by ${formatDuration(firesBy)} and not before its for (${rule.for})`,
      scope,
      minutes,
      step: ctx.step,
      series: build(minutes),
      checks: [
        { eval_time: formatDuration(notYet), alertname: rule.alert, exp_alerts: [] },
        { eval_time: formatDuration(firesBy), alertname: rule.alert, exp_alerts: [expectedAlert(rule, output(rule))] },
      ],
    };
  };
  const out: Scenario[] = [];
  const healthyMinutes = Math.max(...rules.map((r) => (at * MINUTE + ctx.base + parseForMs(r.for)) / MINUTE)) + 5;
  out.push({
    name: `pool ${pool.name} healthy: 30% of ${pool.size} ${units} in use and no wait raises none of its alerts`,
    scope,
    minutes: healthyMinutes,
    step: ctx.step,
    series: series(healthyMinutes, Math.round(pool.size * 0.3), 0, 0),
    checks: [...new Set(rules.map((r) => r.alert))].map((alertname) => ({ eval_time: `${healthyMinutes}m`, alertname, exp_alerts: [] })),
  });
  for (const rule of rules) {
    switch (rule.alert) {
      case alerts.nearExhaustion:
        out.push(fires(rule, `all ${pool.size} ${units} are in use from ${at}m with 5 requests waiting`, 0, (m) => series(m, pool.size, 0, 0)));
        break;
      case alerts.waitSlow:
        out.push(
          fires(rule, `5% of requests for the pool wait ${formatDuration(Math.round(pool.maxWaitSeconds * 1500))} from ${at}m`, ctx.base, (m) =>
            series(m, Math.round(pool.size * 0.3), 0.05, pool.maxWaitSeconds * 1.5),
          ),
        );
        break;
      case alerts.waitBreaksLatency: {
        const slo = poolBurnObjective(model)!;
        const share = Math.min(1, 2 * POOL_WAIT_BURN_FACTOR * slo.errorBudget);
        out.push(
          fires(rule, `${exact(share * 100)}% of requests for the pool wait twice the latency threshold from ${at}m`, ctx.base, (m) =>
            series(m, Math.round(pool.size * 0.3), share, slo.thresholdSeconds! * 2),
          ),
        );
        break;
      }
    }
  }
  return out;
}
