/**
 * Driving the benchmark servers (bench/shim/server.ts): start one pinned, load it with autocannon, ask it
 * for its CPU time or a CPU profile over IPC. Shared by run.ts and profile.ts.
 */
import { execFileSync, fork, ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config, Framework, ServerReply, ServerRequest } from './server';
import { BENCH_PATH } from './service';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (o: object) => Promise<{ requests: { average: number; total: number }; latency: { p99: number }; non2xx: number; errors: number }>;

const CONNECTIONS = 10;

let built = false;
/**
 * The compiled JavaScript of a benchmark entry point (`server`, `request-cost`, `observe`, `instructions`), built once per
 * run with tsc into bench/.build. The processes that are measured run compiled code, as a service in
 * production does, never under ts-node: ts-node loads `repl`, which loads `domain`, and with `domain` loaded
 * every EventEmitter is set up through `Object.defineProperty`. Constructing one request/response pair then
 * took 580 ns instead of 116 ns (Node 20), and the profiles attributed another ~100 ns per request to that
 * setup in the shim's server only.
 */
export function compiled(entry: 'server' | 'request-cost' | 'observe' | 'instructions'): string {
  if (!built) {
    const tsc = require.resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.build.json')], { stdio: 'inherit', timeout: 300_000 });
    built = true;
  }
  return path.join(__dirname, '..', '.build', 'bench', 'shim', `${entry}.js`);
}

/** Whether `taskset` (util-linux) is on PATH. */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Load generator on core 0, servers on core 1 (env PIN=0 to turn off). Unpinned, autocannon and the server
 * compete for the same 2 cores and the scheduler's choices swung bare throughput by up to 40% between rounds;
 * pinned, each server gets one core, as a pod with a 1-CPU limit would.
 */
export const PIN = process.env.PIN !== '0' && os.cpus().length >= 2 && hasTaskset();

/** Pins the calling process (the load generator) to core 0 when {@link PIN}. */
export function pinLoadGenerator(): void {
  if (PIN) execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
}

export interface Server {
  readonly framework: Framework;
  readonly config: Config;
  readonly child: ChildProcess;
  readonly port: number;
}

export interface Run {
  readonly rps: number;
  readonly p99: number;
  readonly requests: number;
  /** Server CPU time (user + system) per request, in µs. */
  readonly cpuPerRequest: number;
}

export function start(framework: Framework, config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Pinned: `taskset -c 1 node …` execs node with the IPC channel fork set up (NODE_CHANNEL_FD is inherited).
    const child = fork(compiled('server'), [framework, config], {
      ...(PIN ? { execPath: 'taskset', execArgv: ['-c', '1', process.execPath] } : { execArgv: [] }),
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error(`${framework}/${config} did not start in 30 s`)), 30_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer);
      resolve({ framework, config, child, port: m.port });
    });
    child.once('exit', (code) => reject(new Error(`${framework}/${config} exited with ${code}`)));
  });
}

/** Sends a request to the server process and resolves with its reply. */
export function ask<K extends ServerRequest>(server: Server, request: K): Promise<ServerReply[K]> {
  return new Promise((resolve) => {
    const onMessage = (m: { reply?: ServerRequest; value?: unknown }) => {
      if (m.reply !== request) return;
      server.child.off('message', onMessage);
      resolve(m.value as ServerReply[K]);
    };
    server.child.on('message', onMessage);
    server.child.send(request);
  });
}

/** Loads the server for `seconds` with autocannon; its CPU per request over exactly that run. */
export async function measure(server: Server, seconds: number): Promise<Run> {
  const cpuBefore = await ask(server, 'cpu');
  const r = await autocannon({ url: `http://127.0.0.1:${server.port}${BENCH_PATH}`, connections: CONNECTIONS, duration: seconds });
  const cpu = (await ask(server, 'cpu')) - cpuBefore;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${server.framework}/${server.config}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99, requests: r.requests.total, cpuPerRequest: cpu / r.requests.total };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
