/**
 * The service every shim benchmark measures: one parameterised route, served by the benchmark servers
 * (server.ts) and driven in-process by request-cost.ts, so both measure the same route matching.
 * `src/spec` is plain data with no runtime imports, so loading this before OTel patches node:http is safe.
 */
import { defineService } from '../../src/spec';

/** The one route, `GET /users/:id`. */
export const BENCH_ROUTE = '/users/:id';
/** The path every benchmark request asks for; it matches {@link BENCH_ROUTE}. */
export const BENCH_PATH = '/users/42';

export const BENCH_SERVICE = defineService({
  name: 'bench',
  namespace: 'bench',
  team: 'bench',
  metrics: { port: 9464 },
  routes: [BENCH_ROUTE],
  slos: { latency: { objective: 99, threshold: '300ms' } },
});
