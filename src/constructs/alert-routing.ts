import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { AlertmanagerConfig } from '../../imports/alertmanagerconfig-monitoring.coreos.com';
import type { ServiceModel } from '../model/types';
import { alertmanagerConfigSpec } from '../routing/operator';
import { routingUnits, teamRoutingName } from '../routing/plan';
import { resolveRouting } from '../routing/resolve';
import type { RoutingScope, RoutingUnit } from '../routing/types';
import { type StackMode, stackLabels } from './selectors';

/** Props of {@link AlertRouting}. */
export interface AlertRoutingProps {
  /** Resolved services; those without a `routing` option get no AlertmanagerConfig. */
  readonly services: readonly ServiceModel[];
  /**
   * One AlertmanagerConfig per service, or per team and namespace, for all the services alike, whatever their
   * `routing.per` says.
   * @default each service's `routing.per` ('service' where unset)
   */
  readonly per?: RoutingScope;
  /**
   * The stack whose Alertmanager loads the configs: decides the selector labels. The Alertmanager CR must
   * select them with `alertmanagerConfigSelector` (ObservabilityStack does).
   * @default { kind: 'own' }
   */
  readonly stack?: StackMode;
}

/**
 * Alertmanager routing for a set of services, built by hand: one monitoring.coreos.com/v1alpha1
 * AlertmanagerConfig per routing unit (per service, or per team and namespace), routing `page` and `ticket`
 * to their receivers, grouped by alert, service and SLO, with the generated inhibitions (a
 * page mutes the ticket of the same service, signal and SLO; a faster burn tier mutes the slower ones; all
 * targets down mutes TrafficAbsent). All computation happens in
 * the pure routing generators; this only places it.
 *
 * GoldenSignals already creates the AlertmanagerConfig its definition's `routing` asks for (its own, or its
 * share of the team's, see {@link TeamAlertRouting}). Building AlertRouting for the same services as well
 * routes their alerts twice: pass `alertRouting: false` to those GoldenSignals.
 *
 * @example
 * new GoldenSignals(chart, 'checkout', { service: checkout, alertRouting: false });
 * new GoldenSignals(chart, 'refunds', { service: refunds, alertRouting: false });
 * new AlertRouting(chart, 'routing', { services: [checkout, refunds].map(resolveService), per: 'team' });
 */
export class AlertRouting extends Construct {
  /** The routing units, one per AlertmanagerConfig, in output order. */
  readonly units: readonly RoutingUnit[];
  /** The AlertmanagerConfigs, in the order of {@link units}. */
  readonly configs: readonly AlertmanagerConfig[];

  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, id);
    this.units = routingUnits(props.services, { per: props.per });
    const labels = stackLabels(props.stack);
    this.configs = this.units.map(
      (unit) =>
        new AlertmanagerConfig(this, `${unit.namespace}-${unit.name}`, {
          metadata: { name: unit.name, namespace: unit.namespace, labels },
          spec: alertmanagerConfigSpec(unit),
        }),
    );
  }
}

/** Props of {@link TeamAlertRouting}. */
export interface TeamAlertRoutingProps {
  /** Namespace of the team's services, and of the AlertmanagerConfig. */
  readonly namespace: string;
  /** The team: the AlertmanagerConfig matches its `team` label. */
  readonly team: string;
  /** The stack whose Alertmanager loads the config: decides the selector labels. @default { kind: 'own' } */
  readonly stack?: StackMode;
}

/**
 * The one AlertmanagerConfig (`team-<team>-routing`) of a team in a namespace, which services join after it
 * is created. GoldenSignals creates it, in the chart of the first service whose routing says `per: 'team'`,
 * and adds that service and every later one of the same team and namespace in the same App, whatever chart
 * they are in. The spec is produced when the App synthesizes, so it covers services added after this
 * construct.
 *
 * @example
 * const team = new TeamAlertRouting(chart, 'payments', { namespace: 'shop', team: 'payments' });
 * team.addService(resolveService(checkout));
 * team.addService(resolveService(refunds));
 */
export class TeamAlertRouting extends Construct {
  readonly namespace: string;
  readonly team: string;
  /** Labels of the AlertmanagerConfig (the stack's selector labels). */
  readonly labels: Readonly<Record<string, string>>;
  readonly config: AlertmanagerConfig;
  private readonly members: ServiceModel[] = [];

  constructor(scope: Construct, id: string, props: TeamAlertRoutingProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.team = props.team;
    this.labels = stackLabels(props.stack);
    this.config = new AlertmanagerConfig(this, 'config', {
      metadata: { name: teamRoutingName(props.team), namespace: props.namespace, labels: { ...this.labels } },
      // Resolved by cdk8s when the App synthesizes, after every service of the team has been added.
      spec: Lazy.any({ produce: () => alertmanagerConfigSpec(this.unit) }),
    });
  }

  /** The services added so far, in the order they were added. */
  get services(): readonly ServiceModel[] {
    return [...this.members];
  }

  /**
   * The routing unit of the services added so far.
   * @throws Error when no service has been added: an AlertmanagerConfig without routes would be invalid.
   */
  get unit(): RoutingUnit {
    const [unit] = routingUnits(this.members, { per: 'team' });
    if (unit === undefined) {
      throw new Error(`TeamAlertRouting ${this.node.path} (team "${this.team}" in namespace "${this.namespace}") has no service: add one with addService, or remove it.`);
    }
    return unit;
  }

  /**
   * Adds a service to the team's AlertmanagerConfig.
   * @throws Error for a service of another team or namespace, or without `routing`; ServiceDefinitionError
   *   when its routing differs from that of the services already added (naming both).
   */
  addService(model: ServiceModel): void {
    if (model.namespace !== this.namespace || model.team !== this.team) {
      throw new Error(
        `Service "${model.namespace}/${model.name}" of team "${model.team}" cannot join ${this.node.path}, the AlertmanagerConfig of team "${this.team}" in namespace "${this.namespace}": ` +
          'a team config routes one team in one namespace.',
      );
    }
    if (resolveRouting(model) === undefined) {
      throw new Error(`Service "${model.namespace}/${model.name}" has no routing option, so it cannot join ${this.node.path}: give it the team's RoutingOptions.`);
    }
    // Plans the unit with the new member now, so a mismatch fails where the service is added, not at synth.
    routingUnits([...this.members, model], { per: 'team' });
    this.members.push(model);
  }
}
