import * as YAML from 'yaml';

/**
 * Renders rule files and promtool tests as reviewable YAML: block scalars for multi-line PromQL, keys in
 * the order the generators wrote them, no line folding (a folded PromQL line is hard to diff).
 */
export function toYaml(data: unknown): string {
  return YAML.stringify(data, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });
}
