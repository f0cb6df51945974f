/**
 * User-space instructions per request of each benchmark server, counted by valgrind's callgrind.
 *
 * Why: on this shared 2-core VM a bare node:http server's CPU per request moved between 11 and 43 µs from
 * one day (and one minute) to the next, and one-second throughput slices of the same server swing ±15%, so
 * run.ts resolves a 97%-of-bare target only to a point or two after half an hour. Instruction counts do
 * not depend on the neighbours: two runs of one configuration agree within 300–650 instructions per request
 * (up to 1.4% on node:http; the JIT inlines a little differently from one process to the next).
 *
 * What is counted, and what not: every thread of the server process in user space (JavaScript, V8, Node,
 * libuv, libc). The kernel's share — socket reads and writes, epoll — is not: it is the same for every
 * configuration and about a third of the CPU time per request here (/proc utime vs stime), so a difference
 * in instructions is a difference in CPU diluted by that third. Instructions are not cycles either: a cache
 * miss counts as one.
 *
 * How: the compiled server (bench/shim/server.ts) runs under `valgrind --tool=callgrind` with
 * instrumentation off, and with `--no-concurrent-recompilation` so V8 compiles on the main thread and
 * finishes before the window. Three autocannon sessions warm it up — the third because closing the first
 * session's connections deoptimised a dozen stream functions, which then recompiled inside the window —
 * then `callgrind_control -i on`, exactly MEASURED requests, `-i off`, and the server is stopped so that
 * callgrind writes its totals. Loopback only; each server takes about 30 s.
 *
 * A second table counts the node:http route matcher alone (one route, and 20 routes with a mix of paths),
 * as the difference between two runs of 1M and 5M matches, which cancels start-up and compilation.
 *
 * Run: `npx ts-node --transpile-only bench/shim/instructions.ts` (about 20 minutes; needs `valgrind`).
 * Env: FRAMEWORKS, CONFIGS (comma-separated), CACHE_SIM=1, WARMUP (requests, default 45000), MEASURED (default 10000).
 */
import { execFileSync, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compiled } from './harness';
import type { Config, Framework } from './server';
import { BENCH_PATH } from './service';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (o: object) => Promise<{ requests: { total: number }; non2xx: number; errors: number }>;

const WARMUP = Number(process.env.WARMUP ?? 45_000);
const MEASURED = Number(process.env.MEASURED ?? 10_000);
const ONLY = process.env.FRAMEWORKS?.split(',');
const ONLY_CONFIGS = process.env.CONFIGS?.split(',');
/**
 * CACHE_SIM=1 adds valgrind's cache simulation (`--cache-sim=yes`, about twice as slow): L1 instruction and
 * data misses per request. On the Fastify server the shim's +4% instructions came with +4% L1i and +13% L1d
 * misses (2026-12-02), which is why its CPU per request in run.ts is a point or so worse than its
 * instructions: a miss costs many cycles and counts as one instruction.
 */
const CACHE_SIM = process.env.CACHE_SIM === '1';

const CONFIGS: Record<Framework, Config[]> = {
  node: ['bare', 'shim', 'shim-no-runtime', 'prom-client', 'otel'],
  express: ['bare', 'noop-middleware', 'shim', 'shim-http', 'prom-client', 'express-prom-bundle', 'otel'],
  fastify: ['bare', 'noop-hook', 'shim', 'prom-client', 'otel'],
};

/** Route tables of the matcher count: the benchmark's one route, and a service with 20. */
const ROUTE_TABLES = {
  one: { routes: ['/users/:id'], paths: ['/users/42'] },
  twenty: {
    routes: [
      '/health', '/cart', '/cart/items/:item', '/orders', '/orders/:id', '/orders/:id/items', '/orders/:id/items/:item', '/users/:id',
      '/users/:id/orders', '/users/:id/addresses/:address', '/products', '/products/:sku', '/products/:sku/reviews', '/search',
      '/checkout/:session', '/payments/:id', '/payments/:id/refunds', '/static/*', '/admin/users/:id', '/admin/orders/:id',
    ],
    paths: ['/users/42', '/orders/7/items/3', '/products/abc-123/reviews?page=2', '/static/js/app.js', '/nope/x', '/health'],
  },
} as const;
type RouteTable = keyof typeof ROUTE_TABLES;

/** Sums of callgrind's `totals:` line over the files, one number per event (`Ir`, then with CACHE_SIM `Dr Dw I1mr D1mr D1mw …`). */
function callgrindTotals(files: readonly string[]): number[] {
  const sums: number[] = [];
  for (const file of files) {
    const totals = /^totals: ([\d ]+)/m.exec(fs.readFileSync(file, 'utf8'))?.[1].trim().split(' ').map(Number) ?? [];
    totals.forEach((value, i) => (sums[i] = (sums[i] ?? 0) + value));
  }
  return sums;
}

