/**
 * The plain (operator-free) artefacts of the example fleet, as file name → content. Pure, so the tests can
 * compare them with the committed copies without writing anything.
 */
import { appDashboards, dashboardFiles } from '../src/dashboards';
import type { ServiceModel } from '../src/model';
import { exampleRoutingFiles } from '../src/routing';
import { ruleTests, serviceRules, toYaml } from '../src/rules';
import { scrapeConfig } from '../src/scrape';

/** `alerts/<namespace>-<service>.{rules,test}.yaml`, the scrape configs, alertmanager.yml and `dashboards/<uid>.json`. */
export function exampleFiles(models: readonly ServiceModel[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const model of models) {
    const base = `${model.namespace}-${model.name}`;
    files[`alerts/${base}.rules.yaml`] = toYaml(serviceRules(model));
    files[`alerts/${base}.test.yaml`] = toYaml(ruleTests(model, `${base}.rules.yaml`));
  }
  files['alerts/scrape-configs.yaml'] = toYaml({ scrape_configs: models.map(scrapeConfig) });
  for (const [name, text] of Object.entries(exampleRoutingFiles(models))) files[`alerts/${name}`] = text;
  for (const [name, text] of Object.entries(dashboardFiles(appDashboards(models)))) files[`dashboards/${name}`] = text;
  return files;
}
