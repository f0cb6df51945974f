/**
 * Where a node:http server's CPU goes per request, bare and with the shim: V8 CPU profiles of the main thread
 * over the same autocannon load. A sharper instrument than throughput on a noisy VM: it counts the shim's own
 * frames directly instead of inferring them from a difference of two noisy rates.
 *
 * PAIRS pairs (env, default 3); per pair a fresh bare and a fresh shim server (order alternating), each pinned
 * to core 1, 8 s of load to warm up, then 10 s of load while profiling. Loopback only; about 1.5 minutes for 3
 * pairs.
 *
 * Run: `npx ts-node --transpile-only bench/shim/profile.ts`
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ask, measure, median, pinLoadGenerator, Run, start } from './harness';
import type { Config } from './server';

const PAIRS = Number(process.env.PAIRS ?? 3);
const WARMUP_S = 8;
const PROFILE_S = 10;

interface CpuProfile {
  readonly nodes: ReadonlyArray<{ id: number; callFrame: { functionName: string; url: string } }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface Profiled {
  readonly run: Run;
  /** Main-thread time not idle, per request, ns. */
  readonly busyNs: number;
  /** Self time per request in ns of each frame in the shim's own files (`src/instrument/`). */
  readonly shimFrames: ReadonlyMap<string, number>;
  /** Self time per request in ns of every frame, by name and file. */
  readonly allFrames: ReadonlyMap<string, number>;
}

async function profiled(config: Config): Promise<Profiled> {
  const server = await start('node', config);
  try {
    await measure(server, WARMUP_S);
    await ask(server, 'profile-start');
    const run = await measure(server, PROFILE_S);
    const file = await ask(server, 'profile-stop');
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile | { error: string };
    fs.rmSync(file);
    if ('error' in profile) throw new Error(`${config}: the profiler failed: ${profile.error}`);
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    let busy = 0;
    const shimFrames = new Map<string, number>();
    const allFrames = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const frame = frames.get(id)!;
      const micros = profile.timeDeltas[i] ?? 0;
      if (frame.functionName === '(idle)') return;
      busy += micros;
      // By name: line numbers here are those of the compiled code, not the source's.
      const key = `${frame.functionName || '(anonymous)'} (${frame.url.replace(/.*\/(src|node_modules)\//, '$1/') || 'native'})`;
      allFrames.set(key, (allFrames.get(key) ?? 0) + micros);
      if (frame.url.includes('/src/instrument/')) shimFrames.set(key, (shimFrames.get(key) ?? 0) + micros);
    });
    const perRequest = (frameTimes: Map<string, number>) => new Map([...frameTimes].map(([k, v]) => [k, (v * 1000) / run.requests]));
    return { run, busyNs: (busy * 1000) / run.requests, shimFrames: perRequest(shimFrames), allFrames: perRequest(allFrames) };
  } finally {
    server.child.kill();
  }
}

async function main(): Promise<void> {
  pinLoadGenerator();
  console.log(`Machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model}, Node ${process.version}\n`);
  const pairs: Array<Record<'bare' | 'shim', Profiled>> = [];
  for (let i = 0; i < PAIRS; i++) {
    const order = i % 2 === 0 ? (['bare', 'shim'] as const) : (['shim', 'bare'] as const);
    const pair = {} as Record<'bare' | 'shim', Profiled>;
    for (const config of order) pair[config] = await profiled(config);
    pairs.push(pair);
    console.error(`pair ${i + 1} of ${PAIRS}`);
  }
  console.log('| pair | bare: main thread busy, ns/request | shim: main thread busy, ns/request | added | process CPU, bare → shim, ns/request |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  pairs.forEach(({ bare, shim }, i) => {
    const cpu = (r: Run) => (r.cpuPerRequest * 1000).toFixed(0);
    console.log(`| ${i + 1} | ${bare.busyNs.toFixed(0)} | ${shim.busyNs.toFixed(0)} | ${(shim.busyNs - bare.busyNs).toFixed(0)} | ${cpu(bare.run)} → ${cpu(shim.run)} |`);
  });
  const added = median(pairs.map(({ bare, shim }) => shim.busyNs - bare.busyNs));
  console.log(`\nMedian added main-thread time: ${added.toFixed(0)} ns per request (${((100 * added) / median(pairs.map((p) => p.bare.busyNs))).toFixed(1)}% of bare).\n`);
  const keys = [...new Set(pairs.flatMap((p) => [...p.shim.shimFrames.keys()]))];
  const rows = keys.map((k) => [k, median(pairs.map((p) => p.shim.shimFrames.get(k) ?? 0))] as const).sort((a, b) => b[1] - a[1]);
  console.log(`| the shim's own frames (self time) | ns/request, median of ${PAIRS} |\n| --- | ---: |`);
  for (const [k, ns] of rows) if (ns >= 1) console.log(`| \`${k}\` | ${ns.toFixed(0)} |`);
  console.log(`| all of them | ${median(pairs.map((p) => [...p.shim.shimFrames.values()].reduce((a, b) => a + b, 0))).toFixed(0)} |`);
  // Where the rest of the added time goes: the frames outside the shim whose self time changed most.
  const others = [...new Set(pairs.flatMap((p) => [...p.bare.allFrames.keys(), ...p.shim.allFrames.keys()]))]
    .filter((k) => !k.includes('src/instrument/'))
    .map((k) => [k, median(pairs.map((p) => (p.shim.allFrames.get(k) ?? 0) - (p.bare.allFrames.get(k) ?? 0)))] as const)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, 12);
  console.log(`\n| other frames whose self time changed most (shim − bare) | ns/request, median of ${PAIRS} |\n| --- | ---: |`);
  for (const [k, ns] of others) console.log(`| \`${k}\` | ${ns >= 0 ? '+' : ''}${ns.toFixed(0)} |`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
