/**
 * Load tests whose pass/fail is the SLO: a k6 script per service, generated from the same definition as the
 * alerts, so the test and the pager agree on what a failed or a slow request is.
 *
 * What the script checks (k6 thresholds):
 * - availability: `http_req_failed` below the error budget, with the same error predicate as the rules: k6
 *   counts every status >= 400 as failed by default, so the script declares the statuses that are *not* errors
 *   (`http.expectedStatuses`) from `errors.statusCodes`; a request with no response (status 0) fails, as
 *   `errors.clientAborts` does by default. A second threshold aborts the run at the fast burn tier's rate
 *   (14.4 times the budget by default): what would page in production stops the test.
 * - latency: `p(objective) < threshold` of `http_req_duration` on expected responses, the SLI the latency SLO
 *   measures (share of requests within the threshold), read as the percentile it implies.
 * - per route (the `name` tag, set to the route template as the shim records it): the same thresholds, when the
 *   route gets enough requests to judge them.
 *
 * What a pass means: the service met its objectives for the requests of this run. It is not a 30-day budget:
 * a run spends its own budget in minutes, and a threshold over a few thousand requests cannot tell 99.95% from
 * 99.9%. So each objective has a minimum number of requests ({@link minRequestsToJudge}), and the script
 * refuses to run a scenario that sends fewer.
 */
import type { ServiceModel, SloModel } from '../model/types';
import { exact } from '../signals/promql';
import { FLASH_CROWD, profilePeak } from '../scaling/simulator/profiles';
import type { StatusClass } from '../spec/service';
import { DEFAULT_ERROR_STATUS_CODES } from '../signals/contract';

/**
 * Requests a run needs before a threshold on a share of `budget` means anything: ten budgets' worth, so one
 * failed (or slow) request is a tenth of what the threshold allows. Fewer, and a single unlucky request decides
 * the run: at 99.95% one failure in 1,000 requests is already twice the budget.
 *
 * @example minRequestsToJudge(0.001) // 10000
 */
export function minRequestsToJudge(budget: number): number {
  return Math.ceil(Number((10 / budget).toPrecision(12)));
}

/** A range of HTTP statuses k6 counts as expected (not failed), inclusive. */
export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The statuses that are not errors under the service's predicate, as the fewest ranges of 100–599: the
 * complement of `errors.statusCodes`. Status 0 (no response) is never among them, so it always fails.
 *
 * @example expectedStatuses(['5xx', 429]) // [{ min: 100, max: 428 }, { min: 430, max: 499 }]
 */
export function expectedStatuses(errorCodes: ReadonlyArray<StatusClass | number>): StatusRange[] {
  const isError = (s: number) => errorCodes.some((c) => (typeof c === 'number' ? c === s : Math.floor(s / 100) === Number(c[0])));
  const ranges: StatusRange[] = [];
  let start: number | undefined;
  for (let s = 100; s <= 600; s++) {
    const ok = s <= 599 && !isError(s);
    if (ok && start === undefined) start = s;
    if (!ok && start !== undefined) {
      ranges.push({ min: start, max: s - 1 });
      start = undefined;
    }
  }
  return ranges;
}

/** `p(percentile) < thresholdMs` of `http_req_duration` on expected responses. */
export interface LatencyThreshold {
  readonly percentile: number;
  readonly thresholdMs: number;
}

/** A journey's thresholds, on the requests the script tags `journey: <name>` (by method and route template). */
export interface JourneyThresholds {
  readonly name: string;
  /** Its requests: a method (undefined: any) and a route template. */
  readonly requests: ReadonlyArray<{ readonly method?: string; readonly template: string }>;
  readonly maxFailedRate?: number;
  readonly latency?: readonly LatencyThreshold[];
  /** Fewest of its requests a run needs to judge every objective of the journey. */
  readonly minRequests: number;
}

/** One objective the run is judged by. */
export interface RunObjective {
  /** `availability` or `latency`, the SLO's name. */
  readonly slo: string;
  /** What the threshold says, for the script's comments and refusal messages. */
  readonly text: string;
  /** Fewest requests a run needs to judge it. */
  readonly minRequests: number;
}

