/**
 * A random-URL flood (research/instrumentation.md §9: scanners and attackers generating distinct paths
 * are the commonest way instrumentation takes down Prometheus or the app). Worst case on purpose: a route
 * callback that (wrongly) returns the raw path, so every request asks for a new series.
 */
import * as http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import express from 'express';
import { checkout } from '../../examples/services';
import { instrument } from '../../src/instrument';
import { LABEL, METRIC, OTHER } from '../../src/signals/contract';
import { close, listen, parseExposition, select } from './helpers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PATHS = 100_000;
const CONCURRENCY = 64;
const TIME_LIMIT_MS = 90_000;
const CAP = 2_000;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Sends `total` GETs to distinct random paths, `CONCURRENCY` at a time, stopping at the time limit. */
async function flood(port: number, total: number): Promise<{ sent: number; ms: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < total && Date.now() - started < TIME_LIMIT_MS) {
      const path = `/x/${next++}/${Math.random().toString(36).slice(2)}`;
      await new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', () => resolve());
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return { sent: next, ms: Date.now() - started };
}

describe('a flood of 100,000 distinct URLs', () => {
  it('keeps the series of the request histogram at or under the cap and the heap bounded, when every path is a new route', async () => {
    const gs = instrument(checkout, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false, maxSeriesPerMetric: CAP });
    const server = http.createServer(gs.http((_req, res) => void res.end('ok'), { route: (req) => req.url }));
    const port = await listen(server);
    try {
      await flood(port, 2_000); // warm-up: JIT, sockets, and the store filled to the cap
      const before = heapAfterGc();
      const { sent, ms } = await flood(port, PATHS);
      const after = heapAfterGc();
      const samples = parseExposition(await gs.metrics('text'));
      const series = select(samples, `${METRIC.httpDuration}_count`);
      const overflowed = select(samples, METRIC.shimOverflow, { [LABEL.overflowMetric]: METRIC.httpDuration })[0].value;
      const growthMb = (after - before) / 2 ** 20;
      console.log(`flood: ${sent} distinct paths in ${(ms / 1000).toFixed(1)} s; ${series.length} series (cap ${CAP}); ${overflowed} observations folded into ${OTHER}; heap growth ${growthMb.toFixed(1)} MB`);
      expect(sent).toBe(PATHS);
      expect(series.length).toBeLessThanOrEqual(CAP);
      expect(series.filter((s) => s.labels[LABEL.route] === OTHER).reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(PATHS);
      expect(growthMb).toBeLessThan(16);
    } finally {
      await close(server);
      await gs.shutdown();
    }
  });

  it('adds a single unmatched series with Express, whose router knows no such paths', async () => {
    const gs = instrument(checkout, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false });
    const app = express();
    app.use(gs.express());
    app.get('/orders/:id', (_req, res) => void res.send('ok'));
    const server = http.createServer(app);
    const port = await listen(server);
    try {
      const { sent } = await flood(port, 20_000);
      const series = select(parseExposition(await gs.metrics('text')), `${METRIC.httpDuration}_count`);
      const unmatched = series.filter((s) => s.labels[LABEL.route] === undefined);
      console.log(`express flood: ${sent} distinct paths; ${series.length} series in all, ${unmatched.length} without a route`);
      expect(unmatched.map((s) => [s.labels[LABEL.statusCode], s.value])).toEqual([['404', sent]]);
    } finally {
      await close(server);
      await gs.shutdown();
    }
  });
});
