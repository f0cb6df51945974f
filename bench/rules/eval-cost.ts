/**
 * Rule evaluation measured in a real Prometheus (issue 19 part 2): our generated rules for a synthetic fleet of
 * N services, and the rule shapes Sloth and Pyrra generate for the same SLOs, each evaluated by its own
 * `prometheus` (2.42, Debian) over the same 30 days of backfilled data.
 *
 *   npm run bench:eval-cost                                   # the plan in BENCHMARKS.md
 *   npm run bench:eval-cost -- --sizes 10 --measure 60        # a quick look
 *
 * Per size N:
 * 1. The fleet of bench/synth/fleet.ts, every SLO set to the run's window, resolved with the library's own model.
 * 2. A TSDB under /tmp: 30 days (plus an hour) of the series the rules read, ending at the start of the run
 *    (./eval-cost/fleet-data.ts says which series and at what resolution), written as 54h blocks, the largest
 *    block a Prometheus with 60d retention compacts to (10% of retention, on its 2h×3ⁿ ladder).
 * 3. For each generator, sequentially: a hard-linked copy of the TSDB, a `prometheus` on 127.0.0.1 with that
 *    generator's rule file, scraping every 30s a local exporter that serves the same series' current values
 *    (so the 5m rates read fresh data, as in production). After a warm-up the script samples
 *    `/metrics` over a fixed window and reads `/api/v1/rules` at its end. Same data, same scrape load, same
 *    duration for every generator; the 1-minute load average is recorded before and after each run.
 *
 * Bounded: every phase has a timeout, `--max-minutes` stops the plan (finished runs are still reported), and
 * Prometheus is killed on exit, error and SIGINT. Everything runs on loopback; temp dirs are removed.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveService, ServiceModel } from '../../src/model';
import { serviceRules, toYaml } from '../../src/rules';
import type { RuleFile } from '../../src/rules/types';
import { parseDuration } from '../../src/spec';
import type { ServiceDefinition } from '../../src/spec';
import { syntheticFleet } from '../synth/fleet';
import { fleetSeries, writeExposition } from './eval-cost/fleet-data';
import { peerRules } from './eval-cost/peers';
import type { BlockStats, SeriesSource } from './eval-cost/tsdb';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Block range: what Prometheus compacts to with 60d retention (max block = 10% of retention → 54h on the 2h·3ⁿ ladder). */
const BLOCK_MS = 54 * HOUR;
/** History: the longest window any generator reads (30d) plus an hour, so a 30d window is full from the first evaluation. */
const HISTORY_MS = 30 * DAY + HOUR;

/**
 * `ours`: the shipped rules. `ours-split`: the same services with `alerting.sloWindowEvaluationInterval: '5m'`,
 * which moves the SLO-window rules (the window's error ratio, the budget left and ErrorBudgetExhausted) into a
 * second group per service evaluated every 5m. `none`: no rules (the scrape alone, for the server's baseline).
 */
type Generator = 'ours' | 'ours-split' | 'sloth' | 'pyrra' | 'none';

