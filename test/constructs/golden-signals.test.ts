import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { catalog, checkout, fleet, ledger } from '../../examples/services';
import { AlertRouting } from '../../src/constructs/alert-routing';
import { GoldenSignals } from '../../src/constructs/golden-signals';
import { resolveService, ServiceDefinitionError } from '../../src/model';
import { renderAlertmanagerConfig } from '../../src/routing';
import { serviceRules } from '../../src/rules';
import { defineService, type RoutingOptions } from '../../src/spec';
import { checkout as routedCheckout, paymentsRouting, refunds } from '../routing/fixtures';
import { validateManifest } from '../support/schema';
import { thrownBy } from '../support/errors';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any };

function synth(build: (chart: Chart) => void): Manifest[] {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return Testing.synth(chart) as Manifest[];
}

const fleetManifests = synth((chart) => fleet.forEach((service) => new GoldenSignals(chart, service.name, { service })));
const of = (kind: string, name: string) => fleetManifests.find((m) => m.kind === kind && m.metadata.name === name)!;

describe('GoldenSignals', () => {
  it('synthesizes the example fleet as the reviewed snapshot', () => {
    expect(fleetManifests).toMatchSnapshot();
  });

  it.each(fleetManifests.map((m) => [m.kind, m.metadata.name, m] as const))('%s %s validates against the pinned schemas', (_kind, _name, manifest) => {
    expect(validateManifest(manifest)).toEqual([]);
  });

  it.each([
    ['a ServiceMonitor', 'ServiceMonitor'],
    ['a PrometheusRule', 'PrometheusRule'],
    ['a dashboard ConfigMap', 'ConfigMap'],
  ])('gives every service %s', (_what, kind) => {
    for (const s of fleet) expect(fleetManifests.some((m) => m.kind === kind && m.metadata.namespace === s.namespace && JSON.stringify(m).includes(s.name))).toBe(true);
  });

  it('pins the job label to the service name whatever the Kubernetes Service is called (DESIGN 3.2)', () => {
    const monitor = of('ServiceMonitor', 'checkout-golden-signals');
    expect(monitor.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s', relabelings: [{ targetLabel: 'job', replacement: 'checkout' }] },
    ]);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['shop'] });
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'checkout' } });
  });

  it('places exactly the generated rules in the PrometheusRule', () => {
    const rule = of('PrometheusRule', 'checkout-golden-signals');
    expect(rule.spec).toEqual(JSON.parse(JSON.stringify(serviceRules(resolveService(checkout)))));
  });

  it('places the SLO-window group of a service that sets sloWindowEvaluationInterval in a PrometheusRule of its own, labelled for a ruler to select', () => {
    const [service, window] = serviceRules(resolveService(ledger)).groups;
    expect(of('PrometheusRule', 'ledger-sync-golden-signals').spec).toEqual(JSON.parse(JSON.stringify({ groups: [service] })));
    const own = of('PrometheusRule', 'ledger-sync-golden-signals-slo-window');
    expect(own.spec).toEqual(JSON.parse(JSON.stringify({ groups: [window] })));
    expect(own.metadata.labels).toEqual({ ...of('PrometheusRule', 'ledger-sync-golden-signals').metadata.labels, 'golden-signals/rule-tier': 'slo-window' });
    expect(fleetManifests.filter((m) => m.kind === 'PrometheusRule').map((m) => m.metadata.name)).toEqual([
      'checkout-golden-signals',
      'catalog-golden-signals',
      'ledger-sync-golden-signals',
      'ledger-sync-golden-signals-slo-window',
      'mailer-golden-signals',
    ]);
  });

  it.each([
    ['its own stack', undefined, { 'app.kubernetes.io/part-of': 'golden-signals' }],
    ['a kube-prometheus-stack release', { kind: 'kube-prometheus-stack', releaseName: 'monitoring' } as const, { 'app.kubernetes.io/part-of': 'golden-signals', release: 'monitoring' }],
  ])('labels the rules and monitors so %s selects them', (_stack, stack, labels) => {
    const manifests = synth((chart) => new GoldenSignals(chart, 'catalog', { service: catalog, stack }));
    for (const kind of ['PrometheusRule', 'ServiceMonitor']) expect(manifests.find((m) => m.kind === kind)!.metadata.labels).toMatchObject(labels);
  });

  it('adds an autoscaler only for a service that declares scaling', () => {
    expect(fleetManifests.filter((m) => m.kind === 'HorizontalPodAutoscaler').map((m) => m.metadata.name)).toEqual(['checkout']);
  });

  it('adds alert routing only for services that declare it', () => {
    expect(fleetManifests.filter((m) => m.kind === 'AlertmanagerConfig').map((m) => m.metadata.namespace)).toEqual(['shop', 'shop']);
    expect(synth((chart) => new GoldenSignals(chart, 'ledger', { service: ledger })).some((m) => m.kind === 'AlertmanagerConfig')).toBe(false);
  });

  it('leaves the dashboard out when asked to', () => {
    expect(synth((chart) => new GoldenSignals(chart, 'catalog', { service: catalog, dashboards: false })).some((m) => m.kind === 'ConfigMap')).toBe(false);
  });

  it('fails at synth time with every problem of an invalid definition', () => {
    const bad = defineService({ ...checkout, name: 'Checkout', slos: { availability: { objective: 90 } } });
    expect(() => synth((chart) => new GoldenSignals(chart, 'bad', { service: bad }))).toThrow(/Invalid service definition "Checkout" \(2 problems\)/);
  });

  it.each([
    ['one chart', ['shop', 'shop'], 'shop/first', 'shop/second'],
    ['two charts of one app', ['shop', 'shop-extra'], 'shop/first', 'shop-extra/second'],
  ])('refuses the same service twice in %s, naming both construct paths', (_where, [a, b], firstPath, secondPath) => {
    const charts = inOneApp(a, b);
    new GoldenSignals(charts[a], 'first', { service: checkout });
    expect(() => new GoldenSignals(charts[b], 'second', { service: checkout })).toThrow(`Duplicate service "shop/checkout": already defined at ${firstPath}, again at ${secondPath}.`);
  });

  it.each([
    ['one chart', ['shop', 'shop']],
    ['two charts of one app', ['shop', 'shop-eu']],
  ])('allows the same service name in two namespaces, in %s', (_where, [a, b]) => {
    const charts = inOneApp(a, b);
    new GoldenSignals(charts[a], 'a', { service: catalog });
    new GoldenSignals(charts[b], 'b', { service: { ...catalog, namespace: 'shop-eu' } });
    const configs = [...new Set(Object.values(charts))].flatMap((chart) => kinds(Testing.synth(chart) as Manifest[], 'AlertmanagerConfig'));
    expect(configs.map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['shop/catalog-routing', 'shop-eu/catalog-routing']);
  });

  it('allows the same service in two apps', () => {
    for (const app of [Testing.app(), Testing.app()]) new GoldenSignals(new Chart(app, 'shop'), 'checkout', { service: checkout });
  });
});

