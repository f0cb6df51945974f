import { catalog, checkout, fleet, ledger, mailer } from '../../examples/services';
import { compressTime, resolveService } from '../../src/model';
import { AlertingRule, isAlertingRule, RecordingRule, Rule, ruleTests, serviceRules, toYaml } from '../../src/rules';
import { CLUSTER_METRIC, LABEL, METRIC, POOL_METRICS } from '../../src/signals';
import { ALERT, RECORD } from '../../src/signals/recorded';
import { defineService, parseDuration, type ServiceDefinition } from '../../src/spec';
import { promqlErrors, selectedMetrics } from '../support/promql';

const models = fleet.map(resolveService);
const rulesOf = (def: Parameters<typeof resolveService>[0]): Rule[] => serviceRules(resolveService(def)).groups.flatMap((g) => g.rules);
const alerts = (rules: Rule[]) => rules.filter(isAlertingRule);
const records = (rules: Rule[]) => rules.filter((r): r is RecordingRule => !isAlertingRule(r));
const byAlert = (rules: Rule[], name: string, labels: Record<string, string> = {}) =>
  alerts(rules).find((r) => r.alert === name && Object.entries(labels).every(([k, v]) => r.labels[k] === v));

const checkoutRules = rulesOf(checkout);
/** The example checkout as it was with one latency objective and no journey: the common case. */
const checkoutOne = defineService({ ...checkout, slos: { availability: { objective: 99.9 }, latency: { objective: 99, threshold: '300ms' } }, journeys: undefined });
const checkoutOneRules = rulesOf(checkoutOne);

describe('every generated rule of the example fleet', () => {
  const all = models.flatMap((m) => serviceRules(m).groups.flatMap((g) => g.rules.map((rule) => ({ service: m.name, rule }))));
  const names = (r: Rule) => (isAlertingRule(r) ? r.alert : r.record);

  it.each(all.map(({ service, rule }) => [service, names(rule), rule] as const))('%s %s parses as PromQL', (_s, _n, rule) => {
    expect(promqlErrors(rule.expr)).toEqual([]);
  });

  it('selects only series the metric contract defines or the rules record', () => {
    const histogram = [METRIC.httpDuration, METRIC.operationDuration, ...POOL_METRICS].flatMap((m) => [`${m}_count`, `${m}_bucket`, `${m}_sum`]);
    const known = new Set<string>([...Object.values(METRIC), ...POOL_METRICS, ...Object.values(CLUSTER_METRIC), ...histogram]);
    const recorded = new Set(all.flatMap(({ rule }) => (isAlertingRule(rule) ? [] : [rule.record])));
    const unknown = all.flatMap(({ rule }) => selectedMetrics(rule.expr)).filter((m) => !known.has(m) && !recorded.has(m));
    expect(unknown).toEqual([]);
  });

  it('matches histogram bounds in both the Prometheus 2 and 3 forms, never with a bare le="1"', () => {
    const text = models.map((m) => toYaml(serviceRules(m))).join('\n');
    expect(text).not.toMatch(/le="\d+"/);
    expect(rulesOf(ledger).map((r) => r.expr).join('\n')).toContain('le=~"2|2\\\\.0"');
  });

  it('renders every number as an exact decimal (no float noise such as 0.0009999999999999432)', () => {
    const text = models.map((m) => toYaml(serviceRules(m))).join('\n');
    expect(text).not.toMatch(/\d\.\d*(?:0{6,}|9{6,})\d/);
  });

  it('keeps every group interval at or under 5m and every derived rule after its inputs, in its group or the one before', () => {
    for (const m of models) {
      const file = serviceRules(m);
      expect(file.groups).toHaveLength(m.alerting.sloWindowEvaluationIntervalMs === undefined ? 1 : 2);
      const seen = new Set<string>();
      for (const g of file.groups) {
        expect(parseDuration(g.interval)).toBeLessThanOrEqual(5 * 60_000);
        for (const r of g.rules) {
          for (const used of selectedMetrics(r.expr)) if (used.includes(':')) expect(seen).toContain(used);
          if (!isAlertingRule(r)) seen.add(r.record);
        }
      }
    }
  });

  it('gives every alert the contract labels and annotations (DESIGN 3.3) and a CamelCase name', () => {
    for (const { rule } of all.filter(({ rule }) => isAlertingRule(rule))) {
      const a = rule as AlertingRule;
      expect(a.alert).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(Object.keys(a.labels)).toEqual(expect.arrayContaining(['service', 'namespace', 'signal', 'severity']));
      expect(['latency', 'traffic', 'errors', 'saturation']).toContain(a.labels.signal);
      expect(['page', 'ticket']).toContain(a.labels.severity);
      // The four of the contract; SLO alerts add the link to the error-budget report, the budget policy's alert the team's policy.
      const slo = a.alert === ALERT.errorBudgetBurn || a.alert === ALERT.errorBudgetExhausted ? ['budget_report_url'] : [];
      const extra = a.alert === ALERT.errorBudgetExhausted ? ['policy'] : [];
      expect(Object.keys(a.annotations).sort()).toEqual([...slo, 'dashboard_url', 'description', ...extra, 'runbook_url', 'summary']);
      expect(a.annotations.summary).toMatch(/\.$/);
      // No query values in labels or annotations: each new value would be a new alert (pint alerts/template).
      expect(JSON.stringify([a.labels, a.annotations])).not.toContain('$value');
    }
  });
});

