/**
 * The http-client and worker pool adapters against the real thing: a Node `http.Agent` limited to 2 sockets
 * sending 5 slow requests to a loopback server, and a pool of 2 real worker threads given 6 tasks. What the
 * scrape shows while they queue is what the pool rules read: all in use, the rest waiting, the waits timed.
 */
import * as http from 'node:http';
import { Worker } from 'node:worker_threads';
import { instrument, observeHttpAgent, observePgPool, observeWorkerPool, type GoldenSignals } from '../../src/instrument';
import { POOL_SERIES } from '../../src/signals/contract';
import { defineService } from '../../src/spec';
import { until } from '../e2e/harness';
import { listen, parseExposition, type Sample, select } from './helpers';

const service = defineService({
  name: 'checkout',
  namespace: 'shop',
  team: 'payments',
  metrics: { port: 9464 },
  slos: { latency: { objective: 99, threshold: '300ms' } },
  capacity: {
    pools: [
      { kind: 'http-client', name: 'payments-api', size: 2, maxWait: '50ms' },
      { kind: 'worker', name: 'render', size: 2, maxWait: '50ms' },
      { kind: 'database', name: 'orders-db', size: 3 },
    ],
  },
});

const HTTP = POOL_SERIES['http-client'];
const WORKER = POOL_SERIES.worker;
/** How long the server holds each response, and each worker task runs: long enough to see the queue. */
const HOLD_MS = 400;

const value = (s: readonly Sample[], metric: string, labels: Record<string, string>): number | undefined => select(s, metric, labels)[0]?.value;

describe('observeHttpAgent and observeWorkerPool', () => {
  let gs: GoldenSignals;
  beforeEach(() => {
    gs = instrument(service, { serve: false, handleSignals: false, tracing: false, runtimeMetrics: false });
  });
  afterEach(() => gs.shutdown());
  const samples = async () => parseExposition(await gs.metrics('text'));

  it('shows an agent of 2 sockets with 5 slow requests as 2 active, 3 queued, and times every wait in its queue', async () => {
    const server = http.createServer((_req, res) => setTimeout(() => res.end('ok'), HOLD_MS));
    const port = await listen(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    try {
      observeHttpAgent(gs, 'payments-api', agent);
      const pool = { [HTTP.nameLabel]: 'payments-api' };
      const get = () =>
        new Promise<void>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/charge', agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
        });
      const done = Promise.all(Array.from({ length: 5 }, get));
      const busy = await until('2 sockets active and 3 requests queued', 5_000, async () => {
        const s = await samples();
        return value(s, HTTP.count, { ...pool, [HTTP.stateLabel]: HTTP.state.used }) === 2 && value(s, HTTP.pending, pool) === 3 ? s : undefined;
      });
      expect(value(busy, HTTP.max, pool)).toBe(2);
      await done;
      const after = await samples();
      expect(value(after, HTTP.pending, pool)).toBe(0);
      expect(value(after, HTTP.count, { ...pool, [HTTP.stateLabel]: HTTP.state.idle })).toBe(2);
      // Every request waited in the queue once: 2 got a socket at once, 3 waited for one (at least ~400 ms each).
      expect(value(after, `${HTTP.waitTime}_count`, pool)).toBe(5);
      expect(value(after, `${HTTP.waitTime}_bucket`, { ...pool, le: '0.05' })).toBe(2);
    } finally {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 15_000);

  it('shows 2 worker threads given 6 tasks as 2 busy and 4 queued, and times each task until a worker takes it', async () => {
    const source = `const { parentPort } = require('node:worker_threads');
      parentPort.on('message', (ms) => { const end = Date.now() + ms; while (Date.now() < end); parentPort.postMessage('done'); });`;
    const threads = [new Worker(source, { eval: true }), new Worker(source, { eval: true })];
    const idle = [...threads];
    const queue: Array<() => void> = [];
    try {
      const render = observeWorkerPool(gs, 'render', { busy: () => threads.length - idle.length, queued: () => queue.length });
      /** The smallest worker pool: a task takes an idle thread or queues; its wait is timed until a thread takes it. */
      const run = (ms: number) =>
        new Promise<void>((resolve) => {
          const took = render.startWait();
          const start = () => {
            took();
            const w = idle.pop()!;
            w.once('message', () => {
              idle.push(w);
              queue.shift()?.();
              resolve();
            });
            w.postMessage(ms);
          };
          if (idle.length > 0) start();
          else queue.push(start);
        });
      const pool = { [WORKER.nameLabel]: 'render' };
      const done = Promise.all(Array.from({ length: 6 }, () => run(HOLD_MS)));
      const s = await samples();
      expect(value(s, WORKER.count, { ...pool, [WORKER.stateLabel]: WORKER.state.used })).toBe(2);
      expect(value(s, WORKER.count, { ...pool, [WORKER.stateLabel]: WORKER.state.idle })).toBe(0);
      expect(value(s, WORKER.pending, pool)).toBe(4);
      expect(value(s, WORKER.max, pool)).toBe(2);
      await done;
      const after = await samples();
      expect(value(after, WORKER.pending, pool)).toBe(0);
      expect(value(after, `${WORKER.waitTime}_count`, pool)).toBe(6);
      expect(value(after, `${WORKER.waitTime}_bucket`, { ...pool, le: '0.05' })).toBe(2);
    } finally {
      await Promise.all(threads.map((t) => t.terminate()));
    }
  }, 15_000);

  it.each([
    ['observeHttpAgent on a worker pool', () => observeHttpAgent(gs, 'render', new http.Agent()), /observeHttpAgent\(gs, "render"\): the definition declares "render" with kind "worker" \(capacity.pools\), not "http-client"/],
    ['observeWorkerPool on an http-client pool', () => observeWorkerPool(gs, 'payments-api', { busy: () => 0, queued: () => 0 }), /declares "payments-api" with kind "http-client"/],
    ['observePgPool on an http-client pool', () => observePgPool(gs, 'payments-api', { totalCount: 0, idleCount: 0, waitingCount: 0, connect: () => undefined }), /declares "payments-api" with kind "http-client"/],
    ['observeHttpAgent on an undeclared pool', () => observeHttpAgent(gs, 'search-api', new http.Agent()), /"search-api" is not a pool of the definition .* declared: "payments-api", "render", "orders-db"/],
  ])('refuses %s at start-up, before attaching anything', (_what, attach, message) => {
    expect(attach).toThrow(message);
  });

  it('leaves an agent of the wrong kind untouched', () => {
    const agent = new http.Agent();
    const addRequest = (agent as { addRequest?: unknown }).addRequest;
    expect(typeof addRequest).toBe('function');
    expect(() => observeHttpAgent(gs, 'render', agent)).toThrow();
    expect((agent as { addRequest?: unknown }).addRequest).toBe(addRequest);
  });
});