async function load(port: number, amount: number): Promise<number> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}${BENCH_PATH}`, connections: 10, amount });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.total;
}

/** Per request, all threads: instructions, and with CACHE_SIM the simulated L1 instruction and data misses. */
interface ServerCount {
  readonly instructions: number;
  readonly l1InstructionMisses: number;
  readonly l1DataMisses: number;
}

async function countServer(framework: Framework, config: Config): Promise<ServerCount> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-callgrind-'));
  const valgrind = ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${path.join(dir, 'out')}`];
  if (CACHE_SIM) valgrind.push('--cache-sim=yes');
  // valgrind execs node in place, so the IPC channel fork sets up (NODE_CHANNEL_FD) reaches the server.
  const child = fork(compiled('server'), [framework, config], {
    execPath: 'valgrind',
    execArgv: [...valgrind, process.execPath, '--no-concurrent-recompilation'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${framework}/${config} did not start under valgrind in 120 s`)), 120_000);
      child.once('message', (m: { port: number }) => (clearTimeout(timer), resolve(m.port)));
      child.once('exit', (code) => reject(new Error(`${framework}/${config} exited with ${code}`)));
    });
    for (let i = 0; i < 3; i++) await load(port, WARMUP / 3);
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    const requests = await load(port, MEASURED);
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const [ir = 0, , , i1mr = 0, d1mr = 0, d1mw = 0] = callgrindTotals(fs.readdirSync(dir).map((f) => path.join(dir, f)));
    return { instructions: ir / requests, l1InstructionMisses: i1mr / requests, l1DataMisses: (d1mr + d1mw) / requests };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Instructions per match of compileRoutes on a route table: (5M matches − 1M matches) / 4M. */
function countMatcher(table: RouteTable): number {
  const run = (n: number) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gs-callgrind-')), 'out');
    execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', compiled('instructions'), 'match', table, String(n)], {
      stdio: 'ignore',
      timeout: 600_000,
    });
    const [total = 0] = callgrindTotals([out]);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    return total;
  };
  return (run(5_000_000) - run(1_000_000)) / 4_000_000;
}

/** Child mode: `instructions.js match <table> <n>` matches n paths and exits. */
function matchLoop(table: RouteTable, n: number): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compileRoutes } = require('../../src/instrument/routes') as typeof import('../../src/instrument/routes');
  const { routes, paths } = ROUTE_TABLES[table];
  const match = compileRoutes(routes);
  let matched = 0;
  for (let i = 0; i < n; i++) if (match(paths[i % paths.length]) !== undefined) matched++;
  if (matched === 0) throw new Error('no path matched');
}

async function main(): Promise<void> {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  console.log(`instructions per request, user space, all threads (${WARMUP} warm-up requests, ${MEASURED} counted; Node ${process.version})\n`);
  const cacheColumns = CACHE_SIM ? ' L1i misses | L1d misses |' : '';
  console.log(`| framework | configuration | instructions per request | vs bare |${cacheColumns}\n| --- | --- | ---: | ---: |${CACHE_SIM ? ' ---: | ---: |' : ''}`);
  for (const framework of Object.keys(CONFIGS) as Framework[]) {
    if (ONLY && !ONLY.includes(framework)) continue;
    let bare: ServerCount | undefined;
    for (const config of CONFIGS[framework]) {
      if (config !== 'bare' && ONLY_CONFIGS && !ONLY_CONFIGS.includes(config)) continue;
      const n = await countServer(framework, config);
      if (config === 'bare') bare = n;
      const vsBare = (of: (c: ServerCount) => number, absolute: boolean) => {
        if (bare === undefined || config === 'bare') return absolute ? '–' : '';
        const delta = of(n) - of(bare);
        const sign = delta >= 0 ? '+' : '';
        const percent = `${sign}${((100 * delta) / of(bare)).toFixed(1)}%`;
        return absolute ? `${sign}${Math.round(delta).toLocaleString('en')} (${percent})` : ` (${percent})`;
      };
      const misses = (of: (c: ServerCount) => number) => `${Math.round(of(n)).toLocaleString('en')}${vsBare(of, false)}`;
      const cache = CACHE_SIM ? ` ${misses((c) => c.l1InstructionMisses)} | ${misses((c) => c.l1DataMisses)} |` : '';
      console.log(`| ${framework} | ${config} | ${Math.round(n.instructions).toLocaleString('en')} | ${vsBare((c) => c.instructions, true)} |${cache}`);
    }
  }
  console.log('\n| route table | instructions per match |\n| --- | ---: |');
  for (const table of Object.keys(ROUTE_TABLES) as RouteTable[]) console.log(`| ${table} | ${Math.round(countMatcher(table)).toLocaleString('en')} |`);
}

if (process.argv[2] === 'match') matchLoop(process.argv[3] as RouteTable, Number(process.argv[4]));
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
