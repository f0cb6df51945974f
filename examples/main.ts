/**
 * The example cdk8s app: the fleet of examples/services.ts as Kubernetes manifests in dist/ (one folder
 * per chart, one file per resource), plus the reviewed plain artefacts: alerts/ (rule files, promtool
 * tests, alertmanager.yml) and dashboards/ (Grafana JSON). `npm run synth` runs it; the tests check that
 * what is committed equals a fresh run.
 */
import * as path from 'node:path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { fleet } from './services';
import { GoldenSignals } from '../src/constructs/golden-signals';
import { ObservabilityStack } from '../src/constructs/observability-stack';
import { writePlainFiles } from '../src/constructs/plain-files';
import { fleetDashboard } from '../src/dashboards';
import { resolveService } from '../src/model';
import { adapterConfig } from '../src/scaling/manifests';

const app = new App({ yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
const models = fleet.map(resolveService);

// One chart per namespace: what a GitOps repo usually syncs as one application.
for (const namespace of [...new Set(fleet.map((s) => s.namespace))]) {
  const chart = new Chart(app, namespace, { namespace, disableResourceNameHashes: true });
  for (const service of fleet.filter((s) => s.namespace === namespace)) new GoldenSignals(chart, service.name, { service });
}
// The platform: Prometheus, Alertmanager, Grafana (with the fleet overview; the service dashboards come from
// each namespace, so the sidecar watches them all) and prometheus-adapter serving the HPA's custom metrics.
const platform = new Chart(app, 'platform', { namespace: 'monitoring', disableResourceNameHashes: true });
new ObservabilityStack(platform, 'stack', {
  services: models,
  dashboards: [fleetDashboard(models)],
  grafana: { dashboardNamespaces: 'all', tracing: { kind: 'tempo', url: 'http://tempo.tracing.svc:3200' } },
  adapterConfigs: models.flatMap((m) => (m.scaling ? (adapterConfig(m) ?? []) : [])),
});

app.synth();
// GS_ARTIFACTS_DIR lets the tests regenerate into a scratch folder and compare with the committed copy.
writePlainFiles(app, { outdir: process.env.GS_ARTIFACTS_DIR ?? path.join(__dirname, '..') });
