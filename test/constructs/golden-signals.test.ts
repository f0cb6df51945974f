import { Chart, Testing } from 'cdk8s';
import { catalog, checkout, fleet, ledger } from '../../examples/services';
import { GoldenSignals } from '../../src/constructs/golden-signals';
import { resolveService } from '../../src/model';
import { serviceRules } from '../../src/rules';
import { defineService } from '../../src/spec';
import { validateManifest } from '../support/schema';

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

  it('refuses the same service twice in one chart, naming both places', () => {
    expect(() =>
      synth((chart) => {
        new GoldenSignals(chart, 'first', { service: checkout });
        new GoldenSignals(chart, 'second', { service: checkout });
      }),
    ).toThrow('Duplicate service "shop/checkout" in chart "test": already defined at test/first, again at test/second.');
  });

  it('allows the same service name in two namespaces', () => {
    expect(() =>
      synth((chart) => {
        new GoldenSignals(chart, 'a', { service: catalog });
        new GoldenSignals(chart, 'b', { service: { ...catalog, namespace: 'shop-eu', routing: undefined } });
      }),
    ).not.toThrow();
  });
});
