/**
 * cdk8s-golden-signals: one typed service definition → Prometheus rules, alert routing, Grafana dashboards,
 * autoscaling and the instrumentation contract for the Four Golden Signals.
 *
 * @example
 * import { App, Chart } from 'cdk8s';
 * import { defineService, GoldenSignals } from 'cdk8s-golden-signals';
 *
 * const checkout = defineService({
 *   name: 'checkout', namespace: 'shop', team: 'payments', metrics: { port: 9464 },
 *   slos: { availability: { objective: 99.9 }, latency: { objective: 99, threshold: '300ms' } },
 * });
 * const chart = new Chart(new App(), 'shop', { disableResourceNameHashes: true });
 * new GoldenSignals(chart, 'checkout', { service: checkout });
 */
// First: a clear error when a synth-side peer dependency is missing (see synth-peers.ts).
import './synth-peers';
export * from './spec';
export { resolveService, ServiceDefinitionError, dashboardUid, sharedDatabaseProblems } from './model';
export type { ServiceModel, SloModel, BurnTierModel, DefinitionProblem, DefinitionWarning, PoolModel } from './model';
export { serviceRules, ruleTests, toYaml } from './rules';
export type { RuleFile, RuleGroup, Rule, AlertingRule, RecordingRule, PromtoolTestFile } from './rules';
export { serviceMonitorSpec, scrapeConfig, type ScrapeDiscovery } from './scrape';
export { serviceDashboard, serviceDashboards, budgetReport, budgetReportQueries, fleetDashboard, appDashboards, dashboardFiles, dashboardQueries } from './dashboards';
export { renderAlertmanagerConfig } from './routing';
export { GoldenSignals, SLO_WINDOW_RULE_TIER, type GoldenSignalsProps } from './constructs/golden-signals';
export { GrafanaDashboards, type GrafanaDashboardsProps, type DashboardDelivery, type DeferredDashboard } from './constructs/dashboards';
export { FleetOverview, type FleetOverviewProps } from './constructs/fleet-overview';
export { writePlainFiles, type WritePlainFilesOptions } from './constructs/plain-files';
export { ServiceAutoscaling, type ServiceAutoscalingProps } from './constructs/scaling';
export { AlertRouting, TeamAlertRouting, type AlertRoutingProps, type TeamAlertRoutingProps } from './constructs/alert-routing';
export { stackLabels, type StackMode } from './constructs/selectors';
export { ObservabilityStack, type ObservabilityStackProps } from './constructs/observability-stack';
export { plainFiles, fleetPlainFiles, type PlainFilesOptions } from './plain';
