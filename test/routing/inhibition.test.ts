/**
 * Inhibition semantics against a real Alertmanager: `amtool config routes test` only answers "where does this
 * alert go", so the generated inhibit rules are checked by running /usr/bin/prometheus-alertmanager on
 * loopback, posting each case's alerts to its v2 API and reading `status.inhibitedBy` back.
 *
 * Cases are isolated from each other by a per-case `cluster` label value: `cluster` is in every rule's `equal`
 * list (the fixture ledger-sync declares it as its cluster label), so a source of one case can never mute a
 * target of another. Sources are posted first, in one request, then the targets; the sentinel case is
 * posted last among the sources, and Alertmanager hands alerts to the inhibitor in order, so once the
 * sentinel's target shows as inhibited every source has been seen and a "not inhibited" answer is meaningful.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { renderAlertmanagerConfig } from '../../src/routing';
import { ALERT } from '../../src/signals/recorded';
import { describeWithBinary } from '../support/binaries';
import { models } from './fixtures';
import { INHIBITION_CASES, type Labels, plain } from './scenarios';

const READY_TIMEOUT_MS = 20_000;
const SETTLE_TIMEOUT_MS = 20_000;

interface ApiAlert {
  labels: Labels;
  fingerprint: string;
  status: { state: string; inhibitedBy: string[] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const sameLabels = (a: Labels, b: Labels) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

describeWithBinary('prometheus-alertmanager', 'the generated inhibit rules in a running Alertmanager', (binary) => {
  let am: ChildProcess | undefined;
  let base = '';
  let dir = '';
  let log = '';
  let alerts: ApiAlert[] = [];

  const isolate = (labels: Labels, i: number | string): Labels => ({ ...labels, cluster: `case-${i}-${labels.cluster ?? 'none'}` });
  const sentinel = {
    source: isolate(plain('checkout', ALERT.targetsDown, 'traffic', 'page'), 'sentinel'),
    target: isolate(plain('checkout', ALERT.trafficAbsent, 'traffic', 'page'), 'sentinel'),
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-alertmanager-'));
    // Port 9 (discard) on loopback: nothing is ever delivered anywhere, and no receiver reaches the network.
    const config = renderAlertmanagerConfig(models(), { webhookOverride: 'http://127.0.0.1:9/' });
    for (const rule of YAML.parse(config).inhibit_rules) expect(rule.equal).toContain('cluster');
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    am = spawn(
      binary,
      [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stdout!.on('data', (d) => (log += d));
    am.stderr!.on('data', (d) => (log += d));
    await until('Alertmanager to be ready', READY_TIMEOUT_MS, async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined)).catch((e) => {
      throw new Error(`${e.message}\nAlertmanager output:\n${log}`);
    });

    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    const post = async (labelSets: Labels[]) => {
      const res = await fetch(`${base}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(labelSets.map((labels) => ({ labels, annotations: { summary: 'test' }, endsAt }))),
      });
      if (!res.ok) throw new Error(`POST /api/v2/alerts: ${res.status} ${await res.text()}`);
    };
    await post([...INHIBITION_CASES.map((c, i) => isolate(c.source, i)), sentinel.source]);
    await post([...INHIBITION_CASES.map((c, i) => isolate(c.target, i)), sentinel.target]);

    alerts = await until('the sentinel target to be inhibited', SETTLE_TIMEOUT_MS, async () => {
      const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as ApiAlert[];
      const t = list.find((a) => sameLabels(a.labels, sentinel.target));
      return t && t.status.inhibitedBy.length > 0 ? list : undefined;
    });
  }, READY_TIMEOUT_MS + SETTLE_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((r) => am!.once('exit', r));
      am.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (am.exitCode === null) am.kill('SIGKILL');
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every posted alert is known to Alertmanager', () => {
    expect(alerts).toHaveLength(2 * INHIBITION_CASES.length + 2);
  });

  test.each(INHIBITION_CASES.map((c, i) => [c.title, c, i] as const))('%s', (_title, c, i) => {
    const source = alerts.find((a) => sameLabels(a.labels, isolate(c.source, i)))!;
    const target = alerts.find((a) => sameLabels(a.labels, isolate(c.target, i)))!;
    expect(source).toBeDefined();
    expect(target).toBeDefined();
    if (c.inhibited) {
      expect(target.status.state).toBe('suppressed');
      expect(target.status.inhibitedBy).toContain(source.fingerprint);
    } else {
      expect(target.status.inhibitedBy).not.toContain(source.fingerprint);
    }
  });
});
