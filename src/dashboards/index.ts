/**
 * Grafana dashboards, generated from service models: pure functions from model to dashboard JSON. The
 * foundation SDK stays behind this folder (sdk.ts); callers get plain JSON.
 */
import type { ServiceModel } from '../model/types';
import { fleetDashboard, FleetDashboardOptions } from './fleet';
import { fleetDashboardUid } from './identity';
import { serviceDashboard } from './service';
import type { DashboardJson } from './types';

export { fleetDashboard, type FleetDashboardOptions } from './fleet';
export { dashboardFileName, dashboardFiles, serializeDashboard, type JsonLayout } from './files';
export { DEFAULT_FLEET_NAME, fleetDashboardUid, LIBRARY_TAG, namespaceTag, serviceTag } from './identity';
export { constantValues, dashboardQueries, fleetDashboardQueries, queriesOf, substituteVariables, type DashboardQuery, type QueryValues, type VariableValues } from './queries';
export { serviceDashboard, type ServiceDashboardOptions } from './service';
export { assertApplicableSize, MAX_APPLY_BYTES } from './size';
export type { DashboardJson, PanelJson, TargetJson, VariableJson } from './types';

/**
 * Every dashboard of an app: one per service, then the fleet overview linking them.
 *
 * @example dashboardFiles(appDashboards(fleet.map(resolveService))); // { 'gs-shop-checkout-service.json': ..., 'gs-all-services-fleet.json': ... }
 */
export function appDashboards(models: readonly ServiceModel[], options: FleetDashboardOptions = {}): DashboardJson[] {
  const fleetUid = fleetDashboardUid(options.name);
  return [...models.map((m) => serviceDashboard(m, { fleetUid })), fleetDashboard(models, options)];
}
