/**
 * The pool-sizing arithmetic checked at synth time: a fleet of pods must not open more connections than the
 * database accepts (an error naming both numbers and the fixes), and a pool far above what Little's law
 * needs at the declared capacity is worth a warning.
 */
import { compressTime, resolveService, ServiceDefinitionError, sharedDatabaseProblems } from '../../src/model';
import type { ServiceDefinition } from '../../src/spec';
import type { DatabasePool, ResourcePool } from '../../src/spec/pools';

function service(pools: ResourcePool[], extra: Partial<ServiceDefinition> = {}): ServiceDefinition {
  return {
    name: 'checkout',
    namespace: 'shop',
    team: 'payments',
    metrics: { port: 9464 },
    slos: { latency: { objective: 99, threshold: '300ms' } },
    capacity: { requestsPerSecond: 250, pools },
    scaling: { minReplicas: 3, maxReplicas: 30 },
    ...extra,
  };
}

function problems(definition: ServiceDefinition): string[] {
  try {
    resolveService(definition);
    return [];
  } catch (e) {
    if (e instanceof ServiceDefinitionError) return e.problems.map((p) => `${p.field}: ${p.allowed}`);
    throw e;
  }
}

const orders = (size: number, maxConnections = 400, extra: Partial<DatabasePool> = {}): DatabasePool => ({
  kind: 'database',
  name: 'orders-db',
  size,
  holdTime: '20ms',
  callsPerRequest: 2,
  connectsTo: { name: 'orders', maxConnections },
  ...extra,
});

describe('maxReplicas × pool size must fit in what the database accepts', () => {
  it('rejects 30 replicas × 20 connections against a database of 400, naming both numbers and the three fixes', () => {
    expect(problems(service([orders(20)]))).toEqual([
      'capacity.pools[0].size: 30 replicas (scaling.maxReplicas) × 20 connections (pool orders-db) = 600 connections, but database "orders" accepts 400 (connectsTo.maxConnections). ' +
        'Fix one of: fewer replicas (scaling.maxReplicas at most 20), a smaller pool (size at most 13), or a pooler such as PgBouncer in front of the database ' +
        '(transaction pooling: many client connections share few server connections; give its max_client_conn as maxConnections)',
    ]);
  });

  it('accepts a fleet that fills the database exactly (30 × 10 = 300 of 300)', () => {
    expect(problems(service([orders(10, 300)]))).toEqual([]);
  });

  it('adds up the pools of one service that connect to the same database', () => {
    const readOnly: DatabasePool = { ...orders(5, 400), name: 'orders-ro' };
    expect(problems(service([orders(10, 400), readOnly]))).toEqual([
      expect.stringMatching(/^capacity\.pools\[0\]\.size: 30 replicas \(scaling\.maxReplicas\) × \(10 \(orders-db\) \+ 5 \(orders-ro\)\) connections = 450 connections, but database "orders" accepts 400 .*size at most 8\)/),
    ]);
  });

  it('without a scaling policy assumes one replica and says so', () => {
    expect(problems(service([orders(20, 10)], { scaling: undefined }))).toEqual([
      expect.stringContaining('1 replica (assumed: no scaling policy gives maxReplicas) × 20 connections (pool orders-db) = 20 connections, but database "orders" accepts 10'),
    ]);
  });

  it('leaves a pool without connectsTo unchecked', () => {
    expect(problems(service([{ kind: 'database', name: 'orders-db', size: 500 }]))).toEqual([]);
  });

  it('adds up services that share a database across the fleet', () => {
    const a = resolveService(service([orders(10, 400)]));
    const b = resolveService({ ...service([orders(5, 400)]), name: 'refunds', scaling: { minReplicas: 2, maxReplicas: 20 } });
    // 30 × 10 + 20 × 5 = 400: exactly full, fits.
    expect(sharedDatabaseProblems([a, b])).toEqual([]);
    const c = resolveService({ ...service([orders(6, 400)]), name: 'refunds', scaling: { minReplicas: 2, maxReplicas: 20 } });
    expect(sharedDatabaseProblems([a, c])).toEqual([
      'database "orders" accepts 400 connections, but the services sharing it hold checkout 30 × 10 + refunds 20 × 6 = 420 at their maxReplicas: lower maxReplicas or pool sizes, or put a pooler such as PgBouncer in front',
    ]);
  });
});

