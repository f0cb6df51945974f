/**
 * The /metrics endpoint: the shim's histograms rendered directly, everything else (runtime metrics, the
 * shim's counters, the app's own prom-client registries) formatted by prom-client, in the format the
 * scraper asked for.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { Registry } from 'prom-client';
import type { HistogramStore } from './store';
import { describe, warnOnce } from './warn';

/** Anything prom-client can format: its own metrics and the shim's prom-client-shaped objects. */
export interface MetricLike {
  readonly name: string;
  get(): unknown;
}

/** A source of prom-client metrics (a `Registry`, or anything listing metrics the same way). */
export interface MetricSource {
  /** prom-client's `Registry.getMetricsAsArray()`; its typings omit `get()`, which every metric has. */
  getMetricsAsArray(): ReadonlyArray<{ readonly name: string }>;
}

/** The two exposition formats a scraper can ask for. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** The `Content-Type` of each format, with version and charset: Prometheus 3 fails a scrape without them. */
export const CONTENT_TYPE: Readonly<Record<ExpositionFormat, string>> = {
  text: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/**
 * Picks the format from an `Accept` header: OpenMetrics when the scraper offers it at least as gladly as
 * the text format (Prometheus sends `application/openmetrics-text;version=1.0.0,…;q=0.75,text/plain;…;q=0.5`);
 * text otherwise. Exemplars exist only in OpenMetrics.
 *
 * @example negotiate('application/openmetrics-text;version=1.0.0,text/plain;q=0.5') // 'openmetrics'
 */
export function negotiate(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || !accept.includes('openmetrics')) return 'text';
  let openMetrics = 0;
  let text = 0;
  for (const entry of accept.split(',')) {
    const [type, ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'text';
}

/**
 * prom-client's `Registry.metrics()` strips `_total` from a counter's name *in place* before writing
 * OpenMetrics, so the same counter written as text afterwards loses its suffix (`process_cpu_seconds`
 * instead of `process_cpu_seconds_total`). Formatting a renamed copy of the counter's values instead keeps
 * the metric objects untouched, so both formats stay right whatever order scrapers come in.
 */
function openMetricsView(metric: MetricLike): MetricLike {
  return {
    name: metric.name,
    get: async () => {
      const value = (await metric.get()) as { name: string; type: string };
      return value.type === 'counter' ? { ...value, name: value.name.replace(/_total$/, '') } : value;
    },
  };
}

/** prom-client's formatter of one metric; public at runtime (15.x) but missing from its typings. */
interface Formatter {
  getMetricsAsString(metric: MetricLike): Promise<string>;
}
const RegistryWithContentType = Registry as unknown as new (contentType: string) => Formatter;
const formatters: Readonly<Record<ExpositionFormat, Formatter>> = {
  text: new RegistryWithContentType(Registry.PROMETHEUS_CONTENT_TYPE),
  openmetrics: new RegistryWithContentType(Registry.OPENMETRICS_CONTENT_TYPE),
};

/**
 * Renders the shim's stores and every metric of `sources` in one exposition. A metric name seen twice
 * (the app merged a registry that also collects default metrics) is written once, first source wins.
 * A metric whose collector throws is left out with a warning; the rest of the scrape still succeeds.
 */
export async function renderExposition(
  format: ExpositionFormat,
  stores: readonly HistogramStore[],
  sources: readonly MetricSource[],
): Promise<string> {
  const openMetrics = format === 'openmetrics';
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const store of stores) {
    seen.add(store.name);
    // A family without samples (the operation histogram of an HTTP service that never calls measure())
    // says nothing; leaving it out keeps the scrape small.
    if (store.size > 0) parts.push(store.render(openMetrics));
  }
  const formatter = formatters[format];
  const pending: Array<Promise<string | undefined>> = [];
  for (const source of sources) {
    for (const metric of source.getMetricsAsArray() as readonly MetricLike[]) {
      if (seen.has(metric.name)) {
        if (!stores.some((s) => s === metric)) {
          warnOnce('duplicate-metric', `golden-signals: metric ${metric.name} is registered twice (shim registry and an app registry); exposing the first`);
        }
        continue;
      }
      seen.add(metric.name);
      pending.push(
        formatter.getMetricsAsString(openMetrics ? openMetricsView(metric) : metric).catch((error: unknown) => {
          warnOnce('render', `golden-signals: collecting ${metric.name} failed and it was left out of the scrape: ${describe(error)}`);
          return undefined;
        }),
      );
    }
  }
  for (const text of await Promise.all(pending)) if (text !== undefined) parts.push(text);
  return openMetrics ? `${parts.join('\n')}\n# EOF\n` : `${parts.join('\n\n')}\n`;
}

/** What the endpoint serves. */
export type RenderFn = (format: ExpositionFormat) => Promise<string>;

/** Whether an `Accept-Encoding` header takes gzip (Prometheus sends `gzip` on every scrape). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((entry) => {
    const [coding, ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * A request handler for the metrics path: GET/HEAD with content negotiation and gzip when the scraper takes
 * it; 404 elsewhere. Never throws: a failed render answers 500 and warns once.
 *
 * Scrapes that arrive while a rendering is in progress (two Prometheus replicas, a flood of curls) share it,
 * and its compression, per format: a scrape at the series cap is megabytes, and fifty concurrent renderings
 * cost fifty times the CPU of one. A scrape that arrives after it renders afresh, so every scrape shows the
 * state at or after its arrival.
 */
export function metricsHandler(path: string, render: RenderFn): http.RequestListener {
  const rendering = new Map<string, Promise<Buffer>>();
  const body = (format: ExpositionFormat, gzip: boolean): Promise<Buffer> => {
    const key = `${format}${gzip ? '+gzip' : ''}`;
    let pending = rendering.get(key);
    if (pending === undefined) {
      pending = (gzip ? body(format, false).then(gzipped) : render(format).then((text) => Buffer.from(text, 'utf8'))).finally(() => rendering.delete(key));
      rendering.set(key, pending);
    }
    return pending;
  };
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const requested = q === -1 ? url : url.slice(0, q);
    if (requested !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const format = negotiate(req.headers.accept);
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    body(format, gzip).then(
      (bytes) => {
        res.writeHead(200, { 'Content-Type': CONTENT_TYPE[format], 'Content-Length': bytes.length, ...(gzip ? { 'Content-Encoding': 'gzip' } : {}), Vary: 'Accept, Accept-Encoding' });
        res.end(req.method === 'HEAD' ? undefined : bytes);
      },
      (error: unknown) => {
        warnOnce('render', `golden-signals: rendering metrics failed: ${describe(error)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('metrics rendering failed\n');
      },
    );
  };
}

function gzipped(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.gzip(bytes, (error, result) => (error ? reject(error) : resolve(result))));
}

/**
 * The metrics server on its own port, separate from the app's so that app middleware (auth, rate limits)
 * never sits in front of the scrape and the ServiceMonitor can select the port by name.
 */
export class MetricsServer {
  private server: http.Server | undefined;

  constructor(
    private readonly handler: http.RequestListener,
    private readonly port: number,
    private readonly host: string | undefined,
  ) {}

  /** The bound port, once listening. */
  get boundPort(): number | undefined {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  /**
   * Starts listening. Resolves with the bound port, or undefined when the port cannot be bound (warned
   * once: the app keeps serving, only the scrape fails, which the `up` / absent alerts report).
   */
  listen(): Promise<number | undefined> {
    if (this.server !== undefined) return Promise.resolve(this.boundPort);
    return new Promise((resolve) => {
      const server = http.createServer(this.handler);
      server.on('error', (error: NodeJS.ErrnoException) => {
        warnOnce('metrics-port', `golden-signals: cannot serve metrics on port ${this.port}: ${error.code ?? describe(error)}; the app keeps running without a metrics endpoint`);
        if (this.server === server) this.server = undefined;
        server.close();
        resolve(undefined);
      });
      // The scrape must never keep the process alive on its own.
      server.unref();
      this.server = server;
      server.listen(this.port, this.host, () => resolve(this.boundPort));
    });
  }

  /** Stops listening and drops open scrape connections. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
