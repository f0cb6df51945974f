import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Construct } from 'constructs';
import { ALERTS_DIR, DASHBOARDS_DIR, fleetPlainFiles, type PlainFilesOptions } from '../plain';
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
 * scrape configs, alertmanager.yml) and `dashboards/` (each service's dashboard and the fleet overview).
 * Like cdk8s with `dist/`, it owns those two folders: it empties them first, so a removed service leaves no
 * stale file behind. Keep nothing else in them.
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
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(outdir, name)), { recursive: true });
    fs.writeFileSync(path.join(outdir, name), text);
  }
  return Object.keys(files).sort();
}
