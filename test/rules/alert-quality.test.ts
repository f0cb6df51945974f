/**
 * Issue 17, as specifications: the low-traffic guard counts requests that happened, one incident gives one
 * notification stream, and the budget left is a share of the window's traffic, not of the traffic seen so far.
 * The generated promtool tests prove the same against the real engine (test/rules/promtool.test.ts); these pin
 * the rule text and the incident table the README documents.
 */
import { checkout } from '../../examples/services';
import { resolveService } from '../../src/model';
import { isAlertingRule, RecordingRule, serviceRules } from '../../src/rules';
import { burnIncident, incidentNotifications } from '../../src/rules/tests';
import { ALERT, RECORD } from '../../src/signals/recorded';
import { defineService } from '../../src/spec';

const model = resolveService(checkout);
const rules = serviceRules(model).groups.flatMap((g) => g.rules);
const burnRule = (slo: string, tier: string) => rules.filter(isAlertingRule).find((r) => r.alert === ALERT.errorBudgetBurn && r.labels.slo === slo && r.labels.burn_tier === tier)!;
const availability = model.slos.find((s) => s.name === 'availability')!;

describe('the low-traffic guard counts the requests that happened in the long window', () => {
  it.each([
    ['fast', '[1h]) * 60 >= 70'],
    ['medium', '[6h]) * 60 >= 167'],
    ['slow', '[1d]) * 60 >= 334'],
    ['longterm', '[3d]) * 60 >= 1000'],
  ])('the %s tier sums the recorded per-second rates and multiplies by their 60s spacing: %s', (tier, tail) => {
    expect(burnRule('availability', tier).expr).toContain(`sum_over_time(slo:sli_events:rate5m{namespace="shop", job="checkout", slo="availability"}${tail}`);
    expect(burnRule('availability', tier).expr).not.toContain('avg_over_time');
  });

  it('multiplies by the subquery resolution where a long window is read through a tiling subquery', () => {
    const fine = resolveService(defineService({ ...checkout, alerting: { ...checkout.alerting, evaluationInterval: '15s' } }));
    const longterm = serviceRules(fine).groups[0].rules.filter(isAlertingRule).find((r) => r.labels.burn_tier === 'longterm' && r.labels.slo === 'availability')!;
    expect(longterm.expr).toContain('[3d:5m]) * 300 >= 1000');
  });
});

describe('the budget left is a share of the traffic the whole SLO window is expected to hold', () => {
  it('scales the window error ratio by the share of the window that holds data, at most 1', () => {
    const budget = rules.find((r): r is RecordingRule => !isAlertingRule(r) && r.record === RECORD.budgetRemaining && r.labels?.slo === 'availability')!;
    expect(budget.expr).toBe(
      '1 - slo:sli_error:ratio_rate30d{namespace="shop", job="checkout", slo="availability"} * clamp_max(count_over_time(slo:sli_events:rate5m{namespace="shop", job="checkout", slo="availability"}[30d:5m]) / 8640, 1) / 0.001',
    );
  });
});

describe('a slower burn tier stays quiet in its rule after a faster tier of the same SLO fired', () => {
  it('the fastest tier has no quiet clause', () => {
    expect(burnRule('availability', 'fast').expr).not.toContain('ALERTS');
  });

  it.each([
    ['medium', 'fast', '35m'],
    ['slow', 'fast|medium', '2h5m'],
    ['longterm', 'fast|medium|slow', '6h5m'],
  ])('the %s tier is quiet while %s fired within its short window plus the 5m base window (%s), unless it fires already', (tier, faster, quiet) => {
    const alerts = (tiers: string) =>
      `ALERTS{alertname="ErrorBudgetBurn", alertstate="firing", namespace="shop", service="checkout", slo="availability", burn_tier${tiers}}`;
    expect(burnRule('availability', tier).expr).toContain(
      `unless on (namespace, slo)\n(\n  max by (namespace, slo) (max_over_time(${alerts(`=~"${faster}"`)}[${quiet}]))\n  unless on (namespace, slo)\n  ${alerts(`="${tier}"`)}\n)`,
    );
  });

  it('says so in the alert description', () => {
    expect(burnRule('availability', 'medium').annotations.description).toContain('Silent for 35m after a faster tier of this SLO fired');
  });
});

