/**
 * `instrument(definition)`: the runtime half of the single source of truth. The same definition object
 * that generates the rules, dashboards and autoscalers decides here the metric names, labels, buckets,
 * error predicate and metrics port the app emits.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Counter, Registry } from 'prom-client';
import { resolveService } from '../model/resolve';
import type { ServiceModel } from '../model/types';
import { DEFAULT_ERROR_STATUS_CODES, DEFAULT_MAX_SERIES_PER_METRIC, ERROR_TYPE, LABEL, METRIC, OTHER, OUTCOME } from '../signals/contract';
import type { ServiceDefinition } from '../spec/service';
import { expressRoute } from './express';
import { ExpositionFormat, metricsHandler, MetricSource, MetricsServer, renderExposition } from './exposition';
import { PoolMetrics, type PoolObserver, type PoolSource } from './pools';
import { compileRoutes, RouteMatcher } from './routes';
import { ActiveRequests, collectRuntimeMetrics, EventLoopTime, METHOD_LABELS, methodIndex } from './runtime';
import { HistogramStore, LabelScheme, TraceRef } from './store';
import { activeTraceReader, ActiveTraceReader, otelPrometheusExporterInUse, startTracing, TracingHandle, TracingOptions } from './tracing';
import { describe, warnOnce } from './warn';

/** Options of {@link instrument}. Everything else comes from the definition. */
export interface InstrumentOptions {
  /**
   * Port of the metrics server. `0` picks a free port (tests). Overriding it makes the app disagree with
   * the generated ServiceMonitor, so only tests and local runs should.
   * @default definition.metrics.port
   */
  readonly port?: number;
  /** Interface the metrics server binds. @default all interfaces (the pod IP must be scrapeable) */
  readonly host?: string;
  /** Start the metrics server at once. `false` leaves it to {@link GoldenSignals.serveMetrics}. @default true */
  readonly serve?: boolean;
  /**
   * Most series per histogram, overflow included. Past it, new label sets fold into `_OTHER` and are
   * counted in `golden_signals_shim_overflow_total`. 2,000 is the OTel SDK's default cardinality limit.
   * @default 2000
   */
  readonly maxSeriesPerMetric?: number;
  /** Longest route or operation label value; longer ones are cut. @default 128 */
  readonly maxLabelLength?: number;
  /**
   * Attach the active sampled span's trace and span ids to latency observations as OpenMetrics exemplars
   * (needs `@opentelemetry/api` and a tracer; Prometheus needs `--enable-feature=exemplar-storage`).
   * Costs one `trace.getActiveSpan()` per request (~30 ns).
   * @default false
   */
  readonly exemplars?: boolean;
  /** Shortest time between two exemplars of one bucket of one series, in ms. @default 1000 */
  readonly exemplarIntervalMs?: number;
  /** Collect prom-client's default runtime metrics (CPU, memory, heap, GC, event-loop delay). @default true */
  readonly runtimeMetrics?: boolean;
  /** The app's own prom-client registries, served on the same endpoint. More via {@link GoldenSignals.merge}. @default [] */
  readonly registries?: readonly MetricSource[];
  /**
   * Operations `measure()` will see, pre-created at zero so a worker's series exist before its first job.
   * @default [] (one series without an `operation` label is pre-created instead)
   */
  readonly operations?: readonly string[];
  /** Traces through `@opentelemetry/sdk-node`, or `false` to never start it. @default { enabled: 'auto' } */
  readonly tracing?: TracingOptions | false;
  /** Flush spans and close the metrics server on SIGTERM. @default true */
  readonly handleSignals?: boolean;
  /** Environment the OTEL_* variables are read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Options of the node:http adapter. */
export interface HttpAdapterOptions {
  /**
   * The route template of a request, read when its response closes (so a framework has routed it by then).
   * Never return the raw URL. For an Express app served without the middleware: `{ route: expressRoute }`.
   * @default the definition's `routes` compiled into a matcher (see `compileRoutes`)
   */
  readonly route?: (req: IncomingMessage) => string | undefined;
}

/** A minimal Express-compatible middleware signature (no Express types needed at runtime). */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The parts of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly routeOptions?: { readonly url?: string };
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: { raw: ServerResponse }, done: () => void) => void): unknown;
}

