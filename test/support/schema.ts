/**
 * Offline manifest validation against the pinned schemas in crds/: the Kubernetes 1.28 definitions for
 * core kinds and each CRD's openAPIV3Schema for custom resources. Strict like `kubectl --validate=strict`:
 * unknown fields are errors unless the schema preserves them (recipe: research/cdk8s-k8s.md §7).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';

const CRDS = path.join(__dirname, '..', '..', 'crds');

type Schema = Record<string, unknown>;

function closeSchema(s: unknown): unknown {
  if (!s || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map(closeSchema);
  const o: Schema = {};
  for (const [k, v] of Object.entries(s as Schema)) o[k] = k === 'enum' || k === 'required' ? v : closeSchema(v);
  if (o.properties && o.additionalProperties === undefined && !o['x-kubernetes-preserve-unknown-fields']) o.additionalProperties = false;
  return o;
}

/** CRD patterns are Go RE2: map `(?i)` to the `i` flag; accept anything JS cannot compile (reported once). */
function re2(pattern: string, flags?: string): RegExp {
  let f = flags || 'u';
  let p = pattern;
  if (p.includes('(?i)')) {
    p = p.split('(?i)').join('');
    f += 'i';
  }
  try {
    return new RegExp(p, f);
  } catch {
    return { test: () => true } as unknown as RegExp;
  }
}

let byGvk: Map<string, () => ValidateFunction> | undefined;

function registry(): Map<string, () => ValidateFunction> {
  if (byGvk) return byGvk;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: re2 as never } });
  const map = new Map<string, () => ValidateFunction>();
  const defs = JSON.parse(fs.readFileSync(path.join(CRDS, 'k8s-v1.28.0-definitions.json'), 'utf8')) as { definitions: Record<string, Schema> };
  ajv.addSchema({ $id: 'k8s', definitions: closeSchema(defs.definitions) as Schema });
  for (const [name, d] of Object.entries(defs.definitions)) {
    for (const g of (d['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }>) ?? []) {
      map.set(`${g.group ? g.group + '/' : ''}${g.version}/${g.kind}`, () => ajv.getSchema(`k8s#/definitions/${name}`)!);
    }
  }
  for (const f of fs.readdirSync(CRDS).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(CRDS, f), 'utf8'))) {
      const crd = doc.toJSON();
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions) {
        const schema = v.schema?.openAPIV3Schema;
        if (!schema) continue;
        let compiled: ValidateFunction | undefined;
        map.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, () => (compiled ??= ajv.compile(closeSchema(schema) as Schema)));
      }
    }
  }
  byGvk = map;
  return map;
}

/**
 * Validates one manifest. Returns the problems (empty when valid), each prefixed with kind/name and the
 * JSON path of the offending field.
 */
export function validateManifest(manifest: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string[] {
  const id = `${manifest.kind}/${manifest.metadata?.name}`;
  const get = registry().get(`${manifest.apiVersion}/${manifest.kind}`);
  if (!get) return [`${id}: no schema for ${manifest.apiVersion} ${manifest.kind} in crds/`];
  const validate = get();
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(
    (e) => `${id}: ${e.instancePath || '/'} ${e.message}${(e.params as { additionalProperty?: string })?.additionalProperty ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''}`,
  );
}
