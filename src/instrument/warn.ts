/**
 * Warn-once reporting. The shim runs inside someone else's process: a broken metrics port or a bad value
 * must never throw into the app, and a flood of identical warnings would be its own outage.
 */

/** Why the shim degraded; each code is reported once per process. */
export type WarningCode =
  | 'metrics-port'
  | 'render'
  | 'cardinality'
  | 'dropped'
  | 'adapter'
  | 'express-mount'
  | 'tracing'
  | 'exporter'
  | 'otel-prometheus-exporter'
  | 'duplicate-metric'
  | 'shutdown';

const warned = new Set<WarningCode>();

/** Emits `message` as a process warning the first time `code` is seen; later calls are free no-ops. */
export function warnOnce(code: WarningCode, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  try {
    process.emitWarning(message, { code: `GOLDEN_SIGNALS_${code.toUpperCase().replace(/-/g, '_')}` });
  } catch {
    // emitWarning itself can only fail if a 'warning' listener throws; nothing left to tell.
  }
}

/** The message of anything thrown, without assuming it is an Error. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
