/** Traffic panels: requests per second by status class, by route and class, and per pod against capacity. */
import { LABEL, OUTCOME } from '../../signals/contract';
import { endpointLabel, requestRate, requestRateByClass, trafficClassLabel } from '../../signals/queries';
import type { ServiceKind } from '../../spec/service';
import { legendOf, type PanelContext } from '../context';
import { PANEL_ID, REF_IDS } from '../ids';
import { Color, Panel, timeSeries, UNIT } from '../sdk';

/** What is counted, in words. */
export function served(kind: ServiceKind): { readonly unit: string; readonly endpoint: string; readonly classes: string } {
  switch (kind) {
    case 'http':
      return { unit: 'requests', endpoint: 'route', classes: 'status class' };
    case 'worker':
      return { unit: 'operations', endpoint: 'operation', classes: 'outcome' };
  }
}

/** kubernetes-mixin's status colours: successes green, redirects yellow, client errors blue, server errors red. */
function classColors(kind: ServiceKind): Record<string, Color> {
  switch (kind) {
    case 'http':
      return { '1xx': 'purple', '2xx': 'green', '3xx': 'yellow', '4xx': 'blue', '5xx': 'red' };
    case 'worker':
      return { [OUTCOME.success]: 'green', [OUTCOME.error]: 'red' };
  }
}

/** Total traffic, stacked by class so the stack's height is the request rate. */
export function requestsByClassPanel(ctx: PanelContext): Panel {
  const s = served(ctx.model.kind);
  return timeSeries({
    id: PANEL_ID.requestsByClass,
    title: `${s.unit.charAt(0).toUpperCase()}${s.unit.slice(1)} by ${s.classes}`,
    description: `How many ${s.unit} per second does ${ctx.model.name} serve, and how do they end? Stacked by ${s.classes}, so the top is the total.`,
    unit: UNIT.requestsPerSecond,
    min: 0,
    width: 12,
    stacked: true,
    seriesColors: classColors(ctx.model.kind),
    queries: [{ refId: REF_IDS[0], expr: requestRateByClass(ctx.scope, ctx.window), legend: legendOf(trafficClassLabel(ctx.model.kind)) }],
  });
}

/** Traffic per route and class: which route a surge or a failure comes from. */
export function requestsByRouteAndClassPanel(ctx: PanelContext): Panel {
  const s = served(ctx.model.kind);
  return timeSeries({
    id: PANEL_ID.requestsByRouteAndClass,
    title: `${s.unit.charAt(0).toUpperCase()}${s.unit.slice(1)} by ${s.endpoint} and ${s.classes}`,
    description: `Which ${s.endpoint}s take the traffic, and which ${s.classes} do they answer with?`,
    unit: UNIT.requestsPerSecond,
    min: 0,
    width: 12,
    queries: [
      {
        refId: REF_IDS[0],
        expr: requestRateByClass(ctx.scope, ctx.window, [endpointLabel(ctx.model.kind)]),
        legend: legendOf(endpointLabel(ctx.model.kind), trafficClassLabel(ctx.model.kind)),
      },
    ],
  });
}

/**
 * Traffic per pod against the declared per-pod capacity (the TrafficAboveCapacity alert's threshold).
 * Only when a capacity is declared: without one there is nothing to compare against.
 */
export function requestsPerPodPanel(ctx: PanelContext): Panel | undefined {
  const capacity = ctx.model.capacity.requestsPerSecond;
  if (capacity === undefined) return undefined;
  const s = served(ctx.model.kind);
  return timeSeries({
    id: PANEL_ID.requestsPerPod,
    title: `${s.unit.charAt(0).toUpperCase()}${s.unit.slice(1)} per pod against capacity`,
    description: `Is any pod serving more than the ${capacity} ${s.unit} per second one pod can take within its objectives (dashed line)?`,
    unit: UNIT.requestsPerSecond,
    min: 0,
    softMax: capacity * 1.1,
    width: 12,
    queries: [{ refId: REF_IDS[0], expr: requestRate(ctx.serviceScope, ctx.window, [LABEL.instance]), legend: legendOf(LABEL.instance) }],
    thresholds: { base: 'green', steps: [{ value: capacity, color: 'red' }] },
  });
}

/** The traffic row. */
export function trafficPanels(ctx: PanelContext): Panel[] {
  return [requestsByClassPanel(ctx), requestsByRouteAndClassPanel(ctx), requestsPerPodPanel(ctx)].filter((p): p is Panel => p !== undefined);
}
