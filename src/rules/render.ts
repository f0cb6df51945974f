import * as YAML from 'yaml';
import { quoteAmbiguousScalars } from '../yaml';

/**
 * Renders rule files and promtool tests as reviewable YAML: block scalars for multi-line PromQL, keys in
 * the order the generators wrote them, no line folding (a folded PromQL line is hard to diff), and quotes
 * wherever a YAML 1.1 parser would read a string as something else (a namespace `on`, a label value `yes`).
 */
export function toYaml(data: unknown): string {
  const options = { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false } as const;
  const doc = new YAML.Document(data, options);
  quoteAmbiguousScalars(doc);
  return doc.toString(options);
}
