/**
 * Compile-time checks, run by `tsc -p . --noEmit` (this file is in the project) and by
 * test/model/types.test.ts, which also compiles it with the `@ts-expect-error` lines removed and checks
 * that exactly the lines below fail, each naming its key.
 */
import type { Fields } from '../../../src/model/schema';
import { defineService, type MetricsEndpoint, type ServiceDefinition } from '../../../src/spec';

const base = { name: 'checkout', namespace: 'shop', team: 'payments' } as const;

// A misspelt optional key at the top level, once silently ignored.
// @ts-expect-error slo is not a key of ServiceDefinition (slos is)
defineService({ ...base, metrics: { port: 9464 }, slo: { availability: { objective: 99.9 } } });

// @ts-expect-error capacty is not a key of ServiceDefinition (capacity is)
defineService({ ...base, metrics: { port: 9464 }, capacty: { requestsPerSecond: 10 } });

// A misspelt key one level down.
// @ts-expect-error scrapeIntervall is not a key of MetricsEndpoint (scrapeInterval is)
defineService({ ...base, metrics: { port: 9464, scrapeIntervall: '1m' } });

// Deeper down, and inside a union (a KEDA autoscaler, a receiver).
defineService({
  ...base,
  metrics: { port: 9464 },
  // @ts-expect-error minReplica is not a key of ScalingPolicy (minReplicas is)
  scaling: { minReplica: 2, maxReplicas: 10 },
});
defineService({
  ...base,
  metrics: { port: 9464 },
  // @ts-expect-error desiredReplica is not a key of CronSchedule (desiredReplicas is)
  scaling: { maxReplicas: 10, autoscaler: { kind: 'keda', serverAddress: 'http://p:9090', schedules: [{ timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', desiredReplica: 2 }] } },
});

// The key tables of the runtime check must list exactly the keys of their interface.
// @ts-expect-error a table without serviceSelector
export const missingKey: Fields<MetricsEndpoint> = { port: { kind: 'value' }, path: { kind: 'value' }, portName: { kind: 'value' }, scrapeInterval: { kind: 'value' } };
export const extraKey: Fields<MetricsEndpoint> = {
  port: { kind: 'value' }, path: { kind: 'value' }, portName: { kind: 'value' }, scrapeInterval: { kind: 'value' }, serviceSelector: { kind: 'labels' },
  // @ts-expect-error a table with a key the interface does not have
  scrapeTimeout: { kind: 'value' },
};

// A correct definition still compiles, and what defineService returns is a ServiceDefinition.
export const ok: ServiceDefinition = defineService({ ...base, metrics: { port: 9464, scrapeInterval: '1m' }, capacity: { requestsPerSecond: 10 } });
