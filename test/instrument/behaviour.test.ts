/** Behaviour of the shim outside the adapters: failure modes, measure(), exposition formats, exemplars. */
import * as http from 'node:http';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { Counter, Registry } from 'prom-client';
import { checkout } from '../../examples/services';
import { ServiceDefinitionError } from '../../src/model';
import express from 'express';
import Fastify from 'fastify';
import { compileRoutes, expressRoute, GoldenSignals, instrument, negotiate, tracingConfigured } from '../../src/instrument';
import { fastifyRouteReader, FastifyRequestLike } from '../../src/instrument/instrument';
import { LABEL, METRIC, OTHER, OUTCOME } from '../../src/signals/contract';
import { defineService } from '../../src/spec';
import { close, listen, parseExposition, request, scrape, select } from './helpers';

const quiet = { host: '127.0.0.1', handleSignals: false, tracing: false } as const;

describe('instrument() at start-up', () => {
  it('throws the definition errors with field, value and what is allowed', () => {
    const broken = { ...checkout, metrics: { port: 70000 }, routes: ['orders'] };
    expect(() => instrument(broken, quiet)).toThrow(ServiceDefinitionError);
    expect(() => instrument(broken, quiet)).toThrow(/metrics\.port: got 70000.*\n.*routes\[0\]: got "orders"/);
  });

  it.each([
    [{ port: -1 }, /options\.port must be a whole number from 0 to 65535; got -1/],
    [{ maxSeriesPerMetric: 0 }, /options\.maxSeriesPerMetric must be a whole number from 1/],
    [{ maxLabelLength: 1.5 }, /options\.maxLabelLength/],
    [{ operations: [''] }, /options\.operations\[0\] must be a non-empty string/],
  ])('rejects the option %j with a clear message', (options, message) => {
    expect(() => instrument(checkout, { ...quiet, serve: false, ...options })).toThrow(message);
  });
});

describe('the metrics server', () => {
  it('warns once and keeps the app serving when the metrics port is taken', async () => {
    const squatter = http.createServer();
    const taken = await listen(squatter);
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const gs = instrument(checkout, { ...quiet, port: taken });
    const app = http.createServer(gs.http((_req, res) => void res.end('still here')));
    const appPort = await listen(app);
    try {
      expect(await gs.ready).toBeUndefined();
      expect((await request(appPort, '/cart')).body).toBe('still here');
      const warnings = emitWarning.mock.calls.map(([message]) => String(message)).filter((m) => m.includes(`port ${taken}`));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/EADDRINUSE/);
      expect(select(parseExposition(await gs.metrics()), `${METRIC.httpDuration}_count`, { [LABEL.route]: '/cart', [LABEL.statusCode]: '200' })[0].value).toBe(1);
    } finally {
      emitWarning.mockRestore();
      await close(app);
      await close(squatter);
      await gs.shutdown();
    }
  });

  it('serves the text format with the full Content-Type, OpenMetrics when asked, and stops and restarts on demand', async () => {
    const gs = instrument(checkout, { ...quiet, port: 0 });
    try {
      const port = (await gs.ready) as number;
      const text = await scrape(port);
      const om = await scrape(port, true);
      expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(om.text.endsWith('# EOF\n')).toBe(true);
      // prom-client renames counters in place for OpenMetrics; a text scrape after it must keep `_total`.
      expect(select((await scrape(port)).samples, METRIC.processCpu)).toHaveLength(1);
      expect(select(om.samples, METRIC.eventLoopTime)).toHaveLength(2);
      expect((await request(port, '/elsewhere')).status).toBe(404);
      await gs.stopMetrics();
      await expect(request(port, '/metrics', { agent: false })).rejects.toThrow(/ECONNREFUSED/);
      const again = (await gs.serveMetrics()) as number;
      expect((await scrape(again)).samples.length).toBeGreaterThan(0);
    } finally {
      await gs.shutdown();
    }
  });

  it("serves the app's own prom-client registry on the same endpoint", async () => {
    const appRegistry = new Registry();
    const orders = new Counter({ name: 'shop_orders_total', help: 'Orders placed.', registers: [appRegistry] });
    orders.inc(3);
    const gs = instrument(checkout, { ...quiet, serve: false, runtimeMetrics: false });
    gs.merge(appRegistry);
    expect(select(parseExposition(await gs.metrics()), 'shop_orders_total')[0].value).toBe(3);
    await gs.shutdown();
  });
});

