/**
 * Resolution of `capacity.pools`, and the pool-sizing arithmetic checked at synth time:
 *
 * - Connection count: every pod opens its own pool, so at `maxReplicas` the service holds `maxReplicas × size`
 *   connections. More than the database accepts and it refuses connections exactly when the service scales
 *   out under load (the reference material's "5 app servers × 20 connections = 100 connections the database
 *   must accept"). An error.
 * - Little's law (L = λW): the connections a pod keeps busy on average are its request rate × database calls
 *   per request × how long a call holds a connection. A pool far above that buys nothing: HikariCP's "About
 *   Pool Sizing" and the PostgreSQL wiki ("Number Of Database Connections": `connections = cores × 2 +
 *   effective spindles` on the database side) show throughput falls once connections outnumber what the
 *   database can run at once, and every idle connection still costs a backend process. A warning.
 */
import { POOL_SERIES } from '../signals/contract';
import type { DatabaseLimit, ResourcePool, ResourcePoolKind } from '../spec/pools';
import { formatDuration } from '../spec/duration';
import { keyPath, type Problems } from './problems';
import type { DefinitionWarning, PoolModel } from './types';

/** Most pools per service: each adds a handful of series per pod and three alerts. */
export const MAX_POOLS = 16;
/** Largest pool size accepted: past it the number is a typo, not a pool. */
const MAX_POOL_SIZE = 10_000;
/** `maxWait` the definition may ask for, at most: a wait past a minute is a timeout, not a queue. */
const MAX_WAIT_MS = 60_000;
/**
 * A pool counts as far above what Little's law needs past twice the need: the mean in use is then at most half
 * the pool, which leaves room for bursts of Poisson arrivals (at a mean of 10 in use, P(more than 20) < 0.2%).
 */
export const OVERSIZE_FACTOR = 2;
/** ...and at least this many connections more than needed, so a pool of 3 for a need of 1 is not flagged. */
export const OVERSIZE_MIN_SPARE = 4;
/** Why a pool far above its need is worth shrinking, per kind. */
const OVERSIZE_COST: Readonly<Record<ResourcePoolKind, string>> = {
  database: 'Idle connections still cost the database a backend each and throughput falls once connections outnumber what it can run at once (HikariCP "About Pool Sizing")',
  'http-client': 'Every socket is a connection the upstream must hold, and a burst can open them all at once',
  worker: 'Each idle worker thread still holds its own V8 heap (tens of MB), and more busy threads than cores only share the cores',
};

/** A database name as PostgreSQL and MySQL spell them, and as a message can show it. */
const DATABASE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** What the pool resolution reads from the rest of the definition. */
export interface PoolContext {
  readonly requestsPerSecond?: number;
  /** Latency SLO threshold, the default hold time. */
  readonly latencyThresholdSeconds?: number;
  /** Replicas the pools are multiplied by, and where that number came from (for messages). */
  readonly replicas: number;
  readonly replicasFrom: string;
}

