import { ServiceDefinitionError } from '../model/resolve';
import type { ServiceModel } from '../model/types';
import { LABEL } from '../signals/contract';
import { ALERTNAME, inhibitRules } from './inhibit';
import { DEFAULT_TIMING, resolveRouting } from './resolve';
import type { Matcher, RoutingModel, RoutingScope, RoutingUnit } from './types';

/** Options of {@link routingUnits}. */
export interface RoutingPlanOptions {
  /**
   * One AlertmanagerConfig per service, or per team and namespace. A team unit needs every service of the team
   * in that namespace to share the same routing options. Units never span namespaces: prometheus-operator
   * confines an AlertmanagerConfig to alerts of its own namespace by default (Alertmanager CR
   * `alertmanagerConfigMatcherStrategy: OnNamespace`).
   * @default 'service'
   */
  readonly per?: RoutingScope;
  /**
   * Also plan services that have no `routing` option, with no receivers and the default timing. Only useful
   * with a renderer that replaces every receiver (the end-to-end harness's webhook override).
   * @default false
   */
  readonly includeUnrouted?: boolean;
}

const UNROUTED: RoutingModel = { receivers: { page: [], ticket: [] }, timing: DEFAULT_TIMING };

/**
 * Grouping labels: one notification per alert name, service and SLO (the burn tiers of one SLO share a group,
 * so a fast burn that is joined by the medium tier is one conversation, not two), per cluster if any.
 */
export function groupByLabels(clusterLabels: readonly string[]): string[] {
  return [ALERTNAME, LABEL.namespace, LABEL.service, LABEL.slo, ...clusterLabels];
}

/**
 * Cuts the services' routing into units, one AlertmanagerConfig each, sorted by namespace and name.
 * Services without `routing` are left out (unless {@link RoutingPlanOptions.includeUnrouted}).
 *
 * @throws ServiceDefinitionError for an invalid `routing` option, a service listed twice, or (per team) two
 *   services of one team whose routing differs.
 * @example
 * routingUnits([resolveService(checkout)]).map((u) => u.name); // ['checkout-routing']
 */
export function routingUnits(models: readonly ServiceModel[], options: RoutingPlanOptions = {}): RoutingUnit[] {
  const per = options.per ?? 'service';
  const seen = new Set<string>();
  const routed: Array<{ model: ServiceModel; routing: RoutingModel }> = [];
  for (const model of models) {
    const id = `${model.namespace}/${model.name}`;
    if (seen.has(id)) throw new ServiceDefinitionError(model.name, [{ field: 'name', value: id, allowed: 'must be unique per namespace: the service is listed twice' }]);
    seen.add(id);
    const routing = resolveRouting(model) ?? (options.includeUnrouted ? UNROUTED : undefined);
    if (routing) routed.push({ model, routing });
  }

  const groups = new Map<string, Array<{ model: ServiceModel; routing: RoutingModel }>>();
  for (const r of routed) {
    const key = unitKey(per, r.model);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }

  const units = [...groups.values()].map((members) => {
    const first = members[0];
    for (const other of members.slice(1)) {
      if (JSON.stringify(other.routing) !== JSON.stringify(first.routing)) {
        throw new ServiceDefinitionError(other.model.name, [
          {
            field: 'routing',
            value: `differs from service "${first.model.name}" of team "${first.model.team}"`,
            allowed: `must equal the routing of every service of team "${first.model.team}" in namespace "${first.model.namespace}" when routing per team (share one RoutingOptions object), or route per service`,
          },
        ]);
      }
    }
    const clusterLabels = [...new Set(members.map((m) => m.model.alerting.clusterLabel).filter((l): l is string => l !== undefined))].sort();
    const matchers = unitMatchers(per, first.model);
    return {
      scope: per,
      name: unitName(per, first.model),
      namespace: first.model.namespace,
      services: members.map((m) => m.model.name).sort(),
      matchers,
      groupBy: groupByLabels(clusterLabels),
      clusterLabels,
      routing: first.routing,
      inhibitRules: inhibitRules(matchers, clusterLabels),
    } satisfies RoutingUnit;
  });
  return units.sort((a, b) => (a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)));
}

function unitKey(per: RoutingScope, m: ServiceModel): string {
  switch (per) {
    case 'service':
      return `${m.namespace}/service/${m.name}`;
    case 'team':
      return `${m.namespace}/team/${m.team}`;
    default:
      return assertNever(per);
  }
}

/** `metadata.name` of the unit's AlertmanagerConfig. */
function unitName(per: RoutingScope, m: ServiceModel): string {
  switch (per) {
    case 'service':
      return `${m.name}-routing`;
    case 'team':
      return `team-${m.team}-routing`;
    default:
      return assertNever(per);
  }
}

/**
 * The namespace matcher is explicit even though prometheus-operator adds it (OnNamespace strategy): with the
 * `None` strategy, or in the plain alertmanager.yml, it is what keeps two namespaces' `checkout` apart.
 */
function unitMatchers(per: RoutingScope, m: ServiceModel): Matcher[] {
  switch (per) {
    case 'service':
      return [
        { name: LABEL.namespace, op: '=', value: m.namespace },
        { name: LABEL.service, op: '=', value: m.name },
      ];
    case 'team':
      return [
        { name: LABEL.namespace, op: '=', value: m.namespace },
        { name: LABEL.team, op: '=', value: m.team },
      ];
    default:
      return assertNever(per);
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown routing scope ${JSON.stringify(x)}`);
}
