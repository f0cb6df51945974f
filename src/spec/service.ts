import type { Duration } from './duration';
import type { ScalingPolicy } from './scaling';
import type { RoutingOptions } from './routing';
import type { ResourcePool } from './pools';

/**
 * One service's observability contract: what it serves, what it promises, where it saturates and who gets
 * woken up. Plain typed data with no cdk8s import, so the service itself can import the same object at
 * runtime for the instrumentation shim.
 *
 * @example
 * export const checkout = defineService({
 *   name: 'checkout', namespace: 'shop', team: 'payments',
 *   metrics: { port: 9464 },
 *   slos: {
 *     availability: { objective: 99.9 },
 *     latency: { objective: 99, threshold: '300ms' },
 *   },
 * });
 */
export interface ServiceDefinition {
  /** The service name: a DNS label. It becomes the Prometheus `job` label of every series (the scrape configuration pins it). */
  readonly name: string;
  /** Kubernetes namespace the service runs in: a DNS label. */
  readonly namespace: string;
  /** Owning team: a DNS label. Alert routing (Alertmanager) groups receivers by team. */
  readonly team: string;
  /**
   * What the service does for a living, which decides the series its golden signals come from.
   * `http` services are measured by the HTTP server histogram; `worker`s (queue consumers, cron jobs) by the
   * operation histogram the shim's `measure(operation, fn)` fills.
   * @default 'http'
   */
  readonly kind?: ServiceKind;
  /** Where the service exposes Prometheus metrics (the shim serves them there). */
  readonly metrics: MetricsEndpoint;
  /** Service level objectives. Each one yields recording rules, multi-window burn-rate alerts and tests. */
  readonly slos?: ServiceLevelObjectives;
  /**
   * Critical user journeys: SLOs over a subset of {@link routes} (SRE Workbook, ch. 2, "critical user
   * journeys"), each with its own recording rules, burn alerts (labelled `journey`), dashboard panels and tests.
   * Keys are journey names: lower-case words joined by hyphens, at most 40 characters.
   * @default no journeys
   * @example
   * journeys: {
   *   'place-order': { routes: ['POST /checkout', 'POST /orders'], availability: { objective: 99.95 } },
   * }
   */
  readonly journeys?: Readonly<Record<string, Journey>>;
  /** Which responses count as errors. @default { statusCodes: ['5xx'] } */
  readonly errors?: ErrorPredicate;
  /**
   * Route templates the service serves (`'/orders/:id'`, `'/files/*'`; a `*` only as the last segment): their
   * series are created at zero on start-up, and on plain node:http the shim labels each request with the most
   * specific template its path matches. @default []
   */
  readonly routes?: readonly string[];
  /** What traffic looks like when all is well. @default see {@link TrafficExpectation} */
  readonly traffic?: TrafficExpectation;
  /** What one pod can take. Used by the capacity and in-flight alerts and, later, by the autoscaler target. */
  readonly capacity?: PodCapacity;
  /** Saturation limits the alerts hold the service to. @default see {@link SaturationLimits} */
  readonly saturation?: SaturationLimits;
  /** Horizontal scaling the service runs under; enables the "autoscaler maxed out" alert. @default no autoscaler */
  readonly scaling?: ScalingPolicy;
  /** Alert naming, links and evaluation. @default see {@link AlertingOptions} */
  readonly alerting?: AlertingOptions;
  /**
   * What the team does when an SLO's error budget is spent, and an alert that says so.
   * @default no budget-exhausted alert
   * @example budgetPolicy: { exhausted: 'ticket', action: 'Freeze feature deploys; reliability work first.' }
   */
  readonly budgetPolicy?: BudgetPolicy;
  /**
   * Where the service's alerts are delivered (page and ticket receivers, secrets by reference only). Without it
   * no AlertmanagerConfig or alertmanager.yml route is generated for the service.
   * @default no routing
   */
  readonly routing?: RoutingOptions;
}

/**
 * An error budget policy (SRE Workbook, "Error budget policy"): once an SLO has spent its budget over its window,
 * an `ErrorBudgetExhausted` alert carries the agreed action to whoever it reaches, whatever the burn rate is now.
 */
