import { checkout, mailer } from '../../examples/services';
import { resolveService, ServiceDefinitionError } from '../../src/model';
import { compileRoutes } from '../../src/instrument/routes';
import { serviceRules } from '../../src/rules';
import { horizontalPodAutoscaler } from '../../src/scaling/manifests';
import type { ServiceDefinition } from '../../src/spec';

/**
 * No bad definition produces wrong output, a TypeError or a silently ignored typo: each case below is a
 * definition that used to do one of those, and now fails with every problem named by field, value and what
 * is allowed.
 */

/** The problems of a definition as `field: got …; allowed` lines, as the error message lists them. */
function problemLines(definition: unknown): string[] {
  try {
    resolveService(definition as ServiceDefinition);
  } catch (e) {
    if (e instanceof ServiceDefinitionError) return e.message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
    throw e;
  }
  return [];
}

/** Every case of this file is one bad (or edge) input; the count is printed so the suite's size is on record. */
let cases = 0;
beforeEach(() => {
  cases++;
});
afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`hardening: ${cases} bad-input and edge cases, each asserting the exact problems or the exact output`);
});

const base = {
  name: 'checkout',
  namespace: 'shop',
  team: 'payments',
  metrics: { port: 9464 },
  slos: { availability: { objective: 99.9 } },
};
const keda = { kind: 'keda', serverAddress: 'http://prometheus:9090' };

/** `base` with the top-level keys of `patch` replaced (a key set to undefined is removed). */
function def(patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base, ...patch };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

describe('alerting.labels cannot override the labels that route and identify an alert', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['severity, which would turn every page into a ticket', { severity: 'info' }, 'alerting.labels.severity: got "severity"; is set by every generated alert'],
    ['service, which would misroute the alert', { service: 'other' }, 'alerting.labels.service: got "service"; is set by every generated alert'],
    ['namespace, which would misroute the alert', { namespace: 'other' }, 'alerting.labels.namespace: got "namespace"'],
    ['team', { team: 'other' }, 'alerting.labels.team: got "team"'],
    ['signal', { signal: 'x' }, 'alerting.labels.signal: got "signal"'],
    ['slo', { slo: 'x' }, 'alerting.labels.slo: got "slo"'],
    ['burn_tier', { burn_tier: 'x' }, 'alerting.labels.burn_tier: got "burn_tier"'],
    ['alertname', { alertname: 'x' }, 'alerting.labels.alertname: got "alertname"'],
    ['job', { job: 'x' }, 'alerting.labels.job: got "job"'],
    ['container, which the saturation alerts keep from their expression', { container: 'x' }, 'alerting.labels.container: got "container"'],
    ['__name__, a name Prometheus reserves', { __name__: 'x' }, 'alerting.labels.__name__: got "__name__"; is set by every generated alert (or reserved by Prometheus, "__" names)'],
    ['a __proto__ key, which would reach the YAML', JSON.parse('{"__proto__": "x"}'), 'alerting.labels.__proto__: got "__proto__"'],
    ['a label name with a dash', { 'cost-center': 'x' }, 'alerting.labels["cost-center"]: got "cost-center"; must be a Prometheus label name'],
    ['a number as a label value', { tier: 1 }, 'alerting.labels.tier: got 1; must be a string label value'],
    ['a list as a label value', { tier: ['a'] }, 'alerting.labels.tier: got ["a"]; must be a string label value'],
  ])('rejects a label named %s', (_title, labels, line) => {
    expect(problemLines(def({ alerting: { labels } }))).toEqual([expect.stringContaining(line)]);
  });

  it('rejects the cluster label too, when one is configured', () => {
    expect(problemLines(def({ alerting: { clusterLabel: 'cluster', labels: { cluster: 'eu-1' } } }))).toEqual([
      expect.stringContaining('alerting.labels.cluster: got "cluster"; is set by every generated alert'),
    ]);
  });

  it('accepts a label of its own and puts it on every alert', () => {
    const rules = serviceRules(resolveService(def({ alerting: { labels: { tier: 'frontend' } } }) as unknown as ServiceDefinition));
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => 'alert' in r);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) expect(a.labels).toMatchObject({ tier: 'frontend', severity: expect.stringMatching(/^(page|ticket)$/) });
  });
});

describe('an unknown or misspelt key is an error that suggests the key meant', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['slo for slos, which left the service without SLO alerts', { slos: undefined, slo: { availability: { objective: 99.9 } } }, ['slo: got unknown key; did you mean "slos"?']],
    ['capacty for capacity', { capacty: { requestsPerSecond: 10 } }, ['capacty: got unknown key; did you mean "capacity"?']],
    ['scaling.minReplica', { scaling: { minReplica: 2, maxReplicas: 10 } }, ['scaling.minReplica: got unknown key; did you mean "minReplicas"?']],
    ['metrics.scrapeIntervall', { metrics: { port: 9464, scrapeIntervall: '1m' } }, ['metrics.scrapeIntervall: got unknown key; did you mean "scrapeInterval"?']],
    ['errors.statusCode', { errors: { statusCode: [429] } }, ['errors.statusCode: got unknown key; did you mean "statusCodes"?']],
    [
      'metric for the required metrics: both the typo and the missing key',
      { metrics: undefined, metric: { port: 9464 } },
      ['metric: got unknown key; did you mean "metrics"?', 'metrics: got nothing; is required: { port } of the metrics endpoint'],
    ],
    ['a key in a burn tier', { slos: { availability: { objective: 99.9, burnTiers: { fast: { longwindow: '2h' } } } } }, ['slos.availability.burnTiers.fast.longwindow: got unknown key; did you mean "longWindow"?']],
    ['a key of a latency SLO on an availability SLO', { slos: { availability: { objective: 99.9, threshold: '300ms' } } }, ['slos.availability.threshold: got unknown key; allowed: "objective", "window", "burnTiers", "minEvents"']],
    ['a key of another metric type', { scaling: { maxReplicas: 10, metrics: [{ type: 'cpu', averageUtilisation: 70 }] } }, ['scaling.metrics[0].averageUtilisation: got unknown key; did you mean "averageUtilization"?', 'scaling.metrics[0]: got {"type":"cpu","averageUtilisation":70}; a cpu or memory metric needs exactly one target: averageUtilization (percent of requests) or averageValue (a quantity per pod)']],
    ['a key in a KEDA schedule', { scaling: { maxReplicas: 10, autoscaler: { ...keda, schedules: [{ timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', desiredReplica: 2 }] } } }, ['scaling.autoscaler.schedules[0].desiredReplica: got unknown key; did you mean "desiredReplicas"?', 'scaling.autoscaler.schedules[0].desiredReplicas: got nothing; must be a whole number from 1 to 10000']],
    ['a key in a VPA container policy', { scaling: { maxReplicas: 10, vpa: { containers: [{ container: 'checkout', maxAllowed: { cpu: '1', memroy: '1Gi' } }] } } }, ['scaling.vpa.containers[0].maxAllowed.memroy: got unknown key; did you mean "memory"?']],
    ['a key in a behavior direction', { scaling: { maxReplicas: 10, behavior: { scaleUp: { stabilizationWindow: 60 } } } }, ['scaling.behavior.scaleUp.stabilizationWindow: got unknown key; did you mean "stabilizationWindowSeconds"?']],
    ['a key in a routing timing', { routing: { page: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } }, ticket: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } }, timing: { page: { groupwait: '1m' } } } }, ['routing.timing.page.groupwait: got unknown key (its value is redacted); did you mean "groupWait"?']],
    ['a key in a Secret reference', { routing: { page: { kind: 'webhook', url: { secret: { name: 'w', key: 'u', namespace: 'x' } } }, ticket: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } } } }, ['routing.page.url.secret.namespace: got unknown key (its value is redacted); allowed: "name", "key"']],
    ['a word that is no key at all, with the allowed keys', { owner: 'me' }, ['owner: got unknown key; allowed: "name", "namespace", "team", "kind", "metrics", "slos", "journeys", "errors", "routes", "traffic", "capacity", "saturation", "scaling", "alerting", "budgetPolicy", "routing"']],
  ])('rejects %s', (_title, patch, lines) => {
    expect(problemLines(def(patch))).toEqual(lines);
  });
});

