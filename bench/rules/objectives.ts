/**
 * Rules per SLO with several latency objectives and journeys (issue 20), and the rule count of a 500-service
 * fleet with those features in use.
 *
 *   npx ts-node --transpile-only bench/rules/objectives.ts
 *
 * Counts the rules of the example checkout (availability, two latency objectives, one journey with availability
 * and latency, a budget policy) by their `slo` label; the rules without one are the service's own (base rates,
 * traffic, saturation, meta). Then the synthetic fleet of bench/synth/fleet.ts at 500 services, without and with
 * GS_BENCH_FEATURES=objectives (fleet.ts reads it when first loaded, so each count runs in its own process).
 */
import { execFileSync } from 'node:child_process';
import { checkout } from '../../examples/services';
import { resolveService } from '../../src/model';
import { isAlertingRule, serviceRules } from '../../src/rules';

if (process.argv[2] === '--fleet') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { syntheticFleet } = require('../synth/fleet') as typeof import('../synth/fleet');
  const t0 = process.hrtime.bigint();
  const models = syntheticFleet(500).map(resolveService);
  const rules = models.reduce((n, m) => n + serviceRules(m).groups.reduce((k, g) => k + g.rules.length, 0), 0);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(JSON.stringify({ slos: models.reduce((n, m) => n + m.slos.length, 0), rules, ms: Math.round(ms) }));
} else {
  const model = resolveService(checkout);
  const rules = serviceRules(model).groups.flatMap((g) => g.rules);
  console.log('| slo | journey | recording | alerts | in all |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const slo of model.slos) {
    const own = rules.filter((r) => r.labels?.slo === slo.name);
    const alerts = own.filter(isAlertingRule).length;
    console.log(`| ${slo.name} | ${slo.journey?.name ?? '–'} | ${own.length - alerts} | ${alerts} | ${own.length} |`);
  }
  const shared = rules.filter((r) => r.labels?.slo === undefined);
  console.log(`| (service: base rates, traffic, saturation, meta) | | ${shared.filter((r) => !isAlertingRule(r)).length} | ${shared.filter(isAlertingRule).length} | ${shared.length} |`);
  console.log(`\ncheckout: ${rules.length} rules for ${model.slos.length} SLOs`);
  const run = (features: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, '--fleet'], {
        encoding: 'utf8',
        env: { ...process.env, GS_BENCH_FEATURES: features },
      }).trim().split('\n').pop()!,
    ) as { slos: number; rules: number; ms: number };
  for (const features of ['', 'objectives']) {
    const r = run(features);
    console.log(`500 services ${features ? 'with several latency objectives and journeys' : 'as before'}: ${r.slos} SLOs, ${r.rules} rules, resolve + rules ${r.ms} ms`);
  }
}
