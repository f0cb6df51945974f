/**
 * The plain alertmanager.yml form of the routing plan, for Alertmanagers not run by prometheus-operator (and
 * for `amtool check-config` / `amtool config routes test`). Secrets are read from files: the Secrets are
 * mounted at `<secretsDir>/<secret name>/<key>`, which is where prometheus-operator mounts an Alertmanager
 * CR's `spec.secrets` (`/etc/alertmanager/secrets/`), so the file also works inside an operator-run Alertmanager.
 */
import * as YAML from 'yaml';
import { quoteAmbiguousScalars } from '../yaml';
import type { ServiceModel } from '../model/types';
import { LABEL } from '../signals/contract';
import { formatDuration } from '../spec/duration';
import type { Severity } from '../spec/service';
import { SIGNALS, alternation, inhibitRules } from './inhibit';
import { groupByLabels, routingUnits, type RoutingPlanOptions } from './plan';
import { SEVERITIES } from './resolve';
import { timeIntervalName, unitTimeIntervals } from './time-intervals';
import type { InhibitRuleModel, Integration, Matcher, PeriodModel, RoutingUnit, SecretKey, TimingModel } from './types';

/** Where prometheus-operator mounts an Alertmanager's `spec.secrets` (prometheus-operator docs, Alertmanager CRD). */
export const DEFAULT_SECRETS_DIR = '/etc/alertmanager/secrets';

/** Name of the root route's receiver: alerts no service route matches. It has no integration, so they are dropped. */
export const UNROUTED_RECEIVER = 'golden-signals-unrouted';

/**
 * First Alertmanager release that reads each secret field from a file. Everything else we emit works on 0.25,
 * the release Debian ships and CI tests with. Sources: Alertmanager CHANGELOG and configuration docs.
 */
const FILE_FIELD_SINCE: { readonly [K in Integration['kind']]: readonly [number, number] } = {
  pagerduty: [0, 25], // routing_key_file
  slack: [0, 22], // api_url_file
  webhook: [0, 26], // url_file, prometheus/alertmanager#3223
  email: [0, 25], // auth_password_file
};

/** Options of {@link renderAlertmanagerConfig}. */
export interface AlertmanagerYamlOptions extends RoutingPlanOptions {
  /** Directory the Secrets are mounted under, one folder per Secret. @default '/etc/alertmanager/secrets' */
  readonly secretsDir?: string;
  /**
   * Alertmanager release the file must load in, as `major.minor`. Decides which `*_file` fields may be used;
   * a receiver the release cannot read from a file is an error rather than an inline secret.
   * @default '0.25'
   */
  readonly alertmanagerVersion?: string;
  /**
   * Replace every receiver, including the root's, by one webhook to this URL, and plan services without
   * `routing` too. For test harnesses that collect notifications; the URL is written as is, so it must not
   * carry a secret.
   * @default no override
   */
  readonly webhookOverride?: string;
  /** Use these timers for every severity instead of the services' (e.g. seconds in an end-to-end test). @default the services' */
  readonly timingOverride?: TimingModel;
}

/**
 * Renders a complete, standalone alertmanager.yml: `global`, a root route whose children are one subtree per
 * routing unit (per service, or per team and namespace, as the services' `routing.per` says: the units the
 * AlertmanagerConfigs have), the receivers, and the inhibit rules. To merge it into an existing
 * configuration, copy `route.routes`, `receivers` (except the unrouted one), `inhibit_rules` and `time_intervals`.
 *
 * @throws ServiceDefinitionError for invalid routing; Error when a receiver needs a newer Alertmanager.
 * @example
 * const text = renderAlertmanagerConfig([resolveService(checkout)], { webhookOverride: 'http://127.0.0.1:9999/' });
 */
export function renderAlertmanagerConfig(models: readonly ServiceModel[], options: AlertmanagerYamlOptions = {}): string {
  const units = routingUnits(models, { per: options.per, includeUnrouted: options.includeUnrouted ?? options.webhookOverride !== undefined });
  return renderUnits(units, options);
}

/** Receiver name as prometheus-operator names an AlertmanagerConfig's receivers: `<namespace>/<config>/<receiver>`. */
export function receiverName(unit: Pick<RoutingUnit, 'namespace' | 'name'>, severity: Severity): string {
  return `${unit.namespace}/${unit.name}/${severity}`;
}

