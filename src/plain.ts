/**
 * Plain mode, for Prometheus servers run without prometheus-operator: the files a service needs, as
 * file name → content. The rule file is what `rule_files:` loads, the test file is what
 * `promtool test rules` runs, and the scrape config goes under `scrape_configs:`.
 *
 * @example
 * for (const [name, text] of Object.entries(plainFiles(resolveService(checkout)))) fs.writeFileSync(name, text);
 */
import type { ServiceModel } from './model/types';
import { ruleTests, serviceRules, toYaml } from './rules';
import { scrapeConfig } from './scrape';

export function plainFiles(model: ServiceModel): Record<string, string> {
  const base = `${model.namespace}-${model.name}`;
  return {
    [`${base}.rules.yaml`]: toYaml(serviceRules(model)),
    [`${base}.test.yaml`]: toYaml(ruleTests(model, `${base}.rules.yaml`)),
    [`${base}.scrape.yaml`]: toYaml({ scrape_configs: [scrapeConfig(model)] }),
  };
}
