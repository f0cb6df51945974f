/**
 * Detection time of each burn tier for a 100% outage of a 99.9% / 30d availability SLO, measured with
 * `promtool test rules` on the generated rules.
 *
 *   npx ts-node --transpile-only bench/rules/detection.ts
 *
 * Per tier: the rule file is serviceRules() of the one-SLO service (bench/rules/definitions.ts) with only
 * that tier's burn alert kept (all recording rules stay), so a test expecting exactly that alert passes iff
 * it fires. The input is the tier's long window of healthy traffic (10 req/s, no errors), then every
 * request fails. A binary search over the eval_time finds the first minute at which promtool confirms the
 * alert firing. The same search on a copy of the alert with `for: 0s` finds when its expression first
 * holds, which splits the measured time into "expression" and "for".
 *
 * Prometheus keeps an alert's state between evaluations, and an outage never heals here, so "firing at t"
 * is monotonic in t and the binary search is exact to the minute (the evaluation interval).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BurnTierModel, resolveService, ServiceModel } from '../../src/model';
import { AlertingRule, isAlertingRule, Rule, RuleFile, serviceRules, toYaml } from '../../src/rules';
import type { PromtoolTestFile } from '../../src/rules/tests';
import { counterValues, histogramCount } from '../../src/rules/tests/series';
import { LABEL } from '../../src/signals/contract';
import { ALERT } from '../../src/signals/recorded';
import { formatDuration } from '../../src/spec';
import { ONE_SLO } from './definitions';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const MINUTE = 60_000;
/** Healthy traffic, as in the generated tests (src/rules/tests): 10 requests per second. */
const PER_MINUTE = 600;
/** How far past `for` the search looks; every tier fires well within it at a 100% outage. */
const SEARCH_BEYOND_FOR_MIN = 60;
/** No single promtool run may hang the benchmark. */
const PROMTOOL_TIMEOUT_MS = 5 * 60_000;

let runs = 0;

/** The service's rules with only `tier`'s burn alert, optionally with its `for` replaced. */
function tierRules(model: ServiceModel, tier: BurnTierModel, forOverride?: string): { file: RuleFile; alert: AlertingRule } {
  const full = serviceRules(model);
  const isTier = (r: AlertingRule) => r.alert === ALERT.errorBudgetBurn && r.labels[LABEL.burnTier] === tier.name;
  let alert: AlertingRule | undefined;
  const groups = full.groups.map((g) => ({
    ...g,
    rules: g.rules.flatMap((r): Rule[] => {
      if (!isAlertingRule(r)) return [r];
      if (!isTier(r)) return [];
      alert = forOverride === undefined ? r : { ...r, for: forOverride };
      return [alert];
    }),
  }));
  if (!alert) throw new Error(`no ${tier.name} burn alert in the generated rules`);
  return { file: { groups }, alert };
}

