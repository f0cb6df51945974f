/**
 * Generated output is reviewed output: what is committed in imports/, dist/, alerts/ and dashboards/ must
 * be exactly what a fresh `cdk8s import` and `npm run synth` produce, and the CRDs in crds/ must be the
 * pinned upstream files.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tree } from '../support/tree';

const ROOT = path.join(__dirname, '..', '..');

/** Names of the files that differ, are missing or are extra (a readable failure instead of a 1 MB diff). */
function differences(committed: Record<string, string>, fresh: Record<string, string>): string[] {
  const names = [...new Set([...Object.keys(committed), ...Object.keys(fresh)])].sort();
  return names.flatMap((n) =>
    committed[n] === undefined ? [`${n}: not committed`] : fresh[n] === undefined ? [`${n}: no longer generated`] : committed[n] !== fresh[n] ? [`${n}: differs`] : [],
  );
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-synth-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('committed generated files equal a fresh generation', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(ROOT, 'examples', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK8S_OUTDIR: path.join(scratch, 'dist'), GS_ARTIFACTS_DIR: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  }, 130_000);

  it.each(['dist', 'alerts', 'dashboards', 'loadtests'])('%s/ equals a fresh synth (run `npm run synth` and commit if this fails)', (dir) => {
    expect(differences(tree(path.join(ROOT, dir)), tree(path.join(scratch, dir)))).toEqual([]);
  });

  it('imports/ equals a fresh offline `cdk8s import` of the CRDs listed in cdk8s.yaml (run `npm run import`)', () => {
    const out = path.join(scratch, 'imports');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'import', '--no-check-upgrade', '-o', out], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
    expect(differences(tree(path.join(ROOT, 'imports')), tree(out))).toEqual([]);
  }, 130_000);

  it('crds/ holds the pinned upstream files (SHA-256 as listed in crds/README.md)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'crds', 'README.md'), 'utf8');
    const pinned = [...readme.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)].map(([, sha, file]) => [file, sha]);
    expect(pinned.length).toBeGreaterThanOrEqual(10);
    for (const [file, sha] of pinned) expect([file, createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'crds', file))).digest('hex')]).toEqual([file, sha]);
  });
});

describe('every committed manifest in dist/', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { validateManifest } = require('../support/schema') as typeof import('../support/schema');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml') as typeof import('yaml');
  const manifests = Object.entries(tree(path.join(ROOT, 'dist'))).flatMap(([file, text]) =>
    YAML.parseAllDocuments(text).map((d) => [file, d.toJSON()] as const),
  );

  it('exists for every chart of the example app', () => {
    expect(new Set(manifests.map(([f]) => f.split(path.sep)[0]))).toEqual(new Set(['backoffice', 'platform', 'shop']));
  });

  it('shows a reader every kind of object the library generates, the worker\'s KEDA and VPA objects included', () => {
    const kinds = new Set(manifests.map(([, m]) => (m as { kind: string }).kind));
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'AlertmanagerConfig', 'HorizontalPodAutoscaler', 'ScaledObject', 'VerticalPodAutoscaler', 'ConfigMap']) {
      expect([kind, kinds.has(kind)]).toEqual([kind, true]);
    }
  });

  it.each(manifests)('%s validates against the Kubernetes 1.28 schema or its pinned CRD', (_file, manifest) => {
    expect(validateManifest(manifest)).toEqual([]);
  });
});
