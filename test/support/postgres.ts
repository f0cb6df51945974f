/**
 * A throwaway PostgreSQL for tests: `initdb` into a temporary directory and `postgres` on 127.0.0.1 at a free
 * port, its unix socket in the same directory, nothing written anywhere else. PostgreSQL refuses to run as
 * root (and CI runs as root), so as root both run as the `postgres` user the Debian package creates
 * (`runuser -u postgres --`), in a directory handed to that user.
 *
 * The binaries come from the Debian package `postgresql` (/usr/lib/postgresql/<major>/bin). Without them the
 * suites skip with a message, unless GS_REQUIRE_BINARIES=1 (CI), which makes their absence a failure.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort, until } from '../e2e/harness';

const REQUIRED = process.env.GS_REQUIRE_BINARIES === '1';

/** The newest installed PostgreSQL's bin directory, or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const majors = fs
    .readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(root, d, 'bin', 'postgres')) && fs.existsSync(path.join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length === 0 ? undefined : path.join(root, majors[0], 'bin');
}

/** `describe` when PostgreSQL is installed; a skipped suite with a message otherwise (a failure with GS_REQUIRE_BINARIES=1). */
export function describeWithPostgres(title: string, body: (bin: string) => void): void {
  const bin = postgresBin();
  if (bin) {
    describe(title, () => body(bin));
    return;
  }
  if (REQUIRED) {
    describe(title, () => {
      test('PostgreSQL is installed (GS_REQUIRE_BINARIES=1 forbids skipping)', () => {
        throw new Error('PostgreSQL not found under /usr/lib/postgresql/<major>/bin; install the Debian package postgresql');
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED "${title}": PostgreSQL not found under /usr/lib/postgresql (install postgresql; CI sets GS_REQUIRE_BINARIES=1)`);
  describe.skip(title, () => body(''));
}

/** A running throwaway cluster. */
export interface TestPostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication: loopback only, throwaway). */
  readonly connectionString: string;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

/** The postmaster's pid from its lock file, or undefined before it has written one. */
function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `argv` as the postgres user when this process is root, else as itself. */
function asPostgresUser(argv: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...argv]] : [argv[0], argv.slice(1)];
}

/**
 * Starts a cluster with `maxConnections` connections (PostgreSQL `max_connections`). fsync and the other
 * durability settings are off: the data is thrown away. Resolves once it accepts connections.
 */
export async function startPostgres(bin: string, options: { readonly maxConnections?: number } = {}): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-postgres-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const [initCmd, initArgs] = asPostgresUser([path.join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  execFileSync(initCmd, initArgs, { stdio: 'pipe', timeout: 60_000 });
  const port = await freePort();
  const [cmd, args] = asPostgresUser([
    path.join(bin, 'postgres'),
    '-D', data,
    '-p', String(port),
    '-k', dir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', `max_connections=${options.maxConnections ?? 20}`,
    '-c', 'fsync=off',
    '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off',
    '-c', 'shared_buffers=16MB',
  ]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (log.length < 20_000) log += chunk.toString();
  });
  const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // SIGINT is PostgreSQL's fast shutdown. It goes to the postmaster itself (its pid is the first line of
      // postmaster.pid): runuser does not pass SIGINT on. SIGKILL to both if it has not gone in 10s.
      const postmaster = postmasterPid(data);
      if (postmaster === undefined) child.kill('SIGINT');
      else process.kill(postmaster, 'SIGINT');
      const timer = setTimeout(() => {
        if (postmaster !== undefined) process.kill(postmaster, 'SIGKILL');
        child.kill('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until('PostgreSQL accepts connections', 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${log}`);
      const client = new Client({ connectionString, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } catch {
        return undefined;
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, connectionString, stop };
}
