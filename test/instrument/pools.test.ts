/**
 * The generic pool API of the shim: series for every declared pool from start-up, values read at scrape time,
 * and an app that can never be broken by it (a throwing or lying source is skipped, a bad wait dropped).
 */
import { instrument, type GoldenSignals } from '../../src/instrument';
import { LABEL, METRIC, POOL_STATE } from '../../src/signals/contract';
import { defineService } from '../../src/spec';
import { parseExposition, select } from './helpers';

const service = defineService({
  name: 'jobs',
  namespace: 'shop',
  team: 'growth',
  metrics: { port: 9464 },
  capacity: { pools: [{ kind: 'database', name: 'jobs-db', size: 8, maxWait: '40ms' }] },
});
const pool = { [LABEL.poolName]: 'jobs-db' };

describe('observePool', () => {
  let gs: GoldenSignals;
  beforeEach(() => {
    gs = instrument(service, { serve: false, handleSignals: false, tracing: false, runtimeMetrics: false });
  });
  afterEach(() => gs.shutdown());
  const samples = async () => parseExposition(await gs.metrics('text'));

  it("exposes a declared pool's wait histogram and timeouts at zero before it is observed, with maxWait as a bucket", async () => {
    const s = await samples();
    expect(select(s, `${METRIC.poolWaitTime}_count`, pool).map((x) => x.value)).toEqual([0]);
    expect(select(s, METRIC.poolTimeouts, pool).map((x) => x.value)).toEqual([0]);
    expect(select(s, `${METRIC.poolWaitTime}_bucket`, { ...pool, [LABEL.le]: '0.04' })).toHaveLength(1);
  });

  it('reads in use, idle, waiting and max at every scrape; max defaults to the declared size', async () => {
    let busy = 2;
    gs.observePool('jobs-db', { inUse: () => busy, idle: () => 8 - busy, waiting: () => (busy === 8 ? 3 : 0) });
    const read = (s: ReturnType<typeof parseExposition>, metric: string, extra: Record<string, string> = {}) => select(s, metric, { ...pool, ...extra }).map((x) => x.value);
    let s = await samples();
    expect(read(s, METRIC.poolConnections, { [LABEL.poolState]: POOL_STATE.used })).toEqual([2]);
    expect(read(s, METRIC.poolConnections, { [LABEL.poolState]: POOL_STATE.idle })).toEqual([6]);
    expect(read(s, METRIC.poolMax)).toEqual([8]);
    expect(read(s, METRIC.poolPendingRequests)).toEqual([0]);
    busy = 8;
    s = await samples();
    expect(read(s, METRIC.poolConnections, { [LABEL.poolState]: POOL_STATE.used })).toEqual([8]);
    expect(read(s, METRIC.poolPendingRequests)).toEqual([3]);
  });

  it('counts waits and timeouts in the histogram and the timeout counter', async () => {
    const jobs = gs.observePool('jobs-db', { inUse: () => 0, idle: () => 0, waiting: () => 0 });
    jobs.waited(0.01);
    jobs.waited(0.5);
    jobs.timedOut(2);
    const s = await samples();
    expect(select(s, `${METRIC.poolWaitTime}_count`, pool)[0].value).toBe(3);
    expect(select(s, `${METRIC.poolWaitTime}_bucket`, { ...pool, [LABEL.le]: '0.04' })[0].value).toBe(1);
    expect(select(s, METRIC.poolTimeouts, pool)[0].value).toBe(1);
  });

  it.each<[string, () => number]>([
    ['throws', () => { throw new Error('pool closed'); }],
    ['returns NaN', () => NaN],
    ['returns a string', () => '3' as unknown as number],
  ])('skips a source whose inUse() %s, keeps the rest, and never throws into the scrape', async (_title, inUse) => {
    gs.observePool('jobs-db', { inUse, idle: () => 5, waiting: () => 1 });
    const s = await samples();
    expect(select(s, METRIC.poolConnections, { ...pool, [LABEL.poolState]: POOL_STATE.used })).toEqual([]);
    expect(select(s, METRIC.poolConnections, { ...pool, [LABEL.poolState]: POOL_STATE.idle }).map((x) => x.value)).toEqual([5]);
    expect(select(s, METRIC.poolPendingRequests, pool).map((x) => x.value)).toEqual([1]);
  });

  it.each([-1, NaN, Infinity])('drops a wait of %s seconds without throwing', async (seconds) => {
    const jobs = gs.observePool('jobs-db', { inUse: () => 0, idle: () => 0, waiting: () => 0 });
    expect(() => jobs.waited(seconds)).not.toThrow();
    expect(() => jobs.timedOut(seconds)).not.toThrow();
    const s = await samples();
    expect(select(s, `${METRIC.poolWaitTime}_count`, pool)[0].value).toBe(0);
    expect(select(s, METRIC.poolTimeouts, pool)[0].value).toBe(0);
  });

  it('refuses, at start-up, a pool name the definition does not declare: label values come from the definition only', () => {
    expect(() => gs.observePool('users-db', { inUse: () => 0, idle: () => 0, waiting: () => 0 })).toThrow(
      'observePool(): "users-db" is not a pool of the definition (capacity.pools); declared: "jobs-db"',
    );
  });

  it('refuses a source without the three readers', () => {
    expect(() => gs.observePool('jobs-db', { inUse: () => 0 } as never)).toThrow('observePool("jobs-db"): the source must have inUse(), idle() and waiting() functions');
  });

  it('emits no pool series at all for a service that declares no pool', async () => {
    const plain = instrument({ ...service, capacity: undefined }, { serve: false, handleSignals: false, tracing: false, runtimeMetrics: false });
    try {
      const text = await plain.metrics('text');
      expect(text).not.toContain('db_client_connection');
      expect(() => plain.observePool('jobs-db', { inUse: () => 0, idle: () => 0, waiting: () => 0 })).toThrow('it declares none');
    } finally {
      await plain.shutdown();
    }
  });
});