/** Resolves every pool, reporting problems to `p` and returning advice in `warnings`. */
export function resolvePools(p: Problems, pools: readonly ResourcePool[] | undefined, ctx: PoolContext, warnings: DefinitionWarning[]): PoolModel[] {
  if (pools === undefined) return [];
  if (pools.length > MAX_POOLS) p.add('capacity.pools', `${pools.length} pools`, `must list at most ${MAX_POOLS} pools`);
  const out: PoolModel[] = [];
  const seen = new Set<string>();
  pools.forEach((pool, i) => {
    const at = `capacity.pools[${i}]`;
    const kind = (pool as { kind?: unknown }).kind;
    switch (pool.kind) {
      case 'database':
      case 'http-client':
      case 'worker': {
        const name = p.dnsLabel(`${at}.name`, pool.name);
        if (name !== '' && seen.has(name)) p.add(`${at}.name`, pool.name, 'must be unique among the service\'s pools: it is the pool-name label of their series');
        seen.add(name);
        const size = p.integer(`${at}.size`, pool.size, 1, MAX_POOL_SIZE);
        const inUseOfSize = p.ratio(`${at}.inUseOfSize`, pool.inUseOfSize, 0.9);
        const maxWaitMs = p.duration(`${at}.maxWait`, pool.maxWait, '100ms');
        if (maxWaitMs > MAX_WAIT_MS) p.add(`${at}.maxWait`, pool.maxWait, 'must be at most "60s": a wait past a minute is a timeout, not a queue');
        const holdMs = pool.holdTime === undefined ? undefined : p.duration(`${at}.holdTime`, pool.holdTime, '1ms');
        const callsPerRequest = p.positive(`${at}.callsPerRequest`, pool.callsPerRequest) ?? 1;
        const connectsTo = pool.kind === 'worker' || pool.connectsTo === undefined ? undefined : resolveLimit(p, `${at}.connectsTo`, pool.connectsTo);
        const holdSeconds = holdMs === undefined ? ctx.latencyThresholdSeconds : holdMs / 1000;
        const unitsNeeded =
          ctx.requestsPerSecond === undefined || holdSeconds === undefined ? undefined : Number((ctx.requestsPerSecond * callsPerRequest * holdSeconds).toPrecision(12));
        out.push({ kind: pool.kind, name, size, inUseOfSize, maxWaitSeconds: maxWaitMs / 1000, unitsNeeded, connectsTo });
        if (unitsNeeded !== undefined && holdSeconds !== undefined && ctx.requestsPerSecond !== undefined) {
          const need = Math.ceil(unitsNeeded);
          const units = POOL_SERIES[pool.kind].units;
          const law = `${ctx.requestsPerSecond} req/s × ${callsPerRequest} call${callsPerRequest === 1 ? '' : 's'} per request × ${formatDuration(Math.round(holdSeconds * 1000))} held${holdMs === undefined ? ' (the latency threshold: holdTime not set)' : ''} = ${unitsNeeded} ${unitsNeeded === 1 ? units.replace(/s$/, '') : units} in use on average (Little's law)`;
          if (size > Math.max(OVERSIZE_FACTOR * need, need + OVERSIZE_MIN_SPARE)) {
            warnings.push({
              field: `${at}.size`,
              value: pool.size,
              message: `is far above what one pod needs at its declared capacity: ${law}. ${OVERSIZE_COST[pool.kind]}; a size of about ${Math.max(OVERSIZE_FACTOR * need, 1)} would do`,
            });
          } else if (holdMs !== undefined && size < need) {
            warnings.push({
              field: `${at}.size`,
              value: pool.size,
              message: `is below what one pod needs at its declared capacity: ${law}. Requests will queue for ${units} before the pod reaches capacity.requestsPerSecond`,
            });
          }
        }
        break;
      }
      default:
        p.add(`${at}.kind`, kind, 'must be "database" (a database client\'s connection pool), "http-client" (an HTTP agent\'s sockets to one upstream) or "worker" (a pool of worker threads)');
    }
  });
  checkConnections(p, out, ctx);
  return out;
}

/** The database a pool connects to, or undefined when its fields are wrong (reported; nothing is checked against it). */
function resolveLimit(p: Problems, at: string, limit: DatabaseLimit): DatabaseLimit | undefined {
  const before = p.list.length;
  const name = p.text(keyPath(at, 'name'), limit.name, '', DATABASE_NAME, 'must be the database\'s name: 1 to 63 letters, digits, "_", "." or "-"');
  if (limit.name === undefined) p.add(keyPath(at, 'name'), undefined, 'is required: the database\'s name, e.g. "orders"');
  const maxConnections = p.integer(keyPath(at, 'maxConnections'), limit.maxConnections, 1, 1_000_000);
  return p.list.length === before ? { name, maxConnections } : undefined;
}

