/**
 * `npm run simulate -- <service> <profile> [options]`: runs a service of the example fleet through the HPA
 * simulator, prints a table and writes an SVG chart.
 *
 *   --behavior <preset>    simulate with another behavior preset than the definition's
 *   --max-replicas <n>     override maxReplicas (e.g. to size for a 50K rps flash crowd)
 *   --startup <seconds>    pod start-up delay (default 60)
 *   --every <seconds>      table row interval (default 60)
 *   --compare              kubernetes-default vs spiky vs a fixed fleet sized for the peak
 *   --out <file.svg>       chart path (default bench/results/simulate-<service>-<profile>.svg)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as examples from '../../../examples/services';
import { resolveService } from '../../model/resolve';
import type { ServiceModel } from '../../model/types';
import type { BehaviorPresetName, ScalingPolicy } from '../../spec/scaling';
import type { ServiceDefinition } from '../../spec/service';
import { BEHAVIOR_PRESET_NAMES } from '../presets';
import { PROFILES, profilePeak } from './profiles';
import { simulate, SimulationResult } from './simulate';
import { simulationSvg } from './svg';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(argv: string[]): void {
  const positional = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--') && argv[i - 1] !== '--compare'));
  const [serviceName, profileName] = positional;
  const services = (Object.values(examples) as unknown[]).filter((v): v is ServiceDefinition => !Array.isArray(v) && typeof v === 'object' && v !== null && 'name' in v);
  const usage = `usage: npm run simulate -- <service> <profile> [--behavior ${BEHAVIOR_PRESET_NAMES.join('|')}] [--max-replicas N] [--startup S] [--every S] [--compare] [--out file.svg]\n  services: ${services.map((s) => s.name).join(', ')}\n  profiles: ${Object.keys(PROFILES).join(', ')}`;
  const definition = services.find((s) => s.name === serviceName) ?? fail(`unknown service "${serviceName ?? ''}"\n${usage}`);
  const profile = PROFILES[profileName ?? ''] ?? fail(`unknown profile "${profileName ?? ''}"\n${usage}`);
  const behavior = flag(argv, '--behavior') as BehaviorPresetName | undefined;
  const maxReplicas = flag(argv, '--max-replicas');
  const startup = Number(flag(argv, '--startup') ?? 60);
  const every = Number(flag(argv, '--every') ?? 60);
  const scaling: ScalingPolicy = { ...(definition.scaling ?? fail(`service "${definition.name}" has no scaling section`)) };
  const withOverrides = (b?: BehaviorPresetName): ServiceModel =>
    resolveService({ ...definition, scaling: { ...scaling, ...(maxReplicas ? { maxReplicas: Number(maxReplicas) } : {}), ...(b ? { behavior: b } : {}) } });

  const started = process.hrtime.bigint();
  let runs: SimulationResult[];
  if (argv.includes('--compare')) {
    const model = withOverrides();
    const fixed = Math.ceil(profilePeak(profile) / (model.capacity.requestsPerSecond ?? 1));
    runs = [simulate(withOverrides('kubernetes-default'), profile, { podStartupSeconds: startup }), simulate(withOverrides('spiky'), profile, { podStartupSeconds: startup }), simulate(model, profile, { fixedReplicas: fixed, podStartupSeconds: startup })];
  } else {
    runs = [simulate(withOverrides(behavior), profile, { podStartupSeconds: startup })];
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

  const out: string[] = [];
  out.push(`${definition.name} under ${profile.name} (${profile.description}); capacity ${runs[0].capacityPerPod} rps/pod, pod start-up ${startup}s, sync 15s, tolerance 0.1`);
  for (const r of runs) {
    out.push('', `policy ${r.policy}`);
    out.push(table(['t', 'traffic rps', 'replicas', 'ready', 'rps/pod', 'of capacity', 'overload', 'reason'], r.steps.filter((s) => s.t % every === 0).map((s) => [
      clock(s.t), s.requestsPerSecond.toFixed(0), String(s.replicas), String(s.readyReplicas), Number.isFinite(s.loadPerPod) ? s.loadPerPod.toFixed(1) : '∞',
      Number.isFinite(s.loadPerPod) ? `${((s.loadPerPod / r.capacityPerPod) * 100).toFixed(0)}%` : '∞', `${(s.overloadShare * 100).toFixed(1)}%`, s.reason,
    ])));
  }
  out.push('', 'totals');
  out.push(table(['policy', 'overload share', 'pod-hours', 'peak replicas', 'time to recover', 'overloaded'], runs.map((r) => [
    r.policy, `${(r.totals.overloadShare * 100).toFixed(2)}%`, r.totals.podHours.toFixed(1), String(r.totals.peakReplicas), `${r.totals.timeToRecoverSeconds}s`, `${r.totals.overloadedSeconds}s`,
  ])));
  out.push('', `simulated ${runs.length} run(s) in ${elapsedMs.toFixed(0)} ms on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), Node ${process.version}`);

  const file = flag(argv, '--out') ?? path.join('bench', 'results', `simulate-${definition.name}-${profile.name}${argv.includes('--compare') ? '-compare' : ''}.svg`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, simulationSvg(runs));
  out.push(`chart: ${file}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function clock(t: number): string {
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

main(process.argv.slice(2));
