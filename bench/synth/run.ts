/**
 * Synth benchmark: time and peak memory of turning N service definitions into rules and dashboards (pure
 * data) and into a full cdk8s App rendered to YAML, for N = 10, 100, 500.
 *
 *   npx ts-node --transpile-only bench/synth/run.ts [--reps 5] [--sizes 10,100,500] [--profile] [--features objectives]
 *   npm run bench:synth
 *
 * Every measurement is a fresh child process (child.ts) so its peak RSS is its own; repetitions are
 * interleaved across sizes and phases, so a burst of load from other jobs on the machine smears over all
 * of them instead of skewing one size. The load average is recorded around every child.
 * --profile adds one CPU-profiled child per phase at the largest size and prints where the time went.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildResult } from './child';
import { namespaceCount, shapeCounts } from './fleet';
import { formatSummary, inclusiveMs, readProfile, summarise } from './profile';

const CHILD = path.join(__dirname, 'child.ts');
/** A child that takes longer than this is killed and the run fails: no size may hang the benchmark. */
const CHILD_TIMEOUT_MS = 10 * 60_000;
const PHASES = ['pure', 'synth'] as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const REPS = Math.min(20, Math.max(1, Number(arg('reps', '5'))));
const SIZES = arg('sizes', '10,100,500')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0 && n <= 5000);
const PROFILE = process.argv.includes('--profile');
// `--features objectives`: the fleet uses several latency objectives and journeys (see fleet.ts); children inherit it.
if (arg('features', '') !== '') process.env.GS_BENCH_FEATURES = arg('features', '');

interface Measured extends ChildResult {
  readonly load1: number;
}

