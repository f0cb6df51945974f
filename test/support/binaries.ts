/**
 * External binaries the tests run, from Debian packages. Locally they may be missing and those tests skip with a message; CI sets
 * GS_REQUIRE_BINARIES=1, which turns a missing binary into a failing test instead of a silent skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REQUIRED = process.env.GS_REQUIRE_BINARIES === '1';

/** The Debian package that installs each binary. */
const PACKAGE: Readonly<Record<string, string>> = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
};

/** Absolute path of an executable on PATH (or in /usr/bin, where Debian puts these), or undefined. */
export function findBinary(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/bin']) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * `describe` when the binary exists; otherwise a skipped suite and a warning, or, with GS_REQUIRE_BINARIES=1,
 * one failing test that says what is missing.
 */
export function describeWithBinary(name: string, title: string, body: (binary: string) => void): void {
  const binary = findBinary(name);
  if (binary) {
    describe(title, () => body(binary));
    return;
  }
  if (REQUIRED) {
    describe(title, () => {
      test(`${name} is installed (GS_REQUIRE_BINARIES=1 forbids skipping)`, () => {
        throw new Error(`${name} not found on PATH; install the Debian package ${PACKAGE[name] ?? name}`);
      });
    });
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED "${title}": ${name} not found on PATH (install ${PACKAGE[name] ?? name}; CI sets GS_REQUIRE_BINARIES=1)`);
  describe.skip(title, () => body(name));
}

/** Writes text to a fresh temporary file and returns its path. */
export function tempFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-routing-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Runs a binary with a time bound; returns exit status and combined output. */
export function run(binary: string, args: readonly string[], timeoutMs = 20_000): { status: number | null; output: string } {
  const r = spawnSync(binary, args, { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Runs a binary and returns stdout; throws with its output on a non-zero exit. */
export function runOk(binary: string, args: readonly string[], timeoutMs = 20_000): string {
  return execFileSync(binary, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}
