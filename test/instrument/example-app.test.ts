/**
 * The example app the end-to-end test drives, run as a real process: fault injection moves the error and
 * latency signals, the metrics endpoint can be switched off and on, and SIGTERM drains it the way a
 * Kubernetes rollout needs.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { runLoad } from '../../examples/app/load';
import { LABEL, METRIC } from '../../src/signals/contract';
import { request, scrape, select } from './helpers';

const root = path.resolve(__dirname, '../..');

describe('the example app (examples/app/server.ts)', () => {
  let child: ChildProcess;
  let appPort: number;
  let metricsPort: number;
  const post = (p: string, body?: unknown) =>
    request(appPort, p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), agent: false });
  const count = async (labels: Record<string, string>) =>
    select((await scrape(metricsPort)).samples, `${METRIC.httpDuration}_count`, labels).reduce((sum, s) => sum + s.value, 0);

  beforeAll(async () => {
    child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'examples/app/server.ts'], {
      cwd: root,
      env: { ...process.env, APP_PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', DRAIN_DELAY_MS: '1000', TS_NODE_PROJECT: path.join(root, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await new Promise<{ appPort: number; metricsPort: number }>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`example app not ready in 30 s: ${out}`)), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.includes('"ready"'));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
    });
    appPort = ready.appPort;
    metricsPort = ready.metricsPort;
  }, 40_000);
  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('serves the checkout routes under bounded load, all counted under their templates', async () => {
    const result = await runLoad({ port: appPort, rate: 60, seconds: 1 });
    expect(result.sent).toBe(60);
    expect(result.byStatus[0]).toBeUndefined();
    expect(await count({ [LABEL.route]: '/orders/:id', [LABEL.statusCode]: '200' })).toBe(20);
    expect(await count({ [LABEL.route]: '/checkout', [LABEL.statusCode]: '201', [LABEL.method]: 'POST' })).toBe(20);
  });

  it('answers 503 to every checkout request under errorRatio 1 and records them as errors', async () => {
    expect((await post('/admin/faults', { errorRatio: 1 })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await request(appPort, '/cart', { agent: false })).status).toBe(503);
    await post('/admin/faults', {});
    expect(await count({ [LABEL.route]: '/cart', [LABEL.statusCode]: '503' })).toBe(5);
  });

  it('adds the injected latency, visible in the buckets above the 100ms SLO threshold', async () => {
    await post('/admin/faults', { extraLatencyMs: 150 });
    await request(appPort, '/orders/1', { agent: false });
    await post('/admin/faults', {});
    const buckets = select((await scrape(metricsPort)).samples, `${METRIC.httpDuration}_bucket`, { [LABEL.route]: '/orders/:id', [LABEL.statusCode]: '200' });
    const at = (le: string) => buckets.find((b) => b.labels[LABEL.le] === le)?.value;
    expect((at('+Inf') as number) - (at('0.1') as number)).toBe(1);
  });

  it('rejects a fault outside the documented range', async () => {
    expect((await post('/admin/faults', { errorRatio: 2 })).status).toBe(400);
  });

  it('closes and reopens the metrics endpoint on demand while the app keeps serving', async () => {
    expect((await post('/admin/metrics-off')).status).toBe(200);
    await expect(request(metricsPort, '/metrics', { agent: false })).rejects.toThrow(/ECONNREFUSED/);
    expect((await request(appPort, '/cart', { agent: false })).status).toBe(200);
    const on = await post('/admin/metrics-on');
    metricsPort = (JSON.parse(on.body) as { port: number }).port;
    expect(on.status).toBe(200);
    expect(await count({ [LABEL.route]: '/cart', [LABEL.statusCode]: '200' })).toBeGreaterThan(0);
  });

  it('drains on SIGTERM under keep-alive load: serves through its drain delay, resets no request, and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // 100 requests a second for 3 s over keep-alive connections; SIGTERM after 1 s; the app serves 1 s more,
    // then stops accepting. Requests after that are refused, as they would be routed elsewhere in a cluster.
    const load = runLoad({ port: appPort, rate: 100, seconds: 3 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    child.kill('SIGTERM');
    const result = await load;
    const served = Object.entries(result.byStatus).reduce((n, [status, count]) => (status === '0' ? n : n + count), 0);
    expect(Object.keys(result.byError).filter((code) => code !== 'ECONNREFUSED')).toEqual([]);
    expect(served).toBeGreaterThanOrEqual(150);
    await expect(exited).resolves.toBe(0);
  });
});
