import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Construct } from 'constructs';
import { GENERATED_HEADER } from '../loadtest/k6';
import { ALERTS_DIR, DASHBOARDS_DIR, fleetPlainFiles, LOADTESTS_DIR, type PlainFilesOptions } from '../plain';
import { FleetOverview, servicesOf } from './fleet-overview';

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
 * scrape configs, alertmanager.yml), `dashboards/` (each service's dashboard and the fleet overview) and
 * `loadtests/` (a k6 script per HTTP service). Like cdk8s with `dist/`, it owns `alerts/` and `dashboards/`: it
 * empties them first, so a removed service leaves no stale file behind. Keep nothing else in them. In
 * `loadtests/`, where a team may keep load tests of its own, it removes only the scripts it generated.
 *
 * The fleet is named after the app's {@link FleetOverview} when it has exactly one.
 *
 * @returns the paths written, relative to `outdir`, sorted.
 * @example
 * app.synth();
 * writePlainFiles(app); // alerts/ and dashboards/ next to cdk8s.yaml
 */
export function writePlainFiles(app: Construct, options: WritePlainFilesOptions = {}): string[] {
  const outdir = options.outdir ?? process.cwd();
  const overviews = app.node.findAll().filter((c): c is FleetOverview => c instanceof FleetOverview);
  const fleetName = options.fleetName ?? (overviews.length === 1 ? overviews[0].name : undefined);
  const files = fleetPlainFiles(servicesOf(app), { ...options, fleetName });
  for (const dir of [ALERTS_DIR, DASHBOARDS_DIR]) fs.rmSync(path.join(outdir, dir), { recursive: true, force: true });
  removeGeneratedScripts(path.join(outdir, LOADTESTS_DIR));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(outdir, name)), { recursive: true });
    fs.writeFileSync(path.join(outdir, name), text);
  }
  return Object.keys(files).sort();
}

/** Removes the k6 scripts this library wrote (they start with its header), and nothing else, from `dir`. */
function removeGeneratedScripts(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.k6.js')) continue;
    const file = path.join(dir, entry.name);
    if (fs.readFileSync(file, 'utf8').startsWith(GENERATED_HEADER)) fs.rmSync(file);
  }
}
