/**
 * The prometheus-operator Prometheus and Alertmanager the stack runs, their ServiceAccounts, RBAC and Services.
 * The prometheus-operator itself (and its CRDs) must already be installed; the stack only declares instances.
 */
import { PART_OF_LABEL, PART_OF_VALUE, STACK_SELECTOR_LABELS } from '../constructs/selectors';
import { LABEL } from '../signals/contract';
import { componentLabels, type Manifest, meta, objectName, PORT, RESTRICTED_CONTAINER_SECURITY, resources, restrictedPodSecurity, selectorLabels } from './common';
import { DEFAULTS, type RemoteWriteTarget, type StackModel } from './options';

/** UID/GID prometheus-operator and kube-prometheus-stack run Prometheus and Alertmanager as. */
const OPERATOR_UID = 1000;

/**
 * Restricted security for the containers the operator generates, applied by name through the CR's
 * `containers` / `initContainers` (prometheus-operator merges entries with the same name into its own
 * containers, a strategic merge patch), so compliance does not depend on the operator version's defaults.
 */
function operatorContainers(names: readonly string[], withResources: boolean): Array<Record<string, unknown>> {
  return names.map((name) => ({
    name,
    securityContext: { ...RESTRICTED_CONTAINER_SECURITY },
    ...(withResources ? { resources: resources(DEFAULTS.reloaderResources) } : {}),
  }));
}

/**
 * Labels of the pods the operator creates. It reserves `app.kubernetes.io/name`, `instance` and `managed-by` on
 * them (prometheus-operator API docs, `podMetadata`); the first two equal ours because the CR is named after the
 * stack, and `managed-by` is left to the operator.
 */
function podLabels(stack: StackModel, component: 'prometheus' | 'alertmanager'): Record<string, string> {
  return { ...selectorLabels(stack, component), [PART_OF_LABEL]: PART_OF_VALUE };
}

/** The tenant header each remote store reads. */
function tenantHeader(kind: RemoteWriteTarget['kind']): string {
  switch (kind) {
    case 'mimir':
    case 'cortex':
      return 'X-Scope-OrgID';
    case 'thanos':
      return 'THANOS-TENANT';
    default:
      return assertNever(kind);
  }
}

function remoteWrite(rw: RemoteWriteTarget, i: number, exemplars: boolean): Record<string, unknown> {
  const sel = (r: { secret: { name: string; key: string } }) => ({ name: r.secret.name, key: r.secret.key });
  let auth: Record<string, unknown> = {};
  switch (rw.auth?.kind) {
    case undefined:
      break;
    case 'basic':
      auth = { basicAuth: { username: sel(rw.auth.username), password: sel(rw.auth.password) } };
      break;
    case 'bearer':
      auth = { authorization: { type: 'Bearer', credentials: sel(rw.auth.token) } };
      break;
    default:
      assertNever(rw.auth);
  }
  return {
    name: `${rw.kind}-${i}`,
    url: rw.url,
    ...(rw.tenant !== undefined ? { headers: { [tenantHeader(rw.kind)]: rw.tenant } } : {}),
    ...auth,
    ...(exemplars ? { sendExemplars: true } : {}),
  };
}

