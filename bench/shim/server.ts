/**
 * One benchmark server: `<framework> <config>`, bound to 127.0.0.1 on an ephemeral port, serving a trivial
 * `GET /users/:id`. Prints `{"port":N}` when ready. Forked by bench/shim/run.ts.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Framework = 'node' | 'express' | 'fastify';
export type Config = 'bare' | 'bare-control' | 'noop-middleware' | 'noop-hook' | 'shim' | 'shim-http' | 'prom-client' | 'express-prom-bundle' | 'otel';

const [framework, config] = process.argv.slice(2) as [Framework, Config];
const ROUTE = '/users/:id';

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
  const { defineService } = require('../../src/spec') as typeof import('../../src/spec');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const definition = defineService({
    name: 'bench',
    namespace: 'bench',
    team: 'bench',
    metrics: { port: 9464 },
    routes: [ROUTE],
    slos: { latency: { objective: 99, threshold: '300ms' } },
  });
  const gs = config === 'shim' || config === 'shim-http' ? instrument(definition, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false }) : undefined;
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
        gs !== undefined ? gs.http(handler) : histogram !== undefined ? (req, res) => (promTimer(req, res, () => ROUTE), handler(req, res)) : handler;
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
      app.get(ROUTE, (_req, res) => void res.send('ok'));
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
      app.get(ROUTE, async () => 'ok');
      await app.ready();
      server = app.server;
      break;
    }
  }
  // The harness asks for this process's CPU time around each measured run: CPU per request is what
  // throughput on a saturated core is the inverse of, without the load generator's share of the noise.
  process.on('message', (m: unknown) => {
    if (m === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

void main();