export interface BudgetPolicy {
  /** Severity of the alert when a budget is spent, or `false` for none. @default 'ticket' */
  readonly exhausted?: Severity | false;
  /**
   * What responders are to do, in the alert's `policy` annotation (at most 300 characters).
   * @default 'Freeze risky deploys (features, migrations) until the budget recovers; reliability work comes first.'
   */
  readonly action?: string;
}

/** See {@link ServiceDefinition.kind}. */
export type ServiceKind = 'http' | 'worker';

/** How Prometheus reaches the service's metrics. */
export interface MetricsEndpoint {
  /** Port the shim serves `/metrics` on, separate from the application port. 9464 is the OpenTelemetry convention. */
  readonly port: number;
  /** HTTP path of the metrics endpoint. @default '/metrics' */
  readonly path?: string;
  /** Name of the Service port that exposes {@link port}; the ServiceMonitor selects it by name. @default 'metrics' */
  readonly portName?: string;
  /** Scrape interval. Every rate window must span at least 4 of them. @default '30s' */
  readonly scrapeInterval?: Duration;
  /**
   * Labels of the Kubernetes Service the ServiceMonitor selects.
   * @default { 'app.kubernetes.io/name': <name> }
   */
  readonly serviceSelector?: Readonly<Record<string, string>>;
}

/** The SLOs a service promises. Objectives are percentages, as people say them: `99.9`, not `0.999`. */
export interface ServiceLevelObjectives {
  /** Share of requests that are not errors (see {@link ErrorPredicate}). */
  readonly availability?: AvailabilitySlo;
  /**
   * Share of requests answered faster than a threshold: one objective (its `slo` label is `latency`), or several
   * on the same requests, each named by its threshold (`latency-100ms`, `latency-1s`). Several objectives must
   * agree: a tighter threshold has a lower objective, and no two share a threshold.
   * @example latency: [{ objective: 90, threshold: '100ms' }, { objective: 99.5, threshold: '1s' }]
   */
  readonly latency?: LatencySlo | readonly LatencySlo[];
}

/**
 * A critical user journey: SLOs over the requests of some of the service's routes only, so a broken checkout
 * pages even while the rest of the service's traffic hides it in the service-wide ratio.
 *
 * @example
 * { routes: ['POST /checkout', 'GET /orders/:id'], availability: { objective: 99.95 }, latency: { objective: 99, threshold: '500ms' } }
 */
export interface Journey extends ServiceLevelObjectives {
  /**
   * The journey's requests, each `'<METHOD> <route template>'` (`'POST /checkout'`), or a route template alone
   * for every method of it (`'/orders/:id'`). Methods are upper case, as the shim records them
   * (`http_request_method`); templates must be listed in the service's `routes` (`http_route`).
   */
  readonly routes: readonly string[];
}

/** What every SLO has in common. */
export interface SloCommon {
  /** Target percentage, strictly between 0 and 100, e.g. `99.9`. */
  readonly objective: number;
  /** Rolling window the error budget is measured over. @default '30d' */
  readonly window?: Duration;
  /**
   * Per-tier overrides of the multi-window burn-rate alerts: `false` turns a tier off, an object changes it.
   * @default the four SRE Workbook tiers, all on: fast 1h/5m ×14.4 page, medium 6h/30m ×6 page, slow 1d/2h ×3 ticket, longterm 3d/6h ×1 ticket
   */
  readonly burnTiers?: BurnTierOverrides;
  /**
   * Low-traffic guard: fewest events in a tier's long window before its burn alert may fire.
   * `'auto'` requires enough events that one failed request alone can never cross the tier's threshold
   * (`ceil(1 / (factor × error budget))`, e.g. 70 events in 1h for the fast tier at 99.9%), which is the
   * false page the SRE Workbook warns about for low-traffic services ("Low-traffic services", ch. 5).
   * @default 'auto'
   */
  readonly minEvents?: number | 'auto';
}

/** Availability SLO: the share of requests that are not errors. */
export interface AvailabilitySlo extends SloCommon {}

