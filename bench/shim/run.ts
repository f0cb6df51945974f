/**
 * The shim benchmark: throughput and p99 against bare servers and peers, ns per observation, render time.
 * Loopback only; every load loop bounded (3 rounds × 1 s warm-up + 3 s measured per configuration);
 * the whole run takes about 4 minutes on 2 cores. Prints a Markdown table for BENCHMARKS.md.
 *
 * Run: `npx ts-node --transpile-only bench/shim/run.ts`
 */
import { execFileSync, fork, ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config, Framework } from './server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (o: object) => Promise<{ requests: { average: number }; latency: { p99: number }; non2xx: number; errors: number }>;

/** Rounds per configuration (env ROUNDS); more rounds narrow the spread on a noisy machine. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/** Frameworks to run (env FRAMEWORKS, comma-separated), default all. */
const ONLY = process.env.FRAMEWORKS?.split(',');
const WARMUP_S = 1;
const MEASURE_S = 3;
const CONNECTIONS = 10;
const here = __dirname;
const tsNode = ['-r', 'ts-node/register/transpile-only'];

/**
 * Load generator on core 0, servers on core 1 (env PIN=0 to turn off). Unpinned, autocannon and the server
 * compete for the same 2 cores and the scheduler's choices swung bare throughput by up to 40% between rounds;
 * pinned, each server gets one core, as a pod with a 1-CPU limit would.
 */
const PIN = process.env.PIN !== '0' && os.cpus().length >= 2 && hasTaskset();

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CONFIGS: Record<Framework, Config[]> = {
  node: ['bare', 'shim', 'prom-client', 'otel'],
  express: ['bare', 'noop-middleware', 'shim', 'shim-http', 'prom-client', 'express-prom-bundle', 'otel'],
  fastify: ['bare', 'noop-hook', 'shim', 'prom-client', 'otel'],
};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function start(framework: Framework, config: Config): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // Pinned: `taskset -c 1 node …` execs node with the IPC channel fork set up (NODE_CHANNEL_FD is inherited).
    const child = fork(path.join(here, 'server.ts'), [framework, config], {
      ...(PIN ? { execPath: 'taskset', execArgv: ['-c', '1', process.execPath, ...tsNode] } : { execArgv: tsNode }),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error(`${framework}/${config} did not start in 30 s`)), 30_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer);
      resolve({ child, port: m.port });
    });
    child.once('exit', (code) => reject(new Error(`${framework}/${config} exited with ${code}`)));
  });
}

async function throughput(): Promise<string[]> {
  const rows: string[] = [];
  for (const framework of (Object.keys(CONFIGS) as Framework[]).filter((f) => !ONLY || ONLY.includes(f))) {
    const configs = CONFIGS[framework];
    const servers = await Promise.all(configs.map((c) => start(framework, c)));
    const rps: Record<string, number[]> = {};
    const p99: Record<string, number[]> = {};
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate the order each round so no configuration always runs first or last.
        const order = configs.map((_, i) => (i + round) % configs.length);
        for (const i of order) {
          const url = `http://127.0.0.1:${servers[i].port}/users/42`;
          await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S });
          const r = await autocannon({ url, connections: CONNECTIONS, duration: MEASURE_S });
          if (r.non2xx > 0 || r.errors > 0) throw new Error(`${framework}/${configs[i]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
          (rps[configs[i]] ??= []).push(r.requests.average);
          (p99[configs[i]] ??= []).push(r.latency.p99);
        }
      }
    } finally {
      for (const s of servers) s.child.kill();
    }
    const bareP99 = median(p99.bare);
    for (const c of configs) {
      // Ratio per round against the same round's bare run, then the median: drift of the shared machine
      // between rounds cancels out instead of landing on whichever configuration ran during a slow spell.
      const ratio = 100 * median(rps[c].map((x, round) => x / rps.bare[round]));
      rows.push(
        `| ${framework} | ${c} | ${Math.round(median(rps[c])).toLocaleString('en-US')} | ${Math.round(Math.min(...rps[c])).toLocaleString('en-US')}–${Math.round(Math.max(...rps[c])).toLocaleString('en-US')} | ${ratio.toFixed(1)}% | ${c === 'bare' ? `${bareP99} ms` : `${median(p99[c]) - bareP99 >= 0 ? '+' : ''}${(median(p99[c]) - bareP99).toFixed(1)} ms`} |`,
      );
    }
    console.error(`done: ${framework}`);
  }
  return rows;
}

function micro(which: string): Record<string, number> {
  const out = execFileSync(process.execPath, ['--expose-gc', ...tsNode, path.join(here, 'observe.ts'), which], { encoding: 'utf8', timeout: 180_000 });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

async function main(): Promise<void> {
  const cpu = /model name\s*:\s*(.*)/.exec(require('node:fs').readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  if (PIN) execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
  console.log(`Machine: ${os.cpus().length} cores (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpu}, Node ${process.version}`);
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
  console.log(`\n| framework | config | req/s (median of ${ROUNDS}) | range | % of bare (median of per-round ratios) | p99 (bare) / added p99 |\n| --- | --- | --- | --- | --- | --- |`);
  for (const row of await throughput()) console.log(row);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
