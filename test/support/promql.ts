/**
 * PromQL syntax checks with the official grammar (@prometheus-io/lezer-promql, the parser Prometheus's own
 * UI uses). It is an ES module; its CommonJS build is loaded with require so jest needs no ESM transform.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lezer = require('@prometheus-io/lezer-promql') as typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });

/** Syntax errors of an expression, each with the text around it; empty when it parses. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  lezer.parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.to + 20)}…`);
    },
  });
  return errors;
}

/** Metric names an expression selects (vector selectors with a name), in order of appearance. */
export function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  lezer.parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.id === lezer.Identifier && node.node.parent?.type.id === lezer.VectorSelector) names.push(expr.slice(node.from, node.to));
    },
  });
  return names;
}

/**
 * Whether a label whose value is `actual` satisfies the matcher `label op "value"`, as Prometheus decides it:
 * regular expressions are anchored, and a label a series lacks has the value "" (so pass `?? ''`).
 */
export function matcherHolds(op: string, value: string, actual: string): boolean {
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '=~':
      return new RegExp(`^(?:${value})$`).test(actual);
    case '!~':
      return !new RegExp(`^(?:${value})$`).test(actual);
    default:
      throw new Error(`unknown match operator ${op}`);
  }
}
