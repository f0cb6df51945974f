import { appDashboards, budgetReport, budgetReportQueries, serializeDashboard, serviceDashboard, type DashboardJson, type PanelJson } from '../../src/dashboards';
import { resolveService } from '../../src/model';
import type { ServiceModel, SloModel } from '../../src/model/types';
import { dashboardUid, MAX_UID_LENGTH } from '../../src/model/uid';
import { serviceRules } from '../../src/rules';
import { isAlertingRule } from '../../src/rules/types';
import { baseWindow } from '../../src/rules/windows';
import { LABEL, METRIC } from '../../src/signals/contract';
import { errorIncrease, errorRate } from '../../src/signals/queries';
import { catalog } from '../../examples/services';
import { bare, EXAMPLE_MODELS, worker } from './fixtures';
import { matchers, metricName, parsePromql, walk } from './lint';

const [checkout] = EXAMPLE_MODELS;
const report = (m: ServiceModel): DashboardJson => budgetReport(m)!;
const panels = (d: DashboardJson): PanelJson[] => d.panels.filter((p) => p.type !== 'row');
const rows = (d: DashboardJson): PanelJson[] => d.panels.filter((p) => p.type === 'row');
const titled = (d: DashboardJson, title: string): PanelJson => {
  const p = panels(d).find((x) => x.title === title);
  if (!p) throw new Error(`no panel "${title}" in ${d.uid}: ${panels(d).map((x) => x.title).join(', ')}`);
  return p;
};
const exprs = (p: PanelJson): string[] => (p.targets ?? []).map((t) => t.expr);

/** Every selector of a query with its metric name and matchers, the Grafana variables filled in. */
function selectors(expr: string): { metric: string; matchers: string[] }[] {
  const tree = parsePromql(expr.replace(/\$namespace/g, 'shop').replace(/\$__range/g, '3600s'))!;
  return [...walk(tree)]
    .filter(({ node }) => node.name === 'VectorSelector')
    .map(({ node }) => ({ metric: metricName(node) ?? '', matchers: matchers(node).map((m) => `${m.label}${m.op}${m.value}`) }));
}

/** A service with a third SLO, as the several-objectives and journey work will add them: the report must loop. */
function withExtraSlo(model: ServiceModel): ServiceModel {
  const latency = model.slos.find((s) => s.kind === 'latency')!;
  const tail: SloModel = { ...latency, name: 'latency-tail', objective: 0.995, objectivePercent: 99.5, errorBudget: 0.005, thresholdSeconds: 1 };
  return { ...model, slos: [...model.slos, tail] };
}