describe('the cardinality guard and input checks', () => {
  it('drops out-of-range status codes and counts them, and cuts long route values', async () => {
    const gs = instrument(checkout, { ...quiet, serve: false, maxLabelLength: 16 });
    const server = http.createServer(
      gs.http(
        (req, res) => {
          // Only a raw socket write can send a status node:http itself would reject.
          if (req.url === '/weird') Object.defineProperty(res, 'statusCode', { value: 999, writable: true });
          res.end();
        },
        { route: (req) => (req.url === '/long' ? '/' + 'a'.repeat(100) : req.url) },
      ),
    );
    const port = await listen(server);
    try {
      await request(port, '/weird').catch(() => undefined);
      await request(port, '/long');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const samples = parseExposition(await gs.metrics());
      expect(select(samples, METRIC.shimDropped, { [LABEL.dropReason]: 'invalid_status' })[0].value).toBe(1);
      expect(select(samples, `${METRIC.httpDuration}_count`, { [LABEL.route]: '/' + 'a'.repeat(15) })[0].value).toBe(1);
    } finally {
      await close(server);
      await gs.shutdown();
    }
  });
});

describe('a request measured by more than one adapter', () => {
  // The first adapter to see a request measures it; the others step aside, so nothing is counted twice.
  it.each([
    ['two express() middlewares', false],
    ['gs.http(app) around an app with the express() middleware', true],
  ])('is counted once with %s', async (_case, outer) => {
    const gs = instrument(checkout, { ...quiet, serve: false, runtimeMetrics: false });
    const app = express();
    app.use(gs.express());
    if (!outer) app.use(gs.express());
    app.get('/orders/:id', (_req, res) => void res.send('ok'));
    const server = http.createServer(outer ? gs.http(app, { route: expressRoute }) : app);
    const port = await listen(server);
    try {
      await request(port, '/orders/1');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const counted = select(parseExposition(await gs.metrics()), `${METRIC.httpDuration}_count`, { [LABEL.route]: '/orders/:id', [LABEL.statusCode]: '200' });
      expect(counted.map((s) => s.value)).toEqual([1]);
      expect(select(parseExposition(await gs.metrics()), METRIC.httpActiveRequests).map((s) => s.value)).toEqual([0]);
    } finally {
      await close(server);
      await gs.shutdown();
    }
  });
});