describe('a value of the wrong type is one definition error, never a TypeError or silently ignored', () => {
  it.each<[string, unknown, string[]]>([
    ['routes as a string', def({ routes: '/cart' }), ['routes: got "/cart"; must be a list']],
    ['routes as an object', def({ routes: {} }), ['routes: got {}; must be a list']],
    ['scaling.behavior null', def({ scaling: { maxReplicas: 10, behavior: null } }), ['scaling.behavior: got null; must not be null: give a value, or leave an optional key out for its default']],
    ['scaling.vpa null', def({ scaling: { maxReplicas: 10, vpa: null } }), ['scaling.vpa: got null; must not be null: give a value, or leave an optional key out for its default']],
    ['a null VPA container policy', def({ scaling: { maxReplicas: 10, vpa: { containers: [null] } } }), ['scaling.vpa.containers[0]: got null; must be an object { container, mode, minAllowed, maxAllowed, controlledResources, controlledValues }']],
    ['a null KEDA schedule', def({ scaling: { maxReplicas: 10, autoscaler: { ...keda, schedules: [null] } } }), ['scaling.autoscaler.schedules[0]: got null; must be an object { timezone, start, end, desiredReplicas }']],
    ['an undefined KEDA schedule', def({ scaling: { maxReplicas: 10, autoscaler: { ...keda, schedules: [undefined] } } }), ['scaling.autoscaler.schedules[0]: got nothing; must be an object { timezone, start, end, desiredReplicas }']],
    [
      'KEDA schedules as one object instead of a list',
      def({ scaling: { maxReplicas: 10, autoscaler: { ...keda, schedules: { timezone: 'UTC', start: '0 8 * * *', end: '0 9 * * *', desiredReplicas: 2 } } } }),
      ['scaling.autoscaler.schedules: got {"timezone":"UTC","start":"0 8 * * *","end":"0 9 * * *","desiredReplicas":2}; must be a list of objects { timezone, start, end, desiredReplicas }'],
    ],
    ['a number as a service selector value', def({ metrics: { port: 9464, serviceSelector: { app: 123 } } }), ['metrics.serviceSelector.app: got 123; must be a string label value']],
    ['slos as a string: one problem, not one per character', def({ slos: 'availability' }), ['slos: got "availability"; must be an object { availability, latency }']],
    ['a null definition', null, ['definition: got null; must be a service definition object { name, namespace, team, kind, metrics, slos, journeys, errors, routes, traffic, capacity, saturation, scaling, alerting, budgetPolicy, routing }']],
    ['a list as the definition', [base], [expect.stringMatching(/^definition: got \[\{"name":"checkout",.*; must be a service definition object/)]],
    ['a number where an object belongs', def({ capacity: 5 }), ['capacity: got 5; must be an object { requestsPerSecond, concurrentRequests, pools }']],
    ['a Date where an object belongs', def({ traffic: new Date(0) }), ['traffic: got {}; must be an object { noTrafficFor, dropBelowLastWeek, dropMinRequestsPerSecond }']],
    ['a burn tier turned off with a string', def({ slos: { availability: { objective: 99.9, burnTiers: { fast: 'off' } } } }), ['slos.availability.burnTiers.fast: got "off"; must be false (the tier off) or an object { longWindow, shortWindow, budgetConsumed, for, severity }']],
    ['a behavior direction given as a preset name', def({ scaling: { maxReplicas: 10, behavior: { scaleUp: 'fast' } } }), ['scaling.behavior.scaleUp: got "fast"; must be an object { stabilizationWindowSeconds, selectPolicy, policies }']],
    ['a behavior given as a number', def({ scaling: { maxReplicas: 10, behavior: 5 } }), ['scaling.behavior: got 5; must be a preset name or an object { preset, scaleUp, scaleDown }']],
    ['a metric that is a string', def({ scaling: { maxReplicas: 10, metrics: ['cpu'] } }), ['scaling.metrics[0]: got "cpu"; must be an object with type: "cpu", "memory", "requestsPerSecond", "inFlightRequests", "external"']],
    ['an autoscaler that is a string', def({ scaling: { maxReplicas: 10, autoscaler: 'keda' } }), ['scaling.autoscaler: got "keda"; must be an object with kind: "hpa", "keda"']],
    ['a receiver kind given as a list', def({ routing: { page: { kind: ['webhook'], url: { secret: { name: 'w', key: 'u' } } }, ticket: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } } } }), ['routing.page.kind: got ["webhook"]; must be "pagerduty", "slack", "webhook" or "email"']],
    ['routing timing as a string', def({ routing: { page: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } }, ticket: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } }, timing: 'fast' } }), ['routing.timing: got "fast"; must be an object { page, ticket } of notification timings']],
    ['routing per as null (a mistake, not the default)', def({ routing: { per: null, page: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } }, ticket: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } } } }), ['routing.per: got null; must be "service" (one AlertmanagerConfig per service) or "team" (one per team and namespace)']],
    ['a number in an external metric selector, reported once', def({ scaling: { maxReplicas: 10, metrics: [{ type: 'external', metric: 'q', selector: { queue: 1 }, value: 1 }] } }), ['scaling.metrics[0].selector.queue: got 1; must be a string label value']],
    ['a Grafana URL that is a number', def({ alerting: { grafanaUrl: 5 } }), ['alerting.grafanaUrl: got 5; must be the http(s) base URL of Grafana, e.g. "https://grafana.example.com"']],
  ])('rejects %s', (_title, definition, lines) => {
    expect(problemLines(definition)).toEqual(lines);
  });

  it('reports a wrong shape and the problems elsewhere in the same error', () => {
    // The key and shape check runs first, over the whole definition; the resolver's problems follow.
    expect(problemLines(def({ metrics: { port: 0 }, routes: '/cart', capacty: {} }))).toEqual([
      'routes: got "/cart"; must be a list',
      'capacty: got unknown key; did you mean "capacity"?',
      'metrics.port: got 0; must be a whole number from 1 to 65535',
    ]);
  });
});

describe('metrics.serviceSelector selects by valid Kubernetes labels', () => {
  it.each<[string, unknown, string]>([
    ['an empty selector, which selects every Service in the namespace', {}, 'metrics.serviceSelector: got {}; must select by at least one label'],
    ['a string, which became {"0":"c",…}', 'checkout', 'metrics.serviceSelector: got "checkout"; must be an object of label names to string values'],
    ['a list', ['app'], 'metrics.serviceSelector: got ["app"]; must be an object of label names to string values'],
    ['a key with a space', { 'my app': 'checkout' }, 'metrics.serviceSelector["my app"]: got "my app"; must be a Kubernetes label key'],
    ['a key with an upper-case prefix', { 'Example.com/app': 'checkout' }, 'metrics.serviceSelector["Example.com/app"]: got "Example.com/app"; must be a Kubernetes label key'],
    ['a key with two slashes', { 'a/b/c': 'x' }, 'metrics.serviceSelector["a/b/c"]: got "a/b/c"; must be a Kubernetes label key'],
    ['a key name of 64 characters', { ['a'.repeat(64)]: 'x' }, `must be a Kubernetes label key`],
    ['a value with a slash', { app: 'shop/checkout' }, 'metrics.serviceSelector.app: got "shop/checkout"; must be a Kubernetes label value'],
    ['a value ending in a dash', { app: 'checkout-' }, 'metrics.serviceSelector.app: got "checkout-"; must be a Kubernetes label value'],
    ['a value of 64 characters', { app: 'a'.repeat(64) }, 'must be a Kubernetes label value'],
  ])('rejects %s', (_title, serviceSelector, line) => {
    expect(problemLines(def({ metrics: { port: 9464, serviceSelector } }))).toEqual([expect.stringContaining(line)]);
  });

  it.each([
    ['a prefixed key', { 'app.kubernetes.io/name': 'checkout' }],
    ['an empty value', { canary: '' }],
    ['63-character names and values with dots and underscores', { [`example.com/${'a'.repeat(61)}_b`]: `v.${'x'.repeat(60)}` }],
  ])('accepts %s', (_title, serviceSelector) => {
    expect(problemLines(def({ metrics: { port: 9464, serviceSelector } }))).toEqual([]);
  });
});