describe('the error-budget report', () => {
  it.each(EXAMPLE_MODELS.map((m) => [m.name, m] as const))('of %s has the stable uid the alerts budget_report_url points at', (_name, m) => {
    const d = report(m);
    expect(d.uid).toBe(dashboardUid(m.namespace, m.name, 'budget'));
    expect(d.uid).toBe(m.alerting.budgetReportUid);
    expect(d.uid).not.toBe(serviceDashboard(m).uid);
    expect(d.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it('is gs-<namespace>-<service>-budget, the same on every synth', () => {
    expect(report(checkout).uid).toBe('gs-shop-checkout-budget');
    expect(serializeDashboard(report(resolveService(checkout.definition)))).toBe(serializeDashboard(report(checkout)));
  });

  it('keeps its uid within 40 characters, distinct from the service dashboard, for the longest names Kubernetes allows', () => {
    const long = resolveService({ ...catalog, name: 'a'.repeat(63), namespace: 'b'.repeat(63) });
    expect(report(long).uid.length).toBeLessThanOrEqual(MAX_UID_LENGTH);
    expect(report(long).uid).toBe(long.alerting.budgetReportUid);
    expect(report(long).uid).not.toBe(long.alerting.dashboardUid);
  });

  it('does not exist for a service without SLOs, which has no budget', () => {
    expect(budgetReport(bare)).toBeUndefined();
    expect(budgetReportQueries(bare)).toEqual([]);
  });

  it('follows its service dashboard in the app dashboards, before the fleet overview', () => {
    expect(appDashboards([checkout, bare, worker]).map((d) => d.uid)).toEqual([
      'gs-shop-checkout-service',
      'gs-shop-checkout-budget',
      'gs-tools-echo-service',
      'gs-growth-mailer-service',
      'gs-growth-mailer-budget',
      'gs-all-services-fleet',
    ]);
  });

  it('opens on this calendar month so far, from Grafana time range', () => {
    expect(report(checkout).time).toEqual({ from: 'now/M', to: 'now' });
    expect(report(checkout).timezone).toBe('utc');
    // Fiscal quarters are calendar quarters only while the fiscal year starts in January.
    expect(report(checkout).fiscalYearStartMonth).toBe(0);
  });

  it('is tagged like the service other dashboards, plus error-budget', () => {
    expect(report(checkout).tags).toEqual(['golden-signals', 'error-budget', 'service:checkout', 'namespace:shop', 'team:payments']);
  });

  it('links back to the golden-signals dashboard at that dashboard own time range', () => {
    expect(report(checkout).links![0]).toMatchObject({ title: 'Golden signals', url: '/d/gs-shop-checkout-service', keepTime: false, includeVars: true });
  });

  it('is read-only and has the datasource and namespace variables, the namespace preset', () => {
    const d = report(checkout);
    expect(d.editable).toBe(false);
    expect(d.templating.list.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['namespace', 'query'],
    ]);
    expect((d.templating.list[1] as any).current.value).toBe('shop');
  });
});

describe('the rows of the error-budget report', () => {
  const SLOTS = ['budget left (time range)', 'budget left (this quarter)', 'budget left (rolling 30d)', 'burn rate', 'budget gone in', 'burn rate over time'];

  it.each([
    [
      'checkout, with two latency objectives and a journey',
      checkout,
      [
        ['availability', 'Availability'],
        ['latency-100ms', 'Latency within 100ms'],
        ['latency-1s', 'Latency within 1s'],
        ['place-order-availability', 'Place-order journey availability'],
        ['place-order-latency', 'Place-order journey latency'],
      ],
    ],
    [
      'a worker',
      worker,
      [
        ['availability', 'Availability'],
        ['latency', 'Latency'],
      ],
    ],
  ] as const)('give every SLO of %s a row of seven panels (eight for a service-wide SLO of a service with journeys), titled as the service dashboard titles the SLO', (_what, m, slos) => {
    const d = report(m);
    expect(rows(d).map((r) => r.title.split(':')[0])).toEqual(slos.map(([, label]) => label));
    for (const [i, [name, label]] of slos.entries()) {
      const block = panels(d).filter((p) => Math.floor(p.id / 100) === i + 1);
      const journeys = m.journeys.length > 0 && !name.startsWith('place-order') ? [`Which journeys spent the ${name} budget`] : [];
      expect(block.map((p) => p.title)).toEqual([...SLOTS.map((s) => `${label} ${s}`), expect.stringMatching(/^Which (routes|operations) spent the /), ...journeys]);
      // Every query of the block selects this SLO's recorded series, or none (the raw histogram of the breakdown).
      for (const p of block) for (const e of exprs(p)) for (const s of selectors(e).filter((x) => x.metric.startsWith('slo:'))) expect(s.matchers).toContain(`slo=${name}`);
    }
  });

  it('says what the SLO promises in the row title', () => {
    expect(rows(report(checkout)).map((r) => r.title)).toEqual([
      'Availability: 99.9% of requests succeed over 30d',
      'Latency within 100ms: 95% of requests are answered within 100ms over 30d',
      'Latency within 1s: 99.5% of requests are answered within 1s over 30d',
      'Place-order journey availability: 99.95% of place-order requests (POST /checkout; GET /orders/:id) succeed over 30d',
      'Place-order journey latency: 99% of place-order requests (POST /checkout; GET /orders/:id) are answered within 500ms over 30d',
    ]);
  });

  it('numbers panels by SLO block, so an SLO added at the end renumbers nothing', () => {
    const before = new Map(report(checkout).panels.map((p) => [p.title, p.id]));
    const after = new Map(report(withExtraSlo(checkout)).panels.map((p) => [p.title, p.id]));
    for (const [title, id] of before) expect([title, after.get(title)]).toEqual([title, id]);
    // Blocks 1–3 are the service-wide SLOs, with the journeys table in slot 8; 4 and 5 are the journey's own.
    const slots = (block: number) => [0, 1, 2, 3, 4, 5, 6, 7, ...(block <= 3 ? [8] : [])];
    expect(report(checkout).panels.map((p) => p.id)).toEqual([1, 2, 3, 4, 5].flatMap((block) => slots(block).map((slot) => 100 * block + slot)));
  });

  it('reads the time range period with $__range, and the quarter with the panel time override now/fQ', () => {
    const d = report(checkout);
    const period = titled(d, 'Availability budget left (time range)');
    const quarter = titled(d, 'Availability budget left (this quarter)');
    expect(period.timeFrom).toBeUndefined();
    expect(quarter).toMatchObject({ timeFrom: 'now/fQ', hideTimeOverride: false });
    // The same query: the period is whatever time range the panel gets.
    expect(exprs(quarter)).toEqual(exprs(period));
    expect(exprs(period)[0]).toContain('[$__range]');
    expect(period.targets![0]).toMatchObject({ instant: true });
    expect(exprs(titled(d, 'Which routes spent the availability budget')).every((e) => e.includes('increase(') && e.includes('[$__range]'))).toBe(true);
  });

  it('computes the budget left as 1 - bad events / (events x budget), from the recorded series the alerts count', () => {
    const w = baseWindow(checkout);
    expect(exprs(titled(report(checkout), 'Availability budget left (time range)'))).toEqual([
      `1 - (sum_over_time(slo:sli_errors:rate${w}{namespace=~"$namespace", job=~"checkout", slo="availability"}[$__range]) / ` +
        `(sum_over_time(slo:sli_events:rate${w}{namespace=~"$namespace", job=~"checkout", slo="availability"}[$__range]) > 0)) / 0.001`,
    ]);
  });

  it.each(EXAMPLE_MODELS.map((m) => [m.name, m] as const))('reads only recorded series that the rules of %s record', (_name, m) => {
    const recorded = new Set(serviceRules(m).groups.flatMap((g) => g.rules).flatMap((r) => (isAlertingRule(r) ? [] : [r.record])));
    const read = new Set(budgetReportQueries(m).flatMap((q) => selectors(q.expr).map((s) => s.metric)).filter((n) => n.includes(':')));
    expect(read.size).toBeGreaterThan(0);
    for (const name of read) expect(recorded.has(name) ? name : `${name} is not recorded`).toBe(name);
  });

  it('shows the rolling window budget and the time to exhaustion from the recorded budget left the ErrorBudgetExhausted alert watches', () => {
    const d = report(checkout);
    expect(exprs(titled(d, 'Availability budget left (rolling 30d)'))).toEqual(['slo:period_error_budget_remaining:ratio{namespace=~"$namespace", job=~"checkout", slo="availability"}']);
    const exhaustion = titled(d, 'Availability budget gone in');
    expect(exprs(exhaustion)[0]).toMatch(/^clamp_min\(slo:period_error_budget_remaining:ratio\{[^}]*\}, 0\) \* 2592000 \/ /);
    expect(exhaustion.fieldConfig!.defaults!.unit).toBe('s');
  });

  it('plots the burn rate over every tier long window and the SLO window, only the tiers an SLO keeps', () => {
    expect(titled(report(checkout), 'Availability burn rate over time').targets!.map((t) => t.legendFormat)).toEqual(['1h', '6h', '1d', '3d', '30d']);
    const ledger = EXAMPLE_MODELS.find((m) => m.name === 'ledger-sync')!;
    expect(titled(report(ledger), 'Latency burn rate over time').targets!.map((t) => t.legendFormat)).toEqual(['6h', '3d', '7d']);
  });

  it('breaks the spent budget down by route for HTTP and by operation for a worker', () => {
    const http = titled(report(checkout), 'Which routes spent the availability budget');
    const op = titled(report(worker), 'Which operations spent the availability budget');
    expect(exprs(http).every((e) => e.startsWith(`topk(10, sum by (${LABEL.route}) (`) || e.startsWith(`topk(10, (sum by (${LABEL.route}) (`))).toBe(true);
    expect(exprs(op).every((e) => e.includes(`sum by (${LABEL.operation}) (`) && e.includes(METRIC.operationDuration))).toBe(true);
    expect((http as any).fieldConfig.overrides[0]).toEqual({ matcher: { id: 'byName', options: LABEL.route }, properties: [{ id: 'displayName', value: 'Route' }] });
  });
});

describe('the per-route breakdown', () => {
  /** Matchers of the histogram selectors a query reads, namespace and job aside (the dashboard matches them by regex). */
  const histogramMatchers = (expr: string, suffix: '_count' | '_bucket') =>
    selectors(expr)
      .filter((s) => s.metric.endsWith(suffix))
      .map((s) => s.matchers.filter((m) => !/^(namespace|job)[=!~]/.test(m)).sort().join(', '))
      .sort();

  it.each([
    ['checkout', checkout],
    ['a worker', worker],
    ['a service counting 429 as an error', EXAMPLE_MODELS.find((m) => m.scope.errorStatusRegex.includes('429')) ?? checkout],
  ] as const)('selects failed requests of %s exactly as the recording rule of its error rate does', (_what, m) => {
    const w = baseWindow(m);
    const rule = serviceRules(m).groups[0].rules.find((r) => !isAlertingRule(r) && r.record === `namespace_job:request_errors:rate${w}`)!;
    const breakdown = budgetReportQueries(m).find((q) => q.panelId === 107 && q.refId === 'A')!;
    expect(histogramMatchers(breakdown.expr, '_count')).toEqual(histogramMatchers(rule.expr, '_count'));
    expect(histogramMatchers(breakdown.expr, '_count').length).toBeGreaterThan(0);
  });

  it('counts slow requests with the latency SLO threshold bucket, both le forms, as the recording rule does', () => {
    const rule = serviceRules(checkout).groups[0].rules.find((r) => !isAlertingRule(r) && r.record === `slo:sli_errors:rate${baseWindow(checkout)}` && r.labels?.slo === 'latency-100ms')!;
    const breakdown = budgetReportQueries(checkout).find((q) => q.panelId === 207 && q.refId === 'A')!;
    expect(histogramMatchers(breakdown.expr, '_bucket')).toEqual(histogramMatchers(rule.expr, '_bucket'));
    expect(histogramMatchers(breakdown.expr, '_bucket')).toEqual([`le=~${'0\\.1'}`]);
  });

  it.each([
    ['availability', 'place-order-availability', 407, '_count'],
    ['latency', 'place-order-latency', 507, '_bucket'],
  ] as const)("breaks a journey's %s budget down over the journey's method and route pairs only, as its recording rule selects them", (_kind, slo, panelId, suffix) => {
    const rule = serviceRules(checkout).groups[0].rules.find((r) => !isAlertingRule(r) && r.record === `slo:sli_errors:rate${baseWindow(checkout)}` && r.labels?.slo === slo)!;
    const breakdown = budgetReportQueries(checkout).find((q) => q.panelId === panelId && q.refId === 'A')!;
    expect(histogramMatchers(breakdown.expr, suffix)).toEqual(histogramMatchers(rule.expr, suffix));
    const pairs = histogramMatchers(breakdown.expr, suffix).map((m) => [/http_request_method=(\w+)/.exec(m)?.[1], /http_route=([^,]+)/.exec(m)?.[1]].join(' '));
    expect(new Set(pairs)).toEqual(new Set(['POST /checkout', 'GET /orders/:id']));
  });

  it('is the error-rate builder itself with increase() for rate()', () => {
    expect(errorIncrease(checkout.scope, '30d', [LABEL.route])).toBe(errorRate(checkout.scope, '30d', [LABEL.route]).replace(/\brate\(/g, 'increase('));
  });
});

describe('the burn-rate stat of the error-budget report', () => {
  it.each([
    ['default tiers: red from the medium tier, the slowest that pages', checkout, 'Availability', [1, 6]],
    // The medium factor recomputed for a 7d window: 5% of the budget × 7d / 6h.
    ['a 7d latency SLO keeping only medium and longterm', EXAMPLE_MODELS.find((m) => m.name === 'ledger-sync')!, 'Latency', [1, 1.4]],
  ] as const)('colours by the SLO own tiers, %s', (_what, m, slo, values) => {
    const burn = titled(report(m), `${slo} burn rate`) as any;
    expect(burn.fieldConfig.defaults.thresholds.steps.map((s: any) => s.value)).toEqual([null, ...values]);
  });
});
