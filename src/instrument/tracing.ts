/**
 * Traces and context through `@opentelemetry/sdk-node`, kept off the metrics hot path: the shim reads the
 * active span only to attach exemplars, and starts the SDK only when the standard OTEL_* variables ask for
 * an exporter. Every OTel module is loaded lazily, so an app without tracing pays nothing for it.
 */
import type { TraceRef } from './store';
import { describe, warnOnce } from './warn';

/** Tracing configuration. */
export interface TracingOptions {
  /**
   * Whether to start the OpenTelemetry Node SDK. `'auto'` starts it only when the environment configures a
   * trace exporter (`OTEL_TRACES_EXPORTER` other than `none`, or an `OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`)
   * and `OTEL_SDK_DISABLED` is not true. sdk-node on its own defaults to an OTLP exporter aimed at
   * localhost, which would retry and log forever on a machine without a collector.
   * @default 'auto'
   */
  readonly enabled?: boolean | 'auto';
  /**
   * OpenTelemetry instrumentations to register (e.g. `new HttpInstrumentation()`), which create the spans.
   * They patch modules on load: call `instrument()` before importing what they instrument.
   * @default []
   */
  readonly instrumentations?: readonly unknown[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Whether the environment asks for a trace exporter (see {@link TracingOptions.enabled}). */
export function tracingConfigured(env: Env): boolean {
  if (/^true$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? '')) return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (exporters.length > 0) return !exporters.includes('none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** A started SDK, reduced to what the shim needs. */
export interface TracingHandle {
  shutdown(): Promise<void>;
}

interface DiagLoggerLike {
  error(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  info(): void;
  debug(): void;
  verbose(): void;
}

/**
 * Starts the Node SDK for traces only. Metric readers and log processors are given as empty lists, which
 * sdk-node reads as "configured: none" — so it never starts its own metrics pipeline (the OTel JS
 * Prometheus exporter would rename our series, open-telemetry/opentelemetry-js#3466). Exporter failures reach
 * the app as one warning instead of a log line per failed batch.
 */
export function startTracing(serviceName: string, options: TracingOptions, env: Env): TracingHandle | undefined {
  const enabled = options.enabled ?? 'auto';
  if (enabled === false || (enabled === 'auto' && !tracingConfigured(env))) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
    if (env.OTEL_LOG_LEVEL === undefined) {
      const logger: DiagLoggerLike = {
        error: (message) => warnOnce('exporter', `golden-signals: OpenTelemetry reported an error (spans may be lost; the app is unaffected): ${message}`),
        warn: (message) => warnOnce('exporter', `golden-signals: OpenTelemetry reported a problem: ${message}`),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      };
      api.diag.setLogger(logger, { logLevel: api.DiagLogLevel.WARN, suppressOverrideMessage: true });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
    const sdk = new NodeSDK({
      serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
      metricReaders: [],
      logRecordProcessors: [],
      instrumentations: [...(options.instrumentations ?? [])] as never,
    });
    sdk.start();
    return { shutdown: () => sdk.shutdown() };
  } catch (error) {
    warnOnce('tracing', `golden-signals: could not start OpenTelemetry tracing, continuing without it: ${describe(error)}`);
    return undefined;
  }
}

/** Reads the active span's ids when it is sampled; undefined otherwise (or when OTel is not installed). */
export type ActiveTraceReader = () => TraceRef | undefined;

/**
 * A reader of the active sampled span for exemplars (`traceFlags & 1`, W3C trace-context "sampled"):
 * an unsampled span's trace would not be found in the tracing backend, so linking to it is worse than none.
 */
export function activeTraceReader(): ActiveTraceReader {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { trace } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
    return () => {
      const span = trace.getActiveSpan();
      if (span === undefined) return undefined;
      const context = span.spanContext();
      return (context.traceFlags & 1) === 1 ? context : undefined;
    };
  } catch (error) {
    warnOnce('tracing', `golden-signals: exemplars need @opentelemetry/api, which did not load: ${describe(error)}`);
    return () => undefined;
  }
}

/**
 * Whether the OTel JS Prometheus exporter is (or will be) exporting metrics in this process: requested
 * through `OTEL_METRICS_EXPORTER`, or registered as a reader of the global MeterProvider. It writes
 * `http_server_request_duration_bucket` without the `_seconds` unit suffix, so dashboards and rules fed
 * from it find nothing (open-telemetry/opentelemetry-js#3466).
 * Only looks, never loads the exporter.
 */
export function otelPrometheusExporterInUse(env: Env): boolean {
  if ((env.OTEL_METRICS_EXPORTER ?? '').split(',').some((s) => s.trim() === 'prometheus')) return true;
  try {
    if (!Object.keys(require.cache).some((k) => k.includes('@opentelemetry/api'))) return false;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { metrics } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
    // sdk-metrics keeps readers in `_sharedState.metricCollectors[]._metricReader` (internal; looked up
    // defensively: a different layout just means "not detected").
    const provider = metrics.getMeterProvider() as { _sharedState?: { metricCollectors?: Array<{ _metricReader?: object }> } };
    return (provider._sharedState?.metricCollectors ?? []).some((c) => c._metricReader?.constructor?.name === 'PrometheusExporter');
  } catch {
    return false;
  }
}
