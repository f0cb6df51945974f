/**
 * The hot path: a fixed-array histogram store with a cardinality guard.
 *
 * Why not prom-client's Histogram or the OTel SDK: on the 2-vCPU test machine one observation with three
 * labels costs ~550 ns in prom-client 15 (70% of it its float-keyed bucket object) and ~1,100 ns in OTel
 * sdk-metrics (80% hashing the attribute set with JSON.stringify), against ~60 ns for nested Maps ending in
 * a Float64Array (measured: BENCHMARKS.md). The store still
 * looks like a prom-client metric (`name`, `help`, `type`, `get()`), so it can be registered in any
 * prom-client Registry and merged with the app's; the shim's own endpoint renders it directly with cached
 * label strings, which is several times faster than prom-client's generic formatter (BENCHMARKS.md).
 *
 * A series is keyed by three dimensions chosen so that no label object is built per observation:
 * `a`, a small integer (the HTTP method's index, or the outcome); `b`, a string or undefined (the route
 * template or the operation; undefined means "label absent"); `c`, a small integer (the status code, 0 for
 * "label absent").
 */

import { LABEL } from '../signals/contract';

/** A sampled trace to attach to an observation as an OpenMetrics exemplar. */
export interface TraceRef {
  readonly traceId: string;
  readonly spanId: string;
}

/** How one store turns its three dimensions into Prometheus labels. */
export interface LabelScheme {
  /** Label pairs of a series, in exposition order; `undefined` values are left out. */
  labels(a: number, b: string | undefined, c: number): ReadonlyArray<readonly [string, string | undefined]>;
}

/** Store configuration. */
export interface HistogramStoreProps {
  /** Metric family name without suffix (from `METRIC`). */
  readonly name: string;
  readonly help: string;
  /** Ascending bucket upper bounds in seconds, without +Inf. */
  readonly bounds: readonly number[];
  /** Number of distinct values of dimension `a`. */
  readonly aSize: number;
  readonly scheme: LabelScheme;
  /** Most series the store holds, overflow included (OTel SDK's default cardinality limit is 2,000). */
  readonly maxSeries: number;
  /** Longest `b` value kept; longer ones are cut, so a long path cannot make a long label. */
  readonly maxLabelLength: number;
  /** The value `b` folds into past the cap. */
  readonly overflowValue: string;
  /** Called once per observation folded into {@link overflowValue}. */
  readonly onOverflow: () => void;
  /** Called once per observation dropped because even the overflow room is full. */
  readonly onFull: () => void;
  /** Shortest time between two exemplars of the same bucket of one series, in ms. */
  readonly exemplarIntervalMs: number;
}

interface Exemplar {
  traceId: string;
  spanId: string;
  value: number;
  timestampMs: number;
}

/** One histogram series: per-bucket counts (not cumulative), then +Inf, sum and count. */
interface Series {
  readonly values: Float64Array;
  /** Escaped `name="value",...` pairs, built once. */
  readonly labelText: string;
  readonly labels: Readonly<Record<string, string>>;
  exemplars: Array<Exemplar | undefined> | undefined;
}

/** A prom-client-compatible metric value (what `Registry.getMetricsAsString` formats). */
export interface MetricValue {
  readonly metricName: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly exemplar?: { labelSet: Record<string, string>; value: number; timestamp: number };
}

/** Escapes a label value for the text and OpenMetrics formats (backslash, quote, newline). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

const LE_OPEN = `${LABEL.le}="`;

/** How prom-client writes a sample value, so both renderers agree byte for byte. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * A histogram with three-dimensional keys, fixed buckets and a hard cap on series.
 *
 * @example
 * const store = new HistogramStore({ name: METRIC.httpDuration, help: '…', bounds: histogramBuckets(def), … });
 * store.observe(methodIndex, '/orders/:id', 200, 0.012);
 * registry.registerMetric(store); // prom-client renders it too
 */
export class HistogramStore {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly leText: readonly string[];
  private readonly index: Array<Map<string | undefined, Map<number, Series>>>;
  private readonly ordinaryLimit: number;
  private count = 0;

  constructor(private readonly props: HistogramStoreProps) {
    this.name = props.name;
    this.help = props.help;
    this.bounds = Float64Array.from(props.bounds);
    this.leText = [...props.bounds.map(formatValue), '+Inf'];
    this.index = Array.from({ length: props.aSize }, () => new Map());
    // Keep room for the _OTHER series themselves, so the total never exceeds the cap: 5% of it, at least 1
    // and at most 100 (one per method × error/success status is plenty in practice).
    const reserve = Math.max(1, Math.min(100, Math.floor(props.maxSeries * 0.05)));
    this.ordinaryLimit = Math.max(0, props.maxSeries - reserve);
  }

  /** Number of series held. */
  get size(): number {
    return this.count;
  }

