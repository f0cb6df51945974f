/**
 * The shim must load in an app's production image, where cdk8s, constructs and the Grafana SDK are not
 * installed (DESIGN 2). Compiles the entry the way the package ships it, then requires
 * `cdk8s-golden-signals/instrument` through the package's `exports` map in a child process in which
 * those packages cannot be resolved.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { METRIC } from '../../src/signals/contract';

const root = path.resolve(__dirname, '../..');

describe('the instrument subpath export', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-standalone-'));
    const pkg = path.join(dir, 'node_modules', 'cdk8s-golden-signals');
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
    const entry = manifest.exports['./instrument'].default; // e.g. ./lib/src/instrument/index.js
    const outDir = path.join(pkg, path.dirname(path.dirname(entry)));
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        path.join(root, 'src/instrument/index.ts'),
        ...['--outDir', outDir, '--rootDir', path.join(root, 'src'), '--module', 'node16', '--moduleResolution', 'node16', '--target', 'ES2022'],
        ...['--esModuleInterop', '--skipLibCheck', '--strict', '--types', 'node'],
      ],
      { cwd: root, stdio: 'pipe' },
    );
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'cdk8s-golden-signals', exports: manifest.exports }));
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads and serves metrics with cdk8s, constructs and @grafana/* unresolvable', () => {
    const script = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      const blocked = /^(cdk8s|cdk8s-plus-\\d+|constructs|@grafana\\/.*)(\\/|$)/;
      Module._resolveFilename = function (request, ...rest) {
        if (blocked.test(request)) { const e = new Error("Cannot find module '" + request + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
        return resolve.call(this, request, ...rest);
      };
      let blockedWorks = false;
      try { require('constructs'); } catch { blockedWorks = true; }
      const { instrument } = require('cdk8s-golden-signals/instrument');
      const gs = instrument({ name: 'checkout', namespace: 'shop', team: 'payments', metrics: { port: 9464 } },
        { serve: false, handleSignals: false, tracing: false });
      gs.metrics().then((text) => {
        const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](cdk8s|cdk8s-plus-\\d+|constructs|@grafana)[\\\\/]/.test(f));
        console.log(JSON.stringify({ blockedWorks, hasHistogram: text.includes('${METRIC.httpDuration}_count'), loaded }));
        return gs.shutdown();
      });`;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: dir,
      env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ blockedWorks: true, hasHistogram: true, loaded: [] });
  });
});
