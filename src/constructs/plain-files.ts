import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App } from 'cdk8s';
import type { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ALERTS_DIR, DASHBOARDS_DIR, fleetPlainFiles, type PlainFilesOptions } from '../plain';
import { manifestYamlOf } from '../yaml';
import { AlertRouting, TeamAlertRouting } from './alert-routing';
import { GrafanaDashboards } from './dashboards';
import { FleetOverview, servicesOf } from './fleet-overview';
import { GoldenSignals } from './golden-signals';
import { ObservabilityStack } from './observability-stack';
import { ServiceAutoscaling } from './scaling';

/** Options of {@link writePlainFiles}. */
export interface WritePlainFilesOptions extends PlainFilesOptions {
  /**
   * Folder that gets `alerts/` and `dashboards/`.
   * @default the current directory: where `cdk8s synth` runs the app, next to cdk8s.yaml
   */
  readonly outdir?: string;
}

/**
 * Writes the plain artefacts of every {@link GoldenSignals} in the app: `alerts/` (rules, promtool tests,
 * scrape configs, alertmanager.yml) and `dashboards/` (each service's dashboard and the fleet overview).
 * Like cdk8s with `dist/`, it owns those two folders: it empties them first, so a removed service leaves no
 * stale file behind. Keep nothing else in them.
 *
 * The fleet is named after the app's {@link FleetOverview} when it has exactly one.
 *
 * Run it after `app.synth()`: it also quotes, in the manifests cdk8s wrote, the strings a YAML 1.1 parser
 * would misread ({@link requoteManifests}).
 *
 * @returns the paths written, relative to `outdir`, sorted.
 * @example
 * app.synth();
 * writePlainFiles(app); // alerts/ and dashboards/ next to cdk8s.yaml
 */
export function writePlainFiles(app: Construct, options: WritePlainFilesOptions = {}): string[] {
  requoteManifests(app);
  const outdir = options.outdir ?? process.cwd();
  const overviews = app.node.findAll().filter((c): c is FleetOverview => c instanceof FleetOverview);
  const fleetName = options.fleetName ?? (overviews.length === 1 ? overviews[0].name : undefined);
  const files = fleetPlainFiles(servicesOf(app), { ...options, fleetName });
  for (const dir of [ALERTS_DIR, DASHBOARDS_DIR]) fs.rmSync(path.join(outdir, dir), { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(outdir, name)), { recursive: true });
    fs.writeFileSync(path.join(outdir, name), text);
  }
  return Object.keys(files).sort();
}

/** The constructs of this library: the manifests of the objects under them are re-quoted. */
const OWN_CONSTRUCTS = [GoldenSignals, FleetOverview, ObservabilityStack, AlertRouting, TeamAlertRouting, GrafanaDashboards, ServiceAutoscaling];

/**
 * Re-writes the manifests of this library's objects in the app's output folder (`dist/`) so that YAML 1.1
 * parsers read them as YAML 1.2 parsers do (see `quoteAmbiguousScalars`). cdk8s writes every manifest itself, with options
 * no construct can change, and its writer leaves `matchType: =` unquoted, which PyYAML cannot load; the
 * objects' values are right (`=` is what the CRD wants), only the YAML text needs quotes. So the files are
 * re-rendered after `app.synth()` exactly as cdk8s renders them, plus those quotes; a file whose text is
 * already right is not touched, nor is any document of an object this library did not create.
 *
 * @returns the paths rewritten, relative to the output folder.
 */
export function requoteManifests(scope: Construct): string[] {
  let app: App;
  try {
    app = App.of(scope);
  } catch {
    return []; // not in an App: nothing was synthesized
  }
  if (!fs.existsSync(app.outdir)) return [];
  const ours = new Set(
    app.node
      .findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && c.node.scopes.some((s) => OWN_CONSTRUCTS.some((k) => s instanceof k)))
      .map((o) => objectKey(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)),
  );
  const rewritten: string[] = [];
  for (const file of yamlFiles(app.outdir, app.outputFileExtension)) {
    const text = fs.readFileSync(file, 'utf8');
    const docs = YAML.parseAllDocuments(text, { version: '1.1' });
    const values = docs.map((d) => d.toJS() as { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } } | undefined);
    const quote = values.map((v) => v !== undefined && v !== null && ours.has(objectKey(v.apiVersion, v.kind, v.metadata?.namespace, v.metadata?.name)));
    if (!quote.some(Boolean)) continue;
    const requoted = manifestYamlOf(values.map((value, i) => ({ value, quote: quote[i] })));
    if (requoted === text) continue;
    fs.writeFileSync(file, requoted);
    rewritten.push(path.relative(app.outdir, file));
  }
  return rewritten.sort();
}

function objectKey(apiVersion: unknown, kind: unknown, namespace: unknown, name: unknown): string {
  return JSON.stringify([apiVersion, kind, namespace ?? null, name]);
}

function yamlFiles(dir: string, extension: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p, extension) : e.name.endsWith(extension) ? [p] : [];
  });
}

