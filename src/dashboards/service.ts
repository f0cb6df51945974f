/**
 * The service dashboard: one per service definition, rows SLOs, Traffic, Errors, Latency and Saturation,
 * every panel made by a factory from the model. Nothing here is specific to one service.
 */
import type { ServiceModel } from '../model/types';
import { LABEL } from '../signals/contract';
import { eq, re, selector } from '../signals/promql';
import { durationHistogram, endpointLabel } from '../signals/queries';
import { ALL_ROUTES, namespaceVariable, serviceContext, VARIABLE } from './context';
import { fleetDashboardUid, LIBRARY_TAG, namespaceTag, serviceTag } from './identity';
import { ROW_ID } from './ids';
import { budgetReportLink, dashboardPath, runbookIndexUrl } from './links';
import { errorPanels } from './panels/errors';
import { latencyPanels } from './panels/latency';
import { saturationPanels } from './panels/saturation';
import { sloPanels } from './panels/slo';
import { served, trafficPanels } from './panels/traffic';
import { buildDashboard, Row } from './sdk';
import type { DashboardJson } from './types';

/** Options of {@link serviceDashboard}. */
export interface ServiceDashboardOptions {
  /**
   * UID of the fleet overview the dashboard links to.
   * @default fleetDashboardUid(), the default fleet's
   */
  readonly fleetUid?: string;
}

/**
 * The golden-signals dashboard of one service, as Grafana v1 JSON. Its uid is the model's
 * `alerting.dashboardUid`, the one every alert's `dashboard_url` annotation points at.
 *
 * @example
 * const json = serviceDashboard(resolveService(checkout));
 * json.uid; // 'gs-shop-checkout-service'
 */
export function serviceDashboard(model: ServiceModel, options: ServiceDashboardOptions = {}): DashboardJson {
  const ctx = serviceContext(model);
  const s = served(model.kind);
  const endpoint = endpointLabel(model.kind);
  const rows: Row[] = [
    ...(model.slos.some((slo) => !slo.journey) ? [{ id: ROW_ID.slos, title: 'SLOs', panels: model.slos.filter((slo) => !slo.journey).flatMap((slo) => sloPanels(ctx, slo)) }] : []),
    // Each journey's SLOs, after the service's: the same four panels, over the journey's requests only.
    ...(model.journeys.length > 0 ? [{ id: ROW_ID.journeys, title: 'Journeys', panels: model.slos.filter((slo) => slo.journey).flatMap((slo) => sloPanels(ctx, slo)) }] : []),
    { id: ROW_ID.traffic, title: 'Traffic', panels: trafficPanels(ctx) },
    { id: ROW_ID.errors, title: 'Errors', panels: errorPanels(ctx) },
    { id: ROW_ID.latency, title: 'Latency', panels: latencyPanels(ctx) },
    { id: ROW_ID.saturation, title: 'Saturation', panels: saturationPanels(ctx) },
  ];
  return buildDashboard({
    uid: model.alerting.dashboardUid,
    title: `Golden signals / ${model.namespace} / ${model.name}`,
    description: `Latency, traffic, errors and saturation of ${model.name} (team ${model.team}), generated from its service definition.`,
    tags: [LIBRARY_TAG, serviceTag(model.name), namespaceTag(model.namespace), `team:${model.team}`],
    variables: [
      { kind: 'datasource' },
      namespaceVariable(model),
      {
        kind: 'query',
        name: VARIABLE.route,
        label: s.endpoint.charAt(0).toUpperCase() + s.endpoint.slice(1),
        description: `${s.endpoint.charAt(0).toUpperCase() + s.endpoint.slice(1)}s to show in the traffic, error and latency rows; SLO and saturation panels are always about the whole service.`,
        query: `label_values(${selector(`${durationHistogram(model.kind)}_count`, [re(LABEL.namespace, `$${VARIABLE.namespace}`), eq(LABEL.job, model.name)])}, ${endpoint})`,
        multi: true,
        allValue: ALL_ROUTES,
      },
    ],
    links: [
      ...(model.slos.length > 0 ? [budgetReportLink(model)] : []),
      { kind: 'url', title: 'Runbooks', tooltip: `Runbooks of ${model.name}'s alerts`, url: runbookIndexUrl(model), newTab: true },
      { kind: 'url', title: 'Fleet overview', tooltip: 'Every service at a glance', url: dashboardPath(options.fleetUid ?? fleetDashboardUid()), newTab: false },
      { kind: 'tags', title: `${model.name} dashboards`, tooltip: `Every dashboard tagged ${serviceTag(model.name)}`, tags: [serviceTag(model.name)] },
    ],
    rows,
  });
}
