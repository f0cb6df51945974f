/**
 * The generated promtool tests of every kind of pool: each pool alert has a scenario that makes it fire and the
 * pool's healthy scenario keeps all of them silent, and a real promtool agrees. The example fleet cannot show
 * every alert (its worker pool belongs to mailer, which has no latency SLO, so no WorkerPoolWaitBreaksLatency):
 * this definition declares one pool of each kind next to a latency objective.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { checkout } from '../../examples/services';
import { resolveService } from '../../src/model';
import { plainFiles } from '../../src/plain';
import type { ServiceDefinition } from '../../src/spec';
import { describeWithBinary, run } from '../support/binaries';

const definition: ServiceDefinition = {
  ...checkout,
  journeys: undefined,
  capacity: {
    requestsPerSecond: 250,
    pools: [
      { kind: 'database', name: 'orders-db', size: 10 },
      { kind: 'http-client', name: 'payments-api', size: 24, maxWait: '50ms', connectsTo: { name: 'payments', maxConnections: 1000 } },
      { kind: 'worker', name: 'pdf-render', size: 3, inUseOfSize: 0.6, maxWait: '200ms' },
    ],
  },
};
const files = plainFiles(resolveService(definition));
/** Each pool's scenarios run against that pool's alerts, in a file of their own. */
const POOL_FILES = ['orders-db', 'payments-api', 'pdf-render'].map((pool) => `tests/shop-checkout.${pool}-pool.1m.test.yaml`);

interface TestFile {
  readonly tests: ReadonlyArray<{ readonly name: string; readonly alert_rule_test: ReadonlyArray<{ readonly alertname: string; readonly exp_alerts: readonly unknown[] }> }>;
}
const poolFile = (pool: string) => YAML.parse(files[`tests/shop-checkout.${pool}-pool.1m.test.yaml`]) as TestFile;

describe('the generated tests of every kind of pool', () => {
  it.each([
    ['orders-db', ['ConnectionPoolNearExhaustion', 'ConnectionPoolWaitSlow', 'ConnectionPoolWaitBreaksLatency']],
    ['payments-api', ['HttpClientPoolNearExhaustion', 'HttpClientPoolWaitSlow', 'HttpClientPoolWaitBreaksLatency']],
    ['pdf-render', ['WorkerPoolNearExhaustion', 'WorkerPoolWaitSlow', 'WorkerPoolWaitBreaksLatency']],
  ])('give pool %s a scenario firing each of %j and a healthy one where none fires', (pool, alerts) => {
    const saturation = poolFile(pool);
    for (const alert of alerts) {
      const firing = saturation.tests.filter((t) => t.name.startsWith(`${alert} (${pool})`));
      expect(firing).toHaveLength(1);
      expect(firing[0].alert_rule_test.filter((c) => c.alertname === alert).map((c) => c.exp_alerts.length)).toEqual([0, 1]);
    }
    const healthy = saturation.tests.filter((t) => t.name.startsWith(`pool ${pool} healthy`));
    expect(healthy).toHaveLength(1);
    expect(healthy[0].alert_rule_test.map((c) => [c.alertname, c.exp_alerts.length])).toEqual(alerts.map((a) => [a, 0]));
  });
});

describeWithBinary('promtool', 'promtool on the pools of every kind', (promtool) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-pool-kinds-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('promtool check rules --lint=all --lint-fatal accepts the rule file', () => {
    const { status, output } = run(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', path.join(dir, 'shop-checkout.rules.yaml')], 60_000);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('promtool test rules passes every pool scenario', () => {
    const { status, output } = run(promtool, ['test', 'rules', ...POOL_FILES.map((f) => path.join(dir, f))], 5 * 60_000);
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  }, 6 * 60_000);
});
