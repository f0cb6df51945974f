/**
 * Dashboards as files: `dashboards/<uid>.json` for Grafana file provisioning and for review in Git. The
 * text is deterministic (keys sorted, 2-space indent, trailing newline) so a regeneration that changes
 * nothing changes no byte, and a diff shows only what changed.
 */
import type { DashboardJson } from './types';

/** Recursively sorts object keys; arrays keep their order (panel and target order is meaningful). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Layout of the serialized JSON. */
export type JsonLayout = 'pretty' | 'compact';

/**
 * Serializes a dashboard deterministically: `pretty` (2-space indent, trailing newline) for files in Git,
 * `compact` for ConfigMaps and CRs, where every byte counts against the `kubectl apply` annotation limit.
 */
export function serializeDashboard(dashboard: DashboardJson, layout: JsonLayout = 'pretty'): string {
  switch (layout) {
    case 'pretty':
      return `${JSON.stringify(sortKeys(dashboard), null, 2)}\n`;
    case 'compact':
      return JSON.stringify(sortKeys(dashboard));
  }
}

/** File name of a dashboard: `<uid>.json`. */
export function dashboardFileName(dashboard: Pick<DashboardJson, 'uid'>): string {
  return `${dashboard.uid}.json`;
}

/**
 * File name to content for a set of dashboards.
 *
 * @throws Error when two dashboards share a uid: Grafana would load only one of them.
 */
export function dashboardFiles(dashboards: readonly DashboardJson[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const d of dashboards) {
    const name = dashboardFileName(d);
    if (name in files) throw new Error(`dashboardFiles: two dashboards have uid "${d.uid}"; Grafana would keep only one`);
    files[name] = serializeDashboard(d, 'pretty');
  }
  return files;
}
