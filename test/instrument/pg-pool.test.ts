/**
 * The node-postgres adapter against a real PostgreSQL (a throwaway cluster on loopback): a pool that runs out
 * of clients shows it in the scraped series the rules read — all in use, requests waiting, long waits in the
 * wait-time histogram, and a timeout when a caller gives up.
 */
import { Pool } from 'pg';
import { instrument, observePgPool, type GoldenSignals } from '../../src/instrument';
import { LABEL, METRIC, POOL_STATE } from '../../src/signals/contract';
import { defineService } from '../../src/spec';
import { until } from '../e2e/harness';
import { describeWithPostgres, startPostgres, type TestPostgres } from '../support/postgres';
import { type Sample, scrape, select } from './helpers';

const service = defineService({
  name: 'orders',
  namespace: 'shop',
  team: 'payments',
  metrics: { port: 9464 },
  slos: { latency: { objective: 99, threshold: '300ms' } },
  capacity: {
    pools: [
      { kind: 'database', name: 'orders-db', size: 3, maxWait: '50ms' },
      { kind: 'database', name: 'reports-db', size: 1 },
    ],
  },
});

const pool = (name: string) => ({ [LABEL.poolName]: name });
const value = (samples: readonly Sample[], metric: string, labels: Record<string, string>): number | undefined => select(samples, metric, labels)[0]?.value;

describeWithPostgres('observePgPool against a real PostgreSQL', (bin) => {
  let pg: TestPostgres;
  let gs: GoldenSignals;
  let port: number;
  const pools: Pool[] = [];

  beforeAll(async () => {
    pg = await startPostgres(bin);
    gs = instrument(service, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false, runtimeMetrics: false });
    port = (await gs.ready)!;
  }, 90_000);
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await gs?.shutdown();
    await pg?.stop();
  }, 30_000);

  const newPool = (max: number, connectionTimeoutMillis = 0) => {
    const p = new Pool({ connectionString: pg.connectionString, max, connectionTimeoutMillis });
    p.on('error', () => undefined); // an idle client's error (server shutdown at the end) must not crash the test
    pools.push(p);
    return p;
  };
  const samples = async () => (await scrape(port)).samples;

  test('an idle pool after one query shows 0 in use, 1 idle, its max, nobody waiting and one wait', async () => {
    const orders = newPool(3);
    observePgPool(gs, 'orders-db', orders);
    await orders.query('SELECT 1');
    const s = await samples();
    expect(value(s, METRIC.poolConnections, { ...pool('orders-db'), [LABEL.poolState]: POOL_STATE.used })).toBe(0);
    expect(value(s, METRIC.poolConnections, { ...pool('orders-db'), [LABEL.poolState]: POOL_STATE.idle })).toBe(1);
    expect(value(s, METRIC.poolMax, pool('orders-db'))).toBe(3);
    expect(value(s, METRIC.poolPendingRequests, pool('orders-db'))).toBe(0);
    expect(value(s, `${METRIC.poolWaitTime}_count`, pool('orders-db'))).toBe(1);
  });

  test('an exhausted pool shows every client in use and the queued queries waiting, then their long waits in the histogram', async () => {
    const orders = newPool(3);
    observePgPool(gs, 'orders-db', orders);
    const before = value(await samples(), `${METRIC.poolWaitTime}_count`, pool('orders-db')) ?? 0;
    // Three queries hold every client for 1.5 s; two more queue behind them.
    const holders = Array.from({ length: 3 }, () => orders.query('SELECT pg_sleep(1.5)'));
    await until('three clients checked out', 10_000, () => (orders.totalCount === 3 && orders.idleCount === 0 ? true : undefined), 20);
    const queued = Array.from({ length: 2 }, () => orders.query('SELECT 1'));
    const during = await until('two queries waiting in the scrape', 5_000, async () => {
      const s = await samples();
      return value(s, METRIC.poolPendingRequests, pool('orders-db')) === 2 ? s : undefined;
    }, 20);
    expect(value(during, METRIC.poolConnections, { ...pool('orders-db'), [LABEL.poolState]: POOL_STATE.used })).toBe(3);
    expect(value(during, METRIC.poolConnections, { ...pool('orders-db'), [LABEL.poolState]: POOL_STATE.idle })).toBe(0);
    await Promise.all([...holders, ...queued]);

    const after = await samples();
    const count = value(after, `${METRIC.poolWaitTime}_count`, pool('orders-db'))!;
    expect(count - before).toBe(5);
    // The two queued queries waited for a pg_sleep(1.5) to end: over a second each, past 0.5 s and past maxWait.
    const within = (le: string) => value(after, `${METRIC.poolWaitTime}_bucket`, { ...pool('orders-db'), [LABEL.le]: le })!;
    expect(count - within('0.5')).toBeGreaterThanOrEqual(2);
    expect(count - within('0.05')).toBeGreaterThanOrEqual(2);
    expect(value(after, `${METRIC.poolWaitTime}_sum`, pool('orders-db'))).toBeGreaterThan(2);
    expect(value(after, METRIC.poolPendingRequests, pool('orders-db'))).toBe(0);
  }, 30_000);

  test('a caller that gives up waiting (connectionTimeoutMillis) counts as a timeout and its wait is observed', async () => {
    const reports = newPool(1, 200);
    observePgPool(gs, 'reports-db', reports);
    const held = await reports.connect();
    await expect(reports.connect()).rejects.toThrow(/timeout exceeded/);
    held.release();
    const s = await samples();
    expect(value(s, METRIC.poolTimeouts, pool('reports-db'))).toBe(1);
    // Two waits: the first connect (a new client) and the one that timed out after about 200 ms.
    expect(value(s, `${METRIC.poolWaitTime}_count`, pool('reports-db'))).toBe(2);
    expect(value(s, `${METRIC.poolWaitTime}_sum`, pool('reports-db'))).toBeGreaterThanOrEqual(0.19);
  });

  test("the callback form of connect is timed too, and the app's callback gets the client", async () => {
    const orders = newPool(1);
    observePgPool(gs, 'orders-db', orders);
    const before = value(await samples(), `${METRIC.poolWaitTime}_count`, pool('orders-db')) ?? 0;
    const rows = await new Promise<unknown[]>((resolve, reject) =>
      orders.connect((error, client, release) => {
        if (error || !client) return reject(error);
        client.query('SELECT 42 AS answer').then((r) => (release(), resolve(r.rows)), reject);
      }),
    );
    expect(rows).toEqual([{ answer: 42 }]);
    expect(value(await samples(), `${METRIC.poolWaitTime}_count`, pool('orders-db'))).toBe(before + 1);
  });

  test('a database that refuses connections is not a pool wait: the error reaches the app and nothing is observed', async () => {
    const broken = new Pool({ connectionString: pg.connectionString.replace(/\/postgres$/, '/no_such_database'), max: 1 });
    pools.push(broken);
    observePgPool(gs, 'reports-db', broken);
    const before = await samples();
    await expect(broken.query('SELECT 1')).rejects.toThrow(/no_such_database/);
    const after = await samples();
    expect(value(after, `${METRIC.poolWaitTime}_count`, pool('reports-db'))).toBe(value(before, `${METRIC.poolWaitTime}_count`, pool('reports-db')));
    expect(value(after, METRIC.poolTimeouts, pool('reports-db'))).toBe(value(before, METRIC.poolTimeouts, pool('reports-db')));
  });
});
