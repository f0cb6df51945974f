/**
 * The prometheus-operator form of a routing unit: the `spec` of a monitoring.coreos.com/v1alpha1
 * AlertmanagerConfig. Secrets are SecretKeySelectors in the AlertmanagerConfig's namespace, which the operator
 * resolves when it assembles the Alertmanager configuration, so no value ever appears in a manifest.
 */
import {
  type AlertmanagerConfigSpec,
  type AlertmanagerConfigSpecReceivers,
  AlertmanagerConfigSpecInhibitRulesSourceMatchMatchType as InhibitSourceOp,
  AlertmanagerConfigSpecInhibitRulesTargetMatchMatchType as InhibitTargetOp,
  AlertmanagerConfigSpecRouteMatchersMatchType as RouteOp,
} from '../../imports/alertmanagerconfig-monitoring.coreos.com';
import { LABEL } from '../signals/contract';
import { formatDuration } from '../spec/duration';
import type { Severity } from '../spec/service';
import { SEVERITIES } from './resolve';
import type { Integration, Matcher, RoutingUnit, TimingModel } from './types';

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
  return {
    route: {
      // Alerts of the unit with an unexpected severity still reach someone: the ticket receiver.
      receiver: 'ticket',
      matchers: unit.matchers.map((m) => crdMatcher(m, ROUTE_OP)),
      groupBy: [...unit.groupBy],
      // `routes` is untyped in the CRD import (nested routes are schemaless there), so these are written in the
      // CRD's own field names.
      routes: SEVERITIES.map((s) => ({
        receiver: s,
        matchers: [crdMatcher({ name: LABEL.severity, op: '=', value: s }, ROUTE_OP)],
        ...timing(unit.routing.timing[s]),
      })),
    },
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
