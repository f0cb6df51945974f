import * as fs from 'node:fs';
import * as path from 'node:path';
import { appDashboards, budgetReportQueries, dashboardQueries, fleetDashboardQueries, queriesOf, serviceDashboard, substituteVariables } from '../../src/dashboards';
import { CLUSTER_METRIC, LABEL, METRIC, POOL_METRICS } from '../../src/signals/contract';
import { RECORD } from '../../src/signals/recorded';
import { ALL_MODELS, EXAMPLE_MODELS } from './fixtures';
import { matchers, metricName, parsePromql, walk } from './lint';

/** Metric names the contract defines: METRIC and CLUSTER_METRIC, histogram series of METRIC, and RECORD names. */
const CONTRACT_METRICS: ReadonlyArray<string | RegExp> = [
  ...[...Object.values(METRIC), ...POOL_METRICS].flatMap((m) => [m, `${m}_bucket`, `${m}_count`, `${m}_sum`]),
  ...Object.values(CLUSTER_METRIC),
  ...Object.values(RECORD).map((r) =>
    typeof r === 'string' ? r : new RegExp(`^${r('WINDOW').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('WINDOW', '\\d+(ms|s|m|h|d|w)')}$`),
  ),
];
const CONTRACT_LABELS = new Set<string>(Object.values(LABEL));

const inContract = (name: string) => CONTRACT_METRICS.some((m) => (typeof m === 'string' ? m === name : m.test(name)));

const allQueries = [...ALL_MODELS.flatMap((m) => [...dashboardQueries(m), ...budgetReportQueries(m, { range: '2592000s' })]), ...fleetDashboardQueries(ALL_MODELS)];

describe('every dashboard query', () => {
  it.each(allQueries.map((q) => [`${q.uid} panel ${q.panelId} ${q.refId}`, q.expr] as const))('parses as PromQL: %s', (_name, expr) => {
    expect(parsePromql(expr)).toBeDefined();
  });

  it.each(allQueries.map((q) => [`${q.uid} panel ${q.panelId} ${q.refId}`, q.expr] as const))(
    'selects only metrics and labels the contract defines: %s',
    (_name, expr) => {
      const tree = parsePromql(expr)!;
      const selectors = [...walk(tree)].filter(({ node }) => node.name === 'VectorSelector').map(({ node }) => node);
      for (const s of selectors) {
        const name = metricName(s);
        expect(name === undefined ? 'a selector without a metric name' : inContract(name) ? 'in the contract' : name).toBe('in the contract');
        for (const m of matchers(s)) expect(CONTRACT_LABELS.has(m.label) ? m.label : `label ${m.label} of ${name}`).toBe(m.label);
      }
      const grouping = [...walk(tree)].filter(({ node, ancestors }) => node.name === 'LabelName' && ancestors.some((a) => a.name === 'GroupingLabels'));
      for (const { node } of grouping) expect(CONTRACT_LABELS.has(node.text) ? node.text : `grouping label ${node.text}`).toBe(node.text);
    },
  );

  it('has no Grafana variable left once substituted', () => {
    for (const q of allQueries) expect(q.expr).not.toMatch(/\$(?!\{?\d)|\[\[/);
  });
});

describe('dashboardQueries', () => {
  const model = EXAMPLE_MODELS[0];

  it('lists every target of the service dashboard, in panel order, with stable ids', () => {
    const dashboard = serviceDashboard(model);
    const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => `${p.id}/${t.refId}`));
    expect(dashboardQueries(model).map((q) => `${q.panelId}/${q.refId}`)).toEqual(targets);
    expect(new Set(targets).size).toBe(targets.length);
  });

  it('fills the namespace, the route and the rate interval for the service own namespace', () => {
    const exprs = dashboardQueries(model, { rateInterval: '2m' }).map((q) => q.expr).join('\n');
    expect(exprs).toContain(`namespace=~"${model.namespace}"`);
    expect(exprs).toContain('[2m]');
    expect(exprs).toContain(`${LABEL.route}=~".*"`);
    expect(exprs).not.toContain('$__rate_interval');
  });

  it('narrows histogram queries, and only them, to the chosen route', () => {
    const routed = dashboardQueries(model, { route: '/cart' });
    const filtered = routed.filter((q) => q.expr.includes(`${LABEL.route}=~"/cart"`)).map((q) => q.panelId);
    // Traffic, errors and latency rows; never the SLO, per-pod or saturation panels.
    expect([...new Set(filtered)].sort((a, b) => a - b)).toEqual([31, 32, 41, 42, 51, 52, 53]);
  });
});

describe('substituteVariables', () => {
  it.each([
    ['a bare variable', 'x{a=~"$namespace"}', 'x{a=~"shop"}'],
    ['a braced variable with a format', 'x{a=~"${namespace:regex}"}', 'x{a=~"shop"}'],
    ['the deprecated bracket syntax', 'x{a=~"[[namespace]]"}', 'x{a=~"shop"}'],
    ['label_replace back-references, which stay', 'label_replace(x, "a", "${1}xx", "b", "(.)..")', 'label_replace(x, "a", "${1}xx", "b", "(.)..")'],
  ])('replaces %s', (_what, text, expected) => {
    expect(substituteVariables(text, { namespace: 'shop' })).toBe(expected);
  });

  it('refuses to leave a variable it has no value for', () => {
    expect(() => substituteVariables('rate(x[$__rate_interval])', {})).toThrow(/"__rate_interval"/);
  });
});

describe('the dashboards module', () => {
  const source = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? source(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const files = source(path.join(__dirname, '..', '..', 'src', 'dashboards'));
  const metricNames = [...Object.values(METRIC), ...POOL_METRICS, ...Object.values(CLUSTER_METRIC).filter((m) => m !== 'up'), RECORD.objective, RECORD.budgetRemaining];

  /** Label names that are also plain English, written as display text ("Operations by operation and outcome"). */
  const DISPLAY_WORDS = new Set(['operation', 'outcome']);

  it.each(files.map((f) => [path.relative(path.join(__dirname, '..', '..'), f), f] as const))('spells no metric or label name itself: %s', (_name, file) => {
    // Comments may name metrics and labels (they explain); code may not.
    const code = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of metricNames) expect(code.includes(m) ? m : '').toBe('');
    for (const l of Object.values(LABEL).filter((x) => !DISPLAY_WORDS.has(x))) expect(new RegExp(`['"\`]${l}['"\`]`).test(code) ? l : '').toBe('');
  });

  it('imports the foundation SDK in sdk.ts only', () => {
    const importers = files.filter((f) => fs.readFileSync(f, 'utf8').includes('@grafana/grafana-foundation-sdk')).map((f) => path.basename(f));
    expect(importers).toEqual(['sdk.ts']);
  });

  it('gives every dashboard of the app the same queries through queriesOf and dashboardQueries', () => {
    const [first] = appDashboards(EXAMPLE_MODELS);
    const values = { __rate_interval: '1m', datasource: 'prometheus', namespace: EXAMPLE_MODELS[0].namespace, route: '.*' };
    expect(queriesOf(first, values)).toEqual(dashboardQueries(EXAMPLE_MODELS[0]));
  });
});
