/**
 * One benchmark server: `<framework> <config>`, bound to 127.0.0.1 on an ephemeral port, serving a trivial
 * `GET /users/:id`. Prints `{"port":N}` when ready. Forked by bench/shim/run.ts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BENCH_ROUTE, BENCH_SERVICE } from './service';

export type Framework = 'node' | 'express' | 'fastify';
export type Config = 'bare' | 'bare-control' | 'noop-middleware' | 'noop-hook' | 'shim' | 'shim-http' | 'shim-no-runtime' | 'prom-client' | 'express-prom-bundle' | 'otel';

/**
 * What the harness can ask a running server over IPC, and the value each reply carries:
 * - `cpu`: this process's CPU time (user + system, all threads) in µs. CPU per request is what throughput
 *   on a saturated core is the inverse of, without the load generator's share of the noise.
 * - `profile-start` / `profile-stop`: a V8 CPU profile of the main thread (200 µs sampling) over exactly the
 *   run in between, written to a temporary file whose path the stop reply carries (`{ error }` if the
 *   profiler failed).
 */
export interface ServerReply {
  cpu: number;
  'profile-start': true;
  'profile-stop': string;
}
export type ServerRequest = keyof ServerReply;

const [framework, config] = process.argv.slice(2) as [Framework, Config];

function answer(request: unknown): void {
  const reply = <K extends ServerRequest>(key: K, value: ServerReply[K]) => process.send?.({ reply: key, value });
  switch (request as ServerRequest) {
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return void reply('cpu', user + system);
    }
    case 'profile-start':
      profiler.connect();
      profiler.post('Profiler.enable', () =>
        profiler.post('Profiler.setSamplingInterval', { interval: 200 }, () => profiler.post('Profiler.start', () => reply('profile-start', true))),
      );
      return;
    case 'profile-stop':
      profiler.post('Profiler.stop', (error, result) => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gs-profile-')), `${config}.cpuprofile`);
        fs.writeFileSync(file, JSON.stringify(error ? { error: error.message } : result.profile));
        profiler.disconnect();
        reply('profile-stop', file);
      });
      return;
  }
}
const profiler = new Session();

async function main(): Promise<void> {
  // OTel must patch node:http before anything loads it.
  if (config === 'otel') {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
    const { MeterProvider } = require('@opentelemetry/sdk-metrics');
    const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    registerInstrumentations({ instrumentations: [new HttpInstrumentation()], meterProvider });
  }
  /* eslint-disable @typescript-eslint/no-require-imports */
  const promClient = require('prom-client') as typeof import('prom-client');
  const { expressRoute, instrument } = require('../../src/instrument') as typeof import('../../src/instrument');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // 'shim-no-runtime': the shim without prom-client's runtime metrics, to tell their share from the hot path's.
  const gs = config.startsWith('shim')
    ? instrument(BENCH_SERVICE, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false, runtimeMetrics: config !== 'shim-no-runtime' })
    : undefined;
  const histogram =
    config === 'prom-client'
      ? new promClient.Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['method', 'route', 'status_code'], buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.3, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] })
      : undefined;
  /** The "10-line middleware" people write with prom-client (research/instrumentation.md §6.3). */
  const promTimer = (req: http.IncomingMessage, res: http.ServerResponse, route: () => string | undefined) => {
    const start = performance.now();
    res.once('finish', () => histogram?.observe({ method: req.method ?? '', route: route() ?? '', status_code: res.statusCode }, (performance.now() - start) / 1000));
  };

  let server: http.Server;
  switch (framework) {
    case 'node': {
      const handler: http.RequestListener = (_req, res) => void res.end('ok');
      const wrapped: http.RequestListener =
        gs !== undefined ? gs.http(handler) : histogram !== undefined ? (req, res) => (promTimer(req, res, () => BENCH_ROUTE), handler(req, res)) : handler;
      server = http.createServer(wrapped);
      break;
    }
    case 'express': {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const express = require('express') as typeof import('express');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const app = express();
      // The floor any middleware-based instrumentation pays in Express: one more router layer per request.
      if (config === 'noop-middleware') app.use((_req, _res, next) => next());
      if (gs !== undefined && config === 'shim') app.use(gs.express());
      if (histogram !== undefined) app.use((req, res, next) => (promTimer(req, res, () => (req.route ? req.baseUrl + req.route.path : undefined)), next()));
      if (config === 'express-prom-bundle') {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const bundle = require('express-prom-bundle') as (o: object) => import('express').RequestHandler;
        app.use(bundle({ includeMethod: true, includePath: true }));
      }
      app.get(BENCH_ROUTE, (_req, res) => void res.send('ok'));
      // 'shim-http': the app measured from outside, without a middleware layer (route read at close).
      server = http.createServer(gs !== undefined && config === 'shim-http' ? gs.http(app, { route: expressRoute }) : app);
      break;
    }
    case 'fastify': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Fastify = require('fastify') as typeof import('fastify').default;
      const app = Fastify();
      // The floor any hook-based instrumentation pays in Fastify: one onRequest hook runner per request.
      if (config === 'noop-hook') app.addHook('onRequest', (_request, _reply, done) => done());
      if (gs !== undefined) await app.register(gs.fastify() as never);
      if (histogram !== undefined) app.addHook('onRequest', (request, reply, done) => (promTimer(request.raw, reply.raw, () => request.routeOptions.url), done()));
      app.get(BENCH_ROUTE, async () => 'ok');
      await app.ready();
      server = app.server;
      break;
    }
  }
  process.on('message', answer);
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

void main();
