/** How generated dashboards are found: uids and tags. */
import { dashboardUid } from '../model/uid';

/** Tag on every generated dashboard: the dashboards-by-tag links and Grafana's search find them by it. */
export const LIBRARY_TAG = 'golden-signals';

/** The tag that ties together every dashboard of one service, generated or hand-made. */
export function serviceTag(name: string): string {
  return `service:${name}`;
}

/** The tag that ties together every dashboard of one namespace; with {@link serviceTag} it names one service. */
export function namespaceTag(namespace: string): string {
  return `namespace:${namespace}`;
}

/** Name of the fleet when an app has one. */
export const DEFAULT_FLEET_NAME = 'services';

/**
 * UID of a fleet overview. A fleet spans namespaces, so its uid is built like a service's with `all` in
 * the namespace place: `dashboardUid('all', name, 'fleet')`, e.g. `gs-all-services-fleet`.
 */
export function fleetDashboardUid(name: string = DEFAULT_FLEET_NAME): string {
  return dashboardUid('all', name, 'fleet');
}