/** Every pool of the service that connects to each database, with what they hold at the replica count. */
function checkConnections(p: Problems, pools: readonly PoolModel[], ctx: PoolContext): void {
  const byDatabase = new Map<string, PoolModel[]>();
  for (const pool of pools) if (pool.connectsTo && pool.connectsTo.name !== '') byDatabase.set(pool.connectsTo.name, [...(byDatabase.get(pool.connectsTo.name) ?? []), pool]);
  for (const [database, list] of byDatabase) {
    const limits = [...new Set(list.map((x) => x.connectsTo!.maxConnections))];
    const field = `capacity.pools[${pools.indexOf(list[0])}].connectsTo`;
    if (limits.length > 1) {
      p.add(`${field}.maxConnections`, limits, `must be the same for every pool connecting to "${database}": one database accepts one number of connections`);
      continue;
    }
    const perPod = list.reduce((sum, x) => sum + x.size, 0);
    const total = ctx.replicas * perPod;
    if (total > limits[0]) {
      const isDatabase = list.every((x) => x.kind === 'database');
      const fixes = [
        ...(Math.floor(limits[0] / perPod) >= 1 ? [`fewer replicas (scaling.maxReplicas at most ${Math.floor(limits[0] / perPod)})`] : []),
        `a smaller pool (size at most ${maxSizeFor(ctx, list, limits[0])})`,
        isDatabase
          ? 'a pooler such as PgBouncer in front of the database (transaction pooling: many client connections share few server connections; give its max_client_conn as maxConnections)'
          : 'a proxy in front of the upstream that multiplexes requests over fewer connections (HTTP/2, or a sidecar connection pool; give its limit as maxConnections)',
      ];
      p.add(
        `capacity.pools[${pools.indexOf(list[0])}].size`,
        list[0].size,
        `${connectionSum(ctx, list)} = ${total} connections, but ${isDatabase ? 'database' : 'upstream'} "${database}" accepts ${limits[0]} (connectsTo.maxConnections). ` +
          `Fix one of: ${fixes.slice(0, -1).join(', ')}, or ${fixes[fixes.length - 1]}`,
      );
    }
  }
}

/** "30 replicas (scaling.maxReplicas) × 20 connections (orders-db)" or with several pools "× (10 + 5)". */
function connectionSum(ctx: PoolContext, list: readonly PoolModel[]): string {
  const sizes = list.length === 1 ? `${list[0].size} connections (pool ${list[0].name})` : `(${list.map((x) => `${x.size} (${x.name})`).join(' + ')}) connections`;
  return `${ctx.replicas} replica${ctx.replicas === 1 ? '' : 's'} (${ctx.replicasFrom}) × ${sizes}`;
}

/** The largest size of the first pool that fits, the others unchanged. */
function maxSizeFor(ctx: PoolContext, list: readonly PoolModel[], limit: number): number {
  const others = list.slice(1).reduce((sum, x) => sum + x.size, 0);
  return Math.max(0, Math.floor(limit / ctx.replicas) - others);
}

/**
 * Buckets of the connection wait-time histogram: the service's duration buckets (which hold the latency
 * threshold, for the alert on waits that alone break the latency objective) plus every pool's `maxWait`,
 * so both shares are read off exact bucket boundaries.
 */
export function poolWaitBuckets(durationBuckets: readonly number[], pools: readonly Pick<PoolModel, 'maxWaitSeconds'>[]): number[] {
  return [...new Set([...durationBuckets, ...pools.map((x) => x.maxWaitSeconds)])].sort((a, b) => a - b);
}

/**
 * Databases several services share: their pools at every service's `maxReplicas` added up, against the
 * database's `maxConnections`. One service's check cannot see the others, so a fleet (the services an app
 * synthesizes together) is checked here. Returns one sentence per database that does not fit.
 */
export function sharedDatabaseProblems(
  services: ReadonlyArray<{ readonly name: string; readonly capacity: { readonly pools: readonly PoolModel[] }; readonly scaling?: { readonly maxReplicas: number } }>,
): string[] {
  const use = new Map<string, { limit: Set<number>; parts: string[]; total: number; database: boolean }>();
  for (const s of services) {
    const replicas = s.scaling?.maxReplicas ?? 1;
    for (const pool of s.capacity.pools) {
      if (!pool.connectsTo) continue;
      const u = use.get(pool.connectsTo.name) ?? { limit: new Set<number>(), parts: [], total: 0, database: true };
      u.limit.add(pool.connectsTo.maxConnections);
      u.parts.push(`${s.name} ${replicas} × ${pool.size}`);
      u.total += replicas * pool.size;
      u.database &&= pool.kind === 'database';
      use.set(pool.connectsTo.name, u);
    }
  }
  const out: string[] = [];
  for (const [target, u] of use) {
    const limits = [...u.limit];
    const what = `${u.database ? 'database' : 'upstream'} "${target}"`;
    if (limits.length > 1) out.push(`${what} is declared with different maxConnections (${limits.join(', ')}) by the services that connect to it`);
    else if (u.total > limits[0] && u.parts.length > 1) {
      out.push(
        `${what} accepts ${limits[0]} connections, but the services sharing it hold ${u.parts.join(' + ')} = ${u.total} at their maxReplicas: lower maxReplicas or pool sizes, or put ${u.database ? 'a pooler such as PgBouncer' : 'a multiplexing proxy'} in front`,
      );
    }
  }
  return out;
}
