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
import { isAlertingRule, ruleTests, serviceRules, type Rule, type RuleFile } from '../../src/rules';
import { matchers, metricName, parsePromql, walk, type Node } from '../dashboards/lint';
import { worker } from '../dashboards/fixtures';
import { matcherHolds } from '../support/promql';

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

/** The generated tests as they would be if every file loaded every input series of its scenarios. */
function ruleTestsKeepingEverySeries(model: ServiceModel): ReturnType<typeof ruleTests> {
  let generate: typeof ruleTests | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../src/rules/subset', () => ({ ...jest.requireActual('../../src/rules/subset'), readsSeries: () => true }));
    generate = (require('../../src/rules') as typeof import('../../src/rules')).ruleTests;
  });
  jest.dontMock('../../src/rules/subset');
  return generate!(model, (subset) => subset ?? 'all');
}

/** The vector selectors of `reader` that could select a series `writer` writes, with their ancestors. */
function selectorsReading(reader: Rule, writer: Rule): { node: Node; ancestors: readonly Node[] }[] {
  const tree = parsePromql(reader.expr);
  if (tree === undefined) throw new Error(`does not parse: ${reader.expr}`);
  return [...walk(tree)]
    .filter(({ node }) => node.name === 'VectorSelector')
    .filter(({ node: selector }) =>
      writes(writer).some(({ name, labels }) => {
        const all = [...matchers(selector), ...(metricName(selector) === undefined ? [] : [{ label: '__name__', op: '=', value: metricName(selector)! }])];
        const withName: Record<string, string> = { ...labels, __name__: name };
        // A label the expression sets (undefined here) may match.
        return all.every(({ label, op, value }) => withName[label] === undefined || matcherHolds(op, value, withName[label]));
      }),
    );
}

/** The operator of a binary expression node (`Unless`, `And`, `Gtr`, ...): the token after its left side. */
const operator = (n: Node) => n.children[1]?.name;

/**
 * Whether a selector can only take series out of its rule's result (so a subset without what it reads makes the
 * rule fire at least as often): it is on the right of the expression's top-level `unless`, reached from there
 * through parentheses, aggregations, function calls and the left side of `and` or `unless` only, each of which
 * outputs only series of that input.
 */
function onlyTakesAway({ node, ancestors }: { node: Node; ancestors: readonly Node[] }): boolean {
  const path = [...ancestors, node];
  const top = path.find((n) => n.name.endsWith('Expr'));
  if (top?.name !== 'BinaryExpr' || operator(top) !== 'Unless') return false;
  const right = top.children[top.children.length - 1];
  const below = path.slice(path.indexOf(right));
  if (below[0] !== right) return false;
  return below.every((n, i) => {
    const next = below[i + 1];
    if (next === undefined) return true;
    if (n.name === 'BinaryExpr') return (operator(n) === 'Unless' || operator(n) === 'And') && n.children[0] === next;
    return ['ParenExpr', 'AggregateExpr', 'FunctionCallBody', 'FunctionCall', 'MatrixSelector'].includes(n.name);
  });
}

