/**
 * A user has the package, not this repository: the TSDoc in the shipped declarations (what an editor shows on
 * hover) must not send them to files only the repository has (design notes, research notes, benchmark
 * scripts, source or test paths). BENCHMARKS.md ships with the package, so it may be cited.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tree } from '../support/tree';

const ROOT = path.join(__dirname, '..', '..');
/** References to files a package user does not have. URLs are removed before matching. */
const REPOSITORY_ONLY = /\bDESIGN\b|\bresearch\/|\bbench\/|(^|[\s(`'"])(src|test|examples|\.\.\/shared)\/|\.ci\//;

describe('the documentation that ships in the package', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-dts-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
  let files: Record<string, string> = {};
  beforeAll(() => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', out], { stdio: 'pipe' });
    files = tree(out, (name) => name.endsWith('.d.ts'));
  }, 120_000);

  it('declares the three entry points the package exports', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> };
    const entries = Object.values(manifest.exports).flatMap((e) => (typeof e === 'object' && e.types ? [e.types.replace(/^\.\/lib\//, '')] : []));
    expect(entries).toEqual(['src/index.d.ts', 'src/instrument/index.d.ts', 'src/spec/index.d.ts']);
    for (const entry of entries) expect(Object.keys(files)).toContain(entry);
  });

  it('points at no file that only the repository has', () => {
    const found = Object.entries(files).flatMap(([file, text]) =>
      text.split('\n').flatMap((line, i) => (REPOSITORY_ONLY.test(line.replace(/https?:\/\/\S+/g, '')) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
