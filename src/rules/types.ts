/** Prometheus rule-file data (the `rulefmt` schema, which PrometheusRule's `spec.groups` mirrors). */

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** Prometheus duration. */
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval (Prometheus duration). */
  readonly interval: string;
  readonly rules: readonly Rule[];
}

/** A whole rule file: what `promtool check rules` reads and `PrometheusRule.spec` holds. */
export interface RuleFile {
  readonly groups: readonly RuleGroup[];
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return 'alert' in rule;
}
