/**
 * Connection-pool series (OpenTelemetry `db.client.connection.*`) for the pools a definition declares
 * (`capacity.pools`). The app hands the shim a {@link PoolSource} per pool; the gauges read it when Prometheus
 * scrapes, like prom-client's `collect()` callbacks, so nothing runs per query. Wait times are observed as they
 * happen through the {@link PoolObserver} the shim returns, or by the ready node-postgres adapter
 * ({@link observePgPool}), which wraps the pool's `connect`.
 *
 * Label values are bounded: the pool name comes from the definition, never from runtime input, and a name the
 * definition does not declare is a configuration error at start-up.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ServiceModel } from '../model/types';
import { LABEL, METRIC, POOL_STATE } from '../signals/contract';
import { describe, warnOnce } from './warn';

/**
 * What the shim reads from a pool at every scrape. Each function must be cheap and synchronous; one that throws
 * or returns something other than a finite number is skipped for that scrape (and warned about once).
 *
 * @example
 * gs.observePool('jobs', { inUse: () => workers.busy, idle: () => workers.free, waiting: () => queue.length });
 */
export interface PoolSource {
  /** Connections handed out now (`db.client.connection.count{state="used"}`). */
  inUse(): number;
  /** Connections open and idle now (`db.client.connection.count{state="idle"}`). */
  idle(): number;
  /** Requests waiting for a connection now (`db.client.connection.pending_requests`). */
  waiting(): number;
  /** Most connections the pool opens (`db.client.connection.max`). @default the pool's `size` in the definition */
  max?(): number;
}

/** Reports one pool's waits; returned by `observePool`. Never throws. */
export interface PoolObserver {
  /** The pool's name, as declared. */
  readonly name: string;
  /** A request got a connection after waiting `seconds` (0 when one was idle). */
  waited(seconds: number): void;
  /** A request gave up after waiting `seconds` (the pool's acquire timeout): counted as a wait and a timeout. */
  timedOut(seconds: number): void;
}

/** The pool series of one shim: collectors over every declared pool, and the sources the app attached. */
export class PoolMetrics {
  private readonly sources = new Map<string, PoolSource>();
  private readonly sizes: ReadonlyMap<string, number>;
  private readonly waitTime: Histogram<string> | undefined;
  private readonly timeouts: Counter<string> | undefined;

  constructor(model: ServiceModel, registry: Registry) {
    const pools = model.capacity.pools;
    this.sizes = new Map(pools.map((p) => [p.name, p.size]));
    if (pools.length === 0) return;
    const sources = this.sources;
    const sizes = this.sizes;
    /** Reads one value of each attached source; a throw or a non-number skips that pool for this scrape. */
    const read = (gauge: Gauge<string>, value: (name: string, source: PoolSource) => number, labels: (name: string) => Record<string, string>) => {
      gauge.reset();
      for (const [name, source] of sources) {
        try {
          const v = value(name, source);
          if (Number.isFinite(v)) gauge.set(labels(name), v);
          else warnOnce('adapter', `golden-signals: pool "${name}" reported ${String(v)}, not a number; its series are skipped until it does`);
        } catch (error) {
          warnOnce('adapter', `golden-signals: reading pool "${name}" failed: ${describe(error)}`);
        }
      }
    };
    const pool = (name: string) => ({ [LABEL.poolName]: name });
    new Gauge({
      name: METRIC.poolConnections,
      help: 'Connections of the pool by state (OTel db.client.connection.count).',
      labelNames: [LABEL.poolName, LABEL.poolState],
      registers: [registry],
      collect() {
        this.reset();
        for (const state of [POOL_STATE.used, POOL_STATE.idle] as const) {
          const g = this as Gauge<string>;
          for (const [name, source] of sources) {
            try {
              const v = state === POOL_STATE.used ? source.inUse() : source.idle();
              if (Number.isFinite(v)) g.set({ ...pool(name), [LABEL.poolState]: state }, v);
              else warnOnce('adapter', `golden-signals: pool "${name}" reported ${String(v)} ${state} connections, not a number; skipped`);
            } catch (error) {
              warnOnce('adapter', `golden-signals: reading pool "${name}" failed: ${describe(error)}`);
            }
          }
        }
      },
    });
    new Gauge({
      name: METRIC.poolMax,
      help: 'Most connections the pool opens (OTel db.client.connection.max).',
      labelNames: [LABEL.poolName],
      registers: [registry],
      collect() {
        read(this as Gauge<string>, (name, source) => (source.max ? source.max() : (sizes.get(name) ?? NaN)), pool);
      },
    });
    new Gauge({
      name: METRIC.poolPendingRequests,
      help: 'Requests waiting for a connection (OTel db.client.connection.pending_requests).',
      labelNames: [LABEL.poolName],
      registers: [registry],
      collect() {
        read(this as Gauge<string>, (_name, source) => source.waiting(), pool);
      },
    });
    this.waitTime = new Histogram({
      name: METRIC.poolWaitTime,
      help: 'Time it took to obtain a connection from the pool (OTel db.client.connection.wait_time).',
      labelNames: [LABEL.poolName],
      buckets: [...model.poolWaitBuckets],
      registers: [registry],
    });
    this.timeouts = new Counter({
      name: METRIC.poolTimeouts,
      help: 'Requests that gave up waiting for a connection (OTel db.client.connection.timeouts).',
      labelNames: [LABEL.poolName],
      registers: [registry],
    });
    // Every declared pool's wait series exist from start-up, so rate() has a sample before the first wait.
    for (const p of pools) {
      this.waitTime.zero(pool(p.name));
      this.timeouts.inc(pool(p.name), 0);
    }
  }