/** A k6 scenario as data: stages of `[seconds, requests per second per pod]`, linear in between. */
export interface RunScenario {
  readonly name: 'ramp' | 'flash-crowd' | 'soak';
  readonly description: string;
  /** The rate at t=0 and the targets of each stage, as a multiple of one pod's declared capacity. */
  readonly startPerPod: number;
  readonly stages: ReadonlyArray<{ readonly seconds: number; readonly perPod: number }>;
  /** Pods the rate is multiplied by: `replicas` (ramp, soak) or the autoscaler's maximum (flash crowd). */
  readonly pods: 'replicas' | 'maxReplicas';
}

/** Everything the generated script is built from: plain data, embedded in the script as its `PLAN`. */
export interface LoadTestPlan {
  readonly service: string;
  readonly namespace: string;
  /** Declared requests per second one pod serves, if the definition declares it (else `RATE_PER_POD` at run time). */
  readonly perPod?: number;
  readonly replicas: number;
  readonly maxReplicas: number;
  readonly expectedStatuses: readonly StatusRange[];
  /** `http_req_failed` must stay below this rate (the availability error budget). */
  readonly maxFailedRate?: number;
  /** The run aborts once `http_req_failed` reaches this rate (the fast burn tier's threshold). */
  readonly abortFailedRate?: number;
  /** `p(percentile) < thresholdMs` on expected responses, one per latency objective. */
  readonly latency?: readonly LatencyThreshold[];
  /** Per critical user journey: the same thresholds on the requests tagged with its name (absent without journeys). */
  readonly journeys?: readonly JourneyThresholds[];
  readonly objectives: readonly RunObjective[];
  /** Route templates (the `name` tag) and an example path for each. */
  readonly routes: ReadonlyArray<{ readonly template: string; readonly path: string }>;
  readonly scenarios: readonly RunScenario[];
}

/** How long the soak scenario runs, in seconds: half an hour, long enough for a leak or a slow GC drift to show. */
const SOAK_SECONDS = 30 * 60;

/** An example path for a route template: parameters become `1`, a wildcard `x`. */
function examplePath(template: string): string {
  return template
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '1' : segment.startsWith('*') ? 'x' : segment))
    .join('/');
}

function objectiveOf(slo: SloModel): RunObjective {
  const text =
    slo.kind === 'availability'
      ? `at most ${exact(slo.errorBudget * 100)}% of requests fail (availability ${exact(slo.objectivePercent)}%)`
      : `${exact(slo.objectivePercent)}% of expected responses within ${exact(slo.thresholdSeconds! * 1000)}ms`;
  return { slo: slo.name, text, minRequests: minRequestsToJudge(slo.errorBudget) };
}

/**
 * The plan of a service's load test. HTTP services only: a worker's operations are not requests k6 can send.
 *
 * @example
 * loadTestPlan(resolveService(checkout)).maxFailedRate; // 0.001
 */
