/**
 * The example instrumented app the end-to-end test scrapes: the checkout service of examples/services.ts,
 * on Express, instrumented from the same definition the cdk8s app synthesizes rules and dashboards from.
 *
 * Environment: APP_PORT (default 8080), METRICS_PORT (default: the definition's metrics port), HOST
 * (default all interfaces), DRAIN_DELAY_MS (default 5000) and DRAIN_DEADLINE_MS (default 25000): see
 * {@link drainOnSigterm}. DATABASE_URL (default none): a PostgreSQL connection string; with it `GET /orders/:id`
 * reads through a node-postgres pool of the definition's `orders-db` size, observed by the shim. PAYMENTS_URL
 * (default none): a payment provider every `POST /checkout` charges through a keep-alive agent of the definition's
 * `payments-api` size (`maxSockets`), observed by the shim.
 *
 * Fault injection, on the app port, so a test can make each golden signal move:
 * - `POST /admin/faults` with JSON `{ "errorRatio"?: 0..1, "extraLatencyMs"?: ms, "routes"?: ["POST /checkout"], "queryHoldMs"?: ms }`
 *   — share of checkout requests answered 503, and delay added to every checkout request, or only to the requests
 *   of `routes` (method and route template, as a journey names them); and how long each order lookup holds its
 *   database connection (`pg_sleep`: a slow query, which exhausts the pool under load); `{}` clears them.
 * - `POST /admin/metrics-off` / `POST /admin/metrics-on` — closes / reopens the metrics server (the
 *   "target down" and "signals missing" alerts).
 * Admin routes are not in the definition and are not faults, so they are measured like any route.
 *
 * Run: `npx ts-node examples/app/server.ts`
 */
import * as http from 'node:http';
import * as https from 'node:https';
import express from 'express';
import { Pool } from 'pg';
import { instrument, observeHttpAgent, observePgPool } from '../../src/instrument';
import { checkout } from '../services';

/** Current faults. */
interface Faults {
  readonly errorRatio: number;
  readonly extraLatencyMs: number;
  readonly queryHoldMs: number;
  /** Only these requests (`'POST /checkout'`) get errorRatio and extraLatencyMs; every request when absent. */
  readonly routes?: readonly string[];
}

const NO_FAULTS: Faults = { errorRatio: 0, extraLatencyMs: 0, queryHoldMs: 0 };

function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`${name} must be a port number from 0 to 65535; got ${JSON.stringify(value)}`);
  return port;
}

function durationFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 120_000) throw new RangeError(`${name} must be a whole number of ms from 0 to 120000; got ${JSON.stringify(value)}`);
  return ms;
}

/**
 * A shutdown a Kubernetes rollout does not notice. On SIGTERM the pod is taken out of the Service's endpoints
 * at the same time as it is told to stop, and kube-proxy, ingress controllers and clients' connection pools
 * learn of it seconds later (Kubernetes docs, "Termination of Pods"; the usual remedy is a preStop sleep), so
 * requests keep arriving for a while. Closing at once resets them. Instead the app:
 * 1. keeps serving for `delayMs`, answering with `Connection: close`, so each keep-alive client opens its
 *    next connection elsewhere instead of reusing one that is about to go;
 * 2. then stops accepting and closes idle connections, and lets the requests in flight finish;
 * 3. closes whatever is still open at `deadlineMs`, which must stay under the pod's
 *    terminationGracePeriodSeconds (30 s by default), after which the kubelet kills the process.
 */
export function drainOnSigterm(server: http.Server, options: { readonly delayMs: number; readonly deadlineMs: number }): void {
  let draining = false;
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) res.setHeader('connection', 'close');
  });
  process.once('SIGTERM', () => {
    draining = true;
    setTimeout(() => {
      server.close();
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), Math.max(0, options.deadlineMs - options.delayMs)).unref();
    }, options.delayMs);
  });
}

