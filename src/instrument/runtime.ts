/**
 * Saturation series the hot path touches or prom-client lacks: in-flight requests and event-loop
 * utilization. Both are prom-client-shaped metric objects (`get()`), rendered by prom-client.
 */
import { performance } from 'node:perf_hooks';
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
