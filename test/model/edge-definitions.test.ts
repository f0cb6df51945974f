import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveService } from '../../src/model';
import { plainFiles } from '../../src/plain';
import type { ServiceDefinition, ServiceLevelObjectives } from '../../src/spec';
import { describeWithBinary, run } from '../support/binaries';

/**
 * Whatever `resolveService` accepts, `plainFiles` renders: the generated promtool tests are built for the
 * definition, so a valid edge (a tiny budget, a short window, a large low-traffic guard) must never make
 * them throw. 99.9999% used to: its fast tier's guard (69,445 events an hour) was above what the scenarios'
 * 10 req/s gave, so the rule rightly stayed silent and the test generator gave up.
 */

const base = { name: 'checkout', namespace: 'shop', team: 'payments', metrics: { port: 9464 } };

function definition(slos: ServiceLevelObjectives): ServiceDefinition {
  return { ...base, slos } as ServiceDefinition;
}

/** The 7-day window has no room for the slow tier's default (10% over a day is a burn below 1). */
const noSlow = { slow: false } as const;

const EDGES: ReadonlyArray<[string, ServiceLevelObjectives]> = [
  ['99.9999% availability, the objective that used to throw', { availability: { objective: 99.9999 } }],
  ['99.9999% availability over 28 days', { availability: { objective: 99.9999, window: '28d' } }],
  ['99.9999% availability over 7 days without the slow tier', { availability: { objective: 99.9999, window: '7d', burnTiers: noSlow } }],
  ['99.99999% latency', { latency: { objective: 99.99999, threshold: '300ms' } }],
  ['99.999% availability and latency', { availability: { objective: 99.999 }, latency: { objective: 99.999, threshold: '1s' } }],
  ['99.99% over 7 days without the slow tier', { availability: { objective: 99.99, window: '7d', burnTiers: noSlow } }],
  ['99.9% with a guard of 100,000 events, above 10 req/s for an hour', { availability: { objective: 99.9, minEvents: 100_000 } }],
  ['99.9% with a guard of ten million events', { availability: { objective: 99.9, minEvents: 10_000_000 } }],
  ['99.9% without a guard', { availability: { objective: 99.9, minEvents: 0 } }],
  ['99.9% with a guard of one event', { latency: { objective: 99.9, minEvents: 1, threshold: '300ms' } }],
  ['99% over 28 days with a guard of 20 events', { availability: { objective: 99, window: '28d', minEvents: 20 } }],
  ['95% without the fast tier, which cannot fire below 93.06%', { availability: { objective: 95, burnTiers: { fast: false } } }],
  ['90% without the fast tier', { availability: { objective: 90, burnTiers: { fast: false } } }],
  ['90% over 7 days with the fast and slow tiers off', { latency: { objective: 90, window: '7d', threshold: '300ms', burnTiers: { fast: false, slow: false } } }],
];

describe('plainFiles renders every definition resolveService accepts', () => {
  it.each(EDGES)('renders rules, tests and scrape config for %s', (_title, slos) => {
    const files = plainFiles(resolveService(definition(slos)));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['shop-checkout.rules.yaml', 'tests/shop-checkout.service.1m.test.yaml', 'shop-checkout.scrape.yaml']));
  });

  it('runs the 99.9999% burn scenarios at the traffic the fast tier guard needs, and says so', () => {
    const files = plainFiles(resolveService(definition({ availability: { objective: 99.9999 } })));
    // Guard 69,445 events per hour, twice over: 38.58 req/s, rounded up to whole 10 req/s steps.
    expect(files['tests/shop-checkout.availability-burn.1m.test.yaml']).toContain('availability fast burn: after 1h of healthy traffic at 40 req/s (the guard\'s minEvents needs it), a 100% outage fires');
  });
});

describeWithBinary('promtool', 'promtool passes the generated tests of an edge definition', (promtool) => {
  it('promtool test rules passes every scenario of 99.9999% availability', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-edge-'));
    const files = plainFiles(resolveService(definition({ availability: { objective: 99.9999 } })));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const tests = Object.keys(files).filter((f) => f.endsWith('.test.yaml')).map((f) => path.join(dir, f));
    const { status, output } = run(promtool, ['test', 'rules', ...tests], 5 * 60_000);
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  }, 6 * 60_000);
});
