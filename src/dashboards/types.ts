/**
 * The dashboard JSON this module hands out: plain data in Grafana's v1 dashboard model (schemaVersion 42),
 * typed only as far as callers (constructs, tests, the e2e harness) read it. The foundation SDK's own types
 * stay inside the dashboards module, so a move to the v2 schema changes this folder and nothing else.
 */

/** A Prometheus query of a panel. */
export interface TargetJson {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
  readonly exemplar?: boolean;
  readonly [field: string]: unknown;
}

/** A panel or a row of a dashboard. */
export interface PanelJson {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly TargetJson[];
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string; readonly mappings?: readonly unknown[] }; readonly overrides?: readonly unknown[] };
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly [field: string]: unknown;
}

/** A template variable. */
export interface VariableJson {
  readonly name: string;
  readonly type: string;
  readonly label?: string;
  readonly query?: unknown;
  readonly refresh?: number;
  readonly multi?: boolean;
  readonly allValue?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly [field: string]: unknown;
}

/** A whole dashboard, ready to be serialized for file provisioning, a ConfigMap or a GrafanaDashboard. */
export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly editable?: boolean;
  readonly panels: readonly PanelJson[];
  readonly templating: { readonly list: readonly VariableJson[] };
  readonly links?: readonly { readonly title: string; readonly type: string; readonly url?: string; readonly tags?: readonly string[] }[];
  readonly [field: string]: unknown;
}
