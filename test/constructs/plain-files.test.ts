/**
 * What a user's cdk8s app gets beside dist/: `writePlainFiles(app)` writes alerts/ and dashboards/ for every
 * GoldenSignals in the app, and `FleetOverview` is the fleet dashboard every service dashboard links to.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { catalog, checkout, ledger, mailer } from '../../examples/services';
import { FleetOverview } from '../../src/constructs/fleet-overview';
import { GoldenSignals } from '../../src/constructs/golden-signals';
import { writePlainFiles } from '../../src/constructs/plain-files';
import { fleetDashboardUid } from '../../src/dashboards';
import { resolveService } from '../../src/model';
import { fleetPlainFiles } from '../../src/plain';
import { scrapeConfig } from '../../src/scrape';
import { describeWithBinary, run, tempFile } from '../support/binaries';
import { validateManifest } from '../support/schema';

type Manifest = { kind: string; metadata: { name: string; namespace?: string }; data?: Record<string, string> };

function app(): App {
  const a = Testing.app();
  const shop = new Chart(a, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  new GoldenSignals(shop, 'checkout', { service: checkout });
  new GoldenSignals(shop, 'catalog', { service: catalog });
  return a;
}

function fleetServices(manifests: readonly Manifest[]): string[] {
  const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === fleetDashboardUid())!;
  const json = configMap.data![`${fleetDashboardUid()}.json`];
  return ['shop/checkout', 'shop/catalog', 'backoffice/ledger-sync'].filter((s) => json.includes(s.split('/')[1]));
}

describe('FleetOverview', () => {
  it('lists every GoldenSignals of the app, including services added after it and in other charts', () => {
    const a = app();
    const monitoring = new Chart(a, 'monitoring', { namespace: 'monitoring', disableResourceNameHashes: true });
    new FleetOverview(monitoring, 'fleet');
    new GoldenSignals(new Chart(a, 'backoffice', { namespace: 'backoffice', disableResourceNameHashes: true }), 'ledger', { service: ledger });
    const manifests = Testing.synth(monitoring) as Manifest[];
    expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['ConfigMap/monitoring/gs-all-services-fleet']);
    expect(fleetServices(manifests)).toEqual(['shop/checkout', 'shop/catalog', 'backoffice/ledger-sync']);
    expect(validateManifest(manifests[0])).toEqual([]);
  });

  it('has the uid every service dashboard links to', () => {
    const a = app();
    const overview = new FleetOverview(new Chart(a, 'monitoring', { namespace: 'monitoring' }), 'fleet');
    const shop = Testing.synth(a.node.findChild('shop') as Chart) as Manifest[];
    const serviceDashboard = shop.find((m) => m.metadata.name === 'gs-shop-checkout-service')!;
    expect(overview.uid).toBe('gs-all-services-fleet');
    expect(serviceDashboard.data!['gs-shop-checkout-service.json']).toContain(`/d/${overview.uid}`);
  });

  it('is the same dashboard writePlainFiles writes, byte for byte once formatted', () => {
    const a = app();
    const monitoring = new Chart(a, 'monitoring', { namespace: 'monitoring' });
    new FleetOverview(monitoring, 'fleet');
    const [configMap] = Testing.synth(monitoring) as Manifest[];
    const plain = fleetPlainFiles([resolveService(catalog), resolveService(checkout)])['dashboards/gs-all-services-fleet.json'];
    expect(JSON.parse(Object.values(configMap.data!)[0])).toEqual(JSON.parse(plain));
  });
});

describe('writePlainFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-plain-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes alerts/ and dashboards/ for every service of the app, and returns the paths', () => {
    // Every SLO of checkout, several latency objectives and a journey's, proves its burn tiers and budget in files of its own.
    // Each burn tier's guard scenarios run against that tier's rules alone, in files of their own too.
    const CHECKOUT_SLOS = ['availability', 'latency-100ms', 'latency-1s', 'place-order-availability', 'place-order-latency'];
    const TIERS = ['fast', 'longterm', 'medium', 'slow'];
    const tierSubsets = (slo: string) => TIERS.map((tier) => `${slo}-burn-${tier}`);
    const tierFiles = (slo: string) => [`${slo}-burn-fast.1m`, `${slo}-burn-longterm.1m`, `${slo}-burn-longterm.30m`, `${slo}-burn-medium.15m`, `${slo}-burn-medium.1m`, `${slo}-burn-slow.1m`, `${slo}-burn-slow.30m`];
    // Every other alert (a pool's together) against its own rules; TrafficDrop's week runs at 15m.
    const CATALOG_ALERTS = ['cpu-above-request', 'cpu-near-limit', 'event-loop-delay-high', 'event-loop-saturated', 'golden-signals-missing', 'memory-near-limit', 'service-targets-down', 'traffic-absent'];
    const CHECKOUT_ALERTS = [...CATALOG_ALERTS, 'autoscaler-maxed-out', 'in-flight-near-limit', 'orders-db-pool', 'payments-api-pool', 'traffic-above-capacity'];
    const written = writePlainFiles(app(), { outdir: dir });
    expect(written).toEqual([
      'alerts/alertmanager.yml',
      'alerts/shop-catalog.rules.yaml',
      'alerts/shop-catalog.scrape.yaml',
      'alerts/shop-checkout.rules.yaml',
      'alerts/shop-checkout.scrape.yaml',
      ...['availability-burn', ...tierSubsets('availability'), ...CATALOG_ALERTS, 'traffic-drop'].map((scope) => `alerts/tests/shop-catalog.${scope}.rules.yaml`),
      ...['availability-burn.15m', 'availability-burn.1m', 'availability-burn.30m', ...tierFiles('availability'), ...CATALOG_ALERTS.map((a) => `${a}.1m`), 'service.1m', 'traffic-drop.15m'].map((f) => `alerts/tests/shop-catalog.${f}.test.yaml`),
      ...CHECKOUT_SLOS.flatMap((slo) => [`${slo}-budget`, `${slo}-burn`, ...tierSubsets(slo)]).concat(CHECKOUT_ALERTS, 'traffic-drop').map((scope) => `alerts/tests/shop-checkout.${scope}.rules.yaml`),
      ...CHECKOUT_SLOS.flatMap((slo) => [`${slo}-budget.5m`, `${slo}-burn.15m`, `${slo}-burn.1m`, `${slo}-burn.30m`, ...tierFiles(slo)])
        .concat(CHECKOUT_ALERTS.map((a) => `${a}.1m`), 'service.1m', 'traffic-drop.15m')
        .map((f) => `alerts/tests/shop-checkout.${f}.test.yaml`),
      'dashboards/gs-all-services-fleet.json',
      'dashboards/gs-shop-catalog-budget.json',
      'dashboards/gs-shop-catalog-service.json',
      'dashboards/gs-shop-checkout-budget.json',
      'dashboards/gs-shop-checkout-service.json',
      'loadtests/shop-catalog.k6.js',
      'loadtests/shop-checkout.k6.js',
    ].sort());
    for (const file of written) expect(fs.existsSync(path.join(dir, file))).toBe(true);
  });

  it("removes the k6 scripts it wrote for a service that left, and never a team's own load tests beside them", () => {
    writePlainFiles(app(), { outdir: dir });
    fs.writeFileSync(path.join(dir, 'loadtests', 'shop-catalog.k6.js.bak'), 'kept');
    fs.writeFileSync(path.join(dir, 'loadtests', 'checkout-spike.k6.js'), "import http from 'k6/http';\n");
    const smaller = Testing.app();
    new GoldenSignals(new Chart(smaller, 'shop', { namespace: 'shop' }), 'checkout', { service: checkout });
    writePlainFiles(smaller, { outdir: dir });
    expect(fs.readdirSync(path.join(dir, 'loadtests')).sort()).toEqual(['checkout-spike.k6.js', 'shop-catalog.k6.js.bak', 'shop-checkout.k6.js']);
  });

  it('removes the files of a service that left the app, as cdk8s does in dist/', () => {
    writePlainFiles(app(), { outdir: dir });
    const smaller = Testing.app();
    new GoldenSignals(new Chart(smaller, 'shop', { namespace: 'shop' }), 'checkout', { service: checkout });
    writePlainFiles(smaller, { outdir: dir });
    expect(fs.readdirSync(path.join(dir, 'alerts')).filter((f) => f.includes('catalog'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'dashboards')).sort()).toEqual(['gs-all-services-fleet.json', 'gs-shop-checkout-budget.json', 'gs-shop-checkout-service.json']);
  });

  it('names the fleet after the app’s one FleetOverview', () => {
    const a = app();
    new FleetOverview(new Chart(a, 'monitoring', { namespace: 'monitoring' }), 'fleet', { name: 'shop' });
    expect(writePlainFiles(a, { outdir: dir })).toContain('dashboards/gs-all-shop-fleet.json');
  });

  it('writes a static scrape entry for the services given fixed targets', () => {
    writePlainFiles(app(), { outdir: dir, staticTargets: { 'shop/checkout': ['10.0.3.7:9464', 'checkout-1.internal:9464'] } });
    const scrape = YAML.parse(fs.readFileSync(path.join(dir, 'alerts/shop-checkout.scrape.yaml'), 'utf8'));
    expect(scrape.scrape_configs[0].static_configs).toEqual([{ targets: ['10.0.3.7:9464', 'checkout-1.internal:9464'], labels: { namespace: 'shop' } }]);
    expect(scrape.scrape_configs[0].kubernetes_sd_configs).toBeUndefined();
    expect(YAML.parse(fs.readFileSync(path.join(dir, 'alerts/shop-catalog.scrape.yaml'), 'utf8')).scrape_configs[0].kubernetes_sd_configs).toBeDefined();
  });

  it.each([
    ['a key that names no service', { 'shop/chekout': ['10.0.3.7:9464'] }, 'staticTargets["shop/chekout"]: no such service; the keys are "<namespace>/<name>" of the app\'s services: shop/catalog, shop/checkout'],
    ['a target without a port', { 'shop/checkout': ['10.0.3.7'] }, 'staticTargets["shop/checkout"]: got "10.0.3.7"; each target must be "host:port"'],
    ['an empty list', { 'shop/checkout': [] }, 'staticTargets["shop/checkout"]: got []; must be a non-empty list of "host:port"'],
  ])('rejects %s, naming the key and what is allowed, and writes nothing', (_case, staticTargets, message) => {
    expect(() => writePlainFiles(app(), { outdir: dir, staticTargets })).toThrow(message);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

// Debian builds Prometheus without Kubernetes discovery ("field kubernetes_sd_configs not found"), so only the
// static form can be loaded here; the Kubernetes form's relabelings run in the end-to-end test.
describeWithBinary('promtool', 'the static scrape form in a real Prometheus configuration', (promtool) => {
  it('promtool check config accepts it', () => {
    const scrape_configs = [mailer, checkout].map((s) => scrapeConfig(resolveService(s), { kind: 'static', targets: ['127.0.0.1:9464'] }));
    const { status, output } = run(promtool, ['check', 'config', tempFile('prometheus.yml', YAML.stringify({ scrape_configs }))], 60_000);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });
});
