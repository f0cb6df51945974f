import { fleet } from '../../examples/services';
import { resolveService } from '../../src/model';
import type { ServiceModel } from '../../src/model/types';
import { defineService } from '../../src/spec';

/** The example fleet, resolved. */
export const EXAMPLE_MODELS: readonly ServiceModel[] = fleet.map((d) => resolveService(d));

/** Shapes the examples do not cover: a queue worker, and a bare HTTP service with no SLO, capacity or autoscaler. */
export const worker = resolveService(
  defineService({
    name: 'mailer',
    namespace: 'growth',
    team: 'growth',
    kind: 'worker',
    metrics: { port: 9464 },
    slos: { availability: { objective: 99 }, latency: { objective: 95, threshold: '2s' } },
    scaling: { maxReplicas: 4, autoscalerName: 'mailer-hpa' },
  }),
);

export const bare = resolveService(defineService({ name: 'echo', namespace: 'tools', team: 'platform', metrics: { port: 9464 } }));

/** Every model shape the tests run the dashboards over. */
export const ALL_MODELS: readonly ServiceModel[] = [...EXAMPLE_MODELS, worker, bare];

/** Services per namespace in {@link generatedFleet}: a team-sized group. */
const SERVICES_PER_NAMESPACE = 20;

/**
 * A platform-sized fleet of `n` services, deterministic, cycling through the shapes the dashboards tell
 * apart: HTTP with both SLOs, HTTP counting 429 as an error, a worker, and a bare HTTP service.
 */
export function generatedFleet(n: number): ServiceModel[] {
  const namespaces = Math.max(1, Math.ceil(n / SERVICES_PER_NAMESPACE));
  return Array.from({ length: n }, (_, i) => {
    const common = { name: `svc-${String(i).padStart(4, '0')}`, namespace: `team-${String(i % namespaces).padStart(2, '0')}`, team: 'platform', metrics: { port: 9464 } };
    switch (i % 4) {
      case 0:
        return resolveService(defineService({ ...common, slos: { availability: { objective: 99.9 }, latency: { objective: 99, threshold: '300ms' } } }));
      case 1:
        return resolveService(defineService({ ...common, errors: { statusCodes: ['5xx', 429] }, slos: { availability: { objective: 99.5 } } }));
      case 2:
        return resolveService(defineService({ ...common, kind: 'worker', slos: { availability: { objective: 99 } } }));
      default:
        return resolveService(defineService(common));
    }
  });
}
