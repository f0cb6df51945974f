/**
 * The example app with a payment provider: given PAYMENTS_URL, every checkout charges through a keep-alive agent
 * of the definition's `payments-api` size, observed by observeHttpAgent. A provider that stalls fills every
 * socket and queues the rest, as the HttpClientPool alerts read it; a provider that fails turns checkouts into 502s.
 */
import * as http from 'node:http';
import { createApp } from '../../examples/app/server';
import { checkout } from '../../examples/services';
import { POOL_SERIES } from '../../src/signals/contract';
import { until } from '../e2e/harness';
import { listen, request, scrape, select } from './helpers';

const size = checkout.capacity!.pools!.find((p) => p.name === 'payments-api')!.size;
const HTTP = POOL_SERIES['http-client'];
const pool = { [HTTP.nameLabel]: 'payments-api' };

describe('the example app charging through its payments-api agent', () => {
  /** Charges wait here until released: a stalled provider. */
  let stalled: Array<() => void> = [];
  let status = 200;
  const provider = http.createServer((_req, res) => {
    stalled.push(() => res.writeHead(status).end('{}'));
  });
  let app: ReturnType<typeof createApp>;
  let appPort: number;
  let metricsPort: number;

  beforeAll(async () => {
    const providerPort = await listen(provider);
    app = createApp({ metricsPort: 0, host: '127.0.0.1', paymentsUrl: `http://127.0.0.1:${providerPort}/charge` });
    appPort = await listen(app.server);
    metricsPort = (await app.gs.ready)!;
  }, 30_000);
  afterAll(async () => {
    for (const release of stalled) release();
    provider.closeAllConnections();
    await new Promise((resolve) => provider.close(resolve));
    await new Promise((resolve) => app?.server.close(resolve));
    await app?.gs.shutdown();
  }, 30_000);

  const checkoutOnce = () => request(appPort, '/checkout', { method: 'POST', agent: false });

  test(`${size + 3} checkouts against a stalled provider hold all ${size} sockets and queue 3, then all succeed`, async () => {
    const before = select((await scrape(metricsPort)).samples, `${HTTP.waitTime}_count`, pool)[0].value;
    const checkouts = Array.from({ length: size + 3 }, checkoutOnce);
    const during = await until(`${size} sockets active and 3 charges queued`, 10_000, async () => {
      const s = (await scrape(metricsPort)).samples;
      return select(s, HTTP.count, { ...pool, [HTTP.stateLabel]: HTTP.state.used })[0]?.value === size && select(s, HTTP.pending, pool)[0]?.value === 3 ? s : undefined;
    }, 50);
    expect(select(during, HTTP.max, pool)[0].value).toBe(size);
    // Release the first sockets' charges, then the queued ones as they arrive.
    const releaser = setInterval(() => stalled.splice(0).forEach((release) => release()), 20);
    try {
      expect((await Promise.all(checkouts)).map((r) => r.status)).toEqual(Array(size + 3).fill(201));
    } finally {
      clearInterval(releaser);
    }
    const after = (await scrape(metricsPort)).samples;
    expect(select(after, HTTP.pending, pool)[0].value).toBe(0);
    expect(select(after, `${HTTP.waitTime}_count`, pool)[0].value - before).toBe(size + 3);
  }, 30_000);

  test('a provider answering 500 turns the checkout into a 502', async () => {
    status = 500;
    const res = checkoutOnce();
    await until('the charge to reach the provider', 5_000, () => (stalled.length > 0 ? true : undefined), 20);
    stalled.splice(0).forEach((release) => release());
    expect((await res).status).toBe(502);
    status = 200;
  }, 15_000);
});
