/**
 * Grafana with the Prometheus (and Alertmanager, and optionally a tracing) datasource provisioned, and the
 * dashboard sidecar that loads every ConfigMap labelled `grafana_dashboard: "1"` (the convention of the Grafana
 * Helm chart and kube-prometheus-stack), so the dashboards GoldenSignals emits appear without a restart.
 */
import * as YAML from 'yaml';
import { DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE } from '../constructs/selectors';
import { componentLabels, type Manifest, meta, objectName, PORT, RESTRICTED_CONTAINER_SECURITY, resources, restrictedPodSecurity, selectorLabels, serviceUrl } from './common';
import type { StackModel, TracingDatasource } from './options';
import { EXEMPLAR_TRACE_LABEL } from './prometheus';

/** UID the official Grafana image runs as (grafana/grafana Dockerfile, `GF_UID=472`). */
const GRAFANA_UID = 472;
/** Where in-cluster Kubernetes clients look for the service account token. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Where the sidecar writes dashboards and the file provider reads them. */
const DASHBOARDS_DIR = '/var/lib/grafana-dashboards';

/** Datasource UIDs the provisioning gives, so links and dashboards can name them. */
export const DATASOURCE_UID = { prometheus: 'prometheus', alertmanager: 'alertmanager', tracing: 'tracing' } as const;

function tracingType(kind: TracingDatasource['kind']): string {
  switch (kind) {
    case 'tempo':
      return 'tempo';
    case 'jaeger':
      return 'jaeger';
    case 'zipkin':
      return 'zipkin';
    default:
      return assertNever(kind);
  }
}

/** Where Grafana queries: the remote store when sharded or configured, else this stack's Prometheus. */
export function queryUrl(stack: StackModel): string {
  return stack.prometheus.queryUrl ?? serviceUrl(stack, objectName(stack, 'prometheus'), PORT.prometheus);
}

/** `provisioning/datasources/datasources.yaml` (Grafana docs, "Provision Grafana", data sources). */
export function datasourcesYaml(stack: StackModel): string {
  const tracing = stack.grafana.tracing;
  const datasources: Array<Record<string, unknown>> = [
    {
      name: 'Prometheus',
      uid: DATASOURCE_UID.prometheus,
      type: 'prometheus',
      access: 'proxy',
      url: queryUrl(stack),
      isDefault: true,
      editable: false,
      jsonData: {
        httpMethod: 'POST',
        // $__rate_interval needs the scrape interval to stay at least four samples wide.
        timeInterval: stack.prometheus.scrapeInterval,
        // Exemplars carry the trace id under the shim's label; a click opens the trace (Grafana docs, "Exemplars").
        ...(tracing ? { exemplarTraceIdDestinations: [{ name: EXEMPLAR_TRACE_LABEL, datasourceUid: DATASOURCE_UID.tracing }] } : {}),
      },
    },
    {
      name: 'Alertmanager',
      uid: DATASOURCE_UID.alertmanager,
      type: 'alertmanager',
      access: 'proxy',
      url: serviceUrl(stack, objectName(stack, 'alertmanager'), PORT.alertmanager),
      editable: false,
      jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
    },
  ];
  if (tracing) {
    datasources.push({ name: 'Traces', uid: DATASOURCE_UID.tracing, type: tracingType(tracing.kind), access: 'proxy', url: tracing.url, editable: false });
  }
  return YAML.stringify({ apiVersion: 1, datasources }, { lineWidth: 0 });
}

/** `provisioning/dashboards/dashboards.yaml`: a file provider over the sidecar's folder. */
export function dashboardProvidersYaml(): string {
  return YAML.stringify(
    {
      apiVersion: 1,
      providers: [
        {
          name: 'golden-signals',
          type: 'file',
          // Dashboards are generated: edits in the UI would be lost on the next sync, so they are refused.
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 30,
          options: { path: DASHBOARDS_DIR, foldersFromFilesStructure: true },
        },
      ],
    },
    { lineWidth: 0 },
  );
}