describe('every field with a range or a fixed set of values rejects anything else, naming field, value and what is allowed', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["errors.clientAborts \"count\"", {"errors": {"clientAborts": "count"}}, ["errors.clientAborts: got \"count\"; must be \"error\" (a closed connection is a failed request) or \"ignore\" (left out of the availability SLO)"]],
    ["errors.clientAborts true", {"errors": {"clientAborts": true}}, ["errors.clientAborts: got true; must be \"error\" (a closed connection is a failed request) or \"ignore\" (left out of the availability SLO)"]],
    ["errors.statusCodes [\"6xx\"]", {"errors": {"statusCodes": ["6xx"]}}, ["errors.statusCodes[0]: got \"6xx\"; must be a status class \"1xx\"..\"5xx\" or a status code from 100 to 599"]],
    ["errors.statusCodes [600]", {"errors": {"statusCodes": [600]}}, ["errors.statusCodes[0]: got 600; must be a status class \"1xx\"..\"5xx\" or a status code from 100 to 599"]],
    ["errors.statusCodes [99]", {"errors": {"statusCodes": [99]}}, ["errors.statusCodes[0]: got 99; must be a status class \"1xx\"..\"5xx\" or a status code from 100 to 599"]],
    ["errors.statusCodes [\"5XX\"]", {"errors": {"statusCodes": ["5XX"]}}, ["errors.statusCodes[0]: got \"5XX\"; must be a status class \"1xx\"..\"5xx\" or a status code from 100 to 599"]],
    ["errors.statusCodes [500.5]", {"errors": {"statusCodes": [500.5]}}, ["errors.statusCodes[0]: got 500.5; must be a status class \"1xx\"..\"5xx\" or a status code from 100 to 599"]],
    ["errors.statusCodes []", {"errors": {"statusCodes": []}}, ["errors.statusCodes: got []; must be a non-empty list of classes (\"5xx\") or codes (429)"]],
    ["kind grpc", {"kind": "grpc"}, ["kind: got \"grpc\"; must be \"http\" or \"worker\""]],
    ["objective 100", {"slos": {"availability": {"objective": 100}}}, ["slos.availability.objective: got 100; must be a percentage strictly between 0 and 100, e.g. 99.9"]],
    ["objective 0", {"slos": {"availability": {"objective": 0}}}, ["slos.availability.objective: got 0; must be a percentage strictly between 0 and 100, e.g. 99.9"]],
    ["objective \"99.9\"", {"slos": {"availability": {"objective": "99.9"}}}, ["slos.availability.objective: got \"99.9\"; must be a percentage strictly between 0 and 100, e.g. 99.9"]],
    ["objective -1", {"slos": {"availability": {"objective": -1}}}, ["slos.availability.objective: got -1; must be a percentage strictly between 0 and 100, e.g. 99.9"]],
    ["window \"0d\"", {"slos": {"availability": {"objective": 99.9, "window": "0d"}}}, ["slos.availability.window: got \"0d\"; must be a positive Prometheus duration such as \"300ms\", \"5m\", \"1h30m\" or \"30d\""]],
    ["window \"thirty days\"", {"slos": {"availability": {"objective": 99.9, "window": "thirty days"}}}, ["slos.availability.window: got \"thirty days\"; must be a positive Prometheus duration such as \"300ms\", \"5m\", \"1h30m\" or \"30d\""]],
    ["latency threshold \"0ms\"", {"slos": {"availability": {"objective": 99.9}, "latency": {"objective": 99, "threshold": "0ms"}}}, ["slos.latency.threshold: got \"0ms\"; must be a positive duration such as \"300ms\" or \"1s\""]],
    ["latency threshold \"fast\"", {"slos": {"availability": {"objective": 99.9}, "latency": {"objective": 99, "threshold": "fast"}}}, ["slos.latency.threshold: got \"fast\"; must be a positive duration such as \"300ms\" or \"1s\""]],
    ["latency threshold missing", {"slos": {"availability": {"objective": 99.9}, "latency": {"objective": 99}}}, ["slos.latency.threshold: got nothing; must be a positive duration such as \"300ms\" or \"1s\""]],
    ["minEvents -1", {"slos": {"availability": {"objective": 99.9, "minEvents": -1}}}, ["slos.availability.minEvents: got -1; must be \"auto\" or a whole number of events, 0 or more"]],
    ["minEvents 2.5", {"slos": {"availability": {"objective": 99.9, "minEvents": 2.5}}}, ["slos.availability.minEvents: got 2.5; must be \"auto\" or a whole number of events, 0 or more"]],
    ["metrics.port 0", {"metrics": {"port": 0}}, ["metrics.port: got 0; must be a whole number from 1 to 65535"]],
    ["metrics.port 70000", {"metrics": {"port": 70000}}, ["metrics.port: got 70000; must be a whole number from 1 to 65535"]],
    ["metrics.port 94.64", {"metrics": {"port": 94.64}}, ["metrics.port: got 94.64; must be a whole number from 1 to 65535"]],
    ["metrics.scrapeInterval \"0s\"", {"metrics": {"port": 9464, "scrapeInterval": "0s"}}, ["metrics.scrapeInterval: got \"0s\"; must be a positive Prometheus duration such as \"300ms\", \"5m\", \"1h30m\" or \"30d\""]],
    ["traffic.dropBelowLastWeek 1.5", {"traffic": {"dropBelowLastWeek": 1.5}}, ["traffic.dropBelowLastWeek: got 1.5; must be a ratio greater than 0 and at most 1, e.g. 0.9"]],
    ["traffic.dropBelowLastWeek 0", {"traffic": {"dropBelowLastWeek": 0}}, ["traffic.dropBelowLastWeek: got 0; must be a ratio greater than 0 and at most 1, e.g. 0.9"]],
    ["traffic.noTrafficFor \"soon\"", {"traffic": {"noTrafficFor": "soon"}}, ["traffic.noTrafficFor: got \"soon\"; must be a positive Prometheus duration such as \"300ms\", \"5m\", \"1h30m\" or \"30d\""]],
    ["capacity.requestsPerSecond 0", {"capacity": {"requestsPerSecond": 0}}, ["capacity.requestsPerSecond: got 0; must be a finite number greater than 0"]],
    ["capacity.requestsPerSecond -5", {"capacity": {"requestsPerSecond": -5}}, ["capacity.requestsPerSecond: got -5; must be a finite number greater than 0"]],
    ["capacity.concurrentRequests 0.5", {"capacity": {"concurrentRequests": 0.5}}, ["capacity.concurrentRequests: got 0.5; must be a whole number from 1 to 1000000"]],
    ["capacity.concurrentRequests 0", {"capacity": {"concurrentRequests": 0}}, ["capacity.concurrentRequests: got 0; must be a whole number from 1 to 1000000"]],
    ["saturation.cpuOfLimit 1.2", {"saturation": {"cpuOfLimit": 1.2}}, ["saturation.cpuOfLimit: got 1.2; must be a ratio greater than 0 and at most 1, e.g. 0.9"]],
    ["saturation.memoryOfLimit 0", {"saturation": {"memoryOfLimit": 0}}, ["saturation.memoryOfLimit: got 0; must be a ratio greater than 0 and at most 1, e.g. 0.9"]],
    ["saturation.eventLoopDelayP99 \"-1s\"", {"saturation": {"eventLoopDelayP99": "-1s"}}, ["saturation.eventLoopDelayP99: got \"-1s\"; must be a positive Prometheus duration such as \"300ms\", \"5m\", \"1h30m\" or \"30d\""]],
    ["alerting.evaluationInterval \"10m\"", {"alerting": {"evaluationInterval": "10m"}}, ["alerting.evaluationInterval: got \"10m\"; must be at most \"5m\": longer intervals leave gaps past the 5m lookback and alerts flap"]],
    ['alerting.sloWindowEvaluationInterval "10m"', { alerting: { sloWindowEvaluationInterval: '10m' } }, ['alerting.sloWindowEvaluationInterval: got "10m"; must be a whole multiple of alerting.evaluationInterval (1m) and at most "5m"']],
    ['alerting.sloWindowEvaluationInterval "90s"', { alerting: { sloWindowEvaluationInterval: '90s' } }, ['alerting.sloWindowEvaluationInterval: got "90s"; must be a whole multiple of alerting.evaluationInterval (1m) and at most "5m"']],
    ['alerting.sloWindowEvaluationInterval "later"', { alerting: { sloWindowEvaluationInterval: 'later' } }, ['alerting.sloWindowEvaluationInterval: got "later"; must be a positive Prometheus duration such as "300ms", "5m", "1h30m" or "30d"']],
    ["scaling.maxReplicas 0", {"scaling": {"maxReplicas": 0}}, ["scaling.maxReplicas: got 0; must be a whole number from 1 to 10000"]],
    ["scaling.minReplicas 2.5", {"scaling": {"maxReplicas": 10, "minReplicas": 2.5}}, ["scaling.minReplicas: got 2.5; must be a whole number from 1 to 10000"]],
    ["team \"\"", {"team": ""}, ["team: got \"\"; must be a DNS label: at most 63 characters of a-z, 0-9 and \"-\", starting and ending with a letter or digit"]],
    ["namespace \"Shop\"", {"namespace": "Shop"}, ["namespace: got \"Shop\"; must be a DNS label: at most 63 characters of a-z, 0-9 and \"-\", starting and ending with a letter or digit"]],
    ["name \"checkout_v2\"", {"name": "checkout_v2"}, ["name: got \"checkout_v2\"; must be a DNS label: at most 63 characters of a-z, 0-9 and \"-\", starting and ending with a letter or digit"]],
    ["budgetPolicy.exhausted \"warning\"", { budgetPolicy: { exhausted: 'warning' } }, ['budgetPolicy.exhausted: got "warning"; must be "ticket", "page" or false (no alert)']],
    ['budgetPolicy.exhausted true', { budgetPolicy: { exhausted: true } }, ['budgetPolicy.exhausted: got true; must be "ticket", "page" or false (no alert)']],
    ['budgetPolicy.action empty', { budgetPolicy: { action: ' ' } }, ['budgetPolicy.action: got " "; must be a sentence for responders of at most 300 characters, e.g. "Freeze feature deploys."']],
    ['budgetPolicy.action a number', { budgetPolicy: { action: 5 } }, ['budgetPolicy.action: got 5; must be a sentence for responders of at most 300 characters, e.g. "Freeze feature deploys."']],
    ['budgetPolicy.action too long', { budgetPolicy: { action: 'x'.repeat(301) } }, [expect.stringMatching(/^budgetPolicy\.action: got "x{20,}… \(303 characters\); must be a sentence for responders of at most 300 characters/)]],
    ['budgetPolicy as a string', { budgetPolicy: 'ticket' }, ['budgetPolicy: got "ticket"; must be an object { exhausted, action }']],
    ['a misspelt budgetPolicy key', { budgetPolicy: { exausted: 'page' } }, ['budgetPolicy.exausted: got unknown key; did you mean "exhausted"?']],
  ])('rejects %s', (_title, patch, lines) => {
    expect(problemLines(def(patch))).toEqual(lines);
  });
});

