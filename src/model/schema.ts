/**
 * The shape of a service definition as data: for every object type of the spec, its keys and what each
 * key's value must be shaped like (an object of which type, a list of what, a map of labels). One table per
 * interface, typed `Fields<Interface>`, so adding a field to an interface without adding it here (or the
 * other way round) is a compile error, and the runtime check cannot drift from the types.
 *
 * The check runs before the resolver reads anything. It reports unknown keys (a misspelt optional key is
 * otherwise silently ignored: `slo:` for `slos:` yields a service without SLO alerts) and values of the wrong
 * shape (a string where an object or list belongs), which the resolver would otherwise read as if they
 * were right, and either throw a TypeError or ignore. Scalars (numbers, strings, durations) are left to
 * the resolver, which knows their ranges.
 */
import type {
  AvailabilitySlo,
  BurnTierOverride,
  BurnTierOverrides,
  CronSchedule,
  EmailReceiver,
  ErrorPredicate,
  ExternalScalingMetric,
  HpaAutoscaler,
  InFlightRequestsMetric,
  KedaAutoscaler,
  LatencySlo,
  MetricsEndpoint,
  NotificationTiming,
  PagerDutyReceiver,
  PodCapacity,
  ReceiverDefinition,
  RequestsPerSecondMetric,
  ResourceAmounts,
  ResourceScalingMetric,
  RoutingOptions,
  SaturationLimits,
  ScaleTarget,
  ScalingBehavior,
  ScalingMetric,
  ScalingPolicy,
  ScalingPolicyRule,
  ScalingRules,
  SecretRef,
  ServiceDefinition,
  ServiceLevelObjectives,
  SlackReceiver,
  SloCommon,
  TrafficExpectation,
  VerticalScaling,
  VpaContainerPolicy,
  WebhookReceiver,
  AlertingOptions,
  BudgetPolicy,
  MaintenanceWindow,
  TimeOfDayRange,
  TimePeriod,
  DatabaseLimit,
  DatabasePool,
  HttpClientPool,
  PoolSizing,
  WorkerPool,
  ResourcePoolKind,
  Journey,
} from '../spec';
import type { AutoscalerChoice } from '../spec/scaling';
import { keyPath, type Problems } from './problems';

/** What a value must be shaped like before the resolver reads it. */
export type Shape =
  /** A scalar or anything the resolver checks itself. */
  | { readonly kind: 'value' }
  /** Checked by its own module (routing, whose messages must redact secrets). */
  | { readonly kind: 'own' }
  /** An object with exactly these keys; `or` admits one non-object alternative (a preset name, `false`). */
  | { readonly kind: 'object'; readonly type: string; readonly fields: FieldTable; readonly or?: Alternative }
  /** One of several object types told apart by a tag key (`type`, `kind`). */
  | { readonly kind: 'variants'; readonly type: string; readonly tag: string; readonly variants: Readonly<Record<string, FieldTable>> }
  /** An array of one shape. */
  | { readonly kind: 'list'; readonly of: Shape }
  /** One value of a shape, or a non-empty-or-not list of them (`latency: {…}` or `latency: [{…}, {…}]`). */
  | { readonly kind: 'oneOrList'; readonly of: Shape }
  /** An object of names the user chooses (journey names) to values of one shape; the names are the resolver's. */
  | { readonly kind: 'map'; readonly of: Shape }
  /** An object of label names to string values; the names' syntax is the resolver's (it differs per field). */
  | { readonly kind: 'labels' };

/** A non-object value an object-typed field also accepts. */
export interface Alternative {
  readonly test: (value: unknown) => boolean;
  readonly describe: string;
}

export type FieldTable = Readonly<Record<string, Shape>>;

/** Every key of `T` (optional ones included) with its shape. A key missing or extra fails to compile. */
export type Fields<T> = { readonly [K in keyof T]-?: Shape };

const VALUE: Shape = { kind: 'value' };
const OWN: Shape = { kind: 'own' };
const LABELS: Shape = { kind: 'labels' };
const object = (type: string, fields: FieldTable, or?: Alternative): Shape => ({ kind: 'object', type, fields, or });
const list = (of: Shape): Shape => ({ kind: 'list', of });