export function loadTestPlan(model: ServiceModel): LoadTestPlan | undefined {
  if (model.kind !== 'http') return undefined;
  const serviceWide = model.slos.filter((s) => !s.journey);
  const availability = serviceWide.find((s) => s.kind === 'availability');
  const latencyOf = (slos: readonly SloModel[]): LatencyThreshold[] =>
    slos.filter((s) => s.kind === 'latency').map((l) => ({ percentile: l.objectivePercent, thresholdMs: Number((l.thresholdSeconds! * 1000).toPrecision(12)) }));
  const latency = latencyOf(serviceWide);
  const journeys = model.journeys.map((j): JourneyThresholds => {
    const slos = model.slos.filter((s) => s.journey === j);
    const failed = slos.find((s) => s.kind === 'availability');
    const lat = latencyOf(slos);
    return {
      name: j.name,
      requests: j.requests.flatMap((r) => r.routes.map((template) => ({ ...(r.method ? { method: r.method } : {}), template }))),
      ...(failed ? { maxFailedRate: failed.errorBudget } : {}),
      ...(lat.length > 0 ? { latency: lat } : {}),
      minRequests: Math.max(...slos.map((s) => minRequestsToJudge(s.errorBudget))),
    };
  });
  const replicas = model.scaling?.minReplicas ?? 1;
  const maxReplicas = model.scaling?.maxReplicas ?? replicas;
  // The rate pods run at while the autoscaler holds its target: declared capacity less the headroom.
  const steady = 1 - (model.scaling?.headroom ?? 0.2);
  // The simulator's flash crowd, as a share of its peak: 1K to 50K rps in 3 minutes, held, back down.
  const peak = profilePeak(FLASH_CROWD);
  const flash = FLASH_CROWD.points.map(([t, rps]) => ({ t, perPod: Number((rps / peak).toPrecision(6)) }));
  return {
    service: model.name,
    namespace: model.namespace,
    ...(model.capacity.requestsPerSecond === undefined ? {} : { perPod: model.capacity.requestsPerSecond }),
    replicas,
    maxReplicas,
    expectedStatuses: expectedStatuses(model.definition.errors?.statusCodes ?? DEFAULT_ERROR_STATUS_CODES),
    ...(availability
      ? { maxFailedRate: availability.errorBudget, abortFailedRate: availability.tiers[0]?.errorRatioThreshold ?? Math.min(1, availability.errorBudget * 14.4) }
      : {}),
    ...(latency.length > 0 ? { latency } : {}),
    ...(journeys.length > 0 ? { journeys } : {}),
    objectives: serviceWide.map(objectiveOf),
    routes: (model.routes.length > 0 ? model.routes : ['/']).map((template) => ({ template, path: examplePath(template) })),
    scenarios: [
      {
        name: 'ramp',
        description: 'to the declared capacity of every pod in 5 minutes, held 10 minutes',
        pods: 'replicas',
        startPerPod: 0,
        stages: [
          { seconds: 5 * 60, perPod: 1 },
          { seconds: 10 * 60, perPod: 1 },
        ],
      },
      {
        name: 'flash-crowd',
        description: `the scaling simulator's flash crowd (${FLASH_CROWD.description}), scaled so its peak is the declared capacity of maxReplicas pods`,
        pods: 'maxReplicas',
        startPerPod: flash[0].perPod,
        stages: flash.slice(1).map((p, i) => ({ seconds: p.t - flash[i].t, perPod: p.perPod })),
      },
      {
        name: 'soak',
        description: `${SOAK_SECONDS / 60} minutes at the rate the autoscaler holds (declared capacity less ${exact((1 - steady) * 100)}% headroom)`,
        pods: 'replicas',
        startPerPod: Number(steady.toPrecision(6)),
        stages: [{ seconds: SOAK_SECONDS, perPod: Number(steady.toPrecision(6)) }],
      },
    ],
  };
}

/** Requests a scenario sends: the area under its rate, at `perPod` requests per second per pod on `pods` pods. */
export function scenarioRequests(scenario: RunScenario, perPod: number, pods: number): number {
  let rate = scenario.startPerPod;
  let total = 0;
  for (const stage of scenario.stages) {
    total += ((rate + stage.perPod) / 2) * stage.seconds;
    rate = stage.perPod;
  }
  return Math.floor(total * perPod * pods);
}

/** How every generated script starts: what `writePlainFiles` recognises its own scripts by. */
export const GENERATED_HEADER = '// Generated by cdk8s-golden-signals from the definition of ';