interface Options {
  sizes: number[];
  windows: string[];
  /** Sizes that also run the non-default windows. */
  windowSizes: number[];
  generators: Generator[];
  /** Sizes that also run `ours-split`. */
  splitSizes: number[];
  warmupS: number;
  measureS: number;
  maxMinutes: number;
  tmp: string;
  json?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    sizes: [10, 100, 500],
    windows: ['30d', '7d', '28d'],
    windowSizes: [100],
    generators: ['ours', 'sloth', 'pyrra', 'ours-split'],
    splitSizes: [100, 500],
    // 45s: two scrapes of the live exporter, so every 5m rate has fresh samples; 120s: two evaluations of every
    // 1m group (a run is extended until every group, e.g. Pyrra's 150s one, has evaluated at least once).
    warmupS: 45,
    measureS: 120,
    maxMinutes: 90,
    tmp: os.tmpdir(),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--sizes': o.sizes = v.split(',').map(Number); i++; break;
      case '--windows': o.windows = v.split(','); i++; break;
      case '--window-sizes': o.windowSizes = v.split(',').map(Number); i++; break;
      case '--generators': o.generators = v.split(',') as Generator[]; i++; break;
      case '--split-sizes': o.splitSizes = v.split(',').map(Number); i++; break;
      case '--warmup': o.warmupS = Number(v); i++; break;
      case '--measure': o.measureS = Number(v); i++; break;
      case '--max-minutes': o.maxMinutes = Number(v); i++; break;
      case '--tmp': o.tmp = v; i++; break;
      case '--json': o.json = v; i++; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: every Prometheus this script starts and every temp dir it makes goes away on exit, error or signal.

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let servers: http.Server[] = [];

function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.clear();
  for (const s of servers) s.close();
  servers = [];
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping Prometheus and removing temp dirs`);
    cleanup();
    process.exit(130);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load1 = () => os.loadavg()[0];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function get(url: string, timeoutMs = 30_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The fleet and its rules

/** The benchmark fleet's definitions with every SLO on `window`. */
export function fleetDefinitions(n: number, window: string): ServiceDefinition[] {
  return syntheticFleet(n).map((d) => {
    // On a 7d window the default slow tier's factor is 0.7 (10% of the budget over 1d), which the model rejects
    // as noise; it tells the user to turn the tier off, so the 7d variant does.
    const tiers = (s: object) => (parseDuration(window)! < 14 * DAY ? { burnTiers: { ...(s as { burnTiers?: object }).burnTiers, slow: false } } : {});
    const slos = Object.fromEntries(Object.entries(d.slos ?? {}).map(([k, s]) => [k, { ...s, window, ...tiers(s) }])) as ServiceDefinition['slos'];
    return { ...d, slos };
  });
}

/** The benchmark fleet, resolved by the library's own model, with every SLO on `window`. */
export function fleetModels(n: number, window: string): ServiceModel[] {
  return fleetDefinitions(n, window).map((d) => resolveService(d));
}

/** The rule file a generator ships for the fleet: ours exactly as `serviceRules` renders it, the peers' from ./eval-cost/peers. */
export function rulesFor(models: readonly ServiceModel[], generator: Generator): RuleFile {
  if (generator === 'ours') return { groups: models.flatMap((m) => serviceRules(m).groups) };
  if (generator === 'ours-split') return { groups: models.flatMap((m) => serviceRules({ ...m, alerting: { ...m.alerting, sloWindowEvaluationIntervalMs: SLO_WINDOW_INTERVAL_MS } }).groups) };
  if (generator === 'none') return { groups: [] };
  return peerRules(models, generator);
}

/** `ours-split`: the fleet with `alerting.sloWindowEvaluationInterval: '5m'`. */
const SLO_WINDOW_INTERVAL_MS = 5 * 60_000;

// ---------------------------------------------------------------------------------------------------------
// Backfill

interface Backfill {
  readonly dir: string;
  readonly endMs: number;
  readonly raw: SeriesSource[];
  readonly series: number;
  readonly samples: number;
  readonly bytes: number;
  readonly blocks: number;
  readonly seconds: number;
}

/** Backfill workers: the two cores of the benchmark machine (blocks are independent). */
const BACKFILL_WORKERS = Math.max(1, Math.min(2, os.cpus().length));

async function backfill(definitions: ServiceDefinition[], tmp: string): Promise<Backfill> {
  const started = Date.now();
  const endMs = Math.floor(started / MINUTE) * MINUTE;
  const originMs = endMs - HISTORY_MS;
  const dir = fs.mkdtempSync(path.join(tmp, 'gs-eval-cost-tsdb-'));
  tempDirs.add(dir);
  const ranges: Array<[number, number]> = [];
  for (let from = Math.floor(originMs / BLOCK_MS) * BLOCK_MS; from <= endMs; from += BLOCK_MS) ranges.push([Math.max(from, originMs), Math.min(from + BLOCK_MS, endMs + 1)]);
  const worker = path.join(__dirname, 'eval-cost', 'backfill-worker.ts');
  const stats = await Promise.all(
    Array.from({ length: BACKFILL_WORKERS }, (_, w) => {
      const mine = ranges.filter((_, k) => k % BACKFILL_WORKERS === w);
      return new Promise<BlockStats[]>((resolve, reject) => {
        const t = new Worker(`require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(worker)});`, {
          eval: true,
          workerData: { definitions, originMs, ranges: mine, dir },
          // A 500-service fleet is about a million series objects per worker.
          resourceLimits: { maxOldGenerationSizeMb: 8192 },
        });
        t.on('message', (m: { progress?: BlockStats; done?: BlockStats[] }) => {
          if (m.progress) process.stderr.write(`  block ${new Date(m.progress.minTime).toISOString().slice(0, 16)}: ${m.progress.series} series, ${(m.progress.samples / 1e6).toFixed(1)} M samples, ${(m.progress.bytes / 2 ** 20).toFixed(0)} MiB\n`);
          if (m.done) resolve(m.done);
        });
        t.on('error', reject);
        t.on('exit', (code) => code !== 0 && reject(new Error(`backfill worker exited ${code}`)));
      });
    }),
  );
  const blocks = stats.flat();
  fs.mkdirSync(path.join(dir, 'wal'));
  // Settle before any run: flush the gigabytes just written and read them once, so the first generator does not
  // pay for the write-back and a cold page cache that later ones would not (a first run measured 15× slower).
  execFileSync('sync');
  for (const b of blocks) for (const f of [path.join(b.dir, 'index'), ...fs.readdirSync(path.join(b.dir, 'chunks')).map((c) => path.join(b.dir, 'chunks', c))]) execFileSync('cat', [f], { stdio: ['ignore', 'ignore', 'inherit'] });
  const raw = fleetSeries(definitions.map((d) => resolveService(d)), originMs).raw;
  return {
    dir,
    endMs,
    raw,
    series: Math.max(...blocks.map((b) => b.series)),
    samples: blocks.reduce((a, b) => a + b.samples, 0),
    bytes: blocks.reduce((a, b) => a + b.bytes, 0),
    blocks: blocks.length,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Serves the raw series' current values on 127.0.0.1 (what the Prometheus under test scrapes). */
async function startExporter(raw: readonly SeriesSource[]): Promise<number> {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    writeExposition(raw, Date.now(), (chunk) => res.write(chunk));
    res.end();
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  servers.push(server);
  return port;
}

// ---------------------------------------------------------------------------------------------------------
// One Prometheus run

type Sample = { name: string; labels: Record<string, string>; value: number };

function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const pick = (s: Sample[], name: string) => s.filter((x) => x.name === name);
const one = (s: Sample[], name: string, labels: Record<string, string> = {}) =>
  s.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value ?? NaN;

interface RuleStat {
  readonly group: string;
  readonly name: string;
  readonly type: string;
  readonly query: string;
  readonly seconds: number;
  readonly health: string;
  readonly error?: string;
}

interface RunResult {
  readonly n: number;
  readonly window: string;
  readonly generator: Generator;
  readonly groups: number;
  readonly rules: number;
  /** Per group: interval and the median and max evaluation time over the evaluations seen in the window. */
  readonly perGroup: Array<{ group: string; intervalS: number; medianS: number; maxS: number; evaluations: number }>;
  readonly perRule: RuleStat[];
  readonly missedDelta: number;
  readonly missedTotal: number;
  readonly failuresDelta: number;
  readonly cpuPerMinuteS: number;
  readonly rssMiB: number;
  readonly heapInuseMiB: number;
  readonly ruleEvalQuantiles: Record<string, number>;
  readonly querySamplesPerMinute?: number;
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly startupS: number;
  /** That the rules computed something: series of the SLO-window output, their median, firing alerts. */
  readonly sanity: string;
}

async function instant(base: string, q: string): Promise<number> {
  const r = JSON.parse((await get(`${base}/api/v1/query?query=${encodeURIComponent(q)}`)).body) as { data?: { result: Array<{ value: [number, string] }> } };
  const v = r.data?.result[0]?.value[1];
  return v === undefined ? 0 : Number(v);
}

async function runPrometheus(
  n: number,
  window: string,
  generator: Generator,
  rules: RuleFile,
  tsdb: string,
  exporterPort: number,
  o: Options,
): Promise<RunResult> {
  const loadBefore = load1();
  const runDir = fs.mkdtempSync(path.join(o.tmp, `gs-eval-cost-${generator}-`));
  tempDirs.add(runDir);
  const data = path.join(runDir, 'data');
  // Hard links: blocks are immutable and Prometheus only adds files (wal, head chunks), so every run starts from
  // the same TSDB without copying gigabytes.
  execFileSync('cp', ['-al', tsdb, data]);
  const ruleFile = path.join(runDir, 'rules.yaml');
  fs.writeFileSync(ruleFile, toYaml(rules));
  const config = [
    'global:',
    '  scrape_interval: 30s', // the fleet's scrape interval (ServiceDefinition metrics.scrapeInterval default)
    '  scrape_timeout: 25s', // a 500-service exposition is about a million lines
    '  evaluation_interval: 1m', // Sloth's groups set none; ours and Pyrra's set their own
    'rule_files:',
    `  - ${ruleFile}`,
    'scrape_configs:',
    '  - job_name: fleet',
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${exporterPort}']`,
  ].join('\n');
  fs.writeFileSync(path.join(runDir, 'prometheus.yml'), config);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(runDir, 'prometheus.log'), 'w');
  const started = Date.now();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${path.join(runDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      '--storage.tsdb.retention.time=60d',
      // No compaction during the run: a 2h ladder with nothing to merge, so the backfilled 54h blocks stay as
      // they are and no background compaction competes with the rules for the two cores.
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=2h',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', log, log] },
  );
  children.add(child);
  try {
    const readyBy = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${fs.readFileSync(path.join(runDir, 'prometheus.log'), 'utf8').slice(-2000)}`);
      if (Date.now() > readyBy) throw new Error('prometheus not ready in 180s');
      const ok = await get(`${base}/-/ready`, 5000).then((r) => r.status === 200, () => false);
      if (ok) break;
      await sleep(500);
    }
    const startupS = (Date.now() - started) / 1000;
    await sleep(o.warmupS * 1000);

    const snapshots: Sample[][] = [];
    // Every group must evaluate at least once in the window: a 5m group needs more than 5 minutes.
    const longest = Math.max(60, ...rules.groups.map((g) => parseDuration(g.interval)! / 1000));
    const measureEnd = Date.now() + Math.max(o.measureS, longest + 15) * 1000;
    const first = parseMetrics((await get(`${base}/metrics`)).body);
    const firstAt = Date.now();
    snapshots.push(first);
    while (Date.now() < measureEnd) {
      await sleep(Math.min(15_000, Math.max(0, measureEnd - Date.now())));
      snapshots.push(parseMetrics((await get(`${base}/metrics`)).body));
    }
    const last = snapshots[snapshots.length - 1];
    const minutes = (Date.now() - firstAt) / MINUTE;
    const out = generator === 'pyrra' ? `{__name__=~".+:increase${window}"}` : 'slo:period_error_budget_remaining:ratio';
    // A server past saturation may not answer a query at all: that is a result to report, not a reason to stop.
    const unanswered = (what: string) => (e: Error) => `${what} unanswered (${e.message.split(':')[0]})`;
    const sanity =
      generator === 'none'
        ? ''
        : await (async () =>
            `${await instant(base, `count(${out})`)} series, median ${f3(await instant(base, `quantile(0.5, ${out})`))}; ` +
            `${await instant(base, 'count(ALERTS{alertstate="firing"})')} firing, ${await instant(base, 'count(ALERTS{alertstate="pending"})')} pending`)().catch(unanswered('sanity queries'));
    type RulesApi = { data: { groups: Array<{ name: string; interval: number; rules: Array<{ name: string; type: string; query: string; evaluationTime: number; health: string; lastError?: string }> }> } };
    const api = await get(`${base}/api/v1/rules`, 120_000).then((r) => JSON.parse(r.body) as RulesApi, (): RulesApi => ({ data: { groups: [] } }));

    // Each group's evaluations in the window, told apart by their timestamps.
    const evals = new Map<string, Map<number, number>>();
    const intervals = new Map<string, number>();
    for (const snap of snapshots) {
      const ts = new Map(pick(snap, 'prometheus_rule_group_last_evaluation_timestamp_seconds').map((s) => [s.labels.rule_group, s.value]));
      for (const s of pick(snap, 'prometheus_rule_group_last_duration_seconds')) {
        const at = ts.get(s.labels.rule_group) ?? 0;
        if (at <= 0) continue;
        if (!evals.has(s.labels.rule_group)) evals.set(s.labels.rule_group, new Map());
        evals.get(s.labels.rule_group)!.set(at, s.value);
      }
      for (const s of pick(snap, 'prometheus_rule_group_interval_seconds')) intervals.set(s.labels.rule_group, s.value);
    }
    const perGroup = [...evals].map(([group, byTime]) => {
      const v = [...byTime.values()].sort((a, b) => a - b);
      return { group, intervalS: intervals.get(group) ?? 60, medianS: v[Math.floor(v.length / 2)], maxS: v[v.length - 1], evaluations: v.length };
    });
    const perRule: RuleStat[] = api.data.groups.flatMap((g) =>
      g.rules.map((r) => ({ group: g.name, name: r.name, type: r.type, query: r.query, seconds: r.evaluationTime, health: r.health, error: r.lastError || undefined })),
    );
    const sum = (s: Sample[], name: string) => pick(s, name).reduce((a, x) => a + x.value, 0);
    const quantiles: Record<string, number> = {};
    for (const s of pick(last, 'prometheus_rule_evaluation_duration_seconds')) if (s.labels.quantile) quantiles[s.labels.quantile] = s.value;
    const samplesMetric = 'prometheus_engine_query_samples_total';
    const hasSamples = last.some((s) => s.name === samplesMetric);
    return {
      n,
      window,
      generator,
      groups: rules.groups.length,
      rules: rules.groups.reduce((a, g) => a + g.rules.length, 0),
      perGroup,
      perRule,
      missedDelta: sum(last, 'prometheus_rule_group_iterations_missed_total') - sum(first, 'prometheus_rule_group_iterations_missed_total'),
      missedTotal: sum(last, 'prometheus_rule_group_iterations_missed_total'),
      failuresDelta: sum(last, 'prometheus_rule_evaluation_failures_total') - sum(first, 'prometheus_rule_evaluation_failures_total'),
      cpuPerMinuteS: (one(last, 'process_cpu_seconds_total') - one(first, 'process_cpu_seconds_total')) / minutes,
      rssMiB: one(last, 'process_resident_memory_bytes') / 2 ** 20,
      heapInuseMiB: one(last, 'go_memstats_heap_inuse_bytes') / 2 ** 20,
      ruleEvalQuantiles: quantiles,
      querySamplesPerMinute: hasSamples ? (one(last, samplesMetric) - one(first, samplesMetric)) / minutes : undefined,
      loadBefore,
      loadAfter: load1(),
      startupS,
      sanity,
    };
  } finally {
    child.kill('SIGTERM');
    const deadline = Date.now() + 30_000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(200);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.delete(child);
    fs.closeSync(log);
    fs.rmSync(runDir, { recursive: true, force: true });
    tempDirs.delete(runDir);
  }
}

// ---------------------------------------------------------------------------------------------------------
// What kind of rule each one is, so generators compare kind by kind.

const KINDS = ['base 5m rates', 'burn windows (5m–4d)', 'SLO window', 'metadata', 'burn alerts', 'traffic alerts', 'saturation alerts', 'meta and absent alerts'] as const;
type Kind = (typeof KINDS)[number];

function kindOf(r: RuleStat, sloWindowMs: number): Kind {
  if (r.type === 'alerting') {
    if (r.name === 'ErrorBudgetBurn' || r.name.endsWith('-burn')) return 'burn alerts';
    if (r.name === 'ErrorBudgetExhausted') return 'SLO window';
    if (r.name.startsWith('Traffic')) return 'traffic alerts';
    if (['TargetsDown', 'GoldenSignalsMissing', 'SLOMetricAbsent'].includes(r.name)) return 'meta and absent alerts';
    return 'saturation alerts';
  }
  if (r.name.startsWith('namespace_job:') || r.name.startsWith('slo:sli_events:') || r.name.startsWith('slo:sli_errors:')) return 'base 5m rates';
  const w = /(?:ratio_rate|burnrate|increase)([0-9a-z]+)$/.exec(r.name);
  if (w) return parseDuration(w[1])! >= sloWindowMs ? 'SLO window' : 'burn windows (5m–4d)';
  if (r.name === 'slo:period_error_budget_remaining:ratio' || r.name === 'slo:period_burn_rate:ratio') return r.query.includes('count_over_time') ? 'SLO window' : 'metadata';
  return 'metadata';
}

// ---------------------------------------------------------------------------------------------------------
// Report

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(x < 0.001 ? 3 : x < 0.1 ? 2 : 1)}%` : '–');

