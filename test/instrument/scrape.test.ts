/**
 * The metrics endpoint under the scrapes it meets in production: Prometheus asks for gzip, and two Prometheus
 * replicas (or a flood of curls) scrape at the same moment, or scrape each second.
 */
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { checkout } from '../../examples/services';
import { instrument } from '../../src/instrument';
import { acceptsGzip, metricsHandler } from '../../src/instrument/exposition';
import { METRIC } from '../../src/signals/contract';
import { listen, parseExposition, Sample } from './helpers';

const quiet = { handleSignals: false, tracing: false as const, host: '127.0.0.1' };

/** GET on loopback without keep-alive; the raw body and headers. */
function get(port: number, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the metrics endpoint', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['deflate;q=1, gzip;q=0.5', true],
    ['*', true],
    ['gzip;q=0', false],
    ['identity', false],
    [undefined, false],
  ])('takes Accept-Encoding %j as %s for gzip', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('renders once for scrapes that arrive while a rendering is in progress, and gives each the same body', async () => {
    let renders = 0;
    const handler = metricsHandler('/metrics', async () => {
      renders++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return `rendering ${renders}\n`;
    });
    const server = http.createServer(handler);
    const port = await listen(server);
    try {
      const bodies = await Promise.all(Array.from({ length: 20 }, () => get(port)));
      expect(renders).toBe(1);
      expect(new Set(bodies.map((b) => b.body.toString()))).toEqual(new Set(['rendering 1\n']));
      // A scrape after the rendering has finished renders afresh: nothing older than its arrival is served.
      expect((await get(port)).body.toString()).toBe('rendering 2\n');
    } finally {
      server.close();
    }
  });

  it('answers gzip when the scraper accepts it, the same exposition once inflated', async () => {
    const gs = instrument(checkout, { ...quiet, port: 0 });
    const port = (await gs.ready)!;
    try {
      const zipped = await get(port, { 'accept-encoding': 'gzip' });
      const plain = await get(port);
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const text = zlib.gunzipSync(zipped.body).toString();
      expect(text).toContain('http_server_request_duration_seconds_bucket');
      expect(zipped.body.length).toBeLessThan(text.length / 3);
    } finally {
      await gs.shutdown();
    }
  });
});

/** The event-loop delay gauges drawn from the histogram, and the setImmediate lag gauge. */
const DELAY_STATISTICS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map((s) => `nodejs_eventloop_lag_${s}_seconds`);
const LAG = 'nodejs_eventloop_lag_seconds';

/** Each event-loop gauge's one value in a scrape (the test fails on a gauge with no or several values). */
function delays(samples: readonly Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of [LAG, ...DELAY_STATISTICS]) {
    const values = samples.filter((s) => s.name === name).map((s) => s.value);
    expect({ name, count: values.length }).toEqual({ name, count: 1 });
    out[name] = values[0];
  }
  return out;
}

/** What a scrape's event-loop delay gauges must satisfy: finite, ordered, and no empty-histogram artefact. */
function expectSane(d: Record<string, number>): void {
  for (const [name, value] of Object.entries(d)) {
    expect({ name, finite: Number.isFinite(value), nonNegative: value >= 0 }).toEqual({ name, finite: true, nonNegative: true });
  }
  const [min, max, mean, , p50, p90, p99] = DELAY_STATISTICS.map((name) => d[name]);
  // An empty histogram reads min 9.2e9 s and max 0; a sampled one has min <= percentiles <= max, and the
  // 10 ms sampling interval is part of every delay it records.
  expect(min).toBeGreaterThanOrEqual(0.009);
  expect([min <= p50, p50 <= p90, p90 <= p99, p99 <= max, min <= mean, mean <= max]).toEqual([true, true, true, true, true, true]);
  expect(max).toBeLessThan(60);
}

describe('the event-loop delay gauges', () => {
  const scrapeAs = (port: number, accept: string, gzip: boolean) =>
    get(port, { accept, ...(gzip ? { 'accept-encoding': 'gzip' } : {}) }).then((r) => parseExposition((gzip ? zlib.gunzipSync(r.body) : r.body).toString()));
  const TEXT = 'text/plain;version=0.0.4';
  const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

  it('keep the names, help texts and types of prom-client\'s default metrics, once each, p99 under the name the rules read', async () => {
    const gs = instrument(checkout, { ...quiet, serve: false });
    const reference = new Registry();
    collectDefaultMetrics({ register: reference });
    const headers = (text: string) => text.split('\n').filter((line) => /^# (HELP|TYPE) nodejs_eventloop_lag_/.test(line)).sort();
    try {
      const ours = headers(await gs.metrics());
      expect(ours).toEqual(headers(await reference.metrics()));
      expect(ours).toHaveLength(16);
      expect(ours).toContain(`# TYPE ${METRIC.eventLoopDelayP99} gauge`);
    } finally {
      await gs.shutdown();
    }
  });

  it('never read NaN or an empty histogram in 50 scrapes in parallel, over all four formats, five rounds', async () => {
    const gs = instrument(checkout, { ...quiet, port: 0 });
    const port = (await gs.ready)!;
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let round = 0; round < 5; round++) {
        const scrapes = await Promise.all(Array.from({ length: 50 }, (_, i) => scrapeAs(port, i % 2 === 0 ? TEXT : OPENMETRICS, i % 4 >= 2)));
        for (const samples of scrapes) expectSane(delays(samples));
      }
    } finally {
      await gs.shutdown();
    }
  });

  it('never read NaN or an empty histogram in 50 scrapes back to back, each within milliseconds of the last', async () => {
    const gs = instrument(checkout, { ...quiet, port: 0 });
    const port = (await gs.ready)!;
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 50; i++) expectSane(delays(await scrapeAs(port, TEXT, false)));
    } finally {
      await gs.shutdown();
    }
  });

  it('show each scrape a second apart the delays of its own second: a 300 ms stall in one, gone from the next', async () => {
    const gs = instrument(checkout, { ...quiet, port: 0 });
    const port = (await gs.ready)!;
    const second = () => new Promise((resolve) => setTimeout(resolve, 1000));
    try {
      await second();
      const calm = delays(await scrapeAs(port, TEXT, false));
      await second();
      const stallUntil = performance.now() + 300;
      while (performance.now() < stallUntil) {
        // Blocks the event loop, as a synchronous JSON.parse of a large body would.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stalled = delays(await scrapeAs(port, TEXT, false));
      await second();
      const after = delays(await scrapeAs(port, TEXT, false));
      for (const d of [calm, stalled, after]) expectSane(d);
      expect(stalled['nodejs_eventloop_lag_max_seconds']).toBeGreaterThanOrEqual(0.29);
      expect(after['nodejs_eventloop_lag_max_seconds']).toBeLessThan(0.29);
    } finally {
      await gs.shutdown();
    }
  });
});
