/**
 * A real server per adapter, driven by real requests on loopback: the scraped exposition carries the
 * contract series with the route template (never the raw URL), the definition's buckets, and errors
 * counted by the definition's error predicate.
 */
import * as http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { catalog } from '../../examples/services';
import { expressRoute, instrument, GoldenSignals } from '../../src/instrument';
import { errorStatusTest, histogramBuckets, LABEL, METRIC, OTHER } from '../../src/signals/contract';
import { close, listen, request, scrape, select } from './helpers';

type Behaviour = (path: string, param: string | undefined) => number;

/** What every adapter's app does: `/products/:sku` answers by sku, `/search` holds until released. */
const statusFor: Behaviour = (_path, sku) => ({ boom: 500, busy: 429, gone: 404 })[sku ?? ''] ?? 200;

interface Harness {
  readonly name: string;
  readonly start: (gs: GoldenSignals, hold: () => Promise<void>) => Promise<{ port: number; stop: () => Promise<void> }>;
  /** The template a nested router yields, when the framework has one. */
  readonly nested?: { readonly path: string; readonly route: string };
}

/** The catalog app in Express, with the shim's middleware mounted first when given. */
function expressApp(hold: () => Promise<void>, middleware?: ReturnType<GoldenSignals['express']>): express.Express {
  const app = express();
  if (middleware) app.use(middleware);
  app.get('/products', (_req, res) => void res.send('ok'));
  app.get('/products/:sku', (req, res) => void res.status(statusFor(req.path, req.params.sku)).send('ok'));
  app.all('/search', async (_req, res) => {
    await hold();
    res.send('ok');
  });
  const api = express.Router();
  api.get('/items/:id', (_req, res) => void res.send('ok'));
  app.use('/api', api);
  return app;
}

async function serve(server: http.Server): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await listen(server);
  return { port, stop: () => close(server) };
}

const harnesses: Harness[] = [
  {
    name: 'node:http',
    start: async (gs, hold) => {
      const server = http.createServer(
        gs.http(async (req, res) => {
          const path = (req.url ?? '/').split('?')[0];
          const sku = /^\/products\/([^/]+)$/.exec(path)?.[1];
          if (path === '/search') await hold();
          res.statusCode = path === '/products' || path === '/search' || sku !== undefined ? statusFor(path, sku) : 404;
          res.end('ok');
        }),
      );
      const port = await listen(server);
      return { port, stop: () => close(server) };
    },
  },
  {
    name: 'express',
    nested: { path: '/api/items/7', route: '/api/items/:id' },
    start: async (gs, hold) => serve(http.createServer(expressApp(hold, gs.express()))),
  },
  {
    name: 'express served through http() with expressRoute (no middleware layer)',
    nested: { path: '/api/items/7', route: '/api/items/:id' },
    start: async (gs, hold) => serve(http.createServer(gs.http(expressApp(hold), { route: expressRoute }))),
  },
  {
    name: 'fastify',
    nested: { path: '/api/items/7', route: '/api/items/:id' },
    start: async (gs, hold) => {
      const app = Fastify();
      await app.register(gs.fastify() as never);
      app.get('/products', async () => 'ok');
      app.get<{ Params: { sku: string } }>('/products/:sku', async (req, reply) => reply.code(statusFor(req.url, req.params.sku)).send('ok'));
      app.route({ method: ['GET', 'POST'], url: '/search', handler: async () => (await hold(), 'ok') });
      await app.register(async (api) => void api.get('/items/:id', async () => 'ok'), { prefix: '/api' });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as { port: number }).port;
      return { port, stop: () => app.close() };
    },
  },
];