describe('messages show the value that was found as it was written', () => {
  it.each<[string, unknown, string]>([
    ['NaN', NaN, 'metrics.port: got NaN;'],
    ['Infinity', Infinity, 'metrics.port: got Infinity;'],
    ['-Infinity', -Infinity, 'metrics.port: got -Infinity;'],
    ['a BigInt', 99n, 'metrics.port: got 99n;'],
    ['NaN inside a list', [NaN], 'metrics.port: got [NaN];'],
    ['a symbol', Symbol('port'), 'metrics.port: got Symbol(port);'],
  ])('prints %s as such', (_title, port, line) => {
    expect(problemLines(def({ metrics: { port } }))).toEqual([expect.stringContaining(line)]);
  });

  it('cuts a huge value at 80 characters and gives its length', () => {
    const [line] = problemLines(def({ namespace: 'x'.repeat(100_000) }));
    expect(line).toBe(`namespace: got "${'x'.repeat(78)}… (100002 characters); must be a DNS label: at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit`);
  });

  it('names scaling.maxReplicas when it is below minReplicas', () => {
    expect(problemLines(def({ scaling: { minReplicas: 5, maxReplicas: 2 } }))).toEqual(['scaling.maxReplicas: got 2; must be at least scaling.minReplicas (5)']);
  });
});

describe('the example definitions stay valid', () => {
  it.each([
    ['checkout', checkout],
    ['mailer', mailer],
  ])('%s resolves without a problem', (_name, definition) => {
    expect(problemLines(definition)).toEqual([]);
  });
});

/** `base` with a KEDA autoscaler holding one schedule, `schedule` patched over a valid one. */
function withSchedule(schedule: Record<string, unknown>): Record<string, unknown> {
  const valid = { timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 5 };
  return def({ scaling: { maxReplicas: 10, autoscaler: { ...keda, schedules: [{ ...valid, ...schedule }] } } });
}
const CRON_START = 'scaling.autoscaler.schedules[0].start';
const CRON_ALLOWED = 'must be a cron expression of five fields, minute hour day-of-month month day-of-week, e.g. "45 8 * * 1-5"';

describe('KEDA schedules are cron expressions KEDA parses, in time zones KEDA can load', () => {
  it.each<[string, unknown, string]>([
    ['a minute and an hour out of range', '61 25 * * *', 'minute "61" goes above 59, the highest minute'],
    ['an hour out of range', '0 24 * * *', 'hour "24" goes above 23, the highest hour'],
    ['letters in every field', 'a b c d e', 'minute "a" is not "*", a number, a range "a-b" or a step "/n"'],
    ['four fields', '0 8 * *', 'has 4 fields, not the 5 of minute hour day-of-month month day-of-week'],
    ['six fields, with seconds', '0 0 8 * * *', 'has 6 fields, not the 5 of minute hour day-of-month month day-of-week'],
    ['an empty string', '', 'has 0 fields, not the 5 of minute hour day-of-month month day-of-week'],
    ['day of week 7, which robfig/cron does not take for Sunday', '0 8 * * 7', 'day of week "7" goes above 6, the highest day of week'],
    ['day of month 0', '0 8 0 * *', 'day of month "0" starts below 1, the lowest day of month'],
    ['a range that ends before it starts', '0 18-8 * * *', 'hour "18-8" is a range that ends before it starts'],
    ['a step of 0', '*/0 * * * *', 'minute "*/0" has step "0": a step must be a whole number greater than 0'],
    ['two steps', '*/5/2 * * * *', 'minute "*/5/2" has more than one "/"'],
    ['an unknown month name', '0 8 * FOO *', 'month "FOO" is not "*", a number or a name (JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC), a range "a-b" or a step "/n"'],
    ['a day name in the month field', '0 8 * MON *', 'month "MON" is not "*", a number or a name (JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC), a range "a-b" or a step "/n"'],
    ['an empty list element', '0,,30 8 * * *', 'minute "" is not "*", a number, a range "a-b" or a step "/n"'],
    ['the @daily descriptor, which KEDA parses without the Descriptor option', '@daily', '"@daily" is a descriptor, which KEDA\'s cron parser does not accept: write the five fields, e.g. "0 0 * * *" for @daily'],
    ['a TZ= prefix', 'TZ=UTC 0 8 * * *', 'has a TZ= prefix: give the zone in timezone instead'],
  ])('rejects a start with %s', (_title, start, reason) => {
    expect(problemLines(withSchedule({ start }))).toEqual([`${CRON_START}: got ${JSON.stringify(start)}; ${CRON_ALLOWED}; ${reason}`]);
  });

  it('rejects a start that is not a string, without a parser reason', () => {
    expect(problemLines(withSchedule({ start: 8 }))).toEqual([`${CRON_START}: got 8; ${CRON_ALLOWED}`]);
  });

  it('rejects an end equal to the start, as KEDA does', () => {
    expect(problemLines(withSchedule({ start: '0 8 * * *', end: '0 8 * * *' }))).toEqual([
      'scaling.autoscaler.schedules[0].end: got "0 8 * * *"; must differ from start: KEDA refuses a schedule that starts and ends at the same time',
    ]);
  });

  it.each([
    ['names, lists, ranges and steps', '*/15 8-18/2 1,15 JAN-jun mon-FRI'],
    ['? for any value', '0 8 ? * ?'],
    ['a single value with a step, which runs to the maximum', '5/20 * * * *'],
    ['every bound', '0,59 0,23 1,31 1,12 0,6'],
    ['extra whitespace', '  0   8 * * 1-5 '],
  ])('accepts %s', (_title, start) => {
    expect(problemLines(withSchedule({ start }))).toEqual([]);
  });

  const ZONE = 'scaling.autoscaler.schedules[0].timezone';
  const ZONE_ALLOWED = 'must be an IANA time zone such as "Europe/Berlin" or "UTC"';
  it.each<[string, unknown, string]>([
    ['a misspelt zone, with the zone meant', 'Europe/Berlinn', `${ZONE}: got "Europe/Berlinn"; ${ZONE_ALLOWED}: did you mean "Europe/Berlin"?`],
    ['a zone in the wrong case, which Go does not load', 'europe/berlin', `${ZONE}: got "europe/berlin"; ${ZONE_ALLOWED}: did you mean "Europe/Berlin"?`],
    ['a zone that does not exist', 'Mars/Olympus_Mons', `${ZONE}: got "Mars/Olympus_Mons"; ${ZONE_ALLOWED}`],
    ['an offset that is not a zone name', 'GMT+5', `${ZONE}: got "GMT+5"; ${ZONE_ALLOWED}`],
    ['Local, the operator pod\'s own zone', 'Local', `${ZONE}: got "Local"; ${ZONE_ALLOWED}`],
    ['a number', 1, `${ZONE}: got 1; ${ZONE_ALLOWED}`],
  ])('rejects %s', (_title, timezone, line) => {
    expect(problemLines(withSchedule({ timezone }))).toEqual([line]);
  });

  it.each(['UTC', 'Etc/UTC', 'Etc/GMT+5', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv', 'US/Eastern'])(
    'accepts the zone %s',
    (timezone) => {
      expect(problemLines(withSchedule({ timezone }))).toEqual([]);
    },
  );

  it('reports every problem of every schedule at once', () => {
    const schedules = [
      { timezone: 'Europe/Berlinn', start: '61 8 * * *', end: '0 18 * * 8', desiredReplicas: 5 },
      { timezone: 'UTC', start: '@hourly', end: '0 9 * * *', desiredReplicas: 5 },
    ];
    expect(problemLines(def({ scaling: { maxReplicas: 10, autoscaler: { ...keda, schedules } } })).map((l) => l.split(';')[0])).toEqual([
      'scaling.autoscaler.schedules[0].timezone: got "Europe/Berlinn"',
      'scaling.autoscaler.schedules[0].start: got "61 8 * * *"',
      'scaling.autoscaler.schedules[0].end: got "0 18 * * 8"',
      'scaling.autoscaler.schedules[1].start: got "@hourly"',
    ]);
  });
});

const CREDENTIALS = 'must not contain credentials ("user:password@"): the URL is written in plain text into the generated files; keep credentials in a Kubernetes Secret (a SecretRef), never in the definition';
const RUNBOOK_ALLOWED = 'must be an http(s) URL pattern, e.g. "https://wiki.example.com/runbooks/{alert}"';
const GRAFANA_ALLOWED = 'must be the http(s) base URL of Grafana, e.g. "https://grafana.example.com"';
const SERVER_ALLOWED = 'must be the Prometheus base URL, e.g. "http://prometheus-operated.monitoring:9090"';

describe('every URL of a definition is an http(s) URL without credentials', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a password in the KEDA server address, masked in the message', { scaling: { maxReplicas: 10, autoscaler: { ...keda, serverAddress: 'http://user:secret@prometheus:9090' } } }, `scaling.autoscaler.serverAddress: got "http://***@prometheus:9090"; ${CREDENTIALS}`],
    ['a password in the runbook URL', { alerting: { runbookUrl: 'https://bot:hunter2@wiki.example.com/{alert}' } }, `alerting.runbookUrl: got "https://***@wiki.example.com/{alert}"; ${CREDENTIALS}`],
    ['a user name in the Grafana URL', { alerting: { grafanaUrl: 'https://admin@grafana.example.com' } }, `alerting.grafanaUrl: got "https://***@grafana.example.com"; ${CREDENTIALS}`],
    ['a javascript: Grafana URL', { alerting: { grafanaUrl: 'javascript:alert(1)' } }, `alerting.grafanaUrl: got "javascript:alert(1)"; ${GRAFANA_ALLOWED}; a "javascript:" URL is not allowed: only http and https links are safe to follow`],
    ['a data: runbook URL', { alerting: { runbookUrl: 'data:text/html,<b>{alert}</b>' } }, `alerting.runbookUrl: got "data:text/html,<b>{alert}</b>"; ${RUNBOOK_ALLOWED}; a "data:" URL is not allowed: only http and https links are safe to follow`],
    ['an ftp: runbook URL', { alerting: { runbookUrl: 'ftp://wiki.example.com/{alert}' } }, `alerting.runbookUrl: got "ftp://wiki.example.com/{alert}"; ${RUNBOOK_ALLOWED}; a "ftp:" URL is not allowed: only http and https links are safe to follow`],
    ['a server address without its scheme', { scaling: { maxReplicas: 10, autoscaler: { ...keda, serverAddress: 'prometheus:9090' } } }, `scaling.autoscaler.serverAddress: got "prometheus:9090"; ${SERVER_ALLOWED}`],
    ['a server address that is a word', { scaling: { maxReplicas: 10, autoscaler: { ...keda, serverAddress: 'prometheus' } } }, `scaling.autoscaler.serverAddress: got "prometheus"; ${SERVER_ALLOWED}`],
    ['no server address', { scaling: { maxReplicas: 10, autoscaler: { kind: 'keda' } } }, `scaling.autoscaler.serverAddress: got nothing; ${SERVER_ALLOWED}`],
    ['a Grafana URL with a space', { alerting: { grafanaUrl: 'https://grafana.example.com/a b' } }, `alerting.grafanaUrl: got "https://grafana.example.com/a b"; ${GRAFANA_ALLOWED}`],
    ['a Grafana URL with a newline', { alerting: { grafanaUrl: 'https://grafana.example.com\n' } }, `alerting.grafanaUrl: got "https://grafana.example.com\\n"; ${GRAFANA_ALLOWED}`],
    ['a Grafana URL without a host', { alerting: { grafanaUrl: 'https:///grafana' } }, `alerting.grafanaUrl: got "https:///grafana"; ${GRAFANA_ALLOWED}`],
    ['a runbook URL with a backslash', { alerting: { runbookUrl: 'https://evil.example.com\\@wiki.example.com/{alert}' } }, `alerting.runbookUrl: got "https://evil.example.com\\\\@wiki.example.com/{alert}"; ${RUNBOOK_ALLOWED}`],
  ])('rejects %s', (_title, patch, line) => {
    expect(problemLines(def(patch))).toEqual([line]);
  });

  it('reports the credentials of all three URLs at once', () => {
    const lines = problemLines(
      def({
        alerting: { runbookUrl: 'https://a:b@wiki.example.com/{alert}', grafanaUrl: 'https://a:b@grafana.example.com' },
        scaling: { maxReplicas: 10, autoscaler: { ...keda, serverAddress: 'http://a:b@prometheus:9090' } },
      }),
    );
    expect(lines.map((l) => l.split(';')[0])).toEqual([
      'alerting.runbookUrl: got "https://***@wiki.example.com/{alert}"',
      'alerting.grafanaUrl: got "https://***@grafana.example.com"',
      'scaling.autoscaler.serverAddress: got "http://***@prometheus:9090"',
    ]);
    expect(lines.join('\n')).not.toMatch(/a:b/);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a runbook URL with every placeholder, one in the host', { alerting: { runbookUrl: 'https://{namespace}.runbooks.example.com/{service}/{alert}' } }],
    ['a Grafana URL with a sub-path and a port', { alerting: { grafanaUrl: 'https://example.com:3000/grafana/' } }],
    ['a server address with an IP and a path', { scaling: { maxReplicas: 10, autoscaler: { ...keda, serverAddress: 'http://10.0.0.1:9090/prometheus' } } }],
  ])('accepts %s', (_title, patch) => {
    expect(problemLines(def(patch))).toEqual([]);
  });
});

