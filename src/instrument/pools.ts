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
import type { PoolModel, ServiceModel } from '../model/types';
import { POOL_SERIES } from '../signals/contract';
import type { ResourcePoolKind } from '../spec/pools';
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
  /**
   * Starts timing one wait; call the returned function once the request has its unit.
   * @example const got = jobs.startWait(); await queue.take(); got();
   */
  startWait(): () => void;
}

/** The instruments of one pool kind: gauges read from the attached sources, and the wait histogram and timeouts. */
interface KindInstruments {
  readonly waitTime: Histogram<string>;
  readonly timeouts: Counter<string>;
}

/** The pool series of one shim: collectors over every declared pool, and the sources the app attached. */
export class PoolMetrics {
  private readonly sources = new Map<string, PoolSource>();
  private readonly declared: ReadonlyMap<string, PoolModel>;
  private readonly instruments = new Map<ResourcePoolKind, KindInstruments>();

  constructor(model: ServiceModel, registry: Registry) {
    const pools = model.capacity.pools;
    this.declared = new Map(pools.map((p) => [p.name, p]));
    for (const kind of [...new Set(pools.map((p) => p.kind))]) {
      this.instruments.set(kind, this.register(kind, model, registry));
    }
    // Every declared pool's wait series exist from start-up, so rate() has a sample before the first wait.
    for (const p of pools) {
      const { waitTime, timeouts } = this.instruments.get(p.kind)!;
      const labels = { [POOL_SERIES[p.kind].nameLabel]: p.name };
      waitTime.zero(labels);
      timeouts.inc(labels, 0);
    }
  }

  /** The collectors of one kind's series, reading only the attached sources of that kind's pools. */
  private register(kind: ResourcePoolKind, model: ServiceModel, registry: Registry): KindInstruments {
    const s = POOL_SERIES[kind];
    const sources = this.sources;
    const declared = this.declared;
    const ofKind = function* (): Generator<[string, PoolSource]> {
      for (const [name, source] of sources) if (declared.get(name)?.kind === kind) yield [name, source];
    };
    const pool = (name: string) => ({ [s.nameLabel]: name });
    /** Sets one value per attached source; a throw or a non-number skips that pool for this scrape. */
    const read = (gauge: Gauge<string>, value: (name: string, source: PoolSource) => number, labels: (name: string) => Record<string, string>) => {
      for (const [name, source] of ofKind()) {
        try {
          const v = value(name, source);
          if (Number.isFinite(v)) gauge.set(labels(name), v);
          else warnOnce('adapter', `golden-signals: pool "${name}" reported ${String(v)}, not a number; skipped for this scrape`);
        } catch (error) {
          warnOnce('adapter', `golden-signals: reading pool "${name}" failed: ${describe(error)}`);
        }
      }
    };
    new Gauge({
      name: s.count,
      help: `The pool's ${s.units} by state (${s.state.used}, ${s.state.idle}).`,
      labelNames: [s.nameLabel, s.stateLabel],
      registers: [registry],
      collect() {
        this.reset();
        read(this as Gauge<string>, (_name, source) => source.inUse(), (name) => ({ ...pool(name), [s.stateLabel]: s.state.used }));
        read(this as Gauge<string>, (_name, source) => source.idle(), (name) => ({ ...pool(name), [s.stateLabel]: s.state.idle }));
      },
    });
    new Gauge({
      name: s.max,
      help: `Most ${s.units} the pool holds.`,
      labelNames: [s.nameLabel],
      registers: [registry],
      collect() {
        this.reset();
        read(this as Gauge<string>, (name, source) => (source.max ? source.max() : (declared.get(name)?.size ?? NaN)), pool);
      },
    });
    new Gauge({
      name: s.pending,
      help: `Requests waiting for the pool's ${s.units} now.`,
      labelNames: [s.nameLabel],
      registers: [registry],
      collect() {
        this.reset();
        read(this as Gauge<string>, (_name, source) => source.waiting(), pool);
      },
    });
    return {
      waitTime: new Histogram({
        name: s.waitTime,
        help: `Time it took to obtain one of the pool's ${s.units}, in seconds.`,
        labelNames: [s.nameLabel],
        buckets: [...model.poolWaitBuckets],
        registers: [registry],
      }),
      timeouts: new Counter({
        name: s.timeouts,
        help: `Requests that gave up waiting for one of the pool's ${s.units}.`,
        labelNames: [s.nameLabel],
        registers: [registry],
      }),
    };
  }

