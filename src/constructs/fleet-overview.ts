import { Construct } from 'constructs';
import { fleetDashboard } from '../dashboards/fleet';
import { DEFAULT_FLEET_NAME, fleetDashboardUid } from '../dashboards/identity';
import type { ServiceModel } from '../model/types';
import { type DashboardDelivery, GrafanaDashboards } from './dashboards';
import { GoldenSignals } from './golden-signals';

/** Props of {@link FleetOverview}. */
export interface FleetOverviewProps {
  /**
   * Name of the fleet: part of the dashboard's uid and title. Every service dashboard links to the default
   * fleet's uid (`gs-all-services-fleet`); with another name, give the services `fleetDashboardUid` too.
   * @default 'services'
   */
  readonly name?: string;
  /** Namespace of the ConfigMap or GrafanaDashboard. @default the chart's namespace */
  readonly namespace?: string;
  /** How Grafana gets the dashboard. @default { kind: 'configMap' } (the sidecar's `grafana_dashboard: "1"`) */
  readonly delivery?: DashboardDelivery;
}

/**
 * The fleet overview dashboard (`gs-all-services-fleet`): every service of the app in one table, with
 * fleet-wide trends, and the page each service dashboard's "Fleet" link opens. It lists every
 * {@link GoldenSignals} of the whole cdk8s app, wherever in the app it is and whenever it was added,
 * because the dashboard is built when the app is synthesized.
 *
 * @example
 * const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring', disableResourceNameHashes: true });
 * new FleetOverview(monitoring, 'fleet');
 */
export class FleetOverview extends Construct {
  /** Name of the fleet. */
  readonly name: string;
  /** uid of the dashboard, e.g. `gs-all-services-fleet`. */
  readonly uid: string;
  readonly dashboards: GrafanaDashboards;

  constructor(scope: Construct, id: string, props: FleetOverviewProps = {}) {
    super(scope, id);
    const name = props.name ?? DEFAULT_FLEET_NAME;
    this.name = name;
    this.uid = fleetDashboardUid(name);
    this.dashboards = new GrafanaDashboards(this, 'dashboards', {
      dashboards: [{ uid: this.uid, title: `Golden signals / fleet: ${name}`, build: () => fleetDashboard(servicesOf(this.node.root), { name }) }],
      namespace: props.namespace,
      delivery: props.delivery,
    });
  }
}

/** The models of every GoldenSignals in the construct tree, sorted by namespace and name. */
export function servicesOf(root: Construct): ServiceModel[] {
  return root.node
    .findAll()
    .filter((c): c is GoldenSignals => c instanceof GoldenSignals)
    .map((g) => g.model)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}
