import { type DefinitionProblem, type ProblemSink, reportUnknownKey, ServiceDefinitionError } from '../model/problems';
import { isRecord, NOTIFICATION_TIMING, RECEIVERS, ROUTING_OPTIONS, ROUTING_TIMING, SECRET_REF, SECRET_REF_SECRET } from '../model/schema';
import type { ServiceModel } from '../model/types';
import { formatDuration, parseDuration } from '../spec/duration';
import type { NotificationTiming, ReceiverDefinition, RoutingOptions } from '../spec/routing';
import type { Severity } from '../spec/service';
import { validateMaintenance, validateTicketsDuring } from './time-intervals';
import type { Integration, RoutingModel, RoutingScope, SecretKey, TimingModel } from './types';

/** The `severity` label values every generated alert carries, in routing order. */
export const SEVERITIES: readonly Severity[] = ['page', 'ticket'];

/**
 * Default timers per severity. Page: Alertmanager's own defaults (30s / 5m / 4h), so a page leaves within
 * half a minute and repeats while unacknowledged. Ticket: wait 5m for related alerts to join the group, at
 * most one update per 30m and one reminder a day (the SRE Workbook's "ticket" is read in working hours).
 */
export const DEFAULT_TIMING: Readonly<Record<Severity, TimingModel>> = {
  page: { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3600_000 },
  ticket: { groupWaitMs: 5 * 60_000, groupIntervalMs: 30 * 60_000, repeatIntervalMs: 24 * 3600_000 },
};

/**
 * PagerDuty Events API v2 rejects a severity outside critical / error / warning / info, and Alertmanager's
 * default template sends the alert's own `severity` label ("page", "ticket"), so it is set explicitly.
 */
const PAGERDUTY_SEVERITY: Readonly<Record<Severity, 'critical' | 'warning'>> = { page: 'critical', ticket: 'warning' };

/** Kubernetes Secret names are DNS subdomains; keys are `[-._a-zA-Z0-9]+` (core/v1 Secret `data`). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;


/**
 * What a problem shows instead of a value that may be a secret: the error message ends up in CI logs, so it
 * must not repeat the credential it is complaining about.
 */
function redacted(value: unknown): string {
  return typeof value === 'string' ? `<inline value redacted, ${value.length} characters>` : `<${typeof value} redacted>`;
}

/** How the routing may be cut into AlertmanagerConfigs (RoutingOptions.per). */
const SCOPES: readonly RoutingScope[] = ['service', 'team'];

class Collector {
  constructor(readonly add: ProblemSink) {}

  secret(field: string, value: unknown): SecretKey {
    const ref = (value as { secret?: unknown } | undefined)?.secret as { name?: unknown; key?: unknown } | undefined;
    if (value === null || typeof value !== 'object' || ref === null || typeof ref !== 'object') {
      this.add(
        field,
        value === undefined ? undefined : redacted(value),
        'must be a reference to a Kubernetes Secret, { secret: { name, key } }; secret values are never written inline (they would end up in the manifests and in Git)',
      );
      return { name: 'invalid', key: 'invalid' };
    }
    const { name, key } = ref;
    if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      this.add(`${field}.secret.name`, name, 'must be a Secret name: a DNS subdomain of a-z, 0-9, "-" and "."');
    }
    if (typeof key !== 'string' || key.length > 253 || !SECRET_KEY.test(key)) {
      this.add(`${field}.secret.key`, key, 'must be a Secret key of a-z, A-Z, 0-9, "-", "_" and "."');
    }
    this.unknownKeys(field, value, SECRET_REF);
    this.unknownKeys(`${field}.secret`, ref, SECRET_REF_SECRET);
    return { name: asText(name), key: asText(key) };
  }

  /**
   * Reports the keys of `value` that `table` does not have. The message never shows what is under such a key:
   * an unknown key in routing is often a secret typed into the wrong place (a Slack `url:`, a `value:` next to
   * a reference).
   */
  unknownKeys(field: string, value: object, table: object): void {
    const known = Object.keys(table);
    for (const k of Object.keys(value)) if (!known.includes(k)) reportUnknownKey(this.add, field, k, known, 'unknown key (its value is redacted)');
  }

  bool(field: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.add(field, value, 'must be true or false');
    return value === true;
  }

  text(field: string, value: unknown, test: RegExp, allowed: string): string {
    if (typeof value !== 'string' || !test.test(value)) this.add(field, value, allowed);
    return asText(value);
  }

  duration(field: string, value: unknown, fallbackMs: number): number {
    if (value === undefined) return fallbackMs;
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined || ms <= 0) {
      this.add(field, value, 'must be a positive duration such as "30s", "5m" or "4h"');
      return fallbackMs;
    }
    return ms;
  }
}

