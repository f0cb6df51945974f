/**
 * The committed rule files and their generated unit tests, checked by a real promtool (Debian package
 * `prometheus`): lint-clean, and every alert fires when and only when its scenario says.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { describeWithBinary, run } from '../support/binaries';

const ALERTS = path.join(__dirname, '..', '..', 'alerts');
const TESTS = path.join(ALERTS, 'tests');
const ruleFiles = fs.readdirSync(ALERTS).filter((f) => f.endsWith('.rules.yaml'));
const testFiles = fs.readdirSync(TESTS).filter((f) => f.endsWith('.test.yaml'));
/** `shop-checkout.rules.yaml` and `tests/shop-checkout.availability-burn.30m.test.yaml` → `shop-checkout`. */
const serviceOf = (file: string) => file.replace(/(\.[a-z0-9-]+\.\d+[smhd])?\.(test|rules)\.yaml$/, '');
/** `shop-checkout.availability-burn.30m.test.yaml` → scope `availability-burn`, step `30m`. */
const partsOf = (file: string) => /\.([a-z0-9-]+)\.(\d+[smhd])\.test\.yaml$/.exec(file)!;

describeWithBinary('promtool', 'promtool on the committed alerts/', (promtool) => {
  it('finds a rule file and test files (one against all its rules) for every example service', () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(3);
    expect([...new Set(testFiles.map(serviceOf))]).toEqual(ruleFiles.map(serviceOf));
    for (const rules of ruleFiles) expect(testFiles.filter((f) => f.startsWith(`${serviceOf(rules)}.service.`))).toHaveLength(1);
  });

  it.each(testFiles)('%s loads its service’s rule file, or the subset of its scope, at the step its name says', (file) => {
    const test = YAML.parse(fs.readFileSync(path.join(TESTS, file), 'utf8')) as { rule_files: string[]; evaluation_interval: string };
    const [, scope, step] = partsOf(file);
    expect(test.rule_files).toEqual([scope === 'service' ? `../${serviceOf(file)}.rules.yaml` : `${serviceOf(file)}.${scope}.rules.yaml`]);
    expect(test.evaluation_interval).toBe(step);
  });

  it.each(ruleFiles)('promtool check rules --lint=all --lint-fatal accepts %s', (file) => {
    const { status, output } = run(promtool, ['check', 'rules', '--lint=all', '--lint-fatal', path.join(ALERTS, file)], 60_000);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  // Seconds per service since the long-window scenarios run at a coarser step; the bound only catches a hang.
  it.concurrent.each(testFiles)(
    'promtool test rules passes every scenario of %s',
    async (file) => {
      const { status, output } = await runAsync(promtool, ['test', 'rules', file], TESTS, 15 * 60_000);
      if (status !== 0) throw new Error(output);
      expect(output).toContain('SUCCESS');
    },
    16 * 60_000,
  );
});

/** GC at 4× the live heap instead of 2× (64 → 120 MB here), one OS thread: less collector work per rule evaluation. */
const PROMTOOL_BATCH_ENV = { GOGC: '400', GOMAXPROCS: '1' };

function runAsync(binary: string, args: string[], cwd: string, timeoutMs: number): Promise<{ status: number | null; output: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    // The Go runtime tuned for a short batch job (BENCHMARKS.md: about 18% less CPU for the same proof).
    const child = spawn(binary, args, { cwd, timeout: timeoutMs, env: { ...process.env, ...PROMTOOL_BATCH_ENV } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('close', (status) => resolve({ status, output }));
  });
}
