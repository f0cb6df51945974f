/**
 * The generated k6 load tests (src/loadtest/k6.ts). k6 itself cannot be installed here, so the scripts are
 * type-checked against @types/k6 with a real tsc, and their init code (which turns the plan into k6 options and
 * refuses a run too short to judge) is run in a sandbox with a stand-in `k6/http`: what k6 would be given.
 * Nothing here pretends to run a load test.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { catalog, checkout, fleet } from '../../examples/services';
import { expectedStatuses, k6Script, loadTestPlan, minRequestsToJudge, scenarioRequests } from '../../src/loadtest/k6';
import { resolveService } from '../../src/model';
import { defineService } from '../../src/spec';

const ROOT = path.join(__dirname, '..', '..');

describe('which statuses a run counts as failed: the complement of the error predicate', () => {
  it.each([
    [['5xx'], [{ min: 100, max: 499 }]],
    [['5xx', 429], [{ min: 100, max: 428 }, { min: 430, max: 499 }]],
    [['4xx', '5xx'], [{ min: 100, max: 399 }]],
    [[503], [{ min: 100, max: 502 }, { min: 504, max: 599 }]],
  ] as const)('errors.statusCodes %j leaves %j as expected responses', (codes, ranges) => {
    expect(expectedStatuses(codes)).toEqual(ranges);
  });
});

describe('a run needs ten error budgets of requests to judge an objective', () => {
  it.each([
    [0.01, 1000],
    [0.001, 10_000],
    [0.0005, 20_000],
    [0.0001, 100_000],
  ])('a budget of %d needs %d requests', (budget, requests) => {
    expect(minRequestsToJudge(budget)).toBe(requests);
  });
});

describe('the plan of the example checkout service', () => {
  const plan = loadTestPlan(resolveService(checkout))!;

  it('takes its thresholds from the SLOs: the budget, the fast burn tier, one threshold per latency objective', () => {
    expect({ maxFailedRate: plan.maxFailedRate, abortFailedRate: plan.abortFailedRate, latency: plan.latency }).toEqual({
      maxFailedRate: 0.001,
      abortFailedRate: 0.0144,
      latency: [
        { percentile: 95, thresholdMs: 100 },
        { percentile: 99.5, thresholdMs: 1000 },
      ],
    });
  });

  it("takes each journey's thresholds from its own SLOs, for its method and route pairs", () => {
    expect(plan.journeys).toEqual([
      {
        name: 'place-order',
        requests: [
          { method: 'POST', template: '/checkout' },
          { method: 'GET', template: '/orders/:id' },
        ],
        maxFailedRate: 0.0005,
        latency: [{ percentile: 99, thresholdMs: 500 }],
        minRequests: 20000,
      },
    ]);
  });

  it('sends every route of the definition under its template, with parameters filled in', () => {
    expect(plan.routes).toEqual(resolveService(checkout).routes.map((template) => ({ template, path: template.replace(/:[^/]+/g, '1') })));
  });

  it.each([
    ['ramp', 3, 562_500],
    ['soak', 3, 1_080_000],
  ] as const)('the %s scenario at 250 req/s per pod on %d pods sends %d requests', (name, pods, requests) => {
    expect(scenarioRequests(plan.scenarios.find((s) => s.name === name)!, 250, pods)).toBe(requests);
  });

  it("scales the simulator's flash crowd so its peak is the capacity of maxReplicas pods", () => {
    const flash = plan.scenarios.find((s) => s.name === 'flash-crowd')!;
    expect(Math.max(...flash.stages.map((s) => s.perPod))).toBe(1);
    expect(flash.startPerPod).toBe(0.02);
    expect(flash.pods).toBe('maxReplicas');
  });

  it('has no plan for a worker: its operations are not requests k6 can send', () => {
    expect(loadTestPlan(resolveService(fleet.find((d) => d.kind === 'worker')!))).toBeUndefined();
  });
});

/** Runs a script's init code as k6 would, with a stand-in `k6/http`; returns its options or throws its refusal. */
function init(
  script: string,
  env: Record<string, string>,
): { options: { thresholds: Record<string, unknown>; scenarios: Record<string, { stages: unknown[]; startRate: number }> }; expected: unknown[]; iterate: () => unknown[][] } {
  const recorded: { expected: unknown[]; sent: unknown[][] } = { expected: [], sent: [] };
  const http = {
    expectedStatuses: (...ranges: unknown[]) => ranges,
    setResponseCallback: (ranges: unknown[]) => void (recorded.expected = ranges),
    request: (...args: unknown[]) => void recorded.sent.push(args),
  };
  const exports: Record<string, unknown> = {};
  const code = script
    .replace("import http from 'k6/http';", 'const http = __http;')
    .replace('export const options =', 'exports.options =')
    .replace('export default function', 'exports.default = function');
  vm.runInNewContext(code, { __http: http, __ENV: env, exports, Math, Number, Error, JSON });
  const iterate = () => {
    recorded.sent = [];
    for (let i = 0; i < 50; i++) (exports.default as () => void)();
    return recorded.sent;
  };
  return { options: exports.options as never, expected: recorded.expected, iterate };
}

