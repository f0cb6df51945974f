/**
 * The shim benchmark: throughput and p99 against bare servers and peers, ns per observation, render time.
 * Loopback only; every load loop bounded (ROUNDS rounds; per round and configuration a fresh bare and a fresh
 * configured server, 8 s of warm-up at the same time, then SLICES alternating slices of SLICE_S seconds
 * each); the whole run takes about 45 minutes on 2 cores. Prints Markdown tables for BENCHMARKS.md.
 *
 * Run: `npx ts-node --transpile-only bench/shim/run.ts`
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { compiled, measure, median, PIN, pinLoadGenerator, Run, start } from './harness';
import type { Config, Framework } from './server';

/** Rounds per configuration (env ROUNDS); more rounds narrow the spread on a noisy machine. */
const ROUNDS = Number(process.env.ROUNDS ?? 7);
/** Frameworks to run (env FRAMEWORKS, comma-separated), default all. */
const ONLY = process.env.FRAMEWORKS?.split(',');
/** Configurations to run besides bare (env CONFIGS, comma-separated), default all. */
const ONLY_CONFIGS = process.env.CONFIGS?.split(',');
const INITIAL_WARMUP_S = Number(process.env.INITIAL_WARMUP_S ?? 8);
/** Slices per pair (env SLICES) and the seconds of each (env SLICE_S). */
const SLICES = Number(process.env.SLICES ?? 6);
const SLICE_S = Number(process.env.SLICE_S ?? 1);

const CONFIGS: Record<Framework, Config[]> = {
  node: ['bare', 'bare-control', 'shim', 'prom-client', 'otel'],
  express: ['bare', 'bare-control', 'noop-middleware', 'shim', 'shim-http', 'prom-client', 'express-prom-bundle', 'otel'],
  fastify: ['bare', 'bare-control', 'noop-hook', 'shim', 'prom-client', 'otel'],
};

/** One server's slices of a pair as one run: the median of each figure. */
function combine(slices: readonly Run[]): Run {
  const of = (f: (r: Run) => number) => median(slices.map(f));
  return { rps: of((r) => r.rps), p99: of((r) => r.p99), requests: of((r) => r.requests), cpuPerRequest: of((r) => r.cpuPerRequest) };
}

/** `96.5% (95.8–96.8)`: the median ratio and its interquartile range. */
function percentWithQuartiles(ratios: readonly number[]): string {
  const sorted = [...ratios].sort((a, b) => a - b);
  const at = (q: number) => (100 * sorted[Math.round(q * (sorted.length - 1))]).toFixed(1);
  return `${(100 * median(sorted)).toFixed(1)}% (${at(0.25)}–${at(0.75)})`;
}

/**
 * Paired runs, each pair on two fresh processes that serve the same load. For every round and configuration,
 * a new bare server and a new server of the configuration start side by side and serve INITIAL_WARMUP_S of
 * load at the same time. Then SLICES short runs alternate between them, ABBA, and the round's ratio is the
 * median of the slice pairs' ratios.
 * - Pairs: the shared machine's speed drifts by several percent over tens of seconds; two runs seconds apart
 *   see the same machine (the unpaired version reported prom-client faster than the shim on node:http).
 * - Slices: with one 2 s run per server, seconds apart, two identical bare servers still came out at
 *   99–133% (node:http) and 93–113% (Express) of each other on a busy day (2026-12-02); a burst on the VM
 *   spoiled the whole round. With slices a burst spoils a slice pair, and the median drops it. Each server
 *   sits idle for at most two slices, too short to go cache- and GC-cold (an idle server measured without
 *   warm-up cost Express ~17%).
 * - Not both at once on the same core: two servers sharing core 1 under simultaneous load context-switched
 *   so often that bare node:http cost 43 µs per request instead of ~25 µs that hour, which measures the
 *   switching.
 * - Fresh processes: identical bare Express servers started side by side differed by up to 7% in CPU per
 *   request for as long as they ran (JIT and heap layout settle differently per process), so one process per
 *   configuration measures that process, not the configuration.
 * - The same load for both: with one bare server per round, measured in every pair, the `bare-control` row (a
 *   second bare process) came out at 102% on node:http and 108% on Express. The bare server that had served
 *   more load was the slower one.
 */
