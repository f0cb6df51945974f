/**
 * What a responder receives for each incident class: the notifications each burn incident of the generated
 * tests produces, with their times, for the example checkout service's SLOs (99.9% availability, 99%
 * latency under 300ms, 30d, default tiers).
 *
 *   npx ts-node --transpile-only bench/rules/incidents.ts
 *
 * The incidents are those of the generated promtool tests (src/rules/tests, `burnIncident`): healthy history,
 * a bad-event share only the tier and slower ones detect (100% for the fast tier, for 12 minutes), recovery,
 * then quiet until every short window has forgotten it. Times come from the predictor those tests are built
 * on; `promtool test rules` on alerts/tests/shop-checkout.*.test.yaml checks every state change it predicts (a step or
 * two after it) and the quiet in between, so a wrong number here fails `npm test`.
 */
import { checkout } from '../../examples/services';
import { resolveService } from '../../src/model';
import { burnIncident, incidentNotifications } from '../../src/rules/tests';
import { formatDuration } from '../../src/spec';

const MINUTE = 60_000;
const at = (ms: number) => formatDuration(Math.round(ms / MINUTE) * MINUTE);

function main(): void {
  const model = resolveService(checkout);
  console.log('| SLO | incident (bad-event share, how long) | notifications: tier, fired after the start, resolved after recovery | test step |');
  console.log('| --- | --- | --- | ---: |');
  for (const slo of model.slos) {
    for (const tier of slo.tiers) {
      const incident = burnIncident(model, slo, tier);
      const stream = incidentNotifications(incident)
        .map((n) => `${n.tier.name} ${n.tier.severity}: fired +${at(n.firingMs - incident.startMs)}, resolved +${at(n.resolvedMs - incident.recoveryMs)}`)
        .join('; ');
      const share = Number((incident.badShare * 100).toPrecision(3));
      console.log(`| ${slo.name} ${slo.objectivePercent}% | ${share}% for ${at(incident.recoveryMs - incident.startMs)} (${tier.name} class) | ${stream || 'none'} | ${formatDuration(incident.step)} |`);
    }
  }
}

main();