describe.each(harnesses)('the $name adapter', (harness) => {
  let gs: GoldenSignals;
  let app: { port: number; stop: () => Promise<void> };
  let metricsPort: number;
  let release: () => void = () => undefined;
  let held = new Promise<void>((resolve) => (release = resolve));
  const agent = new http.Agent({ keepAlive: true });

  beforeAll(async () => {
    gs = instrument(catalog, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false });
    metricsPort = (await gs.ready) as number;
    app = await harness.start(gs, () => held);
  });
  afterAll(async () => {
    release();
    agent.destroy();
    await app.stop();
    await gs.shutdown();
  });

  it('counts an in-flight request while it is being served and releases it after', async () => {
    const pending = request(app.port, '/search', { agent });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = select((await scrape(metricsPort)).samples, METRIC.httpActiveRequests, { [LABEL.method]: 'GET' });
    release();
    await pending;
    held = Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = select((await scrape(metricsPort)).samples, METRIC.httpActiveRequests, { [LABEL.method]: 'GET' });
    expect(during.map((s) => s.value)).toEqual([1]);
    expect(after.map((s) => s.value)).toEqual([0]);
  });

  it('labels requests with the route template, the method and the status code', async () => {
    for (const path of ['/products/a', '/products/b', '/products/busy', '/products/boom', '/products/gone', '/products']) await request(app.port, path, { agent });
    await request(app.port, '/search', { agent, method: 'POST' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { samples } = await scrape(metricsPort);
    const count = (labels: Record<string, string>) => select(samples, `${METRIC.httpDuration}_count`, labels).map((s) => s.value);
    const get = { [LABEL.method]: 'GET', [LABEL.route]: '/products/:sku' };
    expect(count({ ...get, [LABEL.statusCode]: '200' })).toEqual([2]);
    expect(count({ ...get, [LABEL.statusCode]: '429' })).toEqual([1]);
    expect(count({ ...get, [LABEL.statusCode]: '500' })).toEqual([1]);
    expect(count({ ...get, [LABEL.statusCode]: '404' })).toEqual([1]);
    expect(count({ [LABEL.method]: 'POST', [LABEL.route]: '/search', [LABEL.statusCode]: '200' })).toEqual([1]);
  });

  it('counts a request no route matched without an http_route label, and never uses the raw path', async () => {
    // A marker no metric value can contain by chance (a numeric id once matched a heap size).
    await request(app.port, '/no/such/path/raw-url-marker', { agent });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { samples, text } = await scrape(metricsPort);
    const unmatched = select(samples, `${METRIC.httpDuration}_count`, { [LABEL.statusCode]: '404' }).filter((s) => s.labels[LABEL.route] === undefined);
    expect(unmatched.map((s) => s.value)).toEqual([1]);
    expect(text).not.toContain('raw-url-marker');
  });

  it('folds a method outside the standard set into _OTHER', async () => {
    await request(app.port, '/products', { agent, method: 'PURGE' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { samples } = await scrape(metricsPort);
    const methods = new Set(select(samples, `${METRIC.httpDuration}_count`).map((s) => s.labels[LABEL.method]));
    expect(methods.has(OTHER)).toBe(true);
    expect(methods.has('PURGE')).toBe(false);
  });

  it('writes every bucket of the definition, cumulative, with +Inf equal to the count', async () => {
    const { samples } = await scrape(metricsPort);
    const labels = { [LABEL.method]: 'GET', [LABEL.route]: '/products/:sku', [LABEL.statusCode]: '200' };
    const buckets = select(samples, `${METRIC.httpDuration}_bucket`, labels);
    expect(buckets.map((s) => s.labels[LABEL.le])).toEqual([...histogramBuckets(catalog).map(String), '+Inf']);
    const values = buckets.map((s) => s.value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values[values.length - 1]).toBe(select(samples, `${METRIC.httpDuration}_count`, labels)[0].value);
  });

  it("counts as errors exactly the requests the definition's predicate calls errors (5xx and 429 for catalog)", async () => {
    const { samples } = await scrape(metricsPort);
    const isError = errorStatusTest(catalog);
    const errors = select(samples, `${METRIC.httpDuration}_count`)
      .filter((s) => s.labels[LABEL.statusCode] !== undefined && isError(Number(s.labels[LABEL.statusCode])))
      .reduce((sum, s) => sum + s.value, 0);
    expect(errors).toBe(2);
  });

  if (harness.nested !== undefined) {
    const nested = harness.nested;
    it(`takes the full template from a nested router (${nested.route})`, async () => {
      await request(app.port, nested.path, { agent });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { samples } = await scrape(metricsPort);
      expect(select(samples, `${METRIC.httpDuration}_count`, { [LABEL.route]: nested.route, [LABEL.statusCode]: '200' }).map((s) => s.value)).toEqual([1]);
    });
  }
});