/** Prometheus CR, ServiceAccount, ClusterRole(Binding) for discovery, and a Service. */
export function prometheusManifests(stack: StackModel): Manifest[] {
  const p = stack.prometheus;
  const name = objectName(stack, 'prometheus');
  const exemplars = stack.grafana.tracing !== undefined;
  const selector = { matchLabels: { ...STACK_SELECTOR_LABELS } };
  const clusterName = `${stack.namespace}-${name}`;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(stack, 'prometheus') },
    {
      // The permissions Prometheus needs for Kubernetes service discovery (prometheus-operator docs, "RBAC").
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterName, labels: componentLabels(stack, 'prometheus') },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterName, labels: componentLabels(stack, 'prometheus') },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
      subjects: [{ kind: 'ServiceAccount', name, namespace: stack.namespace }],
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: meta(stack, 'prometheus', stack.name),
      spec: {
        version: p.version,
        replicas: p.replicas,
        shards: p.shards,
        serviceAccountName: name,
        podMetadata: { labels: podLabels(stack, 'prometheus') },
        securityContext: restrictedPodSecurity(OPERATOR_UID),
        containers: [...operatorContainers(['prometheus'], false), ...operatorContainers(['config-reloader'], true)],
        initContainers: operatorContainers(['init-config-reloader'], true),
        resources: resources(p.resources),
        retention: p.retention,
        ...(p.retentionSize ? { retentionSize: p.retentionSize } : {}),
        storage:
          p.storage === false
            ? { emptyDir: {} }
            : {
                volumeClaimTemplate: {
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    ...(p.storage.storageClassName ? { storageClassName: p.storage.storageClassName } : {}),
                    resources: { requests: { storage: p.storage.size } },
                  },
                },
              },
        scrapeInterval: p.scrapeInterval,
        evaluationInterval: p.evaluationInterval,
        ...(Object.keys(p.externalLabels).length > 0 ? { externalLabels: { ...p.externalLabels } } : {}),
        // What GoldenSignals emits carries STACK_SELECTOR_LABELS, in any namespace. A sharded Prometheus loads
        // no rules: each shard would evaluate them over a part of the series.
        ...(p.shards === 1 ? { ruleSelector: selector, ruleNamespaceSelector: {} } : {}),
        serviceMonitorSelector: selector,
        serviceMonitorNamespaceSelector: {},
        podMonitorSelector: selector,
        podMonitorNamespaceSelector: {},
        alerting: { alertmanagers: [{ namespace: stack.namespace, name: objectName(stack, 'alertmanager'), port: 'web', apiVersion: 'v2' }] },
        // Exemplars (the shim's trace_id) are kept only with exemplar storage on (Prometheus feature flags).
        ...(exemplars ? { enableFeatures: ['exemplar-storage'] } : {}),
        ...(p.remoteWrite.length > 0 ? { remoteWrite: p.remoteWrite.map((rw, i) => remoteWrite(rw, i, exemplars)) } : {}),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(stack, 'prometheus'),
      spec: { selector: selectorLabels(stack, 'prometheus'), ports: [{ name: 'web', port: PORT.prometheus, targetPort: 'web', protocol: 'TCP' }] },
    },
  ];
}

/** Alertmanager CR selecting the AlertmanagerConfigs GoldenSignals emits, its ServiceAccount and Service. */
export function alertmanagerManifests(stack: StackModel): Manifest[] {
  const a = stack.alertmanager;
  const name = objectName(stack, 'alertmanager');
  return [
    // Alertmanager never calls the Kubernetes API; no token is mounted.
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(stack, 'alertmanager'), automountServiceAccountToken: false },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Alertmanager',
      metadata: meta(stack, 'alertmanager', stack.name),
      spec: {
        version: a.version,
        replicas: a.replicas,
        serviceAccountName: name,
        automountServiceAccountToken: false,
        podMetadata: { labels: podLabels(stack, 'alertmanager') },
        securityContext: restrictedPodSecurity(OPERATOR_UID),
        containers: [...operatorContainers(['alertmanager'], false), ...operatorContainers(['config-reloader'], true)],
        initContainers: operatorContainers(['init-config-reloader'], true),
        resources: resources(a.resources),
        retention: a.retention,
        alertmanagerConfigSelector: { matchLabels: { ...STACK_SELECTOR_LABELS } },
        alertmanagerConfigNamespaceSelector: {},
        // Each AlertmanagerConfig only sees alerts of its own namespace: a team cannot route (or inhibit)
        // another namespace's alerts. The generated routes also match the namespace explicitly.
        alertmanagerConfigMatcherStrategy: { type: 'OnNamespace' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(stack, 'alertmanager'),
      spec: { selector: selectorLabels(stack, 'alertmanager'), ports: [{ name: 'web', port: PORT.alertmanager, targetPort: 'web', protocol: 'TCP' }] },
    },
  ];
}

/** The label Grafana's exemplar link reads the trace id from (the shim's OpenMetrics exemplars). */
export const EXEMPLAR_TRACE_LABEL = LABEL.traceId;

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