/** Latency SLO: the share of requests faster than {@link threshold}. */
export interface LatencySlo extends SloCommon {
  /** Requests slower than this count against the budget, e.g. `'300ms'`. It becomes a histogram bucket boundary. */
  readonly threshold: Duration;
}

/** The burn tiers (SRE Workbook, ch. 5), named for how fast they detect. */
export type BurnTierName = 'fast' | 'medium' | 'slow' | 'longterm';

/** See {@link SloCommon.burnTiers}. */
export type BurnTierOverrides = { readonly [T in BurnTierName]?: false | BurnTierOverride };

/** Overrides of one burn tier. Unset fields keep the tier's default. */
export interface BurnTierOverride {
  /** Long window, e.g. `'1h'`. @default the tier's (1h, 6h, 1d, 3d) */
  readonly longWindow?: Duration;
  /** Short window, e.g. `'5m'`; the SRE Workbook suggests 1/12 of the long window. @default the tier's */
  readonly shortWindow?: Duration;
  /** Share of the whole error budget this tier alerts on, in percent, e.g. `2`. @default the tier's (2, 5, 10, 10) */
  readonly budgetConsumed?: number;
  /** How long the condition must hold before the alert fires. @default the tier's (2m, 15m, 1h, 3h) */
  readonly for?: Duration;
  /** Who hears about it. @default page for fast and medium, ticket for slow and longterm */
  readonly severity?: Severity;
}

/** `page` wakes someone up; `ticket` waits for working hours. */
export type Severity = 'page' | 'ticket';

/** Which requests are errors. */
export interface ErrorPredicate {
  /**
   * Status codes counted as errors: a class (`'5xx'`, `'4xx'`) or a single code (`429`).
   * @default ['5xx']
   */
  readonly statusCodes?: ReadonlyArray<StatusClass | number>;
  /**
   * Requests whose connection closed before the response was complete (`error_type="aborted"`): the client
   * gave up, or a timeout or proxy dropped the connection; the server cannot tell which. `'error'` counts them
   * as failed requests, so a hung server that clients time out on burns the availability budget. `'ignore'`
   * leaves them out of the availability SLO (neither good nor bad), for services whose clients cancel as a
   * matter of course (long polling, type-ahead search, streaming). Requests the server failed to answer
   * (`error_type="unanswered"`, the handler threw) count as failed either way; the latency SLO counts an aborted
   * request by how long it ran.
   * @default 'error'
   */
  readonly clientAborts?: 'error' | 'ignore';
}

/** A class of HTTP status codes. */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** What normal traffic looks like. */
export interface TrafficExpectation {
  /**
   * Page when the service receives no requests at all for this long. Set `false` for services that may
   * legitimately idle (internal tools, batch APIs).
   * @default '10m'
   */
  readonly noTrafficFor?: Duration | false;
  /**
   * Ticket when traffic falls below this share of the same hour last week (a sudden drop usually means
   * clients cannot reach the service). `false` turns it off.
   * @default 0.5
   */
  readonly dropBelowLastWeek?: number | false;
  /**
   * Below this many requests per second last week the drop alert stays silent: small numbers swing by
   * more than half on their own.
   * @default 1
   */
  readonly dropMinRequestsPerSecond?: number;
}

/** What one pod can take. The same numbers feed alerts now and autoscaler targets later. */
export interface PodCapacity {
  /** Requests per second one pod serves within its latency objective. @default unknown: no capacity alert */
  readonly requestsPerSecond?: number;
  /** Requests one pod can have in flight at once (its concurrency limit), a whole number. @default unknown: no in-flight alert */
  readonly concurrentRequests?: number;
  /**
   * Bounded resources of each pod (a database connection pool), watched as saturation signals: the shim
   * exports their use, the rules alert on exhaustion and waits, and synth checks their size against the
   * database they connect to.
   * @default []
   * @example pools: [{ kind: 'database', name: 'orders-db', size: 10, connectsTo: { name: 'orders', maxConnections: 400 } }]
   */
  readonly pools?: readonly ResourcePool[];
}

