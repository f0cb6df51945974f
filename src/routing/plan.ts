import { ServiceDefinitionError } from '../model/problems';
import type { ServiceModel } from '../model/types';
import { LABEL } from '../signals/contract';
import { ALERTNAME, inhibitRules } from './inhibit';
import { DEFAULT_TIMING, resolveRouting } from './resolve';
import type { Matcher, RoutingModel, RoutingScope, RoutingUnit } from './types';

/** Options of {@link routingUnits}. */
export interface RoutingPlanOptions {
  /**
   * One AlertmanagerConfig per service, or per team and namespace, for every service alike, overriding the
   * services' own `routing.per` (for a hand-built AlertRouting). A team unit needs every service of the team in
   * that namespace to share the same routing options. Units never span namespaces: prometheus-operator
   * confines an AlertmanagerConfig to alerts of its own namespace by default (Alertmanager CR
   * `alertmanagerConfigMatcherStrategy: OnNamespace`).
   * @default each service's `routing.per` ('service' where unset)
   */
  readonly per?: RoutingScope;
  /**
   * Also plan services that have no `routing` option, with no receivers and the default timing. Only useful
   * with a renderer that replaces every receiver (the end-to-end harness's webhook override).
   * @default false
   */
  readonly includeUnrouted?: boolean;
}

const UNROUTED: RoutingModel = { per: 'service', receivers: { page: [], ticket: [] }, timing: DEFAULT_TIMING, maintenance: [] };

/**
 * Grouping labels: one notification per alert name, service and SLO (the burn tiers of one SLO share a group,
 * so a fast burn that is joined by the medium tier is one conversation, not two), per cluster if any. The `slo`
 * label is unique per objective and per journey (`latency-100ms`, `latency-1s`, `place-order-availability`), so
 * each of several latency objectives and each journey SLO is a group of its own without grouping by `journey`
 * too; and the inhibition's `equal` on `slo` (./inhibit.ts) keeps one objective's page from muting another's.
 */
export function groupByLabels(clusterLabels: readonly string[]): string[] {
  return [ALERTNAME, LABEL.namespace, LABEL.service, LABEL.slo, ...clusterLabels];
}

/**
 * Cuts the services' routing into units, one AlertmanagerConfig each, sorted by namespace and name. Each
 * service is cut as its `routing.per` says, unless {@link RoutingPlanOptions.per} overrides it. Services
 * without `routing` are left out (unless {@link RoutingPlanOptions.includeUnrouted}).
 *
 * @throws ServiceDefinitionError for an invalid `routing` option, a service listed twice, two services of one
 *   team and namespace of which one routes per team and the other per service, or two services of one team
 *   unit whose routing differs.
 * @example
 * routingUnits([resolveService(checkout)]).map((u) => u.name); // ['checkout-routing']
 */
export function routingUnits(models: readonly ServiceModel[], options: RoutingPlanOptions = {}): RoutingUnit[] {
  const seen = new Set<string>();
  const routed: Routed[] = [];
  for (const model of models) {
    const id = `${model.namespace}/${model.name}`;
    if (seen.has(id)) throw new ServiceDefinitionError(model.name, [{ field: 'name', value: id, allowed: 'must be unique per namespace: the service is listed twice' }]);
    seen.add(id);
    const routing = resolveRouting(model) ?? (options.includeUnrouted ? UNROUTED : undefined);
    // The override is applied to the model, so the per-team comparison below compares what is generated.
    if (routing) routed.push({ model, routing: options.per === undefined ? routing : { ...routing, per: options.per } });
  }
  checkScopes(routed);

  const groups = new Map<string, Routed[]>();
  for (const r of routed) {
    const key = unitKey(r.routing.per, r.model);
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
    const per = first.routing.per;
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

interface Routed {
  readonly model: ServiceModel;
  readonly routing: RoutingModel;
}

/**
 * A team unit matches every alert of the team in its namespace, so a per-service unit of the same team and
 * namespace would route the same alerts a second time: notified twice under prometheus-operator, which sets
 * `continue: true` on every AlertmanagerConfig's top route (AlertmanagerConfig CRD, `route.continue`), and
 * shadowed in alertmanager.yml, where the first matching sibling wins.
 */
function checkScopes(routed: readonly Routed[]): void {
  const firstOfTeam = new Map<string, Routed>();
  for (const r of routed) {
    const key = `${r.model.namespace}/${r.model.team}`;
    const first = firstOfTeam.get(key);
    if (first === undefined) {
      firstOfTeam.set(key, r);
    } else if (first.routing.per !== r.routing.per) {
      throw new ServiceDefinitionError(r.model.name, [
        {
          field: 'routing.per',
          value: r.routing.per,
          allowed:
            `must equal that of service "${first.model.name}" ("${first.routing.per}"), of the same team "${r.model.team}" in namespace "${r.model.namespace}": ` +
            "a team's AlertmanagerConfig matches all of the team's alerts, so a per-service one beside it would route them twice. " +
            "Give both services the same routing (share one RoutingOptions object with per: 'team'), or route both per service",
        },
      ]);
    }
  }
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
      return teamRoutingName(m.team);
    default:
      return assertNever(per);
  }
}

/**
 * `metadata.name` of a team's AlertmanagerConfig (per team). Unique per namespace because a unit is one team
 * in one namespace.
 *
 * @example
 * teamRoutingName('payments'); // 'team-payments-routing'
 */
export function teamRoutingName(team: string): string {
  return `team-${team}-routing`;
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
