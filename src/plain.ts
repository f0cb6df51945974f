/**
 * Plain mode: the operator-free artefacts of a fleet as file path → content, for a GitOps repo to review
 * and for Prometheus, Alertmanager and Grafana run without prometheus-operator (or beside it):
 *
 * - `alerts/<namespace>-<service>.rules.yaml`: what `rule_files:` loads;
 * - `alerts/tests/<namespace>-<service>.<scope>.<step>.test.yaml`: the promtool unit tests proving every alert
 *   fires (`promtool test rules alerts/tests/*.test.yaml`), a file per scope (what it proves: one SLO's burn
 *   tiers, its budget, the traffic or saturation alerts, or every rule) and evaluation step; and
 *   `alerts/tests/<namespace>-<service>.<scope>.rules.yaml`, the rules a scope's tests run against: the alerts it
 *   proves and what they read, copied from the service's rule file (outside `alerts/`, so a `rule_files:` glob
 *   of `alerts/*.rules.yaml` never loads them);
 * - `alerts/<namespace>-<service>.scrape.yaml`: the service's entry for `scrape_configs:`;
 * - `alerts/alertmanager.yml`: routing, receivers and inhibitions of every routed service;
 * - `dashboards/<uid>.json`: one dashboard per service, its error-budget report when it has SLOs, and the fleet overview they link to;
 * - `loadtests/<namespace>-<service>.k6.js`: a k6 load test whose thresholds are the service's SLOs (HTTP services).
 *
 * Pure: {@link writePlainFiles} (in the constructs) is what writes them.
 */
import { appDashboards, dashboardFiles } from './dashboards';
import type { ServiceModel } from './model/types';
import { renderAlertmanagerConfig } from './routing/alertmanager-yaml';
import { ruleTests, serviceRules, toYaml } from './rules';
import { k6Script, loadTestPlan } from './loadtest/k6';
import { scrapeConfig, type ScrapeDiscovery } from './scrape';

/** Folder of the rule, test and scrape files and alertmanager.yml. */
export const ALERTS_DIR = 'alerts';
/** Folder of the promtool tests and their rule subsets, inside {@link ALERTS_DIR}. */
export const TESTS_DIR = 'tests';
/** Folder of the dashboard JSON files. */
export const DASHBOARDS_DIR = 'dashboards';
/** Folder of the k6 load tests. */
export const LOADTESTS_DIR = 'loadtests';

/**
 * The files one service needs, by file name: rules, promtool tests and its scrape config.
 *
 * @example
 * plainFiles(resolveService(checkout)); // { 'shop-checkout.rules.yaml': ..., 'tests/shop-checkout.traffic-drop.15m.test.yaml': ..., 'shop-checkout.scrape.yaml': ... }
 */
export function plainFiles(model: ServiceModel, discovery?: ScrapeDiscovery): Record<string, string> {
  const base = `${model.namespace}-${model.name}`;
  const tests = ruleTests(model, (subset) => (subset === undefined ? `../${base}.rules.yaml` : `${base}.${subset}.rules.yaml`));
  return {
    [`${base}.rules.yaml`]: toYaml(serviceRules(model)),
    ...Object.fromEntries(Object.entries(tests.subsets).map(([scope, rules]) => [`${TESTS_DIR}/${base}.${scope}.rules.yaml`, toYaml(rules)])),
    ...Object.fromEntries(Object.entries(tests.files).map(([name, file]) => [`${TESTS_DIR}/${base}.${name}.test.yaml`, toYaml(file)])),
    [`${base}.scrape.yaml`]: toYaml({ scrape_configs: [scrapeConfig(model, discovery)] }),
  };
}

/** Options of {@link fleetPlainFiles}. */
export interface PlainFilesOptions {
  /**
   * Fixed scrape targets (`host:port`) per service, keyed `<namespace>/<name>`, for a Prometheus outside
   * Kubernetes. Those services' scrape files list these targets instead of discovering endpoints.
   * @default every service uses Kubernetes endpoints discovery
   * @example { 'bank/ledger': ['10.0.3.7:9464', '10.0.3.8:9464'] }
   */
  readonly staticTargets?: Readonly<Record<string, readonly string[]>>;
  /** Name of the fleet overview (part of its uid). @default 'services' (uid `gs-all-services-fleet`) */
  readonly fleetName?: string;
  /** Where Alertmanager finds the mounted Secrets the receivers read. @default '/etc/alertmanager/secrets' */
  readonly secretsDir?: string;
  /** Alertmanager release alertmanager.yml must load in, `major.minor`. @default '0.25' */
  readonly alertmanagerVersion?: string;
}

/** `host:port`, host a DNS name, IPv4 or bracketed IPv6 address. */
const TARGET = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):\d{1,5}$/;

/**
 * Every plain file of a fleet, by path under the repository root (see the module comment for the layout).
 *
 * @throws Error naming the key when `staticTargets` names no service of the fleet, or a target is not `host:port`.
 * @example
 * fleetPlainFiles([resolveService(ledger), resolveService(payouts)], { staticTargets: { 'bank/ledger': ['10.0.3.7:9464'] } });
 */
export function fleetPlainFiles(models: readonly ServiceModel[], options: PlainFilesOptions = {}): Record<string, string> {
  const targets = checkedStaticTargets(models, options.staticTargets ?? {});
  const files: Record<string, string> = {};
  for (const model of models) {
    const fixed = targets.get(`${model.namespace}/${model.name}`);
    const discovery: ScrapeDiscovery = fixed ? { kind: 'static', targets: fixed } : { kind: 'kubernetes' };
    for (const [name, text] of Object.entries(plainFiles(model, discovery))) files[`${ALERTS_DIR}/${name}`] = text;
  }
  files[`${ALERTS_DIR}/alertmanager.yml`] = renderAlertmanagerConfig(models, { secretsDir: options.secretsDir, alertmanagerVersion: options.alertmanagerVersion });
  for (const [name, text] of Object.entries(dashboardFiles(appDashboards(models, { name: options.fleetName })))) files[`${DASHBOARDS_DIR}/${name}`] = text;
  for (const model of models) {
    const plan = loadTestPlan(model);
    if (plan) files[`${LOADTESTS_DIR}/${model.namespace}-${model.name}.k6.js`] = k6Script(plan);
  }
  return files;
}

function checkedStaticTargets(models: readonly ServiceModel[], staticTargets: Readonly<Record<string, readonly string[]>>): Map<string, readonly string[]> {
  const known = models.map((m) => `${m.namespace}/${m.name}`);
  const problems: string[] = [];
  for (const [key, targets] of Object.entries(staticTargets)) {
    if (!known.includes(key)) problems.push(`staticTargets["${key}"]: no such service; the keys are "<namespace>/<name>" of the app's services: ${known.join(', ')}`);
    if (!Array.isArray(targets) || targets.length === 0) problems.push(`staticTargets["${key}"]: got ${JSON.stringify(targets)}; must be a non-empty list of "host:port"`);
    else for (const t of targets) if (typeof t !== 'string' || !TARGET.test(t)) problems.push(`staticTargets["${key}"]: got ${JSON.stringify(t)}; each target must be "host:port", e.g. "10.0.3.7:9464"`);
  }
  if (problems.length > 0) throw new Error(`Invalid plain-file options (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
  return new Map(Object.entries(staticTargets));
}