describe('when a request is recorded', () => {
  /** Count and sum of checkout's `/orders/:id` series with a status code, read synchronously from the shim's store. */
  const recorded = (gs: GoldenSignals, statusCode: string) => {
    type Value = { metricName: string; labels: Record<string, string | number>; value: number };
    const { values } = (gs.registry.getSingleMetric(METRIC.httpDuration) as unknown as { get(): { values: Value[] } }).get();
    const of = (suffix: string) =>
      values.find((v) => v.metricName === `${METRIC.httpDuration}_${suffix}` && v.labels[LABEL.route] === '/orders/:id' && v.labels[LABEL.statusCode] === statusCode)?.value ?? 0;
    return { count: of('count'), sum: of('sum') };
  };
  type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: (what: string, value: unknown) => void) => void;
  const adapters: ReadonlyArray<readonly [string, (gs: GoldenSignals, handler: http.RequestListener) => http.Server | Promise<http.Server>]> = [
    ['node:http', (gs, handler) => http.createServer(gs.http(handler))],
    [
      'the express() middleware',
      (gs, handler) => {
        const app = express();
        app.use(gs.express());
        app.get('/orders/:id', handler);
        return http.createServer(app);
      },
    ],
    [
      'the fastify() plugin',
      async (gs, handler) => {
        const app = Fastify();
        await app.register(gs.fastify() as never);
        app.get('/orders/:id', (request, reply) => {
          reply.hijack();
          handler(request.raw, reply.raw);
        });
        await app.ready();
        return app.server;
      },
    ],
  ];

  describe.each(adapters)('with %s', (_adapter, serve) => {
    let gs: GoldenSignals;
    beforeEach(() => {
      gs = instrument(checkout, { ...quiet, serve: false, runtimeMetrics: false });
    });
    afterEach(() => gs.shutdown());

    /** Serves one request with `handler`; `client` drives it and resolves when it is over. `seen` collects what the handler saw. */
    const run = async (handler: Handler, client: (port: number) => Promise<void>) => {
      const seen = new Map<string, unknown>();
      const server = await serve(gs, (req, res) => handler(req, res, (what, value) => seen.set(what, value)));
      const port = await listen(server);
      try {
        await client(port);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return seen;
      } finally {
        await close(server);
      }
    };

    // `look` runs once the ticks and microtasks of the turn are over, before the response's 'close' event (the
    // socket closes on a later turn). Node 22 sets writableFinished within end(), so the shim records the
    // synchronous case as the handler returns; Node 24 sets it on a tick that end() queues, so the shim records
    // after that tick. Either way no listener is added.
    it.each<readonly [string, (res: http.ServerResponse, look: () => void) => void]>([
      ['synchronously, as the handler returns', (res, look) => (res.end('ok'), setImmediate(look))],
      ['on a later microtask of the same turn (an async handler without I/O), after that microtask', (res, look) => void Promise.resolve().then(() => (res.end('ok'), setImmediate(look)))],
    ])('records a response the handler completes %s, without adding a close listener', async (_when, complete) => {
      const seen = await run(
        (_req, res, see) =>
          complete(res, () => {
            see('count', recorded(gs, '200').count);
            see('close listeners', res.listenerCount('close'));
          }),
        async (port) => void (await request(port, '/orders/1')),
      );
      expect(Object.fromEntries(seen)).toEqual({ count: 1, 'close listeners': 0 });
      expect(recorded(gs, '200').count).toBe(1);
    });

    it('records a response answered after the handler returned when it closes, its duration including the wait', async () => {
      const seen = await run(
        (_req, res, see) => {
          setTimeout(() => res.end('ok'), 60);
          process.nextTick(() => see('count', recorded(gs, '200').count));
        },
        async (port) => void (await request(port, '/orders/1')),
      );
      expect(seen.get('count')).toBe(0);
      expect(recorded(gs, '200').count).toBe(1);
      // Timers run on the event loop's millisecond clock and can fire a little before 60 ms of performance.now().
      expect(recorded(gs, '200').sum).toBeGreaterThan(0.05);
    });

    it('records a response still buffered behind a slow client when the client has taken all of it', async () => {
      // 32 MiB is more than loopback's socket buffers hold, so `end()` returns with most of it queued.
      const seen = await run(
        (_req, res, see) => {
          res.end(Buffer.alloc(32 << 20));
          process.nextTick(() => see('count', recorded(gs, '200').count));
        },
        (port) =>
          new Promise((resolve, reject) => {
            http
              .get({ host: '127.0.0.1', port, path: '/orders/1', agent: false }, (res) => {
                res.pause();
                setTimeout(() => res.resume(), 150);
                res.on('end', () => resolve());
              })
              .on('error', reject);
          }),
      );
      expect(seen.get('count')).toBe(0);
      expect(recorded(gs, '200').count).toBe(1);
      expect(recorded(gs, '200').sum).toBeGreaterThan(0.1);
    });

    it.each<readonly [string, Handler, number]>([
      ['the client goes away before the response', () => undefined, 50],
      ['the handler destroys the response', (_req, res) => void res.destroy(), 0],
      ['the handler destroys the response on a later microtask', (_req, res) => void Promise.resolve().then(() => res.destroy()), 0],
    ])('records a request where %s without a status code, as error_type="aborted"', async (_case, handler, clientGivesUpAfterMs) => {
      await run(
        handler,
        (port) =>
          new Promise((resolve) => {
            const req = http.get({ host: '127.0.0.1', port, path: '/orders/1', agent: false });
            req.on('error', () => resolve());
            if (clientGivesUpAfterMs > 0) setTimeout(() => req.destroy(), clientGivesUpAfterMs);
          }),
      );
      const aborted = select(parseExposition(await gs.metrics()), `${METRIC.httpDuration}_count`, { [LABEL.route]: '/orders/:id', [LABEL.errorType]: 'aborted' });
      expect(aborted.map((s) => [s.labels[LABEL.statusCode], s.value])).toEqual([[undefined, 1]]);
      expect(select(parseExposition(await gs.metrics()), METRIC.httpActiveRequests).map((s) => s.value)).toEqual([0]);
    });
  });
  describe('a request the server failed to answer (node:http adapter)', () => {
    /**
     * The handler throws out of the shim into node:http; this server catches it there, as an app's
     * `uncaughtException` handler would let the process live on, and drops the connection.
     */
    it.each<readonly [string, (res: http.ServerResponse) => void]>([
      ['the handler throws', () => {
        throw new Error('boom');
      }],
      ['the handler sets status 1000, which end() rejects', (res) => {
        res.statusCode = 1000;
        res.end();
      }],
      ['the handler sets status 0, which end() rejects', (res) => {
        res.statusCode = 0;
        res.end();
      }],
    ])('counts a request where %s as error_type="unanswered", rethrowing the same error to node:http', async (_case, handler) => {
      const gs = instrument(checkout, { ...quiet, serve: false, runtimeMetrics: false });
      const thrown: unknown[] = [];
      const instrumented = gs.http((_req, res) => handler(res));
      const server = http.createServer((req, res) => {
        try {
          instrumented(req, res);
        } catch (error) {
          thrown.push(error);
          res.destroy();
        }
      });
      const port = await listen(server);
      try {
        await new Promise<void>((resolve) => http.get({ host: '127.0.0.1', port, path: '/orders/1', agent: false }).on('error', () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(thrown).toHaveLength(1);
        expect((thrown[0] as Error).name).toMatch(/^(Range)?Error$/);
        const counted = select(parseExposition(await gs.metrics()), `${METRIC.httpDuration}_count`, { [LABEL.route]: '/orders/:id' }).filter((x) => x.value > 0);
        expect(counted.map((x) => [x.labels[LABEL.statusCode], x.labels[LABEL.errorType], x.value])).toEqual([[undefined, 'unanswered', 1]]);
      } finally {
        await close(server);
        await gs.shutdown();
      }
    });
  });

  it('records the reply of an async Fastify handler that returns without awaiting I/O without adding a close listener', async () => {
    const gs = instrument(checkout, { ...quiet, serve: false, runtimeMetrics: false });
    const app = Fastify();
    await app.register(gs.fastify() as never);
    let closeListeners: number | undefined;
    app.get('/orders/:id', async (_request, reply) => {
      // A listener added with `on` stays after 'close'; by the next turn the reply is sent and closed.
      setImmediate(() => (closeListeners = reply.raw.listenerCount('close')));
      return 'ok';
    });
    await app.ready();
    try {
      await request(await listen(app.server), '/orders/1');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect({ count: recorded(gs, '200').count, closeListeners }).toEqual({ count: 1, closeListeners: 0 });
    } finally {
      await app.close();
      await gs.shutdown();
    }
  });
});

describe('measure()', () => {
  it('records successes and failures of sync and async work and gives back results and errors untouched', async () => {
    const gs = instrument(checkout, { ...quiet, serve: false, operations: ['charge'] });
    expect(gs.measure('charge', () => 42)).toBe(42);
    expect(() => gs.measure('charge', () => { throw new RangeError('card declined'); })).toThrow(RangeError);
    await expect(gs.measure('charge', async () => 'ok')).resolves.toBe('ok');
    await expect(gs.measure('charge', () => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');
    const samples = parseExposition(await gs.metrics());
    const count = (outcome: string) => select(samples, `${METRIC.operationDuration}_count`, { [LABEL.operation]: 'charge', [LABEL.outcome]: outcome })[0].value;
    expect([count(OUTCOME.success), count(OUTCOME.error)]).toEqual([2, 2]);
    await gs.shutdown();
  });

  it.each<readonly [string, () => object]>([
    ['a thenable whose then throws', () => ({ then: () => { throw new Error('broken then'); } })],
    ['a thenable whose then getter throws', () => Object.defineProperty({}, 'then', { get: () => { throw new Error('broken getter'); } })],
    ['a function whose then throws', () => Object.assign(() => undefined, { then: () => { throw new Error('broken then'); } })],
  ])('never throws into the caller when the work returns %s: it gives the value back untouched and counts a failure', async (_what, make) => {
    const gs = instrument(checkout, { ...quiet, serve: false, operations: ['charge'] });
    const value = make();
    expect(gs.measure('charge', () => value)).toBe(value);
    const samples = parseExposition(await gs.metrics());
    const count = (outcome: string) => select(samples, `${METRIC.operationDuration}_count`, { [LABEL.operation]: 'charge', [LABEL.outcome]: outcome })[0].value;
    expect([count(OUTCOME.success), count(OUTCOME.error)]).toEqual([0, 1]);
    await gs.shutdown();
  });

  it('pre-creates the series of a worker that has not worked yet, so the missing-signals alert stays quiet', async () => {
    const worker = defineService({ name: 'mailer', namespace: 'shop', team: 'growth', kind: 'worker', metrics: { port: 9464 } });
    const gs = instrument(worker, { ...quiet, serve: false });
    const counts = select(parseExposition(await gs.metrics()), `${METRIC.operationDuration}_count`);
    expect(counts.map((s) => [s.labels[LABEL.outcome], s.value])).toEqual([[OUTCOME.success, 0], [OUTCOME.error, 0]]);
    await gs.shutdown();
  });
});

describe('exemplars', () => {
  it('attach the sampled span of a request to its bucket in OpenMetrics only', async () => {
    const exporter = new InMemorySpanExporter();
    const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor({ exporter })], metricReaders: [], logRecordProcessors: [] });
    sdk.start();
    const gs = instrument(checkout, { ...quiet, serve: false, exemplars: true });
    const tracer = trace.getTracer('test');
    const traced = gs.http((_req, res) => void res.end('ok'));
    const server = http.createServer((req, res) => tracer.startActiveSpan('GET /cart', (span) => (traced(req, res), res.on('close', () => span.end()))));
    const port = await listen(server);
    try {
      await request(port, '/cart');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const span = exporter.getFinishedSpans()[0].spanContext();
      const om = parseExposition(await gs.metrics('openmetrics'));
      const withExemplar = select(om, `${METRIC.httpDuration}_bucket`, { [LABEL.route]: '/cart' }).filter((s) => s.exemplar !== undefined);
      expect(withExemplar).toHaveLength(1);
      expect(withExemplar[0].exemplar).toContain(`${LABEL.traceId}="${span.traceId}",${LABEL.spanId}="${span.spanId}"`);
      expect(parseExposition(await gs.metrics('text')).filter((s) => s.exemplar !== undefined)).toEqual([]);
    } finally {
      await close(server);
      await gs.shutdown();
      await sdk.shutdown();
      trace.disable();
    }
  });
});

