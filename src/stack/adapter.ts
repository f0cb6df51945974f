/**
 * prometheus-adapter serving the custom (and external) metrics APIs from the rule fragments the scaling helper
 * generates. Wiring follows kubernetes-sigs/prometheus-adapter `deploy/manifests` (v0.12.0): an APIService per
 * metrics API, auth delegation, and a ClusterRole that lets the HPA controller read the metrics. How the API
 * server trusts the adapter's certificate is `adapter.tls` (see `AdapterTls`): self-signed and unverified as
 * upstream by default, or pinned through cert-manager or a provisioned Secret.
 */
import * as YAML from 'yaml';
import { mergeAdapterConfigs } from '../scaling/manifests';
import { componentLabels, type Manifest, meta, objectName, PORT, RESTRICTED_CONTAINER_SECURITY, resources, restrictedPodSecurity, selectorLabels } from './common';
import { queryUrl } from './grafana';
import type { AdapterTls, StackModel } from './options';

/** The adapter image's non-root user (distroless `nonroot` is 65532). */
const ADAPTER_UID = 65532;
/** Where the adapter finds (or, self-signed, writes) its serving certificate. */
const CERT_DIR = '/var/run/serving-cert';

/**
 * The serving certificate's wiring for each {@link AdapterTls}: the Secret mounted (none when the adapter
 * signs its own), the adapter's flags, how the APIService trusts it, and any object to create.
 */
function servingTls(stack: StackModel, tls: AdapterTls, service: string, labels: Record<string, string>) {
  switch (tls.kind) {
    case 'selfSigned':
      return {
        // The adapter writes a self-signed pair into --cert-dir at start-up (the root filesystem is read-only).
        volume: { name: 'serving-cert', emptyDir: {} },
        args: [`--cert-dir=${CERT_DIR}`],
        // Nothing to pin it to: the API server is told not to verify (see AdapterTls for what that allows).
        apiService: { spec: { insecureSkipTLSVerify: true }, annotations: undefined },
        objects: [] as Manifest[],
      };
    case 'certManager': {
      const certificate = objectName(stack, 'adapter-serving');
      const secretName = `${certificate}-tls`;
      return {
        volume: { name: 'serving-cert', secret: { secretName } },
        args: [`--tls-cert-file=${CERT_DIR}/tls.crt`, `--tls-private-key-file=${CERT_DIR}/tls.key`],
        // cert-manager's CA injector copies the Certificate's CA into spec.caBundle (cert-manager docs, "CA Injector").
        apiService: { spec: {}, annotations: { 'cert-manager.io/inject-ca-from': `${stack.namespace}/${certificate}` } },
        objects: [
          {
            apiVersion: 'cert-manager.io/v1',
            kind: 'Certificate',
            metadata: { name: certificate, namespace: stack.namespace, labels },
            spec: {
              secretName,
              // The aggregator verifies the name <service>.<namespace>.svc (Kubernetes docs, "Configure the Aggregation Layer").
              dnsNames: [`${service}.${stack.namespace}.svc`],
              issuerRef: { group: 'cert-manager.io', kind: tls.issuer.kind, name: tls.issuer.name },
              privateKey: { rotationPolicy: 'Always' },
            },
          },
        ] as Manifest[],
      };
    }
    case 'secret':
      return {
        volume: { name: 'serving-cert', secret: { secretName: tls.secretName } },
        args: [`--tls-cert-file=${CERT_DIR}/tls.crt`, `--tls-private-key-file=${CERT_DIR}/tls.key`],
        apiService: { spec: { caBundle: tls.caBundle }, annotations: undefined },
        objects: [] as Manifest[],
      };
    default:
      return assertNever(tls);
  }
}

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
  const tls = servingTls(stack, ad.tls, name, labels);
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
                  ...tls.args,
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
                  { name: 'serving-cert', mountPath: CERT_DIR, ...(ad.tls.kind === 'selfSigned' ? {} : { readOnly: true }) },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
                resources: resources(ad.resources),
                securityContext: { ...RESTRICTED_CONTAINER_SECURITY },
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: objectName(stack, 'adapter-config') } },
              tls.volume,
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
    ...tls.objects,
    // Cluster-scoped: no namespace.
    ...groups.map(
      (group): Manifest => ({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: `v1beta1.${group}`, labels, ...(tls.apiService.annotations ? { annotations: tls.apiService.annotations } : {}) },
        spec: {
          group,
          version: 'v1beta1',
          service: { name, namespace: stack.namespace, port: 443 },
          groupPriorityMinimum: 100,
          versionPriority: 100,
          ...tls.apiService.spec,
        },
      }),
    ),
  ];
}

function assertNever(x: never): never {
  throw new Error(`unexpected adapter TLS ${JSON.stringify(x)}`);
}