/** Saturation thresholds. Every threshold is a ratio in (0, 1]. */
export interface SaturationLimits {
  /** Container name of the service in its pods (for cAdvisor and kube-state-metrics series). @default the service name */
  readonly container?: string;
  /** Ticket when a pod's CPU usage exceeds this share of its CPU limit (throttling is near). @default 0.9 */
  readonly cpuOfLimit?: number;
  /** Ticket when CPU usage across pods exceeds this share of their CPU requests (under-provisioned). @default 1 */
  readonly cpuOfRequest?: number;
  /** Ticket when a pod's memory working set exceeds this share of its limit (the OOM killer is near). @default 0.9 */
  readonly memoryOfLimit?: number;
  /** Ticket when any pod's event loop is busy more than this share of the time (ELU). @default 0.9 */
  readonly eventLoopUtilization?: number;
  /**
   * Ticket when any pod's event-loop delay p99 exceeds this. It must sit well above the ~10ms sampling
   * resolution of `monitorEventLoopDelay`.
   * @default '500ms'
   */
  readonly eventLoopDelayP99?: Duration;
  /** Ticket when any pod has more than this share of {@link PodCapacity.concurrentRequests} in flight. @default 0.9 */
  readonly inFlightOfLimit?: number;
}

/** Horizontal scaling. The full policy (HPA, VPA, KEDA) lives in the scaling module (./scaling). */
export type { ScalingPolicy } from './scaling';

/** Alert naming, links and evaluation. */
export interface AlertingOptions {
  /**
   * Runbook link pattern; `{alert}` is replaced by the alert name in lower case, `{service}` and
   * `{namespace}` by the service's.
   * @default 'https://runbooks.example.com/golden-signals/{alert}'
   */
  readonly runbookUrl?: string;
  /** Grafana base URL that `dashboard_url` annotations point into. @default 'https://grafana.example.com' */
  readonly grafanaUrl?: string;
  /**
   * How often Prometheus evaluates the service's rule group; at most 5m. One minute is Prometheus's own
   * default `evaluation_interval`: the fastest burn tier detects in minutes, so 30s would buy little and double
   * the cost of the long windows.
   * @default '1m'
   */
  readonly evaluationInterval?: Duration;
  /**
   * Evaluate the rules that read the whole SLO window (the window's error ratio, the budget left and
   * `ErrorBudgetExhausted`) in a group of their own at this interval, a whole multiple of
   * {@link evaluationInterval} of at most 5m. They reread 30 days of two recorded series per SLO to move a number
   * that changes by 1/43,200 of its window per minute, and at fleet scale they are most of the evaluation cost
   * (BENCHMARKS.md, "Rule evaluation in a real Prometheus"): every 5m they cost a fifth and the budget is at most
   * 5 minutes late. The group also goes into a PrometheusRule of its own, labelled
   * `golden-signals/rule-tier: slo-window`, so a Thanos or Mimir ruler can take it off the scraping Prometheus.
   * @default undefined: one group with every rule, at {@link evaluationInterval}
   * @example alerting: { sloWindowEvaluationInterval: '5m' }
   */
  readonly sloWindowEvaluationInterval?: Duration;
  /**
   * Label that tells clusters apart when one Prometheus (Thanos, Mimir) sees several; every aggregation
   * keeps it.
   * @default none: single cluster
   */
  readonly clusterLabel?: string;
  /** Extra labels added to every alert (e.g. `{ tier: 'frontend' }`). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Declares a service. Returns its argument unchanged, typed: validation happens once, at synth time, in
 * {@link resolveService} (so an app importing the definition at runtime pays nothing).
 *
 * The parameter is the plain `ServiceDefinition`, not a generic: a generic parameter (`<const T extends
 * ServiceDefinition>`) turns off TypeScript's excess-property check, so a misspelt optional key (`slo:`,
 * `capacty:`, `metrics: { scrapeIntervall }`) compiled and was silently ignored. Nothing read the literal
 * type the generic returned.
 *
 * @example
 * const worker = defineService({ name: 'mailer', namespace: 'shop', team: 'growth', kind: 'worker',
 *   metrics: { port: 9464 }, slos: { availability: { objective: 99 } } });
 */
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  return definition;
}
