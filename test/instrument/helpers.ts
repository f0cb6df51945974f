/** Shared helpers for the shim tests: loopback servers, scrapes and a small exposition parser. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One sample of an exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The raw exemplar text after ` # `, if any. */
  readonly exemplar?: string;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: # (.*))?$/;
const PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the sample lines of a text or OpenMetrics exposition; throws on a line it cannot read. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (m === null) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(PAIR)) labels[pair[1]] = pair[2].replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    samples.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]), exemplar: m[4] });
  }
  return samples;
}

/** Samples of one series name whose labels include `labels`. */
export function select(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string | undefined>> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** Starts a server on an ephemeral loopback port. */
export async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes a server and its keep-alive connections. */
export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A GET (or other method) on loopback; resolves with status and body. */
export function request(port: number, path: string, init: { method?: string; headers?: Record<string, string>; agent?: http.Agent | false; body?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers, agent: init.agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Scrapes a metrics endpoint as Prometheus would (text unless `openMetrics`). */
export async function scrape(port: number, openMetrics = false, path = '/metrics'): Promise<{ contentType: string | undefined; text: string; samples: Sample[] }> {
  const accept = openMetrics ? 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' : 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
  const res = await request(port, path, { headers: { accept } });
  return { contentType: res.headers['content-type'], text: res.body, samples: parseExposition(res.body) };
}
