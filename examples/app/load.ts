/**
 * A small, bounded load driver for the example app: `rate` requests per second for `seconds` seconds,
 * spread over the checkout routes. Every bound is explicit; loopback by default.
 *
 * Run: `npx ts-node examples/app/load.ts --rate 50 --seconds 10 --port 8080`
 */
import * as http from 'node:http';

/** Load settings; every field bounded. */
export interface LoadOptions {
  /** Host to send to. @default '127.0.0.1' */
  readonly host?: string;
  readonly port: number;
  /** Requests per second, 1 to 2,000. */
  readonly rate: number;
  /** Duration in seconds, 1 to 600. */
  readonly seconds: number;
  /** Most requests in flight; further ticks skip rather than queue. @default 64 */
  readonly maxInFlight?: number;
  /** Per-request timeout in ms. @default 5000 */
  readonly timeoutMs?: number;
}

/** What the driver saw, by status code (0 = failed or timed out), and the failures by error code. */
export interface LoadResult {
  readonly sent: number;
  readonly skipped: number;
  readonly byStatus: Readonly<Record<number, number>>;
  /** `ECONNRESET` (a connection the server dropped under a request), `ECONNREFUSED`, `timeout`, ... */
  readonly byError: Readonly<Record<string, number>>;
}

const TARGETS: ReadonlyArray<{ method: string; path: () => string }> = [
  { method: 'GET', path: () => '/cart' },
  { method: 'POST', path: () => '/checkout' },
  { method: 'GET', path: () => `/orders/${Math.floor(Math.random() * 10_000)}` },
];

function bounded(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw new RangeError(`${name} must be from ${min} to ${max}; got ${value}`);
  return value;
}

/** Sends the load and resolves when the last request has settled (at most `seconds` + timeout). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const rate = bounded('rate', options.rate, 1, 2_000);
  const seconds = bounded('seconds', options.seconds, 1, 600);
  const maxInFlight = bounded('maxInFlight', options.maxInFlight ?? 64, 1, 1_000);
  const timeoutMs = bounded('timeoutMs', options.timeoutMs ?? 5_000, 1, 60_000);
  const total = Math.round(rate * seconds);
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const byStatus: Record<number, number> = {};
  const byError: Record<string, number> = {};
  let inFlight = 0;
  let sent = 0;
  let skipped = 0;
  const settled: Array<Promise<void>> = [];
  const start = Date.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight >= maxInFlight) {
      skipped++;
      continue;
    }
    const target = TARGETS[i % TARGETS.length];
    inFlight++;
    sent++;
    settled.push(
      new Promise<void>((resolve) => {
        const done = (status: number) => {
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          inFlight--;
          resolve();
        };
        const req = http.request({ host: options.host ?? '127.0.0.1', port: options.port, method: target.method, path: target.path(), agent, timeout: timeoutMs }, (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
        });
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
        req.on('error', (error: NodeJS.ErrnoException) => {
          byError[error.code ?? error.message] = (byError[error.code ?? error.message] ?? 0) + 1;
          done(0);
        });
        req.end();
      }),
    );
  }
  await Promise.all(settled);
  agent.destroy();
  return { sent, skipped, byStatus, byError };
}

if (require.main === module) {
  const arg = (name: string, fallback?: string) => {
    const i = process.argv.indexOf(`--${name}`);
    const value = i === -1 ? fallback : process.argv[i + 1];
    if (value === undefined) throw new Error(`--${name} is required`);
    return value;
  };
  runLoad({ host: arg('host', '127.0.0.1'), port: Number(arg('port', '8080')), rate: Number(arg('rate', '20')), seconds: Number(arg('seconds', '10')) }).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(String(error));
      process.exitCode = 1;
    },
  );
}