/** Does promtool see `alert` firing `atMin` minutes after the outage starts? */
function firesAt(dir: string, model: ServiceModel, tier: BurnTierModel, alert: AlertingRule, atMin: number, totalMin: number): boolean {
  const historyMin = tier.longWindowMs / MINUTE;
  const outageMin = totalMin - historyMin;
  const test: PromtoolTestFile = {
    rule_files: ['rules.yaml'],
    evaluation_interval: formatDuration(model.alerting.evaluationIntervalMs),
    tests: [
      {
        name: `${tier.name}: ${historyMin}m healthy, then 100% errors; firing at +${atMin}m?`,
        interval: '1m',
        input_series: [
          { series: histogramCount(model, 'ok'), values: counterValues([{ minutes: historyMin, perMinute: PER_MINUTE }, { minutes: outageMin, perMinute: 0 }]) },
          { series: histogramCount(model, 'error'), values: counterValues([{ minutes: historyMin, perMinute: 0 }, { minutes: outageMin, perMinute: PER_MINUTE }]) },
        ],
        alert_rule_test: [
          {
            eval_time: formatDuration((historyMin + atMin) * MINUTE),
            alertname: alert.alert,
            exp_alerts: [
              {
                // The expression's own labels (those of the recorded ratio), then the rule's.
                exp_labels: { [LABEL.namespace]: model.namespace, [LABEL.job]: model.name, ...alert.labels },
                exp_annotations: alert.annotations,
              },
            ],
          },
        ],
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'test.yaml'), toYaml(test));
  runs++;
  const r = spawnSync(PROMTOOL, ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8', timeout: PROMTOOL_TIMEOUT_MS });
  if (r.error) throw r.error;
  if (r.status === 0) return true;
  // A failure must be the expectation (the alert not firing yet), never a broken file.
  if (!/FAILED:[\s\S]*alertname: ErrorBudgetBurn/.test(r.stdout + r.stderr)) throw new Error(`promtool failed unexpectedly:\n${r.stdout}${r.stderr}`);
  return false;
}

/** First whole minute after the outage starts at which the alert fires (binary search; fires(hi) must hold). */
function firstFiring(model: ServiceModel, tier: BurnTierModel, forOverride?: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detection-'));
  try {
    const { file, alert } = tierRules(model, tier, forOverride);
    fs.writeFileSync(path.join(dir, 'rules.yaml'), toYaml(file));
    const forMin = forOverride === undefined ? tier.forMs / MINUTE : 0;
    let lo = 0;
    let hi = forMin + SEARCH_BEYOND_FOR_MIN;
    const totalMin = tier.longWindowMs / MINUTE + hi + 1;
    if (firesAt(dir, model, tier, alert, lo, totalMin)) throw new Error(`${tier.name} fires before the outage`);
    if (!firesAt(dir, model, tier, alert, hi, totalMin)) throw new Error(`${tier.name} does not fire within ${hi}m of the outage`);
    // Invariant: not firing at lo, firing at hi. At most log2(hi) more promtool runs.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (firesAt(dir, model, tier, alert, mid, totalMin)) hi = mid;
      else lo = mid;
    }
    return hi;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** "3m", "51.8s", "4.32m": seconds below a minute, minutes with up to 2 decimals otherwise. */
function human(ms: number): string {
  if (ms < MINUTE) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${Number((ms / MINUTE).toFixed(2))}m`;
}

function main(): void {
  const started = Date.now();
  const version = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const model = resolveService(ONE_SLO.availability);
  const slo = model.slos[0];
  const step = model.alerting.evaluationIntervalMs;
  console.log(`${version}; availability SLO ${slo.objectivePercent}% over ${formatDuration(slo.windowMs)}, rules evaluated every ${formatDuration(step)}, input sampled every 1m`);
  console.log('detection = first eval_time (after the outage starts) at which promtool confirms the tier firing\n');
  console.log('| tier | long / short window | threshold (factor × budget) | `for` | Workbook: threshold / 1 × long window | Workbook + `for` + 1 evaluation | measured: expression true | measured: firing | generated test bound (+5m ramp) |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const tier of slo.tiers) {
    // SRE Workbook: time to fire = threshold / error ratio × alerting window; the error ratio is 1 here.
    const workbookMs = tier.errorRatioThreshold * tier.longWindowMs;
    const expectedMs = workbookMs + tier.forMs + step;
    const boundMs = workbookMs + 5 * MINUTE + tier.forMs + step;
    const trueAt = firstFiring(model, tier, '0s');
    const firingAt = firstFiring(model, tier);
    console.log(
      `| ${tier.name} | ${formatDuration(tier.longWindowMs)} / ${formatDuration(tier.shortWindowMs)} | ${Number((tier.errorRatioThreshold * 100).toPrecision(6))}% (${Number(tier.factor.toPrecision(6))}×) | ` +
        `${formatDuration(tier.forMs)} | ${human(workbookMs)} | ${human(expectedMs)} | ${trueAt}m | ${firingAt}m | ${human(boundMs)} |`,
    );
  }
  console.log(`\n${runs} promtool runs, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main();
