/**
 * A real Alertmanager (Debian package prometheus-alertmanager) on loopback for the routing tests: started
 * with a generated configuration, fed alerts through its v2 API, stopped after the suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, sleep, until } from '../e2e/harness';

const READY_TIMEOUT_MS = 20_000;

export { freePort, sleep, until };

/** An alert as posted to `/api/v2/alerts`: labels, and `endsAt` in the past to resolve it. */
export interface PostedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly endsAt: string;
}

export interface RunningAlertmanager {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  post(alerts: readonly PostedAlert[]): Promise<void>;
  /** What it printed so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `binary` with `config` (alertmanager.yml text) in a temporary directory and waits until it is ready. */
export async function startAlertmanager(binary: string, config: string): Promise<RunningAlertmanager> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-alertmanager-'));
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const am: ChildProcess = spawn(
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
  am.stdout!.on('data', (d) => (output += d));
  am.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (am.exitCode === null) {
      const exited = new Promise((r) => am.once('exit', r));
      am.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (am.exitCode === null) am.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('Alertmanager to be ready', READY_TIMEOUT_MS, async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined));
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\nAlertmanager output:\n${output}`);
  }
  return {
    base,
    log: () => output,
    stop,
    post: async (alerts) => {
      const res = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!res.ok) throw new Error(`POST /api/v2/alerts: ${res.status} ${await res.text()}`);
    },
  };
}