describe('SLO rules', () => {
  it.each([
    ['fast', '1h', '5m', '0.0144', '2m', 'page', 70],
    ['medium', '6h', '30m', '0.006', '15m', 'page', 167],
    ['slow', '1d', '2h', '0.003', '1h', 'ticket', 334],
    ['longterm', '3d', '6h', '0.001', '3h', 'ticket', 1000],
  ])('alert the %s tier of a 99.9%% SLO when both %s and %s error ratios exceed %s for %s, as a %s, above %i events', (tier, long, short, threshold, forText, severity, minEvents) => {
    const rule = byAlert(checkoutRules, ALERT.errorBudgetBurn, { slo: 'availability', burn_tier: tier })!;
    expect(rule.expr).toContain(`${RECORD.errorRatio(long)}{namespace="shop", job="checkout", slo="availability"} > ${threshold}`);
    expect(rule.expr).toContain(`${RECORD.errorRatio(short)}{namespace="shop", job="checkout", slo="availability"} > ${threshold}`);
    expect(rule.expr).toContain(`>= ${minEvents}`);
    expect(rule.for).toBe(forText);
    expect(rule.labels).toMatchObject({ severity, burn_tier: tier, slo: 'availability', signal: 'errors', service: 'checkout', namespace: 'shop' });
  });

  it('records each long window as a ratio of sums of the base rates (traffic-weighted, not an average of ratios)', () => {
    const oneHour = records(checkoutRules).find((r) => r.record === RECORD.errorRatio('1h') && r.labels?.slo === 'availability')!;
    expect(oneHour.expr).toBe(
      'sum_over_time(slo:sli_errors:rate5m{namespace="shop", job="checkout", slo="availability"}[1h])\n/\n' +
        '(sum_over_time(slo:sli_events:rate5m{namespace="shop", job="checkout", slo="availability"}[1h]) > 0)',
    );
  });

  it('reads the 30-day window through a 5m tiling subquery so no query loads more than 9,000 samples', () => {
    const month = records(checkoutRules).find((r) => r.record === RECORD.errorRatio('30d') && r.labels?.slo === 'availability')!;
    expect(month.expr).toContain('[30d:5m]');
  });

  it('guards every ratio against zero traffic, so an idle service gives no sample instead of NaN', () => {
    for (const r of records(checkoutRules).filter((r) => r.record.startsWith('slo:sli_error:ratio'))) expect(r.expr).toMatch(/> 0\)$/);
  });

  it('records errors as zero rather than absent when a service has never failed', () => {
    const errors = records(checkoutRules).find((r) => r.record === RECORD.errorRate('5m'))!;
    expect(errors.expr).toMatch(/\nor\n0 \* namespace_job:requests:rate5m\{namespace="shop", job="checkout"\}$/);
  });

  it('counts 429 as an error when the definition says so', () => {
    const errors = records(rulesOf(catalog)).find((r) => r.record === RECORD.errorRate('5m'))!;
    expect(errors.expr).toContain(`${LABEL.statusCode}=~"5..|429"`);
  });

  it('measures latency as the requests above the threshold bucket', () => {
    const slow = records(checkoutOneRules).find((r) => r.record === RECORD.sliErrors('5m') && r.labels?.slo === 'latency')!;
    expect(slow.expr).toContain('le=~"0\\\\.3"');
    expect(slow.expr).toContain('clamp_min(');
  });

  it('records the objective and the budget left over the SLO window', () => {
    expect(records(checkoutRules).find((r) => r.record === RECORD.objective && r.labels?.slo === 'availability')!.expr).toBe('vector(0.999)');
    expect(records(checkoutOneRules).find((r) => r.record === RECORD.budgetRemaining && r.labels?.slo === 'latency')!.expr).toBe(
      '1 - slo:sli_error:ratio_rate30d{namespace="shop", job="checkout", slo="latency"} * clamp_max(count_over_time(slo:sli_events:rate5m{namespace="shop", job="checkout", slo="latency"}[30d:5m]) / 8640, 1) / 0.01',
    );
  });

  it('emits no burn alert for a disabled tier', () => {
    const tiers = alerts(rulesOf(ledger))
      .filter((r) => r.alert === ALERT.errorBudgetBurn && r.labels.slo === 'latency')
      .map((r) => r.labels.burn_tier);
    expect(tiers).toEqual(['medium', 'longterm']);
  });

  it('keeps a configured cluster label in every aggregation and join', () => {
    const rules = rulesOf(defineService({ ...checkout, alerting: { clusterLabel: 'cluster' } }));
    for (const r of rules) for (const by of r.expr.match(/\b(by|on) \(([^)]*)\)/g) ?? []) if (!by.includes('horizontalpodautoscaler')) expect(by).toContain('cluster');
  });
});

