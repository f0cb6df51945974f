/**
 * The series a fleet of services exposes, as deterministic functions of time: what the rule-evaluation benchmark
 * backfills into a TSDB (30 days) and then serves live to the Prometheus under test (the scrape that keeps "now"
 * fresh while the rules run).
 *
 * Per HTTP service (labels as the generated ServiceMonitor leaves them: job = service name, namespace, service, pod,
 * instance, container):
 * - `http_server_request_duration_seconds_{bucket,count,sum}` by route (4–6 of them), method (GET on every route,
 *   POST on about half) and status code (GET 200/404/500, POST 201/400/500, plus 429 where the service counts it
 *   as an error), on 2–10 pods. Buckets are the ones the definition implies (OTel boundaries plus the latency
 *   threshold). Traffic follows a daily cycle with minute-to-minute noise; 5xx are 0.3% of requests plus a
 *   30-minute incident (5% errors) every 3–4 days; a fixed share of requests is slower than each bucket bound.
 * - Workers: `golden_signals_operation_duration_seconds_*` by operation (3) and outcome.
 * - The runtime and cluster series the saturation and meta alerts read: event-loop time, lag p99, active
 *   requests, `up`, cAdvisor CPU and memory, kube-state-metrics requests and limits, HPA replicas and targets.
 *
 * History resolution, and why: every series the rules of any generator read over a window longer than 5 minutes
 * (`_count`, the `_bucket` at each latency threshold, and the recorded series each generator reads back) has a
 * sample every minute for the whole history. Every other series (the other buckets, `_sum`, runtime and cluster
 * series) is in every block too, so the index holds the fleet's real label cardinality, but with one sample every
 * 30 minutes: no rule reads them over more than 5m, and the live scrape gives them their real resolution for the
 * minutes the rules run. That keeps a 100-service backfill under a billion samples.
 */
import type { ServiceModel, SloModel } from '../../../src/model/types';
import { CLUSTER_METRIC, EVENT_LOOP_STATE, LABEL, METRIC, OUTCOME } from '../../../src/signals/contract';
import { exact } from '../../../src/signals/promql';
import { durationHistogram } from '../../../src/signals/queries';
import { RECORD } from '../../../src/signals/recorded';
import type { Labels, SeriesSource } from './tsdb';

const MINUTE = 60_000;
/** Resolution of the history of series the rules read over long windows (a 1m scrape). */
export const FULL_STEP_MS = MINUTE;
/** Resolution of the history of every other series (present in the index, never read over a window). */
export const SPARSE_STEP_MS = 30 * MINUTE;

/** A deterministic hash of two integers into [0, 1). */
function hash01(a: number, b: number): number {
  let x = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  x = Math.imul(x, 0x297a2d39);
  x ^= x >>> 15;
  return (x >>> 0) / 4294967296;
}

/** Amplitude of the daily cycle (±50% of the mean) integrated: the counter's cosine term. */
const DAILY = (0.5 * 1440) / (2 * Math.PI);
/** Minute-to-minute noise (±40% of the mean rate), interpolated so the counter stays monotonic at any time. */
const NOISE = 0.4;

/**
 * Events up to minute `m` (fractional) of a counter whose mean rate is 1 per minute: a daily cycle between 50% and
 * 150% of the mean, plus noise. Its derivative is at least 1 − 0.5 − 0.4 > 0, so the counter never decreases.
 */
function cumulative(m: number, seed: number): number {
  const k = Math.floor(m);
  const f = m - k;
  const h = hash01(seed, k) * (1 - f) + hash01(seed, k + 1) * f;
  return m - DAILY * Math.cos((2 * Math.PI * m) / 1440) + NOISE * h + DAILY;
}

/** Rate per minute (mean 1) at minute m, without the noise: what the recorded 5m rates are backfilled with. */
function rateShape(m: number): number {
  return 1 + 0.5 * Math.sin((2 * Math.PI * m) / 1440);
}

/** Incident minutes up to minute m of a schedule: `length` minutes every `period`, starting at `phase`. */
function incidentMinutes(m: number, period: number, phase: number, length: number): number {
  const whole = Math.floor(m / period);
  const inPeriod = m - whole * period - phase;
  return whole * length + Math.min(Math.max(inPeriod, 0), length);
}

/** Share of requests slower than `le` seconds: a heavy-tailed latency with a median of about 10 ms. */
function slowerThan(le: number): number {
  return Math.min(1, Math.pow(0.01 / le, 1.5));
}

