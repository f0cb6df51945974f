/**
 * `cdk8s-golden-signals/instrument`: the instrumentation shim. Imports only the definition, the metric
 * contract and the model (no cdk8s, constructs or Grafana SDK), so it runs in an app's production image.
 *
 * @example
 * import { instrument } from 'cdk8s-golden-signals/instrument';
 * import { checkout } from './observability';
 * const gs = instrument(checkout);   // serves /metrics on checkout's metrics port
 * app.use(gs.express());             // or app.register(gs.fastify()), http.createServer(gs.http(handler))
 */
export { expressRoute } from './express';
export { instrument } from './instrument';
export type { FastifyLike, FastifyPlugin, FastifyRequestLike, GoldenSignals, HttpAdapterOptions, InstrumentOptions, Middleware } from './instrument';
export { CONTENT_TYPE, negotiate } from './exposition';
export type { ExpositionFormat, MetricLike, MetricSource } from './exposition';
export { observeHttpAgent, observePgPool, observeWorkerPool } from './pools';
export type { HttpAgentLike, PgPoolLike, PoolObserver, PoolObserving, PoolSource, WorkerPoolLike } from './pools';
export { compileRoutes } from './routes';
export type { RouteMatcher } from './routes';
export { tracingConfigured } from './tracing';
export type { TracingOptions } from './tracing';
export { ServiceDefinitionError } from '../model/resolve';