describe('the SLO-window rules in a group of their own (alerting.sloWindowEvaluationInterval)', () => {
  const split = (def: ServiceDefinition) => serviceRules(resolveService(defineService({ ...def, alerting: { ...def.alerting, sloWindowEvaluationInterval: '5m' } })));
  const nameOf = (r: Rule) => (isAlertingRule(r) ? `${r.alert} ${r.labels.slo}` : `${r.record} ${r.labels?.slo ?? ''}`);

  it.each([
    ['checkout (30d, a budget policy, several objectives and a journey)', checkout, ['slo:sli_error:ratio_rate30d', 'slo:period_error_budget_remaining:ratio', 'ErrorBudgetExhausted']],
    ['ledger-sync (28d and 7d windows, no fast or slow tier on 7d)', ledger, ['slo:sli_error:ratio_rate28d', 'slo:period_error_budget_remaining:ratio', 'slo:sli_error:ratio_rate7d', 'ErrorBudgetExhausted']],
  ] as const)('moves exactly the window ratio, the budget left and ErrorBudgetExhausted of %s, every rule unchanged', (_what, def, moved) => {
    const one = serviceRules(resolveService(defineService({ ...def, alerting: { ...def.alerting, sloWindowEvaluationInterval: undefined } })));
    const two = split(def);
    expect(two.groups.map((g) => [g.name, g.interval])).toEqual([
      [one.groups[0].name, '1m'],
      [`${one.groups[0].name}.slo-window`, '5m'],
    ]);
    expect([...new Set(two.groups[1].rules.map((r) => (isAlertingRule(r) ? r.alert : r.record)))].sort()).toEqual([...moved].sort());
    // The same rule objects, only regrouped: the service group keeps its order, nothing is added or lost.
    expect(two.groups.flatMap((g) => g.rules).map(nameOf).sort()).toEqual(one.groups[0].rules.map(nameOf).sort());
    expect(two.groups[0].rules).toEqual(one.groups[0].rules.filter((r) => two.groups[0].rules.some((k) => nameOf(k) === nameOf(r))));
  });

  it('leaves nothing in the service group reading what the SLO-window group records, so only the moved rules lag', () => {
    for (const def of [checkout, ledger]) {
      const [service, window] = split(def).groups;
      const moved = new Set(window.rules.flatMap((r) => (isAlertingRule(r) ? [] : [r.record])));
      expect(service.rules.flatMap((r) => selectedMetrics(r.expr)).filter((m) => moved.has(m))).toEqual([]);
      // The burn tiers' quiet clause reads ALERTS, of ErrorBudgetBurn only.
      expect(service.rules.filter((r) => r.expr.includes(ALERT.errorBudgetExhausted))).toEqual([]);
    }
  });

  it('keeps a window ratio that a burn tier also reads in the service group', () => {
    // A 3d SLO window: the longterm tier's long window is the SLO window itself.
    const rules = split(defineService({ ...catalog, slos: { availability: { objective: 99, window: '3d', burnTiers: { medium: false, slow: false } } } }));
    expect(rules.groups[0].rules.some((r) => !isAlertingRule(r) && r.record === 'slo:sli_error:ratio_rate3d')).toBe(true);
    expect(rules.groups[1].rules.map((r) => (isAlertingRule(r) ? r.alert : r.record))).toEqual(['slo:period_error_budget_remaining:ratio']);
  });
});

