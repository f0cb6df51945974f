/**
 * Grafana dashboards, generated from service models: pure functions from model to dashboard JSON. The
 * foundation SDK stays behind this folder (sdk.ts); callers get plain JSON.
 */
import type { ServiceModel } from '../model/types';
import { budgetReport } from './budget';
import { fleetDashboard, FleetDashboardOptions } from './fleet';
import { fleetDashboardUid } from './identity';
import { serviceDashboard, type ServiceDashboardOptions } from './service';
import type { DashboardJson } from './types';

export { budgetReport, BUDGET_REPORT_TAG, BUDGET_REPORT_TIME } from './budget';
export { fleetDashboard, type FleetDashboardOptions } from './fleet';
export { dashboardFileName, dashboardFiles, serializeDashboard, type JsonLayout } from './files';
export { DEFAULT_FLEET_NAME, fleetDashboardUid, LIBRARY_TAG, namespaceTag, serviceTag } from './identity';
export { budgetReportQueries, constantValues, dashboardQueries, fleetDashboardQueries, queriesOf, substituteVariables, type DashboardQuery, type QueryValues, type VariableValues } from './queries';
export { serviceDashboard, type ServiceDashboardOptions } from './service';
export { assertApplicableSize, MAX_APPLY_BYTES } from './size';
export type { DashboardJson, PanelJson, TargetJson, VariableJson } from './types';

/**
 * The dashboards of one service: its golden signals, then its error-budget report when it has SLOs.
 *
 * @example serviceDashboards(resolveService(checkout)).map((d) => d.uid); // ['gs-shop-checkout-service', 'gs-shop-checkout-budget']
 */
export function serviceDashboards(model: ServiceModel, options: ServiceDashboardOptions = {}): DashboardJson[] {
  const report = budgetReport(model);
  return [serviceDashboard(model, options), ...(report ? [report] : [])];
}

/**
 * Every dashboard of an app: each service's (see {@link serviceDashboards}), then the fleet overview linking them.
 *
 * @example dashboardFiles(appDashboards(fleet.map(resolveService))); // { 'gs-shop-checkout-service.json': ..., 'gs-shop-checkout-budget.json': ..., 'gs-all-services-fleet.json': ... }
 */
export function appDashboards(models: readonly ServiceModel[], options: FleetDashboardOptions = {}): DashboardJson[] {
  const fleetUid = fleetDashboardUid(options.name);
  return [...models.flatMap((m) => serviceDashboards(m, { fleetUid })), fleetDashboard(models, options)];
}
