/**
 * Small, exact PromQL text builders. Every generated expression goes through these, so quoting, number
 * rendering and `le` matching are decided in one place.
 */

/** One label matcher. */
export interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** Equality matcher. */
export const eq = (label: string, value: string): Matcher => ({ label, op: '=', value });
/** Regex matcher (fully anchored by Prometheus). */
export const re = (label: string, value: string): Matcher => ({ label, op: '=~', value });
/** Negative equality matcher. */
export const ne = (label: string, value: string): Matcher => ({ label, op: '!=', value });

/** Quotes a label value as a PromQL string literal (double quotes; backslash and quote escaped). */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `metric{a="b", c=~"d"}`. */
export function selector(metric: string, matchers: readonly Matcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}${quote(m.value)}`).join(', ')}}`;
}

/** `sum by (a, b) (expr)`. */
export function sumBy(labels: readonly string[], expr: string): string {
  return aggregate('sum', labels, expr);
}

/** `<op> by (labels) (expr)`; `<op> (expr)` when there are no labels. */
export function aggregate(op: 'sum' | 'max' | 'min' | 'avg' | 'count' | 'group', labels: readonly string[], expr: string): string {
  return labels.length === 0 ? `${op} (${expr})` : `${op} by (${labels.join(', ')}) (${expr})`;
}

/** `on (a, b)` vector matching clause. */
export function on(labels: readonly string[]): string {
  return `on (${labels.join(', ')})`;
}

/**
 * Renders a number exactly as a person would write it: `0.001`, never `0.0009999999999999432`;
 * `0.0144`, never `0.014400000000000001`. Twelve significant digits is far beyond any SLO or threshold
 * precision and far below the float noise of the arithmetic that produced the number.
 */
export function exact(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`exact: ${n} is not a finite number`);
  return String(Number(n.toPrecision(12)));
}

/** The exact result of `a × b`, rounded to 12 significant digits (see {@link exact}). */
export function times(a: number, b: number): number {
  return Number((a * b).toPrecision(12));
}

/** The exact result of `a − b`, rounded to 12 significant digits (see {@link exact}). */
export function minus(a: number, b: number): number {
  return Number((a - b).toPrecision(12));
}

/**
 * Regex matching a histogram bucket bound as both Prometheus 2 (`le="1"`) and Prometheus 3
 * (`le="1.0"`) store it. Non-integer bounds are stored the same way by both, so they get no alternation.
 *
 * @example leRegex(1) // '1|1\\.0'   leRegex(0.3) // '0\\.3'
 */
export function leRegex(bound: number): string {
  const text = exact(bound);
  const escaped = text.replace(/\./g, '\\.');
  return Number.isInteger(bound) ? `${escaped}|${escaped}\\.0` : escaped;
}

/** The `le` label value Prometheus 2 writes for a bound (what promtool test input series use). */
export function leLabel(bound: number): string {
  return exact(bound);
}