const BURN_TIER_OVERRIDE: Fields<BurnTierOverride> = { longWindow: VALUE, shortWindow: VALUE, budgetConsumed: VALUE, for: VALUE, severity: VALUE };
const burnTier = object('BurnTierOverride', BURN_TIER_OVERRIDE, { test: (v) => v === false, describe: 'false (the tier off)' });
const BURN_TIERS: Fields<BurnTierOverrides> = { fast: burnTier, medium: burnTier, slow: burnTier, longterm: burnTier };
const SLO_COMMON: Fields<SloCommon> = { objective: VALUE, window: VALUE, burnTiers: object('BurnTierOverrides', BURN_TIERS), minEvents: VALUE };
const AVAILABILITY_SLO: Fields<AvailabilitySlo> = SLO_COMMON;
const LATENCY_SLO: Fields<LatencySlo> = { ...SLO_COMMON, threshold: VALUE };
const SLOS: Fields<ServiceLevelObjectives> = {
  availability: object('AvailabilitySlo', AVAILABILITY_SLO),
  latency: { kind: 'oneOrList', of: object('LatencySlo', LATENCY_SLO) },
};
const JOURNEY: Fields<Journey> = { ...SLOS, routes: list(VALUE) };

const METRICS_ENDPOINT: Fields<MetricsEndpoint> = { port: VALUE, path: VALUE, portName: VALUE, scrapeInterval: VALUE, serviceSelector: LABELS };
const ERRORS: Fields<ErrorPredicate> = { statusCodes: VALUE, clientAborts: VALUE };
const TRAFFIC: Fields<TrafficExpectation> = { noTrafficFor: VALUE, dropBelowLastWeek: VALUE, dropMinRequestsPerSecond: VALUE };
const DATABASE_LIMIT: Fields<DatabaseLimit> = { name: VALUE, maxConnections: VALUE };
const POOL_SIZING: Fields<PoolSizing> = { name: VALUE, size: VALUE, inUseOfSize: VALUE, maxWait: VALUE, holdTime: VALUE, callsPerRequest: VALUE };
const POOL_VARIANTS: { readonly [K in ResourcePoolKind]: FieldTable } = {
  database: { kind: VALUE, ...POOL_SIZING, connectsTo: object('DatabaseLimit', DATABASE_LIMIT) } satisfies Fields<DatabasePool>,
  'http-client': { kind: VALUE, ...POOL_SIZING, connectsTo: object('DatabaseLimit', DATABASE_LIMIT) } satisfies Fields<HttpClientPool>,
  worker: { kind: VALUE, ...POOL_SIZING } satisfies Fields<WorkerPool>,
};
const CAPACITY: Fields<PodCapacity> = {
  requestsPerSecond: VALUE,
  concurrentRequests: VALUE,
  pools: list({ kind: 'variants', type: 'ResourcePool', tag: 'kind', variants: POOL_VARIANTS }),
};
const SATURATION: Fields<SaturationLimits> = {
  container: VALUE, cpuOfLimit: VALUE, cpuOfRequest: VALUE, memoryOfLimit: VALUE, eventLoopUtilization: VALUE, eventLoopDelayP99: VALUE, inFlightOfLimit: VALUE,
};
const BUDGET_POLICY: Fields<BudgetPolicy> = { exhausted: VALUE, action: VALUE };
const ALERTING: Fields<AlertingOptions> = { runbookUrl: VALUE, grafanaUrl: VALUE, evaluationInterval: VALUE, sloWindowEvaluationInterval: VALUE, clusterLabel: VALUE, labels: LABELS };

