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
