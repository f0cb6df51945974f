import { resolveService, ServiceDefinitionError } from '../../src/model';
import { defineService, ServiceDefinition } from '../../src/spec';
import { thrownBy } from '../support/errors';

const valid = defineService({
  name: 'checkout',
  namespace: 'shop',
  team: 'payments',
  metrics: { port: 9464 },
  slos: { availability: { objective: 99.9 }, latency: { objective: 99, threshold: '300ms' } },
});

/** A definition with one part replaced, typed loosely so invalid values can be written. */
function withPart(patch: Record<string, unknown>): ServiceDefinition {
  return { ...valid, ...patch } as unknown as ServiceDefinition;
}

function problemsOf(def: ServiceDefinition): string[] {
  try {
    resolveService(def);
  } catch (e) {
    if (e instanceof ServiceDefinitionError) return e.problems.map((p) => `${p.field}: ${p.got ?? JSON.stringify(p.value)}: ${p.allowed}`);
    throw e;
  }
  return [];
}

describe('resolveService resolves every default once', () => {
  const model = resolveService(valid);

  it('keeps the SRE Workbook tiers on a 30-day window: factors 14.4, 6, 3, 1 with their windows, for and severities', () => {
    expect(model.slos[0].tiers.map((t) => [t.name, t.factor, t.longWindowMs / 60_000, t.shortWindowMs / 60_000, t.forMs / 60_000, t.severity])).toEqual([
      ['fast', 14.4, 60, 5, 2, 'page'],
      ['medium', 6, 360, 30, 15, 'page'],
      ['slow', 3, 1440, 120, 60, 'ticket'],
      ['longterm', 1, 4320, 360, 180, 'ticket'],
    ]);
  });

  it.each([
    ['the error budget of 99.9%', () => model.slos[0].errorBudget, 0.001],
    ['the fast threshold of 99.9% (14.4 × 0.001)', () => model.slos[0].tiers[0].errorRatioThreshold, 0.0144],
    ['the medium threshold of 99% (6 × 0.01)', () => model.slos[1].tiers[1].errorRatioThreshold, 0.06],
    ['the objective ratio of 99.9%', () => model.slos[0].objective, 0.999],
  ])('computes %s as an exact decimal', (_what, get, expected) => {
    expect(get()).toBe(expected);
  });

  it('adds every latency threshold to the OTel bucket boundaries, in order', () => {
    expect(model.buckets).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
  });

  it('sets the low-traffic guard so one failed request alone can never cross a tier threshold', () => {
    for (const slo of model.slos)
      for (const t of slo.tiers) {
        expect(1 / t.minEvents).toBeLessThanOrEqual(t.errorRatioThreshold);
        expect(1 / (t.minEvents - 1)).toBeGreaterThan(t.errorRatioThreshold);
      }
  });

  it('derives the dashboard UID from namespace, service and kind', () => {
    expect(model.alerting.dashboardUid).toBe('gs-shop-checkout-service');
  });

  it.each([
    ['28d', [13.44, 5.6, 2.8, 1]],
    ['7d', undefined],
  ])('recomputes factors for a %s window as budget share × period / long window', (window, factors) => {
    const def = withPart({ slos: { availability: { objective: 99.9, window } } });
    if (factors) expect(resolveService(def).slos[0].tiers.map((t) => t.factor)).toEqual(factors);
    else expect(problemsOf(def)).toEqual([expect.stringContaining('slos.availability.burnTiers.slow.budgetConsumed: 10: gives the slow tier a burn factor of 0.7 on a 7d window')]);
  });

  it('leaves a disabled tier out and applies overrides to the others', () => {
    const m = resolveService(withPart({ slos: { availability: { objective: 99.9, burnTiers: { fast: false, medium: { for: '5m', severity: 'ticket' } } } } }));
    expect(m.slos[0].tiers.map((t) => [t.name, t.forMs, t.severity])).toEqual([
      ['medium', 300_000, 'ticket'],
      ['slow', 3_600_000, 'ticket'],
      ['longterm', 10_800_000, 'ticket'],
    ]);
  });
});