function runChild(services: number, phase: string, extraNodeArgs: string[] = []): Measured {
  const load1Before = os.loadavg()[0];
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', ...extraNodeArgs, CHILD, String(services), phase], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`child ${services} ${phase} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
  return { ...result, load1: (load1Before + os.loadavg()[0]) / 2 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** "median (min–max)". */
function spread(xs: readonly number[], digits = 0): string {
  return `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;
}

function machine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return `nproc ${os.availableParallelism()}, ${cpu}, Node ${process.version}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`;
}

function main(): void {
  if (SIZES.length === 0) throw new Error('no valid --sizes');
  console.log(`machine: ${machine()}`);
  console.log(`sizes ${SIZES.join(', ')}; ${REPS} repetitions per size and phase, each a fresh process; load average (1m) at start ${os.loadavg()[0].toFixed(2)}`);
  for (const n of SIZES) console.log(`fleet of ${n}: ${namespaceCount(n)} namespaces, shapes ${JSON.stringify(shapeCounts(n))}`);

  const results: Measured[] = [];
  const started = Date.now();
  for (let rep = 0; rep < REPS; rep++) {
    for (const n of SIZES) {
      for (const phase of PHASES) {
        const m = runChild(n, phase);
        results.push(m);
        process.stderr.write(`rep ${rep + 1}/${REPS} n=${n} ${phase}: ${fmt(m.totalMs)} ms, start-up ${fmt(m.startupMs)} ms, peak RSS ${fmt(m.maxRssMiB)} MiB, load ${m.load1.toFixed(2)}\n`);
      }
    }
  }
  const of = (n: number, phase: string) => results.filter((r) => r.services === n && r.phase === phase);
  const loads = results.map((r) => r.load1);

  console.log(`\nran ${fmt((Date.now() - started) / 1000)} s; load average (1m) over the children: median ${median(loads).toFixed(2)}, range ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}\n`);

  console.log('| services | charts | constructs (scaling) | rules | YAML bytes | YAML docs | (a) pure ms | (b) synth ms | start-up ms | peak RSS (a) MiB | peak RSS (b) MiB | RSS before work MiB | heap retained by the output (a) / (b) MiB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of SIZES) {
    const a = of(n, 'pure');
    const b = of(n, 'synth');
    console.log(
      `| ${n} | ${namespaceCount(n) + 1} | ${fmt(b[0].output.constructs)} (${fmt(b[0].output.scalingConstructs)}) | ${fmt(a[0].output.rules)} | ${fmt(b[0].output.yamlBytes)} | ${fmt(b[0].output.documents)} | ` +
        `${spread(a.map((r) => r.totalMs))} | ${spread(b.map((r) => r.totalMs))} | ${fmt(median([...a, ...b].map((r) => r.startupMs)))} | ` +
        `${fmt(median(a.map((r) => r.maxRssMiB)))} | ${fmt(median(b.map((r) => r.maxRssMiB)))} | ${fmt(median([...a, ...b].map((r) => r.rssBeforeMiB)))} | ` +
        `${fmt(median(a.map((r) => r.heapAfterMiB - r.heapBeforeMiB)), 1)} / ${fmt(median(b.map((r) => r.heapAfterMiB - r.heapBeforeMiB)), 1)} |`,
    );
  }

  console.log('\nSteps, median ms:\n');
  const stepNames = (phase: string) => Object.keys(results.find((r) => r.phase === phase)!.steps);
  const cols = [...stepNames('pure').map((s) => `(a) ${s}`), ...stepNames('synth').map((s) => `(b) ${s}`)];
  console.log(`| services | ${cols.join(' | ')} |`);
  console.log(`| ---: | ${cols.map(() => '---:').join(' | ')} |`);
  for (const n of SIZES) {
    const cells = [
      ...stepNames('pure').map((s) => fmt(median(of(n, 'pure').map((r) => r.steps[s])), 1)),
      ...stepNames('synth').map((s) => fmt(median(of(n, 'synth').map((r) => r.steps[s])), 1)),
    ];
    console.log(`| ${n} | ${cells.join(' | ')} |`);
  }

  // Growth: cost per service at each size, and the marginal cost between consecutive sizes. Linear growth
  // shows as a constant marginal cost; a rising one means something is worse than linear.
  console.log('\nGrowth (medians):\n');
  console.log('| services | (a) ms / service | (b) ms / service | (a) marginal ms / added service | (b) marginal ms / added service | (b) marginal peak RSS KiB / added service |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  SIZES.forEach((n, i) => {
    const ta = median(of(n, 'pure').map((r) => r.totalMs));
    const tb = median(of(n, 'synth').map((r) => r.totalMs));
    const rb = median(of(n, 'synth').map((r) => r.maxRssMiB));
    let marginal = '– | – | –';
    if (i > 0) {
      const p = SIZES[i - 1];
      const d = n - p;
      const pa = median(of(p, 'pure').map((r) => r.totalMs));
      const pb = median(of(p, 'synth').map((r) => r.totalMs));
      const prb = median(of(p, 'synth').map((r) => r.maxRssMiB));
      marginal = `${fmt((ta - pa) / d, 2)} | ${fmt((tb - pb) / d, 2)} | ${fmt(((rb - prb) * 1024) / d)}`;
    }
    console.log(`| ${n} | ${fmt(ta / n, 2)} | ${fmt(tb / n, 2)} | ${marginal} |`);
  });

  if (PROFILE) profile(SIZES[SIZES.length - 1]);
}

/** One CPU-profiled child per phase: where the measured phase spends its time, and where start-up does. */
function profile(n: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-prof-'));
  try {
    for (const phase of PHASES) {
      const phaseDir = path.join(dir, phase);
      const m = runChild(n, phase, ['--cpu-prof', `--cpu-prof-dir=${phaseDir}`]);
      const file = path.join(phaseDir, fs.readdirSync(phaseDir).find((f) => f.endsWith('.cpuprofile'))!);
      const p = readProfile(file);
      console.log(`\nProfile, ${n} services, (${phase === 'pure' ? 'a' : 'b'}) ${phase} phase only (${fmt(m.totalMs)} ms wall, profiler on):\n`);
      console.log(formatSummary(summarise(p, m.phaseStartUs, m.phaseEndUs), 10));
      if (phase === 'synth') {
        // ServiceAutoscaling's duplicate-workload validation walks the whole tree (findAll) once per instance.
        const validation = inclusiveMs(p, 'validate', 'src/constructs/scaling.ts', m.phaseStartUs, m.phaseEndUs);
        const phaseMs = summarise(p, m.phaseStartUs, m.phaseEndUs).totalMs;
        console.log(
          `\nInclusive time in ServiceAutoscaling's validation (src/constructs/scaling.ts, one root.node.findAll() per instance; ` +
            `${fmt(m.output.scalingConstructs)} instances × ${fmt(m.output.constructs)} constructs): ${fmt(validation)} ms, ${((100 * validation) / phaseMs).toFixed(1)}% of the phase`,
        );
        console.log(`\nProfile, start-up of the same process (${fmt(m.startupMs)} ms wall):\n`);
        console.log(formatSummary(summarise(p, -Infinity, m.phaseStartUs), 6));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