  /**
   * Records one observation in seconds. The caller has validated `seconds` (finite, ≥ 0) and `c`.
   * Cost: two Map lookups, a linear bucket scan and three typed-array writes.
   */
  observe(a: number, b: string | undefined, c: number, seconds: number, trace?: TraceRef): void {
    if (b !== undefined && b.length > this.props.maxLabelLength) b = b.slice(0, this.props.maxLabelLength);
    const byStatus = this.index[a].get(b);
    const series = (byStatus !== undefined && byStatus.get(c)) || this.admit(a, b, c);
    if (series === undefined) return;
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    while (i < n && seconds > bounds[i]) i++;
    const v = series.values;
    v[i]++;
    v[n + 1] += seconds;
    v[n + 2]++;
    if (trace !== undefined) this.exemplar(series, i, seconds, trace);
  }

  /** Creates a series at zero (what `rate()` needs to see the first increment). */
  zero(a: number, b: string | undefined, c: number): void {
    if (b !== undefined && b.length > this.props.maxLabelLength) b = b.slice(0, this.props.maxLabelLength);
    if (this.index[a].get(b)?.get(c) === undefined) this.admit(a, b, c);
  }

  private admit(a: number, b: string | undefined, c: number): Series | undefined {
    if (this.count < this.ordinaryLimit || b === this.props.overflowValue) {
      return this.count < this.props.maxSeries ? this.create(a, b, c) : this.full();
    }
    this.props.onOverflow();
    const other = this.index[a].get(this.props.overflowValue)?.get(c);
    if (other !== undefined) return other;
    return this.count < this.props.maxSeries ? this.create(a, this.props.overflowValue, c) : this.full();
  }

  private full(): undefined {
    this.props.onFull();
    return undefined;
  }

  private create(a: number, b: string | undefined, c: number): Series {
    const pairs = this.props.scheme.labels(a, b, c).filter((p): p is readonly [string, string] => p[1] !== undefined);
    const series: Series = {
      values: new Float64Array(this.bounds.length + 3),
      labelText: pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(','),
      labels: Object.fromEntries(pairs),
      exemplars: undefined,
    };
    let byStatus = this.index[a].get(b);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.index[a].set(b, byStatus);
    }
    byStatus.set(c, series);
    this.count++;
    return series;
  }

  private exemplar(series: Series, bucket: number, value: number, trace: TraceRef): void {
    const now = Date.now();
    const list = (series.exemplars ??= new Array(this.bounds.length + 1).fill(undefined));
    const previous = list[bucket];
    // One exemplar per bucket, refreshed at most every exemplarIntervalMs: Prometheus keeps one per bucket
    // per scrape anyway (OTel spec, "Exemplars" in prometheus_and_openmetrics.md).
    if (previous !== undefined && now - previous.timestampMs < this.props.exemplarIntervalMs) return;
    list[bucket] = { traceId: trace.traceId, spanId: trace.spanId, value, timestampMs: now };
  }

  private *allSeries(): Iterable<Series> {
    for (const byRoute of this.index) for (const byStatus of byRoute.values()) yield* byStatus.values();
  }

  /**
   * Renders the family in the Prometheus text format, or OpenMetrics (with exemplars) when `openMetrics`.
   * No trailing newline; no `# EOF`.
   */
  render(openMetrics: boolean): string {
    const name = this.name;
    const out: string[] = [`# HELP ${name} ${this.help}`, `# TYPE ${name} histogram`];
    const n = this.bounds.length;
    const le = this.leText;
    const bucketName = `${name}_bucket{`;
    for (const s of this.allSeries()) {
      const v = s.values;
      const sep = s.labelText === '' ? '' : ',';
      const head = bucketName + s.labelText + sep + LE_OPEN;
      const ex = openMetrics ? s.exemplars : undefined;
      let cumulative = 0;
      for (let i = 0; i <= n; i++) {
        cumulative += v[i];
        let line = head + le[i] + '"} ' + cumulative;
        const e = ex?.[i];
        if (e !== undefined) line += ` # {${LABEL.traceId}="${e.traceId}",${LABEL.spanId}="${e.spanId}"} ${formatValue(e.value)} ${e.timestampMs / 1000}`;
        out.push(line);
      }
      const labels = s.labelText === '' ? '' : `{${s.labelText}}`;
      out.push(`${name}_sum${labels} ${formatValue(v[n + 1])}`, `${name}_count${labels} ${v[n + 2]}`);
    }
    return out.join('\n');
  }

  /** prom-client's metric interface, so the store can live in (and be merged from) any prom-client Registry. */
  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValue[] } {
    const values: MetricValue[] = [];
    const n = this.bounds.length;
    for (const s of this.allSeries()) {
      const v = s.values;
      let cumulative = 0;
      for (let i = 0; i <= n; i++) {
        cumulative += v[i];
        const e = s.exemplars?.[i];
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { ...s.labels, [LABEL.le]: i < n ? this.bounds[i] : '+Inf' },
          value: cumulative,
          ...(e === undefined ? {} : { exemplar: { labelSet: { [LABEL.traceId]: e.traceId, [LABEL.spanId]: e.spanId }, value: e.value, timestamp: e.timestampMs / 1000 } }),
        });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: v[n + 1] });
      values.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: v[n + 2] });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  /** prom-client calls this on `Registry.resetMetrics()`. */
  reset(): void {
    for (const s of this.allSeries()) {
      s.values.fill(0);
      s.exemplars = undefined;
    }
  }
}