/** The script's header: what it is, how to run it, what a pass means. */
function header(plan: LoadTestPlan): string {
  const lines = [
    `${GENERATED_HEADER}${plan.namespace}/${plan.service}. Do not edit: change the definition and synthesize.`,
    '// @ts-check',
    '//',
    `//   k6 run -e BASE_URL=http://${plan.service}.${plan.namespace}:8080 -e SCENARIO=ramp loadtests/${plan.namespace}-${plan.service}.k6.js`,
    '//',
    '// SCENARIO is one of:',
    ...plan.scenarios.map((s) => `//   - ${s.name}: ${s.description}`),
    `// REPLICAS (default ${plan.replicas}), MAX_REPLICAS (default ${plan.maxReplicas}) and RATE_PER_POD (default ${plan.perPod ?? 'none: the definition declares no capacity, so give it'}) set the rate.`,
    '// ROUTES (JSON, [{ "method": "POST", "path": "/checkout", "template": "/checkout" }]) replaces the GET of each route.',
    '// It passes when the run meets the objectives below; that is no 30-day budget, and a run too short to judge an',
    '// objective is refused before it starts:',
    ...plan.objectives.map((o) => `//   - ${o.text}: needs at least ${o.minRequests} requests`),
  ];
  return lines.join('\n');
}

/**
 * The k6 script of a service (JavaScript, type-checked against @types/k6 in this project's tests): a `PLAN`
 * constant from {@link loadTestPlan}, and the same small program for every service that turns it into k6
 * options, thresholds and requests.
 */