describe('GoldenSignals routing per team', () => {
  const payments: RoutingOptions = { ...paymentsRouting, per: 'team' };
  const teamCheckout = defineService({ ...routedCheckout, routing: payments });
  // Declares a cluster label the first service does not: the team config groups by it only if it includes refunds.
  const teamRefunds = defineService({ ...refunds, routing: payments, alerting: { clusterLabel: 'cluster' } });

  it('gives the services of one team and namespace one AlertmanagerConfig, in the chart of the first, covering services added later', () => {
    const charts = inOneApp('first', 'second');
    const a = new GoldenSignals(charts.first, 'checkout', { service: teamCheckout });
    const b = new GoldenSignals(charts.second, 'refunds', { service: teamRefunds });
    const [config, ...more] = kinds(Testing.synth(charts.first) as Manifest[], 'AlertmanagerConfig');
    expect(more).toEqual([]);
    expect(kinds(Testing.synth(charts.second) as Manifest[], 'AlertmanagerConfig')).toEqual([]);
    expect(config.metadata).toEqual({ name: 'team-payments-routing', namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'golden-signals' } });
    expect(config.spec.route.groupBy).toContain('cluster');
    expect(config.spec).toEqual(handBuiltTeamSpec([teamCheckout, teamRefunds]));
    expect(validateManifest(config)).toEqual([]);
    expect(a.teamRouting).toBe(b.teamRouting);
    expect(a.teamRouting!.unit.services).toEqual(['checkout', 'refunds']);
    expect([a.routing, b.routing]).toEqual([undefined, undefined]);
  });

  it('routes the team as the plain alertmanager.yml of the same definitions does: one unit, the same name', () => {
    const chart = inOneApp('shop').shop;
    for (const service of [teamCheckout, teamRefunds]) new GoldenSignals(chart, service.name, { service });
    const configs = kinds(Testing.synth(chart) as Manifest[], 'AlertmanagerConfig');
    const plain = YAML.parse(renderAlertmanagerConfig([teamCheckout, teamRefunds].map(resolveService)));
    expect(configs.map((m) => `${m.metadata.namespace}/${m.metadata.name}/ticket`)).toEqual(plain.route.routes.map((r: { receiver: string }) => r.receiver));
  });

  it('gives a team one AlertmanagerConfig per namespace, since one cannot route alerts of another namespace', () => {
    const chart = inOneApp('shop').shop;
    new GoldenSignals(chart, 'checkout', { service: teamCheckout });
    new GoldenSignals(chart, 'refunds', { service: { ...teamRefunds, namespace: 'shop-eu' } });
    const configs = kinds(Testing.synth(chart) as Manifest[], 'AlertmanagerConfig');
    expect(configs.map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['shop/team-payments-routing', 'shop-eu/team-payments-routing']);
  });

  it.each<[string, RoutingOptions, RoutingOptions, RegExp]>([
    [
      'route differently',
      payments,
      { ...payments, timing: { page: { repeatInterval: '1h' } } },
      /"refunds"[\s\S]*routing: got "differs from service \\"checkout\\" of team \\"payments\\""; must equal the routing of every service of team "payments" in namespace "shop" when routing per team \(share one RoutingOptions object\)/,
    ],
    [
      'route per team and per service',
      payments,
      paymentsRouting,
      /"refunds"[\s\S]*routing\.per: got "service"; must equal that of service "checkout" \("team"\), of the same team "payments" in namespace "shop"[\s\S]*share one RoutingOptions object with per: 'team'/,
    ],
    [
      'route per service and per team',
      paymentsRouting,
      payments,
      /"refunds"[\s\S]*routing\.per: got "team"; must equal that of service "checkout" \("service"\)/,
    ],
  ])('refuses a team whose services %s, naming both services and what to do', (_how, first, second, message) => {
    const charts = inOneApp('first', 'second');
    new GoldenSignals(charts.first, 'checkout', { service: { ...routedCheckout, routing: first } });
    const error = thrownBy(() => new GoldenSignals(charts.second, 'refunds', { service: { ...refunds, routing: second } }));
    expect(error).toBeInstanceOf(ServiceDefinitionError);
    expect(error.message).toMatch(message);
  });

  it('refuses a team whose services load into different stacks, since one config carries one set of selector labels', () => {
    const chart = inOneApp('shop').shop;
    new GoldenSignals(chart, 'checkout', { service: teamCheckout });
    expect(() => new GoldenSignals(chart, 'refunds', { service: teamRefunds, stack: { kind: 'kube-prometheus-stack' } })).toThrow(
      /"shop\/refunds" at shop\/refunds routes per team with the stack labels .* but its team's AlertmanagerConfig shop\/team-routing-shop-payments has/,
    );
  });

  it.each([
    ['per service', paymentsRouting, ['checkout-routing', 'refunds-routing']],
    ['per team', payments, ['team-payments-routing']],
  ])('with alertRouting: false, routing %s is left to a hand-built AlertRouting, without a second AlertmanagerConfig', (_per, routing, names) => {
    const chart = inOneApp('shop').shop;
    const services = [routedCheckout, refunds].map((s) => defineService({ ...s, routing }));
    for (const service of services) new GoldenSignals(chart, service.name, { service, alertRouting: false });
    expect(kinds(Testing.synth(chart) as Manifest[], 'AlertmanagerConfig')).toEqual([]);
    new AlertRouting(chart, 'routing', { services: services.map(resolveService) });
    expect(kinds(Testing.synth(chart) as Manifest[], 'AlertmanagerConfig').map((m) => m.metadata.name)).toEqual(names);
  });

  it('does not count a service with alertRouting: false as a member of its team', () => {
    const chart = inOneApp('shop').shop;
    new GoldenSignals(chart, 'checkout', { service: teamCheckout, alertRouting: false });
    new GoldenSignals(chart, 'refunds', { service: { ...refunds, routing: paymentsRouting } });
    expect(kinds(Testing.synth(chart) as Manifest[], 'AlertmanagerConfig').map((m) => m.metadata.name)).toEqual(['refunds-routing']);
  });
});

