/**
 * prometheus-adapter serving the custom (and external) metrics APIs from the rule fragments the scaling helper
 * generates. Wiring follows kubernetes-sigs/prometheus-adapter `deploy/manifests` (v0.12.0): an APIService per
 * metrics API, auth delegation, and a ClusterRole that lets the HPA controller read the metrics.
 */
import * as YAML from 'yaml';
import { mergeAdapterConfigs } from '../scaling/manifests';
import { componentLabels, type Manifest, meta, objectName, PORT, RESTRICTED_CONTAINER_SECURITY, resources, restrictedPodSecurity, selectorLabels } from './common';
import { queryUrl } from './grafana';
import type { StackModel } from './options';

/** The adapter image's non-root user (distroless `nonroot` is 65532). */
const ADAPTER_UID = 65532;

/** The adapter's `config.yaml`: every fragment merged (one rule per metric name; `mergeAdapterConfigs`). */
export function adapterConfigYaml(stack: StackModel): string {
  const merged = mergeAdapterConfigs(stack.adapterConfigs);
  return YAML.stringify(
    { ...(merged.rules.length > 0 ? { rules: merged.rules } : {}), ...(merged.externalRules.length > 0 ? { externalRules: merged.externalRules } : {}) },
    // No YAML anchors: rules that share a `resources` object are written out in full, for review.
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}

/** ConfigMap with the rules only: what a kube-prometheus-stack cluster's own adapter can mount. */
export function adapterConfigMap(stack: StackModel): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(stack, 'prometheus-adapter', objectName(stack, 'adapter-config')), data: { 'config.yaml': adapterConfigYaml(stack) } };
}

/** Everything to run the adapter; empty when no adapter runs. */
export function adapterManifests(stack: StackModel): Manifest[] {
  const ad = stack.adapter;
  if (!ad) return [];
  const name = objectName(stack, 'adapter');
  const labels = componentLabels(stack, 'prometheus-adapter');
  const merged = mergeAdapterConfigs(stack.adapterConfigs);
  const groups = [...(merged.rules.length > 0 ? ['custom.metrics.k8s.io'] : []), ...(merged.externalRules.length > 0 ? ['external.metrics.k8s.io'] : [])];
  const clusterName = (suffix: string) => `${stack.namespace}-${name}-${suffix}`;
  const sa = { kind: 'ServiceAccount', name, namespace: stack.namespace };
  const binding = (kind: 'ClusterRoleBinding', bindingName: string, role: string, subjects: unknown[]): Manifest => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name: bindingName, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(stack, 'prometheus-adapter', name) },
    adapterConfigMap(stack),
    // Lets the aggregated API server check callers' tokens and permissions (Kubernetes docs, "Configure the
    // Aggregation Layer": extension API servers delegate authentication and authorization).
    binding('ClusterRoleBinding', clusterName('auth-delegator'), 'system:auth-delegator', [sa]),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: clusterName('auth-reader'), namespace: 'kube-system', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [sa],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterName('resource-reader'), labels },
      rules: [{ apiGroups: [''], resources: ['namespaces', 'pods', 'services', 'nodes'], verbs: ['get', 'list', 'watch'] }],
    },
    binding('ClusterRoleBinding', clusterName('resource-reader'), clusterName('resource-reader'), [sa]),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterName('metrics-reader'), labels },
      rules: [{ apiGroups: groups, resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    },
    // The HPA controller runs as kube-system/horizontal-pod-autoscaler (kube-controller-manager with
    // --use-service-account-credentials, the kubeadm default) and needs to read the metrics.
    binding('ClusterRoleBinding', clusterName('hpa-metrics-reader'), clusterName('metrics-reader'), [
      { kind: 'ServiceAccount', name: 'horizontal-pod-autoscaler', namespace: 'kube-system' },
    ]),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(stack, 'prometheus-adapter', name),
      spec: {
        replicas: ad.replicas,
        selector: { matchLabels: selectorLabels(stack, 'prometheus-adapter') },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            securityContext: restrictedPodSecurity(ADAPTER_UID),
            containers: [
              {
                name: 'prometheus-adapter',
                image: ad.image,
                args: [
                  // A self-signed serving certificate is generated here at start-up (the root filesystem is read-only).
                  '--cert-dir=/var/run/serving-cert',
                  '--config=/etc/adapter/config.yaml',
                  '--metrics-relist-interval=1m',
                  `--prometheus-url=${queryUrl(stack)}/`,
                  `--secure-port=${PORT.adapter}`,
                ],
                ports: [{ name: 'https', containerPort: PORT.adapter, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/livez', port: 'https', scheme: 'HTTPS' }, periodSeconds: 30, failureThreshold: 5 },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/adapter', readOnly: true },
                  { name: 'serving-cert', mountPath: '/var/run/serving-cert' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
                resources: resources(ad.resources),
                securityContext: { ...RESTRICTED_CONTAINER_SECURITY },
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: objectName(stack, 'adapter-config') } },
              { name: 'serving-cert', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(stack, 'prometheus-adapter', name),
      spec: { selector: selectorLabels(stack, 'prometheus-adapter'), ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
    },
    ...groups.map(
      (group): Manifest => ({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: `v1beta1.${group}`, labels },
        spec: {
          group,
          version: 'v1beta1',
          service: { name, namespace: stack.namespace, port: 443 },
          groupPriorityMinimum: 100,
          versionPriority: 100,
          // The adapter serves a self-signed certificate (as in its upstream manifests); pinning a CA needs
          // cert-manager or a provisioned serving Secret, which this stack does not assume.
          insecureSkipTLSVerify: true,
        },
      }),
    ),
  ];
}
