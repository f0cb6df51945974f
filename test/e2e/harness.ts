/**
 * Support for the end-to-end test: child processes that are always cleaned up, free loopback ports, bounded
 * waits, the timeline every failure prints, and the local HTTP server that plays the webhook receiver and
 * the cluster exporters (cAdvisor, kube-state-metrics) a laptop does not have.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

// ---------------------------------------------------------------------------------------------- timeline

/** One line of the timeline: what happened, when (ms since the run started). */
export interface TimelineEntry {
  readonly atMs: number;
  readonly kind: 'phase' | 'notification' | 'fault' | 'check' | 'process';
  readonly text: string;
}

/** Everything that happened during the run, in order; printed whenever a phase fails. */
export class Timeline {
  readonly entries: TimelineEntry[] = [];
  readonly startedAt = Date.now();

  add(kind: TimelineEntry['kind'], text: string): number {
    const atMs = Date.now() - this.startedAt;
    this.entries.push({ atMs, kind, text });
    return atMs;
  }

  format(): string {
    return this.entries.map((e) => `${(e.atMs / 1000).toFixed(1).padStart(7)}s  ${e.kind.padEnd(12)} ${e.text}`).join('\n');
  }
}

// ---------------------------------------------------------------------------------------------- waits

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns a value, for at most `timeoutMs`. Every wait of the test goes through here,
 * so none can hang: on timeout the error names what was awaited and the probe's last error.
 */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let attempt = 0; Date.now() < deadline && attempt < 100_000; attempt++) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)}s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** GET or POST a JSON endpoint on loopback, with a time bound. */
export async function json<T>(url: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 5_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

// ---------------------------------------------------------------------------------------------- ports

/** A free TCP port on 127.0.0.1 (bound and released; the next bind within the test takes it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------- processes

/** A child process with its output kept in a log file (tailed into failure messages). */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** Resolves with the first output line that `match` accepts. */
  line(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

/** Starts and stops every child of the run; `stopAll` runs in afterAll and on SIGINT/SIGTERM. */
export class Processes {
  private readonly children: Child[] = [];
  private readonly onSignal = () => {
    this.killNow();
    process.exit(130);
  };

  constructor(private readonly dir: string, private readonly timeline: Timeline) {
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  start(name: string, command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
    const logFile = path.join(this.dir, `${name}.log`);
    const log = fs.createWriteStream(logFile);
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];
    let buffer = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const l of lines) {
        for (const w of [...waiters]) {
          if (w.match(l)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(l);
          }
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      log.end();
      this.timeline.add('process', `${name} (pid ${child.pid}) exited: ${signal ?? `code ${code}`}`);
    });
    this.timeline.add('process', `${name} started (pid ${child.pid}): ${path.basename(command)} ${args.join(' ')}`);
    const handle: Child = {
      name,
      process: child,
      logFile,
      line: (match, timeoutMs) =>
        new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name}: no matching output line within ${timeoutMs / 1000}s\n${tail(logFile)}`)), timeoutMs);
          child.once('exit', (code) => reject(new Error(`${name} exited (code ${code}) before printing the expected line\n${tail(logFile)}`)));
          waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        }),
    };
    this.children.push(handle);
    return handle;
  }

  /** SIGTERM to every child still running, SIGKILL to those that have not exited after `graceMs`. */
  async stopAll(graceMs = 5_000): Promise<void> {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    const running = this.children.filter((c) => c.process.exitCode === null && c.process.signalCode === null);
    await Promise.all(
      running.map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              c.process.kill('SIGKILL');
              resolve();
            }, graceMs);
            c.process.once('exit', () => (clearTimeout(timer), resolve()));
            c.process.kill('SIGTERM');
          }),
      ),
    );
  }

  private killNow(): void {
    for (const c of this.children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
  }

  /** The last lines of every child's log, for failure messages. */
  tails(lines = 15): string {
    return this.children.map((c) => `--- ${c.name} (${c.logFile})\n${tail(c.logFile, lines)}`).join('\n');
  }
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

// ---------------------------------------------------------------------------------------------- local server

/** One alert of an Alertmanager webhook notification (Alertmanager docs, "webhook_config"). */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly fingerprint: string;
}

/** A notification as received: the receiver it was routed to, when it arrived, and its alerts. */
export interface Received {
  readonly atMs: number;
  readonly receiver: string;
  readonly alert: WebhookAlert;
}

/**
 * The HTTP server the test runs on loopback: `POST /webhook` collects Alertmanager notifications with their
 * arrival time; `GET /cluster-metrics` serves the exposition of a stand-in cluster exporter.
 */
export class LocalServer {
  readonly received: Received[] = [];
  private server?: http.Server;
  port = 0;

  constructor(private readonly timeline: Timeline, private readonly clusterMetrics: () => string) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c.length + body.length > 5_000_000 ? '' : c));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/webhook') {
          try {
            const payload = JSON.parse(body) as { receiver: string; alerts: WebhookAlert[] };
            for (const alert of payload.alerts) {
              const atMs = this.timeline.add('notification', `${alert.status.toUpperCase()} ${describeAlert(alert.labels)} -> ${payload.receiver}`);
              this.received.push({ atMs, receiver: payload.receiver, alert });
            }
            res.writeHead(200).end('ok');
          } catch (e) {
            res.writeHead(400).end(String(e));
          }
        } else if (req.method === 'GET' && req.url === '/cluster-metrics') {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.clusterMetrics());
        } else {
          res.writeHead(404).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** `AlertName{label="value", ...}` with the identity labels that tell alerts apart. */
export function describeAlert(labels: Readonly<Record<string, string>>): string {
  const shown = ['slo', 'burn_tier', 'severity', 'signal'].filter((k) => labels[k] !== undefined).map((k) => `${k}=${labels[k]}`);
  return `${labels.alertname}{${shown.join(', ')}}`;
}
