import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { mailer } from '../../examples/services';
import { ObservabilityStack, type ObservabilityStackProps } from '../../src/constructs/observability-stack';
import { stackLabels } from '../../src/constructs/selectors';
import { resolveService } from '../../src/model';
import type { AdapterConfig } from '../../src/scaling/manifests';
import { StackOptionsError, TESTED_VERSIONS } from '../../src/stack';
import { describeWithBinary, runOk } from '../support/binaries';
import { validateManifest } from '../support/schema';
import { checkout, ledger } from '../routing/fixtures';
import { ingressAllowed, restrictedViolations, selects, type Source } from './policy';

type Obj = Record<string, any>;

function synth(props: ObservabilityStackProps = {}): Obj[] {
  const chart = Testing.chart();
  new ObservabilityStack(chart, 'stack', props);
  return Testing.synth(chart);
}

/** The stack in a chart with a namespace, as a GitOps repo (and the example app) declares it. */
function synthInNamespacedChart(props: ObservabilityStackProps = {}): Obj[] {
  const chart = new Chart(Testing.app(), 'platform', { namespace: 'monitoring' });
  new ObservabilityStack(chart, 'stack', props);
  return Testing.synth(chart);
}

const find = (ms: Obj[], kind: string, name?: string) => ms.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
const one = (ms: Obj[], kind: string, name?: string) => {
  const found = find(ms, kind, name);
  expect(found).toHaveLength(1);
  return found[0];
};

