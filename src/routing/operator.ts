/**
 * The prometheus-operator form of a routing unit: the `spec` of a monitoring.coreos.com/v1alpha1
 * AlertmanagerConfig. Secrets are SecretKeySelectors in the AlertmanagerConfig's namespace, which the operator
 * resolves when it assembles the Alertmanager configuration, so no value ever appears in a manifest.
 */
import {
  type AlertmanagerConfigSpec,
  type AlertmanagerConfigSpecMuteTimeIntervalsTimeIntervals,
  type AlertmanagerConfigSpecReceivers,
  AlertmanagerConfigSpecInhibitRulesSourceMatchMatchType as InhibitSourceOp,
  AlertmanagerConfigSpecInhibitRulesTargetMatchMatchType as InhibitTargetOp,
  AlertmanagerConfigSpecRouteMatchersMatchType as RouteOp,
} from '../../imports/alertmanagerconfig-monitoring.coreos.com';
import { LABEL } from '../signals/contract';
import { formatDuration } from '../spec/duration';
import type { Severity } from '../spec/service';
import { SEVERITIES } from './resolve';
import { unitTimeIntervals } from './time-intervals';
import type { Integration, Matcher, PeriodModel, RoutingUnit, TimeIntervalModel, TimingModel } from './types';

const ROUTE_OP: Readonly<Record<Matcher['op'], RouteOp>> = {
  '=': RouteOp.VALUE_EQUALS,
  '!=': RouteOp.VALUE_NOT_EQUALS_TO,
  '=~': RouteOp.VALUE_EQUAL_TILDE,
  '!~': RouteOp.VALUE_NEGATION_TILDE,
};
const SOURCE_OP: Readonly<Record<Matcher['op'], InhibitSourceOp>> = {
  '=': InhibitSourceOp.VALUE_EQUALS,
  '!=': InhibitSourceOp.VALUE_NOT_EQUALS_TO,
  '=~': InhibitSourceOp.VALUE_EQUAL_TILDE,
  '!~': InhibitSourceOp.VALUE_NEGATION_TILDE,
};
const TARGET_OP: Readonly<Record<Matcher['op'], InhibitTargetOp>> = {
  '=': InhibitTargetOp.VALUE_EQUALS,
  '!=': InhibitTargetOp.VALUE_NOT_EQUALS_TO,
  '=~': InhibitTargetOp.VALUE_EQUAL_TILDE,
  '!~': InhibitTargetOp.VALUE_NEGATION_TILDE,
};

/**
 * The AlertmanagerConfig `spec` of one routing unit. Receivers are named after the severity (`page`,
 * `ticket`); the operator prefixes them with `<namespace>/<config name>/`, the names the plain
 * alertmanager.yml uses too.
 *
 * @example
 * new AlertmanagerConfig(chart, 'checkout', { metadata: { name: unit.name, namespace: unit.namespace }, spec: alertmanagerConfigSpec(unit) });
 */
export function alertmanagerConfigSpec(unit: RoutingUnit): AlertmanagerConfigSpec {
  const intervals = unitTimeIntervals(unit);
  return {
    route: {
      // Alerts of the unit with an unexpected severity still reach someone: the ticket receiver, with the
      // ticket route's time intervals.
      receiver: 'ticket',
      matchers: unit.matchers.map((m) => crdMatcher(m, ROUTE_OP)),
      groupBy: [...unit.groupBy],
      ...routeIntervals(unit, 'ticket'),
      // `routes` is untyped in the CRD import (nested routes are schemaless there), so these are written in the
      // CRD's own field names.
      routes: SEVERITIES.map((s) => ({
        receiver: s,
        matchers: [crdMatcher({ name: LABEL.severity, op: '=', value: s }, ROUTE_OP)],
        ...timing(unit.routing.timing[s]),
        ...routeIntervals(unit, s),
      })),
    },
    // The operator names them `<namespace>/<config>/<name>` in the Alertmanager configuration, as the plain
    // alertmanager.yml does. The CRD calls the list muteTimeIntervals, but routes use it for activeTimeIntervals too.
    ...(intervals.length > 0 ? { muteTimeIntervals: intervals.map((i) => ({ name: i.name, timeIntervals: i.periods.map((p) => crdPeriod(unit, i, p)) })) } : {}),
    receivers: SEVERITIES.map((s) => receiver(s, unit.routing.receivers[s])),
    inhibitRules: unit.inhibitRules.map((r) => ({
      sourceMatch: r.source.map((m) => crdMatcher(m, SOURCE_OP)),
      targetMatch: r.target.map((m) => crdMatcher(m, TARGET_OP)),
      equal: [...r.equal],
    })),
  };
}