const PATH_ALLOWED =
  'must be an HTTP path starting with "/", at most 1024 characters of a-z, A-Z, 0-9 and - . _ ~ $ & + , ; = : @ /, e.g. "/metrics": Prometheus percent-encodes anything else (a space, "%", a control character) and a "?" starts a query string, so the path would never match';
const PORT_NAME_ALLOWED = 'must be a Kubernetes port name (IANA_SVC_NAME): at most 15 characters of a-z, 0-9 and "-", with at least one letter, no "--", not starting or ending with "-", e.g. "metrics"';

describe('the metrics endpoint is one the shim can serve and Kubernetes can name', () => {
  it.each<[string, unknown, string]>([
    ['a query string', '/metrics?x', `metrics.path: got "/metrics?x"; ${PATH_ALLOWED}`],
    ['a space', '/my metrics', `metrics.path: got "/my metrics"; ${PATH_ALLOWED}`],
    ['a control character', '/metrics\u0000', `metrics.path: got "/metrics\\u0000"; ${PATH_ALLOWED}`],
    ['a percent-encoded character', '/metrics%20', `metrics.path: got "/metrics%20"; ${PATH_ALLOWED}`],
    ['a fragment', '/metrics#x', `metrics.path: got "/metrics#x"; ${PATH_ALLOWED}`],
    ['no leading slash', 'metrics', `metrics.path: got "metrics"; ${PATH_ALLOWED}`],
    ['1,025 characters', `/${'a'.repeat(1024)}`, `metrics.path: got "/${'a'.repeat(77)}… (1027 characters); ${PATH_ALLOWED}`],
  ])('rejects a path with %s', (_title, path, line) => {
    expect(problemLines(def({ metrics: { port: 9464, path } }))).toEqual([line]);
  });

  it.each([
    ['the default', '/metrics'],
    ['a Spring Boot actuator path', '/actuator/prometheus'],
    ['reserved characters Prometheus sends as they are', '/-/metrics;format=text'],
    ['1,024 characters', `/${'a'.repeat(1023)}`],
  ])('accepts a path with %s', (_title, path) => {
    expect(problemLines(def({ metrics: { port: 9464, path } }))).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['digits only, which Kubernetes takes for a port number', '123'],
    ['a double dash', 'http--metrics'],
    ['a leading dash', '-metrics'],
    ['a trailing dash', 'metrics-'],
    ['an upper-case letter', 'Metrics'],
    ['16 characters', 'a'.repeat(16)],
    ['an underscore', 'http_metrics'],
  ])('rejects a port name with %s', (_title, portName) => {
    expect(problemLines(def({ metrics: { port: 9464, portName } }))).toEqual([`metrics.portName: got ${JSON.stringify(portName)}; ${PORT_NAME_ALLOWED}`]);
  });

  it.each(['metrics', 'http-metrics', '9464-m', 'a'.repeat(15)])('accepts the port name %s', (portName) => {
    expect(problemLines(def({ metrics: { port: 9464, portName } }))).toEqual([]);
  });
});

