/**
 * Fleet overview panels: one row per service with its traffic, error ratio, p99, error budget left and
 * firing alerts, every panel linking to the service's own dashboard.
 */
import type { ServiceModel } from '../../model/types';
import { aggregate, selector, targetMatchers } from '../../signals';
import { firingAlerts, latencyQuantile, requestErrorRatio, requestRate } from '../../signals/queries';
import { RECORD } from '../../signals/recorded';
import { percent, seconds } from '../format';
import { REF_IDS } from '../ids';
import { panelDashboardLink } from '../links';
import { VARIABLE } from '../context';
import { Panel, PanelLink, RATE_INTERVAL, statPanel, Thresholds, UNIT } from '../sdk';
import { served } from './traffic';

/** Offset of each panel within a service's block of ids. */
export const FLEET_SLOT = { row: 0, traffic: 1, errorRatio: 2, p99: 3, budgetRemaining: 4, firingAlerts: 5 } as const;

function link(model: ServiceModel): PanelLink[] {
  return [{ title: `${model.name} dashboard`, url: `${panelDashboardLink(model.alerting.dashboardUid)}&var-${VARIABLE.namespace}=${model.namespace}` }];
}

/** The panels of one service's row; `base` is the first id of its block. */
export function fleetServicePanels(model: ServiceModel, base: number): Panel[] {
  const scope = model.scope;
  const s = served(model.kind);
  const availability = model.slos.find((slo) => slo.kind === 'availability');
  const latency = model.slos.find((slo) => slo.kind === 'latency');
  const hasBudget = model.slos.length > 0;
  const width = hasBudget ? 5 : 6;
  const common = { height: 4, links: link(model) };
  const errorThresholds: Thresholds | undefined = availability && { base: 'green', steps: [{ value: availability.errorBudget, color: 'red' }] };
  const latencyThresholds: Thresholds | undefined = latency && { base: 'green', steps: [{ value: latency.thresholdSeconds!, color: 'red' }] };
  const panels: Panel[] = [
    statPanel({
      ...common,
      id: base + FLEET_SLOT.traffic,
      title: 'Traffic',
      description: `How many ${s.unit} per second does ${model.name} serve?`,
      unit: UNIT.requestsPerSecond,
      width,
      sparkline: true,
      queries: [{ refId: REF_IDS[0], expr: requestRate(scope, RATE_INTERVAL), legend: model.name }],
    }),
    statPanel({
      ...common,
      id: base + FLEET_SLOT.errorRatio,
      title: 'Error ratio',
      description:
        `What share of ${model.name}'s ${s.unit} fail?` + (availability ? ` Red above the ${percent(availability.errorBudget)} its availability objective allows.` : ''),
      unit: UNIT.ratio,
      decimals: 2,
      width,
      sparkline: true,
      queries: [{ refId: REF_IDS[0], expr: requestErrorRatio(scope, RATE_INTERVAL), legend: model.name }],
      thresholds: errorThresholds,
    }),
    statPanel({
      ...common,
      id: base + FLEET_SLOT.p99,
      title: 'p99 latency',
      description: `How long do the slowest 1% of ${model.name}'s ${s.unit} take?` + (latency ? ` Red above its latency threshold (${seconds(latency.thresholdSeconds!)}).` : ''),
      unit: UNIT.seconds,
      width,
      sparkline: true,
      queries: [{ refId: REF_IDS[0], expr: latencyQuantile(scope, 0.99, RATE_INTERVAL), legend: model.name, exemplar: true }],
      thresholds: latencyThresholds,
    }),
  ];
  if (hasBudget) {
    panels.push(
      statPanel({
        ...common,
        id: base + FLEET_SLOT.budgetRemaining,
        title: 'Error budget left',
        description: `How much error budget is left to ${model.name}'s most spent SLO (${model.slos.map((slo) => slo.name).join(', ')})? Below 0% an objective is missed.`,
        unit: UNIT.ratio,
        decimals: 1,
        width,
        sparkline: true,
        // The lowest across the service's SLOs: the one closest to being missed is the one that matters.
        queries: [{ refId: REF_IDS[0], expr: aggregate('min', [], selector(RECORD.budgetRemaining, targetMatchers(scope))), legend: model.name }],
        thresholds: { base: 'red', steps: [{ value: 0, color: 'orange' }, { value: 0.25, color: 'green' }] },
      }),
    );
  }
  panels.push(
    statPanel({
      ...common,
      id: base + FLEET_SLOT.firingAlerts,
      title: 'Firing alerts',
      description: `How many of ${model.name}'s alerts are firing now?`,
      unit: UNIT.count,
      decimals: 0,
      width: 4,
      queries: [{ refId: REF_IDS[0], expr: firingAlerts(scope), legend: model.name }],
      thresholds: { base: 'green', steps: [{ value: 1, color: 'red' }] },
    }),
  );
  return panels;
}
