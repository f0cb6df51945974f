/**
 * Saturation series the hot path touches or prom-client lacks or gets wrong: in-flight requests, event-loop
 * utilization and event-loop delay. All are prom-client-shaped metric objects (`get()`), rendered by
 * prom-client.
 */
import { IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { EVENT_LOOP_STATE, KNOWN_HTTP_METHODS, LABEL, METRIC, OTHER } from '../signals/contract';

/** Index of each known method; anything else is {@link OTHER_METHOD} (OTel semconv `http.request.method`). */
const METHOD_INDEX: ReadonlyMap<string, number> = new Map(KNOWN_HTTP_METHODS.map((m, i) => [m, i]));
/** Index of `_OTHER` in {@link METHOD_LABELS}. */
export const OTHER_METHOD = KNOWN_HTTP_METHODS.length;
/** `http_request_method` value of each method index. */
export const METHOD_LABELS: readonly string[] = [...KNOWN_HTTP_METHODS, OTHER];

/**
 * Method index for a request method. Case-sensitive, as semconv requires (`get` is not `GET`): a
 * client-chosen method must not become a label value of its own.
 */
export function methodIndex(method: string | undefined): number {
  // Most requests are GETs, and node:http's parser hands out its own interned method strings, so this
  // comparison is a pointer check where the Map lookup hashes.
  if (method === 'GET') return GET_METHOD;
  const index = method === undefined ? undefined : METHOD_INDEX.get(method);
  return index ?? OTHER_METHOD;
}
const GET_METHOD = KNOWN_HTTP_METHODS.indexOf('GET');

/**
 * `http_server_active_requests` by method: an Int32Array bumped on request start and end, so the hot
 * path pays two array writes instead of prom-client's `Gauge.inc(labels)` (hash + object lookup).
 */
export class ActiveRequests {
  readonly name = METRIC.httpActiveRequests;
  readonly help = 'Number of active HTTP server requests (OTel http.server.active_requests).';
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  private readonly counts = new Int32Array(METHOD_LABELS.length);
  private readonly seen = new Uint8Array(METHOD_LABELS.length);

  constructor(alwaysShown: readonly number[]) {
    for (const i of alwaysShown) this.seen[i] = 1;
  }

  inc(method: number): void {
    this.counts[method]++;
    this.seen[method] = 1;
  }

  dec(method: number): void {
    this.counts[method]--;
  }

  get(): { name: string; help: string; type: 'gauge'; aggregator: 'sum'; values: Array<{ labels: Record<string, string>; value: number }> } {
    const values: Array<{ labels: Record<string, string>; value: number }> = [];
    this.seen.forEach((seen, i) => {
      if (seen) values.push({ labels: { [LABEL.method]: METHOD_LABELS[i] }, value: this.counts[i] });
    });
    return { name: this.name, help: this.help, type: 'gauge', aggregator: 'sum', values };
  }

  reset(): void {
    // A gauge of live requests has nothing to reset: zeroing it would make the next decrements negative.
  }
}

/**
 * `nodejs_eventloop_time_seconds_total{nodejs_eventloop_state}`: the cumulative active and idle time of the
 * event loop (OTel semconv `nodejs.eventloop.time`). A counter, so `rate(active) / rate(active + idle)` is
 * the utilization over any window and several scrapers do not disturb each other — unlike prom-client's
 * lag gauges, which reset on every collect (prometheus/client_js#459) and measure the previous scrape
 * (#561). Read at scrape time from `performance.eventLoopUtilization()`, so it costs nothing per request.
 */
export class EventLoopTime {
  readonly name = METRIC.eventLoopTime;
  readonly help = 'Cumulative duration of time the event loop has been in each state (OTel nodejs.eventloop.time).';
  readonly type = 'counter';
  readonly aggregator = 'sum';

  get(): { name: string; help: string; type: 'counter'; aggregator: 'sum'; values: Array<{ labels: Record<string, string>; value: number }> } {
    const elu = performance.eventLoopUtilization();
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      aggregator: 'sum',
      values: [
        { labels: { [LABEL.eventLoopState]: EVENT_LOOP_STATE.active }, value: elu.active / 1000 },
        { labels: { [LABEL.eventLoopState]: EVENT_LOOP_STATE.idle }, value: elu.idle / 1000 },
      ],
    };
  }

  reset(): void {
    // Cumulative since process start by definition; rate() handles the restart.
  }
}

/** A gauge as prom-client's `get()` returns it. */
interface GaugeValue {
  name: string;
  help: string;
  type: 'gauge';
  aggregator: 'average' | 'min' | 'max';
  values: Array<{ labels: Record<string, string>; value: number }>;
}

/** A prom-client-shaped gauge whose value is read at scrape time. */
interface ReadGauge {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  readonly aggregator: GaugeValue['aggregator'];
  get(): GaugeValue;
  reset(): void;
}

/** Statistics of the event-loop delay histogram, in seconds. */
type DelayStatistics = Readonly<Record<'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90' | 'p99', number>>;