const SCALE_TARGET: Fields<ScaleTarget> = { kind: VALUE, name: VALUE };
const RESOURCE_METRIC: Fields<ResourceScalingMetric> = { type: VALUE, averageUtilization: VALUE, averageValue: VALUE };
const METRIC_VARIANTS: { readonly [K in ScalingMetric['type']]: FieldTable } = {
  cpu: RESOURCE_METRIC,
  memory: RESOURCE_METRIC,
  requestsPerSecond: { type: VALUE, averageValue: VALUE } satisfies Fields<RequestsPerSecondMetric>,
  inFlightRequests: { type: VALUE, averageValue: VALUE } satisfies Fields<InFlightRequestsMetric>,
  external: { type: VALUE, metric: VALUE, selector: LABELS, averageValue: VALUE, value: VALUE } satisfies Fields<ExternalScalingMetric>,
};
const POLICY_RULE: Fields<ScalingPolicyRule> = { type: VALUE, value: VALUE, periodSeconds: VALUE };
const SCALING_RULES: Fields<ScalingRules> = { stabilizationWindowSeconds: VALUE, selectPolicy: VALUE, policies: list(object('ScalingPolicyRule', POLICY_RULE)) };
const SCALING_BEHAVIOR: Fields<ScalingBehavior> = {
  preset: VALUE,
  scaleUp: object('ScalingRules', SCALING_RULES),
  scaleDown: object('ScalingRules', SCALING_RULES),
};
const CRON_SCHEDULE: Fields<CronSchedule> = { timezone: VALUE, start: VALUE, end: VALUE, desiredReplicas: VALUE };
const AUTOSCALER_VARIANTS: { readonly [K in AutoscalerChoice['kind']]: FieldTable } = {
  hpa: { kind: VALUE } satisfies Fields<HpaAutoscaler>,
  keda: {
    kind: VALUE,
    serverAddress: VALUE,
    pollingIntervalSeconds: VALUE,
    cooldownPeriodSeconds: VALUE,
    activationThreshold: VALUE,
    schedules: list(object('CronSchedule', CRON_SCHEDULE)),
  } satisfies Fields<KedaAutoscaler>,
};
const RESOURCE_AMOUNTS: Fields<ResourceAmounts> = { cpu: VALUE, memory: VALUE };
const VPA_CONTAINER: Fields<VpaContainerPolicy> = {
  container: VALUE,
  mode: VALUE,
  minAllowed: object('ResourceAmounts', RESOURCE_AMOUNTS),
  maxAllowed: object('ResourceAmounts', RESOURCE_AMOUNTS),
  controlledResources: VALUE,
  controlledValues: VALUE,
};
const VERTICAL_SCALING: Fields<VerticalScaling> = { mode: VALUE, containers: list(object('VpaContainerPolicy', VPA_CONTAINER)) };
const SCALING: Fields<ScalingPolicy> = {
  minReplicas: VALUE,
  maxReplicas: VALUE,
  autoscalerName: VALUE,
  target: object('ScaleTarget', SCALE_TARGET),
  metrics: list({ kind: 'variants', type: 'ScalingMetric', tag: 'type', variants: METRIC_VARIANTS }),
  headroom: VALUE,
  behavior: object('ScalingBehavior', SCALING_BEHAVIOR, { test: (v) => typeof v === 'string', describe: 'a preset name' }),
  autoscaler: { kind: 'variants', type: 'AutoscalerChoice', tag: 'kind', variants: AUTOSCALER_VARIANTS },
  vpa: object('VerticalScaling', VERTICAL_SCALING),
};

/**
 * The routing tables. Routing validates itself (its messages redact values that may be secrets), but its
 * keys are listed here with the rest, so there is one place that says what a definition may contain.
 */
export const ROUTING_OPTIONS: Fields<RoutingOptions> = { per: VALUE, page: OWN, ticket: OWN, timing: OWN, maintenance: OWN, ticketsDuring: OWN };
export const MAINTENANCE_WINDOW: Fields<MaintenanceWindow> = { name: VALUE, during: OWN };
export const TIME_PERIOD: Fields<TimePeriod> = { times: OWN, weekdays: VALUE, daysOfMonth: VALUE, months: VALUE, years: VALUE, timeZone: VALUE };
export const TIME_OF_DAY_RANGE: Fields<TimeOfDayRange> = { start: VALUE, end: VALUE };
export const ROUTING_TIMING: Fields<NonNullable<RoutingOptions['timing']>> = { page: OWN, ticket: OWN };
export const NOTIFICATION_TIMING: Fields<NotificationTiming> = { groupWait: VALUE, groupInterval: VALUE, repeatInterval: VALUE };
export const SECRET_REF: Fields<SecretRef> = { secret: OWN };
export const SECRET_REF_SECRET: Fields<SecretRef['secret']> = { name: VALUE, key: VALUE };
export const RECEIVERS: { readonly [K in ReceiverDefinition['kind']]: FieldTable } = {
  pagerduty: { kind: VALUE, routingKey: OWN, sendResolved: VALUE } satisfies Fields<PagerDutyReceiver>,
  slack: { kind: VALUE, apiUrl: OWN, channel: VALUE, sendResolved: VALUE } satisfies Fields<SlackReceiver>,
  webhook: { kind: VALUE, url: OWN, maxAlerts: VALUE, sendResolved: VALUE } satisfies Fields<WebhookReceiver>,
  email: {
    kind: VALUE, to: VALUE, from: VALUE, smarthost: VALUE, authUsername: VALUE, authPassword: OWN, requireTls: VALUE, sendResolved: VALUE,
  } satisfies Fields<EmailReceiver>,
};

/** The whole definition. */
export const SERVICE_DEFINITION: Fields<ServiceDefinition> = {
  name: VALUE,
  namespace: VALUE,
  team: VALUE,
  kind: VALUE,
  metrics: object('MetricsEndpoint', METRICS_ENDPOINT),
  slos: object('ServiceLevelObjectives', SLOS),
  journeys: { kind: 'map', of: object('Journey', JOURNEY) },
  errors: object('ErrorPredicate', ERRORS),
  routes: list(VALUE),
  traffic: object('TrafficExpectation', TRAFFIC),
  capacity: object('PodCapacity', CAPACITY),
  saturation: object('SaturationLimits', SATURATION),
  scaling: object('ScalingPolicy', SCALING),
  alerting: object('AlertingOptions', ALERTING),
  budgetPolicy: object('BudgetPolicy', BUDGET_POLICY),
  routing: OWN,
};