describe('traffic, saturation and meta alerts', () => {
  it.each<[string, string, string, string]>([
    [ALERT.trafficAbsent, 'page', '3m', 'absent(http_server_request_duration_seconds_count{namespace="shop", job="checkout"})'],
    [ALERT.trafficDrop, 'ticket', '15m', '< 0.5 * avg_over_time(namespace_job:requests:rate5m{namespace="shop", job="checkout"}[30m] offset 1w)'],
    [ALERT.trafficAboveCapacity, 'ticket', '15m', '> 250'],
    [ALERT.cpuNearLimit, 'ticket', '15m', 'resource="cpu"'],
    [ALERT.cpuAboveRequest, 'ticket', '30m', 'kube_pod_container_resource_requests'],
    [ALERT.memoryNearLimit, 'ticket', '15m', 'container_memory_working_set_bytes'],
    [ALERT.eventLoopSaturated, 'ticket', '15m', 'nodejs_eventloop_state="active"'],
    [ALERT.eventLoopDelayHigh, 'ticket', '15m', '> 0.5'],
    [ALERT.inFlightNearLimit, 'ticket', '5m', '> 57.6'],
    [ALERT.autoscalerMaxedOut, 'ticket', '15m', 'horizontalpodautoscaler="checkout"'],
    [ALERT.targetsDown, 'page', '2m', 'absent(up{namespace="shop", job="checkout"})'],
    [ALERT.signalsMissing, 'ticket', '10m', 'unless on (namespace, job)'],
  ])('%s is a %s after %s and its expression contains %s', (name, severity, forText, fragment) => {
    const rule = byAlert(checkoutRules, name)!;
    expect(rule).toBeDefined();
    expect(rule.labels.severity).toBe(severity);
    expect(rule.for).toBe(forText);
    expect(rule.expr).toContain(fragment);
  });

  it.each([
    ...models.filter((m) => m.traffic.noTrafficForMs !== undefined).map((m) => [m.name, m] as const),
    ['checkout compressed 240 times (the end-to-end test)', compressTime(resolveService(checkout), 240, { scrapeIntervalMs: 1000, evaluationIntervalMs: 1000 })] as const,
  ])('%s: TrafficAbsent waits one rule evaluation longer than ServiceTargetsDown, so an outage pages once', (_name, model) => {
    // Both start with the same failed scrape; ServiceTargetsDown must fire first for its inhibit rule to mute
    // TrafficAbsent before TrafficAbsent's first notification (src/rules/waits.ts).
    const rules = serviceRules(model).groups.flatMap((g) => g.rules);
    const forMs = (name: string) => parseDuration(byAlert(rules, name)?.for ?? '') ?? NaN;
    expect(forMs(ALERT.trafficAbsent) - forMs(ALERT.targetsDown)).toBe(model.alerting.evaluationIntervalMs);
  });

  it.each([
    ['a service that may idle has no traffic-absent alert', ledger, ALERT.trafficAbsent],
    ['a service without declared capacity has no capacity alert', catalog, ALERT.trafficAboveCapacity],
    ['a service without a concurrency limit has no in-flight alert', catalog, ALERT.inFlightNearLimit],
    ['a service without an autoscaler has no autoscaler alert', catalog, ALERT.autoscalerMaxedOut],
  ])('%s', (_case, def, name) => {
    expect(byAlert(rulesOf(def), name)).toBeUndefined();
  });

  it('links every alert to its runbook and to the service dashboard', () => {
    const rule = byAlert(checkoutRules, ALERT.cpuNearLimit)!;
    expect(rule.annotations.runbook_url).toBe('https://runbooks.example.com/shop/cpunearlimit');
    expect(rule.annotations.dashboard_url).toBe('https://grafana.example.com/d/gs-shop-checkout-service?var-namespace=shop');
    expect(rule.annotations.budget_report_url).toBeUndefined();
  });

  it.each([ALERT.errorBudgetBurn, ALERT.errorBudgetExhausted])('links every %s alert to the error-budget report as well', (name) => {
    const rules = alerts(checkoutRules).filter((r) => r.alert === name);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r.annotations.budget_report_url).toBe('https://grafana.example.com/d/gs-shop-checkout-budget?var-namespace=shop');
  });
});