export function k6Script(plan: LoadTestPlan): string {
  return `${header(plan)}
import http from 'k6/http';

/**
 * @typedef {{ seconds: number, perPod: number }} Stage
 * @typedef {{ name: string, description: string, pods: 'replicas' | 'maxReplicas', startPerPod: number, stages: Stage[] }} Scenario
 * @typedef {{
 *   service: string, namespace: string, perPod?: number, replicas: number, maxReplicas: number,
 *   expectedStatuses: Array<{ min: number, max: number }>, maxFailedRate?: number, abortFailedRate?: number,
 *   latency?: Latency[], objectives: Array<{ slo: string, text: string, minRequests: number }>,
 *   routes: Array<{ template: string, path: string }>, scenarios: Scenario[], journeys?: Journey[],
 * }} Plan
 * @typedef {{ percentile: number, thresholdMs: number }} Latency
 * @typedef {{ name: string, requests: Array<{ method?: string, template: string }>, maxFailedRate?: number, latency?: Latency[], minRequests: number }} Journey
 */

/** @type {Plan} From the service definition; see the header. */
const PLAN = ${JSON.stringify(plan, null, 2)};

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
const SCENARIO = __ENV.SCENARIO || 'ramp';
const REPLICAS = Number(__ENV.REPLICAS || PLAN.replicas);
const MAX_REPLICAS = Number(__ENV.MAX_REPLICAS || PLAN.maxReplicas);
const RATE_PER_POD = Number(__ENV.RATE_PER_POD || PLAN.perPod || NaN);

const scenario = PLAN.scenarios.find((s) => s.name === SCENARIO);
if (!scenario) throw new Error(\`SCENARIO must be one of \${PLAN.scenarios.map((s) => s.name).join(', ')}; got \${SCENARIO}\`);
if (!(RATE_PER_POD > 0)) throw new Error('RATE_PER_POD must be a number of requests per second one pod serves: the definition declares no capacity.requestsPerSecond');
const pods = scenario.pods === 'replicas' ? REPLICAS : MAX_REPLICAS;
/** @param {number} perPod a multiple of one pod's capacity */
const rate = (perPod) => Math.max(1, Math.round(perPod * RATE_PER_POD * pods));

/** Requests the scenario sends: the area under its rate. */
let requests = 0;
let previous = scenario.startPerPod;
for (const stage of scenario.stages) {
  requests += ((previous + stage.perPod) / 2) * stage.seconds * RATE_PER_POD * pods;
  previous = stage.perPod;
}
for (const objective of PLAN.objectives) {
  if (requests < objective.minRequests) {
    throw new Error(\`scenario \${SCENARIO} sends about \${Math.floor(requests)} requests; judging "\${objective.text}" needs at least \${objective.minRequests}: raise REPLICAS or RATE_PER_POD, or run soak\`);
  }
}

// Failed means what the alerts count as failed: only the definition's error statuses, and no response at all.
http.setResponseCallback(http.expectedStatuses(...PLAN.expectedStatuses));

/** @type {Record<string, Array<string | { threshold: string, abortOnFail?: boolean, delayAbortEval?: string }>>} */
const thresholds = {};
/**
 * @param {string} tags a tag selector such as \`{name:/orders/:id}\`, or '' for the whole run
 * @param {{ maxFailedRate?: number, latency?: Latency[] }} objectives
 */
const judge = (tags, objectives = PLAN) => {
  if (objectives.maxFailedRate !== undefined) {
    thresholds[\`http_req_failed\${tags}\`] = [\`rate<\${objectives.maxFailedRate}\`];
  }
  if (objectives.latency !== undefined) {
    // One p(N)<threshold per latency objective.
    const expected = tags ? tags.replace('}', ',expected_response:true}') : '{expected_response:true}';
    thresholds[\`http_req_duration\${expected}\`] = objectives.latency.map((l) => \`p(\${l.percentile})<\${l.thresholdMs}\`);
  }
};
judge('');
if (PLAN.abortFailedRate !== undefined) {
  // What would page in production (the fast burn tier) stops the run, after a minute of data.
  thresholds.http_req_failed.push({ threshold: \`rate<\${PLAN.abortFailedRate}\`, abortOnFail: true, delayAbortEval: '1m' });
}
// Per route, only where the route's share of the run is enough to judge every objective.
const perRoute = requests / PLAN.routes.length;
if (PLAN.routes.length > 1 && PLAN.objectives.every((o) => perRoute >= o.minRequests)) {
  for (const route of PLAN.routes) judge(\`{name:\${route.template}}\`);
}
/**
 * The journey a request belongs to (its first, when journeys share a request).
 * @param {{ method: string, template: string }} request
 */
const journeyOf = (request) =>
  (PLAN.journeys ?? []).find((j) => j.requests.some((r) => r.template === request.template && (r.method === undefined || r.method === request.method)));
/**
 * What each iteration sends: GET on an example path of each route, or ROUTES, a JSON list of
 * { method, path, template, body? } (the definition's routes carry no method, e.g. a POST /checkout).
 * @type {Array<{ method: string, path: string, template: string, body?: string }>}
 */
const sent = __ENV.ROUTES ? JSON.parse(__ENV.ROUTES) : PLAN.routes.map((r) => ({ method: 'GET', ...r }));
// Per journey, on the requests tagged with it, when the run sends it enough of them to judge its objectives.
for (const journey of PLAN.journeys ?? []) {
  const share = sent.filter((r) => journeyOf(r) === journey).length / sent.length;
  if (requests * share >= journey.minRequests) judge(\`{journey:\${journey.name}}\`, journey);
}

const VUS_PER_RPS = 2;
const peak = rate(Math.max(scenario.startPerPod, ...scenario.stages.map((s) => s.perPod)));

export const options = {
  scenarios: {
    [SCENARIO]: {
      executor: 'ramping-arrival-rate',
      startRate: rate(scenario.startPerPod),
      timeUnit: '1s',
      preAllocatedVUs: Math.ceil(peak * VUS_PER_RPS * 0.1) + 1,
      maxVUs: Math.ceil(peak * VUS_PER_RPS) + 10,
      stages: scenario.stages.map((s) => ({ target: rate(s.perPod), duration: \`\${s.seconds}s\` })),
    },
  },
  thresholds,
};

/** The requests, tagged: \`name\` is the route template, \`journey\` the journey the request belongs to. */
const REQUESTS = sent.map((r) => {
  const journey = journeyOf(r);
  return { ...r, tags: { name: r.template, ...(journey ? { journey: journey.name } : {}) } };
});

export default function () {
  const request = REQUESTS[Math.floor(Math.random() * REQUESTS.length)];
  // The name tag is the route template, as the shim records it in http_route: one series per route, not per path.
  http.request(request.method, \`\${BASE_URL}\${request.path}\`, request.body ?? null, { tags: request.tags });
}
`;
}
