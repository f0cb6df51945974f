import { fleet } from '../../examples/services';
import { resolveService, ServiceDefinitionError } from '../../src/model';
import { serviceRules } from '../../src/rules';
import type { ServiceDefinition } from '../../src/spec';

/**
 * A plain-JavaScript caller (or a definition parsed from YAML or JSON) can pass anything. Whatever it passes,
 * resolveService returns a model or throws a ServiceDefinitionError: never a TypeError, a RangeError or a
 * model that breaks the rule generation later.
 */

/** Values that are wrong almost everywhere, in the ways JavaScript values go wrong. */
const BAD_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ['0', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['99n', 99n],
  ['true', true],
  ['false', false],
  ['""', ''],
  ['"x"', 'x'],
  ['a 100 000-character string', 'x'.repeat(100_000)],
  ['[]', []],
  ['[null]', [null]],
  ['["x", 1]', ['x', 1]],
  ['{}', {}],
  ['{ a: 1 }', { a: 1 }],
  ['{ __proto__ key }', JSON.parse('{"__proto__": {"polluted": true}}')],
  ['a function', () => 1],
  ['a symbol', Symbol('s')],
  ['a Date', new Date(0)],
  // Strings that are wrong only for one kind of field: a URL, a cron expression, a zone, a path, a route.
  ['a URL with credentials', 'http://user:secret@host:9090'],
  ['a javascript: URL', 'javascript:alert(1)'],
  ['a cron expression out of range', '61 25 * * *'],
  ['a misspelt time zone', 'Europe/Berlinn'],
  ['a path with a query string', '/metrics?x'],
  ['routes of one shape', ['/orders/:id', '/orders/:key/']],
];

/**
 * A definition with every field of every type set, so that each field is replaced somewhere (the examples
 * leave most optional fields out). Two scalings: one per autoscaler kind, each with every metric type.
 */
const everyField = {
  name: 'everything',
  namespace: 'shop',
  team: 'payments',
  kind: 'http',
  metrics: { port: 9464, path: '/metrics', portName: 'metrics', scrapeInterval: '30s', serviceSelector: { 'app.kubernetes.io/name': 'everything' } },
  slos: {
    availability: {
      objective: 99.9,
      window: '30d',
      minEvents: 'auto',
      burnTiers: { fast: { longWindow: '1h', shortWindow: '5m', budgetConsumed: 2, for: '2m', severity: 'page' }, medium: false, slow: {}, longterm: { budgetConsumed: 10 } },
    },
    latency: { objective: 99, threshold: '300ms', window: '28d', minEvents: 10, burnTiers: { slow: false } },
  },
  errors: { statusCodes: ['5xx', 429] },
  routes: ['/a', '/b/:id', '/files/*'],
  traffic: { noTrafficFor: '10m', dropBelowLastWeek: 0.5, dropMinRequestsPerSecond: 1 },
  capacity: { requestsPerSecond: 100, concurrentRequests: 10 },
  saturation: { container: 'app', cpuOfLimit: 0.9, cpuOfRequest: 1, memoryOfLimit: 0.9, eventLoopUtilization: 0.9, eventLoopDelayP99: '500ms', inFlightOfLimit: 0.9 },
  scaling: {
    minReplicas: 2,
    maxReplicas: 20,
    autoscalerName: 'everything',
    target: { kind: 'Deployment', name: 'everything' },
    metrics: [
      { type: 'cpu', averageUtilization: 70 },
      { type: 'memory', averageValue: '512Mi' },
      { type: 'requestsPerSecond', averageValue: 50 },
      { type: 'inFlightRequests' },
      { type: 'external', metric: 'queue_depth', selector: { queue: 'q' }, value: 100 },
    ],
    headroom: 0.2,
    behavior: { preset: 'spiky', scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] }, scaleDown: { selectPolicy: 'Min' } },
    autoscaler: { kind: 'hpa' },
    vpa: { mode: 'Initial', containers: [{ container: 'app', mode: 'Auto', minAllowed: { cpu: '100m', memory: '128Mi' }, maxAllowed: { cpu: '2', memory: '2Gi' }, controlledResources: ['memory'], controlledValues: 'RequestsOnly' }] },
  },
  alerting: { runbookUrl: 'https://wiki.example.com/{alert}', grafanaUrl: 'https://grafana.example.com', evaluationInterval: '1m', clusterLabel: 'cluster', labels: { tier: 'frontend' } },
  routing: {
    per: 'service',
    page: [
      { kind: 'pagerduty', routingKey: { secret: { name: 'pd', key: 'k' } }, sendResolved: true },
      { kind: 'webhook', url: { secret: { name: 'wh', key: 'url' } }, maxAlerts: 5 },
    ],
    ticket: { kind: 'email', to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:587', authUsername: 'u', authPassword: { secret: { name: 'smtp', key: 'p' } }, requireTls: true },
    timing: { page: { groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' }, ticket: { groupWait: '5m' } },
  },
};
const everyFieldKeda = {
  ...everyField,
  name: 'everything-keda',
  kind: 'worker',
  scaling: {
    minReplicas: 0,
    maxReplicas: 20,
    metrics: [{ type: 'requestsPerSecond' }, { type: 'external', metric: 'queue_depth', averageValue: 10 }],
    behavior: 'batch',
    autoscaler: {
      kind: 'keda',
      serverAddress: 'http://prometheus:9090',
      pollingIntervalSeconds: 30,
      cooldownPeriodSeconds: 300,
      activationThreshold: 1,
      schedules: [{ timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 5 }],
    },
    vpa: { mode: 'Recreate', containers: [{ container: '*', controlledResources: ['cpu', 'memory'] }] },
  },
  routing: { page: { kind: 'slack', channel: '#a', apiUrl: { secret: { name: 's', key: 'u' } } }, ticket: { kind: 'slack', channel: '#b', apiUrl: { secret: { name: 's', key: 'u' } } } },
};
const bases = [...fleet, everyField, everyFieldKeda] as readonly ServiceDefinition[];

type Path = readonly (string | number)[];

/** Every path into a value: each key of each object and each index of each array, depth first. */
function paths(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...at, k], ...paths((value as Record<string | number, unknown>)[k], [...at, k])]);
}

