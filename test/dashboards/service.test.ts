import * as fs from 'node:fs';
import * as path from 'node:path';
import { appDashboards, dashboardFiles, fleetDashboardUid, serializeDashboard, serviceDashboard, type DashboardJson, type PanelJson } from '../../src/dashboards';
import { resolveService } from '../../src/model';
import { dashboardUid, MAX_UID_LENGTH } from '../../src/model/uid';
import { catalog } from '../../examples/services';
import { bare, EXAMPLE_MODELS, worker } from './fixtures';

const [checkout, catalogModel, ledger] = EXAMPLE_MODELS;
const panels = (d: DashboardJson): PanelJson[] => d.panels.filter((p) => p.type !== 'row');
const rows = (d: DashboardJson): string[] => d.panels.filter((p) => p.type === 'row').map((p) => p.title);
const byTitle = (d: DashboardJson) => new Map(panels(d).map((p) => [p.title, p]));

describe('the service dashboard', () => {
  it.each(EXAMPLE_MODELS.map((m) => [m.name, m] as const))('of %s has the uid the alerts dashboard_url points at', (_name, m) => {
    const d = serviceDashboard(m);
    expect(d.uid).toBe(dashboardUid(m.namespace, m.name, 'service'));
    expect(d.uid).toBe(m.alerting.dashboardUid);
    expect(d.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it('keeps uids within 40 characters for the longest names Kubernetes allows', () => {
    const long = resolveService({ ...catalog, name: 'a'.repeat(63), namespace: 'b'.repeat(63) });
    expect(serviceDashboard(long).uid.length).toBeLessThanOrEqual(MAX_UID_LENGTH);
    expect(serviceDashboard(long).uid).toBe(long.alerting.dashboardUid);
  });

  it('is tagged golden-signals, service:<name> and namespace:<namespace>', () => {
    expect(serviceDashboard(checkout).tags).toEqual(expect.arrayContaining(['golden-signals', 'service:checkout', 'namespace:shop']));
  });

  it('has the SLOs, Traffic, Errors, Latency and Saturation rows, in that order', () => {
    expect(rows(serviceDashboard(checkout))).toEqual(['SLOs', 'Journeys', 'Traffic', 'Errors', 'Latency', 'Saturation']);
  });

  it('leaves out the SLO row of a service without objectives', () => {
    expect(rows(serviceDashboard(bare))).toEqual(['Traffic', 'Errors', 'Latency', 'Saturation']);
  });

  it('has four SLO panels per SLO: SLI, budget left, burn rate and alert state', () => {
    const oneLatency = resolveService({ ...checkout.definition, slos: { availability: { objective: 99.9 }, latency: { objective: 99, threshold: '300ms' } }, journeys: undefined });
    const titles = panels(serviceDashboard(oneLatency)).filter((p) => p.gridPos.y < 17).map((p) => [p.id, p.title]);
    expect(titles).toEqual([
      [11, 'Availability SLI'],
      [12, 'Availability error budget left (30d)'],
      [13, 'Availability burn rate'],
      [14, 'Availability burn alerts'],
      [21, 'Latency SLI'],
      [22, 'Latency error budget left (30d)'],
      [23, 'Latency burn rate'],
      [24, 'Latency burn alerts'],
    ]);
  });

  it('gives each of several latency objectives and each journey SLO its four panels, journeys in a row of their own, ids from 101 up', () => {
    const d = serviceDashboard(checkout);
    const sloRows = panels(d).filter((p) => p.id < 30 || p.id > 100);
    expect(sloRows.filter((p) => p.title.endsWith(' SLI')).map((p) => [p.id, p.title])).toEqual([
      [11, 'Availability SLI'],
      [101, 'Latency within 100ms SLI'],
      [111, 'Latency within 1s SLI'],
      [121, 'Place-order journey availability SLI'],
      [131, 'Place-order journey latency SLI'],
    ]);
    expect(sloRows).toHaveLength(20);
  });

  it("reads a journey's SLI from its method and route pairs only, and its budget from its own slo series", () => {
    const byName = byTitle(serviceDashboard(checkout));
    const sli = byName.get('Place-order journey availability SLI')!.targets![0].expr;
    expect(sli).toContain('http_request_method="POST", http_route="/checkout"');
    expect(sli).toContain('http_request_method="GET", http_route="/orders/:id"');
    expect(sli).not.toMatch(/http_route=~/);
    expect(byName.get('Place-order journey latency error budget left (30d)')!.targets![0].expr).toContain('slo="place-order-latency"');
  });

  it('draws every burn tier threshold of an SLO, coloured by severity', () => {
    const burn = byTitle(serviceDashboard(checkout)).get('Availability burn rate') as any;
    expect(burn.fieldConfig.defaults.thresholds.steps).toEqual([
      { value: null, color: 'green' },
      { value: 1, color: 'orange' },
      { value: 3, color: 'orange' },
      { value: 6, color: 'red' },
      { value: 14.4, color: 'red' },
    ]);
    expect(burn.fieldConfig.defaults.custom.thresholdsStyle).toEqual({ mode: 'dashed' });
    expect(burn.targets.map((t: any) => t.legendFormat)).toEqual(['fast (1h)', 'medium (6h)', 'slow (1d)', 'longterm (3d)']);
  });

  it('shows only the tiers an SLO keeps', () => {
    const burn = byTitle(serviceDashboard(ledger)).get('Latency burn rate')!;
    expect(burn.targets!.map((t) => t.legendFormat)).toEqual(['medium (6h)', 'longterm (3d)']);
  });

  it('asks for exemplars on every latency target', () => {
    const latencyPanels = panels(serviceDashboard(checkout)).filter((p) => p.id >= 51 && p.id <= 53);
    expect(latencyPanels).toHaveLength(3);
    for (const p of latencyPanels) for (const t of p.targets!) expect(t.exemplar).toBe(true);
  });

  it.each([
    ['checkout', checkout],
    ['a worker', worker],
    ['a bare service', bare],
  ] as const)('gives every panel of %s a unit and a description phrased as a question', (_what, m) => {
    for (const p of panels(serviceDashboard(m))) {
      expect(p.fieldConfig?.defaults?.unit).toBeTruthy();
      expect(p.description).toMatch(/\?/);
    }
  });

  it('numbers refIds A, B, C… within each panel', () => {
    for (const p of panels(serviceDashboard(checkout))) {
      expect(p.targets!.map((t) => t.refId)).toEqual('ABCDEFGHIJ'.slice(0, p.targets!.length).split(''));
    }
  });

  it('keeps a panel id when the service gains an SLO, a capacity and an autoscaler', () => {
    const before = byTitle(serviceDashboard(catalogModel));
    const grown = byTitle(
      serviceDashboard(resolveService({ ...catalog, slos: { ...catalog.slos, latency: { objective: 99, threshold: '250ms' } }, capacity: { requestsPerSecond: 10 }, scaling: { maxReplicas: 5 } })),
    );
    for (const [title, p] of before) expect([title, grown.get(title)?.id]).toEqual([title, p.id]);
    expect(grown.size).toBeGreaterThan(before.size);
  });

  it('shows replicas only when the service autoscales, and in-flight requests only for HTTP', () => {
    expect(byTitle(serviceDashboard(checkout)).has('Replicas')).toBe(true);
    expect(byTitle(serviceDashboard(catalogModel)).has('Replicas')).toBe(false);
    expect(byTitle(serviceDashboard(worker)).has('Requests in flight per pod')).toBe(false);
    expect(byTitle(serviceDashboard(worker)).has('Replicas')).toBe(true);
  });

  it('draws the declared concurrency limit on the in-flight panel', () => {
    const inFlight = byTitle(serviceDashboard(checkout)).get('Requests in flight per pod') as any;
    expect(inFlight.fieldConfig.defaults.thresholds.steps).toEqual([
      { value: null, color: 'green' },
      { value: 57.6, color: 'orange' },
      { value: 64, color: 'red' },
    ]);
  });

  it('has the datasource, namespace and route variables, the namespace preset to the service own', () => {
    const vars = serviceDashboard(checkout).templating.list;
    expect(vars.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['namespace', 'query'],
      ['route', 'query'],
    ]);
    expect((vars[1] as any).current.value).toBe('shop');
    expect(vars[2]).toMatchObject({ multi: true, includeAll: true, allValue: '.*', refresh: 2 });
  });

  it('calls the route variable "Operation" for a worker', () => {
    expect(serviceDashboard(worker).templating.list[2].label).toBe('Operation');
  });

  it('links the error-budget report, the runbooks, the fleet overview and the service other dashboards by tag', () => {
    expect(serviceDashboard(checkout).links).toEqual([
      expect.objectContaining({ title: 'Error-budget report', type: 'link', url: '/d/gs-shop-checkout-budget', keepTime: false, includeVars: true }),
      expect.objectContaining({ title: 'Runbooks', type: 'link', url: 'https://runbooks.example.com/shop/' }),
      expect.objectContaining({ title: 'Fleet overview', type: 'link', url: `/d/${fleetDashboardUid()}` }),
      expect.objectContaining({ type: 'dashboards', tags: ['service:checkout'], asDropdown: true, includeVars: true, keepTime: true }),
    ]);
  });

  it('links no error-budget report for a service without SLOs, which has none', () => {
    expect(serviceDashboard(bare).links!.map((l) => l.title)).not.toContain('Error-budget report');
  });

  it('links the alert-state panel to the burn alert runbook', () => {
    const alerts = byTitle(serviceDashboard(checkout)).get('Availability burn alerts') as any;
    expect(alerts.links[0].url).toBe('https://runbooks.example.com/shop/errorbudgetburn');
  });

  it('is read-only', () => {
    expect(serviceDashboard(checkout).editable).toBe(false);
  });
});

describe('the example dashboards', () => {
  const dashboards = appDashboards(EXAMPLE_MODELS);

  it.each(dashboards.map((d) => [d.uid, d] as const))('match the snapshot: %s', (_uid, d) => {
    expect(serializeDashboard(d)).toMatchSnapshot();
  });

  it('are committed in dashboards/ exactly as generated (regenerate with `npm run synth`)', () => {
    const dir = path.join(__dirname, '..', '..', 'dashboards');
    const committed = Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    expect(committed).toEqual(dashboardFiles(dashboards));
  });

  it('serialize deterministically: sorted keys, 2-space indent, trailing newline', () => {
    const text = serializeDashboard(dashboards[0]);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toMatch(/^ {2}"annotations"/);
    expect(serializeDashboard(appDashboards(EXAMPLE_MODELS)[0])).toBe(text);
  });
});