describe('a scaling target is never written as 0', () => {
  const tiny = (capacity: number) =>
    `capacity.requestsPerSecond: got ${capacity}; gives a per-pod scaling target of ${capacity} × (1 − headroom 0.2), below 0.001, the finest target the HPA is written with (milli-units): declare the capacity in larger units of work, lower scaling.headroom, or scale on another metric`;
  it.each<[string, Record<string, unknown>, string]>([
    ['a capacity of 0.001 requests per second, derived without metrics', { capacity: { requestsPerSecond: 0.001 }, scaling: { maxReplicas: 10 } }, tiny(0.001)],
    ['a capacity of 0.0005, derived for a requestsPerSecond metric', { capacity: { requestsPerSecond: 0.0005 }, scaling: { maxReplicas: 10, metrics: [{ type: 'requestsPerSecond' }] } }, tiny(0.0005)],
    [
      'a tiny concurrency, derived without metrics (a concurrency is a whole number of requests, so it never gets that far)',
      { capacity: { concurrentRequests: 0.001 }, scaling: { maxReplicas: 10 } },
      'capacity.concurrentRequests: got 0.001; must be a whole number from 1 to 1000000',
    ],
    [
      'an explicit target of 0.0004',
      { scaling: { maxReplicas: 10, metrics: [{ type: 'requestsPerSecond', averageValue: 0.0004 }] } },
      'scaling.metrics[0].averageValue: got 0.0004; must be a finite number of at least 0.001 (targets are written in milli-units; a smaller one would be "0m")',
    ],
    [
      'an external value of 0.0001',
      { scaling: { maxReplicas: 10, metrics: [{ type: 'external', metric: 'queue_depth', value: 0.0001 }] } },
      'scaling.metrics[0].value: got 0.0001; must be a finite number of at least 0.001 (targets are written in milli-units; a smaller one would be "0m")',
    ],
  ])('rejects %s', (_title, patch, line) => {
    expect(problemLines(def(patch))).toEqual([line]);
  });

  it('writes the smallest derived target as 1m', () => {
    const model = resolveService(def({ capacity: { requestsPerSecond: 0.00125 }, scaling: { maxReplicas: 10 } }) as unknown as ServiceDefinition);
    expect(horizontalPodAutoscaler(model).spec.metrics).toEqual([expect.objectContaining({ pods: expect.objectContaining({ target: { type: 'AverageValue', averageValue: '1m' } }) })]);
  });
});

describe('routes are paths, each matching requests no other route matches, and few enough to measure', () => {
  const SAME = (first: number, firstRoute: string) =>
    `matches the same requests as routes[${first}] (${JSON.stringify(firstRoute)}), so one of them never matches and its series stay 0: list each route once (a trailing slash and the names of parameters do not make another route)`;
  it.each<[string, unknown[], string[]]>([
    ['a route listed twice', ['/a', '/a'], [`routes[1]: got "/a"; ${SAME(0, '/a')}`]],
    ['a route and the same with a trailing slash', ['/a', '/a/'], [`routes[1]: got "/a/"; ${SAME(0, '/a')}`]],
    ['two templates that differ in a parameter name', ['/orders/:id', '/orders/:key'], [`routes[1]: got "/orders/:key"; ${SAME(0, '/orders/:id')}`]],
    ['two wildcards that differ in name', ['/files/*', '/cart', '/files/*rest'], [`routes[2]: got "/files/*rest"; ${SAME(0, '/files/*')}`]],
    [
      'a query string',
      ['/search?q=:q'],
      ['routes[0]: got "/search?q=:q"; must be a path without a query string or fragment: requests are matched on their path alone, so a template with "?" or "#" never matches; e.g. "/search"'],
    ],
    [
      'a fragment',
      ['/docs#intro'],
      ['routes[0]: got "/docs#intro"; must be a path without a query string or fragment: requests are matched on their path alone, so a template with "?" or "#" never matches; e.g. "/search"'],
    ],
    [
      '191 routes',
      Array.from({ length: 191 }, (_, i) => `/r${i}`),
      [
        'routes: got 191 routes; must list at most 190 routes: the shim holds 2000 series per histogram by default, 5% of them kept for "_OTHER", which leaves 10 series (methods × status codes) to each of 190 routes; past that, requests are counted as "_OTHER", not by route. List the routes that matter and group the rest under a wildcard ("/admin/*")',
      ],
    ],
  ])('rejects %s', (_title, routes, lines) => {
    expect(problemLines(def({ routes }))).toEqual(lines);
  });

  it.each<[string, unknown[]]>([
    ['a literal beside a parameter at the same place', ['/orders/:id', '/orders/new', '/orders/:id/items']],
    ['the root and a wildcard', ['/', '/*']],
    ['190 routes', Array.from({ length: 190 }, (_, i) => `/r${i}`)],
  ])('accepts %s', (_title, routes) => {
    expect(problemLines(def({ routes }))).toEqual([]);
  });

  it('makes the shim refuse a query-string template too', () => {
    expect(() => compileRoutes(['/search?q=:q'])).toThrow(
      'compileRoutes(): route template "/search?q=:q" must be a path without a query string or fragment',
    );
  });
});

describe('maintenance windows and ticket hours are time intervals Alertmanager accepts, in zones it can load', () => {
  const hook = { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } } };
  const routing = (extra: Record<string, unknown>) => def({ routing: { page: hook, ticket: hook, ...extra } });
  const window = (during: unknown, name: unknown = 'db-upgrade') => routing({ maintenance: [{ name, during }] });
  const at = 'routing.maintenance[0].during';

  it.each<[string, Record<string, unknown>, string[]]>([
    ['a time without two digits', window({ times: [{ start: '9:00', end: '17:00' }] }), [`${at}.times[0].start: got "9:00"; must be a time of day "HH:MM", 00:00 to 24:00, with two digits each (e.g. "09:00")`]],
    ['a time past 24:00', window({ times: [{ start: '09:00', end: '24:30' }] }), [`${at}.times[0].end: got "24:30"; must be a time of day "HH:MM", 00:00 to 24:00, with two digits each (e.g. "09:00")`]],
    ['a range starting at 24:00', window({ times: [{ start: '24:00', end: '01:00' }] }), [`${at}.times[0].start: got "24:00"; must be before 24:00: "24:00" is the end of the day`]],
    ['an empty range', window({ times: [{ start: '09:00', end: '09:00' }] }), [`${at}.times[0].end: got "09:00"; must differ from start ("09:00"): the range would be empty; leave times out for the whole day`]],
    [
      'a range past midnight on a day of the month, whose next day may be in the next month',
      window({ daysOfMonth: [-1], times: [{ start: '22:00', end: '02:00' }] }),
      [`${at}.times[0].end: got "02:00"; must be after start ("22:00") when the period names days of the month, months or years: the hours after midnight may fall in the next month or year. Write them as a second period (times [{ start: "00:00", end: "02:00" }] on the next day)`],
    ],
    ['a misspelt time key', window({ times: [{ from: '09:00', end: '17:00' }] }), [`${at}.times[0].from: got unknown key; allowed: "start", "end"`, `${at}.times[0].start: got nothing; must be a time of day "HH:MM", 00:00 to 24:00, with two digits each (e.g. "09:00")`]],
    ['an abbreviated weekday', window({ weekdays: ['mon:fri'] }), [`${at}.weekdays[0]: got "mon:fri"; must be a weekday (sunday, monday, tuesday, wednesday, thursday, friday, saturday) or a range "first:last" such as "monday:friday"`]],
    ['a weekend written as a range across the end of the week', window({ weekdays: ['saturday:sunday'] }), [`${at}.weekdays[0]: got "saturday:sunday"; must not run backwards: Alertmanager's week runs from sunday to saturday, so list the days instead, e.g. ["saturday", "sunday"]`]],
    ['day 0 of the month', window({ daysOfMonth: [0] }), [`${at}.daysOfMonth[0]: got 0; must be a day of the month, 1 to 31 or -31 to -1 (counted from the end: -1 is the last day), or a range "first:last" such as "-7:-1"; 0 is no day`]],
    ['day 32', window({ daysOfMonth: ['1:32'] }), [`${at}.daysOfMonth[0]: got "1:32"; must be a day of the month, 1 to 31 or -31 to -1 (counted from the end: -1 is the last day), or a range "first:last" such as "-7:-1"; 0 is no day`]],
    ['a range from the end of the month to a fixed day', window({ daysOfMonth: ['-3:5'] }), [`${at}.daysOfMonth[0]: got "-3:5"; must end on a negative day when it starts on one (Alertmanager refuses a range from the end of a month to a fixed day)`]],
    ['days running backwards', window({ daysOfMonth: ['20:10'] }), [`${at}.daysOfMonth[0]: got "20:10"; must not run backwards: the first day must come before the last`]],
    ['month 13', window({ months: [13] }), [`${at}.months[0]: got 13; must be a month by name (january to december) or number (1 to 12), or a range "first:last" such as "june:august"`]],
    ['an abbreviated month', window({ months: ['dec'] }), [`${at}.months[0]: got "dec"; must be a month by name (january to december) or number (1 to 12), or a range "first:last" such as "june:august"`]],
    ['months running backwards', window({ months: ['december:february'] }), [`${at}.months[0]: got "december:february"; must not run backwards: the first month must come before the last`]],
    ['a two-digit year', window({ years: [27] }), [`${at}.years[0]: got 27; must be a year from 2000 to 2999 (as the AlertmanagerConfig CRD allows), or a range "first:last" such as "2027:2028"`]],
    ['years running backwards', window({ years: ['2028:2027'] }), [`${at}.years[0]: got "2028:2027"; must not run backwards: the first year must come before the last`]],
    ['an empty weekday list (left out, the field matches every day)', window({ weekdays: [] }), [`${at}.weekdays: got []; must be a non-empty list, or be left out to match always`]],
    ['a misspelt zone', window({ timeZone: 'Europe/Berln' }), [`${at}.timeZone: got "Europe/Berln"; must be an IANA time zone as the tz database writes it, e.g. "UTC", "Europe/Berlin" or "America/New_York"`]],
    ['a zone in the wrong case, which Go cannot load', window({ timeZone: 'europe/berlin' }), [`${at}.timeZone: got "europe/berlin"; must be an IANA time zone as the tz database writes it, e.g. "UTC", "Europe/Berlin" or "America/New_York"`]],
    ['"utc" in lower case', window({ timeZone: 'utc' }), [`${at}.timeZone: got "utc"; must be an IANA time zone as the tz database writes it, e.g. "UTC", "Europe/Berlin" or "America/New_York"`]],
    ['"Local", the zone of whatever machine runs Alertmanager', window({ timeZone: 'Local' }), [`${at}.timeZone: got "Local"; must name the zone: "Local" is the zone of the machine Alertmanager runs on, which the definition cannot know; write e.g. "Europe/Berlin" or "UTC"`]],
    ['a misspelt period key', window({ weekday: ['monday'] }), [`${at}.weekday: got unknown key; did you mean "weekdays"?`]],
    ['a window without during', routing({ maintenance: [{ name: 'db-upgrade' }] }), ['routing.maintenance[0].during: got nothing; is required: one period { times, weekdays, daysOfMonth, months, years, timeZone } or a list of them']],
    ['an empty list of periods', window([]), [`${at}: got []; must name at least one period: an empty list would never be on (leave the field out instead)`]],
    ['a window name with a slash, which would break the namespaced name', window({ weekdays: ['sunday'] }, 'db/upgrade'), ['routing.maintenance[0].name: got "db/upgrade"; must be a name of lower-case letters, digits and "-" (at most 63), e.g. "db-upgrade"']],
    [
      'two windows of one name',
      routing({ maintenance: [{ name: 'db-upgrade', during: { weekdays: ['sunday'] } }, { name: 'db-upgrade', during: { weekdays: ['monday'] } }] }),
      ['routing.maintenance[1].name: got "db-upgrade"; must be unique among the service\'s windows: routing.maintenance[0] has it already'],
    ],
    ['a window named like the ticket hours', window({ weekdays: ['sunday'] }, 'ticket-hours'), ['routing.maintenance[0].name: got "ticket-hours"; is reserved for the interval routing.ticketsDuring becomes: choose another name']],
    ['maintenance as one window instead of a list', routing({ maintenance: { name: 'db-upgrade', during: { weekdays: ['sunday'] } } }), ['routing.maintenance: got {"name":"db-upgrade","during":{"weekdays":["sunday"]}}; must be a list of windows [{ name, during }]']],
    ['ticket hours in a misspelt zone', routing({ ticketsDuring: { weekdays: ['monday:friday'], timeZone: 'America/NewYork' } }), ['routing.ticketsDuring.timeZone: got "America/NewYork"; must be an IANA time zone as the tz database writes it, e.g. "UTC", "Europe/Berlin" or "America/New_York"']],
    ['ticket hours as a preset name', routing({ ticketsDuring: 'business-hours' }), ['routing.ticketsDuring: got "business-hours"; must be a period { times, weekdays, daysOfMonth, months, years, timeZone }']],
  ])('rejects %s', (_title, definition, lines) => {
    expect(problemLines(definition)).toEqual(lines);
  });

  it.each<[string, unknown]>([
    ['a tz database link ICU resolves', { timeZone: 'Asia/Kolkata' }],
    ['a range from a fixed day to the end of the month', { daysOfMonth: ['15:-1'] }],
    ['weekday and month names in any case, as Alertmanager reads them', { weekdays: ['Monday:Friday'], months: ['JANUARY:3'] }],
    ['a range past midnight on weekdays', { weekdays: ['friday', 'saturday'], times: [{ start: '22:00', end: '06:00' }] }],
    ['24:00 as an end', { times: [{ start: '00:00', end: '24:00' }] }],
  ])('accepts %s', (_title, during) => {
    expect(problemLines(window(during))).toEqual([]);
  });
});

