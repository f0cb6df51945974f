/**
 * A synthetic fleet of N service definitions for the synth benchmark. Deterministic: service i always gets
 * the same shape, so a size's output is the same on every run and sizes differ only in how many services
 * they hold.
 *
 * Shapes cycle with period 10, modelled on the example fleet (examples/services.ts):
 *   4 × public HTTP API with both SLOs, capacity and an HPA on requests per second (like `checkout`)
 *   3 × HTTP API with an availability SLO only, no scaling (like `catalog`)
 *   1 × low-traffic HTTP service, 28d/7d windows, two latency tiers off (like `ledger-sync`)
 *   2 × queue worker with an availability SLO; one of them KEDA-scaled with a VPA (like `mailer`)
 * Half the services carry alert routing. Services are spread over namespaces of ~20 services (at least 3),
 * one cdk8s chart per namespace, as examples/main.ts does.
 */
import type { ServiceDefinition } from '../../src/spec';

/** Services per namespace (chart): a team-sized group, so charts stay similar in size as N grows. */
const SERVICES_PER_NAMESPACE = 20;
const MIN_NAMESPACES = 3;

export function namespaceCount(n: number): number {
  return Math.max(MIN_NAMESPACES, Math.ceil(n / SERVICES_PER_NAMESPACE));
}

/** How many services of each shape a fleet of `n` holds (for the report). */
export function shapeCounts(n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of syntheticFleet(n)) {
    const key = `${s.kind ?? 'http'}:${Object.keys(s.slos ?? {}).join('+')}${s.scaling ? ':scaled' : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export function syntheticFleet(n: number): ServiceDefinition[] {
  const namespaces = namespaceCount(n);
  return Array.from({ length: n }, (_, i) => service(i, `team-${String(i % namespaces).padStart(2, '0')}`));
}

function routing(i: number): ServiceDefinition['routing'] {
  if (i % 2 === 1) return undefined;
  return {
    page: { kind: 'pagerduty', routingKey: { secret: { name: `svc-${i}-pagerduty`, key: 'routing-key' } } },
    ticket: { kind: 'slack', channel: `#svc-${i}-alerts`, apiUrl: { secret: { name: `svc-${i}-slack`, key: 'webhook-url' } } },
  };
}

/**
 * With `GS_BENCH_FEATURES=objectives` (or `--features objectives` to bench/synth/run.ts), the four HTTP APIs of each
 * ten carry two latency objectives and a journey of two method and route pairs with its own availability and
 * latency objectives (issue 20), so the fleet measures those features in use: 5 SLOs instead of 2 on 40% of it.
 */
const WITH_OBJECTIVES = (process.env.GS_BENCH_FEATURES ?? '').split(',').includes('objectives');

function service(i: number, namespace: string): ServiceDefinition {
  const name = `svc-${String(i).padStart(4, '0')}`;
  const common = { name, namespace, team: namespace, metrics: { port: 9464 }, routing: routing(i) };
  // Vary the numbers a little so no two services render identical rule text.
  const objective = [99.9, 99.5, 99.95, 99][i % 4];
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      return {
        ...common,
        routes: ['/items', '/items/:id', `/v${(i % 3) + 1}/orders`],
        slos: WITH_OBJECTIVES
          ? { availability: { objective }, latency: [{ objective: 95, threshold: '100ms' }, { objective: 99, threshold: `${200 + (i % 5) * 50}ms` }] }
          : { availability: { objective }, latency: { objective: 99, threshold: `${200 + (i % 5) * 50}ms` } },
        ...(WITH_OBJECTIVES
          ? { journeys: { 'place-order': { routes: ['POST /items', 'GET /items/:id'], availability: { objective: 99.95 }, latency: { objective: 99, threshold: '500ms' } } } }
          : {}),
        capacity: { requestsPerSecond: 100 + (i % 7) * 25, concurrentRequests: 64 },
        scaling: { minReplicas: 2, maxReplicas: 20 + (i % 4) * 10, metrics: [{ type: 'requestsPerSecond' }], behavior: i % 2 ? 'spiky' : 'steady' },
      };
    case 4:
    case 5:
    case 6:
      return {
        ...common,
        routes: ['/products', '/products/:sku', '/search'],
        errors: { statusCodes: ['5xx', 429] },
        slos: { availability: { objective } },
        traffic: { dropBelowLastWeek: 0.4 },
      };
    case 7:
      return {
        ...common,
        metrics: { port: 9464, scrapeInterval: '1m' },
        routes: ['/sync', '/reconcile/:account'],
        slos: {
          availability: { objective: 99, window: '28d', minEvents: 20 },
          latency: { objective: 95, threshold: '2s', window: '7d', burnTiers: { fast: false, slow: false } },
        },
        traffic: { noTrafficFor: false, dropBelowLastWeek: false },
      };
    case 8:
      return {
        ...common,
        kind: 'worker',
        slos: { availability: { objective: 99 } },
        traffic: { noTrafficFor: false },
        capacity: { requestsPerSecond: 40 },
        scaling: {
          minReplicas: 0,
          maxReplicas: 50,
          behavior: 'batch',
          autoscaler: { kind: 'keda', serverAddress: 'http://prometheus-operated.monitoring:9090' },
          metrics: [
            { type: 'external', metric: 'rabbitmq_queue_messages_ready', selector: { queue: `q-${i}` }, averageValue: 100 },
            { type: 'requestsPerSecond' },
          ],
          vpa: { mode: 'Recreate', containers: [{ container: name, minAllowed: { cpu: '100m', memory: '128Mi' }, maxAllowed: { cpu: '2', memory: '2Gi' } }] },
        },
      };
    default:
      return { ...common, kind: 'worker', slos: { availability: { objective: 99.5 } }, traffic: { noTrafficFor: false } };
  }
}
