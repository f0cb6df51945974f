/**
 * Scrape wiring that guarantees the contract's target labels: every series of a service carries
 * `namespace` and `job = <service name>` (plus `service`, `pod`, `container`), whatever the Kubernetes
 * Service is called. Two forms: a prometheus-operator ServiceMonitor spec, and a plain Prometheus
 * `scrape_configs` entry for clusters without the operator.
 */
import type { ServiceModel } from '../model/types';
import { LABEL } from '../signals/contract';
import { formatDuration } from '../spec/duration';

/** `spec` of a monitoring.coreos.com/v1 ServiceMonitor (mutable arrays: it is handed to the generated CRD class). */
export interface ServiceMonitorSpec {
  readonly selector: { readonly matchLabels: { [key: string]: string } };
  readonly namespaceSelector: { readonly matchNames: string[] };
  readonly endpoints: Array<{
    readonly port: string;
    readonly path: string;
    readonly interval: string;
    readonly scrapeTimeout: string;
    readonly relabelings: Array<{ readonly targetLabel: string; readonly replacement: string }>;
  }>;
}

/**
 * Scrape timeout: at most 10s (Prometheus's default), and below the interval, which Prometheus requires
 * (`scrape_timeout` greater than `scrape_interval` is a config error).
 */
function scrapeTimeoutMs(model: ServiceModel): number {
  return Math.min(10_000, Math.max(1000, Math.floor((model.metrics.scrapeIntervalMs * 0.8) / 1000) * 1000));
}

/**
 * The ServiceMonitor of a service. prometheus-operator already sets `namespace`, `service`, `pod` and
 * `container`; `job` would default to the Kubernetes Service's name, so a relabeling pins it to the service
 * name the rules select on (operator-added relabelings run first, user ones after, so this one wins).
 */
export function serviceMonitorSpec(model: ServiceModel): ServiceMonitorSpec {
  return {
    selector: { matchLabels: { ...model.metrics.serviceSelector } },
    namespaceSelector: { matchNames: [model.namespace] },
    endpoints: [
      {
        port: model.metrics.portName,
        path: model.metrics.path,
        interval: formatDuration(model.metrics.scrapeIntervalMs),
        scrapeTimeout: formatDuration(scrapeTimeoutMs(model)),
        relabelings: [{ targetLabel: LABEL.job, replacement: model.name }],
      },
    ],
  };
}

/** Prometheus's label name for a Kubernetes Service label in service discovery metadata. */
function serviceLabelMeta(key: string): string {
  return `__meta_kubernetes_service_label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/**
 * How a plain Prometheus finds a service's pods.
 * - `kubernetes`: endpoints discovery in the service's namespace, keeping the endpoints of the Services that
 *   match `metrics.serviceSelector` on the metrics port (a Prometheus running in the cluster).
 * - `static`: fixed `host:port` targets (a Prometheus outside Kubernetes, or a VM fleet); they get the
 *   service's `namespace` as a target label so the rules' `{namespace, job}` selectors still match.
 */
export type ScrapeDiscovery = { readonly kind: 'kubernetes' } | { readonly kind: 'static'; readonly targets: readonly string[] };

/**
 * A plain `scrape_configs` entry with the same target labels as the ServiceMonitor (`job` pinned to the
 * service name, `namespace`), for Prometheus servers run without the operator.
 *
 * @example
 * scrapeConfig(model);                                                   // Kubernetes endpoints discovery
 * scrapeConfig(model, { kind: 'static', targets: ['10.0.3.7:9464'] });  // fixed targets
 */
export function scrapeConfig(model: ServiceModel, discovery: ScrapeDiscovery = { kind: 'kubernetes' }): Record<string, unknown> {
  const common = {
    job_name: `${model.namespace}/${model.name}`,
    scrape_interval: formatDuration(model.metrics.scrapeIntervalMs),
    scrape_timeout: formatDuration(scrapeTimeoutMs(model)),
    metrics_path: model.metrics.path,
  };
  const pinJob = { target_label: LABEL.job, replacement: model.name };
  switch (discovery.kind) {
    case 'kubernetes':
      return { ...common, kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [model.namespace] } }], relabel_configs: [...kubernetesRelabelings(model), pinJob] };
    case 'static':
      return { ...common, static_configs: [{ targets: [...discovery.targets], labels: { [LABEL.namespace]: model.namespace } }], relabel_configs: [pinJob] };
    default:
      return assertNever(discovery);
  }
}

/** Keeps the selected Services' metrics endpoints and copies the discovery metadata into the target labels. */
function kubernetesRelabelings(model: ServiceModel): Array<Record<string, unknown>> {
  const keep = Object.entries(model.metrics.serviceSelector).map(([key, value]) => ({
    source_labels: [serviceLabelMeta(key)],
    regex: value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    action: 'keep',
  }));
  return [
    ...keep,
    { source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: model.metrics.portName, action: 'keep' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: LABEL.namespace },
    { source_labels: ['__meta_kubernetes_service_name'], target_label: LABEL.service },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: LABEL.pod },
    { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: LABEL.container },
  ];
}

function assertNever(x: never): never {
  throw new Error(`unknown scrape discovery ${JSON.stringify(x)}`);
}