/**
 * The README's "What a responder receives" table for the example checkout service (99.9% over 30d, default
 * tiers): each incident class notifies through its own tier only, once, and resolves. Times are from the
 * predictor, which the generated promtool test of the same incident checks against the real engine.
 */
describe('what a responder receives for each incident class', () => {
  const minutes = (ms: number) => Math.round(ms / 60_000);
  it.each([
    ['a short full outage (100% errors for 12 minutes)', 'fast', 'page', 1],
    ['a sustained medium burn (0.93% errors, 9.3 times the budget rate)', 'medium', 'page', 0.0093],
    ['a slow burn (0.42% errors, 4.2 times the budget rate)', 'slow', 'ticket', 0.0042],
    ['a very slow burn (0.17% errors, 1.7 times the budget rate)', 'longterm', 'ticket', 0.0017],
  ] as const)('%s notifies once, through the %s tier (a %s), and resolves after recovery', (_class, tier, severity, share) => {
    const t = availability.tiers.find((x) => x.name === tier)!;
    const incident = burnIncident(model, availability, t);
    expect(incident.badShare).toBeCloseTo(share, 4);
    const stream = incidentNotifications(incident);
    expect(stream.map((n) => `${n.tier.name} ${n.tier.severity}`)).toEqual([`${tier} ${severity}`]);
    expect(stream[0].firingMs).toBeGreaterThan(incident.startMs);
    expect(stream[0].resolvedMs).toBeGreaterThan(incident.recoveryMs);
    // Resolved once the tier's short window (and the base rates it sums) has forgotten the incident.
    expect(minutes(stream[0].resolvedMs - incident.recoveryMs)).toBeLessThanOrEqual(minutes(t.shortWindowMs + 2 * 5 * 60_000));
  });

  it('a short full outage lasts 12 minutes and pages within 9 minutes of its start, as the workbook bound says', () => {
    const incident = burnIncident(model, availability, availability.tiers[0]);
    const [page] = incidentNotifications(incident);
    expect(minutes(incident.recoveryMs - incident.startMs)).toBe(12);
    expect(minutes(page.firingMs - incident.startMs)).toBeLessThanOrEqual(9);
  });
});

describe('a request the server failed to answer is a failed request', () => {
  const errorRecord = (def: Parameters<typeof resolveService>[0]) =>
    serviceRules(resolveService(def)).groups[0].rules.find((r): r is RecordingRule => !isAlertingRule(r) && r.record === RECORD.errorRate('5m'))!.expr;
  const eventsRecord = (def: Parameters<typeof resolveService>[0]) =>
    serviceRules(resolveService(def)).groups[0].rules.find((r): r is RecordingRule => !isAlertingRule(r) && r.record === RECORD.sliEvents('5m') && r.labels?.slo === 'availability')!.expr;
  const count = 'http_server_request_duration_seconds_count{namespace="shop", job="checkout"';

  it.each([
    ['by default, a closed connection (aborted) fails too', undefined, 'unanswered|aborted'],
    ["with clientAborts: 'error', the same", 'error', 'unanswered|aborted'],
    ["with clientAborts: 'ignore', only requests whose handler threw (unanswered)", 'ignore', 'unanswered'],
  ] as const)('%s: errors are error statuses or requests without a response of those error types', (_case, clientAborts, types) => {
    const def = defineService({ ...checkout, errors: { ...checkout.errors, ...(clientAborts ? { clientAborts } : {}) } });
    expect(errorRecord(def)).toContain(`sum by (namespace, job) (rate(${count}, http_response_status_code=~"5.."}[5m]) or rate(${count}, error_type=~"${types}"}[5m]))`);
  });

  it("leaves aborted requests out of the availability SLO's events when clientAborts is 'ignore', and counts every request otherwise", () => {
    expect(eventsRecord(checkout)).toBe('namespace_job:requests:rate5m{namespace="shop", job="checkout"}');
    expect(eventsRecord(defineService({ ...checkout, errors: { clientAborts: 'ignore' } }))).toBe(`sum by (namespace, job) (rate(${count}, error_type!="aborted"}[5m]))`);
  });

  it('rejects any other clientAborts value, naming the field, the value and what is allowed', () => {
    expect(() => resolveService(defineService({ ...checkout, errors: { clientAborts: 'count' as never } }))).toThrow(
      /errors\.clientAborts.*"count".*must be "error" \(a closed connection is a failed request\) or "ignore"/s,
    );
  });
});
