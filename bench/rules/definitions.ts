/**
 * The one-SLO services the rule benchmarks measure: a plain HTTP service with a single SLO at 99.9% over
 * the default 30d window, every other setting at its default.
 */
import { defineService, ServiceDefinition } from '../../src/spec';

const base = { name: 'api', namespace: 'bench', team: 'bench', metrics: { port: 9464 } } as const;

export const ONE_SLO: Record<'availability' | 'latency', ServiceDefinition> = {
  availability: defineService({ ...base, slos: { availability: { objective: 99.9 } } }),
  latency: defineService({ ...base, slos: { latency: { objective: 99.9, threshold: '300ms' } } }),
};