describe('invalid definitions fail with the field, the value and what is allowed', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['an objective of 100', { slos: { availability: { objective: 100 } } }, 'slos.availability.objective: 100: must be a percentage strictly between 0 and 100'],
    ['an objective of 0', { slos: { availability: { objective: 0 } } }, 'slos.availability.objective: 0: must be a percentage strictly between 0 and 100'],
    ['an objective written as a ratio string', { slos: { availability: { objective: '0.999' } } }, 'slos.availability.objective: "0.999": must be a percentage'],
    ['a latency threshold that does not parse', { slos: { latency: { objective: 99, threshold: 'fast' } } }, 'slos.latency.threshold: "fast": must be a positive duration'],
    ['a latency threshold of zero', { slos: { latency: { objective: 99, threshold: '0ms' } } }, 'slos.latency.threshold: "0ms": must be a positive duration'],
    ['a name that is not a DNS label', { name: 'Checkout_API' }, 'name: "Checkout_API": must be a DNS label'],
    ['a namespace that is not a DNS label', { namespace: '-shop' }, 'namespace: "-shop": must be a DNS label'],
    ['a team that is not a DNS label', { team: 'Payments Team' }, 'team: "Payments Team": must be a DNS label'],
    [
      'a fast tier that can never fire at 90%',
      { slos: { availability: { objective: 90 } } },
      'slos.availability.objective: 90: the fast burn tier (factor 14.4) can never fire below 93.0556%',
    ],
    [
      'a short window under 4 scrape intervals',
      { metrics: { port: 9464, scrapeInterval: '2m' }, slos: { availability: { objective: 99.9 } } },
      'slos.availability.burnTiers.fast.shortWindow: "5m": must be at least 4 scrape intervals (8m with scrapeInterval 2m)',
    ],
    ['a metrics port out of range', { metrics: { port: 70000 } }, 'metrics.port: 70000: must be a whole number from 1 to 65535'],
    ['an evaluation interval over 5m', { alerting: { evaluationInterval: '10m' } }, 'alerting.evaluationInterval: "10m": must be at most "5m"'],
    ['a status code outside 100–599', { errors: { statusCodes: [429, 700] } }, 'errors.statusCodes[1]: 700: must be a status class'],
    ['a saturation ratio above 1', { saturation: { cpuOfLimit: 1.5 } }, 'saturation.cpuOfLimit: 1.5: must be a ratio greater than 0 and at most 1'],
    ['an event-loop delay threshold inside the sampling noise', { saturation: { eventLoopDelayP99: '10ms' } }, 'saturation.eventLoopDelayP99: "10ms": must be at least "50ms"'],
    ['an unknown SLO kind', { slos: { throughput: { objective: 99 } } }, 'slos.throughput: unknown key: allowed: "availability", "latency"'],
    ['an unknown burn tier', { slos: { availability: { objective: 99.9, burnTiers: { instant: false } } } }, 'slos.availability.burnTiers.instant: unknown key: allowed: "fast", "medium", "slow", "longterm"'],
    [
      'a short window longer than its long window',
      { slos: { availability: { objective: 99.9, burnTiers: { fast: { shortWindow: '2h' } } } } },
      'slos.availability.burnTiers.fast.shortWindow: "2h": must be shorter than the long window (1h)',
    ],
    ['a route that is not a template path', { routes: ['orders'] }, 'routes[0]: "orders": must be a route template starting with "/"'],
    ['a route with a segment after its wildcard', { routes: ['/files/*/meta'] }, 'routes[0]: "/files/*/meta": may use "*" only as the last segment'],
    ['a routing option that is not an object', { routing: 'payments' }, 'routing: "payments": must be an object { page, ticket }'],
    ['a routing option with no ticket receiver', { routing: { page: { kind: 'pagerduty', routingKey: { secret: { name: 'pd', key: 'k' } } } } }, 'routing.ticket: undefined: needs at least one receiver'],
  ])('rejects %s', (_case, patch, message) => {
    expect(problemsOf(withPart(patch))).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  it('reports every problem of a definition together, not just the first', () => {
    const problems = problemsOf(withPart({ name: 'Bad', metrics: { port: 0 }, slos: { availability: { objective: 90 }, latency: { objective: 100, threshold: 'x' } } }));
    expect(problems.map((p) => p.split(':')[0])).toEqual(['name', 'metrics.port', 'slos.availability.objective', 'slos.latency.objective', 'slos.latency.threshold']);
  });

  it('reports routing problems in the same error as the other problems, not after they are fixed', () => {
    const error = thrownBy(() =>
      resolveService(
        withPart({
          metrics: { port: 0 },
          routing: { page: { kind: 'pagerduty', routingKey: { secret: { name: 'pd', key: 'k' } } }, ticket: { kind: 'opsgenie' } },
        }),
      ),
    );
    expect(error).toBeInstanceOf(ServiceDefinitionError);
    expect((error as ServiceDefinitionError).problems.map((p) => p.field)).toEqual(['metrics.port', 'routing.ticket.kind']);
    expect(error.message).toMatch(/^Invalid service definition "checkout" \(2 problems\):\n {2}- metrics\.port: got 0;[^\n]*\n {2}- routing\.ticket\.kind: got "opsgenie";/);
  });

  it('names the service and lists the problems in the error message', () => {
    expect(() => resolveService(withPart({ slos: { availability: { objective: 101 } } }))).toThrow(
      /Invalid service definition "checkout" \(1 problem\):\n {2}- slos\.availability\.objective: got 101; must be a percentage strictly between 0 and 100/,
    );
  });
});