const rps: AdapterConfig = {
  rules: [
    {
      seriesQuery: 'http_server_request_duration_seconds_count{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^http_server_request_duration_seconds_count$', as: 'http_requests_per_second' },
      metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
    },
  ],
  externalRules: [],
};
const queueDepth: AdapterConfig = {
  rules: [],
  externalRules: [
    {
      seriesQuery: 'queue_depth{namespace!=""}',
      resources: { namespaced: true },
      name: { matches: '^queue_depth$', as: 'queue_depth' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
};

const dashboard = { uid: 'gs-shop-checkout-service', title: 'checkout', tags: ['golden-signals'], panels: [], templating: { list: [] } };

/** A CA bundle as APIService caBundle takes it (the PEM armour is what the check looks for). */
const PEM_BASE64 = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

const full: ObservabilityStackProps = {
  services: [checkout, ledger].map(resolveService),
  prometheus: { remoteWrite: [{ kind: 'mimir', url: 'http://mimir-distributor.mimir.svc:8080/api/v1/push', tenant: 'shop' }] },
  grafana: { tracing: { kind: 'tempo', url: 'http://tempo.tracing.svc:3200' }, allowFrom: [{ kind: 'pods', namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, podLabels: {} }] },
  adapterConfigs: [rps, queueDepth, rps],
  dashboards: [dashboard],
};

describe('ObservabilityStack (own mode)', () => {
  const ms = synth(full);

  test('the default stack matches the reviewed snapshot', () => {
    expect(synth()).toMatchSnapshot();
  });

  test.each<[string, ObservabilityStackProps]>([
    ['with defaults', {}],
    ['with tracing, remote write, the adapter and dashboards', full],
    ['sharded behind Thanos', { prometheus: { shards: 3, remoteWrite: [{ kind: 'thanos', url: 'http://thanos-receive.thanos.svc:19291/api/v1/receive' }], queryUrl: 'http://thanos-query.thanos.svc:9090' } }],
    ['with dashboards read from every namespace', { grafana: { dashboardNamespaces: 'all' } }],
    ['for kube-prometheus-stack', { mode: { kind: 'kube-prometheus-stack' }, adapterConfigs: [rps], dashboards: [dashboard] }],
    ['with the adapter certificate from a Secret, KEDA and one Alertmanager', { adapterConfigs: [rps], adapter: { tls: { kind: 'secret', secretName: 'adapter-tls', caBundle: PEM_BASE64 } }, services: [resolveService(mailer)], alertmanager: { replicas: 1 } }],
    ['without the default-deny policy', { networkPolicy: { defaultDeny: false }, adapterConfigs: [rps], adapter: { apiServerFrom: [{ kind: 'cidr', cidr: '10.0.0.0/24' }] } }],
  ])('every manifest %s is valid against the Kubernetes 1.28 schema and the pinned CRDs', (_title, props) => {
    const manifests = synth(props);
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) expect(validateManifest(m)).toEqual([]);
  });

  test('the schema check catches a misspelt field (so the test above can fail)', () => {
    const prometheus = one(ms, 'Prometheus');
    expect(validateManifest({ ...prometheus, spec: { ...prometheus.spec, retentionn: '1d' } } as Obj)).not.toEqual([]);
  });

  test('every workload meets the restricted Pod Security Standard, with a read-only root filesystem and requests and limits', () => {
    const workloads = ms.filter((m) => ['Deployment', 'Prometheus', 'Alertmanager'].includes(m.kind));
    expect(workloads.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Alertmanager/golden-signals',
      'Deployment/golden-signals-adapter',
      'Deployment/golden-signals-grafana',
      'Prometheus/golden-signals',
    ]);
    for (const m of workloads) expect(restrictedViolations(m)).toEqual([]);
  });

  test('the restricted check rejects a container that may escalate (so the test above can fail)', () => {
    const grafana = structuredClone(one(ms, 'Deployment', 'golden-signals-grafana'));
    grafana.spec.template.spec.containers[1].securityContext.allowPrivilegeEscalation = true;
    delete grafana.spec.template.spec.containers[0].resources.limits;
    expect(restrictedViolations(grafana)).toEqual([
      'Deployment/golden-signals-grafana container grafana: no limits.cpu',
      'Deployment/golden-signals-grafana container grafana: no limits.memory',
      'Deployment/golden-signals-grafana container dashboard-sidecar: allowPrivilegeEscalation is not false',
    ]);
  });

  test.each([
    ['ruleSelector', 'PrometheusRule'],
    ['serviceMonitorSelector', 'ServiceMonitor'],
    ['podMonitorSelector', 'PodMonitor'],
  ])('Prometheus %s selects a %s labelled the way GoldenSignals labels it, in any namespace', (field) => {
    const spec = one(ms, 'Prometheus').spec;
    expect(selects(spec[field], stackLabels({ kind: 'own' }))).toBe(true);
    expect(selects(spec[field], { app: 'something-else' })).toBe(false);
    expect(spec[field.replace('Selector', 'NamespaceSelector')]).toEqual({});
  });

  test('Alertmanager selects the AlertmanagerConfigs of every namespace, each confined to its own namespace', () => {
    const spec = one(ms, 'Alertmanager').spec;
    expect(selects(spec.alertmanagerConfigSelector, stackLabels({ kind: 'own' }))).toBe(true);
    expect(spec.alertmanagerConfigNamespaceSelector).toEqual({});
    expect(spec.alertmanagerConfigMatcherStrategy).toEqual({ type: 'OnNamespace' });
  });

  test('Prometheus sends alerts to the stack Alertmanager Service, which selects the Alertmanager pods', () => {
    const alerting = one(ms, 'Prometheus').spec.alerting.alertmanagers[0];
    const service = one(ms, 'Service', alerting.name);
    expect(selects({ matchLabels: service.spec.selector }, one(ms, 'Alertmanager').spec.podMetadata.labels)).toBe(true);
    expect(service.spec.ports[0].name).toBe(alerting.port);
  });

  test('retention covers the longest SLO window by default', () => {
    expect(one(ms, 'Prometheus').spec.retention).toBe('35d');
  });

  test('Grafana takes its admin credentials from a Secret and never from a literal', () => {
    const env = one(ms, 'Deployment', 'golden-signals-grafana').spec.template.spec.containers[0].env;
    const admin = env.filter((e: Obj) => e.name.startsWith('GF_SECURITY_ADMIN'));
    expect(admin).toEqual([
      { name: 'GF_SECURITY_ADMIN_USER', valueFrom: { secretKeyRef: { name: 'golden-signals-grafana-admin', key: 'admin-user' } } },
      { name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'golden-signals-grafana-admin', key: 'admin-password' } } },
    ]);
    expect(find(ms, 'Secret')).toEqual([]);
  });

  test('the Prometheus datasource links exemplars by trace_id to the tracing datasource, and Prometheus stores exemplars', () => {
    const datasources = YAML.parse(one(ms, 'ConfigMap', 'golden-signals-grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.map((d: Obj) => [d.uid, d.type, d.url])).toEqual([
      ['prometheus', 'prometheus', 'http://golden-signals-prometheus.monitoring.svc:9090'],
      ['alertmanager', 'alertmanager', 'http://golden-signals-alertmanager.monitoring.svc:9093'],
      ['tracing', 'tempo', 'http://tempo.tracing.svc:3200'],
    ]);
    expect(datasources[0].jsonData.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: 'tracing' }]);
    expect(one(ms, 'Prometheus').spec.enableFeatures).toEqual(['exemplar-storage']);
  });

  test('without tracing there is no exemplar link and no exemplar storage', () => {
    const plain = synth();
    const datasources = YAML.parse(one(plain, 'ConfigMap', 'golden-signals-grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources.map((d: Obj) => d.uid)).toEqual(['prometheus', 'alertmanager']);
    expect(datasources[0].jsonData.exemplarTraceIdDestinations).toBeUndefined();
    expect(one(plain, 'Prometheus').spec.enableFeatures).toBeUndefined();
  });

  test('only the sidecar holds a Kubernetes API token; the Grafana container, which serves the UI, has none', () => {
    const pod = one(ms, 'Deployment', 'golden-signals-grafana').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(one(ms, 'ServiceAccount', 'golden-signals-grafana').automountServiceAccountToken).toBe(false);
    const tokenMounts = pod.containers.map((c: Obj) => [c.name, c.volumeMounts.some((v: Obj) => v.name === 'kube-api-access')]);
    expect(tokenMounts).toEqual([
      ['grafana', false],
      ['dashboard-sidecar', true],
    ]);
  });

  test('the sidecar loads grafana_dashboard="1" ConfigMaps of the stack namespace, where the dashboards are placed', () => {
    const sidecar = one(ms, 'Deployment', 'golden-signals-grafana').spec.template.spec.containers[1];
    const env = Object.fromEntries(sidecar.env.map((e: Obj) => [e.name, e.value]));
    expect(env).toMatchObject({ LABEL: 'grafana_dashboard', LABEL_VALUE: '1', NAMESPACE: 'monitoring', RESOURCE: 'configmap' });
    const cm = one(ms, 'ConfigMap', 'gs-shop-checkout-service');
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(one(ms, 'Role', 'golden-signals-grafana').rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
  });

  test.each([
    [['monitoring', 'shop'], 'monitoring,shop', ['Role', 'Role']],
    ['all' as const, 'ALL', ['ClusterRole']],
  ])('dashboard namespaces %j make the sidecar watch %s with %j', (namespaces, env, roles) => {
    const m = synth({ grafana: { dashboardNamespaces: namespaces } });
    const sidecar = one(m, 'Deployment', 'golden-signals-grafana').spec.template.spec.containers[1];
    expect(sidecar.env.find((e: Obj) => e.name === 'NAMESPACE').value).toBe(env);
    expect(m.filter((x) => (x.kind === 'Role' || x.kind === 'ClusterRole') && x.metadata.name.includes('grafana')).map((x) => x.kind)).toEqual(roles);
  });

  test('the adapter config merges the fragments, keeping one rule per metric name', () => {
    const config = YAML.parse(one(ms, 'ConfigMap', 'golden-signals-adapter-config').data['config.yaml']);
    expect(config.rules.map((r: Obj) => r.name.as)).toEqual(['http_requests_per_second']);
    expect(config.externalRules.map((r: Obj) => r.name.as)).toEqual(['queue_depth']);
    expect(find(ms, 'APIService').map((a) => a.metadata.name)).toEqual(['v1beta1.custom.metrics.k8s.io', 'v1beta1.external.metrics.k8s.io']);
    const args = one(ms, 'Deployment', 'golden-signals-adapter').spec.template.spec.containers[0].args;
    expect(args).toContain('--prometheus-url=http://golden-signals-prometheus.monitoring.svc:9090/');
  });

  test.each<[string, ObservabilityStackProps]>([
    ['there are no adapter rules', {}],
    ['the adapter is turned off', { adapter: false, adapterConfigs: [rps] }],
  ])('no adapter runs when %s', (_title, props) => {
    const m = synth(props);
    expect(m.filter((x) => x.metadata.name.includes('adapter'))).toEqual([]);
  });

  test.each([
    ['mimir', 'X-Scope-OrgID'],
    ['cortex', 'X-Scope-OrgID'],
    ['thanos', 'THANOS-TENANT'],
  ] as const)('remote write to %s sends the tenant in %s and credentials by SecretKeySelector', (kind, header) => {
    const m = synth({
      prometheus: {
        remoteWrite: [{ kind, url: 'https://metrics.example.com/push', tenant: 'shop', auth: { kind: 'basic', username: { secret: { name: 'rw', key: 'user' } }, password: { secret: { name: 'rw', key: 'password' } } } }],
      },
    });
    expect(one(m, 'Prometheus').spec.remoteWrite).toEqual([
      { name: `${kind}-0`, url: 'https://metrics.example.com/push', headers: { [header]: 'shop' }, basicAuth: { username: { name: 'rw', key: 'user' }, password: { name: 'rw', key: 'password' } } },
    ]);
  });

  test('a bearer token for remote write is an authorization credentials reference', () => {
    const m = synth({ prometheus: { remoteWrite: [{ kind: 'mimir', url: 'https://m.example.com/api/v1/push', auth: { kind: 'bearer', token: { secret: { name: 'rw', key: 'token' } } } }] } });
    expect(one(m, 'Prometheus').spec.remoteWrite[0].authorization).toEqual({ type: 'Bearer', credentials: { name: 'rw', key: 'token' } });
  });

  test('a sharded Prometheus loads no rules, and Grafana and the adapter query the global store', () => {
    const m = synth({
      prometheus: { shards: 2, remoteWrite: [{ kind: 'thanos', url: 'http://receive.thanos.svc:19291/api/v1/receive' }], queryUrl: 'http://query.thanos.svc:9090' },
      adapterConfigs: [rps],
    });
    const spec = one(m, 'Prometheus').spec;
    expect(spec.shards).toBe(2);
    expect(spec.ruleSelector).toBeUndefined();
    expect(spec.serviceMonitorSelector).toBeDefined();
    const datasources = YAML.parse(one(m, 'ConfigMap', 'golden-signals-grafana-provisioning').data['datasources.yaml']).datasources;
    expect(datasources[0].url).toBe('http://query.thanos.svc:9090');
    expect(one(m, 'Deployment', 'golden-signals-adapter').spec.template.spec.containers[0].args).toContain('--prometheus-url=http://query.thanos.svc:9090/');
  });

  test('a change to the provisioning rolls the Grafana pod (Grafana reads datasources only at start-up)', () => {
    const hash = (m: Obj[]) => one(m, 'Deployment', 'golden-signals-grafana').spec.template.metadata.annotations['golden-signals/provisioning-hash'];
    expect(hash(synth())).toMatch(/^[0-9a-f]{8}$/);
    expect(hash(synth())).not.toBe(hash(ms));
  });
});

describe('ObservabilityStack NetworkPolicies', () => {
  const ms = synth(full);
  const policies = find(ms, 'NetworkPolicy');
  const pods = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': 'golden-signals' });
  const inStack = (name: string) => ({ namespace: 'monitoring', podLabels: pods(name) });
  const stranger = { namespace: 'monitoring', podLabels: { app: 'curl' } };
  const otherNs = { namespace: 'shop', namespaceLabels: { 'kubernetes.io/metadata.name': 'shop' }, podLabels: pods('grafana') };
  const ingress = { namespace: 'ingress-nginx', namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };

  test.each(
    (
      [
    ['Grafana', inStack('grafana'), 'prometheus', 9090, 'TCP', true],
    ['prometheus-adapter', inStack('prometheus-adapter'), 'prometheus', 9090, 'TCP', true],
    ['another pod of the namespace', stranger, 'prometheus', 9090, 'TCP', false],
    ['a look-alike pod in another namespace', otherNs, 'prometheus', 9090, 'TCP', false],
    ['Prometheus', inStack('prometheus'), 'alertmanager', 9093, 'TCP', true],
    ['Grafana', inStack('grafana'), 'alertmanager', 9093, 'TCP', true],
    ['another pod of the namespace', stranger, 'alertmanager', 9093, 'TCP', false],
    ['another Alertmanager replica (gossip over TCP)', inStack('alertmanager'), 'alertmanager', 9094, 'TCP', true],
    ['another Alertmanager replica (gossip over UDP)', inStack('alertmanager'), 'alertmanager', 9094, 'UDP', true],
    ['Prometheus (not on the gossip port)', inStack('prometheus'), 'alertmanager', 9094, 'TCP', false],
    ['the ingress controller allowed in', ingress, 'grafana', 3000, 'TCP', true],
    ['another pod of the namespace', stranger, 'grafana', 3000, 'TCP', false],
    ['Grafana on a port it does not serve', ingress, 'grafana', 8080, 'TCP', false],
      ] as Array<[string, Source, string, number, string, boolean]>
    ).map(([who, source, target, port, protocol, allowed]) => [who, target, port, protocol, allowed ? 'allowed' : 'denied', source, allowed] as const),
  )('%s reaching %s on %i/%s is %s', (_who, target, port, protocol, _verdict, source, allowed) => {
    expect(ingressAllowed(policies, 'monitoring', pods(target), source, port, protocol)).toBe(allowed);
  });

  test('without allowFrom nothing may open Grafana', () => {
    const closed = find(synth(), 'NetworkPolicy');
    expect(ingressAllowed(closed, 'monitoring', pods('grafana'), ingress, 3000)).toBe(false);
  });

  test('every component policy selects the pods its component actually runs, and the default-deny every pod', () => {
    const podLabels: Record<string, Obj> = {
      prometheus: one(ms, 'Prometheus').spec.podMetadata.labels,
      alertmanager: one(ms, 'Alertmanager').spec.podMetadata.labels,
      grafana: one(ms, 'Deployment', 'golden-signals-grafana').spec.template.metadata.labels,
      'prometheus-adapter': one(ms, 'Deployment', 'golden-signals-adapter').spec.template.metadata.labels,
    };
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      'golden-signals-alertmanager',
      'golden-signals-default-deny',
      'golden-signals-grafana',
      'golden-signals-prometheus',
      'golden-signals-prometheus-adapter',
      'golden-signals-scraped-by-prometheus',
    ]);
    for (const p of policies.filter((x) => x.metadata.labels['app.kubernetes.io/name'] !== undefined)) {
      const component = p.metadata.labels['app.kubernetes.io/name'];
      expect([component, selects(p.spec.podSelector, podLabels[component])]).toEqual([component, true]);
    }
    const denyAll = one(policies, 'NetworkPolicy', 'golden-signals-default-deny');
    for (const labels of [...Object.values(podLabels), { app: 'anything' }, {}]) expect(selects(denyAll.spec.podSelector, labels)).toBe(true);
    expect(denyAll.spec.ingress).toEqual([]);
  });
});