describe('the rule file of the example checkout service', () => {
  it('matches the reviewed snapshot', () => {
    expect(toYaml(serviceRules(resolveService(checkout)))).toMatchSnapshot();
  });
});

describe('several latency objectives and journeys', () => {
  const sloLabels = (rules: Rule[]) => [...new Set(rules.map((r) => r.labels?.slo).filter((x) => x !== undefined))];

  it('keep the one-objective form exactly as named before: slo labels, alert names and label sets', () => {
    expect(sloLabels(checkoutOneRules)).toEqual(['availability', 'latency']);
    const burn = alerts(checkoutOneRules).filter((r) => r.alert === ALERT.errorBudgetBurn);
    expect(burn.map((r) => Object.keys(r.labels).sort().join(','))).toEqual(Array(8).fill('burn_tier,namespace,service,severity,signal,slo,team'));
    expect(checkoutOneRules.some((r) => r.expr.includes('journey') || Object.hasOwn(r.labels ?? {}, 'journey'))).toBe(false);
  });

  it('name each latency objective by its threshold and each journey SLO by its journey, with a journey label on its series and alerts', () => {
    expect(sloLabels(checkoutRules)).toEqual(['availability', 'latency-100ms', 'latency-1s', 'place-order-availability', 'place-order-latency']);
    for (const r of checkoutRules.filter((r) => r.labels?.slo?.startsWith('place-order-'))) expect(r.labels?.journey).toBe('place-order');
    for (const r of checkoutRules.filter((r) => r.labels?.slo !== undefined && !r.labels.slo.startsWith('place-order-'))) expect(r.labels).not.toHaveProperty('journey');
  });

  it.each([
    ['latency-100ms', 'le=~"0\\\\.1"'],
    ['latency-1s', 'le=~"1|1\\\\.0"'],
    ['place-order-latency', 'le=~"0\\\\.5"'],
  ])('measure %s above its own threshold bucket (%s)', (slo, le) => {
    const slow = records(checkoutRules).find((r) => r.record === RECORD.sliErrors('5m') && r.labels?.slo === slo)!;
    expect(slow.expr).toContain(le);
  });

  it("select a journey's method and route pairs one selector per method, joined with or, never as a cross product of methods and routes", () => {
    const events = records(checkoutRules).find((r) => r.record === RECORD.sliEvents('5m') && r.labels?.slo === 'place-order-availability')!;
    expect(events.expr).toBe(
      'sum by (namespace, job) (' +
        'rate(http_server_request_duration_seconds_count{namespace="shop", job="checkout", http_request_method="POST", http_route="/checkout"}[5m]) or ' +
        'rate(http_server_request_duration_seconds_count{namespace="shop", job="checkout", http_request_method="GET", http_route="/orders/:id"}[5m]))',
    );
    expect(checkoutRules.some((r) => r.expr.includes('http_request_method=~'))).toBe(false);
  });

  it('group the routes of one method into one regex, escaped, and take every method of a route named without one', () => {
    const rules = rulesOf(defineService({ ...checkout, routes: ['/checkout', '/orders/:id', '/files/*'], journeys: { browse: { routes: ['GET /orders/:id', 'GET /files/*', '/checkout'], availability: { objective: 99 } } } }));
    const events = records(rules).find((r) => r.record === RECORD.sliEvents('5m') && r.labels?.slo === 'browse-availability')!;
    expect(events.expr).toContain('http_request_method="GET", http_route=~"/orders/:id|/files/\\\\*"}');
    expect(events.expr).toContain('job="checkout", http_route="/checkout"}');
  });

  it("keep each objective's and journey's quiet clause and budget alert on its own slo", () => {
    for (const slo of ['latency-1s', 'place-order-latency']) {
      const medium = byAlert(checkoutRules, ALERT.errorBudgetBurn, { slo, burn_tier: 'medium' })!;
      expect(medium.expr).toContain(`ALERTS{alertname="ErrorBudgetBurn", alertstate="firing", namespace="shop", service="checkout", slo="${slo}", burn_tier=~"fast"}`);
      expect(medium.expr.match(/slo="[^"]+"/g)!.every((m) => m === `slo="${slo}"`)).toBe(true);
      expect(byAlert(checkoutRules, ALERT.errorBudgetExhausted, { slo })!.expr).toContain(`slo="${slo}"`);
    }
  });

  it("describe a journey's burn as the journey's", () => {
    const fast = byAlert(checkoutRules, ALERT.errorBudgetBurn, { slo: 'place-order-availability', burn_tier: 'fast' })!;
    expect(fast.annotations.description).toMatch(/^More than 0\.72% of checkout place-order journey requests failed over both the last 1h and 5m \(objective 99\.95% over 30d\)/);
    expect(fast.labels).toMatchObject({ journey: 'place-order', slo: 'place-order-availability', signal: 'errors' });
  });
});

describe('the generated promtool tests', () => {
  const tests = ruleTests(resolveService(checkout), (subset) => (subset === undefined ? '../shop-checkout.rules.yaml' : `shop-checkout.${subset}.rules.yaml`));
  const files = Object.values(tests.files);
  const fileOf = (scenario: RegExp) => Object.entries(tests.files).find(([, f]) => f.tests.some((t) => scenario.test(t.name)));

  it.each([
    ['the fast tier, whose 5m short window needs every minute', /^availability fast burn/, 'availability-burn.1m'],
    ['the medium tier (30m short window, for 15m)', /^availability medium burn/, 'availability-burn.15m'],
    ['the slow tier (2h short window, for 1h)', /^latency-1s slow burn/, 'latency-1s-burn.30m'],
    ['the longterm tier (6h short window, for 3h)', /^availability longterm burn/, 'availability-burn.30m'],
    ['the longterm low-traffic scenario, against the longterm tier alone', /^availability low traffic: .* longterm tier/, 'availability-burn-longterm.30m'],
    ['a young series of the slow tier, whose guard counts every evaluation', /^availability low traffic, young: .* slow tier/, 'availability-burn-slow.1m'],
    ['the week-long TrafficDrop scenario (30m averages, for 15m)', /^TrafficDrop/, 'traffic-drop.15m'],
    ['the healthy scenario, against every rule', /^healthy/, 'service.1m'],
    ['an alert with a short for', /^ServiceTargetsDown/, 'service-targets-down.1m'],
    ['the spent budget, whose [30d:5m] subquery needs a sample at every 5m point', /^availability budget spent/, 'availability-budget.5m'],
  ])('runs %s in the file of its scope, at the coarsest step that keeps two steps in its shortest window and divides its for', (_what, scenario, file) => {
    expect(fileOf(scenario)?.[0]).toBe(file);
    expect(fileOf(scenario)?.[1].evaluation_interval).toBe(file.split('.')[1]);
  });

  it('names one file per scope and step, and runs each scenario exactly once', () => {
    // Per SLO (availability, latency-100ms, latency-1s and the place-order journey's two): its budget at 5m; each
    // tier's guard scenarios against that tier alone, at 1m (young and gapped series) and at the tier's own step
    // (low traffic); its burn incidents, against every tier, at 1m, 15m and 30m. Then each other alert against
    // its own rules, each pool's alerts together, and the healthy scenario against every rule.
    const slos = ['availability', 'latency-100ms', 'latency-1s', 'place-order-availability', 'place-order-latency'];
    const tiers = (slo: string) => [`${slo}-burn-fast.1m`, `${slo}-burn-longterm.1m`, `${slo}-burn-longterm.30m`, `${slo}-burn-medium.15m`, `${slo}-burn-medium.1m`, `${slo}-burn-slow.1m`, `${slo}-burn-slow.30m`];
    const alone = ['autoscaler-maxed-out', 'cpu-above-request', 'cpu-near-limit', 'event-loop-delay-high', 'event-loop-saturated', 'golden-signals-missing', 'in-flight-near-limit', 'memory-near-limit', 'orders-db-pool', 'payments-api-pool'];
    expect(Object.keys(tests.files)).toEqual(
      [
        ...slos.flatMap((slo) => [`${slo}-budget.5m`, ...tiers(slo), `${slo}-burn.15m`, `${slo}-burn.1m`, `${slo}-burn.30m`]),
        ...alone.map((scope) => `${scope}.1m`),
        'service-targets-down.1m',
        'service.1m',
        'traffic-above-capacity.1m',
        'traffic-absent.1m',
        'traffic-drop.15m',
      ].sort(),
    );
    const names = files.flatMap((f) => f.tests.map((t) => t.name));
    expect(new Set(names).size).toBe(names.length);
    // 99: 78 for the five SLOs (each tier's burn, the low-traffic guards, unanswered requests, the budget, the journey's
    // excluded method), 5 for traffic, 15 for saturation (4 each for the orders-db and payments-api pools), and healthy.
    expect(names).toHaveLength(99);
  });

  it.each([
    ['service.1m', '../shop-checkout.rules.yaml'],
    ['traffic-drop.15m', 'shop-checkout.traffic-drop.rules.yaml'],
    ['availability-burn.30m', 'shop-checkout.availability-burn.rules.yaml'],
    ['latency-1s-budget.5m', 'shop-checkout.latency-1s-budget.rules.yaml'],
    ['place-order-availability-burn.1m', 'shop-checkout.place-order-availability-burn.rules.yaml'],
  ])('lets the %s file load %s', (file, ruleFile) => {
    expect(tests.files[file].rule_files).toEqual([ruleFile]);
  });

  it.each([
    ['availability-burn', ['ErrorBudgetBurn availability fast', 'ErrorBudgetBurn availability medium', 'ErrorBudgetBurn availability slow', 'ErrorBudgetBurn availability longterm']],
    ['availability-burn-longterm', ['ErrorBudgetBurn availability longterm']],
    ['latency-1s-budget', ['ErrorBudgetExhausted latency-1s']],
    ['place-order-latency-burn', ['ErrorBudgetBurn place-order-latency fast', 'ErrorBudgetBurn place-order-latency medium', 'ErrorBudgetBurn place-order-latency slow', 'ErrorBudgetBurn place-order-latency longterm']],
    ['traffic-drop', ['TrafficDrop']],
    ['cpu-near-limit', ['CPUNearLimit']],
    ['orders-db-pool', ['ConnectionPoolNearExhaustion', 'ConnectionPoolWaitSlow', 'ConnectionPoolWaitBreaksLatency']],
    ['payments-api-pool', ['HttpClientPoolNearExhaustion', 'HttpClientPoolWaitSlow', 'HttpClientPoolWaitBreaksLatency']],
  ])('gives the %s scope exactly the alerts it proves', (scope, alerts) => {
    const rules = tests.subsets[scope].groups.flatMap((g) => g.rules).filter(isAlertingRule);
    expect(rules.map((r) => [r.alert, r.labels.slo, r.labels.burn_tier].filter(Boolean).join(' '))).toEqual(alerts);
  });

  it.each([
    ['availability-burn', 'never the 30-day budget rules nor the latency SLO', ['slo:sli_error:ratio_rate30d', 'slo:period_error_budget_remaining:ratio'], 'latency-100ms'],
    ['traffic-drop', 'no SLO rule at all', ['slo:sli_events:rate5m', 'slo:sli_error:ratio_rate1h'], 'availability'],
    ['availability-burn-medium', "the other tiers' windows", ['slo:sli_error:ratio_rate5m', 'slo:sli_error:ratio_rate1h', 'slo:sli_error:ratio_rate1d', 'slo:sli_error:ratio_rate3d'], 'latency-100ms'],
  ])('leaves out of the %s subset what its alerts never read: %s', (scope, _what, records, otherSlo) => {
    const recorded = tests.subsets[scope].groups.flatMap((g) => g.rules).filter((r): r is RecordingRule => !isAlertingRule(r));
    for (const record of records) expect(recorded.map((r) => r.record)).not.toContain(record);
    expect(recorded.filter((r) => r.labels?.slo === otherSlo)).toEqual([]);
  });

  it.each([
    ['availability-burn.1m', ['http_server_request_duration_seconds_count']],
    ['latency-1s-burn.1m', ['http_server_request_duration_seconds_bucket{le="1"}', 'http_server_request_duration_seconds_count']],
    ['place-order-latency-burn.30m', ['http_server_request_duration_seconds_bucket{le="0.5"}', 'http_server_request_duration_seconds_count']],
    ['traffic-drop.15m', ['http_server_request_duration_seconds_count']],
    ['service-targets-down.1m', ['up']],
  ])('gives the %s file only input series its rules select: %j', (file, expected) => {
    // A series no rule selects cannot change a result, and promtool pays for every sample it loads.
    const nameAndBucket = (series: string) => {
      const le = /le="[^"]+"/.exec(series)?.[0];
      return series.split('{')[0] + (le ? `{${le}}` : '');
    };
    const selected = new Set(tests.files[file].tests.flatMap((t) => t.input_series.map(({ series }) => nameAndBucket(series))));
    expect([...selected].sort()).toEqual(expected);
  });

  it('gives the healthy scenario, against every rule, every input series', () => {
    const healthy = tests.files['service.1m'].tests[0].input_series.map(({ series }) => series.split('{')[0]);
    expect(new Set(healthy)).toEqual(new Set(['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'http_server_active_requests', 'http_server_request_duration_seconds_bucket', 'http_server_request_duration_seconds_count', 'kube_horizontalpodautoscaler_spec_max_replicas', 'kube_horizontalpodautoscaler_spec_target_metric', 'kube_horizontalpodautoscaler_status_current_replicas', 'kube_horizontalpodautoscaler_status_target_metric', 'kube_pod_container_resource_limits', 'kube_pod_container_resource_requests', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_time_seconds_total', 'up']));
  });

  it('checks every alert on its file’s evaluation grid', () => {
    for (const f of files) {
      const step = parseDuration(f.evaluation_interval)!;
      for (const t of f.tests) for (const check of t.alert_rule_test) expect([t.name, parseDuration(check.eval_time)! % step]).toEqual([t.name, 0]);
    }
  });
});