/** Evaluation seconds the run spends per minute: each group's median evaluation × its evaluations per minute. */
function evalPerMinute(r: RunResult): number {
  return r.perGroup.reduce((a, g) => a + (g.medianS * 60) / g.intervalS, 0);
}

function printRuns(results: RunResult[]): void {
  console.log('\n| N | window | generator | groups | rules | eval s per minute (Σ groups) | share of the interval | worst group / its interval | p50 / p99 rule eval (ms) | missed iterations | eval failures | CPU s per minute | RSS MiB | heap in use MiB | load before → after |');
  console.log('| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of results) {
    const perMin = evalPerMinute(r);
    const worst = Math.max(...r.perGroup.map((g) => g.maxS / g.intervalS));
    const q = (k: string) => f2((r.ruleEvalQuantiles[k] ?? NaN) * 1000);
    console.log(
      `| ${r.n} | ${r.window} | ${r.generator} | ${r.groups} | ${r.rules} | ${f2(perMin)} | ${pct(perMin / 60)} | ${pct(worst)} | ${q('0.5')} / ${q('0.99')} | ${r.missedDelta} (${r.missedTotal}) | ${r.failuresDelta} | ${f2(r.cpuPerMinuteS)} | ${r.rssMiB.toFixed(0)} | ${r.heapInuseMiB.toFixed(0)} | ${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)} |`,
    );
  }
}

