import type { Duration } from './duration';

/**
 * A bounded resource of one pod that requests queue for when it runs out: the classic hidden saturation
 * signal. CPU and the event loop can be idle while every request waits for one of ten database connections,
 * for one of an HTTP agent's sockets to an upstream, or for a free worker thread. A discriminated union on
 * `kind`; every kind has the same sizing fields (`size`, `inUseOfSize`, `maxWait`, `holdTime`,
 * `callsPerRequest`), and the kinds that open connections to something bounded say what (`connectsTo`).
 *
 * @example
 * capacity: {
 *   requestsPerSecond: 250,
 *   pools: [
 *     { kind: 'database', name: 'orders-db', size: 10, connectsTo: { name: 'orders', maxConnections: 400 } },
 *     { kind: 'http-client', name: 'payments-api', size: 24 },
 *     { kind: 'worker', name: 'pdf-render', size: 4, holdTime: '200ms', callsPerRequest: 0.1 },
 *   ],
 * }
 */
export type ResourcePool = DatabasePool | HttpClientPool | WorkerPool;

/** See {@link ResourcePool}. */
export type ResourcePoolKind = ResourcePool['kind'];

/**
 * A database client's connection pool in each pod (node-postgres `Pool`, mysql2, knex, Prisma, ...). Its series
 * are OpenTelemetry's `db.client.connection.*`, labelled `db_client_connection_pool_name`.
 */
export interface DatabasePool extends PoolSizing {
  readonly kind: 'database';
  /**
   * The database (or pooler) the pool connects to and how many connections it accepts. Every pod of every
   * replica opens its own pool: `maxReplicas × size` must fit, or the database refuses connections exactly
   * when the service scales out under load.
   * @default unknown: no connection-count check
   */
  readonly connectsTo?: DatabaseLimit;
}

/** The fields every kind of pool has: its name, its size and the thresholds and load its alerts and checks use. */
export interface PoolSizing {
  /**
   * The pool's name: the value of its kind's pool-name label, and how the app names the pool to the shim
   * (`observePgPool(gs, 'orders-db', pool)`). Lower case letters, digits and "-", at most 63 characters;
   * unique within the service.
   */
  readonly name: string;
  /**
   * Most units the pool holds in one pod, a whole number: connections (`max` of a node-postgres Pool), sockets
   * (`maxSockets` of an Agent) or worker threads.
   */
  readonly size: number;
  /**
   * Ticket when a pod has had more than this share of {@link size} in use for 5 minutes: the next burst queues.
   * @default 0.9
   */
  readonly inUseOfSize?: number;
  /**
   * Ticket when more than 1% of requests for a unit (the p99) wait longer than this. On a pool with spare units
   * a request gets one at once (or after opening a connection, a few milliseconds on a local network), so a
   * sustained p99 above 100ms means requests queue for the pool.
   * @default '100ms'
   */
  readonly maxWait?: Duration;
  /**
   * How long one call holds a unit (a database query, an upstream request, a worker task), for the Little's-law
   * check of {@link size} (units needed = requests per second × calls per request × hold time).
   * @default the latency SLO's threshold (an upper bound: a request within its objective cannot hold a unit longer)
   */
  readonly holdTime?: Duration;
  /** Calls one request makes on the pool, for the same check; may be below 1. @default 1 */
  readonly callsPerRequest?: number;
}

/**
 * An HTTP client's sockets to one upstream in each pod: a Node `http.Agent` / `https.Agent` with `maxSockets`
 * (the shim's `observeHttpAgent`), or an undici `Pool` with `connections` through the generic `observePool`.
 * Requests past `maxSockets` queue in the agent. Its series are OpenTelemetry's `http.client.open_connections`
 * and `http.client.request.time_in_queue`, labelled `http_client_connection_pool_name`.
 */
export interface HttpClientPool extends PoolSizing {
  readonly kind: 'http-client';
  /**
   * The upstream and how many connections it accepts from all its clients (a rate-limited partner API, a
   * sidecar proxy's `max_connections`): `maxReplicas × size` must fit, as for a database.
   * @default unknown: no connection-count check
   */
  readonly connectsTo?: DatabaseLimit;
}

/**
 * A pool of worker threads in each pod (piscina, workerpool, a hand-written `worker_threads` pool): tasks
 * queue when every worker is busy. No OpenTelemetry convention exists; its series are
 * `nodejs_worker_pool_*`, labelled `nodejs_worker_pool_name`. `holdTime` is how long one task runs and
 * `callsPerRequest` how many tasks a request starts (less than 1 when only some requests use the pool).
 */
export interface WorkerPool extends PoolSizing {
  readonly kind: 'worker';
}

/** What a database (or an upstream) accepts. */
export interface DatabaseLimit {
  /** The database's name, for messages and for adding up services that share it. */
  readonly name: string;
  /**
   * Connections the database (PostgreSQL `max_connections`, MySQL `max_connections`) or the pooler in front
   * of it (PgBouncer `max_client_conn`) accepts, less those reserved for administrators
   * (PostgreSQL keeps `superuser_reserved_connections`, 3 by default, out of `max_connections`).
   */
  readonly maxConnections: number;
}
