/**
 * The error-budget report's arithmetic, proven by a real promtool: the service's generated rules record
 * synthetic traffic, and `promql_expr_test` evaluates the report's own queries (Grafana's variables filled in
 * as Grafana fills them) against what they recorded.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { budgetReportQueries } from '../../src/dashboards';
import { serviceRules, toYaml } from '../../src/rules';
import { counterValues, targetLabels } from '../../src/rules/tests/series';
import { LABEL, METRIC } from '../../src/signals/contract';
import { eq, selector } from '../../src/signals/promql';
import { describeWithBinary, run } from '../support/binaries';
import { EXAMPLE_MODELS } from './fixtures';

const [checkout] = EXAMPLE_MODELS;

/**
 * Two hours of checkout traffic at 2,000 requests a minute, 1 of them failing: 0.75 a minute on POST /checkout and
 * 0.25 on GET /cart (binary fractions, so the counters add up without float noise). Against the 0.1% budget that
 * is an error ratio of 0.05%, a burn rate of 0.5, half the budget left.
 */
const MINUTES = 120;
const traffic: ReadonlyArray<{ method: string; route: string; status: string; perMinute: number }> = [
  { method: 'GET', route: '/cart', status: '200', perMinute: 1000 },
  { method: 'POST', route: '/checkout', status: '200', perMinute: 999 },
  { method: 'POST', route: '/checkout', status: '500', perMinute: 0.75 },
  { method: 'GET', route: '/cart', status: '500', perMinute: 0.25 },
];

const inputSeries = traffic.map((t) => ({
  series: selector(`${METRIC.httpDuration}_count`, [
    ...targetLabels(checkout),
    eq(LABEL.method, t.method),
    eq(LABEL.route, t.route),
    eq(LABEL.statusCode, t.status),
  ]),
  values: counterValues([{ minutes: MINUTES, perMinute: t.perMinute }]),
}));

/**
 * Evaluated half a minute after the last rule evaluation, as a Grafana "now" falls between them: a one-hour
 * range then holds exactly 60 recorded samples (Prometheus 2 ranges include both ends, so on the minute it would
 * hold 61) and 60 scrapes of each counter, which `increase()` extrapolates to the full hour.
 */
const EVAL_TIME = '2h30s';

/**
 * promtool compares sample values exactly, and a sum of 60 recorded rates carries last-digit float noise (it
 * returns 0.5000000000000001 for 0.5). Each query is wrapped in `round(…, 2^-20)`: a power of two, so rounding
 * is exact, and a millionth, far below any decimal the panels show.
 */
const ROUNDING = String(2 ** -20);
const RANGE = '3600s';

const query = (panelId: number, refId: string): string => {
  const q = budgetReportQueries(checkout, { range: RANGE }).find((x) => x.panelId === panelId && x.refId === refId);
  if (!q) throw new Error(`no query ${panelId}/${refId}`);
  return q.expr;
};

const slo = { [LABEL.namespace]: checkout.namespace, [LABEL.job]: checkout.name, [LABEL.slo]: 'availability' };

/** What each query must return, and why. */
const EXPECTATIONS: ReadonlyArray<{ what: string; panelId: number; refId: string; samples: { labels: Record<string, string>; value: number }[] }> = [
  { what: 'budget left over the range: 1 − 0.0005 / 0.001', panelId: 101, refId: 'A', samples: [{ labels: slo, value: 0.5 }] },
  { what: 'burn rate over the range', panelId: 104, refId: 'A', samples: [{ labels: slo, value: 0.5 }] },
  { what: 'burn rate over the last hour', panelId: 104, refId: 'B', samples: [{ labels: slo, value: 0.5 }] },
  {
    what: 'failed requests per route: 45 and 15 in the hour',
    panelId: 107,
    refId: 'A',
    samples: [
      { labels: { [LABEL.route]: '/checkout' }, value: 45 },
      { labels: { [LABEL.route]: '/cart' }, value: 15 },
    ],
  },
  {
    what: 'budget spent per route: 45 and 15 of the 120 failures that 120,000 requests allow; together the half spent',
    panelId: 107,
    refId: 'B',
    samples: [
      { labels: { [LABEL.route]: '/checkout' }, value: 0.375 },
      { labels: { [LABEL.route]: '/cart' }, value: 0.125 },
    ],
  },
  {
    what: 'failed requests of the place-order journey (POST /checkout and GET /orders/:id): the 45 of POST /checkout',
    panelId: 108,
    refId: 'A',
    samples: [{ labels: { [LABEL.journey]: 'place-order' }, value: 45 }],
  },
  {
    what: 'budget spent by the place-order journey: 45 of the 120 failures the service-wide objective allows',
    panelId: 108,
    refId: 'B',
    samples: [{ labels: { [LABEL.journey]: 'place-order' }, value: 0.375 }],
  },
  {
    // The rolling 30d budget counts against the traffic the whole window will hold: 24 of its 8,640 five-minute
    // steps have data (the rule reads it through a [30d:5m] subquery), so 0.5 × 24 / 8,640 = 1/720 of it is spent.
    // At a burn rate of 0.5 the 719/720 left last 719/720 × 30d / 0.5 = 5,176,800 s.
    what: 'time to exhaustion of the rolling budget at the last hour burn rate',
    panelId: 105,
    refId: 'A',
    samples: [{ labels: slo, value: 5_176_800 }],
  },
];

describeWithBinary('promtool', 'the error-budget report, evaluated by promtool on the rules it reads', (promtool) => {
  it('returns the budget, burn rate, route and journey shares and time to exhaustion its arithmetic says', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-budget-'));
    try {
      fs.writeFileSync(path.join(dir, 'rules.yaml'), toYaml(serviceRules(checkout)));
      const test = {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'error-budget report',
            interval: '1m',
            input_series: inputSeries,
            promql_expr_test: EXPECTATIONS.map((e) => ({
              expr: `round(${query(e.panelId, e.refId)}, ${ROUNDING})`,
              eval_time: EVAL_TIME,
              exp_samples: e.samples.map((s) => ({ labels: `{${Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`, value: s.value })),
            })),
          },
        ],
      };
      fs.writeFileSync(path.join(dir, 'report.test.yaml'), toYaml(test));
      const { status, output } = run(promtool, ['test', 'rules', path.join(dir, 'report.test.yaml')], 120_000);
      expect(output).toContain('SUCCESS');
      expect(status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 130_000);

  it('uses a rule evaluation interval of one minute, as the recorded sums above assume', () => {
    expect(checkout.alerting.evaluationIntervalMs).toBe(60_000);
  });
});
