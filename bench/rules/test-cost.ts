/**
 * CPU cost of the generated promtool tests per service: what a GitOps repo's CI pays to prove its alerts.
 *
 *   npx ts-node --transpile-only bench/rules/test-cost.ts [--before <git ref>]
 *
 * For every example service and the ten shapes of the synthetic fleet (bench/synth/fleet.ts repeats them with
 * period 10, so a 100-service fleet costs ten times their sum), writes the plain files and runs
 * `promtool test rules` on all test files of the service, one service at a time, reading user + system CPU
 * from GNU time (`/usr/bin/time`, Debian package `time`). With `--before <ref>`, also runs the example services'
 * test files (and rule subsets) as committed at that ref against today's rule files (the rules must be unchanged
 * between the two), so before and after are measured side by side in one run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fleet } from '../../examples/services';
import { resolveService } from '../../src/model';
import { plainFiles } from '../../src/plain';
import { syntheticFleet } from '../synth/fleet';

const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const TIME = '/usr/bin/time';
/** No promtool run may hang the benchmark. */
const TIMEOUT_MS = 20 * 60_000;
const ROOT = path.join(__dirname, '..', '..');

interface Cost {
  readonly service: string;
  readonly files: number;
  readonly scenarios: number;
  readonly cpuSeconds: number;
}

/** Runs promtool on the test files in `dir` and returns user + system CPU seconds. */
function promtoolCpu(dir: string, testFiles: readonly string[]): number {
  const r = spawnSync(TIME, ['-f', '%U %S', PROMTOOL, 'test', 'rules', ...testFiles], { cwd: dir, encoding: 'utf8', timeout: TIMEOUT_MS });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !/^[\d.]+ [\d.]+$/.test(last)) throw new Error(`promtool failed in ${dir}:\n${r.stdout}\n${r.stderr}`);
  const [user, sys] = last.split(' ').map(Number);
  return user + sys;
}

function scenarioCount(text: string): number {
  return (text.match(/^ {2}- name:/gm) ?? []).length;
}

function measure(name: string, files: Record<string, string>): Cost {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-test-cost-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    const tests = Object.keys(files).filter((f) => f.endsWith('.test.yaml'));
    const cpuSeconds = promtoolCpu(dir, tests);
    return { service: name, files: tests.length, scenarios: tests.reduce((n, f) => n + scenarioCount(files[f]), 0), cpuSeconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function table(title: string, costs: readonly Cost[]): void {
  console.log(`\n${title}\n`);
  console.log('| service | test files | scenarios | CPU (s) |');
  console.log('| --- | --- | --- | --- |');
  for (const c of costs) console.log(`| ${c.service} | ${c.files} | ${c.scenarios} | ${c.cpuSeconds.toFixed(1)} |`);
  console.log(`| **total** | | ${costs.reduce((n, c) => n + c.scenarios, 0)} | ${costs.reduce((n, c) => n + c.cpuSeconds, 0).toFixed(1)} |`);
}

function main(): void {
  const before = process.argv.indexOf('--before') >= 0 ? process.argv[process.argv.indexOf('--before') + 1] : undefined;
  console.log(`promtool: ${execFileSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).split('\n')[0]}; nproc ${os.cpus().length}; ${os.cpus()[0].model}; Node ${process.version}`);

  const examples = fleet.map(resolveService).map((m) => measure(`${m.namespace}/${m.name}`, plainFiles(m)));
  table('Example services, test files as generated now', examples);

  if (before !== undefined) {
    const old = fleet.map(resolveService).map((m) => {
      const base = `${m.namespace}-${m.name}`;
      const committed = execFileSync('git', ['ls-tree', '-r', '--name-only', before, 'alerts/'], { cwd: ROOT, encoding: 'utf8' })
        .split('\n')
        .filter((f) => path.basename(f).startsWith(`${base}.`) && /\.(test|rules)\.yaml$/.test(f) && f !== `alerts/${base}.rules.yaml`);
      const files: Record<string, string> = { [`${base}.rules.yaml`]: plainFiles(m)[`${base}.rules.yaml`] };
      for (const f of committed) files[path.relative('alerts', f)] = execFileSync('git', ['show', `${before}:${f}`], { cwd: ROOT, encoding: 'utf8' });
      return measure(`${m.namespace}/${m.name}`, files);
    });
    table(`Example services, test files as committed at ${before}, against today's rule files`, old);
  }

  const shapes = syntheticFleet(10)
    .map(resolveService)
    .map((m) => measure(`${m.namespace}/${m.name}`, plainFiles(m)));
  table('The ten shapes of the synthetic fleet (a 100-service fleet is ten times this)', shapes);
  const total = shapes.reduce((n, c) => n + c.cpuSeconds, 0);
  console.log(`\n100-service fleet: ${(total * 10).toFixed(0)} s of CPU (${((total * 10) / 60).toFixed(1)} min); worst service ${Math.max(...shapes.map((c) => c.cpuSeconds)).toFixed(1)} s`);
}

main();
