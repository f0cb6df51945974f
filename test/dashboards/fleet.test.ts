import { Testing } from 'cdk8s';
import { GrafanaDashboards } from '../../src/constructs/dashboards';
import { constantValues, fleetDashboard, fleetDashboardQueries, fleetDashboardUid, MAX_APPLY_BYTES, serviceDashboard, type DashboardJson, type PanelJson } from '../../src/dashboards';
import { bare, EXAMPLE_MODELS, generatedFleet, worker } from './fixtures';
import { lintDashboard } from './lint';
import { EXCLUSIONS } from './lint-exclusions';

const [checkout, catalog] = EXAMPLE_MODELS;
const fleet = fleetDashboard(EXAMPLE_MODELS);
const panels = (d: DashboardJson): PanelJson[] => d.panels.filter((p) => p.type !== 'row');
const table = (d: DashboardJson): any => d.panels.find((p) => p.type === 'table');
/** Override properties of the table field `name`, by property id. */
const column = (d: DashboardJson, name: string): Record<string, any> =>
  Object.fromEntries(table(d).fieldConfig.overrides.find((o: any) => o.matcher.options === name).properties.map((p: any) => [p.id, p.value]));

/** Bytes of the fleet dashboard's ConfigMap as `kubectl apply` stores it: what GrafanaDashboards checks. */
function configMapBytes(d: DashboardJson): number {
  const chart = Testing.chart();
  new GrafanaDashboards(chart, 'dashboards', { dashboards: [d], namespace: 'monitoring' });
  return Buffer.byteLength(JSON.stringify(Testing.synth(chart)[0]), 'utf8');
}

describe('the fleet overview', () => {
  it('keeps its uid and tags', () => {
    expect(fleet.uid).toBe(fleetDashboardUid());
    expect(fleet.tags).toEqual(['golden-signals', 'fleet']);
  });

  it('is a table of services and three fleet-wide trends, whatever the number of services', () => {
    for (const d of [fleet, fleetDashboard(generatedFleet(100))]) {
      expect(d.panels.map((p) => [p.id, p.type, p.title])).toEqual([
        [1, 'row', 'Services'],
        [2, 'table', 'Services'],
        [10, 'row', 'Fleet trends'],
        [11, 'timeseries', 'Top 10 services by error ratio'],
        [12, 'timeseries', 'Top 10 services by traffic'],
        [13, 'timeseries', '10 services with the least error budget left'],
      ]);
    }
  });

  it('shows namespace, service, traffic, error ratio, p99, error budget left and firing alerts, in that order', () => {
    const organize = table(fleet).transformations.find((t: any) => t.id === 'organize').options;
    const order = Object.entries(organize.indexByName as Record<string, number>).sort(([, a], [, b]) => a - b).map(([name]) => name);
    expect(order.map((name) => column(fleet, name).displayName)).toEqual(['Namespace', 'Service', 'Traffic', 'Error ratio', 'p99 latency', 'Error budget left', 'Firing alerts']);
    expect(organize.excludeByName).toEqual({ Time: true });
  });

  it('joins one instant table query per column on namespace and job with the Merge transformation', () => {
    const t = table(fleet);
    expect(t.transformations.map((x: any) => x.id)).toEqual(['merge', 'organize']);
    for (const target of t.targets) {
      expect(target).toMatchObject({ instant: true, range: false, format: 'table' });
      for (const aggregation of target.expr.match(/(?:sum|min|count|group) by \([^)]*\)/g)) expect(aggregation).toMatch(/by \(namespace, job(, le)?\)/);
    }
  });

  it('links each row to the service dashboards by the tags every service dashboard carries', () => {
    const [link] = column(fleet, 'job').links;
    expect(link.url).toBe('/dashboards?tag=service:${__data.fields.job}&tag=namespace:${__data.fields.namespace}');
    const filled = (m: typeof checkout) => link.url.replace('${__data.fields.job}', m.name).replace('${__data.fields.namespace}', m.namespace);
    for (const m of [checkout, worker, bare]) {
      const tags = new URLSearchParams(filled(m).split('?')[1]).getAll('tag');
      expect(serviceDashboard(m).tags).toEqual(expect.arrayContaining(tags));
    }
  });

  it('colours the error ratio from the strictest and loosest availability objectives, and the budget red once overspent', () => {
    expect(column(fleet, 'Value #B').thresholds.steps).toEqual([
      { value: null, color: 'green' },
      { value: 0.001, color: 'orange' },
      { value: 0.01, color: 'red' },
    ]);
    expect(column(fleet, 'Value #D').thresholds.steps).toEqual([
      { value: null, color: 'red' },
      { value: 0, color: 'orange' },
      { value: 0.25, color: 'green' },
    ]);
    expect(column(fleet, 'Value #D')['custom.cellOptions'].type).toBe('color-background');
  });

  it('leaves the error ratio uncoloured in a fleet without availability objectives', () => {
    expect(column(fleetDashboard([bare]), 'Value #B').thresholds).toBeUndefined();
  });

  it('selects the services by namespace and job regexes, written once as hidden constants', () => {
    expect(constantValues(fleet)).toEqual({ fleet_namespaces: 'backoffice|shop', fleet_http_jobs: 'checkout|ledger-sync', fleet_http_jobs_2: 'catalog', fleet_worker_jobs: 'mailer' });
    expect(fleet.templating.list.filter((v) => v.type === 'constant').every((v) => v.hide === 2)).toBe(true);
    for (const p of panels(fleet)) for (const t of p.targets!) expect(t.expr).not.toMatch(/checkout|catalog|ledger-sync|mailer/);
  });

  it('gives services of another kind or error predicate queries of their own, joined with or', () => {
    expect(constantValues(fleetDashboard([checkout, catalog, worker]))).toEqual({
      fleet_namespaces: 'growth|shop',
      fleet_http_jobs: 'checkout',
      fleet_http_jobs_2: 'catalog',
      fleet_worker_jobs: 'mailer',
    });
    const errors = fleetDashboardQueries([checkout, catalog, worker]).find((q) => q.panelId === 2 && q.refId === 'B')!.expr;
    expect(errors).toContain('http_response_status_code=~"5.."');
    expect(errors).toContain('http_response_status_code=~"5..|429"');
    expect(errors).toContain('outcome="error"');
  });

  it('keeps its queries word for word when services join, so only the constants grow', () => {
    const exprs = (d: DashboardJson) => panels(d).flatMap((p) => p.targets!.map((t) => t.expr));
    expect(exprs(fleetDashboard(generatedFleet(500)))).toEqual(exprs(fleetDashboard(generatedFleet(8))));
  });

  it('passes the dashboard-linter port at 500 services', () => {
    expect(lintDashboard(fleetDashboard(generatedFleet(500)), EXCLUSIONS)).toEqual([]);
  });

  it('stays far under the kubectl apply limit at 500 services, growing by under 25 bytes a service', () => {
    const small = configMapBytes(fleetDashboard(generatedFleet(3)));
    const large = configMapBytes(fleetDashboard(generatedFleet(500)));
    expect(large).toBeLessThan(MAX_APPLY_BYTES / 10);
    expect((large - small) / 497).toBeLessThan(25);
  });

  it('refuses a service listed twice', () => {
    expect(() => fleetDashboard([checkout, checkout])).toThrow(/"checkout" in namespace "shop" is listed twice/);
  });

  it('refuses an empty fleet', () => {
    expect(() => fleetDashboard([])).toThrow(/no services/);
  });
});
