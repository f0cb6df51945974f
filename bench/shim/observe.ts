/**
 * Micro-benchmarks, one case per process (forked by run.ts from its compiled copy in bench/.build):
 * - observe-*: ns per histogram observation with 3 labels over 120 series (3 methods × 10 routes × 4
 *   statuses), log-normal latencies, inputs pre-generated (research/instrumentation.md appendix A).
 * - render-*: ms to render 1,000 histogram series (25 routes × 4 methods × 10 statuses).
 * Prints one JSON line.
 */
import { Histogram, Registry } from 'prom-client';
import { histogramBuckets, METRIC } from '../../src/signals/contract';
import { instrument } from '../../src/instrument';
import { defineService } from '../../src/spec';

const ITERS = 2_000_000;
const RUNS = 7;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const definition = defineService({ name: 'bench', namespace: 'bench', team: 'bench', metrics: { port: 9464 }, slos: { latency: { objective: 99, threshold: '300ms' } } });
const BUCKETS = histogramBuckets(definition);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function time(fn: (i: number) => void): number {
  for (let i = 0; i < 200_000; i++) fn(i);
  const runs: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    gc();
    const t = process.hrtime.bigint();
    for (let i = 0; i < ITERS; i++) fn(i);
    runs.push(Number(process.hrtime.bigint() - t) / ITERS);
  }
  return median(runs);
}

const N = 65_536;
const METHODS = ['GET', 'POST', 'PUT'];
const ROUTES = Array.from({ length: 10 }, (_, i) => `/api/r${i}/:id`);
const STATUSES = [200, 201, 404, 500];
const inputs = Array.from({ length: N }, () => ({
  m: METHODS[Math.floor(Math.random() * 3)],
  r: ROUTES[Math.floor(Math.random() * 10)],
  s: STATUSES[Math.floor(Math.random() * 4)],
  v: Math.exp(Math.log(0.02) + 0.8 * Math.sqrt(-2 * Math.log(Math.random() || 1e-9)) * Math.cos(2 * Math.PI * Math.random())),
}));

/** The shim's internal store, reached through the public adapter-free path measure() does not cover. */
function shimStore() {
  const gs = instrument(definition, { serve: false, handleSignals: false, tracing: false, runtimeMetrics: false });
  const store = (gs.registry.getSingleMetric(METRIC.httpDuration) as unknown) as {
    observe(a: number, b: string | undefined, c: number, v: number): void;
    render(om: boolean): string;
  };
  return { gs, store };
}

async function main(): Promise<void> {
  const which = process.argv[2];
  const result: Record<string, number | string> = { case: which };
  switch (which) {
    case 'observe-shim': {
      const { store } = shimStore();
      const methodIndex = new Map(METHODS.map((m) => [m, ['GET', 'POST', 'PUT'].indexOf(m) + 2]));
      result.nsPerOp = time((i) => {
        const x = inputs[i & (N - 1)];
        store.observe(methodIndex.get(x.m) as number, x.r, x.s, x.v);
      });
      break;
    }
    case 'observe-prom-client': {
      const h = new Histogram({ name: 'h', help: 'h', labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [] });
      result.nsPerOp = time((i) => {
        const x = inputs[i & (N - 1)];
        h.observe({ method: x.m, route: x.r, status_code: x.s }, x.v);
      });
      break;
    }
    case 'observe-otel': {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { MeterProvider } = require('@opentelemetry/sdk-metrics');
      const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const provider = new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] });
      const h = provider.getMeter('bench').createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: BUCKETS } });
      result.nsPerOp = time((i) => {
        const x = inputs[i & (N - 1)];
        h.record(x.v, { 'http.request.method': x.m, 'http.route': x.r, 'http.response.status_code': x.s });
      });
      break;
    }
    case 'render-shim':
    case 'render-shim-via-prom-client':
    case 'render-prom-client': {
      const routes = Array.from({ length: 25 }, (_, i) => `/api/r${i}/:id`);
      const methods = ['GET', 'POST', 'PUT', 'DELETE'];
      const statuses = [200, 201, 204, 301, 400, 401, 403, 404, 500, 503];
      let render: () => Promise<string> | string;
      if (which === 'render-prom-client') {
        const registry = new Registry();
        const h = new Histogram({ name: METRIC.httpDuration, help: 'h', labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [registry] });
        for (const r of routes) for (const m of methods) for (const s of statuses) h.observe({ method: m, route: r, status_code: s }, 0.1);
        render = () => registry.metrics();
      } else {
        const { store } = shimStore();
        for (const r of routes) for (let m = 0; m < methods.length; m++) for (const s of statuses) store.observe(m + 1, r, s, 0.1);
        if (which === 'render-shim') render = () => store.render(false);
        else {
          const registry = new Registry();
          registry.registerMetric(store as never);
          render = () => registry.metrics();
        }
      }
      const first = await render();
      result.lines = first.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
      for (let i = 0; i < 5; i++) await render();
      const runs: number[] = [];
      for (let i = 0; i < 25; i++) {
        const t = process.hrtime.bigint();
        await render();
        runs.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      result.msPerRender = median(runs);
      break;
    }
    default:
      throw new Error(`unknown case ${which}`);
  }
  console.log(JSON.stringify(result));
  process.exit(0);
}

void main();
