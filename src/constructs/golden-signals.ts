import { Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrule-monitoring.coreos.com';
import { ServiceMonitor } from '../../imports/servicemonitor-monitoring.coreos.com';
import { serviceDashboards } from '../dashboards';
import { sharedDatabaseProblems } from '../model/pools';
import { resolveService } from '../model/resolve';
import type { ServiceModel } from '../model/types';
import { routingUnits } from '../routing/plan';
import { resolveRouting } from '../routing/resolve';
import type { RoutingModel } from '../routing/types';
import { serviceRules } from '../rules';
import { isAlertingRule, type RuleGroup } from '../rules/types';
import { serviceMonitorSpec } from '../scrape';
import type { ServiceDefinition } from '../spec/service';
import { AlertRouting, TeamAlertRouting } from './alert-routing';
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
   * How Grafana gets the service's dashboards (golden signals, and the error-budget report when it has SLOs), or `false` for none.
   * @default { kind: 'configMap' } (the Grafana sidecar's `grafana_dashboard: "1"` convention)
   */
  readonly dashboards?: DashboardDelivery | false;
  /** UID of the fleet overview the service dashboard links back to. @default the default fleet's UID */
  readonly fleetDashboardUid?: string;
  /**
   * Whether to create the AlertmanagerConfig the definition's `routing` asks for: the service's own
   * (`routing.per: 'service'`, {@link GoldenSignals.routing}) or its share of its team's (`per: 'team'`,
   * {@link GoldenSignals.teamRouting}). Turn it off for services whose routing you build by hand with
   * AlertRouting, or their alerts are routed twice. Without `routing` in the definition there is none either way.
   * @default true
   * @example
   * // The definitions decide: checkout and refunds share `routing: { per: 'team', ... }`, one config for both.
   * new GoldenSignals(chart, 'checkout', { service: checkout });
   * new GoldenSignals(chart, 'refunds', { service: refunds });
   * // Or by hand: the constructs' own routing off, one AlertRouting for the lot.
   * new GoldenSignals(chart, 'checkout', { service: checkout, alertRouting: false });
   * new GoldenSignals(chart, 'refunds', { service: refunds, alertRouting: false });
   * new AlertRouting(chart, 'routing', { services: [checkout, refunds].map(resolveService), per: 'team' });
   */
  readonly alertRouting?: boolean;
}

/**
 * What the GoldenSignals of one App (keyed by its root) have placed. Services: the construct path of each
 * `namespace/name`, because two definitions of one service, in whatever charts, would synthesize the same
 * objects twice. Teams: per `namespace/team`, the services that generate their routing, to cut them into
 * units as routingUnits does and to share one TeamAlertRouting among those that route per team.
 */
interface Placed {
  readonly services: Map<string, string>;
  readonly teams: Map<string, TeamEntry>;
  /** Every service placed so far, for checks across services (shared databases). */
  readonly models: ServiceModel[];
}
interface TeamEntry {
  readonly routed: ServiceModel[];
  shared?: TeamAlertRouting;
}
const placedPerApp = new WeakMap<IConstruct, Placed>();

/**
 * The four golden signals of one service, as Kubernetes objects: a ServiceMonitor that guarantees the
 * target labels, a PrometheusRule with the recording and alerting rules, the service's Grafana dashboards (golden signals and error-budget report),
 * its autoscaling (when the definition has a `scaling` section) and alert routing (when it has `routing`:
 * its own AlertmanagerConfig, or with `routing.per: 'team'` one shared by the team's services in the
 * namespace). All computation happens in the pure generators; this construct only places their output.
 *
 * A service may be placed once per App, whatever chart it is in.
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
  /**
   * The SLO-window rules' own PrometheusRule (`<service>-golden-signals-slo-window`, labelled
   * {@link SLO_WINDOW_RULE_TIER}), when `alerting.sloWindowEvaluationInterval` gives them a group of their own.
   */
  readonly sloWindowRule?: PrometheusRule;
  readonly dashboards?: GrafanaDashboards;
  readonly autoscaling?: ServiceAutoscaling;
  /** The service's own AlertmanagerConfig, when its `routing` routes per service (and `alertRouting` is on). */
  readonly routing?: AlertRouting;
  /**
   * The team's AlertmanagerConfig this service is part of, when its `routing` routes per team (and
   * `alertRouting` is on). The same object for every service of the team in the namespace; it lives in the
   * chart of the first of them.
   */
  readonly teamRouting?: TeamAlertRouting;

  constructor(scope: Construct, id: string, props: GoldenSignalsProps) {
    super(scope, id);
    // Invalid definitions fail here, at synth time, with every problem listed (ServiceDefinitionError).
    const model = resolveService(props.service);
    this.model = model;
    const placed = placedIn(this.node.root);
    checkUnique(placed, model, this.node.path);
    const routing = props.alertRouting === false ? undefined : resolveRouting(model);
    const team = teamOf(placed, model);
    // Checked before anything is placed, so the error points at the service that does not fit.
    if (routing !== undefined) checkTeam(team, model, routing, stackLabels(props.stack), this.node.path);
    // Services of one App that share a database must fit in it together, at every service's maxReplicas.
    const shared = sharedDatabaseProblems([...placed.models, model]);
    if (shared.length > 0) throw new Error(`Service "${model.namespace}/${model.name}" at ${this.node.path}: ${shared.join('; ')}`);
    placed.services.set(`${model.namespace}/${model.name}`, this.node.path);
    placed.models.push(model);
    // Advice about a valid definition (a pool far larger than its load needs): reported, never fatal.
    for (const w of model.warnings) {
      process.emitWarning(`${model.namespace}/${model.name}: ${w.field}: ${JSON.stringify(w.value)} ${w.message}`, { code: 'GOLDEN_SIGNALS_DEFINITION' });
    }
    if (routing !== undefined) team.routed.push(model);

    const labels = { ...stackLabels(props.stack), 'app.kubernetes.io/name': model.name };
    const name = `${model.name}-golden-signals`;
    this.serviceMonitor = new ServiceMonitor(this, 'service-monitor', {
      metadata: { name, namespace: model.namespace, labels },
      spec: serviceMonitorSpec(model),
    });
    const [serviceGroup, sloWindowGroup] = serviceRules(model).groups;
    this.prometheusRule = new PrometheusRule(this, 'rules', { metadata: { name, namespace: model.namespace, labels }, spec: { groups: [prometheusRuleGroup(serviceGroup)] } });
    if (sloWindowGroup) {
      this.sloWindowRule = new PrometheusRule(this, 'slo-window-rules', {
        metadata: { name: `${name}-slo-window`, namespace: model.namespace, labels: { ...labels, ...SLO_WINDOW_RULE_TIER } },
        spec: { groups: [prometheusRuleGroup(sloWindowGroup)] },
      });
    }
    if (props.dashboards !== false) {
      this.dashboards = new GrafanaDashboards(this, 'dashboards', {
        dashboards: serviceDashboards(model, props.fleetDashboardUid ? { fleetUid: props.fleetDashboardUid } : {}),
        namespace: model.namespace,
        delivery: props.dashboards,
      });
    }
    if (model.scaling) this.autoscaling = new ServiceAutoscaling(this, 'scaling', { service: model, labels: stackLabels(props.stack) });
    const per = routing?.per;
    switch (per) {
      case undefined:
        break;
      case 'service':
        this.routing = new AlertRouting(this, 'routing', { services: [model], stack: props.stack });
        break;
      case 'team':
        this.teamRouting = team.shared ??= teamRoutingIn(Chart.of(this), model, props.stack);
        this.teamRouting.addService(model);
        break;
      default:
        assertNever(per);
    }
  }
}

