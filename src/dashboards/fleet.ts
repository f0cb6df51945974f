/**
 * The fleet overview: every service of an app at a glance, in one table with a row per service, plus
 * fleet-wide top-10 trends. Its size does not depend on the number of services (one row of panels per
 * service made it ~7.5 KB per service, past the 250,000-byte `kubectl apply` limit at ~33 services):
 * queries cover the fleet with regexes over namespace and job, written once as hidden constants.
 */
import type { ServiceModel } from '../model/types';
import type { SignalScope } from '../signals/queries';
import { DEFAULT_FLEET_NAME, fleetDashboardUid, LIBRARY_TAG } from './identity';
import { FLEET_PANEL_ID, fleetTable, fleetTrendPanels, type FleetContext } from './panels/fleet';
import { buildDashboard, RATE_INTERVAL, type Variable } from './sdk';
import type { DashboardJson } from './types';

/** Options of {@link fleetDashboard}. */
export interface FleetDashboardOptions {
  /**
   * Name of the fleet; it is part of the uid (see {@link fleetDashboardUid}) and the title.
   * @default 'services'
   */
  readonly name?: string;
}

/** Name of the constant holding the regex over the fleet's namespaces. */
export const FLEET_NAMESPACES_VARIABLE = 'fleet_namespaces';

/** Escapes regex metacharacters (RE2 syntax, which Prometheus uses), so a name matches only itself. */
function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** A regex matching exactly these values, sorted so the text does not depend on the models' order. */
function alternation(values: readonly string[]): string {
  return [...new Set(values)].sort().map(escapeRegex).join('|');
}

/** Services whose queries differ only in namespace and job: same kind, error predicate (HTTP only) and cluster label. */
interface Group {
  readonly models: readonly ServiceModel[];
  readonly variable: string;
  readonly description: string;
}

function groups(models: readonly ServiceModel[]): Group[] {
  const byKey = new Map<string, ServiceModel[]>();
  for (const m of models) {
    // A worker's errors are its `outcome`, whatever status codes its definition lists.
    const key = JSON.stringify([m.kind, m.kind === 'http' ? [m.scope.errorStatusRegex, m.scope.errorTypeRegex] : '', m.scope.clusterLabel ?? '']);
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  const perKind = new Map<string, number>();
  return [...byKey.keys()].sort().map((key) => {
    const members = byKey.get(key)!;
    const { kind, errorStatusRegex, errorTypeRegex, clusterLabel } = members[0].scope;
    const count = (perKind.get(kind) ?? 0) + 1;
    perKind.set(kind, count);
    const errors = kind === 'http' ? `whose errors are status codes matching ${errorStatusRegex} and requests without a response of error_type ${errorTypeRegex}` : 'whose errors are failed operations';
    return {
      models: members,
      variable: `fleet_${kind}_jobs${count === 1 ? '' : `_${count}`}`,
      description: `Jobs of the fleet's ${kind === 'http' ? 'HTTP services' : 'workers'} ${errors}${clusterLabel ? `, told apart by ${clusterLabel}` : ''}: a regex the fleet queries select them by.`,
    };
  });
}

/**
 * The fleet overview dashboard of a set of services, as Grafana v1 JSON: a table with each service's
 * traffic, error ratio, p99 latency, error budget left and firing alerts, each row linking to the service's
 * dashboards, and the ten services with the highest error ratio, the most traffic and the least budget.
 *
 * Services are selected by namespace and by job separately (PromQL has no matcher over a pair of labels),
 * so a service outside the fleet shows up too when both its namespace and its name are the fleet's: with
 * `shop/checkout` and `backoffice/ledger-sync` in the fleet, also `backoffice/checkout`.
 *
 * @throws Error when `models` is empty, or when two models are the same namespace and service.
 * @example
 * const json = fleetDashboard(fleet.map(resolveService));
 * json.uid; // 'gs-all-services-fleet'
 */
export function fleetDashboard(models: readonly ServiceModel[], options: FleetDashboardOptions = {}): DashboardJson {
  if (models.length === 0) throw new Error('fleetDashboard: no services; a fleet overview needs at least one');
  const sorted = [...models].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].namespace === sorted[i - 1].namespace && sorted[i].name === sorted[i - 1].name) {
      throw new Error(`fleetDashboard: service "${sorted[i].name}" in namespace "${sorted[i].namespace}" is listed twice; each service has one row`);
    }
  }
  const name = options.name ?? DEFAULT_FLEET_NAME;
  const fleetGroups = groups(sorted);
  const ctx: FleetContext = {
    models: sorted,
    window: RATE_INTERVAL,
    groups: fleetGroups.map(
      (g): SignalScope => ({
        ...g.models[0].scope,
        namespace: `$${FLEET_NAMESPACES_VARIABLE}`,
        job: `$${g.variable}`,
        regexMatch: true,
        autoscalerName: undefined,
        endpointRegex: undefined,
      }),
    ),
  };
  // Constants rather than the regexes inline: every column and trend repeats them, the constants once.
  const constants: Variable[] = [
    {
      kind: 'constant',
      name: FLEET_NAMESPACES_VARIABLE,
      description: "Namespaces of the fleet's services: a regex the fleet queries select them by.",
      value: alternation(sorted.map((m) => m.namespace)),
    },
    ...fleetGroups.map((g): Variable => ({ kind: 'constant', name: g.variable, description: g.description, value: alternation(g.models.map((m) => m.name)) })),
  ];
  return buildDashboard({
    uid: fleetDashboardUid(name),
    title: `Golden signals / fleet: ${name}`,
    description: `Traffic, errors, latency, error budget and alerts of ${sorted.length} service${sorted.length === 1 ? '' : 's'}; every row links to the service's dashboards.`,
    tags: [LIBRARY_TAG, 'fleet'],
    variables: [{ kind: 'datasource' }, ...constants],
    links: [{ kind: 'tags', title: 'Golden-signal dashboards', tooltip: `Every dashboard tagged ${LIBRARY_TAG}`, tags: [LIBRARY_TAG] }],
    rows: [
      { id: FLEET_PANEL_ID.servicesRow, title: 'Services', panels: [fleetTable(ctx)] },
      { id: FLEET_PANEL_ID.trendsRow, title: 'Fleet trends', panels: fleetTrendPanels(ctx) },
    ],
  });
}
