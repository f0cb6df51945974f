/**
 * A TypeScript port of the grafana/dashboard-linter rules that apply to Prometheus dashboards
 * (lint/rules.go `NewRuleSet` at v0.2.0, one function per `lint/rule_*.go`). The Go linter needs a Go
 * toolchain CI does not have; this runs in jest on every generated dashboard.
 *
 * Where the port is stricter than the original it says so: the title, description, unit and datasource
 * rules apply to every panel type here, not only to stat/singlestat/graph/table/timeseries/gauge, since
 * the issue asks for a unit and a description on every panel.
 */
import * as units from '@grafana/grafana-foundation-sdk/units';
import type { DashboardJson, PanelJson, VariableJson } from '../../src/dashboards';

// The package is an ES module with a CommonJS build; its types resolve only in import mode.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });

export type RuleName =
  | 'template-datasource-rule'
  | 'template-job-rule'
  | 'template-instance-rule'
  | 'template-label-promql-rule'
  | 'template-on-time-change-reload-rule'
  | 'panel-datasource-rule'
  | 'panel-title-description-rule'
  | 'panel-units-rule'
  | 'panel-no-targets-rule'
  | 'target-promql-rule'
  | 'target-rate-interval-rule'
  | 'target-job-rule'
  | 'target-instance-rule'
  | 'target-counter-agg-rule'
  | 'uneditable-dashboard';

/** One problem found. */
export interface Finding {
  readonly rule: RuleName;
  readonly dashboard: string;
  readonly panel?: number;
  readonly refId?: string;
  readonly message: string;
}

/** A rule switched off, with the reason (the `.lint` file's `exclusions:`). */
export interface Exclusion {
  readonly rule: RuleName;
  readonly reason: string;
}

/**
 * Grafana's unit ids, from the SDK's `units` module, which is generated from Grafana's
 * `valueFormats/categories.ts`: the same source as the linter's allow-list.
 */
const VALID_UNITS = new Set<string>(Object.values(units as Record<string, unknown>).filter((v): v is string => typeof v === 'string'));

/**
 * Values the linter's `expandVariables` gives Grafana's built-in and the dashboard's variables before
 * parsing. The rate interval gets a sentinel no generated query would write, so the rate-interval rule can
 * tell where it was used.
 */
const RATE_INTERVAL_SENTINEL = '7919ms';
const BUILTINS: Record<string, string> = {
  __rate_interval: RATE_INTERVAL_SENTINEL,
  __interval: '1m',
  __interval_ms: '60000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/** Replaces Grafana variables as the linter does: built-ins by a sample value, dashboard variables by a regex. */
export function expandVariables(expr: string, variables: readonly VariableJson[]): string {
  const names = new Set(variables.map((v) => v.name));
  return expr.replace(/\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c)!;
    if (name in BUILTINS) return BUILTINS[name];
    if (names.has(name)) return 'value';
    return whole;
  });
}

/** A PromQL syntax tree node, as much of it as the rules look at. */
export interface Node {
  readonly name: string;
  readonly text: string;
  readonly children: readonly Node[];
  readonly error: boolean;
}

/** Parses PromQL with the Prometheus UI's own grammar; `undefined` when it does not parse. */
export function parsePromql(expr: string): Node | undefined {
  const tree = parser.parse(expr);
  let failed = false;
  const build = (cursor: ReturnType<typeof tree.cursor>): Node => {
    const children: Node[] = [];
    const name = cursor.type.name;
    const error = cursor.type.isError;
    if (error) failed = true;
    const text = expr.slice(cursor.from, cursor.to);
    if (cursor.firstChild()) {
      do children.push(build(cursor));
      while (cursor.nextSibling());
      cursor.parent();
    }
    return { name, text, children, error };
  };
  const root = build(tree.cursor());
  return failed ? undefined : root;
}

/** Every node of a tree with its ancestors, depth first. */
export function* walk(node: Node, ancestors: readonly Node[] = []): Generator<{ node: Node; ancestors: readonly Node[] }> {
  yield { node, ancestors };
  for (const child of node.children) yield* walk(child, [...ancestors, node]);
}

/** The function a node is a direct argument of (`rate` for the matrix selector in `rate(x[5m])`). */
function enclosingFunction(ancestors: readonly Node[]): string | undefined {
  const call = ancestors[ancestors.length - 2];
  if (call?.name !== 'FunctionCall') return undefined;
  return call.children.find((c) => c.name === 'FunctionIdentifier')?.text;
}

