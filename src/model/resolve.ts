import { validateRouting } from '../routing/resolve';
import { ALERT_LABELS, ERROR_TYPE, errorStatusRegex, errorTypeRegex, histogramBuckets, KNOWN_HTTP_METHODS, OTEL_DURATION_BUCKETS } from '../signals/contract';
import { minus, times } from '../signals/promql';
import type { SignalScope } from '../signals/queries';
import { formatDuration, parseDuration } from '../spec/duration';
import type { BurnTierOverride, LatencySlo, ServiceDefinition, ServiceLevelObjectives, SloCommon } from '../spec/service';
import { BURN_TIER_DEFAULTS } from './burn-tiers';
import { closest, keyPath, LABEL_NAME, Problems, ServiceDefinitionError, showValue } from './problems';
import { checkShape, isRecord, SERVICE_DEFINITION } from './schema';
import { poolWaitBuckets, resolvePools } from './pools';
import { resolveScaling } from './scaling';
import { DEFAULT_TIMINGS } from './timings';
import type { BudgetPolicyModel, BurnTierModel, DefinitionWarning, JourneyModel, RouteSelection, ServiceModel, SloKind, SloModel } from './types';
import { dashboardUid } from './uid';

export { type DefinitionProblem, type ProblemSink, ServiceDefinitionError } from './problems';

const MAX_GROUP_INTERVAL_MS = 5 * 60_000;
const DEFAULT_SLO_WINDOW = '30d';
/** What a runbook URL pattern may contain besides the URL (src/rules/alert.ts substitutes them). */
const RUNBOOK_PLACEHOLDERS = ['{alert}', '{service}', '{namespace}'];

/**
 * Validates a definition and resolves every default, once.
 *
 * @throws ServiceDefinitionError listing every problem, each with the field, the value and what is allowed.
 * @example
 * const model = resolveService(checkout);
 * model.slos[0].tiers[0].errorRatioThreshold; // 0.0144
 */