describe("the script's init code", () => {
  const script = k6Script(loadTestPlan(resolveService(checkout))!);

  it('gives k6 the SLO thresholds, the abort at the fast burn rate and, with enough requests, the same per route', () => {
    const { options, expected } = init(script, { SCENARIO: 'ramp' });
    expect(expected).toEqual([{ min: 100, max: 499 }]);
    expect(options.thresholds.http_req_failed).toEqual(['rate<0.001', { threshold: 'rate<0.0144', abortOnFail: true, delayAbortEval: '1m' }]);
    expect(options.thresholds['http_req_duration{expected_response:true}']).toEqual(['p(95)<100', 'p(99.5)<1000']);
    const route = resolveService(checkout).routes[0];
    expect(options.thresholds[`http_req_failed{name:${route}}`]).toEqual(['rate<0.001']);
    expect(options.thresholds[`http_req_duration{name:${route},expected_response:true}`]).toEqual(['p(95)<100', 'p(99.5)<1000']);
  });

  it('judges a journey on the requests tagged with it, when the run sends it enough of them', () => {
    // The default run sends GET of each route: GET /orders/:id is the journey's, one request in three.
    const { options } = init(script, { SCENARIO: 'ramp' });
    expect(options.thresholds['http_req_failed{journey:place-order}']).toEqual(['rate<0.0005']);
    expect(options.thresholds['http_req_duration{journey:place-order,expected_response:true}']).toEqual(['p(99)<500']);
    const short = init(script, { SCENARIO: 'soak', REPLICAS: '1', RATE_PER_POD: '10' }).options;
    expect(Object.keys(short.thresholds).filter((k) => k.includes('journey:'))).toEqual([]);
  });

  it('ramps to 250 req/s on each of the 3 pods the autoscaler starts with', () => {
    const { options } = init(script, { SCENARIO: 'ramp' });
    expect(options.scenarios.ramp.stages).toEqual([
      { target: 750, duration: '300s' },
      { target: 750, duration: '600s' },
    ]);
  });

  it('refuses a run too short to judge 99.9%, naming the minimum', () => {
    expect(() => init(script, { SCENARIO: 'soak', REPLICAS: '1', RATE_PER_POD: '2' })).toThrow(
      'scenario soak sends about 2880 requests; judging "at most 0.1% of requests fail (availability 99.9%)" needs at least 10000: raise REPLICAS or RATE_PER_POD, or run soak',
    );
  });

  it('leaves out per-route thresholds when a route would get too few requests to judge them', () => {
    const { options } = init(script, { SCENARIO: 'soak', REPLICAS: '1', RATE_PER_POD: '10' });
    expect(Object.keys(options.thresholds).filter((k) => k.includes('name:'))).toEqual([]);
  });

  it('asks for RATE_PER_POD when the definition declares no capacity', () => {
    const noCapacity = k6Script(loadTestPlan(resolveService(defineService({ ...catalog, capacity: undefined })))!);
    expect(() => init(noCapacity, { SCENARIO: 'ramp' })).toThrow('RATE_PER_POD must be a number of requests per second one pod serves');
  });

  it('sends GET to an example path of each route, tagged with the template, or what ROUTES says', () => {
    const sent = init(script, { SCENARIO: 'ramp', BASE_URL: 'http://127.0.0.1:8080' }).iterate();
    expect(new Set(sent.map(([method, url, , params]) => `${method} ${url} ${(params as { tags: { name: string } }).tags.name}`))).toEqual(
      new Set(resolveService(checkout).routes.map((r) => `GET http://127.0.0.1:8080${r.replace(/:[^/]+/g, '1')} ${r}`)),
    );
    const routes = JSON.stringify([{ method: 'POST', path: '/checkout', template: '/checkout', body: '{}' }]);
    expect(init(script, { SCENARIO: 'ramp', BASE_URL: 'http://b', ROUTES: routes }).iterate()[0]).toEqual([
      'POST',
      'http://b/checkout',
      '{}',
      { tags: { name: '/checkout', journey: 'place-order' } },
    ]);
    // A method the journey does not take is not tagged with it.
    const get = JSON.stringify([{ method: 'GET', path: '/checkout', template: '/checkout' }]);
    expect(init(script, { SCENARIO: 'ramp', BASE_URL: 'http://b', ROUTES: get }).iterate()[0]).toEqual(['GET', 'http://b/checkout', null, { tags: { name: '/checkout' } }]);
  });

  it('rejects an unknown scenario, listing the three', () => {
    expect(() => init(script, { SCENARIO: 'spike' })).toThrow('SCENARIO must be one of ramp, flash-crowd, soak; got spike');
  });
});

describe('the committed scripts type-check against @types/k6', () => {
  it('every loadtests/*.k6.js passes tsc --checkJs --strict with only the k6 types', () => {
    const scripts = fs.readdirSync(path.join(ROOT, 'loadtests')).filter((f) => f.endsWith('.k6.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gs-k6-'));
    try {
      const tsconfig = {
        compilerOptions: {
          allowJs: true,
          checkJs: true,
          noEmit: true,
          strict: true,
          target: 'es2020',
          module: 'es2020',
          moduleResolution: 'node',
          lib: ['es2020'],
          types: ['k6'],
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        },
        files: scripts.map((f) => path.join(ROOT, 'loadtests', f)),
      };
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