describe('ObservabilityStack NetworkPolicies around KEDA, the adapter and the rest of the namespace', () => {
  const pods = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': 'golden-signals' });
  const inStack = (name: string): Source => ({ namespace: 'monitoring', podLabels: pods(name) });
  const keda = (name: string, namespace = 'keda'): Source => ({ namespace, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, podLabels: { app: name, 'app.kubernetes.io/name': name } });
  const stranger: Source = { namespace: 'monitoring', podLabels: { app: 'curl' } };
  const elsewhere: Source = { namespace: 'shop', namespaceLabels: { 'kubernetes.io/metadata.name': 'shop' }, podLabels: { app: 'checkout' } };
  const kubeStateMetrics = { 'app.kubernetes.io/name': 'kube-state-metrics' };
  const withKeda = find(synth({ services: [resolveService(mailer)] }), 'NetworkPolicy');
  const withoutKeda = find(synth({ services: [resolveService(checkout)] }), 'NetworkPolicy');
  const kedaElsewhere = find(synth({ services: [resolveService(mailer)], keda: { namespace: 'autoscaling' } }), 'NetworkPolicy');
  const withAdapter = find(synth({ adapterConfigs: [rps] }), 'NetworkPolicy');
  const adapterFromControlPlane = find(synth({ adapterConfigs: [rps], adapter: { apiServerFrom: [{ kind: 'cidr', cidr: '10.0.0.0/24' }] } }), 'NetworkPolicy');
  const noDefaultDeny = find(synth({ networkPolicy: { defaultDeny: false } }), 'NetworkPolicy');
  const oneAlertmanager = find(synth({ alertmanager: { replicas: 1 } }), 'NetworkPolicy');

  test.each(
    (
      [
        ['KEDA\'s operator, when a service scales with KEDA', withKeda, keda('keda-operator'), pods('prometheus'), 9090, 'TCP', true],
        ['KEDA\'s metrics API server, when a service scales with KEDA', withKeda, keda('keda-operator-metrics-apiserver'), pods('prometheus'), 9090, 'TCP', true],
        ['another pod of the keda namespace', withKeda, keda('keda-admission-webhooks'), pods('prometheus'), 9090, 'TCP', false],
        ['KEDA\'s operator, when no service scales with KEDA', withoutKeda, keda('keda-operator'), pods('prometheus'), 9090, 'TCP', false],
        ['KEDA\'s operator in the namespace keda.namespace names', kedaElsewhere, keda('keda-operator', 'autoscaling'), pods('prometheus'), 9090, 'TCP', true],
        ['KEDA\'s operator in the default namespace when keda.namespace names another', kedaElsewhere, keda('keda-operator'), pods('prometheus'), 9090, 'TCP', false],
        ['the kube-apiserver (any source without apiServerFrom)', withAdapter, elsewhere, pods('prometheus-adapter'), 6443, 'TCP', true],
        ['any source on a port the adapter does not serve', withAdapter, elsewhere, pods('prometheus-adapter'), 8080, 'TCP', false],
        ['a pod, when apiServerFrom names the control plane\'s address block', adapterFromControlPlane, elsewhere, pods('prometheus-adapter'), 6443, 'TCP', false],
        ['this Prometheus, scraping another workload of the namespace', withAdapter, inStack('prometheus'), kubeStateMetrics, 8080, 'TCP', true],
        ['another pod of the namespace, to that workload', withAdapter, stranger, kubeStateMetrics, 8080, 'TCP', false],
        ['a pod of another namespace, to that workload', withAdapter, elsewhere, kubeStateMetrics, 8080, 'TCP', false],
        ['this Prometheus, to the Alertmanager gossip port (the scrape allowance is for other workloads only)', withAdapter, inStack('prometheus'), pods('alertmanager'), 9094, 'TCP', false],
        ['anyone, to another workload of the namespace, without the default-deny', noDefaultDeny, elsewhere, kubeStateMetrics, 8080, 'TCP', true],
        ['an Alertmanager replica on the gossip port, with one replica (no peers, no rule)', oneAlertmanager, inStack('alertmanager'), pods('alertmanager'), 9094, 'UDP', false],
      ] as Array<[string, Obj[], Source, Record<string, string>, number, string, boolean]>
    ).map(([who, policies, source, target, port, protocol, allowed]) => [who, target['app.kubernetes.io/name'], port, protocol, allowed ? 'allowed' : 'denied', policies, source, target, allowed] as const),
  )('%s reaching %s on %i/%s is %s', (_who, _name, port, protocol, _verdict, policies, source, target, allowed) => {
    expect(ingressAllowed(policies, 'monitoring', target, source, port, protocol)).toBe(allowed);
  });

  test('without the default-deny there is one policy per component and nothing namespace-wide', () => {
    expect(noDefaultDeny.map((p) => p.metadata.name).sort()).toEqual(['golden-signals-alertmanager', 'golden-signals-grafana', 'golden-signals-prometheus']);
  });
});