function printKinds(results: RunResult[]): void {
  console.log('\nPer kind of rule, from `/api/v1/rules` at the end of each run (each rule\'s last evaluation time, summed over the fleet, per minute):\n');
  console.log('| N | window | generator | kind | rules | eval s per evaluation (Σ) | eval s per minute | share of the run\'s total |');
  console.log('| ---: | --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const intervals = new Map(r.perGroup.map((g) => [g.group.split(';').pop()!, g.intervalS]));
    const win = parseDuration(r.window)!;
    const acc = new Map<Kind, { rules: number; perEval: number; perMin: number }>();
    for (const rule of r.perRule) {
      if (rule.health === 'unknown') continue;
      const k = kindOf(rule, win);
      const a = acc.get(k) ?? { rules: 0, perEval: 0, perMin: 0 };
      a.rules++;
      a.perEval += rule.seconds;
      a.perMin += (rule.seconds * 60) / (intervals.get(rule.group) ?? 60);
      acc.set(k, a);
    }
    const total = [...acc.values()].reduce((a, x) => a + x.perMin, 0);
    for (const k of KINDS) {
      const a = acc.get(k);
      if (!a) continue;
      console.log(`| ${r.n} | ${r.window} | ${r.generator} | ${k} | ${a.rules} | ${f3(a.perEval)} | ${f3(a.perMin)} | ${pct(a.perMin / total)} |`);
    }
  }
}