interface Combo {
  /** Labels of the histogram series without `__name__` and `le`. */
  readonly labels: Record<string, string>;
  /** Mean requests per minute. */
  readonly perMinute: number;
  readonly seed: number;
  /** Incident schedule (minutes) and extra requests per minute during it; zero when none. */
  readonly incident: { period: number; phase: number; length: number; perMinute: number };
  readonly error: boolean;
}

function comboCount(c: Combo, m: number): number {
  const inc = c.incident.perMinute > 0 ? c.incident.perMinute * incidentMinutes(m, c.incident.period, c.incident.phase, c.incident.length) : 0;
  return c.perMinute * cumulative(m, c.seed) + inc;
}

function sortLabels(o: Record<string, string>): Labels {
  return Object.entries(o).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Every series of the fleet, in three groups: raw series (backfilled and scraped) and the series each generator records. */
export interface FleetSeries {
  readonly raw: SeriesSource[];
  /** Recorded series our rules read back over long windows, backfilled so the 30d windows hold 30 days. */
  readonly ours: SeriesSource[];
  /** Sloth's recorded 5m ratio, which its 30d rule averages. */
  readonly sloth: SeriesSource[];
}

/** Inputs of one service's series that the recorded series are derived from. */
interface ServiceTotals {
  perMinute: number;
  errorsPerMinute: number;
  incident: Combo['incident'];
  /** Slow requests per minute per latency threshold. */
  slowPerMinute: Map<number, number>;
}

/**
 * All series of the fleet, starting at `originMs` (the backfill's first minute). `le` values are written as
 * Prometheus 2 writes them (`1`, not `1.0`).
 */
export function fleetSeries(models: readonly ServiceModel[], originMs: number): FleetSeries {
  const raw: SeriesSource[] = [];
  const ours: SeriesSource[] = [];
  const sloth: SeriesSource[] = [];
  const minute = (t: number) => (t - originMs) / MINUTE;

  models.forEach((model, i) => {
    const pods = 2 + (i % 9); // 2–10 pods
    const hist = durationHistogram(model.kind);
    const thresholds = model.slos.filter((s) => s.kind === 'latency').map((s) => s.thresholdSeconds!);
    const errorRe = new RegExp(`^(?:${model.scope.errorStatusRegex})$`);
    const perPodRps = (model.capacity.requestsPerSecond ?? 40) * 0.3;
    const incident = { period: 3 * 1440 + (i % 7) * 240, phase: (i * 37) % 1440, length: 30, perMinute: 0 };
    const totals: ServiceTotals = { perMinute: 0, errorsPerMinute: 0, incident: { ...incident }, slowPerMinute: new Map() };
    const combos: Combo[] = [];
    const target = (pod: number) => ({
      container: model.scope.container,
      instance: `10.${i % 250}.${pod}.${(i * 7) % 250}:${model.metrics.port}`,
      job: model.name,
      namespace: model.namespace,
      pod: `${model.name}-7c9f${(i % 97).toString(16)}-${pod}`,
      service: model.name,
    });

    for (let p = 0; p < pods; p++) {
      if (model.kind === 'http') {
        const routes = [...model.routes];
        for (let k = 0; routes.length < 4 + (i % 3); k++) routes.push(`/api/r${k}`);
        const perRoute = (perPodRps * 60) / routes.length;
        routes.forEach((route, r) => {
          const methods: Array<[string, Array<[string, number]>]> = [['GET', [['200', 0.95], ['404', 0.047], ['500', 0.003]]]];
          if (r % 2 === 0) methods.push(['POST', [['201', 0.96], ['400', 0.03], ['429', 0.007], ['500', 0.003]]]);
          for (const [method, codes] of methods) {
            const share = method === 'GET' ? 0.8 : 0.2;
            for (const [code, codeShare] of codes) {
              const error = errorRe.test(code);
              const perMinute = perRoute * share * codeShare;
              // The incident: 5% of the route's requests fail on top, split over its error series.
              const inc = error && code === '500' ? { ...incident, perMinute: perRoute * share * 0.05 } : { ...incident, perMinute: 0 };
              combos.push({
                labels: { ...target(p), [LABEL.method]: method, [LABEL.statusCode]: code, [LABEL.route]: route },
                perMinute,
                seed: i * 100_003 + p * 1009 + r * 31 + codes.length + Number(code),
                incident: inc,
                error,
              });
            }
          }
        });
      } else {
        for (const [o, operation] of ['consume', 'send', 'retry'].entries()) {
          const perOp = (perPodRps * 60) / 3;
          for (const [outcome, share] of [
            [OUTCOME.success, 0.995],
            [OUTCOME.error, 0.005],
          ] as const) {
            const error = outcome === OUTCOME.error;
            combos.push({
              labels: { ...target(p), [LABEL.operation]: operation, [LABEL.outcome]: outcome },
              perMinute: perOp * share,
              seed: i * 100_003 + p * 1009 + o * 31 + (error ? 1 : 0),
              incident: error ? { ...incident, perMinute: perOp * 0.05 } : { ...incident, perMinute: 0 },
              error,
            });
          }
        }
      }

      // Runtime and cluster series of the pod (sparse history).
      const t = target(p);
      const gauge = (labels: Record<string, string>, v: (m: number) => number): SeriesSource => ({
        labels: sortLabels(labels),
        stepMs: SPARSE_STEP_MS,
        fromMs: originMs,
        value: (tm) => v(minute(tm)),
      });
      const seed = i * 7919 + p;
      raw.push(
        gauge({ __name__: CLUSTER_METRIC.up, ...t }, () => 1),
        gauge({ __name__: METRIC.eventLoopTime, ...t, [LABEL.eventLoopState]: EVENT_LOOP_STATE.active }, (m) => 12 * cumulative(m, seed)),
        gauge({ __name__: METRIC.eventLoopTime, ...t, [LABEL.eventLoopState]: EVENT_LOOP_STATE.idle }, (m) => 48 * cumulative(m, seed + 1)),
        gauge({ __name__: METRIC.eventLoopDelayP99, ...t }, (m) => 0.011 + 0.004 * hash01(seed, Math.floor(m))),
      );
      if (model.kind === 'http') {
        raw.push(gauge({ __name__: METRIC.httpActiveRequests, ...t, [LABEL.method]: 'GET' }, (m) => Math.floor(6 * hash01(seed + 2, Math.floor(m)))));
        raw.push(gauge({ __name__: METRIC.httpActiveRequests, ...t, [LABEL.method]: 'POST' }, (m) => Math.floor(2 * hash01(seed + 3, Math.floor(m)))));
      }
      const node = `node-${(i + p) % 40}`;
      const cadvisor = { container: model.scope.container, instance: `${node}:10250`, job: 'kubelet', namespace: model.namespace, node, pod: t.pod, service: 'kubelet' };
      const ksm = { container: model.scope.container, instance: '10.0.0.9:8080', job: 'kube-state-metrics', namespace: model.namespace, pod: t.pod, service: 'kube-state-metrics' };
      raw.push(
        gauge({ __name__: CLUSTER_METRIC.containerCpu, ...cadvisor }, (m) => 18 * cumulative(m, seed + 4)),
        gauge({ __name__: CLUSTER_METRIC.containerMemoryWorkingSet, ...cadvisor }, (m) => 2.1e8 + 3e7 * hash01(seed + 5, Math.floor(m))),
        gauge({ __name__: CLUSTER_METRIC.resourceRequests, ...ksm, resource: 'cpu', unit: 'core' }, () => 0.5),
        gauge({ __name__: CLUSTER_METRIC.resourceRequests, ...ksm, resource: 'memory', unit: 'byte' }, () => 268435456),
        gauge({ __name__: CLUSTER_METRIC.resourceLimits, ...ksm, resource: 'cpu', unit: 'core' }, () => 1),
        gauge({ __name__: CLUSTER_METRIC.resourceLimits, ...ksm, resource: 'memory', unit: 'byte' }, () => 536870912),
      );
    }
    if (model.scaling) {
      const hpa = { horizontalpodautoscaler: model.scaling.autoscalerName, instance: '10.0.0.9:8080', job: 'kube-state-metrics', namespace: model.namespace, service: 'kube-state-metrics' };
      const g = (labels: Record<string, string>, v: number): SeriesSource => ({ labels: sortLabels(labels), stepMs: SPARSE_STEP_MS, fromMs: originMs, value: () => v });
      raw.push(
        g({ __name__: CLUSTER_METRIC.hpaCurrentReplicas, ...hpa }, pods),
        g({ __name__: CLUSTER_METRIC.hpaMaxReplicas, ...hpa }, model.scaling.maxReplicas),
        g({ __name__: CLUSTER_METRIC.hpaSpecTarget, ...hpa, metric_name: 'requests_per_second', metric_target_type: 'average' }, 100),
        g({ __name__: CLUSTER_METRIC.hpaStatusTarget, ...hpa, metric_name: 'requests_per_second', metric_target_type: 'average' }, 40),
      );
    }

    // Histogram series of every combo: `_count` and the threshold buckets at full resolution, the rest sparse.
    const bounds = [...model.buckets.map((b) => exact(b)), '+Inf'];
    for (const c of combos) {
      totals.perMinute += c.perMinute;
      if (c.error) {
        totals.errorsPerMinute += c.perMinute;
        totals.incident.perMinute += c.incident.perMinute;
      }
      for (const th of thresholds) totals.slowPerMinute.set(th, (totals.slowPerMinute.get(th) ?? 0) + c.perMinute * slowerThan(th));
      raw.push({ labels: sortLabels({ __name__: `${hist}_count`, ...c.labels }), stepMs: FULL_STEP_MS, fromMs: originMs, value: (t) => Math.floor(comboCount(c, minute(t))) });
      raw.push({ labels: sortLabels({ __name__: `${hist}_sum`, ...c.labels }), stepMs: SPARSE_STEP_MS, fromMs: originMs, value: (t) => comboCount(c, minute(t)) * 0.031 });
      bounds.forEach((le, b) => {
        const within = le === '+Inf' ? 1 : 1 - slowerThan(model.buckets[b]);
        const full = le !== '+Inf' && thresholds.includes(model.buckets[b]);
        raw.push({
          labels: sortLabels({ __name__: `${hist}_bucket`, ...c.labels, [LABEL.le]: le }),
          stepMs: full ? FULL_STEP_MS : SPARSE_STEP_MS,
          fromMs: originMs,
          value: (t) => Math.floor(comboCount(c, minute(t)) * within),
        });
      });
    }

    // Recorded series, per second, as the rules would have recorded them every minute.
    const svc = { job: model.name, namespace: model.namespace };
    const rec = (labels: Record<string, string>, perSecond: (m: number) => number): SeriesSource => ({
      labels: sortLabels(labels),
      stepMs: FULL_STEP_MS,
      fromMs: originMs,
      value: (t) => perSecond(minute(t)),
    });
    const inIncident = (m: number) => incidentMinutes(m, incident.period, incident.phase, incident.length) - incidentMinutes(m - 5, incident.period, incident.phase, incident.length);
    const requests = (m: number) => (totals.perMinute * rateShape(m) + (totals.incident.perMinute * inIncident(m)) / 5) / 60;
    const errors = (m: number) => (totals.errorsPerMinute * rateShape(m) + (totals.incident.perMinute * inIncident(m)) / 5) / 60;
    ours.push(rec({ __name__: RECORD.requestRate('5m'), ...svc }, requests), rec({ __name__: RECORD.errorRate('5m'), ...svc }, errors));
    for (const slo of model.slos) {
      const bad = sloBad(slo, totals, errors);
      ours.push(rec({ __name__: RECORD.sliEvents('5m'), ...svc, slo: slo.name }, requests), rec({ __name__: RECORD.sliErrors('5m'), ...svc, slo: slo.name }, bad));
      sloth.push(rec({ __name__: RECORD.errorRatio('5m'), ...slothLabels(model, slo), sloth_window: '5m' }, (m) => bad(m) / requests(m)));
    }
  });
  return { raw, ours, sloth };
}

function sloBad(slo: SloModel, totals: ServiceTotals, errors: (m: number) => number): (m: number) => number {
  if (slo.kind === 'availability') return errors;
  const slow = totals.slowPerMinute.get(slo.thresholdSeconds!) ?? 0;
  return (m) => (slow * rateShape(m)) / 60;
}

/** The labels Sloth puts on every rule of an SLO (research/slo-alerting.md §2.2). */
export function slothLabels(model: ServiceModel, slo: SloModel): Record<string, string> {
  return { sloth_id: `${model.namespace}-${model.name}-${slo.name}`, sloth_service: `${model.namespace}-${model.name}`, sloth_slo: slo.name };
}

/**
 * The text exposition of every raw series at `tMs` (what the benchmark's exporter serves to the Prometheus under
 * test), written to `write` in pieces so a 500-service fleet (about a million series) is never one string.
 */
export function writeExposition(raw: readonly SeriesSource[], tMs: number, write: (chunk: string) => void): void {
  let buf = '';
  for (const s of raw) {
    let line = s.labels[0][1] + '{';
    for (let k = 1; k < s.labels.length; k++) line += `${k > 1 ? ',' : ''}${s.labels[k][0]}="${s.labels[k][1]}"`;
    buf += `${line}} ${s.value(tMs)}\n`;
    if (buf.length > 1 << 20) {
      write(buf);
      buf = '';
    }
  }
  if (buf) write(buf);
}
