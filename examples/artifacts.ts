/**
 * The plain (operator-free) artefacts of the example fleet, as file name → content. Pure, so the tests can
 * compare them with the committed copies without writing anything.
 */
import { appDashboards, dashboardFiles } from '../src/dashboards';
import type { ServiceModel } from '../src/model';
import { exampleRoutingFiles } from '../src/routing';
import { plainFiles } from '../src/plain';

/** `alerts/<namespace>-<service>.{rules,test,scrape}.yaml`, alertmanager.yml and `dashboards/<uid>.json`. */
export function exampleFiles(models: readonly ServiceModel[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const model of models) for (const [name, text] of Object.entries(plainFiles(model))) files[`alerts/${name}`] = text;
  for (const [name, text] of Object.entries(exampleRoutingFiles(models))) files[`alerts/${name}`] = text;
  for (const [name, text] of Object.entries(dashboardFiles(appDashboards(models)))) files[`dashboards/${name}`] = text;
  return files;
}