/** The metric name of a vector selector, when it has one. */
export function metricName(selector: Node): string | undefined {
  return selector.children.find((c) => c.name === 'Identifier' || c.name === 'MetricName')?.text;
}

/** Label matchers of a vector selector: name, operator and (unquoted) value. */
export function matchers(selector: Node): { label: string; op: string; value: string }[] {
  const list = selector.children.find((c) => c.name === 'LabelMatchers');
  return (list?.children ?? [])
    .filter((m) => m.name === 'UnquotedLabelMatcher' || m.name === 'QuotedLabelMatcher')
    .map((m) => {
      const label = m.children.find((c) => c.name === 'LabelName' || c.name === 'QuotedLabelName')?.text ?? '';
      const op = m.children.find((c) => c.name === 'MatchOp')?.text ?? '';
      const literal = m.children.find((c) => c.name === 'StringLiteral')?.text ?? '""';
      return { label, op, value: JSON.parse(literal) as string };
    });
}

type Rule = (d: DashboardJson, report: (f: Omit<Finding, 'rule' | 'dashboard'>) => void) => void;

const isRow = (p: PanelJson) => p.type === 'row';
const usesDatasourceVariable = (uid: string | undefined) => uid === '$datasource' || uid === '${datasource}';

function labelVariableRule(label: 'job' | 'instance'): Rule {
  return (d, report) => {
    const v = d.templating.list.find((x) => x.name === label);
    if (!v) return report({ message: `dashboard has no "${label}" variable` });
    if (v.type !== 'query') report({ message: `variable "${label}" is of type ${v.type}, not query` });
    if (!usesDatasourceVariable(v.datasource?.uid)) report({ message: `variable "${label}" does not use the datasource variable` });
    if (v.multi !== true) report({ message: `variable "${label}" is not multi-select` });
    if (v.allValue !== '.+') report({ message: `variable "${label}" has allValue ${JSON.stringify(v.allValue)}, not ".+"` });
  };
}

function labelTargetRule(label: 'job' | 'instance'): Rule {
  return (d, report) =>
    forEachTarget(d, (p, refId, tree) => {
      for (const { node } of walk(tree)) {
        if (node.name !== 'VectorSelector') continue;
        const m = matchers(node).find((x) => x.label === label);
        if (!m || m.op !== '=~' || m.value !== `$${label}`) report({ panel: p.id, refId, message: `selector ${node.text} lacks ${label}=~"$${label}"` });
      }
    }, false);
}

/** Calls `fn` with each target's parse tree, variables expanded (or kept, for the label rules). */
function forEachTarget(d: DashboardJson, fn: (p: PanelJson, refId: string, tree: Node) => void, expand = true): void {
  for (const p of d.panels) {
    for (const t of p.targets ?? []) {
      // The label rules look at the matcher text itself, so they parse with the variable still in the string.
      const expr = expand ? expandVariables(t.expr, d.templating.list) : t.expr;
      const tree = parsePromql(expr);
      if (tree) fn(p, t.refId, tree);
    }
  }
}