describe('capacity.pools: a bad pool fails with its field, its value and what is allowed', () => {
  const pool = { kind: 'database', name: 'orders-db', size: 10 };
  const pools = (...list: unknown[]) => def({ capacity: { pools: list } });
  it.each<[string, Record<string, unknown>, string[]]>([
    ['an unknown kind', pools({ ...pool, kind: 'redis' }), ['capacity.pools[0].kind: got "redis"; must be "database" (a database client\'s connection pool), "http-client" (an HTTP agent\'s sockets to one upstream) or "worker" (a pool of worker threads)']],
    ['a misspelt key', pools({ ...pool, maxWiat: '50ms' }), ['capacity.pools[0].maxWiat: got unknown key; did you mean "maxWait"?']],
    ['a name that is no DNS label', pools({ ...pool, name: 'Orders DB' }), [expect.stringContaining('capacity.pools[0].name: got "Orders DB"; must be a DNS label')]],
    ['two pools of one name', pools(pool, { ...pool, size: 2 }), [expect.stringContaining('capacity.pools[1].name: got "orders-db"; must be unique')]],
    ['a fractional size', pools({ ...pool, size: 2.5 }), ['capacity.pools[0].size: got 2.5; must be a whole number from 1 to 10000']],
    ['a size of 0', pools({ ...pool, size: 0 }), ['capacity.pools[0].size: got 0; must be a whole number from 1 to 10000']],
    ['an in-use share above 1', pools({ ...pool, inUseOfSize: 90 }), ['capacity.pools[0].inUseOfSize: got 90; must be a ratio greater than 0 and at most 1, e.g. 0.9']],
    ['a wait that is no duration', pools({ ...pool, maxWait: 100 }), [expect.stringContaining('capacity.pools[0].maxWait: got 100; must be a positive Prometheus duration')]],
    ['a wait past a minute', pools({ ...pool, maxWait: '2m' }), ['capacity.pools[0].maxWait: got "2m"; must be at most "60s": a wait past a minute is a timeout, not a queue']],
    ['a negative number of calls per request', pools({ ...pool, callsPerRequest: -1 }), ['capacity.pools[0].callsPerRequest: got -1; must be a finite number greater than 0']],
    ['a database without a name', pools({ ...pool, connectsTo: { maxConnections: 100 } }), ['capacity.pools[0].connectsTo.name: got nothing; is required: the database\'s name, e.g. "orders"']],
    ['a database accepting half a connection', pools({ ...pool, connectsTo: { name: 'orders', maxConnections: 0.5 } }), ['capacity.pools[0].connectsTo.maxConnections: got 0.5; must be a whole number from 1 to 1000000']],
    ['a string for the list', def({ capacity: { pools: 'orders-db' } }), [expect.stringContaining('capacity.pools: got "orders-db"; must be a list of objects with kind: "database"')]],
    [
      'one database with two limits',
      pools({ ...pool, connectsTo: { name: 'orders', maxConnections: 100 } }, { ...pool, name: 'orders-ro', connectsTo: { name: 'orders', maxConnections: 200 } }),
      ['capacity.pools[0].connectsTo.maxConnections: got [100,200]; must be the same for every pool connecting to "orders": one database accepts one number of connections'],
    ],
    ['a worker pool with a connectsTo, which has nothing to connect to', pools({ kind: 'worker', name: 'render', size: 2, connectsTo: { name: 'x', maxConnections: 1 } }), ['capacity.pools[0].connectsTo: got unknown key; allowed: "kind", "name", "size", "inUseOfSize", "maxWait", "holdTime", "callsPerRequest"']],
    ['an http-client pool of fractional sockets', pools({ kind: 'http-client', name: 'payments-api', size: 1.5 }), ['capacity.pools[0].size: got 1.5; must be a whole number from 1 to 10000']],
    ['an http-client pool and a database pool of one name', pools(pool, { kind: 'http-client', name: 'orders-db', size: 2 }), [expect.stringContaining('capacity.pools[1].name: got "orders-db"; must be unique')]],
    [
      'an http-client pool whose sockets at maxReplicas overfill its upstream',
      def({ scaling: { maxReplicas: 10 }, capacity: { pools: [{ kind: 'http-client', name: 'payments-api', size: 24, connectsTo: { name: 'payments', maxConnections: 200 } }] } }),
      [
        'capacity.pools[0].size: got 24; 10 replicas (scaling.maxReplicas) × 24 connections (pool payments-api) = 240 connections, but upstream "payments" accepts 200 (connectsTo.maxConnections). ' +
          'Fix one of: fewer replicas (scaling.maxReplicas at most 8), a smaller pool (size at most 20), or a proxy in front of the upstream that multiplexes requests over fewer connections (HTTP/2, or a sidecar connection pool; give its limit as maxConnections)',
      ],
    ],
  ])('rejects %s', (_title, definition, lines) => {
    expect(problemLines(definition)).toEqual(lines);
  });
});