describe("a pool far above what Little's law needs is a warning, not an error", () => {
  it.each<[string, DatabasePool, string | undefined]>([
    ['a pool of 10 for 10 in use (250 req/s × 2 × 20ms)', orders(10), undefined],
    ['a pool of 20 for 10 in use: twice the need, no more', orders(20), undefined],
    ['a pool of 21 for 10 in use: past twice the need', orders(21), expect.stringContaining('a size of about 20 would do') as unknown as string],
    [
      'a pool of 50 for 10 in use',
      orders(50, 2000),
      'is far above what one pod needs at its declared capacity: 250 req/s × 2 calls per request × 20ms held = 10 connections in use on average (Little\'s law). Idle connections still cost the database a backend each and throughput falls once connections outnumber what it can run at once (HikariCP "About Pool Sizing"); a size of about 20 would do',
    ],
    [
      'a pool of 200 where the latency threshold stands in for the hold time (250 × 1 × 300ms = 75)',
      { kind: 'database', name: 'orders-db', size: 200 },
      expect.stringContaining("250 req/s × 1 call per request × 300ms held (the latency threshold: holdTime not set) = 75 connections in use on average (Little's law)") as unknown as string,
    ],
    [
      'a pool of 4 for 10 in use, with the hold time declared',
      orders(4),
      "is below what one pod needs at its declared capacity: 250 req/s × 2 calls per request × 20ms held = 10 connections in use on average (Little's law). Requests will queue for connections before the pod reaches capacity.requestsPerSecond",
    ],
  ])('%s', (_title, pool, message) => {
    const model = resolveService(service([pool], { scaling: undefined }));
    expect(model.warnings).toEqual(message === undefined ? [] : [{ field: 'capacity.pools[0].size', value: pool.size, message }]);
  });

  it('says nothing without a declared request rate: there is no load to size against', () => {
    const model = resolveService({ ...service([orders(500, 100_000)], { scaling: undefined }), capacity: { pools: [orders(500, 100_000)] } });
    expect(model.warnings).toEqual([]);
    expect(model.capacity.pools[0].unitsNeeded).toBeUndefined();
  });
});

describe('every kind of pool is sized by the same arithmetic, with advice in its own words', () => {
  const warnings = (pool: ResourcePool) => resolveService(service([pool])).warnings.map((w) => `${w.field}: ${w.message}`);

  it.each<[string, ResourcePool, string]>([
    [
      'an HTTP agent of 100 sockets for 20 busy (250 req/s × 80ms)',
      { kind: 'http-client', name: 'payments-api', size: 100, holdTime: '80ms' },
      "capacity.pools[0].size: is far above what one pod needs at its declared capacity: 250 req/s × 1 call per request × 80ms held = 20 sockets in use on average (Little's law). Every socket is a connection the upstream must hold, and a burst can open them all at once; a size of about 40 would do",
    ],
    [
      'a worker pool of 16 threads for a task in one request of ten (250 req/s × 0.1 × 40ms = 1)',
      { kind: 'worker', name: 'render', size: 16, holdTime: '40ms', callsPerRequest: 0.1 },
      "capacity.pools[0].size: is far above what one pod needs at its declared capacity: 250 req/s × 0.1 calls per request × 40ms held = 1 worker in use on average (Little's law). Each idle worker thread still holds its own V8 heap (tens of MB), and more busy threads than cores only share the cores; a size of about 2 would do",
    ],
    [
      'a worker pool of 2 threads for 10 busy',
      { kind: 'worker', name: 'render', size: 2, holdTime: '40ms' },
      "capacity.pools[0].size: is below what one pod needs at its declared capacity: 250 req/s × 1 call per request × 40ms held = 10 workers in use on average (Little's law). Requests will queue for workers before the pod reaches capacity.requestsPerSecond",
    ],
  ])('warns about %s', (_what, pool, message) => {
    expect(warnings(pool)).toEqual([message]);
  });

  it('adds up services sharing an upstream across the fleet, calling it an upstream', () => {
    const api = (size: number) => ({ kind: 'http-client' as const, name: 'payments-api', size, connectsTo: { name: 'payments', maxConnections: 1000 } });
    const a = resolveService(service([api(20)]));
    const b = resolveService({ ...service([api(25)]), name: 'refunds', scaling: { minReplicas: 2, maxReplicas: 20 } });
    expect(sharedDatabaseProblems([a, b])).toEqual([
      'upstream "payments" accepts 1000 connections, but the services sharing it hold checkout 30 × 20 + refunds 20 × 25 = 1100 at their maxReplicas: lower maxReplicas or pool sizes, or put a multiplexing proxy in front',
    ]);
  });

  it('checks an http-client pool against its upstream like a database pool, offering a proxy instead of PgBouncer', () => {
    expect(problems(service([{ kind: 'http-client', name: 'payments-api', size: 40, connectsTo: { name: 'payments', maxConnections: 1000 } }]))).toEqual([
      expect.stringMatching(/30 replicas \(scaling.maxReplicas\) × 40 connections \(pool payments-api\) = 1200 connections, but upstream "payments" accepts 1000 .* or a proxy in front of the upstream/),
    ]);
  });
});

describe('the resolved pool', () => {
  it('carries its defaults and the connections Little\'s law needs', () => {
    expect(resolveService(service([orders(10)])).capacity.pools).toEqual([
      { kind: 'database', name: 'orders-db', size: 10, inUseOfSize: 0.9, maxWaitSeconds: 0.1, unitsNeeded: 10, connectsTo: { name: 'orders', maxConnections: 400 } },
    ]);
  });

  it('puts every maxWait and the latency threshold among the wait-time buckets', () => {
    const model = resolveService(service([orders(10, 400, { maxWait: '40ms' })]));
    expect(model.poolWaitBuckets).toEqual(expect.arrayContaining([0.04, 0.3]));
    expect([...model.poolWaitBuckets].sort((a, b) => a - b)).toEqual(model.poolWaitBuckets);
  });

  it('has its alerts\' waits compressed with every other timing in a time-compressed model', () => {
    const model = compressTime(resolveService(service([orders(10)])), 60, { scrapeIntervalMs: 1000, evaluationIntervalMs: 1000 });
    expect([model.timings.poolNearExhaustionForMs, model.timings.poolWaitSlowForMs, model.timings.poolWaitBreaksLatencyForMs]).toEqual([5000, 5000, 15000]);
  });
});
