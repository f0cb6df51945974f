/**
 * The contract, end to end without Prometheus: every series selector the generated rules use must match
 * at least one series the shim exposes after traffic. Target labels (namespace, job, …) are left out:
 * the scrape configuration adds them (DESIGN 3.2).
 */
import * as http from 'node:http';
import { checkout, fleet } from '../../examples/services';
import { resolveService } from '../../src/model';
import { serviceRules } from '../../src/rules';
import * as q from '../../src/signals/queries';
import { METRIC, TARGET_LABELS } from '../../src/signals/contract';
import { defineService, ServiceDefinition } from '../../src/spec';
import { instrument, GoldenSignals } from '../../src/instrument';
import { matcherHolds } from '../support/promql';
import { close, listen, parseExposition, request, Sample } from './helpers';

// The package ships ESM typings only; its CommonJS build loads fine with require under jest.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });

interface Selector {
  readonly metric: string;
  readonly matchers: ReadonlyArray<{ label: string; op: string; value: string }>;
  readonly text: string;
}

/** Every vector selector of a PromQL expression, parsed with the Prometheus project's own grammar. */
function selectors(expr: string): Selector[] {
  const found: Selector[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return;
      const metric = node.node.getChild('Identifier');
      const matchers = node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
      found.push({
        metric: metric === null ? '' : expr.slice(metric.from, metric.to),
        text: expr.slice(node.from, node.to),
        matchers: matchers.map((m) => {
          const part = (name: string) => {
            const child = m.getChild(name);
            return child === null ? '' : expr.slice(child.from, child.to);
          };
          return { label: part('LabelName'), op: part('MatchOp'), value: JSON.parse(part('StringLiteral')) as string };
        }),
      });
    },
  });
  return found;
}

function matches(selector: Selector, sample: Sample, ignored: ReadonlySet<string>): boolean {
  if (sample.name !== selector.metric) return false;
  return selector.matchers.every(({ label, op, value }) => ignored.has(label) || matcherHolds(op, value, sample.labels[label] ?? ''));
}

const SHIM_METRICS = new Set<string>(Object.values(METRIC));
/** A selector is the shim's when it names one of the shim's series (or a histogram's suffixed series). */
const isShimSeries = (metric: string) => SHIM_METRICS.has(metric) || SHIM_METRICS.has(metric.replace(/_(bucket|sum|count)$/, ''));

const mailer = defineService({
  name: 'mailer',
  namespace: 'shop',
  team: 'growth',
  kind: 'worker',
  metrics: { port: 9464 },
  slos: { availability: { objective: 99 }, latency: { objective: 95, threshold: '2s' } },
});

/** Runs a little traffic of every kind through a shim for `definition`, then scrapes it. */
async function exposedAfterTraffic(definition: ServiceDefinition): Promise<Sample[]> {
  const gs: GoldenSignals = instrument(definition, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false });
  try {
    await gs.ready;
    // Every declared pool, through the generic API: 3 in use, 7 idle, 1 waiting, one wait of 2 ms.
    for (const pool of definition.capacity?.pools ?? []) gs.observePool(pool.name, { inUse: () => 3, idle: () => 7, waiting: () => 1 }).waited(0.002);
    if ((definition.kind ?? 'http') === 'http') {
      // `?fail` answers 503; `?drop` closes the connection unanswered (`error_type="aborted"`).
      const server = http.createServer(
        gs.http((req, res) => (req.url?.includes('drop') ? void res.destroy() : void ((res.statusCode = req.url?.includes('fail') ? 503 : 200), res.end()))),
      );
      const port = await listen(server);
      // Every route with GET and with the methods journeys name (their rules select method and route pairs).
      const journeyMethods = Object.values(definition.journeys ?? {}).flatMap((j) => j.routes.map((r) => r.split(' ')).filter((p) => p.length === 2).map(([m]) => m));
      for (const route of definition.routes ?? []) {
        const path = route.replace(/:[^/]+/g, '1');
        for (const method of new Set(['GET', ...journeyMethods])) {
          await request(port, path, { method });
          await request(port, `${path}?fail`, { method });
          await request(port, `${path}?drop`, { method }).catch(() => undefined);
        }
      }
      await close(server);
    } else {
      gs.measure('send-mail', () => 'sent');
      await gs.measure('send-mail', async () => Promise.reject(new Error('smtp down'))).catch(() => undefined);
    }
    // The event-loop delay gauges appear with the histogram's first sample, one 10 ms resolution after start,
    // later on a loaded machine: wait for it (at most 2 s) rather than race it.
    let text = '';
    for (let i = 0; i < 100 && !text.includes(`\n${METRIC.eventLoopDelayP99} `); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      text = await gs.metrics('text');
    }
    return parseExposition(text);
  } finally {
    await gs.shutdown();
  }
}

function unmatched(exprs: readonly string[], samples: readonly Sample[], ignored: ReadonlySet<string>): string[] {
  return exprs.flatMap((expr) => selectors(expr)).filter((s) => isShimSeries(s.metric) && !samples.some((x) => matches(s, x, ignored))).map((s) => s.text);
}

describe('the metric contract between the shim and the queries', () => {
  const cases: Array<{ definition: ServiceDefinition; http: boolean }> = [
    { definition: checkout, http: true },
    { definition: mailer, http: false },
  ];
  it.each(cases)('every selector of the signal builders matches a series the shim exposes for $definition.name', async ({ definition, http: isHttp }) => {
    const model = resolveService(definition);
    const scope = model.scope;
    const threshold = model.slos.find((s) => s.thresholdSeconds !== undefined)?.thresholdSeconds ?? 0.3;
    const exprs = [
      q.requestRate(scope, '5m'),
      q.errorRate(scope, '5m'),
      q.fastRequestRate(scope, threshold, '5m'),
      q.latencyQuantile(scope, 0.99, '5m'),
      q.eventLoopUtilization(scope, '5m'),
      q.eventLoopDelayP99(scope),
      ...(isHttp ? [q.inFlightPerInstance(scope)] : []),
      ...model.capacity.pools.flatMap((pool) => [
        q.poolInUseRatio(scope, pool.kind, pool.name),
        q.poolPendingRequests(scope, pool.kind, pool.name),
        q.poolWaitsSlowerThan(scope, pool.kind, pool.maxWaitSeconds, '5m', pool.name),
        q.poolWaitQuantile(scope, pool.kind, 0.99, '5m'),
      ]),
    ];
    const samples = await exposedAfterTraffic(definition);
    const shimSelectors = exprs.flatMap(selectors).filter((s) => isShimSeries(s.metric));
    expect(shimSelectors.length).toBeGreaterThanOrEqual(exprs.length);
    expect(unmatched(exprs, samples, new Set(TARGET_LABELS))).toEqual([]);
  });

  it.each([...fleet, mailer].map((definition) => ({ definition })))(
    'every shim selector of the generated rules for $definition.name matches an exposed series',
    async ({ definition }) => {
      const model = resolveService(definition);
      const exprs = serviceRules(model).groups.flatMap((g) => g.rules.map((r) => r.expr));
      const samples = await exposedAfterTraffic(definition);
      const ignored = new Set([...TARGET_LABELS, ...(model.alerting.clusterLabel ? [model.alerting.clusterLabel] : [])]);
      const used = exprs.flatMap(selectors).filter((s) => isShimSeries(s.metric));
      expect(used.length).toBeGreaterThan(0);
      expect(unmatched(exprs, samples, ignored)).toEqual([]);
    },
  );
});
