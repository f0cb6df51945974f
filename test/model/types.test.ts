import * as path from 'node:path';
import * as fs from 'node:fs';
import * as ts from 'typescript';

/**
 * A misspelt key in a definition is a compile error, at every level, while the example definitions still
 * compile; and the runtime key tables cannot drift from the interfaces. The fixture marks each line that must
 * fail with `@ts-expect-error`; compiled as it is, it must have no error (every marked line failed), and
 * compiled without the markers, the errors must be exactly those lines, each naming the misspelt key.
 */
const root = path.resolve(__dirname, '../..');
const fixture = path.join(__dirname, 'types/definition-keys.ts');

function diagnostics(files: Record<string, string>): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.json did not parse');
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const read = host.readFile;
  host.readFile = (f) => files[path.resolve(f)] ?? read(f);
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${d.file ? path.relative(root, d.file.fileName) : ''}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`;
  });
}

describe('definition keys at compile time', () => {
  const source = fs.readFileSync(fixture, 'utf8');

  it('compiles the fixture and the examples with every marked line failing as expected', () => {
    expect(diagnostics({ [fixture]: source, [path.join(root, 'examples/services.ts')]: fs.readFileSync(path.join(root, 'examples/services.ts'), 'utf8') })).toEqual([]);
  });

  it('fails on exactly the marked lines without their markers, each naming the misspelt or missing key', () => {
    const unmarked = source.replace(/^\s*\/\/ @ts-expect-error.*\n/gm, '');
    const found = diagnostics({ [fixture]: unmarked });
    expect(found).toHaveLength(7);
    for (const key of ['slo', 'capacty', 'scrapeIntervall', 'minReplica', 'desiredReplica', 'serviceSelector', 'scrapeTimeout']) {
      expect(found).toContainEqual(expect.stringContaining(`'${key}'`));
    }
  });
});
