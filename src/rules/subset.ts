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
 * rule too many, never one too few).
 */
function mayMatch(matchers: readonly Matcher[], output: Output): boolean {
  return matchers.every((m) => output.labels[m.label] === undefined || holds(m, output.labels[m.label]));
}

/** Whether a label whose value is `actual` satisfies `matcher`. Regular expressions are anchored, as in PromQL. */
function holds({ op, value }: Matcher, actual: string): boolean {
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
}

/** Whether `reader`'s expression may read a series `writer` writes. */
function reads(reader: Rule, writer: Rule): boolean {
  return outputsOf(writer).some((output) => selectorsOf(reader.expr, output.name).some((matchers) => mayMatch(matchers, output)));
}

/**
 * Which alerting rules beyond the chosen ones a subset keeps.
 *
 * - `read`: every alert a kept rule reads (a slower burn tier reads the faster tiers' `ALERTS`), so each kept
 *   rule behaves exactly as it ships: checks may expect it to fire or to stay silent.
 * - `none`: only the chosen alerts. Rules read other alerts only in a burn tier's quiet clause, on the right of
 *   `unless` (../slo.ts), so without them a chosen tier's expression returns every series it returns when they
 *   are loaded, and perhaps more: it fires at least as often. A check that it stays silent is then at least as
 *   strong as against the shipped rules (a check that it fires would not be, and must not use this).
 */
export type OtherAlerts = 'read' | 'none';

/**
 * The alerting rules `chosen` picks out of `file`, with every rule they read, directly or through other
 * rules, in their groups and order. Groups left empty are dropped.
 *
 * @example
 * ruleSubset(serviceRules(model), (r) => r.alert === 'TrafficDrop'); // TrafficDrop and namespace_job:requests:rate5m
 */
export function ruleSubset(file: RuleFile, chosen: (rule: AlertingRule) => boolean, otherAlerts: OtherAlerts = 'read'): RuleFile {
  const all = file.groups.flatMap((g) => g.rules);
  const kept = new Set<Rule>(all.filter((r) => isAlertingRule(r) && chosen(r)));
  const candidates = otherAlerts === 'read' ? all : all.filter((r) => !isAlertingRule(r));
  const pending = [...kept];
  while (pending.length > 0) {
    const reader = pending.pop()!;
    for (const writer of candidates) {
      if (kept.has(writer) || !reads(reader, writer)) continue;
      kept.add(writer);
      pending.push(writer);
    }
  }
  return {
    groups: file.groups.map((g) => ({ ...g, rules: g.rules.filter((r) => kept.has(r)) })).filter((g) => g.rules.length > 0),
  };
}

/**
 * Whether any rule of `file` reads the input series `series` (promtool notation, `name{label="value", ...}`):
 * some selector of its metric whose every matcher matches the series' labels (a label it lacks is empty, as
 * in PromQL). A series no rule selects cannot change what any rule returns, so a test file leaves it out.
 */
export function readsSeries(file: RuleFile, series: string): boolean {
  const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(series)?.[0];
  if (name === undefined) throw new Error(`rule tests: input series without a metric name: ${series}`);
  const labels = Object.fromEntries([...series.slice(name.length).matchAll(MATCHER)].map(([, label, , literal]) => [label, JSON.parse(literal) as string]));
  return file.groups.some((g) => g.rules.some((rule) => selectorsOf(rule.expr, name).some((matchers) => matchers.every((m) => holds(m, labels[m.label] ?? '')))));
}
