import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrule-monitoring.coreos.com';
import { ServiceMonitor } from '../../imports/servicemonitor-monitoring.coreos.com';
import { serviceDashboard } from '../dashboards/service';
import { resolveService } from '../model/resolve';
import type { ServiceModel } from '../model/types';
import { serviceRules } from '../rules';
import { isAlertingRule } from '../rules/types';
import { serviceMonitorSpec } from '../scrape';
import type { ServiceDefinition } from '../spec/service';
import { AlertRouting } from './alert-routing';
import { DashboardDelivery, GrafanaDashboards } from './dashboards';
import { ServiceAutoscaling } from './scaling';
import { StackMode, stackLabels } from './selectors';

/** Props of {@link GoldenSignals}. */
export interface GoldenSignalsProps {
  /** The service definition (the same object the app passes to `instrument()`). */
  readonly service: ServiceDefinition;
  /**
   * The monitoring stack that loads the objects; decides their selector labels.
   * @default { kind: 'own' } (ObservabilityStack selects `app.kubernetes.io/part-of: golden-signals`)
   */
  readonly stack?: StackMode;
  /**
   * How Grafana gets the service dashboard, or `false` for none.
   * @default { kind: 'configMap' } (the Grafana sidecar's `grafana_dashboard: "1"` convention)
   */
  readonly dashboards?: DashboardDelivery | false;
  /** UID of the fleet overview the service dashboard links back to. @default the default fleet's UID */
  readonly fleetDashboardUid?: string;
}

/** Services already placed per chart: two definitions of one service would fight over the same objects. */
const placed = new WeakMap<Chart, Map<string, string>>();

/**
 * The four golden signals of one service, as Kubernetes objects: a ServiceMonitor that guarantees the
 * target labels, a PrometheusRule with the recording and alerting rules, the service's Grafana dashboard,
 * its autoscaling (when the definition has a `scaling` section) and alert routing (when it has `routing`).
 * All computation happens in the pure generators; this construct only places their output.
 *
 * @example
 * const chart = new Chart(app, 'shop', { disableResourceNameHashes: true });
 * new GoldenSignals(chart, 'checkout', { service: checkout });
 */
export class GoldenSignals extends Construct {
  /** The validated service model every object was generated from. */
  readonly model: ServiceModel;
  readonly serviceMonitor: ServiceMonitor;
  readonly prometheusRule: PrometheusRule;
  readonly dashboards?: GrafanaDashboards;
  readonly autoscaling?: ServiceAutoscaling;
  readonly routing?: AlertRouting;

  constructor(scope: Construct, id: string, props: GoldenSignalsProps) {
    super(scope, id);
    // Invalid definitions fail here, at synth time, with every problem listed (ServiceDefinitionError).
    const model = resolveService(props.service);
    this.model = model;
    registerOnce(Chart.of(this), model, this.node.path);

    const labels = { ...stackLabels(props.stack), 'app.kubernetes.io/name': model.name };
    const name = `${model.name}-golden-signals`;
    this.serviceMonitor = new ServiceMonitor(this, 'service-monitor', {
      metadata: { name, namespace: model.namespace, labels },
      spec: serviceMonitorSpec(model),
    });
    this.prometheusRule = new PrometheusRule(this, 'rules', {
      metadata: { name, namespace: model.namespace, labels },
      spec: {
        groups: serviceRules(model).groups.map((g) => ({
          name: g.name,
          interval: g.interval,
          rules: g.rules.map((r) =>
            isAlertingRule(r)
              ? { alert: r.alert, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr), for: r.for, labels: r.labels, annotations: r.annotations }
              : { record: r.record, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr), labels: r.labels },
          ),
        })),
      },
    });
    if (props.dashboards !== false) {
      this.dashboards = new GrafanaDashboards(this, 'dashboards', {
        dashboards: [serviceDashboard(model, props.fleetDashboardUid ? { fleetUid: props.fleetDashboardUid } : {})],
        namespace: model.namespace,
        delivery: props.dashboards,
      });
    }
    if (model.scaling) this.autoscaling = new ServiceAutoscaling(this, 'scaling', { service: model, labels: stackLabels(props.stack) });
    if (props.service.routing) this.routing = new AlertRouting(this, 'routing', { services: [model], stack: props.stack });
  }
}

function registerOnce(chart: Chart, model: ServiceModel, path: string): void {
  const key = `${model.namespace}/${model.name}`;
  const seen = placed.get(chart) ?? new Map<string, string>();
  placed.set(chart, seen);
  const first = seen.get(key);
  if (first !== undefined) {
    throw new Error(
      `Duplicate service "${key}" in chart "${chart.node.id}": already defined at ${first}, again at ${path}. ` +
        'Each service may appear once per chart; give the second one another name or namespace.',
    );
  }
  seen.set(key, path);
}