describe('the rule subsets of the generated promtool tests', () => {
  it.each(MODELS.map((m) => [`${m.namespace}/${m.name}`, m] as const))('exist for %s: one per traffic, saturation and meta alert, one per pool, and the burn tiers of each SLO', (_service, model) => {
    const scopes = cases.filter(([service]) => service === `${model.namespace}/${model.name}`).map(([, scope]) => scope);
    const alone = serviceRules(model)
      .groups.flatMap((g) => g.rules)
      .filter(isAlertingRule)
      .filter((r) => r.labels.slo === undefined && !/^(ConnectionPool|HttpClientPool|WorkerPool)/.test(r.alert))
      .map((r) => r.alert.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase());
    const pools = model.capacity.pools.map((p) => `${p.name}-pool`);
    expect(alone.length).toBeGreaterThan(3);
    expect(scopes).toEqual(expect.arrayContaining([...alone, ...pools, ...model.slos.map((slo) => `${slo.name}-burn`)]));
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

  it.each([
    ['the right of the top-level unless, under an aggregation and a range function', 'a unless on (x) (max by (x) (max_over_time(b[5m])) unless on (x) c)', 'b', true],
    ['the right of an unless nested on the right (taking it away adds back)', 'a unless on (x) (max by (x) (max_over_time(b[5m])) unless on (x) c)', 'c', false],
    ['the left of the top-level unless', 'b unless on (x) a', 'b', false],
    ['the right of an and', 'a and on (x) b', 'b', false],
  ])('counts a selector on %s as only taking series away: %s, %s → %s', (_where, expr, metric, expected) => {
    const tree = parsePromql(expr)!;
    const selector = [...walk(tree)].find(({ node }) => node.name === 'VectorSelector' && metricName(node) === metric)!;
    expect(onlyTakesAway(selector)).toBe(expected);
  });

  it.each(cases)('%s %s leaves out no rule that a kept rule reads, but the alerts a burn tier alone reads in its quiet clause', (_service, scope, shipped, subset) => {
    const kept = subset.groups.flatMap((g) => g.rules);
    const keptText = new Set(kept.map((r) => JSON.stringify(r)));
    const left = shipped.groups.flatMap((g) => g.rules).filter((r) => !keptText.has(JSON.stringify(r)));
    const oneTier = /-burn-[a-z0-9-]+$/.test(scope);
    const name = (r: Rule) => ('record' in r ? r.record : r.alert);
    const missing = kept.flatMap((reader) =>
      left
        .map((writer) => ({ writer, selectors: selectorsReading(reader, writer) }))
        .filter(({ writer, selectors }) => selectors.length > 0 && !(oneTier && isAlertingRule(writer) && selectors.every(onlyTakesAway)))
        .map(({ writer }) => `${name(reader)} reads ${name(writer)}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(MODELS.map((m) => [`${m.namespace}/${m.name}`, m] as const))(
    '%s: a test file keeps exactly the input series some selector of its rules selects (every matcher holds, a missing label is empty)',
    (_service, model) => {
      const { subsets, files } = ruleTests(model, (subset) => subset ?? 'all');
      const untrimmed = ruleTestsKeepingEverySeries(model).files;
      const all: Record<string, RuleFile> = { ...subsets, all: serviceRules(model) };
      const labelsOf = (text: string) => {
        // An input series in promtool's notation is a PromQL selector itself: name{label="value", ...}.
        const node = [...walk(parsePromql(text)!)].find(({ node: n }) => n.name === 'VectorSelector')!.node;
        return { name: metricName(node)!, labels: Object.fromEntries(matchers(node).map((m) => [m.label, m.value])) as Record<string, string> };
      };
      const selects = (file: RuleFile, text: string) => {
        const { name, labels } = labelsOf(text);
        return file.groups.some((g) =>
          g.rules.some((rule) =>
            [...walk(parsePromql(rule.expr)!)]
              .filter(({ node }) => node.name === 'VectorSelector' && metricName(node) === name)
              .some(({ node }) => matchers(node).every(({ label, op, value }) => matcherHolds(op, value, labels[label] ?? ''))),
          ),
        );
      };
      expect(Object.keys(files)).toEqual(Object.keys(untrimmed));
      const count = (f: typeof files) => Object.values(f).reduce((n, file) => n + file.tests.reduce((m, t) => m + t.input_series.length, 0), 0);
      expect(count(files)).toBeLessThan(count(untrimmed));
      for (const [name, file] of Object.entries(files)) {
        const rules = all[file.rule_files[0]];
        file.tests.forEach((test, i) => {
          const expected = untrimmed[name].tests[i].input_series.filter(({ series }) => selects(rules, series));
          expect([test.name, test.input_series]).toEqual([test.name, expected]);
        });
      }
    },
  );

  it.each(MODELS.map((m) => [`${m.namespace}/${m.name}`, m] as const))('%s: a test file whose subset leaves out alerts its rules read checks only that they stay silent', (_service, model) => {
    const { subsets, files } = ruleTests(model, (subset) => subset ?? 'all');
    const shipped = serviceRules(model);
    const leavesOutRead = (scope: string) => {
      const kept = new Set(subsets[scope].groups.flatMap((g) => g.rules).map((r) => JSON.stringify(r)));
      const left = shipped.groups.flatMap((g) => g.rules).filter((r) => !kept.has(JSON.stringify(r)));
      return subsets[scope].groups.flatMap((g) => g.rules).some((reader) => left.some((writer) => selectorsReading(reader, writer).length > 0));
    };
    const partial = Object.values(files).filter((f) => f.rule_files[0] !== 'all' && leavesOutRead(f.rule_files[0]));
    expect(partial.length).toBeGreaterThan(0);
    for (const file of partial) for (const test of file.tests) for (const check of test.alert_rule_test) expect([test.name, check.exp_alerts]).toEqual([test.name, []]);
  });
});