/** ServiceAccount, RBAC for the sidecar, provisioning ConfigMap, Deployment and Service. */
export function grafanaManifests(stack: StackModel): Manifest[] {
  const g = stack.grafana;
  const name = objectName(stack, 'grafana');
  const labels = componentLabels(stack, 'grafana');
  const rule = { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] };
  const subject = { kind: 'ServiceAccount', name, namespace: stack.namespace };
  const clusterName = `${stack.namespace}-${name}`;
  // The sidecar reads ConfigMaps only where dashboards live: a Role per namespace, or one ClusterRole for 'all'.
  const rbac: Manifest[] =
    g.dashboardNamespaces === 'all'
      ? [
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: clusterName, labels }, rules: [rule] },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name: clusterName, labels },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
            subjects: [subject],
          },
        ]
      : g.dashboardNamespaces.flatMap((ns) => [
          { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns, labels }, rules: [rule] },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name, namespace: ns, labels },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
            subjects: [subject],
          },
        ]);
  const secretEnv = (envName: string, key: string) => ({ name: envName, valueFrom: { secretKeyRef: { name: g.adminSecret.name, key } } });
  const provisioning = `${name}-provisioning`;
  return [
    // No token by default: only the sidecar gets one, through the projected volume below.
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(stack, 'grafana'), automountServiceAccountToken: false },
    ...rbac,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(stack, 'grafana', provisioning),
      data: { 'datasources.yaml': datasourcesYaml(stack), 'dashboards.yaml': dashboardProvidersYaml() },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(stack, 'grafana'),
      spec: {
        // SQLite on an emptyDir: everything Grafana shows is provisioned, so a second replica or a restart
        // loses nothing but UI sessions.
        replicas: 1,
        selector: { matchLabels: selectorLabels(stack, 'grafana') },
        template: {
          metadata: {
            labels,
            // Roll the pod when the provisioning changes: Grafana reads datasources only at start-up.
            annotations: { 'golden-signals/provisioning-hash': hash(datasourcesYaml(stack) + dashboardProvidersYaml()) },
          },
          spec: {
            serviceAccountName: name,
            // The Grafana container serves the UI and must not hold a Kubernetes token; the sidecar, which watches
            // ConfigMaps, mounts the same projected token the kubelet would otherwise give every container.
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurity(GRAFANA_UID),
            containers: [
              {
                name: 'grafana',
                image: g.image,
                ports: [{ name: 'http', containerPort: PORT.grafana, protocol: 'TCP' }],
                env: [
                  secretEnv('GF_SECURITY_ADMIN_USER', g.adminSecret.userKey),
                  secretEnv('GF_SECURITY_ADMIN_PASSWORD', g.adminSecret.passwordKey),
                  { name: 'GF_PATHS_DATA', value: '/var/lib/grafana' },
                  { name: 'GF_PATHS_PLUGINS', value: '/var/lib/grafana/plugins' },
                  { name: 'GF_PATHS_PROVISIONING', value: '/etc/grafana/provisioning' },
                  // Logs to stdout only: the root filesystem is read-only.
                  { name: 'GF_LOG_MODE', value: 'console' },
                  { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
                  { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'false' },
                  // No calls home and no plugin downloads at start-up: the pod needs no internet egress.
                  { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
                  { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
                  { name: 'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES', value: 'false' },
                  { name: 'GF_PLUGINS_PREINSTALL_DISABLED', value: 'true' },
                ],
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/grafana' },
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'dashboards', mountPath: DASHBOARDS_DIR, readOnly: true },
                  { name: 'provisioning', mountPath: '/etc/grafana/provisioning/datasources/datasources.yaml', subPath: 'datasources.yaml', readOnly: true },
                  { name: 'provisioning', mountPath: '/etc/grafana/provisioning/dashboards/dashboards.yaml', subPath: 'dashboards.yaml', readOnly: true },
                ],
                readinessProbe: { httpGet: { path: '/api/health', port: 'http' }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/api/health', port: 'http' }, initialDelaySeconds: 60, periodSeconds: 30, failureThreshold: 5 },
                resources: resources(g.resources),
                securityContext: { ...RESTRICTED_CONTAINER_SECURITY },
              },
              {
                name: 'dashboard-sidecar',
                image: g.sidecarImage,
                env: [
                  { name: 'LABEL', value: DASHBOARD_LABEL },
                  { name: 'LABEL_VALUE', value: DASHBOARD_LABEL_VALUE },
                  { name: 'FOLDER', value: DASHBOARDS_DIR },
                  { name: 'RESOURCE', value: 'configmap' },
                  { name: 'NAMESPACE', value: g.dashboardNamespaces === 'all' ? 'ALL' : g.dashboardNamespaces.join(',') },
                  { name: 'METHOD', value: 'WATCH' },
                ],
                volumeMounts: [
                  { name: 'dashboards', mountPath: DASHBOARDS_DIR },
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'kube-api-access', mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
                ],
                resources: resources(g.sidecarResources),
                securityContext: { ...RESTRICTED_CONTAINER_SECURITY },
              },
            ],
            volumes: [
              { name: 'data', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
              { name: 'dashboards', emptyDir: {} },
              { name: 'provisioning', configMap: { name: provisioning } },
              // What automounting would project (Kubernetes docs, "Service account token volume projection"):
              // a bound, expiring token, the cluster CA and the namespace.
              {
                name: 'kube-api-access',
                projected: {
                  sources: [
                    { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
                    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                    { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
                  ],
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(stack, 'grafana'),
      spec: { selector: selectorLabels(stack, 'grafana'), ports: [{ name: 'http', port: PORT.grafana, targetPort: 'http', protocol: 'TCP' }] },
    },
  ];
}

/** Short stable hash (FNV-1a, 32 bit) for the roll-on-change annotation. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function assertNever(x: never): never {
  throw new Error(`unexpected tracing kind ${JSON.stringify(x)}`);
}