function printSlowest(results: RunResult[]): void {
  console.log('\nSlowest single rule per run (last evaluation) and rules in error:\n');
  console.log('| N | window | generator | slowest rule | its group | seconds | rules in error | not yet evaluated | SLO-window output (series, median); alerts | startup s |');
  console.log('| ---: | --- | --- | --- | --- | ---: | ---: | ---: | --- | ---: |');
  for (const r of results) {
    const s = [...r.perRule].sort((a, b) => b.seconds - a.seconds)[0];
    const bad = r.perRule.filter((x) => x.health === 'err');
    const unknown = r.perRule.filter((x) => x.health === 'unknown');
    const err = bad[0]?.error ? ` (${bad[0].error.slice(0, 80)})` : '';
    console.log(`| ${r.n} | ${r.window} | ${r.generator} | ${s ? s.name : '–'} | ${s ? s.group : '–'} | ${s ? f3(s.seconds) : '–'} | ${bad.length}${err} | ${unknown.length} | ${r.sanity} | ${r.startupS.toFixed(1)} |`);
  }
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + o.maxMinutes * MINUTE;
  const version = execFileSync('prometheus', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  console.log(
    `Machine: nproc ${os.cpus().length}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${version}, Node ${process.version}; ` +
      `started ${new Date().toISOString()}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
  console.log(`Plan: sizes ${o.sizes.join(', ')}; windows ${o.windows.join(', ')} (non-default only at N = ${o.windowSizes.join(', ')}); generators ${o.generators.join(', ')}; warm-up ${o.warmupS}s, measured ${o.measureS}s per run; at most ${o.maxMinutes} min.`);
  const results: RunResult[] = [];
  const builds: Array<Omit<Backfill, 'raw' | 'dir'> & { n: number }> = [];
  let stopped: string | undefined;
  try {
    outer: for (const n of o.sizes) {
      const windows = o.windowSizes.includes(n) ? o.windows : o.windows.slice(0, 1);
      const models = fleetModels(n, o.windows[0]);
      process.stderr.write(`N=${n}: backfilling…\n`);
      const tsdb = await backfill(fleetDefinitions(n, o.windows[0]), o.tmp);
      builds.push({ n, endMs: tsdb.endMs, series: tsdb.series, samples: tsdb.samples, bytes: tsdb.bytes, blocks: tsdb.blocks, seconds: tsdb.seconds });
      const exporterPort = await startExporter(tsdb.raw);
      for (const window of windows) {
        const windowModels = window === o.windows[0] ? models : fleetModels(n, window);
        const here = o.generators.filter((x) => (x === 'ours-split' ? o.splitSizes.includes(n) && window === o.windows[0] : x !== 'none' || window === o.windows[0]));
        for (const g of here) {
          const need = (o.warmupS + (g === 'ours-split' ? 315 : o.measureS) + 60) * 1000;
          if (Date.now() + need > deadline) {
            stopped = `--max-minutes ${o.maxMinutes} reached before N=${n} ${window} ${g}`;
            break outer;
          }
          process.stderr.write(`N=${n} ${window} ${g}: running…\n`);
          const r = await runPrometheus(n, window, g, rulesFor(windowModels, g), tsdb.dir, exporterPort, o);
          results.push(r);
          printRuns([r]);
        }
      }
      for (const s of servers) s.close();
      servers = [];
      fs.rmSync(tsdb.dir, { recursive: true, force: true });
      tempDirs.delete(tsdb.dir);
    }
  } finally {
    console.log('\nBackfill (blocks written directly, ./eval-cost/tsdb.ts):\n');
    console.log('| N | series | samples | blocks | on disk MiB | seconds | samples per second |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const b of builds) console.log(`| ${b.n} | ${b.series.toLocaleString('en-US')} | ${b.samples.toLocaleString('en-US')} | ${b.blocks} | ${(b.bytes / 2 ** 20).toFixed(0)} | ${b.seconds.toFixed(1)} | ${Math.round(b.samples / b.seconds).toLocaleString('en-US')} |`);
    console.log('\nRuns:');
    printRuns(results);
    printKinds(results);
    printSlowest(results);
    if (stopped) console.log(`\nStopped: ${stopped}.`);
    if (o.json) fs.writeFileSync(o.json, JSON.stringify({ builds, results: results.map((r) => ({ ...r, perRule: undefined })) }, null, 2));
    console.log(`\nFinished ${new Date().toISOString()}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    cleanup();
    process.exit(1);
  });
}