describe('reading the route template of a Fastify request', () => {
  /** Requests as Fastify builds them: the route context under `key`, `routeOptions` a getter that counts its calls. */
  const fakeRequests = (key: symbol, contextUrlOf: (url?: string) => string | undefined) => {
    const calls = { getter: 0 };
    const make = (url: string | undefined): FastifyRequestLike =>
      Object.defineProperty({ raw: {} as http.IncomingMessage, [key]: { config: { url: contextUrlOf(url) } } }, 'routeOptions', {
        get: () => (calls.getter++, { url }),
      });
    return { make, calls };
  };

  it.each([
    { fastify: 'keeps the route context under Symbol("fastify.context")', key: Symbol('fastify.context'), contextUrlOf: (url?: string) => url, getterCalls: 2 },
    { fastify: 'has no such symbol', key: Symbol('fastify.elsewhere'), contextUrlOf: (url?: string) => url, getterCalls: 4 },
    { fastify: 'has the symbol, but with a context that disagrees with the getter', key: Symbol('fastify.context'), contextUrlOf: () => '/elsewhere', getterCalls: 4 },
  ])('on a Fastify that $fastify, gives the getter\'s template and calls the getter $getterCalls times in four requests', ({ key, contextUrlOf, getterCalls }) => {
    const read = fastifyRouteReader();
    const { make, calls } = fakeRequests(key, contextUrlOf);
    // A 404 first (no template: decides nothing), then three matched requests.
    const urls = [undefined, '/orders/:id', '/cart', '/orders/:id'];
    expect(urls.map((url) => read(make(url)))).toEqual(urls);
    expect(calls.getter).toBe(getterCalls);
  });

  it('finds the route context on a real Fastify request and stops calling the routeOptions getter', async () => {
    const read = fastifyRouteReader();
    const app = Fastify();
    let getterCalls = 0;
    const routes: Array<string | undefined> = [];
    app.addHook('onRequest', (request, _reply, done) => {
      let proto = Object.getPrototypeOf(request);
      while (proto !== null && !Object.getOwnPropertyDescriptor(proto, 'routeOptions')) proto = Object.getPrototypeOf(proto);
      const getter = Object.getOwnPropertyDescriptor(proto, 'routeOptions')?.get;
      Object.defineProperty(request, 'routeOptions', { get: () => (getterCalls++, getter?.call(request)) });
      routes.push(read(request));
      done();
    });
    app.get('/orders/:id', async () => 'ok');
    await app.ready();
    try {
      const port = await listen(app.server);
      for (const url of ['/orders/1', '/orders/2', '/nope', '/orders/3']) await request(port, url);
    } finally {
      await app.close();
    }
    expect(routes).toEqual(['/orders/:id', '/orders/:id', undefined, '/orders/:id']);
    expect(getterCalls).toBe(1);
  });
});