/** Charts of one App, by id, each with its id as namespace (an id given twice is one chart). */
function inOneApp(...ids: string[]): Record<string, Chart> {
  const app: App = Testing.app();
  return Object.fromEntries([...new Set(ids)].map((id) => [id, new Chart(app, id, { namespace: id, disableResourceNameHashes: true })]));
}

function kinds(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** The spec a hand-built per-team AlertRouting synthesizes for the services. */
function handBuiltTeamSpec(services: Parameters<typeof resolveService>[0][]): unknown {
  const chart = inOneApp('by-hand')['by-hand'];
  new AlertRouting(chart, 'routing', { services: services.map(resolveService), per: 'team' });
  const [config] = Testing.synth(chart) as Manifest[];
  return config.spec;
}

describe('GoldenSignals and connection pools across services', () => {
  const withPool = (name: string, size: number, maxReplicas: number) =>
    defineService({
      name,
      namespace: 'shop',
      team: 'payments',
      metrics: { port: 9464 },
      capacity: { pools: [{ kind: 'database', name: 'orders-db', size, connectsTo: { name: 'orders', maxConnections: 100 } }] },
      scaling: { minReplicas: 1, maxReplicas },
    });

  it('rejects a second service whose pools overfill a database the first one also uses, naming every share', () => {
    const build = () =>
      synth((chart) => {
        new GoldenSignals(chart, 'checkout', { service: withPool('checkout', 10, 6) });
        new GoldenSignals(chart, 'refunds', { service: withPool('refunds', 10, 5) });
      });
    expect(build).toThrow(
      'Service "shop/refunds" at test/refunds: database "orders" accepts 100 connections, but the services sharing it hold checkout 6 × 10 + refunds 5 × 10 = 110 at their maxReplicas: lower maxReplicas or pool sizes, or put a pooler such as PgBouncer in front',
    );
  });

  it('reports a pool far above its load as a process warning and synthesizes anyway', () => {
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const oversized = defineService({
        ...withPool('checkout', 50, 2),
        capacity: { requestsPerSecond: 10, pools: [{ kind: 'database', name: 'orders-db', size: 50, holdTime: '100ms' }] },
      });
      expect(synth((chart) => new GoldenSignals(chart, 'checkout', { service: oversized })).length).toBeGreaterThan(0);
      expect(emitted.mock.calls).toEqual([
        [
          expect.stringMatching(/^shop\/checkout: capacity\.pools\[0\]\.size: 50 is far above what one pod needs at its declared capacity: 10 req\/s × 1 call per request × 100ms held = 1 connection in use on average/),
          { code: 'GOLDEN_SIGNALS_DEFINITION' },
        ],
      ]);
    } finally {
      emitted.mockRestore();
    }
  });
});
