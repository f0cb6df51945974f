/**
 * YAML that reads the same in a YAML 1.2 parser (Go's sigs.k8s.io/yaml, the `yaml` package) and in a
 * YAML 1.1 parser (PyYAML, and the many GitOps and policy tools built on it).
 *
 * A plain (unquoted) scalar is typed by the parser's schema, and the two versions disagree: `on`, `yes`,
 * `y`, `off` are booleans in 1.1 and strings in 1.2; `1e3` is a number in 1.2 and a string in 1.1; `010` is
 * eight in 1.1; `1:30` is ninety in 1.1; `=` is PyYAML's "value" type, which it cannot even construct, and
 * `<<` its merge key. A stringifier quotes a string only when its own version would misread it, so each
 * version's output trips the other's parsers: cdk8s writes `matchType: =` plain (it stringifies with the 1.1
 * schema of the `yaml` package, which lacks the value type) and PyYAML rejects the file, which is why the
 * AlertmanagerConfig renderer writes no `=` at all. Every YAML file this library writes itself goes through
 * {@link quoteAmbiguousScalars}, which quotes a string wherever any of those parsers would read it as
 * something else.
 */
import * as YAML from 'yaml';

/** Scalars PyYAML resolves to types the `yaml` package's 1.1 schema lacks (PyYAML `resolver.py`). */
const PYYAML_ONLY = new Set(['=', '<<']);
/** No implicitly typed plain scalar (boolean, number, null, timestamp) is longer than this. */
const LONGEST_TYPED = 64;
const NOT_A_STRING = Symbol('not a string');
const ambiguous = new Map<string, boolean>();

function readsAs(text: string, version: '1.1' | '1.2'): unknown {
  try {
    return YAML.parse(text, { version });
  } catch {
    return NOT_A_STRING;
  }
}

/** Whether `text`, written as a plain scalar, would be read as anything but itself by a 1.1 or 1.2 parser. */
export function isAmbiguousPlain(text: string): boolean {
  if (text.length > LONGEST_TYPED || text.includes('\n')) return false;
  let found = ambiguous.get(text);
  if (found === undefined) {
    found = PYYAML_ONLY.has(text) || readsAs(text, '1.1') !== text || readsAs(text, '1.2') !== text;
    ambiguous.set(text, found);
  }
  return found;
}

/**
 * Quotes, in place, every string scalar of `doc` that some YAML parser would not read back as that string.
 * Only the quoting changes: the value is the same string in every parser, and a string the stringifier
 * would have quoted anyway keeps the quote style it would have chosen.
 */
export function quoteAmbiguousScalars(doc: YAML.Document): void {
  YAML.visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string' || (node.type !== undefined && node.type !== 'PLAIN') || !isAmbiguousPlain(node.value)) return;
      // The `yaml` package's own choice for a string that needs quotes (stringifyString, quotedString).
      node.type = node.value.includes('"') && !node.value.includes("'") ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE';
      // With the 1.1 schema the package writes `<<` as a merge key whatever the node's type; an explicit
      // string tag is the only way to write it as the string (`!!str "<<"`, the same string in every parser).
      if (node.value === '<<') node.tag = 'tag:yaml.org,2002:str';
    },
  });
}

/**
 * Kubernetes manifests as cdk8s writes them (`Yaml.stringify`: the 1.1 schema, undefined kept, no line
 * folding, documents joined by `---`), with {@link quoteAmbiguousScalars} applied.
 */
export function manifestYaml(...docs: unknown[]): string {
  return docs
    .map((value) => {
      if (value === undefined) return '\n';
      const doc = new YAML.Document(value, { keepUndefined: true, version: '1.1' });
      quoteAmbiguousScalars(doc);
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