describe('pure helpers', () => {
  it.each([
    [undefined, 'text'],
    ['text/plain;version=0.0.4', 'text'],
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
    ['text/plain;q=1,application/openmetrics-text;q=0.5', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
  ])('negotiates %s as %s', (accept, format) => {
    expect(negotiate(accept)).toBe(format);
  });

  const match = compileRoutes(['/cart', '/orders/:id', '/files/*']);
  it.each([
    ['/cart', '/cart'],
    ['/cart/?x=1', '/cart'],
    ['/orders/42?x=%zz', '/orders/:id'],
    ['/orders/42/items', undefined],
    ['/orders/42/', '/orders/:id'],
    ['/orders/42#top', '/orders/:id'],
    ['/orders/?x=1', undefined],
    ['/orders//', undefined],
    ['/files/a/b?c/d', '/files/*'],
    ['/files', undefined],
    ['/files/a/b/c', '/files/*'],
    ['//%5Cfoo.bar:80@example.com', undefined],
    [undefined, undefined],
  ])('matches the path %s to the template %s', (url, template) => {
    expect(match(url)).toBe(template);
  });

  // Listed least specific first on purpose: the order must not matter.
  const overlapping = compileRoutes(['/files/*', '/orders/:id', '/orders/new', '/files/:name/meta', '/', '/users/:id/orders/:order', '//:odd']);
  it.each([
    ['/orders/new', '/orders/new'],
    ['/orders/new/', '/orders/new'],
    ['/orders/7', '/orders/:id'],
    ['/ORDERS/7', undefined],
    ['/orders/new/x', undefined],
    ['/', '/'],
    ['/?next=/orders/7', '/'],
    ['/files/a/meta', '/files/:name/meta'],
    ['/files/a/other', '/files/*'],
    ['/files/', '/files/*'],
    ['/files//meta', '/files/*'],
    ['/users/1/orders/2?x', '/users/:id/orders/:order'],
    ['/users/1/orders', undefined],
    ['//x', '//:odd'],
    ['*', undefined],
    ['http://example.com/orders/7', undefined],
  ])('picks the most specific template for %s (%s), whatever the order they are listed in', (url, template) => {
    expect(overlapping(url)).toBe(template);
  });

  it.each([
    ['orders', 'must be a route template starting with "/"'],
    ['/files/*/meta', 'may use "*" only as the last segment'],
  ])('refuses to compile the template %s: it %s', (template, message) => {
    expect(() => compileRoutes([template])).toThrow(message);
  });

  it.each([
    [{}, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false],
  ])('decides from %j that tracing is configured: %s', (env, configured) => {
    expect(tracingConfigured(env)).toBe(configured);
  });

  it('folds into _OTHER only once the cap is reached, and never exceeds it', async () => {
    const gs = instrument(checkout, { ...quiet, serve: false, maxSeriesPerMetric: 40, runtimeMetrics: false });
    const server = http.createServer(gs.http((_req, res) => void res.end(), { route: (req) => req.url }));
    const port = await listen(server);
    try {
      for (let i = 0; i < 60; i++) await request(port, `/r${i}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const series = select(parseExposition(await gs.metrics()), `${METRIC.httpDuration}_count`);
      expect(series.length).toBeLessThanOrEqual(40);
      expect(series.some((s) => s.labels[LABEL.route] === '/r0')).toBe(true);
      expect(series.find((s) => s.labels[LABEL.route] === OTHER)?.value).toBe(60 - series.filter((s) => /^\/r\d+$/.test(s.labels[LABEL.route] ?? '')).length);
    } finally {
      await close(server);
      await gs.shutdown();
    }
  });
});