async function throughput(): Promise<string[]> {
  const rows: string[] = [];
  for (const framework of (Object.keys(CONFIGS) as Framework[]).filter((f) => !ONLY || ONLY.includes(f))) {
    const configs = CONFIGS[framework].filter((c) => c === 'bare' || !ONLY_CONFIGS || ONLY_CONFIGS.includes(c));
    const runs = new Map<Config, Run[]>(configs.map((c) => [c, []]));
    const ratios = new Map<Config, number[]>(configs.map((c) => [c, []]));
    const cpuRatios = new Map<Config, number[]>(configs.map((c) => [c, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of configs.slice(1)) {
        const order = round % 2 === 0 ? (['bare', c] as const) : ([c, 'bare'] as const);
        const servers = new Map(await Promise.all(order.map(async (x) => [x, await start(framework, x)] as const)));
        const slices: Record<'bare' | 'other', Run[]> = { bare: [], other: [] };
        try {
          // First a stretch of load, both at once so that neither then sits idle while the other warms up.
          // Express kept getting faster for seconds of load (JIT tiering and V8's adaptive new-space sizing);
          // warmed one after the other, the server warmed first measured 4–8% slower in CPU per request on
          // Express (2026-12-02, the bare-control ratio followed the start order round by round).
          await Promise.all(order.map((x) => measure(servers.get(x)!, INITIAL_WARMUP_S)));
          // Then short slices, alternating bare and the configuration (ABBA), each server idle for at most
          // two slices: a burst on the shared VM lasting a second or two spoils one slice pair, not the round.
          for (let slice = 0; slice < SLICES; slice++) {
            for (const x of slice % 2 === 0 ? order : [...order].reverse()) {
              slices[x === 'bare' ? 'bare' : 'other'].push(await measure(servers.get(x)!, SLICE_S));
            }
          }
        } finally {
          for (const s of servers.values()) s.child.kill();
        }
        const bare = combine(slices.bare);
        const other = combine(slices.other);
        const perSlicePair = (ratio: (bare: Run, other: Run) => number) => median(slices.bare.map((b, i) => ratio(b, slices.other[i])));
        ratios.get(c)!.push(perSlicePair((b, o) => o.rps / b.rps));
        cpuRatios.get(c)!.push(perSlicePair((b, o) => b.cpuPerRequest / o.cpuPerRequest));
        runs.get('bare')!.push(bare);
        runs.get(c)!.push(other);
      }
      const roundCpu = configs.slice(1).map((c) => `${c} ${(100 * cpuRatios.get(c)![round]).toFixed(1)}%`);
      console.error(`${framework}: round ${round + 1} of ${ROUNDS}, CPU per request bare ÷ config: ${roundCpu.join(', ')}`);
    }
    const bareP99 = median(runs.get('bare')!.map((r) => r.p99));
    for (const c of configs) {
      const rps = runs.get(c)!.map((r) => r.rps);
      const cpu = runs.get(c)!.map((r) => r.cpuPerRequest);
      const addedP99 = median(runs.get(c)!.map((r) => r.p99)) - bareP99;
      const cells =
        c === 'bare'
          ? ['100.0%', '100.0%', `${bareP99} ms`]
          : [percentWithQuartiles(ratios.get(c)!), percentWithQuartiles(cpuRatios.get(c)!), `${addedP99 >= 0 ? '+' : ''}${addedP99.toFixed(1)} ms`];
      rows.push(`| ${framework} | ${c} | ${Math.round(median(rps)).toLocaleString('en-US')} | ${median(cpu).toFixed(2)} | ${cells.join(' | ')} |`);
    }
    console.error(`done: ${framework}`);
  }
  return rows;
}

function micro(which: string): Record<string, number> {
  const out = execFileSync(process.execPath, ['--expose-gc', compiled('observe'), which], { encoding: 'utf8', timeout: 180_000 });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

async function main(): Promise<void> {
  const cpu = /model name\s*:\s*(.*)/.exec(require('node:fs').readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  pinLoadGenerator();
  console.log(`Machine: ${os.cpus().length} cores (nproc ${nproc}), ${cpu}, Node ${process.version}`);
  console.log(PIN ? 'Pinned: autocannon on core 0, each server on core 1.\n' : 'Not pinned: autocannon and servers share the cores.\n');
  // MICRO=0 skips the micro-benchmarks (about a minute) when iterating on throughput.
  if (process.env.MICRO !== '0') {
    const observe = ['observe-shim', 'observe-prom-client', 'observe-otel'].map((c) => [c, micro(c).nsPerOp] as const);
    const render = ['render-shim', 'render-prom-client', 'render-shim-via-prom-client'].map((c) => [c, micro(c)] as const);
    console.log('| observation (3 labels, 120 series) | ns/op, median of 7 × 2M |\n| --- | --- |');
    for (const [c, ns] of observe) console.log(`| ${c.replace('observe-', '')} | ${ns.toFixed(1)} |`);
    console.log('\n| render 1,000 histogram series | sample lines | ms, median of 25 |\n| --- | --- | --- |');
    for (const [c, r] of render) console.log(`| ${c.replace('render-', '')} | ${r.lines} | ${r.msPerRender.toFixed(2)} |`);
  }
  console.log(
    `\n| framework | config | req/s (median) | server CPU µs/request (median) | throughput, % of bare: median of ${ROUNDS} paired ratios (IQR) | CPU per request, bare ÷ config (IQR) | p99 (bare) / added p99 |\n| --- | --- | --- | --- | --- | --- | --- |`,
  );
  for (const row of await throughput()) console.log(row);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