describe('the connection-pool alerts', () => {
  const poolRules = (definition: ServiceDefinition) =>
    serviceRules(resolveService(definition)).groups.flatMap((g) => g.rules).filter(isAlertingRule).filter((r) => r.alert.startsWith('ConnectionPool'));

  it("checkout's orders-db pool gets three ticket alerts with its own thresholds", () => {
    expect(poolRules(checkout).map((r) => [r.alert, r.labels.severity, r.for, r.expr.split('\n').pop()])).toEqual([
      ['ConnectionPoolNearExhaustion', 'ticket', '5m', '> 0.9'],
      ['ConnectionPoolWaitSlow', 'ticket', '5m', '> 0.01'],
      // 3 × the 0.5% budget of checkout's tail objective (99.5% within 1s), the smaller of its two latency budgets.
      ['ConnectionPoolWaitBreaksLatency', 'ticket', '15m', '> 0.015'],
    ]);
    for (const r of poolRules(checkout)) expect(r.expr).toContain('db_client_connection_pool_name="orders-db"');
  });

  it('reads the wait shares off exact bucket bounds: maxWait for the slow wait, the tail objective threshold for the burn', () => {
    const [, slow, burn] = poolRules(checkout);
    expect(slow.expr).toContain('le=~"0\\\\.1"');
    expect(burn.expr).toContain('le=~"1|1\\\\.0"');
  });

  it('has no latency alert for a service without a latency SLO, and one set per pool', () => {
    const definition: ServiceDefinition = {
      ...checkout,
      slos: { availability: { objective: 99.9 } },
      capacity: {
        pools: [
          { kind: 'database', name: 'orders-db', size: 10 },
          { kind: 'database', name: 'audit-db', size: 2, inUseOfSize: 0.5, maxWait: '1s' },
        ],
      },
    };
    expect(poolRules(definition).map((r) => `${r.alert} ${/pool_name="([^"]+)"/.exec(r.expr)![1]} ${r.expr.split('\n').pop()}`)).toEqual([
      'ConnectionPoolNearExhaustion orders-db > 0.9',
      'ConnectionPoolWaitSlow orders-db > 0.01',
      'ConnectionPoolNearExhaustion audit-db > 0.5',
      'ConnectionPoolWaitSlow audit-db > 0.01',
    ]);
  });

  it.each([
    ["checkout's payments-api http-client pool", checkout, 'HttpClientPool', 'http_client_open_connections{namespace="shop", job="checkout", http_client_connection_pool_name="payments-api", http_connection_state="active"}', 3],
    ["mailer's template-render worker pool (no latency SLO: no burn alert)", mailer, 'WorkerPool', 'nodejs_worker_pool_workers{namespace="shop", job="mailer", nodejs_worker_pool_name="template-render", nodejs_worker_pool_worker_state="busy"}', 2],
  ] as const)('names the alerts of %s after its kind and reads its own series', (_what, definition, prefix, inUse, count) => {
    const rules = serviceRules(resolveService(definition)).groups.flatMap((g) => g.rules).filter(isAlertingRule).filter((r) => r.alert.startsWith(prefix));
    expect(rules.map((r) => r.alert)).toEqual([`${prefix}NearExhaustion`, `${prefix}WaitSlow`, `${prefix}WaitBreaksLatency`].slice(0, count));
    expect(rules[0].expr).toContain(inUse);
    expect(rules.every((r) => r.labels.severity === 'ticket' && r.labels.signal === 'saturation')).toBe(true);
  });
});
