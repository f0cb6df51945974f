/**
 * The metrics endpoint under the scrapes it meets in production: Prometheus asks for gzip, and two Prometheus
 * replicas (or a flood of curls) scrape at the same moment.
 */
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { checkout } from '../../examples/services';
import { instrument } from '../../src/instrument';
import { acceptsGzip, metricsHandler } from '../../src/instrument/exposition';
import { listen } from './helpers';

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
