import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { DashboardJson } from '../dashboards/types';
import { type StackModel, type StackOptions, resolveStack, stackManifests } from '../stack';
import { GrafanaDashboards } from './dashboards';
import { type StackMode, stackLabels } from './selectors';

/** Props of {@link ObservabilityStack}. */
export interface ObservabilityStackProps extends StackOptions {
  /**
   * Dashboards to load, as ConfigMaps labelled `grafana_dashboard: "1"` in the stack's namespace (where this
   * stack's sidecar, or kube-prometheus-stack's, picks them up).
   * @default []
   */
  readonly dashboards?: readonly DashboardJson[];
}

/**
 * The monitoring platform for clusters that do not already run kube-prometheus-stack: a Prometheus and an
 * Alertmanager (prometheus-operator CRs, so the operator must be installed) that select what GoldenSignals emits,
 * Grafana with its datasources and the dashboard sidecar, prometheus-adapter for the HPA's custom metrics, and
 * NetworkPolicies. Every pod meets the "restricted" Pod Security Standard and has requests and limits.
 * With `mode: { kind: 'kube-prometheus-stack' }` it emits only what that chart loads by label.
 * All manifests come from the pure stack generators; this only places them.
 *
 * @example
 * const stack = new ObservabilityStack(chart, 'stack', {
 *   services: fleet.map(resolveService),
 *   prometheus: { remoteWrite: [{ kind: 'mimir', url: 'http://mimir.mimir.svc:8080/api/v1/push', tenant: 'shop' }] },
 *   grafana: { tracing: { kind: 'tempo', url: 'http://tempo.tracing.svc:3200' } },
 * });
 * // stack.labels goes on the PrometheusRules and ServiceMonitors so this Prometheus loads them.
 */
export class ObservabilityStack extends Construct {
  /** The resolved options. */
  readonly model: StackModel;
  /** Which stack loads the generated objects. */
  readonly mode: StackMode;
  /** Labels the generated PrometheusRules, ServiceMonitors and AlertmanagerConfigs need for this stack to load them. */
  readonly labels: Readonly<Record<string, string>>;
  /** The stack's objects, in output order (dashboards not included). */
  readonly objects: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps = {}) {
    super(scope, id);
    const { dashboards: _dashboards, ...options } = props;
    this.model = resolveStack(options);
    this.mode = this.model.mode;
    this.labels = stackLabels(this.mode);
    const chartNamespace = Chart.of(this).namespace;
    this.objects = stackManifests(this.model).map((m) => {
      const object = new ApiObject(this, `${m.kind}-${m.metadata.namespace ?? 'cluster'}-${m.metadata.name}`, m);
      // The generators leave the namespace out exactly on cluster-scoped objects (ClusterRole, ClusterRoleBinding,
      // APIService), but cdk8s gives every object of a chart the chart's namespace. The API server ignores it on
      // those, and GitOps tools (Argo CD, Flux) then report the object as out of sync or misplaced.
      if (m.metadata.namespace === undefined && chartNamespace !== undefined) object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      return object;
    });
    if (props.dashboards && props.dashboards.length > 0) {
      new GrafanaDashboards(this, 'dashboards', { dashboards: props.dashboards, namespace: this.model.namespace });
    }
  }
}
