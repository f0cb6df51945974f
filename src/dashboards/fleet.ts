/** The fleet overview: every service of an app at a glance, one row each, linking to its dashboard. */
import type { ServiceModel } from '../model/types';
import { DEFAULT_FLEET_NAME, fleetDashboardUid, LIBRARY_TAG } from './identity';
import { FLEET_SLOT, fleetServicePanels } from './panels/fleet';
import { buildDashboard, Row } from './sdk';
import type { DashboardJson } from './types';

/** Options of {@link fleetDashboard}. */
export interface FleetDashboardOptions {
  /**
   * Name of the fleet; it is part of the uid (see {@link fleetDashboardUid}) and the title.
   * @default 'services'
   */
  readonly name?: string;
}

/** First panel id of the service blocks; below it nothing is used, so a later fleet-wide row fits. */
const FIRST_BLOCK = 100;
/** Ids per service block: the row and its panels (see FLEET_SLOT), with room to grow. */
const BLOCK_SIZE = 10;
/** Number of blocks the hash spreads services over. */
const BLOCKS = 100_000;

/** FNV-1a, 32 bit: a small, dependency-free, stable hash. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * First panel id of each service's block, from a hash of namespace/name rather than its position, so adding
 * a service does not renumber the others. A collision takes the next free block, in name order.
 */
function blockIds(models: readonly ServiceModel[]): Map<ServiceModel, number> {
  const taken = new Set<number>();
  const ids = new Map<ServiceModel, number>();
  for (const m of models) {
    let block = fnv1a(`${m.namespace}/${m.name}`) % BLOCKS;
    while (taken.has(block)) block = (block + 1) % BLOCKS;
    taken.add(block);
    ids.set(m, FIRST_BLOCK + block * BLOCK_SIZE);
  }
  return ids;
}

/**
 * The fleet overview dashboard of a set of services, as Grafana v1 JSON: per service its traffic, error
 * ratio, p99 latency, error budget left and firing alerts, each panel linking to the service dashboard.
 *
 * @throws Error when two models are the same namespace and service.
 * @example
 * const json = fleetDashboard(fleet.map(resolveService));
 * json.uid; // 'gs-all-services-fleet'
 */
export function fleetDashboard(models: readonly ServiceModel[], options: FleetDashboardOptions = {}): DashboardJson {
  const sorted = [...models].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].namespace === sorted[i - 1].namespace && sorted[i].name === sorted[i - 1].name) {
      throw new Error(`fleetDashboard: service "${sorted[i].name}" in namespace "${sorted[i].namespace}" is listed twice; each service has one row`);
    }
  }
  const ids = blockIds(sorted);
  const name = options.name ?? DEFAULT_FLEET_NAME;
  const rows: Row[] = sorted.map((m) => {
    const base = ids.get(m)!;
    return { id: base + FLEET_SLOT.row, title: `${m.namespace} / ${m.name}`, panels: fleetServicePanels(m, base) };
  });
  return buildDashboard({
    uid: fleetDashboardUid(name),
    title: `Golden signals / fleet: ${name}`,
    description: `Traffic, errors, latency, error budget and alerts of ${sorted.length} service${sorted.length === 1 ? '' : 's'}; every panel links to the service's dashboard.`,
    tags: [LIBRARY_TAG, 'fleet'],
    variables: [{ kind: 'datasource' }],
    links: [{ kind: 'tags', title: 'Golden-signal dashboards', tooltip: `Every dashboard tagged ${LIBRARY_TAG}`, tags: [LIBRARY_TAG] }],
    rows,
  });
}
