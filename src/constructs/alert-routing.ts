import { Construct } from 'constructs';
import { AlertmanagerConfig } from '../../imports/alertmanagerconfig-monitoring.coreos.com';
import type { ServiceModel } from '../model/types';
import { alertmanagerConfigSpec } from '../routing/operator';
import { routingUnits } from '../routing/plan';
import type { RoutingScope, RoutingUnit } from '../routing/types';
import { type StackMode, stackLabels } from './selectors';

/** Props of {@link AlertRouting}. */
export interface AlertRoutingProps {
  /** Resolved services; those without a `routing` option get no AlertmanagerConfig. */
  readonly services: readonly ServiceModel[];
  /** One AlertmanagerConfig per service, or per team and namespace. @default 'service' */
  readonly per?: RoutingScope;
  /**
   * The stack whose Alertmanager loads the configs: decides the selector labels. The Alertmanager CR must
   * select them with `alertmanagerConfigSelector` (ObservabilityStack does).
   * @default { kind: 'own' }
   */
  readonly stack?: StackMode;
}

/**
 * Alertmanager routing for a set of services: one monitoring.coreos.com/v1alpha1 AlertmanagerConfig per service
 * (or team), routing `page` and `ticket` to their receivers, grouped by alert, service and SLO, with the
 * inhibitions of `src/routing/inhibit.ts`. All computation happens in `src/routing`; this only places it.
 *
 * @example
 * new AlertRouting(chart, 'routing', { services: [resolveService(checkout)], per: 'team' });
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