/** A Fastify plugin (callback style, encapsulation skipped so the hook sees every route). */
export type FastifyPlugin = ((instance: FastifyLike, options: unknown, done: (error?: Error) => void) => void) & Record<symbol, unknown>;

/** What {@link instrument} returns. */
export interface GoldenSignals {
  /** The resolved definition. */
  readonly model: ServiceModel;
  /** The shim's prom-client registry (runtime metrics, shim counters; the histograms are registered too). */
  readonly registry: Registry;
  /** Resolves once the metrics server is listening, with its port, or undefined if it could not bind. */
  readonly ready: Promise<number | undefined>;
  /** The port the metrics server is bound to, if it is listening. */
  readonly metricsPort: number | undefined;
  /** Express middleware; mount it first. `http_route` is the matched route's template, mount paths included (see `expressRoute`). */
  express(): Middleware;
  /** Fastify plugin: `app.register(gs.fastify())`. `http_route` is `request.routeOptions.url`. */
  fastify(): FastifyPlugin;
  /** Wraps a node:http request listener. */
  http(handler: RequestListener, options?: HttpAdapterOptions): RequestListener;
  /**
   * Times non-HTTP work (a queue message, a cron run): a throw or a rejection is an error, anything else a
   * success. Returns what `fn` returns; rethrows what it throws.
   */
  measure<T>(operation: string, fn: () => T): T;
  /**
   * Exports a pool the definition declares (`capacity.pools`) under its name: its use and waiting requests,
   * read at every scrape, and the waits reported to the returned observer. For node-postgres use
   * `observePgPool(gs, name, pool)`, which also times every `connect`. Throws for a name the definition
   * does not declare (a configuration error, at start-up); nothing after that throws.
   * @example
   * const jobs = gs.observePool('jobs-db', { inUse: () => db.busy, idle: () => db.free, waiting: () => db.queued });
   * jobs.waited(0.004);
   */
  observePool(name: string, source: PoolSource): PoolObserver;
  /** Adds an app registry to the metrics endpoint. */
  merge(source: MetricSource): void;
  /** The exposition as the endpoint would serve it. */
  metrics(format?: ExpositionFormat): Promise<string>;
  /** The metrics endpoint as a request listener, to mount elsewhere if a separate port is impossible. */
  readonly metricsHandler: RequestListener;
  /** (Re)starts the metrics server. */
  serveMetrics(): Promise<number | undefined>;
  /** Stops the metrics server; the app keeps serving and measuring. */
  stopMetrics(): Promise<void>;
  /** Stops the metrics server, flushes spans and removes the signal handler. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Status slots of a request that got no complete response, recorded with no status code and an `error_type`
 * (semconv `error.type`, values in the contract's ERROR_TYPE): the connection closed first, or the handler threw.
 */
const NO_RESPONSE = { aborted: 0, unanswered: 1 } as const;
const ERROR_TYPE_OF_SLOT = [ERROR_TYPE.aborted, ERROR_TYPE.unanswered] as const;
/** `reason` values of {@link METRIC.shimDropped}. */
const DROP_REASON = { status: 'invalid_status', value: 'invalid_duration', cardinality: 'series_limit' } as const;
const OUTCOMES = [OUTCOME.success, OUTCOME.error] as const;
const GET = methodIndex('GET');

/**
 * Reads the route template of Fastify requests: `request.routeOptions.url`, undefined for a 404. That getter
 * builds a twelve-field object and asks the router about constraint strategies on every call, ~640
 * instructions: a quarter of what the plugin added to a Fastify request (BENCHMARKS.md). The
 * same string is `config.url` of the route context Fastify 5 keeps on the request under
 * `Symbol('fastify.context')` (lib/symbols.js `kRouteContext`; the getter reads it there too). The reader
 * looks for that symbol on the first request and keeps using it only if it gives what the getter gives; on
 * any other Fastify it stays with the getter.
 */
export function fastifyRouteReader(): (request: FastifyRequestLike) => string | undefined {
  type WithContext = FastifyRequestLike & Record<symbol, { config?: { url?: string } } | undefined>;
  /** The context symbol once it agreed with the getter on a matched route; null when it did not. */
  let contextKey: symbol | null | undefined;
  return (request) => {
    if (contextKey) return (request as WithContext)[contextKey]?.config?.url;
    const url = request.routeOptions?.url;
    if (contextKey === undefined && url !== undefined) {
      const key = Object.getOwnPropertySymbols(request).find((symbol) => symbol.description === 'fastify.context');
      contextKey = key !== undefined && (request as WithContext)[key]?.config?.url === url ? key : null;
    }
    return url;
  };
}

/** Marks a response already measured: with two adapters on one request, the outer one measures. */
const MEASUREMENT = Symbol('golden-signals.measurement');
type Measured = ServerResponse & { [MEASUREMENT]?: Measurement };

/**
 * A request being measured: one object per request, under one symbol property of the response (in
 * `res.locals` for Express, see `beginInExpress`) so that a second adapter on the same request steps aside.
 * The first version kept four symbol properties on `res`, each a hidden-class transition of ServerResponse,
 * which made Express's own accesses to `res` slower than the measurement itself (BENCHMARKS.md: 83–91% of
 * bare). A WeakSet instead of the property measured about 8% slower on node:http (ephemeron bookkeeping per
 * request).
 */
class Measurement {
  constructor(
    readonly req: IncomingMessage,
    readonly method: number,
    readonly route: RouteSource,
    readonly trace: TraceRef | undefined,
    readonly start: number,
  ) {}
  /** The handler threw before answering (node:http adapter): recorded as `unanswered` unless a response completes. */
  failed = false;
}

/**
 * Where a request's route template comes from: known when the request starts (Fastify has routed before
 * `onRequest`; node:http matches the definition's routes), or read when the response closes (Express sets
 * `req.route` while routing).
 */
type RouteSource = string | undefined | ((req: IncomingMessage) => string | undefined);

function positiveInteger(name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`instrument(): options.${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A status code standing for "an error" under the definition's predicate, for the pre-created series. */
function representativeErrorStatus(model: ServiceModel): number {
  const first = (model.definition.errors?.statusCodes ?? DEFAULT_ERROR_STATUS_CODES)[0];
  return typeof first === 'number' ? first : Number(first[0]) * 100;
}

/**
 * Instruments a Node.js service from its golden-signals definition: serves `/metrics` on the
 * definition's metrics port with the series the generated rules, dashboards and autoscalers query.
 *
 * Configuration errors (an invalid definition or option) throw here, at start-up, with every problem
 * listed. After that nothing the shim does throws into the app: a taken port, a bad value or a failing
 * exporter is warned about once and the app keeps serving.
 *
 * @example
 * import { instrument } from 'cdk8s-golden-signals/instrument';
 * import { checkout } from './observability';
 * const gs = instrument(checkout);
 * app.use(gs.express());
 * // queue consumer: await gs.measure('charge-card', () => charge(msg));
 */
export function instrument(definition: ServiceDefinition, options: InstrumentOptions = {}): GoldenSignals {
  const model = resolveService(definition);
  const env = options.env ?? process.env;
  const port = positiveInteger('port', options.port, model.metrics.port, 0, 65535);
  const maxSeries = positiveInteger('maxSeriesPerMetric', options.maxSeriesPerMetric, DEFAULT_MAX_SERIES_PER_METRIC, 1);
  const maxLabelLength = positiveInteger('maxLabelLength', options.maxLabelLength, 128, 1);
  const exemplarIntervalMs = positiveInteger('exemplarIntervalMs', options.exemplarIntervalMs, 1000, 0);
  for (const [i, op] of (options.operations ?? []).entries()) {
    if (typeof op !== 'string' || op === '') throw new TypeError(`instrument(): options.operations[${i}] must be a non-empty string; got ${JSON.stringify(op)}`);
  }

  const registry = new Registry();
  const overflow = new Counter({
    name: METRIC.shimOverflow,
    help: 'Observations the golden-signals cardinality guard folded into _OTHER, by metric.',
    labelNames: [LABEL.overflowMetric],
    registers: [registry],
  });
  const dropped = new Counter({
    name: METRIC.shimDropped,
    help: 'Observations the golden-signals shim dropped as invalid, by reason.',
    labelNames: [LABEL.dropReason],
    registers: [registry],
  });
  const drop = (reason: (typeof DROP_REASON)[keyof typeof DROP_REASON]) => {
    dropped.inc({ [LABEL.dropReason]: reason });
    warnOnce('dropped', `golden-signals: dropped an observation (${reason}); see ${METRIC.shimDropped}`);
  };

  const storeFor = (name: string, help: string, aSize: number, scheme: LabelScheme, overflowLabel: string) => {
    const store: HistogramStore = new HistogramStore({
      name,
      help,
      bounds: model.buckets,
      aSize,
      scheme,
      maxSeries,
      maxLabelLength,
      overflowValue: OTHER,
      exemplarIntervalMs,
      onOverflow: () => {
        overflow.inc({ [LABEL.overflowMetric]: name });
        warnOnce(
          'cardinality',
          `golden-signals: ${name} reached ${maxSeries} series; new ${overflowLabel} values are recorded as "${OTHER}" (counted in ${METRIC.shimOverflow})`,
        );
      },
      onFull: () => drop(DROP_REASON.cardinality),
    });
    overflow.inc({ [LABEL.overflowMetric]: name }, 0);
    registry.registerMetric(store as never);
    return store;
  };
  const httpStore = storeFor(
    METRIC.httpDuration,
    'Duration of HTTP server requests (OTel http.server.request.duration).',
    METHOD_LABELS.length,
    {
      labels: (a, b, c) => [
        [LABEL.method, METHOD_LABELS[a]],
        [LABEL.route, b],
        [LABEL.statusCode, c < 100 ? undefined : String(c)],
        [LABEL.errorType, c < 100 ? ERROR_TYPE_OF_SLOT[c] : undefined],
      ],
    },
    LABEL.route,
  );
  const operationStore = storeFor(
    METRIC.operationDuration,
    'Duration of operations measured by golden-signals measure(), by outcome.',
    OUTCOMES.length,
    { labels: (a, b) => [[LABEL.operation, b], [LABEL.outcome, OUTCOMES[a]]] },
    LABEL.operation,
  );
  for (const reason of Object.values(DROP_REASON)) dropped.inc({ [LABEL.dropReason]: reason }, 0);

  // Pre-created series: `rate()` needs a sample before the first event, and the rules' "target up but no
  // <histogram>_count series" alert must only fire when instrumentation is really missing.
  switch (model.kind) {
    case 'http': {
      const errorStatus = representativeErrorStatus(model);
      for (const route of model.routes.length > 0 ? model.routes : [undefined]) {
        httpStore.zero(GET, route, 200);
        httpStore.zero(GET, route, errorStatus);
      }
      break;
    }
    case 'worker':
      break;
  }
  const operations = options.operations ?? [];
  if (model.kind === 'worker' || operations.length > 0) {
    for (const op of operations.length > 0 ? operations : [undefined]) for (let a = 0; a < OUTCOMES.length; a++) operationStore.zero(a, op, 0);
  }

  const active = new ActiveRequests(model.kind === 'http' ? [GET] : []);
  registry.registerMetric(active as never);
  registry.registerMetric(new EventLoopTime() as never);
  if (options.runtimeMetrics ?? true) {
    try {
      collectRuntimeMetrics(registry);
    } catch (error) {
      warnOnce('adapter', `golden-signals: runtime metrics unavailable: ${describe(error)}`);
    }
  }

  const pools = new PoolMetrics(model, registry);

  const sources: MetricSource[] = [registry, ...(options.registries ?? [])];
  const stores = [httpStore, operationStore];
  const render = (format: ExpositionFormat = 'text') => renderExposition(format, stores, sources);
  const handler = metricsHandler(model.metrics.path, render);
  const server = new MetricsServer(handler, port, options.host);

  const tracing: TracingHandle | undefined = options.tracing === false ? undefined : startTracing(model.name, options.tracing ?? {}, env);
  const readTrace: ActiveTraceReader | undefined = options.exemplars ? activeTraceReader() : undefined;
  const checkExporter = () => {
    if (otelPrometheusExporterInUse(env)) {
      warnOnce(
        'otel-prometheus-exporter',
        `golden-signals: the OpenTelemetry JS Prometheus exporter is active; it names series without unit suffixes (e.g. ${METRIC.httpDuration.replace(/_seconds$/, '')}_bucket), which the generated rules do not select. Serve metrics through the shim instead (unset OTEL_METRICS_EXPORTER=prometheus).`,
      );
    }
  };
  checkExporter();
  // Apps often start their own SDK after importing the shim: look once more when start-up is over.
  setTimeout(checkExporter, 2000).unref();

  // ---- the hot path -------------------------------------------------------------------------------
  const observeHttp = (method: number, route: string | undefined, status: number, seconds: number, trace: TraceRef | undefined) => {
    if (!(seconds >= 0 && seconds < Infinity)) return drop(DROP_REASON.value);
    if (status !== NO_RESPONSE.aborted && status !== NO_RESPONSE.unanswered && !(status >= 100 && status <= 599 && (status | 0) === status)) return drop(DROP_REASON.status);
    httpStore.observe(method, route, status, seconds, trace);
  };

  /**
   * Starts measuring a request: counts it in flight and reads the clock. The two `performance.now()` reads
   * (217 instructions each) are a third to a half of what the shim adds to a node:http request (~900–1,300,
   * BENCHMARKS.md); `hrtime()` (397), `hrtime.bigint()` (649) and the millisecond `Date.now()`
   * are no better.
   */
  const start = (req: IncomingMessage, route: RouteSource): Measurement => {
    const method = methodIndex(req.method);
    active.inc(method);
    return new Measurement(req, method, route, readTrace?.(), performance.now());
  };

  /** `start`, unless another adapter already measures the request (then undefined); marks the response. */
  const begin = (req: IncomingMessage, res: ServerResponse, route: RouteSource): Measurement | undefined => {
    if ((res as Measured)[MEASUREMENT] !== undefined) return undefined;
    return ((res as Measured)[MEASUREMENT] = start(req, route));
  };

  /**
   * `begin` for the Express middleware, which runs after Express has swapped the response's prototype
   * (`Object.setPrototypeOf(res, app.response)`). Adding a property to `res` after that cost ~65,000
   * instructions per request in V8 map migrations — more than Express's own routing — where an empty
   * middleware costs ~10,000 (BENCHMARKS.md). So the mark goes into `res.locals`, the
   * per-request dictionary Express creates for exactly this.
   */
  const beginInExpress = (req: IncomingMessage, res: ServerResponse & { locals?: { [MEASUREMENT]?: Measurement } }): Measurement | undefined => {
    const locals = res.locals;
    if (typeof locals !== 'object' || locals === null) return begin(req, res, expressRoute);
    if ((res as Measured)[MEASUREMENT] !== undefined || locals[MEASUREMENT] !== undefined) return undefined;
    return (locals[MEASUREMENT] = start(req, expressRoute));
  };

  /**
   * Ends a measurement once the adapter's synchronous part (the handler, `next()`) has returned: at once if
   * the response is already complete — ended and handed to the kernel, `writableFinished` — else after the
   * microtasks queued so far, else when it closes. The listener is what this avoids: `res.on('close')` and
   * its dispatch cost ~1,360 instructions per Fastify request (a ServerResponse's `_events` is a
   * dictionary-mode object), a promise reaction ~130 (BENCHMARKS.md). A handler that answers
   * synchronously (a cache hit, a health check, a 304, a validation error) is recorded on return; an `async`
   * handler that answers without awaiting I/O — Fastify sends its reply from a `.then` queued before ours —
   * after the microtask. A response still buffered behind a slow client is not complete, so its duration
   * runs on until the kernel has taken all of it.
   */
  const settle = (res: ServerResponse, m: Measurement): void => {
    try {
      if (res.writableFinished) return finish(m, res.statusCode);
      settleAfterQueuedMicrotasks(res, m);
    } catch (error) {
      recordFailed(error);
    }
  };
  // A function of its own, so that the closure's context is allocated only on this path, not in `settle`.
  const settleAfterQueuedMicrotasks = (res: ServerResponse, m: Measurement): void => {
    void afterQueuedMicrotasks.then(() => settleOrListen(res, m));
  };
  const afterQueuedMicrotasks = Promise.resolve();
  const settleOrListen = (res: ServerResponse, m: Measurement): void => {
    try {
      if (res.writableFinished) return finish(m, res.statusCode);
      // Destroyed — by the app, or its socket closed on a nextTick that ran before this microtask — it will
      // never complete, and its 'close' may be over already.
      if (res.destroyed) return finish(m, 0);
      // Node 24 marks an ended response finished on a process.nextTick that end() queues (Node 22 does it
      // within end()). When end() ran in a microtask queued before this one, that tick is still pending, and
      // ticks queued now run after it: one more look then, before paying for a listener.
      if (res.writableEnded) return process.nextTick(finishOrListen, res, m);
      listen(res, m);
    } catch (error) {
      recordFailed(error);
    }
  };
  const finishOrListen = (res: ServerResponse, m: Measurement): void => {
    try {
      if (res.writableFinished) return finish(m, res.statusCode);
      if (res.destroyed) return finish(m, 0);
      listen(res, m);
    } catch (error) {
      recordFailed(error);
    }
  };
  /** Called inside the callers' try. */
  const listen = (res: ServerResponse, m: Measurement): void => {
    // `on`, not `once`: a response closes once, and `once` allocates a wrapper per request.
    res.on('close', function (this: ServerResponse) {
      try {
        // 'close' after 'finish': complete, with its status; without 'finish' the client went away first.
        finish(m, this.writableFinished ? this.statusCode : 0);
      } catch (error) {
        recordFailed(error);
      }
    });
  };
  /**
   * Records a request: `status` 0 for one whose response never completed, `unanswered` if its handler threw,
   * `aborted` otherwise.
   */
  const finish = (m: Measurement, status: number): void => {
    active.dec(m.method);
    const seconds = (performance.now() - m.start) / 1000;
    const route = m.route;
    const slot = status === 0 && m.failed ? NO_RESPONSE.unanswered : status;
    observeHttp(m.method, typeof route === 'function' ? route(m.req) : route, slot, seconds, m.trace);
  };

  // Out of line, so that the adapters' hot paths stay small enough for V8 to inline them whole.
  const startFailed = (error: unknown): void => {
    warnOnce('adapter', `golden-signals: failed to start measuring a request: ${describe(error)}`);
  };
  const recordFailed = (error: unknown): void => {
    warnOnce('adapter', `golden-signals: failed to record a request: ${describe(error)}`);
  };

  const defaultMatcher: RouteMatcher = compileRoutes(model.routes);

  const measure = <T>(operation: string, fn: () => T): T => {
    let start = 0;
    let trace: TraceRef | undefined;
    const record = (outcome: number) => {
      try {
        const seconds = (performance.now() - start) / 1000;
        if (!(seconds >= 0 && seconds < Infinity)) return drop(DROP_REASON.value);
        operationStore.observe(outcome, typeof operation === 'string' ? operation : String(operation), 0, seconds, trace);
      } catch (error) {
        warnOnce('adapter', `golden-signals: failed to record operation ${String(operation)}: ${describe(error)}`);
      }
    };
    try {
      trace = readTrace?.();
    } catch {
      trace = undefined;
    }
    start = performance.now();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      record(1);
      throw error;
    }
    // A thenable whose `then` (or its getter) throws fails whoever awaits it, with that error: the operation
    // failed, and the caller gets the thenable untouched, as it would without the shim. Never the shim's throw.
    let then: unknown;
    try {
      then = result !== null && (typeof result === 'object' || typeof result === 'function') ? (result as { then?: unknown }).then : undefined;
    } catch {
      record(1);
      return result;
    }
    if (typeof then === 'function') {
      try {
        return (then as PromiseLike<unknown>['then']).call(
          result,
          (value) => {
            record(0);
            return value;
          },
          (error: unknown) => {
            record(1);
            throw error;
          },
        ) as T;
      } catch {
        record(1);
        return result;
      }
    }
    record(0);
    return result;
  };

  // ---- lifecycle ----------------------------------------------------------------------------------
  let stopped = false;
  const onSigterm = () => {
    // Listening for SIGTERM replaces Node's default "exit". When the app listens too, exiting is its call;
    // when only the shim listened, re-raise the signal after cleaning up so the default action happens.
    const appHandlesIt = process.listenerCount('SIGTERM') > 0;
    void shutdown().finally(() => {
      if (!appHandlesIt) process.kill(process.pid, 'SIGTERM');
    });
  };
  const shutdown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('SIGTERM', onSigterm);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    const flush = (async () => {
      try {
        await tracing?.shutdown();
      } catch (error) {
        warnOnce('shutdown', `golden-signals: flushing spans on shutdown failed: ${describe(error)}`);
      }
    })();
    await Promise.race([Promise.all([server.close(), flush]), timeout]);
  };
  if (options.handleSignals ?? true) process.once('SIGTERM', onSigterm);

  const ready = options.serve === false ? Promise.resolve(undefined) : server.listen();

  return {
    model,
    registry,
    ready,
    observePool: (name, source) => pools.observe(name, source),
    get metricsPort() {
      return server.boundPort;
    },
    express: () => (req, res, next) => {
      let m: Measurement | undefined;
      try {
        m = beginInExpress(req, res);
      } catch (error) {
        startFailed(error);
      }
      try {
        next();
      } finally {
        if (m !== undefined) settle(res, m);
      }
    },
    fastify: () => {
      const plugin = ((instance: FastifyLike, _options: unknown, done: (error?: Error) => void) => {
        const routeOf = fastifyRouteReader();
        instance.addHook('onRequest', (request, reply, next) => {
          let m: Measurement | undefined;
          try {
            // Fastify has routed before onRequest.
            m = begin(request.raw, reply.raw, routeOf(request));
          } catch (error) {
            startFailed(error);
          }
          try {
            next();
          } finally {
            if (m !== undefined) settle(reply.raw, m);
          }
        });
        done();
      }) as FastifyPlugin;
      // What fastify-plugin does: without it the hook would only see routes registered inside the plugin.
      plugin[Symbol.for('skip-override')] = true;
      plugin[Symbol.for('fastify.display-name')] = 'golden-signals';
      return plugin;
    },
    http: (handler, adapterOptions = {}) => {
      const routeOf = adapterOptions.route;
      return function instrumented(this: unknown, req: IncomingMessage, res: ServerResponse) {
        let m: Measurement | undefined;
        try {
          // Matched now: a framework served through http() may rewrite req.url while routing.
          m = begin(req, res, routeOf ?? defaultMatcher(req.url));
        } catch (error) {
          startFailed(error);
        }
        try {
          return handler.call(this, req, res);
        } catch (error) {
          // The server failed to answer: a failed request, whatever happens to the connection later. The
          // error goes on to node:http as it would without the shim. A rejected promise is left alone: marking
          // it handled would change the app's unhandled-rejection behaviour; its request ends as `aborted`.
          if (m !== undefined) m.failed = true;
          throw error;
        } finally {
          if (m !== undefined) settle(res, m);
        }
      } as RequestListener;
    },
    measure,
    merge: (source) => {
      sources.push(source);
    },
    metrics: render,
    metricsHandler: handler,
    serveMetrics: () => (stopped ? Promise.resolve(undefined) : server.listen()),
    stopMetrics: () => server.close(),
    shutdown,
  };
}
