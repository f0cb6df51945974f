import { Testing } from 'cdk8s';
import { GrafanaDashboards, type DashboardDelivery } from '../../src/constructs/dashboards';
import { appDashboards, serviceDashboard, MAX_APPLY_BYTES, type DashboardJson } from '../../src/dashboards';
import { validateManifest } from '../support/schema';
import { EXAMPLE_MODELS } from './fixtures';

const [checkout] = EXAMPLE_MODELS;

function synth(dashboards: readonly DashboardJson[], delivery?: DashboardDelivery): any[] {
  const chart = Testing.chart();
  new GrafanaDashboards(chart, 'dashboards', { dashboards, namespace: 'monitoring', delivery });
  return Testing.synth(chart);
}

describe('GrafanaDashboards', () => {
  it('puts each dashboard in its own ConfigMap for the Grafana sidecar', () => {
    const manifests = synth(appDashboards(EXAMPLE_MODELS));
    expect(manifests.map((m) => [m.kind, m.metadata.name])).toEqual([
      ['ConfigMap', 'gs-shop-checkout-service'],
      ['ConfigMap', 'gs-shop-checkout-budget'],
      ['ConfigMap', 'gs-shop-catalog-service'],
      ['ConfigMap', 'gs-shop-catalog-budget'],
      ['ConfigMap', 'gs-backoffice-ledger-sync-service'],
      ['ConfigMap', 'gs-backoffice-ledger-sync-budget'],
      ['ConfigMap', 'gs-shop-mailer-service'],
      ['ConfigMap', 'gs-shop-mailer-budget'],
      ['ConfigMap', 'gs-all-services-fleet'],
    ]);
  });

  it('labels the ConfigMap grafana_dashboard: "1" and keeps the JSON under <uid>.json, unchanged', () => {
    const [cm] = synth([serviceDashboard(checkout)]);
    expect(cm.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'golden-signals', grafana_dashboard: '1' });
    expect(cm.metadata.annotations).toBeUndefined();
    expect(Object.keys(cm.data)).toEqual(['gs-shop-checkout-service.json']);
    expect(JSON.parse(cm.data['gs-shop-checkout-service.json'])).toEqual(serviceDashboard(checkout));
  });

  it.each<[string, DashboardDelivery, Record<string, string>, Record<string, string> | undefined]>([
    ['a custom sidecar label', { kind: 'configMap', label: { key: 'dashboards', value: 'team-a' } }, { dashboards: 'team-a' }, undefined],
    ['a folder annotation', { kind: 'configMap', folder: 'Services' }, { grafana_dashboard: '1' }, { grafana_folder: 'Services' }],
    ['a folder under a custom annotation key', { kind: 'configMap', folder: 'Shop', folderAnnotation: 'k8s-sidecar-target-directory' }, { grafana_dashboard: '1' }, { 'k8s-sidecar-target-directory': 'Shop' }],
  ])('honours %s', (_what, delivery, labels, annotations) => {
    const [cm] = synth([serviceDashboard(checkout)], delivery);
    expect(cm.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'golden-signals', ...labels });
    expect(cm.metadata.annotations).toEqual(annotations);
  });

  it('emits a grafana-operator GrafanaDashboard with the JSON inline when asked', () => {
    const [cr] = synth([serviceDashboard(checkout)], { kind: 'grafanaOperator', folder: 'Services', resyncPeriod: '10m' });
    expect(cr.apiVersion).toBe('grafana.integreatly.org/v1beta1');
    expect(cr.kind).toBe('GrafanaDashboard');
    expect(cr.spec.instanceSelector).toEqual({ matchLabels: { dashboards: 'grafana' } });
    expect(cr.spec.folder).toBe('Services');
    expect(JSON.parse(cr.spec.json).uid).toBe('gs-shop-checkout-service');
  });

  it.each<[string, DashboardDelivery | undefined]>([
    ['ConfigMaps', undefined],
    ['ConfigMaps with a folder', { kind: 'configMap', folder: 'Services' }],
    ['GrafanaDashboards', { kind: 'grafanaOperator', instanceSelector: { app: 'grafana' }, allowCrossNamespaceImport: true }],
  ])('emits %s that validate against the pinned schemas', (_what, delivery) => {
    for (const m of synth(appDashboards(EXAMPLE_MODELS), delivery)) expect(validateManifest(m)).toEqual([]);
  });

  it('matches the snapshot', () => {
    expect(synth([serviceDashboard(checkout)], { kind: 'grafanaOperator' })).toMatchSnapshot();
  });

  it('fails at synth time when a dashboard is too big for kubectl apply', () => {
    const huge: DashboardJson = { ...serviceDashboard(checkout), description: 'x'.repeat(MAX_APPLY_BYTES) };
    expect(() => synth([huge])).toThrow(/ConfigMap "gs-shop-checkout-service" .* is \d+ bytes, more than the 250000 bytes/);
  });

  // The largest, checkout's error-budget report (five SLOs, a journey), is about 37% of the limit: a service
  // would need twice its SLOs to reach it, and then synth fails with the message above, not kubectl.
  it('accepts the example dashboards, all well under the limit', () => {
    for (const m of synth(appDashboards(EXAMPLE_MODELS))) expect(JSON.stringify(m).length).toBeLessThan(MAX_APPLY_BYTES / 2);
  });

  it('refuses two dashboards with one uid', () => {
    expect(() => synth([serviceDashboard(checkout), serviceDashboard(checkout)])).toThrow(/two dashboards have uid "gs-shop-checkout-service"/);
  });

  it('refuses a uid that is not a Kubernetes object name', () => {
    expect(() => synth([{ ...serviceDashboard(checkout), uid: 'Shop_Checkout' }])).toThrow(/"Shop_Checkout" is not a valid Kubernetes object name/);
  });
});