/**
 * A matcher in the CRD's form. Equality is written without `matchType`, which the operator reads as equality
 * when `regex` is false too: cdk8s writes manifests with the yaml package's 1.1 schema, which leaves a bare
 * `=` unquoted, and PyYAML, which many GitOps and policy tools load manifests with, cannot load
 * `matchType: =`. With nothing to quote, the files read the same in every YAML parser.
 */
function crdMatcher<Op>(m: Matcher, ops: Readonly<Record<Matcher['op'], Op>>): { name: string; value: string; matchType?: Op } {
  return m.op === '=' ? { name: m.name, value: m.value } : { name: m.name, value: m.value, matchType: ops[m.op] };
}

/** The route's interval names, unprefixed: the operator prefixes them as it prefixes receivers. */
function routeIntervals(unit: RoutingUnit, severity: Severity): { muteTimeIntervals?: string[]; activeTimeIntervals?: string[] } {
  const { maintenance, ticketsDuring } = unit.routing;
  return {
    ...(maintenance.length > 0 ? { muteTimeIntervals: maintenance.map((w) => w.name) } : {}),
    ...(severity === 'ticket' && ticketsDuring ? { activeTimeIntervals: [ticketsDuring.name] } : {}),
  };
}

/**
 * A period in the CRD's form. The CRD (prometheus-operator 0.93, pinned) has no `location`: the operator's
 * intervals are always UTC (prometheus-operator#5512). Converting another zone to UTC would be right only
 * until its next daylight-saving change, so a period in another zone is an error, not a silent shift.
 */
function crdPeriod(unit: RoutingUnit, interval: TimeIntervalModel, p: PeriodModel): AlertmanagerConfigSpecMuteTimeIntervalsTimeIntervals {
  if (p.timeZone !== 'UTC') {
    throw new Error(
      `Service ${unit.namespace}/${unit.services.join(',')}: ${interval.field} is in time zone "${p.timeZone}", but an AlertmanagerConfig ` +
        `(prometheus-operator, CRD of release 0.93) cannot carry a time zone: its intervals are read in UTC (prometheus-operator#5512). ` +
        `Write the period in "UTC", or route with the plain alertmanager.yml (Alertmanager 0.25 reads the zone).`,
    );
  }
  const day = (d: string) => {
    const [start, end = start] = d.split(':').map(Number);
    return { start, end };
  };
  return {
    ...(p.times ? { times: p.times.map((t) => ({ startTime: t.start, endTime: t.end })) } : {}),
    ...(p.weekdays ? { weekdays: [...p.weekdays] } : {}),
    ...(p.daysOfMonth ? { daysOfMonth: p.daysOfMonth.map(day) } : {}),
    ...(p.months ? { months: [...p.months] } : {}),
    ...(p.years ? { years: [...p.years] } : {}),
  };
}

function timing(t: TimingModel): { groupWait: string; groupInterval: string; repeatInterval: string } {
  return { groupWait: formatDuration(t.groupWaitMs), groupInterval: formatDuration(t.groupIntervalMs), repeatInterval: formatDuration(t.repeatIntervalMs) };
}

function receiver(name: Severity, integrations: readonly Integration[]): AlertmanagerConfigSpecReceivers {
  const r: {
    name: string;
    pagerdutyConfigs?: NonNullable<AlertmanagerConfigSpecReceivers['pagerdutyConfigs']>;
    slackConfigs?: NonNullable<AlertmanagerConfigSpecReceivers['slackConfigs']>;
    webhookConfigs?: NonNullable<AlertmanagerConfigSpecReceivers['webhookConfigs']>;
    emailConfigs?: NonNullable<AlertmanagerConfigSpecReceivers['emailConfigs']>;
  } = { name };
  for (const i of integrations) {
    switch (i.kind) {
      case 'pagerduty':
        (r.pagerdutyConfigs ??= []).push({ routingKey: { ...i.routingKey }, severity: i.eventSeverity, sendResolved: i.sendResolved });
        break;
      case 'slack':
        (r.slackConfigs ??= []).push({ apiUrl: { ...i.apiUrl }, channel: i.channel, sendResolved: i.sendResolved });
        break;
      case 'webhook':
        (r.webhookConfigs ??= []).push({ urlSecret: { ...i.url }, maxAlerts: i.maxAlerts, sendResolved: i.sendResolved });
        break;
      case 'email':
        (r.emailConfigs ??= []).push({
          to: i.to,
          from: i.from,
          smarthost: i.smarthost,
          ...(i.auth ? { authUsername: i.auth.username, authPassword: { ...i.auth.password } } : {}),
          requireTls: i.requireTls,
          sendResolved: i.sendResolved,
        });
        break;
      default:
        assertNever(i);
    }
  }
  return r;
}

function assertNever(x: never): never {
  throw new Error(`unexpected integration ${JSON.stringify(x)}`);
}
