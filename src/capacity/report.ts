/**
 * Judging a load step the way the alerts would: from two scrapes of the service's duration histogram, the
 * requests, the failed ones (the rules' error predicate), the share answered within the latency threshold and
 * the quantiles `histogram_quantile` would give. So a capacity check and the pager agree on what "met the SLO"
 * means. Pure: the driver (`npm run capacity` in the repository) scrapes and loads; this only reads text.
 */
import type { ServiceModel } from '../model/types';
import { LABEL, OUTCOME } from '../signals/contract';
import { exact } from '../signals/promql';
import { durationHistogram } from '../signals/queries';
import { minRequestsToJudge } from '../loadtest/k6';

/** One `_bucket` or `_count` sample of the duration histogram. */
export interface HistogramSample {
  readonly name: 'bucket' | 'count';
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The `_bucket` and `_count` samples of the service's duration histogram in a text exposition. */
export function histogramSamples(model: ServiceModel, exposition: string): HistogramSample[] {
  const metric = durationHistogram(model.kind);
  const out: HistogramSample[] = [];
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = SAMPLE_LINE.exec(line);
    if (!m) continue;
    const name = m[1] === `${metric}_bucket` ? 'bucket' : m[1] === `${metric}_count` ? 'count' : undefined;
    if (!name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL_PAIR)) labels[k] = v.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name, labels, value: Number(m[3]) });
  }
  return out;
}

/** What one load step did, as the generated rules would compute it over the step. */
export interface StepMeasurement {
  readonly requests: number;
  readonly failed: number;
  readonly errorRatio: number;
  /** Share of requests answered within the (tightest) latency SLO's threshold (undefined without a latency SLO). */
  readonly withinThreshold?: number;
  /** Share of requests answered within each latency objective's threshold, by threshold in seconds. */
  readonly withinThresholds?: Readonly<Record<string, number>>;
  /** `histogram_quantile` of the step's buckets, in seconds. */
  readonly p50Seconds: number;
  readonly p99Seconds: number;
}

function key(labels: Readonly<Record<string, string>>, without: string): string {
  return JSON.stringify(Object.entries(labels).filter(([k]) => k !== without).sort());
}

/** `after − before` per series (a series new in `after` counts from 0). */
function increase(before: readonly HistogramSample[], after: readonly HistogramSample[]): HistogramSample[] {
  const start = new Map(before.map((s) => [`${s.name}${key(s.labels, '')}`, s.value]));
  return after.map((s) => ({ ...s, value: s.value - (start.get(`${s.name}${key(s.labels, '')}`) ?? 0) }));
}

/**
 * Prometheus's `histogram_quantile` (promql/quantile.go) over buckets summed by `le`: linear interpolation inside
 * the bucket the rank falls in, from 0 for the first bucket; a rank in the +Inf bucket gives the highest finite
 * bound.
 */
export function histogramQuantile(q: number, buckets: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted[sorted.length - 1]?.[1] ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let i = sorted.findIndex(([, count]) => count >= rank);
  if (i === sorted.length - 1 && sorted[i][0] === Infinity) return sorted[sorted.length - 2]?.[0] ?? NaN;
  if (i < 0) i = sorted.length - 1;
  const [upper, count] = sorted[i];
  const [lower, below] = i === 0 ? [0, 0] : sorted[i - 1];
  return count === below ? upper : lower + (upper - lower) * ((rank - below) / (count - below));
}

/**
 * The step between two scrapes: requests, failures under the rules' predicate (an error status, or no response
 * of an `error_type` that counts), the share within the latency threshold, and the quantiles.
 */
export function measureStep(model: ServiceModel, before: readonly HistogramSample[], after: readonly HistogramSample[]): StepMeasurement {
  const delta = increase(before, after);
  const status = new RegExp(`^(?:${model.scope.errorStatusRegex})$`);
  const errorType = new RegExp(`^(?:${model.scope.errorTypeRegex})$`);
  const counts = delta.filter((s) => s.name === 'count');
  const requests = counts.reduce((n, s) => n + s.value, 0);
  const failed = counts
    .filter((s) => (model.kind === 'worker' ? s.labels[LABEL.outcome] === OUTCOME.error : status.test(s.labels[LABEL.statusCode] ?? '') || errorType.test(s.labels[LABEL.errorType] ?? '')))
    .reduce((n, s) => n + s.value, 0);
  const byLe = new Map<number, number>();
  for (const s of delta.filter((x) => x.name === 'bucket')) {
    const le = s.labels[LABEL.le] === '+Inf' ? Infinity : Number(s.labels[LABEL.le]);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  const buckets = [...byLe.entries()];
  // The service-wide objectives: the step loads the whole service, so a journey's objectives are not judged here.
  const latencies = model.slos.filter((s) => s.kind === 'latency' && !s.journey);
  const latency = latencies[0];
  const within = latency ? byLe.get(latency.thresholdSeconds!) : undefined;
  const share = (seconds: number) => (requests > 0 ? (byLe.get(seconds) ?? 0) / requests : 1);
  // Requests the definition leaves out of the availability SLO (`errors.clientAborts: 'ignore'`) are no events of it.
  const ignored = counts.filter((s) => model.scope.ignoredErrorType !== undefined && s.labels[LABEL.errorType] === model.scope.ignoredErrorType).reduce((n, s) => n + s.value, 0);
  return {
    requests,
    failed,
    errorRatio: requests - ignored > 0 ? failed / (requests - ignored) : 0,
    ...(latency ? { withinThreshold: requests > 0 ? (within ?? 0) / requests : 1 } : {}),
    ...(latencies.length > 1 ? { withinThresholds: Object.fromEntries(latencies.map((l) => [String(l.thresholdSeconds), share(l.thresholdSeconds!)])) } : {}),
    p50Seconds: histogramQuantile(0.5, buckets),
    p99Seconds: histogramQuantile(0.99, buckets),
  };
}

/** Whether a step met every SLO of the service, and why not. */
export interface StepVerdict {
  readonly met: boolean;
  /** Enough requests to judge every objective ({@link minRequestsToJudge}). */
  readonly judgeable: boolean;
  readonly reasons: readonly string[];
}

/** Judges a step against the service's objectives: availability within budget, latency SLI at its objective. */
export function judgeStep(model: ServiceModel, step: StepMeasurement): StepVerdict {
  const reasons: string[] = [];
  const serviceWide = model.slos.filter((s) => !s.journey);
  for (const slo of serviceWide) {
    if (slo.kind === 'availability' && step.errorRatio > slo.errorBudget) {
      reasons.push(`${(step.errorRatio * 100).toFixed(3)}% failed, above the ${exact(slo.errorBudget * 100)}% budget`);
    }
    const within = slo.kind === 'latency' ? (step.withinThresholds?.[String(slo.thresholdSeconds)] ?? step.withinThreshold) : undefined;
    if (slo.kind === 'latency' && (within ?? 1) < slo.objective) {
      reasons.push(`${((within ?? 0) * 100).toFixed(2)}% within ${exact(slo.thresholdSeconds! * 1000)}ms, below ${exact(slo.objectivePercent)}%`);
    }
  }
  const judgeable = serviceWide.every((s) => step.requests >= minRequestsToJudge(s.errorBudget));
  return { met: reasons.length === 0, judgeable, reasons };
}
