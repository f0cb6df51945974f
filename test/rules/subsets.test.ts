/**
 * The rule subsets the generated promtool tests run against (issue 19) are the shipped rules: each is a rule of
 * the service's rule file, in the same group and order, and nothing a kept rule reads was left out. "Reads" is
 * decided here from the official PromQL grammar (@prometheus-io/lezer-promql), independently of the generator's
 * own dependency scan, so a selector the generator misread fails this test instead of weakening the proof.
 */
import { fleet } from '../../examples/services';
import { syntheticFleet } from '../../bench/synth/fleet';
import { resolveService } from '../../src/model';
import type { ServiceModel } from '../../src/model/types';
import { isAlertingRule, ruleTests, serviceRules, type Rule } from '../../src/rules';
import { matchers, metricName, parsePromql, walk } from '../dashboards/lint';
import { worker } from '../dashboards/fixtures';

const MODELS: readonly ServiceModel[] = [...fleet, ...syntheticFleet(10)].map((d) => resolveService(d)).concat(worker);

const cases = MODELS.flatMap((model) => {
  const shipped = serviceRules(model);
  const { subsets } = ruleTests(model, (subset) => subset ?? 'all');
  return Object.entries(subsets).map(([scope, subset]) => [`${model.namespace}/${model.name}`, scope, shipped, subset] as const);
});

/** The series a rule writes: its name and the labels it sets (an alert writes ALERTS and ALERTS_FOR_STATE). */
function writes(rule: Rule): { name: string; labels: Record<string, string> }[] {
  if (!isAlertingRule(rule)) return [{ name: rule.record, labels: { ...rule.labels } }];
  const labels = { ...rule.labels, alertname: rule.alert };
  return ['ALERTS', 'ALERTS_FOR_STATE'].map((name) => ({ name, labels }));
}

/** Whether any vector selector of `reader` could select a series `writer` writes. */
function couldRead(reader: Rule, writer: Rule): boolean {
  const tree = parsePromql(reader.expr);
  if (tree === undefined) throw new Error(`does not parse: ${reader.expr}`);
  const selectors = [...walk(tree)].filter(({ node }) => node.name === 'VectorSelector').map(({ node }) => node);
  return selectors.some((selector) =>
    writes(writer).some(({ name, labels }) => {
      const all = [...matchers(selector), ...(metricName(selector) === undefined ? [] : [{ label: '__name__', op: '=', value: metricName(selector)! }])];
      const withName: Record<string, string> = { ...labels, __name__: name };
      return all.every(({ label, op, value }) => {
        const actual = withName[label];
        if (actual === undefined) return true; // a label the expression sets: it may match
        const re = new RegExp(`^(?:${value})$`);
        return op === '=' ? actual === value : op === '!=' ? actual !== value : op === '=~' ? re.test(actual) : !re.test(actual);
      });
    }),
  );
}

describe('the rule subsets of the generated promtool tests', () => {
  it.each(MODELS.map((m) => [`${m.namespace}/${m.name}`, m] as const))('exist for %s: its traffic and saturation alerts, and the burn tiers of each SLO', (_service, model) => {
    const scopes = cases.filter(([service]) => service === `${model.namespace}/${model.name}`).map(([, scope]) => scope);
    expect(scopes).toEqual(expect.arrayContaining(['traffic', 'saturation', ...model.slos.map((slo) => `${slo.name}-burn`)]));
  });

  it.each(cases)('%s %s holds only shipped rules, in their shipped groups and order', (_service, _scope, shipped, subset) => {
    for (const group of subset.groups) {
      const original = shipped.groups.find((g) => g.name === group.name);
      expect(original).toBeDefined();
      expect(group.interval).toBe(original!.interval);
      // A subsequence of the shipped group: every kept rule deep-equals the next shipped rule it can be.
      let at = 0;
      for (const rule of group.rules) {
        while (at < original!.rules.length && JSON.stringify(original!.rules[at]) !== JSON.stringify(rule)) at++;
        expect(at < original!.rules.length ? 'shipped, in order' : rule).toBe('shipped, in order');
        at++;
      }
    }
  });

  it.each(cases)('%s %s leaves out no rule that a kept rule reads', (_service, _scope, shipped, subset) => {
    const kept = subset.groups.flatMap((g) => g.rules);
    const keptText = new Set(kept.map((r) => JSON.stringify(r)));
    const left = shipped.groups.flatMap((g) => g.rules).filter((r) => !keptText.has(JSON.stringify(r)));
    const missing = kept.flatMap((reader) => left.filter((writer) => couldRead(reader, writer)).map((writer) => `${'record' in reader ? reader.record : reader.alert} reads ${'record' in writer ? writer.record : writer.alert}`));
    expect(missing).toEqual([]);
  });
});