function integration(c: Collector, field: string, r: ReceiverDefinition, severity: Severity): Integration | undefined {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    c.add(field, r, 'must be a receiver object with a kind: "pagerduty", "slack", "webhook" or "email"');
    return undefined;
  }
  const allowed = typeof r.kind === 'string' && Object.hasOwn(RECEIVERS, r.kind) ? RECEIVERS[r.kind] : undefined;
  if (!allowed) {
    c.add(`${field}.kind`, (r as { kind?: unknown }).kind, 'must be "pagerduty", "slack", "webhook" or "email"');
    return undefined;
  }
  c.unknownKeys(field, r, allowed);
  const sendResolved = c.bool(`${field}.sendResolved`, r.sendResolved, true);
  switch (r.kind) {
    case 'pagerduty':
      return { kind: 'pagerduty', routingKey: c.secret(`${field}.routingKey`, r.routingKey), eventSeverity: PAGERDUTY_SEVERITY[severity], sendResolved };
    case 'slack':
      return {
        kind: 'slack',
        apiUrl: c.secret(`${field}.apiUrl`, r.apiUrl),
        channel: c.text(`${field}.channel`, r.channel, /^[#@]?[^\s/:]{1,80}$/, 'must be a Slack channel such as "#payments-alerts" (the webhook URL goes in apiUrl, as a Secret reference)'),
        sendResolved,
      };
    case 'webhook': {
      const maxAlerts = r.maxAlerts ?? 0;
      if (typeof maxAlerts !== 'number' || !Number.isInteger(maxAlerts) || maxAlerts < 0) c.add(`${field}.maxAlerts`, r.maxAlerts, 'must be a whole number, 0 or more (0 sends all)');
      return { kind: 'webhook', url: c.secret(`${field}.url`, r.url), maxAlerts: typeof maxAlerts === 'number' ? maxAlerts : 0, sendResolved };
    }
    case 'email': {
      const address = /^[^\s@,]+@[^\s@,]+(\s*,\s*[^\s@,]+@[^\s@,]+)*$/;
      const to = c.text(`${field}.to`, r.to, address, 'must be one or more e-mail addresses, comma-separated');
      const from = c.text(`${field}.from`, r.from, /^[^\s@,]+@[^\s@,]+$/, 'must be an e-mail address');
      const smarthost = c.text(`${field}.smarthost`, r.smarthost, /^[^\s:/]+:\d{1,5}$/, 'must be an SMTP server as "host:port", e.g. "smtp.example.com:587"');
      let auth: { username: string; password: SecretKey } | undefined;
      if (r.authUsername !== undefined || r.authPassword !== undefined) {
        if (typeof r.authUsername !== 'string' || r.authUsername.length === 0) c.add(`${field}.authUsername`, r.authUsername, 'must be set with authPassword');
        auth = { username: asText(r.authUsername), password: c.secret(`${field}.authPassword`, r.authPassword) };
      }
      return { kind: 'email', to, from, smarthost, auth, requireTls: c.bool(`${field}.requireTls`, r.requireTls, true), sendResolved };
    }
    default:
      return assertNever(r);
  }
}

function timing(c: Collector, field: string, given: NotificationTiming | undefined, d: TimingModel): TimingModel {
  const t = given === undefined || isRecord(given) ? given : undefined;
  if (t !== given) c.add(field, given, 'must be an object { groupWait, groupInterval, repeatInterval }');
  else if (t !== undefined) c.unknownKeys(field, t, NOTIFICATION_TIMING);
  const out = {
    groupWaitMs: c.duration(`${field}.groupWait`, t?.groupWait, d.groupWaitMs),
    groupIntervalMs: c.duration(`${field}.groupInterval`, t?.groupInterval, d.groupIntervalMs),
    repeatIntervalMs: c.duration(`${field}.repeatInterval`, t?.repeatInterval, d.repeatIntervalMs),
  };
  // Alertmanager only re-sends on a group_interval tick, so a shorter repeat_interval silently becomes
  // group_interval (Alertmanager docs, "repeat_interval"); say so instead of generating a lie.
  if (out.repeatIntervalMs < out.groupIntervalMs) {
    c.add(`${field}.repeatInterval`, t?.repeatInterval ?? formatDuration(out.repeatIntervalMs), `must be at least groupInterval (${formatDuration(out.groupIntervalMs)})`);
  }
  return out;
}

/**
 * Validates a `routing` option, reporting every problem to `report` (as `routing.<field>`; secret values
 * redacted). Returns the routing model, or `undefined` when there is no option or it is not an object. The
 * model is only meaningful when nothing was reported: invalid fields are replaced by placeholders so the
 * rest can still be checked.
 *
 * resolveService calls this, so a definition's routing problems are listed with all its other problems.
 *
 * @example
 * const problems: DefinitionProblem[] = [];
 * validateRouting(checkout.routing, (field, value, allowed) => problems.push({ field, value, allowed }));
 */
export function validateRouting(options: RoutingOptions | undefined, report: ProblemSink): RoutingModel | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    report('routing', options, 'must be an object { page, ticket }');
    return undefined;
  }
  const c = new Collector(report);
  c.unknownKeys('routing', options, ROUTING_OPTIONS);
  const timingIn = options.timing === undefined || isRecord(options.timing) ? options.timing : undefined;
  if (timingIn !== options.timing) c.add('routing.timing', options.timing, 'must be an object { page, ticket } of notification timings');
  else if (timingIn !== undefined) c.unknownKeys('routing.timing', timingIn, ROUTING_TIMING);
  // `=== undefined`, not `??`: a null is a mistake to report, not a request for the default.
  const per = options.per === undefined ? 'service' : options.per;
  if (!SCOPES.includes(per)) c.add('routing.per', options.per, 'must be "service" (one AlertmanagerConfig per service) or "team" (one per team and namespace)');
  const receivers = {} as Record<Severity, Integration[]>;
  const timings = {} as Record<Severity, TimingModel>;
  for (const severity of SEVERITIES) {
    const given = options[severity];
    const list = Array.isArray(given) ? given : given === undefined ? [] : [given as ReceiverDefinition];
    if (list.length === 0) c.add(`routing.${severity}`, given, 'needs at least one receiver: { kind: "pagerduty" | "slack" | "webhook" | "email", ... }');
    const at = (i: number) => (Array.isArray(given) ? `routing.${severity}[${i}]` : `routing.${severity}`);
    receivers[severity] = list.map((r, i) => integration(c, at(i), r, severity)).filter((x): x is Integration => x !== undefined);
    timings[severity] = timing(c, `routing.timing.${severity}`, timingIn?.[severity], DEFAULT_TIMING[severity]);
  }
  const maintenance = validateMaintenance(options.maintenance, report);
  const ticketsDuring = validateTicketsDuring(options.ticketsDuring, report);
  return { per: SCOPES.includes(per) ? per : 'service', receivers, timing: timings, maintenance, ...(ticketsDuring ? { ticketsDuring } : {}) };
}

/**
 * Validates a service's `routing` option. Returns `undefined` when the service has none.
 *
 * @throws ServiceDefinitionError naming every bad field under `routing.`; secret values are redacted. (A model
 *   from resolveService has passed this already: resolveService reports routing problems with the others.)
 * @example
 * const routing = resolveRouting(resolveService(checkout));
 * routing?.receivers.page[0].kind; // 'pagerduty'
 */
export function resolveRouting(model: ServiceModel): RoutingModel | undefined {
  const problems: DefinitionProblem[] = [];
  const routing = validateRouting(model.definition.routing, (field, value, allowed, got) => problems.push({ field, value, allowed, ...(got === undefined ? {} : { got }) }));
  if (problems.length > 0) throw new ServiceDefinitionError(model.name, problems);
  return routing;
}

/**
 * A checked field's text. Only read when the field was valid (the model is discarded otherwise); String() is
 * not used because it throws on an array holding a Symbol.
 */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : 'invalid';
}

function assertNever(x: never): never {
  throw new Error(`unexpected receiver ${JSON.stringify(x)}`);
}
