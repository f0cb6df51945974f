/**
 * The routing plan as plain data: what both renderers (the AlertmanagerConfig CR and the plain
 * alertmanager.yml) agree on. Durations are whole milliseconds; secrets are references, never values.
 */
import type { RoutingOptions } from '../spec/routing';
import type { Severity } from '../spec/service';

/** A key of a Kubernetes Secret, by name. */
export interface SecretKey {
  readonly name: string;
  readonly key: string;
}

/** One notification integration of a receiver, validated and with its defaults resolved. */
export type Integration =
  | {
      readonly kind: 'pagerduty';
      readonly routingKey: SecretKey;
      /** PagerDuty event severity; Events API v2 accepts only critical, error, warning and info. */
      readonly eventSeverity: 'critical' | 'warning';
      readonly sendResolved: boolean;
    }
  | { readonly kind: 'slack'; readonly apiUrl: SecretKey; readonly channel: string; readonly sendResolved: boolean }
  | { readonly kind: 'webhook'; readonly url: SecretKey; readonly maxAlerts: number; readonly sendResolved: boolean }
  | {
      readonly kind: 'email';
      readonly to: string;
      readonly from: string;
      readonly smarthost: string;
      readonly auth?: { readonly username: string; readonly password: SecretKey };
      readonly requireTls: boolean;
      readonly sendResolved: boolean;
    };

/** The three notification timers of a route, in milliseconds. */
export interface TimingModel {
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
}

/** A service's routing options, validated. */
export interface RoutingModel {
  /** How the service's routing is cut into AlertmanagerConfigs (`routing.per`, default resolved). */
  readonly per: RoutingScope;
  readonly receivers: Readonly<Record<Severity, readonly Integration[]>>;
  readonly timing: Readonly<Record<Severity, TimingModel>>;
  /** Maintenance windows, muting both severities' routes (`routing.maintenance`), in the order given. */
  readonly maintenance: readonly TimeIntervalModel[];
  /** When the ticket route is active (`routing.ticketsDuring`); undefined: always. */
  readonly ticketsDuring?: TimeIntervalModel;
}

/**
 * One period of a time interval, validated, in Alertmanager's own words (`monday:friday`, `-7:-1`, `january`),
 * with times that ran past midnight already split, so every time range ends after it starts.
 */
export interface PeriodModel {
  readonly times?: readonly { readonly start: string; readonly end: string }[];
  readonly weekdays?: readonly string[];
  readonly daysOfMonth?: readonly string[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
  /** IANA time zone; 'UTC' when the definition gave none. */
  readonly timeZone: string;
}

/** A named time interval of a routing unit: on when any of its periods is. */
export interface TimeIntervalModel {
  /** The name within the unit (a maintenance window's name, or `ticket-hours`); see timeIntervalName for the full one. */
  readonly name: string;
  /** Where it was defined, e.g. `routing.maintenance[0]`, for messages. */
  readonly field: string;
  readonly periods: readonly PeriodModel[];
}

/** An Alertmanager label matcher (`name op "value"`). */
export interface Matcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** An inhibit rule: while an alert matching `source` fires, alerts matching `target` with the same `equal` labels are muted. */
export interface InhibitRuleModel {
  /** Why the rule exists: rendered as a comment in alertmanager.yml. */
  readonly why: string;
  readonly source: readonly Matcher[];
  readonly target: readonly Matcher[];
  readonly equal: readonly string[];
}

/** How the generated routing is cut into AlertmanagerConfig objects: the values of `RoutingOptions.per`. */
export type RoutingScope = NonNullable<RoutingOptions['per']>;

/**
 * One AlertmanagerConfig's worth of routing: a subtree matching one service (or one team in one namespace),
 * a child route per severity, its receivers and its inhibit rules.
 */
export interface RoutingUnit {
  readonly scope: RoutingScope;
  /** `metadata.name` of the AlertmanagerConfig. */
  readonly name: string;
  readonly namespace: string;
  /** Services the unit routes, sorted. */
  readonly services: readonly string[];
  /** Matchers of the unit's top route. */
  readonly matchers: readonly Matcher[];
  readonly groupBy: readonly string[];
  /** Labels that tell clusters apart (`alerting.clusterLabel` of the services), sorted. */
  readonly clusterLabels: readonly string[];
  readonly routing: RoutingModel;
  readonly inhibitRules: readonly InhibitRuleModel[];
}