/** Parses a faults body, rejecting anything outside the documented ranges. */
export function parseFaults(body: unknown): Faults | string {
  if (body === null || typeof body !== 'object') return 'body must be a JSON object';
  const { errorRatio = 0, extraLatencyMs = 0, queryHoldMs = 0, routes } = body as Record<string, unknown>;
  if (typeof errorRatio !== 'number' || !(errorRatio >= 0 && errorRatio <= 1)) return 'errorRatio must be a number from 0 to 1';
  if (typeof extraLatencyMs !== 'number' || !(extraLatencyMs >= 0 && extraLatencyMs <= 60_000)) return 'extraLatencyMs must be a number of ms from 0 to 60000';
  if (typeof queryHoldMs !== 'number' || !(queryHoldMs >= 0 && queryHoldMs <= 60_000)) return 'queryHoldMs must be a number of ms from 0 to 60000';
  if (routes !== undefined && (!Array.isArray(routes) || routes.length === 0 || !routes.every((r) => typeof r === 'string' && /^[A-Z]+ \//.test(r)))) {
    return 'routes must be a non-empty list of "<METHOD> <route template>", e.g. ["POST /checkout"]';
  }
  return { errorRatio, extraLatencyMs, queryHoldMs, ...(routes ? { routes: routes as string[] } : {}) };
}

/** Builds the app; exported so tests can run it in-process. */
export function createApp(options: { appPort?: number; metricsPort?: number; host?: string; databaseUrl?: string; paymentsUrl?: string } = {}) {
  const gs = instrument(checkout, { port: options.metricsPort, host: options.host });
  let faults = NO_FAULTS;
  // The pool the definition declares, at its declared size: the series the rules read come from this one.
  const declared = checkout.capacity?.pools?.find((p) => p.name === 'orders-db');
  const pool = options.databaseUrl && declared ? new Pool({ connectionString: options.databaseUrl, max: declared.size, connectionTimeoutMillis: 5_000 }) : undefined;
  if (pool) {
    pool.on('error', () => undefined); // an idle client's connection dropped: the pool replaces it
    observePgPool(gs, declared!.name, pool);
  }
  // The payment provider's agent, at the definition's payments-api size: every checkout charges through it when
  // PAYMENTS_URL is set (a checkout then answers 502 if the charge fails). Observed either way, so its series exist.
  const declaredPayments = checkout.capacity?.pools?.find((p) => p.name === 'payments-api');
  const paymentsUrl = options.paymentsUrl ? new URL(options.paymentsUrl) : undefined;
  const paymentsClient = paymentsUrl?.protocol === 'http:' ? http : https;
  const paymentsAgent = declaredPayments ? new paymentsClient.Agent({ keepAlive: true, maxSockets: declaredPayments.size }) : undefined;
  if (declaredPayments && paymentsAgent) observeHttpAgent(gs, declaredPayments.name, paymentsAgent);
  const charge = (): Promise<boolean> =>
    new Promise((resolve) => {
      if (!paymentsUrl) return resolve(true);
      const req = paymentsClient.request(paymentsUrl, { method: 'POST', agent: paymentsAgent, timeout: 10_000 }, (res) => {
        res.resume().on('end', () => resolve((res.statusCode ?? 500) < 400));
      });
      req.on('timeout', () => req.destroy(new Error('payment provider timed out')));
      req.on('error', () => resolve(false));
      req.end();
    });

  const app = express();
  app.use(gs.express());
  app.use(express.json());

  const faulty: express.RequestHandler = (req, res, next) => {
    const { errorRatio, extraLatencyMs, routes } = faults;
    // req.route is the matched route: its template is what the shim records as http_route.
    if (routes && !routes.includes(`${req.method} ${(req.route as { path?: string } | undefined)?.path}`)) return next();
    const proceed = () => (Math.random() < errorRatio ? void res.status(503).json({ error: 'injected fault' }) : next());
    if (extraLatencyMs > 0) setTimeout(proceed, extraLatencyMs);
    else proceed();
  };
  app.get('/cart', faulty, (_req, res) => void res.json({ items: 2 }));
  app.post('/checkout', faulty, (_req, res) => {
    void charge().then((paid) => (paid ? res.status(201).json({ order: Math.floor(Math.random() * 1e6) }) : res.status(502).json({ error: 'payment failed' })));
  });
  app.get('/orders/:id', faulty, (req, res) => {
    if (!pool) return void res.json({ id: req.params.id, status: 'shipped' });
    const hold = faults.queryHoldMs / 1000;
    pool
      .query<{ id: string }>('SELECT $1::text AS id, pg_sleep($2)', [req.params.id, hold])
      .then((r) => void res.json({ id: r.rows[0].id, status: 'shipped' }))
      .catch(() => void res.status(503).json({ error: 'database unavailable' }));
  });

  app.post('/admin/faults', (req, res) => {
    const parsed = parseFaults(req.body ?? {});
    if (typeof parsed === 'string') return void res.status(400).json({ error: parsed });
    faults = parsed;
    res.json(faults);
  });
  app.post('/admin/metrics-off', async (_req, res) => {
    await gs.stopMetrics();
    res.json({ metrics: 'off' });
  });
  app.post('/admin/metrics-on', async (_req, res) => {
    const port = await gs.serveMetrics();
    res.status(port === undefined ? 503 : 200).json({ metrics: port === undefined ? 'unavailable' : 'on', port });
  });

  const server = http.createServer(app);
  server.once('close', () => {
    void pool?.end().catch(() => undefined);
    paymentsAgent?.destroy();
  });
  return { app, gs, server, pool };
}

if (require.main === module) {
  const appPort = portFrom(process.env.APP_PORT, 8080, 'APP_PORT');
  const metricsPort = portFrom(process.env.METRICS_PORT, checkout.metrics.port, 'METRICS_PORT');
  const host = process.env.HOST || undefined;
  const { gs, server } = createApp({ metricsPort, host, databaseUrl: process.env.DATABASE_URL || undefined, paymentsUrl: process.env.PAYMENTS_URL || undefined });
  server.listen(appPort, host, async () => {
    const address = server.address() as { port: number };
    const metrics = await gs.ready;
    // One line a test harness can wait for and parse.
    console.log(JSON.stringify({ ready: true, appPort: address.port, metricsPort: metrics ?? null }));
  });
  // The shim flushes spans and closes the metrics server on SIGTERM; the app drains its own server, and the
  // process exits once both are done.
  drainOnSigterm(server, {
    delayMs: durationFrom(process.env.DRAIN_DELAY_MS, 5_000, 'DRAIN_DELAY_MS'),
    deadlineMs: durationFrom(process.env.DRAIN_DEADLINE_MS, 25_000, 'DRAIN_DEADLINE_MS'),
  });
}