/**
 * The event-loop delay gauges of prom-client's default metrics — same names, help, type and aggregator
 * (prom-client lib/metrics/eventLoopLag.js), so dashboards and the `nodejs_eventloop_lag_p99_seconds` rules
 * read them unchanged — without its reset-on-read defect.
 *
 * prom-client reads a `monitorEventLoopDelay` histogram (10 ms resolution) and resets it on every collect.
 * A collect within 10 ms of the previous one — the second of two Prometheus replicas, a scrape in each
 * format, a curl beside Prometheus — finds it empty: mean and stddev NaN, min 9.2e9 s, max 0, percentiles
 * 0.5 µs (Node's empty-histogram values). Issue 18 measured NaN in 49 of 50 overlapping scrapes.
 *
 * Here the histogram is reset only by a read that found samples, and a read that finds none reports what
 * the last one found: every scrape shows the delays since the previous scrape that saw any, never an empty
 * window. Scrapes a second or more apart each see their own second, as with prom-client. Keeping the last
 * values for a fixed time instead would show a stale second to a scraper that scrapes every second.
 *
 * `nodejs_eventloop_lag_seconds` is measured as prom-client does it — how long a `setImmediate` queued at a
 * scrape waits, reported at the next scrape — with at most one measurement in flight, however many scrapes
 * overlap.
 */
export class EventLoopDelay {
  readonly gauges: readonly ReadGauge[];
  private readonly histogram: IntervalHistogram | undefined;
  private last: DelayStatistics | undefined;
  private lag = 0;
  private measuring = false;

  /** @param resolutionMs sampling interval of the histogram; prom-client's default, 10 ms. */
  constructor(resolutionMs = 10) {
    let histogram: IntervalHistogram | undefined;
    try {
      histogram = monitorEventLoopDelay({ resolution: resolutionMs });
      histogram.enable();
    } catch {
      // ERR_NOT_IMPLEMENTED outside Node (Bun); prom-client then leaves these gauges out too.
      histogram = undefined;
    }
    this.histogram = histogram;
    const gauge = (name: string, help: string, aggregator: GaugeValue['aggregator'], value: () => number | undefined): ReadGauge => ({
      name,
      help,
      type: 'gauge',
      aggregator,
      get: () => {
        const v = value();
        return { name, help, type: 'gauge', aggregator, values: v === undefined ? [] : [{ labels: {}, value: v }] };
      },
      reset: () => undefined,
    });
    const stat = (key: keyof DelayStatistics) => () => this.read()?.[key];
    this.gauges = [
      gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', 'average', () => this.measureLag()),
      ...(histogram === undefined
        ? []
        : [
            gauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 'min', stat('min')),
            gauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 'max', stat('max')),
            gauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 'average', stat('mean')),
            gauge('nodejs_eventloop_lag_stddev_seconds', 'The standard deviation of the recorded event loop delays.', 'average', stat('stddev')),
            gauge('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 'average', stat('p50')),
            gauge('nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 'average', stat('p90')),
            gauge(METRIC.eventLoopDelayP99, 'The 99th percentile of the recorded event loop delays.', 'average', stat('p99')),
          ]),
    ];
  }

  /**
   * The statistics since the last read that found samples; undefined until the histogram has any (its first
   * sample comes one resolution after start). The gauges of one scrape are read in one synchronous pass, so
   * the first takes the snapshot and the others see the same one.
   */
  private read(): DelayStatistics | undefined {
    const h = this.histogram;
    if (h !== undefined && h.count > 0) {
      this.last = {
        min: h.min / 1e9,
        max: h.max / 1e9,
        mean: h.mean / 1e9,
        stddev: h.stddev / 1e9,
        p50: h.percentile(50) / 1e9,
        p90: h.percentile(90) / 1e9,
        p99: h.percentile(99) / 1e9,
      };
      h.reset();
    }
    return this.last;
  }

  private measureLag(): number {
    if (!this.measuring) {
      this.measuring = true;
      const start = process.hrtime.bigint();
      setImmediate(() => {
        this.lag = Number(process.hrtime.bigint() - start) / 1e9;
        this.measuring = false;
      });
    }
    return this.lag;
  }
}

/**
 * prom-client's default metrics, with {@link EventLoopDelay} in place of its event-loop lag gauges. Its
 * collector cannot be left out (`collectDefaultMetrics` has no such option), so its histogram gets a
 * resolution of 2^31-1 ms (about 25 days, the most a timer takes) — it costs nothing — and its gauges are
 * removed from the registry before ours take their names.
 */
export function collectRuntimeMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: IDLE_RESOLUTION_MS });
  const delay = new EventLoopDelay();
  for (const gauge of EVENT_LOOP_LAG_NAMES) registry.removeSingleMetric(gauge);
  for (const gauge of delay.gauges) registry.registerMetric(gauge as never);
}

const IDLE_RESOLUTION_MS = 2 ** 31 - 1;
/** Every gauge prom-client's event-loop lag collector registers. */
const EVENT_LOOP_LAG_NAMES = ['', '_min', '_max', '_mean', '_stddev', '_p50', '_p90', '_p99'].map((suffix) => `nodejs_eventloop_lag${suffix}_seconds`);
