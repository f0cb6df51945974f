/**
 * The example app with a database: given DATABASE_URL, checkout's order lookups go through a node-postgres pool
 * of the definition's `orders-db` size, and the `queryHoldMs` fault (a slow query) exhausts it under load —
 * the pool-exhaustion fault, seen in the series the pool alerts read, against a real PostgreSQL.
 */
import { createApp, parseFaults } from '../../examples/app/server';
import { checkout } from '../../examples/services';
import { LABEL, METRIC, POOL_STATE } from '../../src/signals/contract';
import { until } from '../e2e/harness';
import { describeWithPostgres, startPostgres, type TestPostgres } from '../support/postgres';
import { listen, request, scrape, select } from './helpers';

const size = checkout.capacity!.pools![0].size;
const pool = { [LABEL.poolName]: 'orders-db' };

it('rejects a queryHoldMs fault outside 0..60000 ms', () => {
  expect(parseFaults({ queryHoldMs: -1 })).toBe('queryHoldMs must be a number of ms from 0 to 60000');
  expect(parseFaults({ queryHoldMs: 250 })).toEqual({ errorRatio: 0, extraLatencyMs: 0, queryHoldMs: 250 });
});

describeWithPostgres('the example app exhausting its orders-db pool', (bin) => {
  let pg: TestPostgres;
  let app: ReturnType<typeof createApp>;
  let appPort: number;
  let metricsPort: number;

  beforeAll(async () => {
    pg = await startPostgres(bin, { maxConnections: size + 10 });
    app = createApp({ metricsPort: 0, host: '127.0.0.1', databaseUrl: pg.connectionString });
    appPort = await listen(app.server);
    metricsPort = (await app.gs.ready)!;
  }, 90_000);
  afterAll(async () => {
    await new Promise((resolve) => app?.server.close(resolve));
    await app?.pool?.end().catch(() => undefined);
    await app?.gs.shutdown();
    await pg?.stop();
  }, 30_000);

  test(`an order lookup reads from PostgreSQL through the pool`, async () => {
    const res = await request(appPort, '/orders/42', { agent: false });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ id: '42', status: 'shipped' });
  });

  test(`with every query held 1 s, ${size + 5} concurrent lookups fill all ${size} connections, queue 5, and wait past the latency threshold`, async () => {
    const fault = await request(appPort, '/admin/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queryHoldMs: 1000 }), agent: false });
    expect(fault.status).toBe(200);
    const before = select((await scrape(metricsPort)).samples, `${METRIC.poolWaitTime}_count`, pool)[0].value;
    const lookups = Array.from({ length: size + 5 }, (_, i) => request(appPort, `/orders/${i}`, { agent: false }));
    const during = await until('the pool full with 5 waiting', 10_000, async () => {
      const s = (await scrape(metricsPort)).samples;
      return select(s, METRIC.poolPendingRequests, pool)[0]?.value === 5 ? s : undefined;
    }, 50);
    expect(select(during, METRIC.poolConnections, { ...pool, [LABEL.poolState]: POOL_STATE.used })[0].value).toBe(size);
    expect(select(during, METRIC.poolMax, pool)[0].value).toBe(size);
    expect((await Promise.all(lookups)).map((r) => r.status)).toEqual(Array(size + 5).fill(200));
    await request(appPort, '/admin/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', agent: false });

    const after = (await scrape(metricsPort)).samples;
    const count = select(after, `${METRIC.poolWaitTime}_count`, pool)[0].value;
    expect(count - before).toBe(size + 5);
    // The 5 queued lookups waited about a second for a connection: past the 100ms latency threshold, a bucket bound.
    const within = select(after, `${METRIC.poolWaitTime}_bucket`, { ...pool, [LABEL.le]: '0.1' })[0].value;
    expect(count - within).toBeGreaterThanOrEqual(5);
  }, 30_000);
});