describe('ObservabilityStack cluster-scoped objects', () => {
  const CLUSTER_SCOPED = ['ClusterRole', 'ClusterRoleBinding', 'APIService'];
  const ms = synthInNamespacedChart({ ...full, grafana: { ...full.grafana, dashboardNamespaces: 'all' } });

  test('carry no namespace even in a chart with one, and every other object carries its namespace', () => {
    const placed = ms.map((m) => `${m.kind}/${m.metadata.name}: ${m.metadata.namespace ?? '(cluster)'}`);
    const clusterScoped = ms.filter((m) => CLUSTER_SCOPED.includes(m.kind));
    expect(clusterScoped.map((m) => m.kind).sort()).toEqual(['APIService', 'APIService', 'ClusterRole', 'ClusterRole', 'ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'ClusterRoleBinding', 'ClusterRoleBinding', 'ClusterRoleBinding']);
    expect(placed.filter((p) => CLUSTER_SCOPED.includes(p.split('/')[0]))).toEqual(clusterScoped.map((m) => `${m.kind}/${m.metadata.name}: (cluster)`));
    expect(placed.filter((p) => !CLUSTER_SCOPED.includes(p.split('/')[0]) && p.endsWith('(cluster)'))).toEqual([]);
    expect(one(ms, 'RoleBinding').metadata.namespace).toBe('kube-system');
  });

  test('stay valid against the Kubernetes 1.28 schema', () => {
    for (const m of ms) expect(validateManifest(m)).toEqual([]);
  });
});

describe('ObservabilityStack prometheus-adapter serving certificate', () => {
  const apiServices = (ms: Obj[]) => find(ms, 'APIService');
  const adapter = (ms: Obj[]) => one(ms, 'Deployment', 'golden-signals-adapter').spec.template.spec;

  test('by default the adapter signs its own certificate and the APIService skips verification, as upstream does', () => {
    const ms = synth({ adapterConfigs: [rps] });
    expect(apiServices(ms).map((a) => [a.spec.insecureSkipTLSVerify, a.spec.caBundle, a.metadata.annotations])).toEqual([[true, undefined, undefined]]);
    expect(adapter(ms).containers[0].args).toContain('--cert-dir=/var/run/serving-cert');
    expect(adapter(ms).volumes).toContainEqual({ name: 'serving-cert', emptyDir: {} });
  });

  test('with cert-manager: a Certificate for the adapter Service, mounted by the adapter, its CA injected into the APIService', () => {
    const ms = synth({ adapterConfigs: [rps, queueDepth], adapter: { tls: { kind: 'certManager', issuer: { kind: 'ClusterIssuer', name: 'cluster-ca' } } } });
    const certificate = one(ms, 'Certificate');
    const service = one(ms, 'Service', 'golden-signals-adapter');
    expect(certificate).toMatchObject({
      apiVersion: 'cert-manager.io/v1',
      metadata: { name: 'golden-signals-adapter-serving', namespace: 'monitoring' },
      spec: { dnsNames: [`${service.metadata.name}.${service.metadata.namespace}.svc`], issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'cluster-ca' } },
    });
    expect(adapter(ms).volumes).toContainEqual({ name: 'serving-cert', secret: { secretName: certificate.spec.secretName } });
    expect(adapter(ms).containers[0].args).toEqual(expect.arrayContaining(['--tls-cert-file=/var/run/serving-cert/tls.crt', '--tls-private-key-file=/var/run/serving-cert/tls.key']));
    expect(adapter(ms).containers[0].args.some((a: string) => a.startsWith('--cert-dir'))).toBe(false);
    expect(apiServices(ms).map((a) => [a.spec.insecureSkipTLSVerify, a.metadata.annotations])).toEqual([
      [undefined, { 'cert-manager.io/inject-ca-from': 'monitoring/golden-signals-adapter-serving' }],
      [undefined, { 'cert-manager.io/inject-ca-from': 'monitoring/golden-signals-adapter-serving' }],
    ]);
    // No cert-manager CRD is vendored in crds/: everything else is checked against the schemas.
    for (const m of ms.filter((x) => x.kind !== 'Certificate')) expect(validateManifest(m)).toEqual([]);
  });

  test('with a provisioned Secret: the adapter mounts it and the APIService pins its CA', () => {
    const ms = synth({ adapterConfigs: [rps], adapter: { tls: { kind: 'secret', secretName: 'adapter-tls', caBundle: PEM_BASE64 } } });
    expect(apiServices(ms).map((a) => [a.spec.insecureSkipTLSVerify, a.spec.caBundle])).toEqual([[undefined, PEM_BASE64]]);
    expect(adapter(ms).volumes).toContainEqual({ name: 'serving-cert', secret: { secretName: 'adapter-tls' } });
    expect(find(ms, 'Certificate')).toEqual([]);
  });
});

describe('ObservabilityStack Prometheus and Alertmanager versions', () => {
  test('are pinned by default to the tested versions, and set as given', () => {
    const byDefault = synth();
    expect([one(byDefault, 'Prometheus').spec.version, one(byDefault, 'Alertmanager').spec.version]).toEqual([TESTED_VERSIONS.prometheus, TESTED_VERSIONS.alertmanager]);
    const given = synth({ prometheus: { version: 'v3.5.0' }, alertmanager: { version: 'v0.28.1' } });
    expect([one(given, 'Prometheus').spec.version, one(given, 'Alertmanager').spec.version]).toEqual(['v3.5.0', 'v0.28.1']);
  });

  describeWithBinary('prometheus', 'the tested Prometheus version', (binary) => {
    test('is the version of the installed prometheus the tests run', () => {
      expect(`v${/version (\d+\.\d+\.\d+)/.exec(runOk(binary, ['--version']))?.[1]}`).toBe(TESTED_VERSIONS.prometheus);
    });
  });
  describeWithBinary('prometheus-alertmanager', 'the tested Alertmanager version', (binary) => {
    test('is the version of the installed Alertmanager the tests run', () => {
      expect(`v${/version (\d+\.\d+\.\d+)/.exec(runOk(binary, ['--version']))?.[1]}`).toBe(TESTED_VERSIONS.alertmanager);
    });
  });
});

describe('ObservabilityStack next to kube-prometheus-stack', () => {
  const ms = synth({ mode: { kind: 'kube-prometheus-stack', releaseName: 'monitoring' }, adapterConfigs: [rps], dashboards: [dashboard] });

  test('emits only ConfigMaps: the dashboards and the adapter rules, no workload', () => {
    expect(ms.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['ConfigMap/golden-signals-adapter-config', 'ConfigMap/gs-shop-checkout-service']);
    expect(ms.filter((m) => restrictedViolations(m).length > 0 || ['Deployment', 'Prometheus', 'Alertmanager'].includes(m.kind))).toEqual([]);
  });

  test('dashboard ConfigMaps carry the sidecar label the chart loads by default (grafana_dashboard: "1", searchNamespace ALL)', () => {
    expect(one(ms, 'ConfigMap', 'gs-shop-checkout-service').metadata.labels).toMatchObject({ grafana_dashboard: '1' });
  });

  test('the construct exposes the release label the chart selects rules and monitors by', () => {
    const chart = Testing.chart();
    const stack = new ObservabilityStack(chart, 's', { mode: { kind: 'kube-prometheus-stack', releaseName: 'monitoring' } });
    expect(stack.labels).toEqual({ 'app.kubernetes.io/part-of': 'golden-signals', release: 'monitoring' });
    expect(new ObservabilityStack(Testing.chart(), 's').labels).toEqual({ 'app.kubernetes.io/part-of': 'golden-signals' });
  });
});

describe('ObservabilityStack options', () => {
  test.each(
    (
      [
    ['two shards without a global store', { prometheus: { shards: 2 } }, 'prometheus.shards', /needs remoteWrite and queryUrl/],
    ['a retention shorter than an SLO window', { services: [resolveService(checkout)], prometheus: { retention: '15d' } }, 'prometheus.retention', /longest SLO window \(30d\)/],
    ['credentials in a remote-write URL', { prometheus: { remoteWrite: [{ kind: 'mimir', url: 'https://user:s3cret@m.example.com/push' }] } }, 'prometheus.remoteWrite[0].url', /must not carry credentials/],
    [
      'an inline remote-write password',
      { prometheus: { remoteWrite: [{ kind: 'mimir', url: 'https://m.example.com/push', auth: { kind: 'basic', username: { secret: { name: 'rw', key: 'u' } }, password: 's3cret' as never } }] } },
      'prometheus.remoteWrite[0].auth.password',
      /never written inline/,
    ],
    ['a remote store of an unknown kind', { prometheus: { remoteWrite: [{ kind: 'influx' as never, url: 'https://m.example.com/push' }] } }, 'prometheus.remoteWrite[0].kind', /"mimir", "thanos" or "cortex"/],
    ['a CPU request that is not a quantity', { grafana: { resources: { requests: { cpu: 'half', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } }, 'grafana.resources.requests.cpu', /quantity/],
    ['a namespace that is not a DNS label', { namespace: 'Monitoring' }, 'namespace', /DNS label/],
    ['a tracing URL that is not http', { grafana: { tracing: { kind: 'tempo', url: 'tempo:3200' } } }, 'grafana.tracing.url', /http\(s\) URL/],
    ['zero Alertmanager replicas', { alertmanager: { replicas: 0 } }, 'alertmanager.replicas', /whole number from 1/],
    ['an Alertmanager retention in days', { alertmanager: { retention: '5d' } }, 'alertmanager.retention', /ms, s, m or h/],
    ['a Prometheus version that is not a release tag', { prometheus: { version: 'latest' } }, 'prometheus.version', /release tag from v2\.0\.0 to 3\.x, such as "v2\.42\.0"/],
    ['a Prometheus version without its v', { prometheus: { version: '3.5.0' } }, 'prometheus.version', /vMAJOR\.MINOR\.PATCH/],
    ['a Prometheus 1.x', { prometheus: { version: 'v1.8.2' } }, 'prometheus.version', /from v2\.0\.0 to 3\.x/],
    ['a Prometheus 4.x', { prometheus: { version: 'v4.0.0' } }, 'prometheus.version', /from v2\.0\.0 to 3\.x/],
    ['an Alertmanager older than matchers', { alertmanager: { version: 'v0.21.0' } }, 'alertmanager.version', /from v0\.22\.0 to 0\.x.*matchers/],
    ['an Alertmanager version that is a number', { alertmanager: { version: 25 as never } }, 'alertmanager.version', /release tag/],
    ['a cert-manager issuer of an unknown kind', { adapterConfigs: [rps], adapter: { tls: { kind: 'certManager', issuer: { kind: 'Vault' as never, name: 'ca' } } } }, 'adapter.tls.issuer.kind', /"Issuer" or "ClusterIssuer"/],
    ['a cert-manager issuer without a name', { adapterConfigs: [rps], adapter: { tls: { kind: 'certManager', issuer: { kind: 'Issuer', name: '' } } } }, 'adapter.tls.issuer.name', /Issuer or ClusterIssuer/],
    ['a caBundle that is not base64', { adapterConfigs: [rps], adapter: { tls: { kind: 'secret', secretName: 'adapter-tls', caBundle: '-----BEGIN CERTIFICATE-----' } } }, 'adapter.tls.caBundle', /base64 encoding of a PEM CA/],
    ['a caBundle that is base64 of something else', { adapterConfigs: [rps], adapter: { tls: { kind: 'secret', secretName: 'adapter-tls', caBundle: Buffer.from('hello').toString('base64') } } }, 'adapter.tls.caBundle', /PEM CA certificate/],
    ['a serving Secret name that is not a name', { adapterConfigs: [rps], adapter: { tls: { kind: 'secret', secretName: 'Adapter TLS', caBundle: PEM_BASE64 } } }, 'adapter.tls.secretName', /kubernetes\.io\/tls Secret/],
    ['an unknown adapter TLS kind', { adapterConfigs: [rps], adapter: { tls: { kind: 'insecure' } as never } }, 'adapter.tls.kind', /"selfSigned", "certManager" or "secret"/],
    ['a CIDR for the API server that is not one', { adapterConfigs: [rps], adapter: { apiServerFrom: [{ kind: 'cidr', cidr: 'control-plane' }] } }, 'adapter.apiServerFrom[0].cidr', /CIDR/],
    ['a KEDA namespace that is not a DNS label', { keda: { namespace: 'KEDA' } }, 'keda.namespace', /namespace name/],
    ['a default-deny switch that is not a boolean', { networkPolicy: { defaultDeny: 'yes' as never } }, 'networkPolicy.defaultDeny', /true or false/],
    ['a misspelt top-level option', { prometeus: { replicas: 2 } } as never, 'prometeus', /did you mean "prometheus"\?/],
    ['a misspelt Prometheus option', { prometheus: { retension: '30d' } } as never, 'prometheus.retension', /did you mean "retention"\?/],
    ['an option no interface has', { grafana: { theme: 'dark' } } as never, 'grafana.theme', /allowed: "adminSecret", "image"/],
    ['a misspelt network policy option', { networkPolicy: { defaultdeny: false } } as never, 'networkPolicy.defaultdeny', /did you mean "defaultDeny"\?/],
      ] as Array<[string, ObservabilityStackProps, string, RegExp]>
    ).map(([title, props, field, allowed]) => [title, field, props, allowed] as const),
  )('%s is a synth-time error naming %s', (_title, field, props, allowed) => {
    let error: unknown;
    try {
      synth(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackOptionsError);
    const problem = (error as StackOptionsError).problems.find((p) => p.field === field);
    expect(problem?.allowed).toMatch(allowed);
  });

  test('the message shows a value as it was written: NaN as NaN, not null', () => {
    expect(() => synth({ alertmanager: { replicas: NaN } })).toThrow('alertmanager.replicas: got NaN; must be a whole number from 1 to 10');
  });

  test('the errors never repeat a credential', () => {
    const run = () => synth({ prometheus: { remoteWrite: [{ kind: 'mimir', url: 'https://user:s3cret@m.example.com/push', auth: { kind: 'bearer', token: 'tok3n' as never } }] } });
    expect(run).toThrow(StackOptionsError);
    try {
      run();
    } catch (e) {
      expect((e as Error).message).not.toMatch(/s3cret|tok3n/);
      expect((e as Error).message).toMatch(/redacted/);
    }
  });

  test('with remote write the local retention may be shorter than the SLO window (the remote store keeps the history)', () => {
    expect(() => synth({ services: [resolveService(checkout)], prometheus: { retention: '2d', remoteWrite: [{ kind: 'mimir', url: 'https://m.example.com/push' }] } })).not.toThrow();
  });
});
