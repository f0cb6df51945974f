/**
 * Capacity check: does one pod really serve the `capacity.requestsPerSecond` its definition declares, within
 * its SLOs? Loads the instrumented example app (or any URL) on loopback with autocannon in steps from the
 * declared capacity upwards, and judges each step from the app's own duration histogram, scraped before and
 * after, as the generated rules would (src/capacity/report.ts).
 *
 *   npm run capacity -- checkout
 *   npm run capacity -- checkout --url http://127.0.0.1:8080 --metrics http://127.0.0.1:9464/metrics
 *   npm run capacity -- checkout --capacity 400 --steps 2 --seconds 5   (check another rate, briefly)
 *
 * Without --url it starts examples/app/server.ts (the checkout service) on 127.0.0.1, pinned to core 1 when
 * `taskset` exists, with autocannon on core 0: one pod on one core. Steps: the declared capacity times 1, 2, 4,
 * ... 64, each long enough to judge every objective (ten budgets' worth of requests) but 5 to 20 seconds (60 for
 * the declared capacity, whose step is the verdict), and it stops after the first step that misses an SLO or
 * falls 10% short of its rate: that is the pod's real capacity on this machine. Exits 1 when the declared
 * capacity itself misses, 2 on a usage error. Bounded: at most 60 s + 6 × 20 s + a 3 s warm-up.
 *
 * The latency is the shim's, measured from the request's arrival in the app to its response: time a request
 * waits in the kernel's accept and socket queues before Node reads it is not in it, as it is not in the SLI.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fleet } from '../../examples/services';
import { histogramSamples, judgeStep, measureStep, type StepMeasurement, type StepVerdict } from '../../src/capacity/report';
import { minRequestsToJudge } from '../../src/loadtest/k6';
import { resolveService, type ServiceModel } from '../../src/model';
import { hasTaskset } from '../shim/harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (o: object) => Promise<{ requests: { average: number; total: number }; non2xx: number; errors: number; timeouts: number }>;

const MULTIPLES = [1, 2, 4, 8, 16, 32, 64] as const;
const MIN_STEP_S = 5;
const MAX_STEP_S = 20;
/** The declared capacity's own step may run longer: it is the verdict, so it must be judgeable. */
const MAX_DECLARED_STEP_S = 60;
const WARMUP_S = 3;
const CONNECTIONS = 100;
const ROOT = path.join(__dirname, '..', '..');

/** The example app's routes, with the methods it serves them under. */
const EXAMPLE_REQUESTS = [
  { method: 'GET', path: '/cart' },
  { method: 'POST', path: '/checkout', headers: { 'content-type': 'application/json' }, body: '{}' },
  { method: 'GET', path: '/orders/1' },
];

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run capacity -- <service> [--url http://127.0.0.1:8080 --metrics http://127.0.0.1:9464/metrics] [--capacity <req/s>] [--steps 1-${MULTIPLES.length}] [--seconds 1-60]`,
  );
  process.exit(2);
}

/** Starts the example app on loopback; resolves with its ports once it prints its ready line. */
function startExampleApp(pin: boolean): Promise<{ child: ChildProcess; appPort: number; metricsPort: number }> {
  const args = ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'examples', 'app', 'server.ts')];
  const [command, argv] = pin ? ['taskset', ['-c', '1', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, APP_PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', DRAIN_DELAY_MS: '0', OTEL_TRACES_EXPORTER: 'none' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the example app did not start in 60 s')), 60_000);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"ready":true'));
      if (!line) return;
      clearTimeout(timer);
      const { appPort, metricsPort } = JSON.parse(line) as { appPort: number; metricsPort: number };
      resolve({ child, appPort, metricsPort });
    });
    child.once('exit', (code) => reject(new Error(`the example app exited with ${code}`)));
  });
}

async function scrape(model: ServiceModel, url: string) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return histogramSamples(model, await res.text());
}

