import type { ServiceModel } from '../model/types';
import { CLUSTER_METRIC, LABEL } from '../signals/contract';
import { eq, selector } from '../signals/promql';
import type { SignalScope } from '../signals/queries';
import { RATE_INTERVAL, type Variable } from './sdk';

/** Grafana variables of the service dashboard. The namespace variable is named after the label it selects. */
export const VARIABLE = { namespace: LABEL.namespace, route: 'route' } as const;

/**
 * Sent for "All" routes. `.*` rather than dashboard-linter's `.+`: requests that matched no route carry no
 * route label, and an empty label only matches a regex that accepts the empty string.
 */
export const ALL_ROUTES = '.*';

/** What a panel factory needs to know. */
export interface PanelContext {
  readonly model: ServiceModel;
  /** The viewed service: namespace from `$namespace`, histogram series filtered by `$route`. */
  readonly scope: SignalScope;
  /** The same without the route filter: SLOs, saturation and alerts are about the whole service. */
  readonly serviceScope: SignalScope;
  /** Rate window of every `rate()`: `$__rate_interval` (dashboard-linter `target-rate-interval-rule`). */
  readonly window: string;
}

/** The panel context of a service's own dashboard. */
export function serviceContext(model: ServiceModel): PanelContext {
  const serviceScope: SignalScope = { ...model.scope, namespace: `$${VARIABLE.namespace}`, regexMatch: true };
  return { model, serviceScope, scope: { ...serviceScope, endpointRegex: `$${VARIABLE.route}` }, window: RATE_INTERVAL };
}

/** The `namespace` variable of a service's dashboards, preset to the namespace its definition names. */
export function namespaceVariable(model: ServiceModel): Variable {
  return {
    kind: 'query',
    name: VARIABLE.namespace,
    label: 'Namespace',
    description: `Namespaces ${model.name} runs in; its definition says ${model.namespace}.`,
    // `up` rather than the histogram: a namespace whose pods are down still shows up to be looked at.
    query: `label_values(${selector(CLUSTER_METRIC.up, [eq(LABEL.job, model.name)])}, ${LABEL.namespace})`,
    multi: false,
    current: model.namespace,
  };
}

/** Legend template showing a label's value, e.g. `{{pod}}`. */
export function legendOf(...labels: readonly string[]): string {
  return labels.map((l) => `{{${l}}}`).join(' ');
}
