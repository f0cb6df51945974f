import type { Duration } from './duration';

/**
 * A bounded resource of one pod that requests queue for when it runs out: the classic hidden saturation
 * signal. CPU and the event loop can be idle while every request waits for one of ten database connections.
 * A discriminated union on `kind`, so other kinds (an HTTP agent's sockets, a worker pool) can join without
 * changing the database pool's fields.
 *
 * @example
 * capacity: {
 *   requestsPerSecond: 250,
 *   pools: [{ kind: 'database', name: 'orders-db', size: 10, connectsTo: { name: 'orders', maxConnections: 400 } }],
 * }
 */
export type ResourcePool = DatabasePool;

/** See {@link ResourcePool}. */
export type ResourcePoolKind = ResourcePool['kind'];

/**
 * A database client's connection pool in each pod (node-postgres `Pool`, mysql2, knex, Prisma, ...). Its series
 * are OpenTelemetry's `db.client.connection.*`, labelled with {@link name}.
 */
export interface DatabasePool {
  readonly kind: 'database';
  /**
   * The pool's name: the `db_client_connection_pool_name` label, and how the app names the pool to the shim
   * (`observePgPool(gs, 'orders-db', pool)`). Lower case letters, digits and "-", at most 63 characters;
   * unique within the service.
   */
  readonly name: string;
  /** Most connections the pool opens in one pod (`max` of a node-postgres Pool), a whole number. */
  readonly size: number;
  /**
   * Ticket when a pod has had more than this share of {@link size} in use for 5 minutes: the next burst queues.
   * @default 0.9
   */
  readonly inUseOfSize?: number;
  /**
   * Ticket when more than 1% of connection requests (the p99) wait longer than this for a connection. On a
   * pool with spare connections a request gets one at once (or after opening one, a few milliseconds on a
   * local network), so a sustained p99 above 100ms means requests queue for the pool.
   * @default '100ms'
   */
  readonly maxWait?: Duration;
  /**
   * How long one database call holds a connection, for the Little's-law check of {@link size}
   * (connections needed = requests per second × calls per request × hold time).
   * @default the latency SLO's threshold (an upper bound: a request within its objective cannot hold a connection longer)
   */
  readonly holdTime?: Duration;
  /** Database calls one request makes, for the same check. @default 1 */
  readonly callsPerRequest?: number;
  /**
   * The database (or pooler) the pool connects to and how many connections it accepts. Every pod of every
   * replica opens its own pool: `maxReplicas × size` must fit, or the database refuses connections exactly
   * when the service scales out under load.
   * @default unknown: no connection-count check
   */
  readonly connectsTo?: DatabaseLimit;
}

/** What a database accepts. */
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
