/**
 * One measurement, in a fresh process: `child.ts <services> <pure|synth>`. Prints one JSON line.
 *
 * Run by bench/synth/run.ts, never by hand. A fresh process per measurement makes the peak RSS belong to
 * this size and phase alone, and makes the timing what `cdk8s synth` sees: a cold start, JIT included.
 *
 * - pure: resolveService + serviceRules + every dashboard (per service, and a fleet overview per namespace)
 *   + the scaling objects, as plain data. No cdk8s.
 * - synth: the cdk8s App as examples/main.ts builds it (one chart per namespace with a GoldenSignals per
 *   service, a platform chart with the fleet overviews), rendered with app.synthYaml(). Nothing is written.
 *
 * One fleet overview per namespace rather than one for all: a fleet dashboard grows by ~7.5 KB per service,
 * and GrafanaDashboards refuses a ConfigMap over 250,000 bytes (kubectl apply's annotation limit), which a
 * single overview crosses at a few dozen services. Namespaces hold ~20 services (fleet.ts).
 */
import { performance } from 'node:perf_hooks';
import { App, Chart } from 'cdk8s';
import { GrafanaDashboards } from '../../src/constructs/dashboards';
import { GoldenSignals } from '../../src/constructs/golden-signals';
import { ServiceAutoscaling } from '../../src/constructs/scaling';
import { appDashboards, fleetDashboard, fleetDashboardUid } from '../../src/dashboards';
import type { ServiceDefinition } from '../../src/spec';
import { resolveService, ServiceModel } from '../../src/model';
import { serviceRules } from '../../src/rules';
import { scalingArtifacts } from '../../src/scaling/manifests';
import { syntheticFleet } from './fleet';

export interface ChildResult {
  readonly services: number;
  readonly phase: 'pure' | 'synth';
  /** ms from process start to the first line of main(): node, ts-node and every module (transpiled on load). */
  readonly startupMs: number;
  /** ms of the measured phase. */
  readonly totalMs: number;
  /** ms per step of the phase, in order. */
  readonly steps: Record<string, number>;
  /** Size of the output, as a check that the work was done: rules, panels, or YAML bytes and documents. */
  readonly output: Record<string, number>;
  /** RSS before the phase (after loading modules) and the process's peak RSS, in MiB. */
  readonly rssBeforeMiB: number;
  readonly maxRssMiB: number;
  /**
   * V8 heap in use after a full GC before the phase and after it (its output still referenced): what the
   * phase's results occupy. Start-up (ts-node running the TypeScript compiler) peaks at ~210 MiB RSS on its
   * own, which hides any phase smaller than that in maxRSS.
   */
  readonly heapBeforeMiB: number;
  readonly heapAfterMiB: number;
  /** The phase on the monotonic clock V8's CPU profiles use (µs), so a profile can be cut to the phase. */
  readonly phaseStartUs: number;
  readonly phaseEndUs: number;
}

/** CLOCK_MONOTONIC in µs: the clock of a `.cpuprofile`'s startTime and sample times on Linux. */
function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** A full collection; run.ts starts children with --expose-gc. */
function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
}

function timed<T>(steps: Record<string, number>, name: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  steps[name] = (steps[name] ?? 0) + performance.now() - t0;
  return out;
}

/** Items grouped by namespace, namespaces in first-seen order. */
function byNamespace<T extends Pick<ServiceDefinition, 'namespace'>>(items: readonly T[]): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.namespace);
    if (group) group.push(item);
    else groups.set(item.namespace, [item]);
  }
  return [...groups];
}

interface PhaseResult {
  /** What the phase produced, kept referenced until memory is measured. */
  readonly keep: unknown;
  /** Sizes of the output, computed after the clock stops. */
  readonly output: () => Record<string, number>;
}

function pure(fleet: readonly ServiceDefinition[], steps: Record<string, number>): PhaseResult {
  const models: ServiceModel[] = timed(steps, 'resolve', () => fleet.map(resolveService));
  const rules = timed(steps, 'rules', () => models.map(serviceRules));
  const dashboards = timed(steps, 'dashboards', () =>
    byNamespace(models).flatMap(([namespace, ms]) => appDashboards(ms, { name: namespace })),
  );
  const scaling = timed(steps, 'scaling', () => models.map((m) => scalingArtifacts(m)));
  const output = () => ({
    rules: rules.reduce((a, f) => a + f.groups.reduce((b, g) => b + g.rules.length, 0), 0),
    dashboards: dashboards.length,
    panels: dashboards.reduce((a, d) => a + JSON.stringify(d).split('"gridPos"').length - 1, 0),
    scalingObjects: scaling.filter((s) => s !== undefined).length,
  });
  return { output, keep: [models, rules, dashboards, scaling] };
}

function synth(fleet: readonly ServiceDefinition[], steps: Record<string, number>): PhaseResult {
  const yaml = timed(steps, 'construct', () => {
    const app = new App();
    const platform = new Chart(app, 'platform', { namespace: 'monitoring', disableResourceNameHashes: true });
    for (const [namespace, services] of byNamespace(fleet)) {
      const chart = new Chart(app, namespace, { namespace, disableResourceNameHashes: true });
      const fleetUid = fleetDashboardUid(namespace);
      for (const service of services) new GoldenSignals(chart, service.name, { service, fleetDashboardUid: fleetUid });
      new GrafanaDashboards(platform, `fleet-${namespace}`, { dashboards: [fleetDashboard(services.map(resolveService), { name: namespace })] });
    }
    return app;
  });
  const text = timed(steps, 'synthYaml', () => yaml.synthYaml());
  const output = () => ({
    yamlBytes: Buffer.byteLength(text),
    documents: text.split(/^---$/m).length,
    // Validation walks the tree: its cost grows with constructs × validations (see BENCHMARKS.md).
    constructs: yaml.node.findAll().length,
    scalingConstructs: yaml.node.findAll().filter((c) => c instanceof ServiceAutoscaling).length,
  });
  return { output, keep: [yaml, text] };
}

function main(): void {
  const n = Number(process.argv[2]);
  const phase = process.argv[3];
  if (!Number.isInteger(n) || n <= 0 || (phase !== 'pure' && phase !== 'synth')) {
    throw new Error('usage: child.ts <services> <pure|synth>');
  }
  // performance.now() counts from the process's time origin, i.e. its start.
  const startupMs = performance.now();
  const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
  const fleet = syntheticFleet(n);
  fullGc();
  const heapBeforeMiB = process.memoryUsage().heapUsed / 2 ** 20;
  const steps: Record<string, number> = {};
  const phaseStartUs = monotonicUs();
  const t0 = performance.now();
  const { output, keep } = phase === 'pure' ? pure(fleet, steps) : synth(fleet, steps);
  const totalMs = performance.now() - t0;
  const phaseEndUs = monotonicUs();
  fullGc();
  const heapAfterMiB = process.memoryUsage().heapUsed / 2 ** 20;
  if (keep === undefined) throw new Error('unreachable: keeps the output alive until here');
  // resourceUsage().maxRSS is in KiB (getrusage ru_maxrss on Linux).
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const result: ChildResult = {
    services: n,
    phase,
    startupMs,
    totalMs,
    steps,
    output: output(),
    rssBeforeMiB,
    maxRssMiB,
    heapBeforeMiB,
    heapAfterMiB,
    phaseStartUs,
    phaseEndUs,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
