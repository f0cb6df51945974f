/**
 * Rule subsets for the generated promtool tests (issue 19): the alerts a test file checks, and every rule they
 * read, copied rule for rule from the service's rule file.
 *
 * promtool evaluates every rule of its rule files at every step of every scenario. A service's file holds about
 * 50 rules, four of which tile 30 days with `[30d:5m]` subqueries, so a week-long TrafficDrop scenario paid 7 s
 * of CPU for the one alert it proves, and an availability burn scenario paid for the latency SLO's rules too.
 * A subset changes no rule: each is the shipped rule object, in the shipped group (same name, interval and
 * order, so a derived rule still reads what the same evaluation recorded). Dropping a rule cannot change a kept
 * one as long as nothing kept reads what the dropped rule writes, which is what {@link ruleSubset} keeps:
 * the closure of the chosen alerts over "reads a series this rule writes".
 */
import type { AlertingRule, Rule, RuleFile } from './types';
import { isAlertingRule } from './types';

/** A label matcher of a selector: `label op "value"`. */
interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** The series a rule writes: its metric name and the labels it sets itself, whatever its expression returns. */
interface Output {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * What a rule writes. An alerting rule writes `ALERTS` (and `ALERTS_FOR_STATE`) with its name and labels: the
 * burn tiers' quiet clause reads the faster tiers' `ALERTS`, so those alerts belong to a slower tier's closure.
 */
function outputsOf(rule: Rule): Output[] {
  if (!isAlertingRule(rule)) return [{ name: rule.record, labels: rule.labels ?? {} }];
  const labels = { ...rule.labels, alertname: rule.alert };
  return [
    { name: 'ALERTS', labels },
    { name: 'ALERTS_FOR_STATE', labels },
  ];
}

const MATCHER = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")/g;

/**
 * The selectors of `expr` that name `metric`, with their matchers. A metric name is a whole token (not part of a
 * longer name, not inside a string), optionally followed by `{...}`.
 */
function selectorsOf(expr: string, metric: string): Matcher[][] {
  const escaped = metric.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const selector = new RegExp(`(?<![A-Za-z0-9_:"])${escaped}(?![A-Za-z0-9_:"])\\s*(\\{[^}]*\\})?`, 'g');
  return [...expr.matchAll(selector)].map((m) =>
    [...(m[1] ?? '').matchAll(MATCHER)].map(([, label, op, literal]) => ({ label, op: op as Matcher['op'], value: JSON.parse(literal) as string })),
  );
}

/**
 * Whether a selector with `matchers` may select what `output` writes: no matcher on a label the rule sets
 * excludes it. Labels that come from the expression are unknown here and never exclude (which can only keep a
 * rule too many, never one too few). Regular expressions are anchored, as in PromQL.
 */
function mayMatch(matchers: readonly Matcher[], output: Output): boolean {
  return matchers.every(({ label, op, value }) => {
    const actual = output.labels[label];
    if (actual === undefined) return true;
    switch (op) {
      case '=':
        return actual === value;
      case '!=':
        return actual !== value;
      case '=~':
        return new RegExp(`^(?:${value})$`).test(actual);
      case '!~':
        return !new RegExp(`^(?:${value})$`).test(actual);
    }
  });
}

/** Whether `reader`'s expression may read a series `writer` writes. */
function reads(reader: Rule, writer: Rule): boolean {
  return outputsOf(writer).some((output) => selectorsOf(reader.expr, output.name).some((matchers) => mayMatch(matchers, output)));
}

/**
 * The alerting rules `chosen` picks out of `file`, with every rule they read, directly or through other
 * rules, in their groups and order. Groups left empty are dropped.
 *
 * @example
 * ruleSubset(serviceRules(model), (r) => r.alert === 'TrafficDrop'); // TrafficDrop and namespace_job:requests:rate5m
 */
export function ruleSubset(file: RuleFile, chosen: (rule: AlertingRule) => boolean): RuleFile {
  const all = file.groups.flatMap((g) => g.rules);
  const kept = new Set<Rule>(all.filter((r) => isAlertingRule(r) && chosen(r)));
  const pending = [...kept];
  while (pending.length > 0) {
    const reader = pending.pop()!;
    for (const writer of all) {
      if (kept.has(writer) || !reads(reader, writer)) continue;
      kept.add(writer);
      pending.push(writer);
    }
  }
  return {
    groups: file.groups.map((g) => ({ ...g, rules: g.rules.filter((r) => kept.has(r)) })).filter((g) => g.rules.length > 0),
  };
}