describe('several latency objectives and journeys: every bad value is named with what is allowed', () => {
  const withRoutes = { routes: ['/cart', '/checkout', '/orders/:id'] };
  it.each<[string, Record<string, unknown>, string[]]>([
    ["two latency objectives at one threshold written two ways (\"1s\" and \"1000ms\")", { slos: { latency: [{ objective: 95, threshold: '1s' }, { objective: 99, threshold: '1000ms' }] } }, ["slos.latency[1].threshold: got \"1000ms\"; is the threshold of slos.latency[0] too (\"1s\"): one objective per threshold, each becomes the SLO \"latency-1s\""]],
    ["a tighter latency threshold with a higher objective than a looser one", { slos: { latency: [{ objective: 99.5, threshold: '100ms' }, { objective: 99, threshold: '1s' }] } }, ["slos.latency[0].objective: got 99.5; contradicts slos.latency[1]: at most as many requests finish within 100ms as within 1s, so 99.5% within 100ms already promises at least 99% within 1s; a tighter threshold needs a lower objective (e.g. 95% within 100ms, 99.5% within 1s)"]],
    ["a tighter latency threshold with the same objective as a looser one (the looser can never burn alone)", { slos: { latency: [{ objective: 99, threshold: '1s' }, { objective: 99, threshold: '100ms' }] } }, ["slos.latency[1].objective: got 99; contradicts slos.latency[0]: at most as many requests finish within 100ms as within 1s, so 99% within 100ms already promises at least 99% within 1s; a tighter threshold needs a lower objective (e.g. 95% within 100ms, 99.5% within 1s)"]],
    ["an empty list of latency objectives", { slos: { latency: [] } }, ["slos.latency: got []; must be one objective { objective, threshold } or a non-empty list of them"]],
    ["a list of latency objectives with a bad threshold and an entry that is no object", { slos: { latency: [{ objective: 99, threshold: 'fast' }, 'x'] } }, ["slos.latency[1]: got \"x\"; must be an object { objective, window, burnTiers, minEvents, threshold }", "slos.latency[0].threshold: got \"fast\"; must be a positive duration such as \"300ms\" or \"1s\""]],
    ["a latency SLO that is a string, neither an objective nor a list", { slos: { latency: 'fast' } }, ["slos.latency: got \"fast\"; must be an object { objective, window, burnTiers, minEvents, threshold }, or a list of them"]],
    ["a journey route with a typo, suggesting the route meant", { journeys: { 'place-order': { routes: ['POST /chekout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[0]: got \"POST /chekout\"; names route \"/chekout\", which is not in routes; did you mean \"POST /checkout\"?"]],
    ["a journey route with a lower-case method, suggesting the upper-case one the shim records", { journeys: { 'place-order': { routes: ['post /checkout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[0]: got \"post /checkout\"; has the method in lower case: the shim records http_request_method in upper case (OTel semconv); did you mean \"POST /checkout\"?"]],
    ["a journey route with a method the shim does not record", { journeys: { 'place-order': { routes: ['FETCH /checkout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[0]: got \"FETCH /checkout\"; must use an HTTP method the shim records: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, TRACE (others are recorded as \"_OTHER\")"]],
    ["a journey route that is no route template", { journeys: { 'place-order': { routes: ['checkout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[0]: got \"checkout\"; must be \"<METHOD> <route template>\", e.g. \"POST /checkout\", or a route template alone for every method, e.g. \"/orders/:id\""]],
    ["a journey route far from every listed route, listing them", { journeys: { 'place-order': { routes: ['GET /admin/users'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[0]: got \"GET /admin/users\"; names route \"/admin/users\", which is not in routes (\"/cart\", \"/checkout\", \"/orders/:id\")"]],
    ["a journey on a service that lists no routes", { routes: undefined, journeys: { 'place-order': { routes: ['POST /checkout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[0]: got \"POST /checkout\"; names route \"/checkout\", but the service lists no routes: add it to routes (the journey selects requests by the http_route the shim records)"]],
    ["a journey with an empty route list", { journeys: { 'place-order': { routes: [], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes: got []; must list the journey's requests, e.g. [\"POST /checkout\", \"GET /orders/:id\"] (a route template alone means every method)"]],
    ["a journey without routes", { journeys: { 'place-order': { availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes: got nothing; must list the journey's requests, e.g. [\"POST /checkout\", \"GET /orders/:id\"] (a route template alone means every method)"]],
    ["a journey naming one request twice", { journeys: { 'place-order': { routes: ['POST /checkout', 'POST /checkout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[1]: got \"POST /checkout\"; selects requests journeys[\"place-order\"].routes[0] (\"POST /checkout\") already selects: list each request once (a route alone means every method)"]],
    ["a journey naming a route for every method after naming it for one", { journeys: { 'place-order': { routes: ['POST /checkout', '/checkout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[1]: got \"/checkout\"; selects requests journeys[\"place-order\"].routes[0] (\"POST /checkout\") already selects: list each request once (a route alone means every method)"]],
    ["a journey naming a route for one method after naming it for every method", { journeys: { 'place-order': { routes: ['/checkout', 'GET /checkout'], availability: { objective: 99.9 } } } }, ["journeys[\"place-order\"].routes[1]: got \"GET /checkout\"; selects requests journeys[\"place-order\"].routes[0] (\"/checkout\") already selects: list each request once (a route alone means every method)"]],
    ["a journey name with upper case and an underscore", { journeys: { 'Place_Order': { routes: ['POST /checkout'], availability: { objective: 99.9 } } } }, ["journeys.Place_Order: got \"Place_Order\"; must be a journey name: lower-case letters, digits and single hyphens, starting with a letter, at most 40 characters, e.g. \"place-order\""]],
    ["a journey name of 41 characters", { journeys: { ['a'.repeat(41)]: { routes: ['POST /checkout'], availability: { objective: 99.9 } } } }, ["journeys.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; must be a journey name: lower-case letters, digits and single hyphens, starting with a letter, at most 40 characters, e.g. \"place-order\""]],
    ["a journey without an objective", { journeys: { 'place-order': { routes: ['POST /checkout'] } } }, ["journeys[\"place-order\"]: got {\"routes\":[\"POST /checkout\"]}; must set availability, latency or both: a journey without an objective measures nothing"]],
    ["a journey with a misspelt objective key", { journeys: { 'place-order': { routes: ['POST /checkout'], availabilty: { objective: 99.9 } } } }, ["journeys[\"place-order\"].availabilty: got unknown key; did you mean \"availability\"?", "journeys[\"place-order\"]: got {\"routes\":[\"POST /checkout\"],\"availabilty\":{\"objective\":99.9}}; must set availability, latency or both: a journey without an objective measures nothing"]],
    ["a journey that is a string", { journeys: { 'place-order': 'POST /checkout' } }, ["journeys[\"place-order\"]: got \"POST /checkout\"; must be an object { availability, latency, routes }"]],
    ["journeys as a list instead of an object of names", { journeys: ['place-order'] }, ["journeys: got [\"place-order\"]; must be an object of names to objects { availability, latency, routes }"]],
    ["journeys on a worker", { kind: 'worker', journeys: { 'place-order': { routes: ['POST /checkout'], availability: { objective: 99.9 } } } }, ["journeys: got [\"place-order\"]; are for \"http\" services (a journey selects requests by method and route template); this service is kind \"worker\""]],
    ["a journey's contradicting latency objectives", { journeys: { 'place-order': { routes: ['POST /checkout'], latency: [{ objective: 99.9, threshold: '100ms' }, { objective: 99, threshold: '1s' }] } } }, ["journeys[\"place-order\"].latency[0].objective: got 99.9; contradicts journeys[\"place-order\"].latency[1]: at most as many requests finish within 100ms as within 1s, so 99.9% within 100ms already promises at least 99% within 1s; a tighter threshold needs a lower objective (e.g. 95% within 100ms, 99.5% within 1s)"]],
    ["alerting.labels.journey, which journey burn alerts set", { alerting: { labels: { journey: 'x' } } }, ["alerting.labels.journey: got \"journey\"; is set by every generated alert (or reserved by Prometheus, \"__\" names) and must not be overridden; reserved: service, namespace, team, signal, severity, slo, journey, burn_tier, alertname, alertstate, job, instance, pod, container, horizontalpodautoscaler, metric_name, metric_target_type, db_client_connection_pool_name, http_client_connection_pool_name, nodejs_worker_pool_name, __*"]],
  ])('rejects %s', (_title, patch, lines) => {
    expect(problemLines(def({ ...withRoutes, ...patch }))).toEqual(lines);
  });

  it("accepts the issue's definition: two latency objectives and a journey of method and route pairs", () => {
    const model = resolveService(def({ ...withRoutes, slos: { availability: { objective: 99.9 }, latency: [{ objective: 95, threshold: '100ms' }, { objective: 99.5, threshold: '1s' }] }, journeys: { 'place-order': { routes: ['POST /checkout', 'GET /orders/:id', '/cart'], availability: { objective: 99.95 } } } }) as unknown as ServiceDefinition);
    expect(model.slos.map((s) => s.name)).toEqual(['availability', 'latency-100ms', 'latency-1s', 'place-order-availability']);
    expect(model.journeys[0].requests).toEqual([{ method: 'POST', routes: ['/checkout'] }, { method: 'GET', routes: ['/orders/:id'] }, { routes: ['/cart'] }]);
  });
});