const ms = (s: number) => (Number.isNaN(s) ? 'n/a' : `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)}ms`);
const pct = (r: number) => `${(r * 100).toFixed(3)}%`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args[0];
  const definition = fleet.find((d) => d.name === name);
  if (!definition) usage(`no example service named ${JSON.stringify(name)}; one of ${fleet.map((d) => d.name).join(', ')}`);
  const option = (flag: string) => {
    const i = args.indexOf(flag);
    return i > 0 ? args[i + 1] : undefined;
  };
  const model = resolveService(definition);
  const number = (flag: string, min: number, max: number): number | undefined => {
    const text = option(flag);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!(n >= min && n <= max)) usage(`${flag} must be a number from ${min} to ${max}; got ${JSON.stringify(text)}`);
    return n;
  };
  const declared = number('--capacity', 1, 100_000) ?? model.capacity.requestsPerSecond;
  if (declared === undefined) usage(`${name} declares no capacity.requestsPerSecond: nothing to check (or give --capacity)`);
  const steps = number('--steps', 1, MULTIPLES.length) ?? MULTIPLES.length;
  const fixedSeconds = number('--seconds', 1, 60);
  if (model.kind !== 'http') usage(`${name} is a worker: its operations are not HTTP requests autocannon can send`);
  let url = option('--url');
  let metrics = option('--metrics');
  if ((url === undefined) !== (metrics === undefined)) usage('--url and --metrics go together');
  if (url === undefined && name !== 'checkout') usage(`the example app serves checkout; for ${name}, give --url and --metrics`);

  const pin = os.cpus().length >= 2 && hasTaskset();
  let app: ChildProcess | undefined;
  if (url === undefined) {
    if (pin) execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
    const started = await startExampleApp(pin);
    app = started.child;
    url = `http://127.0.0.1:${started.appPort}`;
    metrics = `http://127.0.0.1:${started.metricsPort}${model.metrics.path}`;
  }
  // The example app's routes with their methods; another service gets GET on each route of its definition.
  const requests = app ? EXAMPLE_REQUESTS : model.routes.map((r) => ({ method: 'GET', path: r.replace(/:[^/]+/g, '1') }));
  const minRequests = Math.max(...model.slos.map((s) => minRequestsToJudge(s.errorBudget)));
  const load = (rate: number, seconds: number) => autocannon({ url, connections: CONNECTIONS, overallRate: rate, duration: seconds, requests, timeout: 10 });

  console.log(`capacity check of ${model.namespace}/${model.name}: declared ${declared} req/s per pod; ${model.slos.map((s) => `${s.name} ${s.objectivePercent}%${s.thresholdSeconds ? ` within ${s.thresholdSeconds * 1000}ms` : ''}`).join(', ')}`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ${pin ? 'app pinned to core 1, autocannon to core 0' : 'unpinned'}; ${CONNECTIONS} connections`);
  console.log("numbers are computed from the app's own histogram, as the generated rules would (error predicate, threshold bucket, histogram_quantile; quantiles as coarse as the buckets)\n");
  console.log('| target req/s | × declared | seconds | achieved req/s | requests | failed | within threshold | p50 | p99 | judgeable | SLOs |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');

  const results: Array<{ rate: number; step: StepMeasurement; verdict: StepVerdict; starved: boolean }> = [];
  try {
    await load(declared, WARMUP_S);
    for (const multiple of MULTIPLES.slice(0, Math.floor(steps))) {
      const rate = declared * multiple;
      const seconds = fixedSeconds ?? Math.min(multiple === 1 ? MAX_DECLARED_STEP_S : MAX_STEP_S, Math.max(MIN_STEP_S, Math.ceil(minRequests / rate)));
      const before = await scrape(model, metrics!);
      await load(rate, seconds);
      const step = measureStep(model, before, await scrape(model, metrics!));
      const verdict = judgeStep(model, step);
      // A step that falls far short of its target rate is saturated too, even if what it served met the SLOs.
      const starved = step.requests < 0.9 * rate * seconds;
      results.push({ rate, step, verdict, starved });
      console.log(
        `| ${rate} | ${multiple} | ${seconds} | ${Math.round(step.requests / seconds)} | ${step.requests} | ${pct(step.errorRatio)} | ${step.withinThreshold === undefined ? 'n/a' : pct(step.withinThreshold)} | ${ms(step.p50Seconds)} | ${ms(step.p99Seconds)} | ${verdict.judgeable ? 'yes' : `no (< ${minRequests})`} | ${verdict.met ? 'met' : `missed: ${verdict.reasons.join('; ')}`} |`,
      );
      if (!verdict.met || starved) {
        if (starved && verdict.met) console.log(`\nthe pod served only ${Math.round(step.requests / seconds)} of ${rate} req/s: saturated`);
        break;
      }
    }
  } finally {
    app?.kill('SIGTERM');
  }
  const held = (r: (typeof results)[number]) => r.verdict.met && !r.starved;
  const atDeclared = results[0];
  const lastHeld = [...results].reverse().find(held);
  const firstMiss = results.find((r) => !held(r));
  console.log(
    `\ndeclared capacity ${declared} req/s per pod: ${atDeclared && held(atDeclared) ? 'met' : `MISSED (${atDeclared?.verdict.reasons.join('; ') || 'the pod could not serve the rate'})`}` +
      `${lastHeld ? `; highest step that met every SLO: ${lastHeld.rate} req/s (${lastHeld.rate / declared}× declared)` : ''}` +
      `${firstMiss ? `; first miss at ${firstMiss.rate} req/s` : '; no step missed'}`,
  );
  if (model.scaling) {
    console.log(`the HPA targets ${declared * (1 - model.scaling.headroom)} req/s per pod (declared less ${model.scaling.headroom * 100}% headroom)`);
  }
  process.exitCode = atDeclared && held(atDeclared) ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
