import type { Duration } from './duration';
import type { MaintenanceWindow, TimePeriod } from './time-intervals';

/**
 * Who hears about a service's alerts, by severity. Secrets (routing keys, webhook URLs, SMTP passwords) are
 * given only as references to Kubernetes Secrets: the generated AlertmanagerConfig points at them with
 * SecretKeySelectors and the plain alertmanager.yml reads them from the files those Secrets are mounted as.
 * A secret written inline is a synth-time error, so it can never end up in a manifest or a Git repository.
 *
 * Each service gets its own AlertmanagerConfig by default. For one AlertmanagerConfig per team, share one
 * `RoutingOptions` object with `per: 'team'` between the team's services: every GoldenSignals of the team in a
 * namespace (within one cdk8s App) then contributes to the one `team-<team>-routing`, and the plain
 * alertmanager.yml gets one subtree for the team. Services of one team and namespace whose routing differs are
 * a synth-time error.
 *
 * @example
 * const payments: RoutingOptions = {
 *   per: 'team',
 *   page: { kind: 'pagerduty', routingKey: { secret: { name: 'payments-pagerduty', key: 'routing-key' } } },
 *   ticket: { kind: 'slack', channel: '#payments-alerts', apiUrl: { secret: { name: 'payments-slack', key: 'webhook-url' } } },
 * };
 * export const checkout = defineService({ name: 'checkout', namespace: 'shop', team: 'payments', metrics: { port: 9464 }, routing: payments });
 * export const refunds = defineService({ name: 'refunds', namespace: 'shop', team: 'payments', metrics: { port: 9464 }, routing: payments });
 */
export interface RoutingOptions {
  /**
   * One AlertmanagerConfig per service, or one per team and namespace, shared by all of the team's services
   * there (which must then have equal routing: share this object). A team unit never spans namespaces:
   * prometheus-operator's default matcher strategy (Alertmanager CR `alertmanagerConfigMatcherStrategy:
   * OnNamespace`) confines an AlertmanagerConfig to the alerts of its own namespace. Within a team and
   * namespace every service must choose the same: a team config matches all of the team's alerts, so a
   * per-service config next to it would notify twice.
   * @default 'service' (a service's routing is its own business until a team opts in)
   */
  readonly per?: 'service' | 'team';
  /** Where `severity="page"` alerts go: wakes someone up. One receiver or several (all are notified). */
  readonly page: ReceiverDefinition | readonly ReceiverDefinition[];
  /** Where `severity="ticket"` alerts go: handled in working hours. One receiver or several. */
  readonly ticket: ReceiverDefinition | readonly ReceiverDefinition[];
  /**
   * Grouping and repeat timing per severity. Unset fields keep the defaults: page `30s / 5m / 4h` (Alertmanager's
   * own defaults: a page goes out fast and is repeated while nobody acks it), ticket `5m / 30m / 24h` (a ticket
   * can wait for its group to fill and should not nag more than once a day).
   * @default see {@link NotificationTiming}
   */
  readonly timing?: { readonly page?: NotificationTiming; readonly ticket?: NotificationTiming };
  /**
   * Planned maintenance: while a window is on, the service's page and ticket routes send nothing (Alertmanager
   * `mute_time_intervals`). Alerts still fire, show in Alertmanager and inhibit as usual; one still firing when
   * the window ends is notified at the group's next `groupInterval`. An alert notified before the window that
   * resolves inside it gets no resolved notification: Alertmanager drops a muted group's resolved alerts, so
   * start a window with no open pages. With `per: 'team'` the windows hold for the whole team's routing.
   *
   * @default none
   * @example
   * maintenance: [{ name: 'db-upgrade', during: { years: [2027], months: ['january'], daysOfMonth: [16], times: [{ start: '22:00', end: '02:00' }] } }]
   */
  readonly maintenance?: readonly MaintenanceWindow[];
  /**
   * When tickets are sent (Alertmanager `active_time_intervals` on the ticket route): outside these periods a
   * ticket waits, and is sent at the first `groupInterval` inside them if it still fires. Pages are not affected.
   * A ticket that fired and resolves outside them gets no resolved notification (as in a maintenance window).
   *
   * @default always
   * @example
   * ticketsDuring: workingHours('UTC') // Monday to Friday, 09:00 to 17:00
   */
  readonly ticketsDuring?: TimePeriod | readonly TimePeriod[];
}

/** Alertmanager's three notification timers for one route (Alertmanager docs, "route" configuration). */
export interface NotificationTiming {
  /** How long to buffer the first alerts of a new group before notifying. @default page '30s', ticket '5m' */
  readonly groupWait?: Duration;
  /** How long to wait before notifying about new alerts added to a group already notified. @default page '5m', ticket '30m' */
  readonly groupInterval?: Duration;
  /** How long to wait before re-sending a notification that is still firing. @default page '4h', ticket '24h' */
  readonly repeatInterval?: Duration;
}

/**
 * A reference to one key of a Kubernetes Secret in the service's namespace. Never the value itself.
 *
 * @example { secret: { name: 'payments-pagerduty', key: 'routing-key' } }
 */
export interface SecretRef {
  readonly secret: {
    /** Name of the Secret (a DNS subdomain), in the namespace of the AlertmanagerConfig. */
    readonly name: string;
    /** Key within the Secret's `data`. */
    readonly key: string;
  };
}

/** A notification integration. The `kind` says which; each kind has its own secret fields. */
export type ReceiverDefinition = PagerDutyReceiver | SlackReceiver | WebhookReceiver | EmailReceiver;

/** What every receiver has. */
export interface ReceiverCommon {
  /** Whether to notify when the alert resolves. @default true */
  readonly sendResolved?: boolean;
}

/** PagerDuty Events API v2. */
export interface PagerDutyReceiver extends ReceiverCommon {
  readonly kind: 'pagerduty';
  /** The integration's routing key (Events API v2 integration key). */
  readonly routingKey: SecretRef;
}

/** Slack incoming webhook. */
export interface SlackReceiver extends ReceiverCommon {
  readonly kind: 'slack';
  /** The incoming-webhook URL: it is the credential, so it lives in a Secret. */
  readonly apiUrl: SecretRef;
  /** Channel to post to, e.g. `'#payments-alerts'`. */
  readonly channel: string;
}

/** Generic webhook (Alertmanager webhook payload version 4). */
export interface WebhookReceiver extends ReceiverCommon {
  readonly kind: 'webhook';
  /**
   * The endpoint. Webhook URLs often embed a token (Healthchecks.io, DeadMansSnitch, chat bridges), so it is
   * a Secret reference like the others. The plain alertmanager.yml reads it with `url_file`, which needs
   * Alertmanager 0.26 or later (prometheus/alertmanager#3223).
   */
  readonly url: SecretRef;
  /** Most alerts per message; 0 sends all. @default 0 */
  readonly maxAlerts?: number;
}

/** E-mail through an SMTP smarthost. */
export interface EmailReceiver extends ReceiverCommon {
  readonly kind: 'email';
  /** Recipient address(es), comma-separated. */
  readonly to: string;
  /** Sender address. */
  readonly from: string;
  /** SMTP server as `host:port`, e.g. `'smtp.example.com:587'`. */
  readonly smarthost: string;
  /** SMTP user name. @default no authentication */
  readonly authUsername?: string;
  /** SMTP password; required with {@link authUsername}. @default no authentication */
  readonly authPassword?: SecretRef;
  /** Require STARTTLS. @default true */
  readonly requireTls?: boolean;
}