export function resolveService(definition: ServiceDefinition): ServiceModel {
  const p = new Problems();
  if (!isRecord(definition)) {
    // Nothing else can be said about a definition that is not an object: one problem, not one per field.
    p.add('definition', definition, `must be a service definition object { ${Object.keys(SERVICE_DEFINITION).join(', ')} }`);
    throw new ServiceDefinitionError('<unnamed>', p.list);
  }
  // From here on the resolver reads the checked copy: unknown keys are reported and left out, and values of
  // the wrong shape are reported once and replaced by empty stand-ins, so no field access can throw.
  const d = checkShape(p, '', definition, { kind: 'object', type: 'ServiceDefinition', fields: SERVICE_DEFINITION }) as ServiceDefinition;
  const name = p.dnsLabel('name', d.name);
  const namespace = p.dnsLabel('namespace', d.namespace);
  const team = p.dnsLabel('team', d.team);
  const kind = d.kind ?? 'http';
  if (kind !== 'http' && kind !== 'worker') p.add('kind', d.kind, 'must be "http" or "worker"');

  const metrics = d.metrics ?? ({} as ServiceDefinition['metrics']);
  // Reported as a shape, so that the port it would have held is not reported again.
  if (d.metrics === undefined) p.shape('metrics', undefined, 'is required: { port } of the metrics endpoint');
  const port = p.integer('metrics.port', metrics.port, 1, 65535);
  const path = p.scrapePath('metrics.path', metrics.path, '/metrics');
  const portName = p.portName('metrics.portName', metrics.portName, 'metrics');
  const scrapeIntervalMs = p.duration('metrics.scrapeInterval', metrics.scrapeInterval, '30s', 1000);
  if (metrics.serviceSelector !== undefined) {
    if (Object.keys(metrics.serviceSelector).length === 0) {
      p.add('metrics.serviceSelector', metrics.serviceSelector, 'must select by at least one label: an empty selector makes the ServiceMonitor scrape every Service in the namespace');
    }
    for (const [key, value] of Object.entries(metrics.serviceSelector)) p.kubernetesLabel(keyPath('metrics.serviceSelector', key), key, value);
  }

  const alerting = d.alerting ?? {};
  const evaluationIntervalMs = p.duration('alerting.evaluationInterval', alerting.evaluationInterval, '1m', 1000);
  if (evaluationIntervalMs > MAX_GROUP_INTERVAL_MS) {
    // pint group/interval: past 5m, series go stale between evaluations and alerts flap.
    p.add('alerting.evaluationInterval', alerting.evaluationInterval, 'must be at most "5m": longer intervals leave gaps past the 5m lookback and alerts flap');
  }
  const sloWindowEvaluationIntervalMs = alerting.sloWindowEvaluationInterval === undefined ? undefined : p.duration('alerting.sloWindowEvaluationInterval', alerting.sloWindowEvaluationInterval, '1m', 1000);
  if (sloWindowEvaluationIntervalMs !== undefined && (sloWindowEvaluationIntervalMs % evaluationIntervalMs !== 0 || sloWindowEvaluationIntervalMs > MAX_GROUP_INTERVAL_MS)) {
    // A multiple, so both groups evaluate at the same instants; at most 5m for the same staleness reason as above.
    p.add(
      'alerting.sloWindowEvaluationInterval',
      alerting.sloWindowEvaluationInterval,
      `must be a whole multiple of alerting.evaluationInterval (${formatDuration(evaluationIntervalMs)}) and at most "5m"`,
    );
  }
  if (alerting.clusterLabel !== undefined && (typeof alerting.clusterLabel !== 'string' || !LABEL_NAME.test(alerting.clusterLabel))) {
    p.add('alerting.clusterLabel', alerting.clusterLabel, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
  }
  const reserved = [...ALERT_LABELS, ...(typeof alerting.clusterLabel === 'string' ? [alerting.clusterLabel] : [])];
  for (const key of Object.keys(alerting.labels ?? {})) {
    // Static rule labels override the labels of the expression and of the contract: `severity` would turn
    // every page into whatever it says, `service` or `namespace` would route the alert to someone else.
    if (reserved.includes(key) || key.startsWith('__')) {
      p.add(keyPath('alerting.labels', key), key, `is set by every generated alert (or reserved by Prometheus, "__" names) and must not be overridden; reserved: ${reserved.join(', ')}, __*`);
    } else if (!LABEL_NAME.test(key)) {
      p.add(keyPath('alerting.labels', key), key, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
    }
  }
  const runbookUrl = p.httpUrl('alerting.runbookUrl', alerting.runbookUrl, 'must be an http(s) URL pattern, e.g. "https://wiki.example.com/runbooks/{alert}"', {
    fallback: 'https://runbooks.example.com/golden-signals/{alert}',
    placeholders: RUNBOOK_PLACEHOLDERS,
  });
  const grafanaUrl = p.httpUrl('alerting.grafanaUrl', alerting.grafanaUrl, 'must be the http(s) base URL of Grafana, e.g. "https://grafana.example.com"', {
    fallback: 'https://grafana.example.com',
  });
  const budgetPolicy = resolveBudgetPolicy(p, d.budgetPolicy);

  // The shortest rate window any rule uses must span 4 scrapes, or one missed scrape leaves rate() with
  // too few samples (pint promql/rate; Pyrra's rate[1m] pitfall).
  const minWindowMs = 4 * scrapeIntervalMs;
  const checkWindow = (field: string, value: unknown, ms: number) => {
    if (ms < minWindowMs) {
      p.add(field, value ?? formatDuration(ms), `must be at least 4 scrape intervals (${formatDuration(minWindowMs)} with scrapeInterval ${formatDuration(scrapeIntervalMs)})`);
    }
  };

  const slos: SloModel[] = resolveObjectives(p, 'slos', d.slos ?? {}, undefined, checkWindow);

  const statusCodes = d.errors?.statusCodes;
  if (statusCodes !== undefined) {
    if (!Array.isArray(statusCodes) || statusCodes.length === 0) p.add('errors.statusCodes', statusCodes, 'must be a non-empty list of classes ("5xx") or codes (429)');
    else
      statusCodes.forEach((c, i) => {
        const ok = typeof c === 'number' ? Number.isInteger(c) && c >= 100 && c <= 599 : typeof c === 'string' && /^[1-5]xx$/.test(c);
        if (!ok) p.add(`errors.statusCodes[${i}]`, c, 'must be a status class "1xx".."5xx" or a status code from 100 to 599');
      });
  }
  const clientAborts = d.errors?.clientAborts;
  if (clientAborts !== undefined && clientAborts !== 'error' && clientAborts !== 'ignore') {
    p.add('errors.clientAborts', clientAborts, 'must be "error" (a closed connection is a failed request) or "ignore" (left out of the availability SLO)');
  }

  const routes = d.routes ?? [];
  p.routes('routes', routes);

  const journeys: JourneyModel[] = [];
  const journeysIn = Object.entries(d.journeys ?? {});
  if (journeysIn.length > 0 && kind !== 'http') {
    p.add('journeys', Object.keys(d.journeys ?? {}), `are for "http" services (a journey selects requests by method and route template); this service is kind "${kind}"`);
  }
  if (journeysIn.length > MAX_JOURNEYS) {
    p.add('journeys', Object.keys(d.journeys ?? {}), `must name at most ${MAX_JOURNEYS} journeys: each adds about 20 rules per objective and its own alerts; keep journeys for the paths users cannot do without`, `${journeysIn.length} journeys`);
  }
  for (const [journeyName, journeyIn] of journeysIn) {
    const at = keyPath('journeys', journeyName);
    if (!JOURNEY_NAME.test(journeyName)) {
      p.add(at, journeyName, 'must be a journey name: lower-case letters, digits and single hyphens, starting with a letter, at most 40 characters, e.g. "place-order"');
    }
    const journey: JourneyModel = { name: journeyName, requests: resolveJourneyRoutes(p, `${at}.routes`, journeyIn.routes, routes) };
    if (journeyIn.availability === undefined && journeyIn.latency === undefined) {
      p.add(at, journeyIn, 'must set availability, latency or both: a journey without an objective measures nothing');
    }
    journeys.push(journey);
    slos.push(...resolveObjectives(p, at, journeyIn, journey, checkWindow));
  }

  const traffic = d.traffic ?? {};
  const noTrafficForMs = traffic.noTrafficFor === false ? undefined : p.duration('traffic.noTrafficFor', traffic.noTrafficFor, '10m');
  if (noTrafficForMs !== undefined) checkWindow('traffic.noTrafficFor', traffic.noTrafficFor, noTrafficForMs);
  const dropBelowLastWeek = traffic.dropBelowLastWeek === false ? undefined : p.ratio('traffic.dropBelowLastWeek', traffic.dropBelowLastWeek, 0.5);
  const dropMinRequestsPerSecond = p.positive('traffic.dropMinRequestsPerSecond', traffic.dropMinRequestsPerSecond) ?? 1;

  const capacity = {
    requestsPerSecond: p.positive('capacity.requestsPerSecond', d.capacity?.requestsPerSecond),
    // A count of requests: the in-flight gauge is whole, so 0.5 would put the alert at "0.45 in flight".
    concurrentRequests:
      d.capacity?.concurrentRequests === undefined ? undefined : p.integer('capacity.concurrentRequests', d.capacity.concurrentRequests, 1, 1_000_000),
  };

  const sat = d.saturation ?? {};
  const container = sat.container ?? name;
  if (sat.container !== undefined) p.dnsLabel('saturation.container', sat.container);
  const eventLoopDelayMs = p.duration('saturation.eventLoopDelayP99', sat.eventLoopDelayP99, '500ms');
  if (eventLoopDelayMs < 50) {
    // monitorEventLoopDelay samples at ~10ms resolution, so p99 is never below it (research/instrumentation §7).
    p.add('saturation.eventLoopDelayP99', sat.eventLoopDelayP99, 'must be at least "50ms": event-loop delay is sampled at ~10ms resolution, lower thresholds page on noise');
  }
  const saturation = {
    container,
    cpuOfLimit: p.ratio('saturation.cpuOfLimit', sat.cpuOfLimit, 0.9),
    cpuOfRequest: positiveOr(p, 'saturation.cpuOfRequest', sat.cpuOfRequest, 1),
    memoryOfLimit: p.ratio('saturation.memoryOfLimit', sat.memoryOfLimit, 0.9),
    eventLoopUtilization: p.ratio('saturation.eventLoopUtilization', sat.eventLoopUtilization, 0.9),
    eventLoopDelayP99Seconds: eventLoopDelayMs / 1000,
    inFlightOfLimit: p.ratio('saturation.inFlightOfLimit', sat.inFlightOfLimit, 0.9),
  };

  let scaling: ServiceModel['scaling'];
  if (d.scaling) {
    scaling = resolveScaling(d.scaling, { service: name, kind, capacity, container, scrapeIntervalMs }, p);
  }

  const warnings: DefinitionWarning[] = [];
  const pools = resolvePools(
    p,
    d.capacity?.pools,
    {
      requestsPerSecond: capacity.requestsPerSecond,
      latencyThresholdSeconds: slos.find((s) => s.kind === 'latency')?.thresholdSeconds,
      // Without an autoscaler the Deployment's replica count is not part of the definition: one pod is the
      // least the service runs, and the message says that is what was assumed.
      replicas: scaling?.maxReplicas ?? 1,
      replicasFrom: scaling ? 'scaling.maxReplicas' : 'assumed: no scaling policy gives maxReplicas',
    },
    warnings,
  );

  // Routing is validated here too, so a definition fails once with every problem (the routing model itself is
  // built where it is used: resolveRouting).
  validateRouting(d.routing, p.sink);

  if (p.list.length > 0) {
    const shown = typeof d.name !== 'string' ? '<unnamed>' : d.name.length > 63 ? `${d.name.slice(0, 62)}…` : d.name;
    throw new ServiceDefinitionError(shown, p.list);
  }

  const buckets = histogramBuckets(d);
  const scope: SignalScope = {
    namespace,
    job: name,
    kind,
    errorStatusRegex: errorStatusRegex(d),
    errorTypeRegex: errorTypeRegex(d),
    ...(d.errors?.clientAborts === 'ignore' ? { ignoredErrorType: ERROR_TYPE.aborted } : {}),
    container,
    autoscalerName: scaling?.autoscalerName,
    clusterLabel: alerting.clusterLabel,
  };
  return {
    name,
    namespace,
    team,
    kind,
    // The caller's object, not the checked copy (the two are equal once valid): consumers read it as given.
    definition,
    metrics: {
      port,
      path,
      portName,
      scrapeIntervalMs,
      serviceSelector: metrics.serviceSelector ?? { 'app.kubernetes.io/name': name },
    },
    scope,
    buckets,
    routes,
    slos,
    journeys,
    traffic: { noTrafficForMs, dropBelowLastWeek, dropMinRequestsPerSecond },
    capacity: { ...capacity, pools },
    saturation,
    scaling,
    alerting: {
      runbookUrlPattern: runbookUrl,
      grafanaUrl: grafanaUrl.replace(/\/+$/, ''),
      evaluationIntervalMs,
      ...(sloWindowEvaluationIntervalMs !== undefined ? { sloWindowEvaluationIntervalMs } : {}),
      clusterLabel: alerting.clusterLabel,
      labels: alerting.labels ?? {},
      dashboardUid: dashboardUid(namespace, name, 'service'),
      budgetReportUid: dashboardUid(namespace, name, 'budget'),
    },
    ...(budgetPolicy ? { budgetPolicy } : {}),
    timings: DEFAULT_TIMINGS,
    poolWaitBuckets: poolWaitBuckets(buckets, pools),
    warnings,
  };
}

/** The SRE Workbook's example policy, in one sentence: stop adding risk, spend the time on reliability. */
export const DEFAULT_BUDGET_ACTION = 'Freeze risky deploys (features, migrations) until the budget recovers; reliability work comes first.';

function resolveBudgetPolicy(p: Problems, policy: ServiceDefinition['budgetPolicy']): BudgetPolicyModel | undefined {
  if (policy === undefined) return undefined;
  const exhausted = policy.exhausted === undefined ? 'ticket' : policy.exhausted;
  if (exhausted !== false && exhausted !== 'page' && exhausted !== 'ticket') {
    p.add('budgetPolicy.exhausted', policy.exhausted, 'must be "ticket", "page" or false (no alert)');
  }
  const action = policy.action === undefined ? DEFAULT_BUDGET_ACTION : policy.action;
  if (typeof action !== 'string' || action.trim() === '' || action.length > 300) {
    p.add('budgetPolicy.action', policy.action, 'must be a sentence for responders of at most 300 characters, e.g. "Freeze feature deploys."');
  }
  return exhausted === 'page' || exhausted === 'ticket' ? { severity: exhausted, action: String(action) } : undefined;
}

function positiveOr(p: Problems, field: string, value: unknown, fallback: number): number {
  return p.positive(field, value) ?? fallback;
}

/** Most journeys a service may have (see {@link ServiceDefinition.journeys}). */
export const MAX_JOURNEYS = 20;
/** A journey name: a DNS-label-like word of at most 40 characters, so `<journey>-latency-1500ms` stays readable. */
const JOURNEY_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/;

type CheckWindow = (field: string, value: unknown, ms: number) => void;

/**
 * The SLOs of one set of objectives (the service's `slos`, or a journey's), named for the `slo` label.
 *
 * Naming, and why: the one-objective form keeps the names it always had (`availability`, `latency`), because
 * alert history, silences and inhibitions key on them. Several latency objectives are each named by their
 * threshold (`latency-100ms`, `latency-1s`): a threshold is what tells them apart, it is stable while the
 * objective is tuned, and duplicates are rejected below so names cannot collide. A journey's SLOs put the
 * journey first (`place-order-availability`) rather than sharing `slo="availability"` with the service-wide SLO
 * and telling them apart by a `journey` label only: every rule, the quiet clause between tiers (which reads
 * `ALERTS` by `slo`), the budget alerts, Alertmanager grouping and inhibitions already key on `slo`, so a
 * unique `slo` keeps each journey's alerts apart by construction, and a selector that forgot `journey=""`
 * could never fold a journey into the service's SLO. The `journey` label is added on top, for grouping and
 * dashboards. Journey names cannot end in `-availability`/`-latency…` collisions: service names start with
 * `availability`/`latency`, journey ones with the journey's name and a hyphen, and threshold suffixes start
 * with a digit.
 */
function resolveObjectives(p: Problems, at: string, objectives: ServiceLevelObjectives, journey: JourneyModel | undefined, checkWindow: CheckWindow): SloModel[] {
  const prefix = journey ? `${journey.name}-` : '';
  const out: SloModel[] = [];
  if (objectives.availability) out.push(resolveSlo(p, `${at}.availability`, 'availability', `${prefix}availability`, objectives.availability, journey, checkWindow));
  const latency = objectives.latency;
  if (Array.isArray(latency)) {
    if (latency.length === 0) p.add(`${at}.latency`, latency, 'must be one objective { objective, threshold } or a non-empty list of them');
    const several = (latency as readonly LatencySlo[]).map((l, i) => {
      const slo = resolveSlo(p, `${at}.latency[${i}]`, 'latency', '', l, journey, checkWindow);
      return { slo: { ...slo, name: `${prefix}latency-${thresholdName(slo.thresholdSeconds ?? 0)}` }, field: `${at}.latency[${i}]`, written: l };
    });
    checkLatencyObjectives(p, several);
    out.push(...[...several].sort((a, b) => (a.slo.thresholdSeconds ?? 0) - (b.slo.thresholdSeconds ?? 0)).map((x) => x.slo));
  } else if (latency) {
    out.push(resolveSlo(p, `${at}.latency`, 'latency', `${prefix}latency`, latency as LatencySlo, journey, checkWindow));
  }
  return out;
}

/** A threshold as it appears in an `slo` label: whole seconds as `1s`, anything else in milliseconds (`1500ms`). */
function thresholdName(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Several latency objectives on one SLI must be distinct and agree. Two at one threshold (`'1s'` and `'1000ms'`
 * are one) would be one SLO twice under one name. And the share of requests within a tighter threshold is never
 * above the share within a looser one, so a tighter threshold with an objective at or above a looser one's
 * makes the looser objective a promise the tighter one already keeps (it can never burn on its own): the pair
 * is written the wrong way round.
 */
function checkLatencyObjectives(p: Problems, objectives: ReadonlyArray<{ slo: SloModel; field: string; written: LatencySlo }>): void {
  const valid = objectives.filter((o) => o.slo.thresholdSeconds !== undefined && typeof o.written.objective === 'number' && o.written.objective > 0 && o.written.objective < 100);
  valid.forEach((o, i) => {
    for (const other of valid.slice(0, i)) {
      const [a, b] = [o.slo.thresholdSeconds!, other.slo.thresholdSeconds!];
      if (a === b) {
        p.add(`${o.field}.threshold`, o.written.threshold, `is the threshold of ${other.field} too (${showValue(other.written.threshold)}): one objective per threshold, each becomes the SLO "${o.slo.name}"`);
        continue;
      }
      const [tight, loose] = a < b ? [o, other] : [other, o];
      if (tight.slo.objectivePercent >= loose.slo.objectivePercent) {
        p.add(
          `${tight.field}.objective`,
          tight.written.objective,
          `contradicts ${loose.field}: at most as many requests finish within ${tight.written.threshold} as within ${loose.written.threshold}, so ${exactPercent(tight.slo.objectivePercent)}% within ` +
            `${tight.written.threshold} already promises at least ${exactPercent(loose.slo.objectivePercent)}% within ${loose.written.threshold}; a tighter threshold needs a lower objective (e.g. 95% within 100ms, 99.5% within 1s)`,
        );
      }
    }
  });
}

function exactPercent(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** What the shim records as `http_request_method` for a journey route entry, or undefined (every method). */
const JOURNEY_ROUTE = /^(?:(\S+) +)?(\S+)$/;

/**
 * A journey's `routes`: `'<METHOD> <template>'` or a template alone (every method), each naming a template the
 * service lists in `routes` (the labels the shim records, `http_request_method` and `http_route`), grouped by
 * method so the rules select exactly these pairs: one selector per method, never a cross product of methods and
 * routes (which would count `GET /checkout` into a journey of `POST /checkout` and `GET /orders`).
 */
function resolveJourneyRoutes(p: Problems, field: string, entries: readonly string[] | undefined, serviceRoutes: readonly string[]): RouteSelection[] {
  if (entries === undefined || !Array.isArray(entries) || entries.length === 0) {
    p.add(field, entries, 'must list the journey\'s requests, e.g. ["POST /checkout", "GET /orders/:id"] (a route template alone means every method)');
    return [];
  }
  const groups = new Map<string, { method?: string; routes: string[] }>();
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const at = `${field}[${i}]`;
    const m = typeof entry === 'string' ? JOURNEY_ROUTE.exec(entry) : null;
    if (!m || !m[2].startsWith('/')) {
      p.add(at, entry, 'must be "<METHOD> <route template>", e.g. "POST /checkout", or a route template alone for every method, e.g. "/orders/:id"');
      return;
    }
    const [, method, route] = m;
    if (method !== undefined && !KNOWN_HTTP_METHODS.includes(method)) {
      const upper = method.toUpperCase();
      p.add(
        at,
        entry,
        KNOWN_HTTP_METHODS.includes(upper)
          ? `has the method in lower case: the shim records http_request_method in upper case (OTel semconv); did you mean "${upper} ${route}"?`
          : `must use an HTTP method the shim records: ${KNOWN_HTTP_METHODS.join(', ')} (others are recorded as "_OTHER")`,
      );
      return;
    }
    if (!serviceRoutes.includes(route)) {
      const near = closest(route, serviceRoutes.filter((r): r is string => typeof r === 'string'));
      p.add(
        at,
        entry,
        serviceRoutes.length === 0
          ? `names route ${showValue(route)}, but the service lists no routes: add it to routes (the journey selects requests by the http_route the shim records)`
          : near !== undefined
            ? `names route ${showValue(route)}, which is not in routes; did you mean "${method ? `${method} ` : ''}${near}"?`
            : `names route ${showValue(route)}, which is not in routes (${serviceRoutes.map((r) => showValue(r)).join(', ')})`,
      );
      return;
    }
    const anyKey = `* ${route}`;
    const key = `${method ?? '*'} ${route}`;
    const earlier = seen.get(key) ?? seen.get(anyKey) ?? (method === undefined ? [...seen].find(([k]) => k.endsWith(` ${route}`))?.[1] : undefined);
    if (earlier !== undefined) {
      p.add(at, entry, `selects requests ${field}[${earlier}] (${showValue(entries[earlier])}) already selects: list each request once (a route alone means every method)`);
      return;
    }
    seen.set(key, i);
    const group = groups.get(method ?? '*') ?? { method, routes: [] };
    group.routes.push(route);
    groups.set(method ?? '*', group);
  });
  return [...groups.values()];
}

function resolveSlo(
  p: Problems,
  at: string,
  kind: SloKind,
  name: string,
  slo: SloCommon & Partial<Pick<LatencySlo, 'threshold'>>,
  journey: JourneyModel | undefined,
  checkWindow: CheckWindow,
): SloModel {  const objectivePercent = slo.objective;
  let objective = 0.99;
  if (typeof objectivePercent !== 'number' || !Number.isFinite(objectivePercent) || objectivePercent <= 0 || objectivePercent >= 100) {
    p.add(`${at}.objective`, objectivePercent, 'must be a percentage strictly between 0 and 100, e.g. 99.9');
  } else {
    objective = Number((objectivePercent / 100).toPrecision(12));
  }
  const errorBudget = minus(1, objective);
  const windowMs = p.duration(`${at}.window`, slo.window, DEFAULT_SLO_WINDOW);

  let thresholdSeconds: number | undefined;
  if (kind === 'latency') {
    const ms = typeof slo.threshold === 'string' ? parseDuration(slo.threshold) : undefined;
    if (ms === undefined || ms <= 0) {
      p.add(`${at}.threshold`, slo.threshold, 'must be a positive duration such as "300ms" or "1s"');
    } else if (ms / 1000 > OTEL_DURATION_BUCKETS[OTEL_DURATION_BUCKETS.length - 1] * 6) {
      p.add(`${at}.threshold`, slo.threshold, 'must be at most "60s"; a latency objective beyond a minute is a timeout, not an SLO');
    } else {
      thresholdSeconds = ms / 1000;
    }
  }

  const overrides = slo.burnTiers ?? {};
  const minEventsIn = slo.minEvents ?? 'auto';
  if (minEventsIn !== 'auto' && (typeof minEventsIn !== 'number' || !Number.isInteger(minEventsIn) || minEventsIn < 0)) {
    p.add(`${at}.minEvents`, minEventsIn, 'must be "auto" or a whole number of events, 0 or more');
  }

  const tiers: BurnTierModel[] = [];
  for (const def of BURN_TIER_DEFAULTS) {
    const o = (overrides as Record<string, false | BurnTierOverride | undefined>)[def.name];
    if (o === false) continue;
    const f = `${at}.burnTiers.${def.name}`;
    const longWindowMs = o?.longWindow === undefined ? def.longWindowMs : p.duration(`${f}.longWindow`, o.longWindow, formatDuration(def.longWindowMs));
    const shortWindowMs = o?.shortWindow === undefined ? def.shortWindowMs : p.duration(`${f}.shortWindow`, o.shortWindow, formatDuration(def.shortWindowMs));
    const forMs = o?.for === undefined ? def.forMs : p.duration(`${f}.for`, o.for, formatDuration(def.forMs), 0);
    // The longterm tier alerts when the budget would run out within the window (factor 1). On windows
    // shorter than 30 days 10% over 3 days is a burn below 1×, which never exhausts the budget, so its
    // default share grows to keep the factor at 1.
    const defaultBudgetConsumed =
      def.name === 'longterm' ? Math.max(def.budgetConsumedPercent, Number(((longWindowMs / windowMs) * 100).toPrecision(12))) : def.budgetConsumedPercent;
    const budgetConsumedIn: unknown = o?.budgetConsumed ?? defaultBudgetConsumed;
    const severity = o?.severity ?? def.severity;
    if (severity !== 'page' && severity !== 'ticket') p.add(`${f}.severity`, severity, 'must be "page" or "ticket"');
    // An invalid share is reported and replaced, so the arithmetic below never meets a string, a BigInt or a Symbol.
    let budgetConsumedPercent = defaultBudgetConsumed;
    if (typeof budgetConsumedIn !== 'number' || !(budgetConsumedIn > 0 && budgetConsumedIn <= 100)) {
      p.add(`${f}.budgetConsumed`, budgetConsumedIn, 'must be a percentage of the error budget greater than 0 and at most 100');
    } else {
      budgetConsumedPercent = budgetConsumedIn;
    }
    checkWindow(`${f}.shortWindow`, o?.shortWindow, shortWindowMs);
    if (shortWindowMs >= longWindowMs) {
      p.add(`${f}.shortWindow`, o?.shortWindow ?? formatDuration(shortWindowMs), `must be shorter than the long window (${formatDuration(longWindowMs)})`);
    }
    if (longWindowMs > windowMs) {
      p.add(`${f}.longWindow`, o?.longWindow ?? formatDuration(longWindowMs), `must not exceed the SLO window (${formatDuration(windowMs)})`);
    }
    // SRE Workbook: burn rate = budget share × period / alerting window.
    const factor = Number(((budgetConsumedPercent / 100) * (windowMs / longWindowMs)).toPrecision(10));
    const errorRatioThreshold = times(factor, errorBudget);
    if (typeof objectivePercent === 'number' && errorRatioThreshold >= 1 && objectivePercent > 0 && objectivePercent < 100) {
      // Even a 100% error ratio cannot exceed the threshold: the tier can never fire (Workbook, "Extreme goals").
      const lowest = Number(((1 - 1 / factor) * 100).toPrecision(6));
      p.add(
        `${at}.objective`,
        objectivePercent,
        `the ${def.name} burn tier (factor ${factor}) can never fire below ${lowest}%: raise the objective, or disable the tier with burnTiers: { ${def.name}: false }`,
      );
    }
    if (factor < 1 && errorRatioThreshold < 1) {
      p.add(
        `${f}.budgetConsumed`,
        budgetConsumedPercent,
        `gives the ${def.name} tier a burn factor of ${factor} on a ${formatDuration(windowMs)} window; below 1 the budget is never exhausted, so the alert would be noise: disable it with burnTiers: { ${def.name}: false } or raise budgetConsumed to at least ${Number(((longWindowMs / windowMs) * 100).toPrecision(6))}`,
      );
    }
    const minEvents = typeof minEventsIn === 'number' ? minEventsIn : Math.ceil(Number((1 / errorRatioThreshold).toPrecision(12)));
    tiers.push({ name: def.name, longWindowMs, shortWindowMs, budgetConsumedPercent, factor, errorRatioThreshold, forMs, severity, minEvents });
  }
  return {
    kind,
    name,
    ...(journey ? { journey } : {}),
    signal: kind === 'availability' ? 'errors' : 'latency',
    objective,
    objectivePercent,
    errorBudget,
    windowMs,
    thresholdSeconds,
    tiers,
  };
}