const RULES: Readonly<Record<RuleName, Rule>> = {
  'template-datasource-rule': (d, report) => {
    const sources = d.templating.list.filter((v) => v.type === 'datasource');
    if (sources.length === 0) return report({ message: 'dashboard has no datasource variable' });
    if (sources.length === 1) {
      const v = sources[0];
      const type = String(v.query);
      if (v.name !== 'datasource' && v.name !== `${type}_datasource`) report({ message: `datasource variable is named "${v.name}", not "datasource"` });
      if (v.label !== 'Data source' && v.label !== `${type.charAt(0).toUpperCase()}${type.slice(1)} data source`) {
        report({ message: `datasource variable is labelled "${v.label}", not "Data source"` });
      }
    }
  },
  'template-job-rule': labelVariableRule('job'),
  'template-instance-rule': labelVariableRule('instance'),
  'template-label-promql-rule': (d, report) => {
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      const q = String(v.query);
      const m = /^(label_values|label_names|metrics|query_result)\((.*)\)$/s.exec(q);
      if (!m) {
        report({ message: `variable "${v.name}" query ${JSON.stringify(q)} is not label_values/label_names/metrics/query_result` });
        continue;
      }
      if (m[1] === 'label_values' || m[1] === 'query_result') {
        const inner = m[1] === 'label_values' ? m[2].replace(/,\s*\w+\s*$/, '') : m[2];
        if (!parsePromql(expandVariables(inner, d.templating.list))) report({ message: `variable "${v.name}" query ${JSON.stringify(q)} is not valid PromQL` });
      }
    }
  },
  'template-on-time-change-reload-rule': (d, report) => {
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      if (v.refresh !== 2) report({ message: `variable "${v.name}" has refresh ${v.refresh}, not 2 (on time range change)` });
    }
  },
  'panel-datasource-rule': (d, report) => {
    for (const p of d.panels.filter((x) => !isRow(x))) {
      if (!usesDatasourceVariable(p.datasource?.uid)) report({ panel: p.id, message: `panel datasource is ${JSON.stringify(p.datasource)}, not the datasource variable` });
    }
  },
  'panel-title-description-rule': (d, report) => {
    for (const p of d.panels.filter((x) => !isRow(x))) {
      if (!p.title?.trim() || !p.description?.trim()) report({ panel: p.id, message: 'panel has no title or no description' });
    }
  },
  'panel-units-rule': (d, report) => {
    for (const p of d.panels.filter((x) => !isRow(x))) {
      const unit = p.fieldConfig?.defaults?.unit;
      if (!unit || !VALID_UNITS.has(unit)) report({ panel: p.id, message: `panel unit ${JSON.stringify(unit)} is not a Grafana unit` });
    }
  },
  'panel-no-targets-rule': (d, report) => {
    for (const p of d.panels.filter((x) => !isRow(x))) {
      if (!p.targets || p.targets.length === 0) report({ panel: p.id, message: 'panel has no targets' });
    }
  },
  'target-promql-rule': (d, report) => {
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        if (!parsePromql(expandVariables(t.expr, d.templating.list))) report({ panel: p.id, refId: t.refId, message: `invalid PromQL: ${t.expr}` });
      }
    }
  },
  'target-rate-interval-rule': (d, report) =>
    forEachTarget(d, (p, refId, tree) => {
      for (const { node, ancestors } of walk(tree)) {
        if (node.name === 'MatrixSelector') {
          const fn = enclosingFunction(ancestors);
          const range = node.children.find((c) => c.name !== 'VectorSelector')?.text;
          if ((fn === 'rate' || fn === 'irate') && range !== RATE_INTERVAL_SENTINEL) {
            report({ panel: p.id, refId, message: `${fn}() over [${range}], not [$__rate_interval]` });
          }
          if (fn !== 'rate' && fn !== 'irate' && range === RATE_INTERVAL_SENTINEL) {
            report({ panel: p.id, refId, message: `$__rate_interval used outside rate() or irate(): ${node.text}` });
          }
        }
      }
    }),
  'target-job-rule': labelTargetRule('job'),
  'target-instance-rule': labelTargetRule('instance'),
  'target-counter-agg-rule': (d, report) =>
    forEachTarget(d, (p, refId, tree) => {
      for (const { node, ancestors } of walk(tree)) {
        if (node.name !== 'VectorSelector' || !metricName(node)?.endsWith('_total')) continue;
        const matrix = ancestors[ancestors.length - 1];
        const fn = matrix?.name === 'MatrixSelector' ? enclosingFunction(ancestors.slice(0, -1)) : undefined;
        if (fn !== 'rate' && fn !== 'irate' && fn !== 'increase') report({ panel: p.id, refId, message: `counter ${metricName(node)} is not inside rate(), irate() or increase()` });
      }
    }),
  'uneditable-dashboard': (d, report) => {
    if (d.editable !== false) report({ message: 'dashboard is editable' });
  },
};

/** Every rule name. */
export const RULE_NAMES = Object.keys(RULES) as RuleName[];

/** Runs every rule not excluded on a dashboard. */
export function lintDashboard(d: DashboardJson, exclusions: readonly Exclusion[] = []): Finding[] {
  const off = new Set(exclusions.map((e) => e.rule));
  const findings: Finding[] = [];
  for (const rule of RULE_NAMES.filter((r) => !off.has(r))) {
    RULES[rule](d, (f) => findings.push({ rule, dashboard: d.uid, ...f }));
  }
  return findings;
}
