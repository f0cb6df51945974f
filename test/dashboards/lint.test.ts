import { appDashboards, fleetDashboard, serviceDashboard, type DashboardJson } from '../../src/dashboards';
import { ALL_MODELS, EXAMPLE_MODELS } from './fixtures';
import { lintDashboard, RULE_NAMES, type RuleName } from './lint';
import { EXCLUSIONS } from './lint-exclusions';

const dashboards: DashboardJson[] = [...appDashboards(ALL_MODELS), fleetDashboard(EXAMPLE_MODELS, { name: 'examples' })];

describe('the dashboard-linter port', () => {
  it.each(dashboards.map((d) => [d.uid, d] as const))('finds nothing to report on %s', (_uid, d) => {
    expect(lintDashboard(d, EXCLUSIONS)).toEqual([]);
  });

  it('gives a reason of a full sentence for every excluded rule', () => {
    for (const e of EXCLUSIONS) {
      expect(RULE_NAMES).toContain(e.rule);
      expect(e.reason.length).toBeGreaterThan(80);
    }
  });

  it('excludes the job and instance rules because they would fire, not because they are broken', () => {
    const fired = new Set(lintDashboard(serviceDashboard(EXAMPLE_MODELS[0])).map((f) => f.rule));
    expect([...fired].sort()).toEqual(EXCLUSIONS.map((e) => e.rule).sort());
  });
});

/** Deep copy that a test may change. */
const mutable = (d: DashboardJson): any => JSON.parse(JSON.stringify(d));
const firstPanel = (d: any) => d.panels.find((p: any) => p.type === 'timeseries');
const firstStat = (d: any) => d.panels.find((p: any) => p.type === 'stat');

/** Each rule catches what it is about: one broken dashboard per rule. */
const BREAKAGES: ReadonlyArray<[RuleName, string, (d: any) => void]> = [
  ['template-datasource-rule', 'the datasource variable is renamed', (d) => (d.templating.list[0].name = 'ds')],
  ['template-datasource-rule', 'the datasource variable is removed', (d) => d.templating.list.shift()],
  ['template-label-promql-rule', 'a variable query is not label_values()', (d) => (d.templating.list[1].query = 'up{job="x"}')],
  ['template-label-promql-rule', 'a variable query has broken PromQL', (d) => (d.templating.list[1].query = 'label_values(up{job="x", namespace)')],
  ['template-on-time-change-reload-rule', 'a variable refreshes only on load', (d) => (d.templating.list[1].refresh = 1)],
  ['panel-datasource-rule', 'a panel names a data source uid', (d) => (firstPanel(d).datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' })],
  ['panel-title-description-rule', 'a panel has no description', (d) => delete firstStat(d).description],
  ['panel-units-rule', 'a panel has no unit', (d) => delete firstPanel(d).fieldConfig.defaults.unit],
  ['panel-units-rule', 'a panel has a unit Grafana does not know', (d) => (firstPanel(d).fieldConfig.defaults.unit = 'requests')],
  ['panel-no-targets-rule', 'a panel has no targets', (d) => (firstPanel(d).targets = [])],
  ['target-promql-rule', 'a target misses a parenthesis', (d) => (firstPanel(d).targets[0].expr = 'sum(rate(up[$__rate_interval])')],
  ['target-rate-interval-rule', 'a rate uses a fixed window', (d) => (firstPanel(d).targets[0].expr = 'sum(rate(process_cpu_seconds_total[5m]))')],
  ['target-rate-interval-rule', '$__rate_interval is used outside rate', (d) => (firstPanel(d).targets[0].expr = 'max_over_time(up[$__rate_interval])')],
  ['target-counter-agg-rule', 'a counter is graphed raw', (d) => (firstPanel(d).targets[0].expr = 'sum(process_cpu_seconds_total)')],
  ['uneditable-dashboard', 'the dashboard is editable', (d) => (d.editable = true)],
];

describe.each(BREAKAGES)('%s', (rule, what, breakIt) => {
  it(`reports when ${what}`, () => {
    const d = mutable(serviceDashboard(EXAMPLE_MODELS[0]));
    breakIt(d);
    expect(lintDashboard(d, EXCLUSIONS).map((f) => f.rule)).toContain(rule);
  });
});
