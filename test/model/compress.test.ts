/** compressTime: the time-compressed model the end-to-end test runs the generated rules from. */
import { catalog, checkout, ledger } from '../../examples/services';
import { compressTime, DEFAULT_TIMINGS, resolveService } from '../../src/model';
import { isAlertingRule, serviceRules } from '../../src/rules';

const ONE_SECOND = { scrapeIntervalMs: 1000, evaluationIntervalMs: 1000 };

describe('compressTime', () => {
  it('divides every SLO window, tier window and tier for by the factor, keeping burn factors and thresholds', () => {
    const model = resolveService(checkout);
    const fast = compressTime(model, 60, ONE_SECOND);
    fast.slos.forEach((slo, i) => {
      expect(slo.windowMs).toBe(model.slos[i].windowMs / 60);
      slo.tiers.forEach((t, j) => {
        const o = model.slos[i].tiers[j];
        expect([t.longWindowMs, t.shortWindowMs, t.forMs]).toEqual([o.longWindowMs / 60, o.shortWindowMs / 60, o.forMs / 60]);
        expect([t.factor, t.errorRatioThreshold, t.minEvents, t.severity]).toEqual([o.factor, o.errorRatioThreshold, o.minEvents, o.severity]);
      });
    });
  });

  it('compresses every timing the rules read and sets the scrape and evaluation intervals', () => {
    const fast = compressTime(resolveService(catalog), 60, { scrapeIntervalMs: 1000, evaluationIntervalMs: 2000 });
    expect(fast.timings.trafficDropOffsetMs).toBe(DEFAULT_TIMINGS.trafficDropOffsetMs / 60);
    expect(fast.timings.cpuAboveRequestForMs).toBe(DEFAULT_TIMINGS.cpuAboveRequestForMs / 60);
    expect(fast.metrics.scrapeIntervalMs).toBe(1000);
    expect(fast.alerting.evaluationIntervalMs).toBe(2000);
  });

  it('keeps the SLO-window group the same multiple of the evaluation interval (ledger-sync: 5m of 1m becomes 10s of 2s)', () => {
    const fast = compressTime(resolveService(ledger), 60, { scrapeIntervalMs: 1000, evaluationIntervalMs: 2000 });
    expect(fast.alerting.sloWindowEvaluationIntervalMs).toBe(10_000);
    expect(serviceRules(fast).groups.map((g) => g.interval)).toEqual(['2s', '10s']);
    expect(compressTime(resolveService(catalog), 60, ONE_SECOND).alerting.sloWindowEvaluationIntervalMs).toBeUndefined();
  });

  it('keeps rate windows at four scrape intervals or more and rounds waits to whole seconds', () => {
    const fast = compressTime(resolveService(checkout), 240, { scrapeIntervalMs: 2000, evaluationIntervalMs: 1000 });
    expect(fast.slos[0].tiers[0].shortWindowMs).toBe(8000); // 5m / 240 = 1.25s, floored to 4 × 2s
    expect(fast.traffic.noTrafficForMs).toBe(8000); // 10m / 240 = 2.5s
    expect(fast.slos[0].tiers[0].forMs).toBe(1000); // 2m / 240 = 0.5s, rounded
    expect(fast.timings.absentForMinMs).toBe(0); // 1m / 240 = 0.25s, rounded
  });

  it('leaves every rule without a production-length duration: no for or range longer than the compressed SLO window', () => {
    for (const def of [checkout, catalog, ledger]) {
      const fast = compressTime(resolveService(def), 240, ONE_SECOND);
      const longest = Math.max(...fast.slos.map((s) => s.windowMs), fast.timings.trafficDropOffsetMs + fast.timings.trafficDropWindowMs);
      const tooLong = serviceRules(fast).groups.flatMap((g) =>
        g.rules.flatMap((rule) => {
          const durations = [...rule.expr.matchAll(/\[(\w+)(?::\w+)?\]|offset (\w+)/g)].map((m) => m[1] ?? m[2]);
          if (isAlertingRule(rule)) durations.push(rule.for);
          return durations.filter((d) => ms(d) > longest).map((d) => `${isAlertingRule(rule) ? rule.alert : rule.record}: ${d}`);
        }),
      );
      expect(tooLong).toEqual([]);
    }
  });

  it('keeps labels and annotations except the durations they quote', () => {
    const model = resolveService(checkout);
    const normal = serviceRules(model).groups[0].rules.filter(isAlertingRule);
    const fast = serviceRules(compressTime(model, 60, ONE_SECOND)).groups[0].rules.filter(isAlertingRule);
    expect(fast.map((r) => [r.alert, r.labels, r.annotations.runbook_url, r.annotations.dashboard_url, r.annotations.summary])).toEqual(
      normal.map((r) => [r.alert, r.labels, r.annotations.runbook_url, r.annotations.dashboard_url, r.annotations.summary]),
    );
  });

  it('refuses a factor that collapses a tier, naming the SLO and tier', () => {
    expect(() => compressTime(resolveService(checkout), 5000, { scrapeIntervalMs: 1000, evaluationIntervalMs: 1000 })).toThrow(/availability SLO's fast tier/);
    expect(() => compressTime(resolveService(checkout), 0.5, ONE_SECOND)).toThrow(/factor/);
    expect(() => compressTime(resolveService(checkout), 60, { scrapeIntervalMs: 1500, evaluationIntervalMs: 1000 })).toThrow(/scrapeIntervalMs/);
  });
});

function ms(d: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  return [...d.matchAll(/(\d+)(ms|s|m|h|d|w)/g)].reduce((sum, m) => sum + Number(m[1]) * units[m[2]], 0);
}
