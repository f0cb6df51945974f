/**
 * `npm run capacity` end to end, briefly: the real example app on loopback, real autocannon load, the verdict
 * read from the app's own histogram, and the exit code a CI job would act on.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function capacity(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'bench', 'capacity', 'run.ts'), 'checkout', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('npm run capacity -- checkout', () => {
  it('passes a declared capacity the pod serves within every SLO, judged from the histogram', () => {
    const { status, out } = capacity('--steps', '1', '--seconds', '3');
    expect(out).toMatch(/^\| 250 \| 1 \| 3 \| \d+ \| \d+ \| 0\.000% \| 100\.000% \|/m);
    expect(out).toContain('declared capacity 250 req/s per pod: met');
    expect(status).toBe(0);
  }, 90_000);

  it('fails, with exit code 1, a declared capacity the pod cannot serve', () => {
    const { status, out } = capacity('--capacity', '60000', '--steps', '1', '--seconds', '2');
    expect(out).toMatch(/the pod served only \d+ of 60000 req\/s: saturated/);
    expect(out).toContain('declared capacity 60000 req/s per pod: MISSED');
    expect(status).toBe(1);
  }, 90_000);

  it('refuses a bad option with exit code 2, naming it', () => {
    const { status, out } = capacity('--steps', '9');
    expect(out).toContain('--steps must be a number from 1 to 7; got "9"');
    expect(status).toBe(2);
  }, 90_000);
});