/** Renders the units (see {@link renderAlertmanagerConfig}). */
export function renderUnits(units: readonly RoutingUnit[], options: AlertmanagerYamlOptions = {}): string {
  const secretsDir = (options.secretsDir ?? DEFAULT_SECRETS_DIR).replace(/\/+$/, '');
  const version = parseVersion(options.alertmanagerVersion ?? '0.25');
  const override = options.webhookOverride;
  const timing = (unit: RoutingUnit, s: Severity) => options.timingOverride ?? unit.routing.timing[s];
  const clusterLabels = [...new Set(units.flatMap((u) => u.clusterLabels))].sort();

  const receivers: Array<Record<string, unknown>> = [{ name: UNROUTED_RECEIVER, ...overrideConfigs(override) }];
  const timeIntervals: Array<Record<string, unknown>> = [];
  const routes = units.map((unit) => {
    for (const s of SEVERITIES) {
      receivers.push({ name: receiverName(unit, s), ...(override !== undefined ? overrideConfigs(override) : integrations(unit, s, secretsDir, version)) });
    }
    for (const interval of unitTimeIntervals(unit)) {
      timeIntervals.push({ name: timeIntervalName(unit, interval.name), time_intervals: interval.periods.map(renderPeriod) });
    }
    return {
      // Alerts of the service with a severity outside page/ticket still reach someone: the ticket receiver,
      // and so they keep the ticket route's time intervals.
      receiver: receiverName(unit, 'ticket'),
      matchers: unit.matchers.map(renderMatcher),
      group_by: [...unit.groupBy],
      ...renderIntervals(unit, 'ticket'),
      routes: SEVERITIES.map((s) => ({
        receiver: receiverName(unit, s),
        matchers: [renderMatcher({ name: LABEL.severity, op: '=', value: s })],
        ...renderTiming(timing(unit, s)),
        ...renderIntervals(unit, s),
      })),
    };
  });

  // One set of rules for all units: they compare namespace and service through `equal`, so per-service copies
  // would add nothing; the signal matcher keeps them off alerts that are not ours.
  const rules = inhibitRules([{ name: LABEL.signal, op: '=~', value: alternation(SIGNALS) }], clusterLabels);
  const config = {
    global: { resolve_timeout: '5m' },
    route: { receiver: UNROUTED_RECEIVER, group_by: groupByLabels(clusterLabels), routes },
    receivers,
    inhibit_rules: rules.map(renderInhibitRule),
    // `time_intervals` needs Alertmanager 0.24 (0.22 and 0.23 read only `mute_time_intervals`), `location` 0.25.
    ...(timeIntervals.length > 0 ? { time_intervals: timeIntervals } : {}),
  };

  const doc = new YAML.Document(config);
  doc.commentBefore = [
    ' Generated by cdk8s-golden-signals from the service definitions. Do not edit: change the definitions.',
    ` Services: ${units.flatMap((u) => u.services.map((s) => `${u.namespace}/${s}`)).join(', ') || 'none'}.`,
    ` Secrets are read from ${secretsDir}/<secret>/<key> (mount each referenced Secret there).`,
    ` To merge into an existing alertmanager.yml, copy route.routes, receivers${timeIntervals.length > 0 ? ', inhibit_rules and time_intervals' : ' and inhibit_rules'}.`,
  ].join('\n');
  YAML.visit(doc, {
    Seq(_, node) {
      if (node.items.every((i) => YAML.isScalar(i))) node.flow = true;
    },
  });
  const ruleNodes = (doc.get('inhibit_rules') as YAML.YAMLSeq).items as YAML.Node[];
  ruleNodes.forEach((n, i) => (n.commentBefore = ` ${rules[i].why}`));
  quoteAmbiguousScalars(doc);
  return doc.toString({ lineWidth: 0 });
}

/** Secrets the plain file reads, sorted and unique: mount each at `<secretsDir>/<name>/<key>`. */
export function referencedSecrets(units: readonly RoutingUnit[]): Array<{ namespace: string; name: string }> {
  const out = new Map<string, { namespace: string; name: string }>();
  for (const u of units) {
    for (const s of SEVERITIES) {
      for (const i of u.routing.receivers[s]) for (const k of secretKeys(i)) out.set(`${u.namespace}/${k.name}`, { namespace: u.namespace, name: k.name });
    }
  }
  return [...out.values()].sort((a, b) => (a.namespace + '/' + a.name).localeCompare(b.namespace + '/' + b.name));
}

function secretKeys(i: Integration): SecretKey[] {
  switch (i.kind) {
    case 'pagerduty':
      return [i.routingKey];
    case 'slack':
      return [i.apiUrl];
    case 'webhook':
      return [i.url];
    case 'email':
      return i.auth ? [i.auth.password] : [];
    default:
      return assertNever(i);
  }
}

function overrideConfigs(url: string | undefined): Record<string, unknown> {
  return url === undefined ? {} : { webhook_configs: [{ url, send_resolved: true }] };
}