/**
 * A plain object (an object literal, JSON, or `Object.create(null)`): what every object type of the spec is at
 * run time. Not null, not an array, and not a Date, Map or class instance, whose fields are not its keys.
 */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks `value` at `path` against `shape`, reporting unknown keys and wrong shapes to `p`, and returns what
 * the resolver may safely read: a copy in which every wrongly shaped value is replaced by an empty object
 * or list (whose field `p` has already silenced, so the stand-in's missing fields are not reported again).
 * Unknown keys stay in the copy, unread (the resolver reads only typed fields), so that a value the
 * resolver quotes in a message is the one that was written.
 */
export function checkShape(p: Problems, path: string, value: unknown, shape: Shape): unknown {
  if (value === undefined) return undefined;
  switch (shape.kind) {
    case 'value':
    case 'own':
      return value;
    case 'labels':
      if (!isRecord(value)) return wrongShape(p, path, value, shape);
      for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') p.add(keyPath(path, k), v, 'must be a string label value');
      return value;
    case 'list':
      if (!Array.isArray(value)) return wrongShape(p, path, value, shape);
      // A hole or `undefined` in a list is not an omitted optional field: the element itself is wrong.
      return Array.from(value, (v: unknown, i) =>
        v === undefined && shape.of.kind !== 'value' ? wrongShape(p, `${path}[${i}]`, v, shape.of) : checkShape(p, `${path}[${i}]`, v, shape.of),
      );
    case 'oneOrList':
      if (Array.isArray(value)) return checkShape(p, path, value, { kind: 'list', of: shape.of });
      return isRecord(value) ? checkShape(p, path, value, shape.of) : wrongShape(p, path, value, shape);
    case 'map':
      if (!isRecord(value)) return wrongShape(p, path, value, shape);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null || v === undefined ? wrongShape(p, keyPath(path, k), v, shape.of) : checkShape(p, keyPath(path, k), v, shape.of)]));
    case 'object':
      if (isRecord(value)) return checkFields(p, path, value, shape.fields);
      if (shape.or?.test(value)) return value;
      return wrongShape(p, path, value, shape);
    case 'variants': {
      if (!isRecord(value)) return wrongShape(p, path, value, shape);
      const tag = value[shape.tag];
      // An unknown tag is the resolver's to report (it knows what each one means); its keys cannot be checked.
      return typeof tag === 'string' && Object.hasOwn(shape.variants, tag) ? checkFields(p, path, value, shape.variants[tag]) : value;
    }
    default:
      return assertNever(shape);
  }
}

function checkFields(p: Problems, path: string, value: Readonly<Record<string, unknown>>, fields: FieldTable): Record<string, unknown> {
  const known = Object.keys(fields);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    if (!Object.hasOwn(fields, k)) {
      p.unknownKey(path, k, known);
      out[k] = value[k];
    }
    // `null` is not "left out": the resolver's defaults apply to a missing key only, and a null it read as
    // missing would hide a value that was meant to be there (a YAML key with nothing after the colon).
    else if (value[k] === null) p.shape(keyPath(path, k), null, 'must not be null: give a value, or leave an optional key out for its default');
    else if (value[k] !== undefined) out[k] = checkShape(p, keyPath(path, k), value[k], fields[k]);
  }
  return out;
}

/** Reports a value of the wrong shape and returns the empty stand-in the resolver reads instead. */
function wrongShape(p: Problems, path: string, value: unknown, shape: Shape): unknown {
  p.shape(path, value, `must be ${describe(shape)}`);
  return shape.kind === 'list' ? [] : {};
}

/** What a shape is, in the words of a problem: "an object { port, path }", "a list of objects { ... }". */
function describe(shape: Shape): string {
  switch (shape.kind) {
    case 'value':
    case 'own':
      return 'a value';
    case 'labels':
      return 'an object of label names to string values, e.g. { tier: "frontend" }';
    case 'list':
      return shape.of.kind === 'value' ? 'a list' : `a list of ${describe(shape.of).replace(/^an object/, 'objects')}`;
    case 'oneOrList':
      return `${describe(shape.of)}, or a list of them`;
    case 'map':
      return `an object of names to ${describe(shape.of).replace(/^an object/, 'objects')}`;
    case 'object':
      return `${shape.or ? `${shape.or.describe} or ` : ''}an object { ${Object.keys(shape.fields).join(', ')} }`;
    case 'variants':
      return `an object with ${shape.tag}: ${Object.keys(shape.variants).map((t) => `"${t}"`).join(', ')}`;
    default:
      return assertNever(shape);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected shape ${JSON.stringify(x)}`);
}