  /** Attaches a source to a declared pool; throws (at start-up) for a name the definition does not declare. */
  observe(name: string, source: PoolSource): PoolObserver {
    const declared = this.declared.get(name);
    if (declared === undefined) {
      const names = [...this.declared.keys()];
      throw new TypeError(`observePool(): "${String(name)}" is not a pool of the definition (capacity.pools); ${names.length === 0 ? 'it declares none' : `declared: ${names.map((n) => `"${n}"`).join(', ')}`}`);
    }
    if (source === null || typeof source !== 'object' || typeof source.inUse !== 'function' || typeof source.idle !== 'function' || typeof source.waiting !== 'function') {
      throw new TypeError(`observePool("${name}"): the source must have inUse(), idle() and waiting() functions`);
    }
    if (this.sources.has(name)) warnOnce('adapter', `golden-signals: pool "${name}" was observed twice; the later source replaces the earlier`);
    this.sources.set(name, source);
    const labels = { [POOL_SERIES[declared.kind].nameLabel]: name };
    const { waitTime, timeouts } = this.instruments.get(declared.kind)!;
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
      startWait: () => {
        const start = performance.now();
        return () => void observe((performance.now() - start) / 1000);
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
  readonly model: { readonly capacity: { readonly pools: readonly Pick<PoolModel, 'name' | 'kind' | 'size'>[] } };
  observePool(name: string, source: PoolSource): PoolObserver;
}

/**
 * Throws (at start-up, before the adapter attaches anything) when the definition declares `name` as another
 * kind of pool: its series would carry the wrong names and the wrong alerts would watch it. An undeclared name
 * is left to `observePool`, which lists the declared ones.
 */
function expectKind(gs: PoolObserving, adapter: string, name: string, kind: ResourcePoolKind): void {
  const declared = gs.model.capacity.pools.find((p) => p.name === name);
  if (declared !== undefined && declared.kind !== kind) {
    throw new TypeError(`${adapter}(gs, "${name}"): the definition declares "${name}" with kind "${declared.kind}" (capacity.pools), not "${kind}"; use the adapter of its kind or change its kind`);
  }
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
  expectKind(gs, 'observePgPool', name, 'database');
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

/**
 * The parts of a Node `http.Agent` (or `https.Agent`) the adapter uses: its per-origin socket lists and request
 * queues (keyed `host:port:...`), `maxSockets`, and `addRequest`, which every `http.request` through the agent
 * calls once (node lib/_http_client.js).
 */
export interface HttpAgentLike {
  readonly sockets: Readonly<Record<string, readonly unknown[] | undefined>>;
  readonly freeSockets: Readonly<Record<string, readonly unknown[] | undefined>>;
  readonly requests: Readonly<Record<string, readonly unknown[] | undefined>>;
  readonly maxSockets: number;
  /**
   * Node's own (undocumented, so absent from @types/node, but called by every `http.request` since Node 0.x).
   * Without it the adapter still exports the counts, and no wait times.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  addRequest?(req: any, options: any, ...rest: any[]): any;
}

/** Marks an agent whose `addRequest` is already timed. */
const AGENT_TIMED = Symbol.for('golden-signals.http-agent-timed');

const countAll = (lists: Readonly<Record<string, readonly unknown[] | undefined>>): number => Object.values(lists).reduce((n, l) => n + (l?.length ?? 0), 0);

/**
 * Observes a Node `http.Agent` as the definition's `http-client` pool `name`: sockets in use (`agent.sockets`),
 * idle keep-alive sockets (`agent.freeSockets`), requests queued for a socket (`agent.requests`) and
 * `maxSockets` at every scrape, and each request's time in the agent's queue, from `addRequest` to its
 * `socket` event. Only this agent is wrapped, never `http.globalAgent` unless it is the one passed. Give the
 * agent its own upstream: `maxSockets` applies per origin, so an agent shared by several hosts holds up to
 * `maxSockets` for each.
 *
 * @example
 * import { Agent } from 'node:https';
 * const payments = new Agent({ keepAlive: true, maxSockets: 24 });
 * observeHttpAgent(gs, 'payments-api', payments);
 * await fetchJson('https://payments.internal/charge', { agent: payments });
 */
export function observeHttpAgent(gs: PoolObserving, name: string, agent: HttpAgentLike): PoolObserver {
  expectKind(gs, 'observeHttpAgent', name, 'http-client');
  const observer = gs.observePool(name, {
    inUse: () => countAll(agent.sockets),
    idle: () => countAll(agent.freeSockets),
    waiting: () => countAll(agent.requests),
    // An agent without a limit (Infinity, Node's default) has no max to export: fall back to the declared size.
    ...(Number.isFinite(agent.maxSockets) ? { max: () => agent.maxSockets } : {}),
  });
  const target = agent as HttpAgentLike & { [AGENT_TIMED]?: PoolObserver };
  const original = agent.addRequest;
  if (target[AGENT_TIMED] || typeof original !== 'function') {
    if (typeof original !== 'function') warnOnce('adapter', `golden-signals: observeHttpAgent("${name}"): the agent has no addRequest(); its sockets are exported, its queue waits are not`);
    return observer;
  }
  target[AGENT_TIMED] = observer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  target.addRequest = function timedAddRequest(this: unknown, req: any, ...rest: any[]) {
    try {
      if (req !== null && typeof req === 'object' && typeof req.once === 'function') req.once('socket', observer.startWait());
    } catch {
      // Timing is best effort; the request goes on untouched.
    }
    return (original as (...args: unknown[]) => unknown).apply(this, [req, ...rest]);
  };
  return observer;
}

/** What the shim reads from a worker pool at every scrape. */
export interface WorkerPoolLike {
  /** Workers running a task now. */
  busy(): number;
  /** Tasks waiting for a free worker now. */
  queued(): number;
  /** Workers the pool holds now (busy or idle). @default the pool's `size` in the definition */
  threads?(): number;
}

/**
 * Observes a pool of worker threads as the definition's `worker` pool `name` (piscina, workerpool or your own):
 * busy and idle workers and queued tasks at every scrape. Time each task's wait with the returned observer's
 * `startWait()` when it is queued; call its result when a worker picks the task up.
 *
 * @example
 * // A pool of 4 worker_threads with a task queue (workers, busy and queue are the app's own).
 * const render = observeWorkerPool(gs, 'pdf-render', { busy: () => busy.size, queued: () => queue.length, threads: () => workers.length });
 * const picked = render.startWait();   // when the task is queued
 * picked();                             // when a worker takes it
 */
export function observeWorkerPool(gs: PoolObserving, name: string, pool: WorkerPoolLike): PoolObserver {
  expectKind(gs, 'observeWorkerPool', name, 'worker');
  const declared = gs.model.capacity.pools.find((p) => p.name === name);
  const threads = () => (pool.threads ? pool.threads() : (declared?.size ?? NaN));
  return gs.observePool(name, {
    inUse: () => pool.busy(),
    idle: () => Math.max(0, threads() - pool.busy()),
    waiting: () => pool.queued(),
  });
}
