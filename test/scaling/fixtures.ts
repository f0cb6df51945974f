import { checkout } from '../../examples/services';
import type { ServiceDefinition } from '../../src/spec';
import type { ScalingPolicy } from '../../src/spec/scaling';

/**
 * The example checkout service with its scaling section replaced. Its connection pool is left out: at other
 * maxReplicas (200) the pool no longer fits its database, which is the pool check's business, not scaling's.
 */
export function withScaling(scaling: ScalingPolicy, extra: Partial<ServiceDefinition> = {}): ServiceDefinition {
  const { pools: _pools, ...capacity } = checkout.capacity ?? {};
  return { ...checkout, capacity, ...extra, scaling };
}

/** A queue worker drained by KEDA (the KEDA example of the issue). */
export const mailer: ServiceDefinition = {
  name: 'mailer',
  namespace: 'shop',
  team: 'growth',
  kind: 'worker',
  metrics: { port: 9464 },
  capacity: { requestsPerSecond: 40 },
  scaling: {
    minReplicas: 0,
    maxReplicas: 50,
    behavior: 'batch',
    autoscaler: {
      kind: 'keda',
      serverAddress: 'http://prometheus-operated.monitoring:9090',
      schedules: [{ timezone: 'Europe/Berlin', start: '45 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 20 }],
    },
    metrics: [{ type: 'external', metric: 'rabbitmq_queue_messages_ready', selector: { queue: 'emails' }, averageValue: 100 }, { type: 'requestsPerSecond' }],
    vpa: { mode: 'Recreate', containers: [{ container: 'mailer', minAllowed: { cpu: '100m', memory: '128Mi' }, maxAllowed: { cpu: '2', memory: '2Gi' } }] },
  },
};
