import { createHash } from 'node:crypto';

/** What a Grafana dashboard shows; part of its UID: the golden signals, the error-budget report, or the fleet. */
export type DashboardKind = 'service' | 'budget' | 'fleet';

/** Grafana rejects UIDs longer than 40 characters (grafana/grafana `pkg/services/dashboards/errors.go`). */
export const MAX_UID_LENGTH = 40;

/**
 * Deterministic Grafana dashboard UID from namespace, service and dashboard kind: readable when it fits
 * (`gs-shop-checkout-service`), otherwise truncated with an 8-hex SHA-256 suffix so two long names never
 * collide. Always at most 40 characters of `[A-Za-z0-9_-]`. The rules' `dashboard_url` annotations and the
 * dashboards module both call this, so the links always land.
 */
export function dashboardUid(namespace: string, service: string, kind: DashboardKind): string {
  const readable = `gs-${namespace}-${service}-${kind}`.replace(/[^A-Za-z0-9_-]/g, '-');
  if (readable.length <= MAX_UID_LENGTH) return readable;
  const hash = createHash('sha256').update(`${namespace}/${service}/${kind}`).digest('hex').slice(0, 8);
  return `${readable.slice(0, MAX_UID_LENGTH - hash.length - 1)}-${hash}`;
}