/** A deep copy of `value` with the value at `path` replaced (or deleted, with `undefined` on an object key). */
function replaced(value: unknown, path: Path, by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, by) : v));
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  out[head as string] = replaced(out[head as string], rest, by);
  return out;
}

/** Mulberry32: a seeded generator, so a failing random case can be reproduced from the seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly title: string;
  readonly definition: unknown;
}

function* cases(): Generator<Case> {
  for (const [title, value] of BAD_VALUES) yield { title: `the definition is ${title}`, definition: value };
  for (const example of bases) {
    for (const path of paths(example)) {
      for (const [title, value] of BAD_VALUES) yield { title: `${example.name}: ${path.join('.')} = ${title}`, definition: replaced(example, path, value) };
      // The same value one level down or up: an object where a list belongs and the other way round.
      const original = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], example);
      yield { title: `${example.name}: ${path.join('.')} wrapped in a list`, definition: replaced(example, path, [original]) };
      yield { title: `${example.name}: ${path.join('.')} wrapped in an object`, definition: replaced(example, path, { value: original }) };
    }
  }
  // Several replacements at once, at random paths of random examples.
  const next = random(18);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  for (let i = 0; i < 2000; i++) {
    const example = pick(bases);
    let definition: unknown = example;
    const steps: string[] = [];
    for (let n = 1 + Math.floor(next() * 4); n > 0; n--) {
      const available = paths(definition);
      if (available.length === 0) break;
      const path = pick(available);
      const [title, value] = pick(BAD_VALUES);
      definition = replaced(definition, path, value);
      steps.push(`${path.join('.')} = ${title}`);
    }
    yield { title: `random #${i} (${example.name}): ${steps.join(', ')}`, definition };
  }
}

describe('resolveService on any input whatsoever', () => {
  it('returns a model that generates rules, or throws a ServiceDefinitionError, and never anything else', () => {
    const failures: string[] = [];
    let count = 0;
    let rejected = 0;
    for (const c of cases()) {
      count++;
      try {
        const model = resolveService(c.definition as ServiceDefinition);
        serviceRules(model);
      } catch (e) {
        if (e instanceof ServiceDefinitionError) {
          rejected++;
          // The message is built from every problem: building it must not throw either, and it stays readable.
          if (e.message.length > 20_000) failures.push(`${c.title}: a message of ${e.message.length} characters`);
        } else failures.push(`${c.title}: ${(e as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(e)}`);
      }
    }
    console.log(`fuzz: ${count} definitions, ${rejected} rejected with a ServiceDefinitionError, ${count - rejected} accepted`);
    expect(failures.slice(0, 30)).toEqual([]);
    expect(count).toBeGreaterThan(5000);
  });
});
