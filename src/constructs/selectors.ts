/**
 * The label contract between what GoldenSignals emits (PrometheusRule, ServiceMonitor, dashboard ConfigMaps,
 * AlertmanagerConfig) and what the Prometheus / Alertmanager / Grafana that load them select. One place, so the
 * emitting side and the selecting side (ObservabilityStack, or a kube-prometheus-stack release) cannot drift.
 *
 * kube-prometheus-stack's defaults (chart values `prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues: true`
 * and the same for serviceMonitor / podMonitor) make Prometheus select only objects labelled
 * `release: <helm release name>`; its Grafana dashboard sidecar loads ConfigMaps labelled `grafana_dashboard: "1"`
 * (chart value `grafana.sidecar.dashboards.label`). Our own stack selects `app.kubernetes.io/part-of`.
 */

/** Label every object GoldenSignals emits carries, whatever the stack (Kubernetes recommended labels). */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
/** Value of {@link PART_OF_LABEL}. */
export const PART_OF_VALUE = 'golden-signals';
/** Label kube-prometheus-stack's default selectors match: its Helm release name. */
export const RELEASE_LABEL = 'release';
/** Default kube-prometheus-stack release name (`helm install kube-prometheus-stack ...`). */
export const DEFAULT_RELEASE_NAME = 'kube-prometheus-stack';
/** The Grafana dashboard sidecar's default label (kiwigrid k8s-sidecar as configured by the Grafana chart). */
export const DASHBOARD_LABEL = 'grafana_dashboard';
/** Value of {@link DASHBOARD_LABEL}. */
export const DASHBOARD_LABEL_VALUE = '1';

/** Labels on every PrometheusRule / ServiceMonitor / PodMonitor / AlertmanagerConfig GoldenSignals emits. */
export const STACK_SELECTOR_LABELS: Readonly<Record<string, string>> = { [PART_OF_LABEL]: PART_OF_VALUE };

/**
 * Which monitoring stack loads the generated objects.
 * - `own`: the {@link ObservabilityStack} of this library; it selects {@link STACK_SELECTOR_LABELS}.
 * - `kube-prometheus-stack`: an existing Helm release, which selects `release: <releaseName>` by default.
 */
export type StackMode = { readonly kind: 'own' } | { readonly kind: 'kube-prometheus-stack'; readonly releaseName?: string };

/**
 * Labels to put on a PrometheusRule, ServiceMonitor, PodMonitor or AlertmanagerConfig so the given stack
 * picks it up.
 *
 * @example
 * stackLabels({ kind: 'kube-prometheus-stack', releaseName: 'monitoring' });
 * // { 'app.kubernetes.io/part-of': 'golden-signals', release: 'monitoring' }
 */
export function stackLabels(mode: StackMode = { kind: 'own' }): Record<string, string> {
  switch (mode.kind) {
    case 'own':
      return { ...STACK_SELECTOR_LABELS };
    case 'kube-prometheus-stack':
      return { ...STACK_SELECTOR_LABELS, [RELEASE_LABEL]: mode.releaseName ?? DEFAULT_RELEASE_NAME };
    default:
      return assertNever(mode);
  }
}

/** Labels on a dashboard ConfigMap so the Grafana sidecar (ours or kube-prometheus-stack's) loads it. */
export function dashboardLabels(): Record<string, string> {
  return { ...STACK_SELECTOR_LABELS, [DASHBOARD_LABEL]: DASHBOARD_LABEL_VALUE };
}

function assertNever(x: never): never {
  throw new Error(`unknown stack mode ${JSON.stringify(x)}`);
}
