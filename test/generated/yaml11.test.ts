/**
 * Every YAML file this library generates reads the same in a YAML 1.2 parser and in a YAML 1.1 parser
 * (the `yaml` package in 1.1 mode, and PyYAML, which many GitOps and policy tools load manifests with).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { checkout } from '../../examples/services';
import { GoldenSignals } from '../../src/constructs/golden-signals';
import { resolveService } from '../../src/model';
import { renderAlertmanagerConfig } from '../../src/routing/alertmanager-yaml';
import { toYaml } from '../../src/rules';
import { manifestYaml } from '../../src/yaml';
import { tree } from '../support/tree';

const ROOT = path.join(__dirname, '..', '..');

const parse = (text: string, version: '1.1' | '1.2') => YAML.parseAllDocuments(text, { version }).map((d) => d.toJS());

/** PyYAML's reading of each file (safe_load_all), as JSON; a file it cannot load maps to its error. */
function pyyaml(paths: readonly string[]): Record<string, unknown> {
  const script = [
    'import json, sys, yaml',
    'out = {}',
    'for p in sys.argv[1:]:',
    '    try:',
    '        out[p] = list(yaml.safe_load_all(open(p, encoding="utf-8")))',
    '    except Exception as e:',
    '        out[p] = {"PyYAML error": str(e).splitlines()[0]}',
    'print(json.dumps(out, default=lambda o: {"not JSON": repr(o)}))',
  ].join('\n');
  const run = spawnSync(PYTHON!, ['-c', script, ...paths], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** A Python with PyYAML: the one on PATH (pyenv, say), or Debian's, where `apt-get install python3-yaml` puts it. */
const PYTHON = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0);
const hasPyYaml = PYTHON !== undefined;
if (!hasPyYaml && process.env.GS_REQUIRE_BINARIES === '1') throw new Error('PyYAML is not installed and GS_REQUIRE_BINARIES=1: apt-get install python3-yaml');
if (!hasPyYaml) console.warn('PyYAML is not installed (python3 -c "import yaml" failed): the PyYAML checks are skipped. `apt-get install python3-yaml` runs them.');
const withPyYaml = hasPyYaml ? it : it.skip;

/** Strings that some YAML parser reads as something else when they are written plain. */
const AMBIGUOUS = ['=', '<<', 'on', 'Off', 'yes', 'NO', 'y', 'n', '~', 'null', '', '1e3', '010', '0o10', '0x1F', '1_000', '1:30', '190:20:30.15', '.inf', '.NaN', '2024-01-01', '2001-12-14 21:59:43.10 -5', 'true', '42'];
/** Strings every parser reads as themselves: they stay plain. */
const PLAIN = ['page', 'checkout', 'shop', 'http://prometheus:9090', '5m', '#payments'.slice(1), 'ON_CALL', 'y1', 'once'];

describe('generated YAML reads the same in YAML 1.1 and 1.2 parsers', () => {
  const committed = ['dist', 'alerts'].flatMap((d) => Object.keys(tree(path.join(ROOT, d), (name) => /\.ya?ml$/.test(name))).map((f) => path.join(ROOT, d, f)));

  it('the committed dist/ and alerts/ files parse to the same data as YAML 1.1 and as YAML 1.2', () => {
    expect(committed.length).toBeGreaterThan(20);
    const differing = committed.filter((f) => {
      const text = fs.readFileSync(f, 'utf8');
      return JSON.stringify(parse(text, '1.1')) !== JSON.stringify(parse(text, '1.2'));
    });
    expect(differing).toEqual([]);
  });

  withPyYaml('PyYAML loads every committed dist/ and alerts/ file to the same data as a YAML 1.2 parser (matchType: = used to fail)', () => {
    const read = pyyaml(committed);
    const differing = committed.filter((f) => JSON.stringify(read[f]) !== JSON.stringify(parse(fs.readFileSync(f, 'utf8'), '1.2')));
    expect(differing.map((f) => `${path.relative(ROOT, f)}: ${JSON.stringify(read[f]).slice(0, 200)}`)).toEqual([]);
  });

  describe.each([
    ['rule files (toYaml)', (value: string) => toYaml({ key: value, list: [value], [value || 'empty']: 1 })],
    ['manifests (manifestYaml, as cdk8s writes them)', (value: string) => manifestYaml({ key: value, list: [value], [value || 'empty']: 1 })],
  ])('%s', (_what, render) => {
    const cases = [...AMBIGUOUS, ...PLAIN];
    it.each(cases)('write %j so that both YAML versions read it back as that string', (value) => {
      const text = render(value);
      const expected = [{ key: value, list: [value], [value || 'empty']: 1 }];
      expect(parse(text, '1.2')).toEqual(expected);
      expect(parse(text, '1.1')).toEqual(expected);
    });

    withPyYaml('PyYAML reads every one of them back as the string', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-yaml11-'));
      try {
        const paths = cases.map((value, i) => {
          const p = path.join(dir, `${i}.yaml`);
          fs.writeFileSync(p, render(value));
          return p;
        });
        const read = pyyaml(paths);
        expect(paths.map((p) => read[p])).toEqual(cases.map((value) => [{ key: value, list: [value], [value || 'empty']: 1 }]));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it.each(PLAIN)('leaves %j unquoted', (value) => {
      expect(render(value)).toContain(`key: ${value}\n`);
    });
  });

  it('alertmanager.yml quotes a namespace that YAML 1.1 reads as a boolean', () => {
    const model = resolveService({ ...checkout, namespace: 'on', team: 'yes' });
    const text = renderAlertmanagerConfig([model]);
    expect(JSON.stringify(parse(text, '1.1'))).toEqual(JSON.stringify(parse(text, '1.2')));
    expect(text).toContain('"on"');
  });

  it.each([
    ['per service', checkout],
    ['per team', { ...checkout, routing: { ...checkout.routing!, per: 'team' as const } }],
  ])('cdk8s’s own writer gives AlertmanagerConfigs (%s) that read the same in YAML 1.1, 1.2 and PyYAML', (_per, service) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
    new GoldenSignals(chart, 'checkout', { service });
    const text = app.synthYaml();
    expect(text).toContain('kind: AlertmanagerConfig');
    expect(text).not.toMatch(/: =$/m);
    expect(JSON.stringify(parse(text, '1.1'))).toEqual(JSON.stringify(parse(text, '1.2')));
    if (!hasPyYaml) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-yaml11-'));
    try {
      fs.writeFileSync(path.join(dir, 'app.yaml'), text);
      expect(JSON.stringify(pyyaml([path.join(dir, 'app.yaml')])[path.join(dir, 'app.yaml')])).toEqual(JSON.stringify(parse(text, '1.2')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