function integrations(unit: RoutingUnit, severity: Severity, dir: string, version: readonly [number, number]): Record<string, unknown[]> {
  const file = (k: SecretKey) => `${dir}/${k.name}/${k.key}`;
  const out: Record<string, unknown[]> = {};
  const push = (key: string, value: unknown) => (out[key] = [...(out[key] ?? []), value]);
  unit.routing.receivers[severity].forEach((i, n) => {
    const since = FILE_FIELD_SINCE[i.kind];
    if (compare(version, since) < 0) {
      throw new Error(
        `Service ${unit.namespace}/${unit.services.join(',')}: routing.${severity}[${n}] (${i.kind}) needs Alertmanager ${since.join('.')} or later to read its secret from a file, ` +
          `but the alertmanager.yml targets ${version.join('.')}. Set alertmanagerVersion: '${since.join('.')}' (and run that release), or use another receiver kind.`,
      );
    }
    switch (i.kind) {
      case 'pagerduty':
        push('pagerduty_configs', { routing_key_file: file(i.routingKey), severity: i.eventSeverity, send_resolved: i.sendResolved });
        break;
      case 'slack':
        push('slack_configs', { api_url_file: file(i.apiUrl), channel: i.channel, send_resolved: i.sendResolved });
        break;
      case 'webhook':
        push('webhook_configs', { url_file: file(i.url), max_alerts: i.maxAlerts, send_resolved: i.sendResolved });
        break;
      case 'email':
        push('email_configs', {
          to: i.to,
          from: i.from,
          smarthost: i.smarthost,
          ...(i.auth ? { auth_username: i.auth.username, auth_password_file: file(i.auth.password) } : {}),
          require_tls: i.requireTls,
          send_resolved: i.sendResolved,
        });
        break;
      default:
        assertNever(i);
    }
  });
  return out;
}

/**
 * A severity's routes' time intervals: every maintenance window mutes both severities, and the ticket hours
 * make the ticket route active only then. Muting is the route's, not the alert's (Alertmanager's TimeMuteStage
 * drops a notification after grouping and inhibition), so a muted alert still inhibits, and is still inhibited,
 * exactly as outside the window: no inhibition is lifted or added by a window, and the resolved-notification
 * caveat of alertmanager#2754 that inhibition.ts handles is unchanged. Child routes do not inherit a parent's
 * intervals (Alertmanager `dispatch/route.go` sets them from each route's own configuration), so every route
 * lists them.
 */
function renderIntervals(unit: RoutingUnit, severity: Severity): Record<string, string[]> {
  const { maintenance, ticketsDuring } = unit.routing;
  return {
    ...(maintenance.length > 0 ? { mute_time_intervals: maintenance.map((w) => timeIntervalName(unit, w.name)) } : {}),
    ...(severity === 'ticket' && ticketsDuring ? { active_time_intervals: [timeIntervalName(unit, ticketsDuring.name)] } : {}),
  };
}

/** A period in alertmanager.yml's words; `location` only when not UTC, Alertmanager's default. */
function renderPeriod(p: PeriodModel): Record<string, unknown> {
  return {
    ...(p.times ? { times: p.times.map((t) => ({ start_time: t.start, end_time: t.end })) } : {}),
    ...(p.weekdays ? { weekdays: [...p.weekdays] } : {}),
    ...(p.daysOfMonth ? { days_of_month: [...p.daysOfMonth] } : {}),
    ...(p.months ? { months: [...p.months] } : {}),
    ...(p.years ? { years: [...p.years] } : {}),
    ...(p.timeZone === 'UTC' ? {} : { location: p.timeZone }),
  };
}

function renderTiming(t: TimingModel): Record<string, string> {
  return { group_wait: formatDuration(t.groupWaitMs), group_interval: formatDuration(t.groupIntervalMs), repeat_interval: formatDuration(t.repeatIntervalMs) };
}

/** `name="value"` in Alertmanager's matcher syntax; JSON string quoting is a subset of what it accepts. */
export function renderMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

function renderInhibitRule(r: InhibitRuleModel): Record<string, unknown> {
  return { source_matchers: r.source.map(renderMatcher), target_matchers: r.target.map(renderMatcher), equal: [...r.equal] };
}

function parseVersion(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)(\.\d+)?$/.exec(v);
  if (!m) throw new Error(`alertmanagerVersion: got ${JSON.stringify(v)}; must be "major.minor", e.g. "0.25"`);
  return [Number(m[1]), Number(m[2])];
}

function compare(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

function assertNever(x: never): never {
  throw new Error(`unexpected integration ${JSON.stringify(x)}`);
}