/**
 * Label of the SLO-window rules' PrometheusRule, so a Prometheus can leave them out (`ruleSelector` with
 * `NotIn`) and a Thanos or Mimir ruler can take them (BENCHMARKS.md, "A user outgrowing one Prometheus").
 */
export const SLO_WINDOW_RULE_TIER = { 'golden-signals/rule-tier': 'slo-window' } as const;

/** A rule group as the PrometheusRule CRD types it. */
function prometheusRuleGroup(g: RuleGroup) {
  return {
    name: g.name,
    interval: g.interval,
    rules: g.rules.map((r) =>
      isAlertingRule(r)
        ? { alert: r.alert, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr), for: r.for, labels: r.labels, annotations: r.annotations }
        : { record: r.record, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr), labels: r.labels },
    ),
  };
}

function placedIn(root: IConstruct): Placed {
  let placed = placedPerApp.get(root);
  if (placed === undefined) {
    placed = { services: new Map(), teams: new Map(), models: [] };
    placedPerApp.set(root, placed);
  }
  return placed;
}

function checkUnique(placed: Placed, model: ServiceModel, path: string): void {
  const key = `${model.namespace}/${model.name}`;
  const first = placed.services.get(key);
  if (first !== undefined) {
    throw new Error(
      `Duplicate service "${key}": already defined at ${first}, again at ${path}. ` +
        'Each service may appear once per App, in whichever chart: both would synthesize the same objects. Give the second one another name or namespace, or remove it.',
    );
  }
}

/**
 * Finds or creates the team's TeamAlertRouting in the chart of the team's first service, under an id that does
 * not depend on which service that is (so adding a service before it does not rename the construct).
 */
function teamRoutingIn(chart: Chart, model: ServiceModel, stack: StackMode | undefined): TeamAlertRouting {
  const id = `team-routing-${model.namespace}-${model.team}`;
  const found = chart.node.tryFindChild(id);
  return found instanceof TeamAlertRouting ? found : new TeamAlertRouting(chart, id, { namespace: model.namespace, team: model.team, stack });
}

/** The entry of the model's team and namespace in the App. */
function teamOf(placed: Placed, model: ServiceModel): TeamEntry {
  const key = `${model.namespace}/${model.team}`;
  const team = placed.teams.get(key) ?? { routed: [] };
  placed.teams.set(key, team);
  return team;
}

/**
 * Whether a routed service fits its team: planning the team's routed services with it (routingUnits) throws
 * the ServiceDefinitionError, naming both services, of a team whose services route differently or some per
 * team and some per service. A team config carries one set of selector labels, so the stacks must agree too.
 */
function checkTeam(team: TeamEntry, model: ServiceModel, routing: RoutingModel, labels: Readonly<Record<string, string>>, path: string): void {
  routingUnits([...team.routed, model]);
  if (routing.per === 'team' && team.shared !== undefined && JSON.stringify(labels) !== JSON.stringify(team.shared.labels)) {
    throw new Error(
      `Service "${model.namespace}/${model.name}" at ${path} routes per team with the stack labels ${JSON.stringify(labels)}, ` +
        `but its team's AlertmanagerConfig ${team.shared.node.path} has ${JSON.stringify(team.shared.labels)}, so one Alertmanager would miss it: ` +
        'give every GoldenSignals of the team the same stack.',
    );
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown routing scope ${JSON.stringify(x)}`);
}