  /** Attaches a source to a declared pool; throws (at start-up) for a name the definition does not declare. */
  observe(name: string, source: PoolSource): PoolObserver {
    if (!this.sizes.has(name)) {
      const declared = [...this.sizes.keys()];
      throw new TypeError(
        `observePool(): "${String(name)}" is not a pool of the definition (capacity.pools); ${declared.length === 0 ? 'it declares none' : `declared: ${declared.map((n) => `"${n}"`).join(', ')}`}`,
      );
    }
    if (source === null || typeof source !== 'object' || typeof source.inUse !== 'function' || typeof source.idle !== 'function' || typeof source.waiting !== 'function') {
      throw new TypeError(`observePool("${name}"): the source must have inUse(), idle() and waiting() functions`);
    }
    if (this.sources.has(name)) warnOnce('adapter', `golden-signals: pool "${name}" was observed twice; the later source replaces the earlier`);
    this.sources.set(name, source);
    const labels = { [LABEL.poolName]: name };
    const waitTime = this.waitTime!;
    const timeouts = this.timeouts!;
    const observe = (seconds: number): boolean => {
      if (!(seconds >= 0 && seconds < Infinity)) {
        warnOnce('dropped', `golden-signals: pool "${name}" reported a wait of ${String(seconds)} s; dropped`);
        return false;
      }
      try {
        waitTime.observe(labels, seconds);
        return true;
      } catch (error) {
        warnOnce('adapter', `golden-signals: recording a wait of pool "${name}" failed: ${describe(error)}`);
        return false;
      }
    };
    return {
      name,
      waited: (seconds) => void observe(seconds),
      timedOut: (seconds) => {
        if (observe(seconds)) timeouts.inc(labels);
      },
    };
  }
}

/**
 * The parts of node-postgres's `Pool` (pg-pool) the adapter uses. Structural, so the shim loads without `pg`
 * installed; a `pg.Pool` is one.
 */
export interface PgPoolLike {
  /** Clients the pool holds, connecting, idle or checked out. */
  readonly totalCount: number;
  readonly idleCount: number;
  /** Callers queued for a client. */
  readonly waitingCount: number;
  readonly options?: { readonly max?: number };
  // `any`: pg's own overloads (promise and callback forms) must be assignable to it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  connect(...args: any[]): any;
}

/** The part of the shim's handle the adapters need (`instrument()` returns it). */
export interface PoolObserving {
  observePool(name: string, source: PoolSource): PoolObserver;
}

/** Marks a pool whose `connect` is already timed, so a second adapter call does not time it twice. */
const TIMED = Symbol.for('golden-signals.pg-pool-timed');

/** pg-pool's message when `connectionTimeoutMillis` passes before a client is free (pg-pool index.js). */
const PG_TIMEOUT = /timeout exceeded when trying to connect/;

/**
 * Observes a node-postgres `Pool` as the definition's pool `name`: in use (`totalCount − idleCount`), idle,
 * waiting and max from the pool's own counters at every scrape, and the wait for every client by timing the
 * pool's `connect`, which `pool.query()` calls too (pg-pool: `query()` runs `this.connect(...)`), so both
 * `pool.query(...)` and `await pool.connect()` are measured. A connect that fails with pg-pool's timeout
 * counts as a timeout; other failures (the database is down) are not pool waits and are left out.
 *
 * @example
 * import { Pool } from 'pg';
 * import { instrument, observePgPool } from 'cdk8s-golden-signals/instrument';
 * const gs = instrument(checkout);
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
 * observePgPool(gs, 'orders-db', pool);
 */
export function observePgPool(gs: PoolObserving, name: string, pool: PgPoolLike): PoolObserver {
  const observer = gs.observePool(name, {
    inUse: () => pool.totalCount - pool.idleCount,
    idle: () => pool.idleCount,
    waiting: () => pool.waitingCount,
    max: () => pool.options?.max ?? 10, // pg-pool's default max
  });
  const target = pool as PgPoolLike & { [TIMED]?: PoolObserver };
  if (target[TIMED]) return observer;
  target[TIMED] = observer;
  const original = pool.connect;
  const settle = (start: number, error: unknown) => {
    try {
      const seconds = (performance.now() - start) / 1000;
      if (error === undefined || error === null) observer.waited(seconds);
      else if (PG_TIMEOUT.test(describe(error))) observer.timedOut(seconds);
    } catch {
      // observer methods do not throw; nothing may reach the app from here either way.
    }
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  target.connect = function timedConnect(this: unknown, ...args: any[]) {
    const start = performance.now();
    const callback = args[0];
    if (typeof callback === 'function') {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return original.call(this, (error: unknown, ...rest: any[]) => {
        settle(start, error);
        return callback(error, ...rest);
      });
    }
    const result = original.apply(this, args);
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      // A branch of its own: the caller's promise rejects as before; this one only records.
      result.then(
        () => settle(start, undefined),
        (error: unknown) => settle(start, error),
      );
    }
    return result;
  };
  return observer;
}
