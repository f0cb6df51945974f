/**
 * The committed rule files and their generated unit tests, checked by a real promtool (Debian package
 * `prometheus`): lint-clean, and every alert fires when and only when its scenario says.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeWithBinary, run } from '../support/binaries';

const ALERTS = path.join(__dirname, '..', '..', 'alerts');
const ruleFiles = fs.readdirSync(ALERTS).filter((f) => f.endsWith('.rules.yaml'));
const testFiles = fs.readdirSync(ALERTS).filter((f) => f.endsWith('.test.yaml'));

describeWithBinary('promtool', 'promtool on the committed alerts/', (promtool) => {
  it('finds a rule file and a test file for every example service', () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(3);
    expect(testFiles.map((f) => f.replace('.test.', '.rules.'))).toEqual(ruleFiles);
  });

  it.each(ruleFiles)('promtool check rules --lint=all --lint-fatal accepts %s', (file) => {
    const { status, output } = run(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', path.join(ALERTS, file)], 60_000);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  // Each file simulates up to a week of evaluations (the week-over-week drop), so allow minutes.
  it.concurrent.each(testFiles)(
    'promtool test rules passes every scenario of %s',
    async (file) => {
      const { status, output } = await runAsync(promtool, ['test', 'rules', file], ALERTS, 15 * 60_000);
      if (status !== 0) throw new Error(output);
      expect(output).toContain('SUCCESS');
    },
    16 * 60_000,
  );
});

function runAsync(binary: string, args: string[], cwd: string, timeoutMs: number): Promise<{ status: number | null; output: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(binary, args, { cwd, timeout: timeoutMs });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('close', (status) => resolve({ status, output }));
  });
}
