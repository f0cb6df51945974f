/**
 * The example fleet: three services of different shapes, one definition each. The cdk8s app
 * (examples/main.ts) synthesizes them; the example app (examples/app) imports the same objects at runtime.
 */
import { defineService, workingHours } from '../src/spec';

/** A public HTTP API with both SLOs, a declared capacity and an autoscaler. */
export const checkout = defineService({
  name: 'checkout',
  namespace: 'shop',
  team: 'payments',
  metrics: { port: 9464 },
  routes: ['/cart', '/checkout', '/orders/:id'],
  slos: {
    availability: { objective: 99.9 },
    // Two latency objectives on one SLI: the typical request is fast, and the tail is bounded.
    latency: [
      { objective: 95, threshold: '100ms' },
      { objective: 99.5, threshold: '1s' },
    ],
  },
  // The requests a customer cannot do without: paying, then seeing the order. They page on their own even
  // while the rest of the service's traffic would dilute them in the service-wide ratio.
  journeys: {
    'place-order': { routes: ['POST /checkout', 'GET /orders/:id'], availability: { objective: 99.95 }, latency: { objective: 99, threshold: '500ms' } },
  },
  capacity: {
    requestsPerSecond: 250,
    concurrentRequests: 64,
    // Orders live in PostgreSQL behind PgBouncer: 30 replicas × 10 connections = 300 client connections, within
    // the 400 PgBouncer accepts (max_client_conn), which it multiplexes onto PostgreSQL's 100. Little's law:
    // 250 req/s × 2 queries × 20ms = 10 connections in use per pod at capacity.
    pools: [
      { kind: 'database', name: 'orders-db', size: 10, holdTime: '20ms', callsPerRequest: 2, connectsTo: { name: 'orders-pgbouncer', maxConnections: 400 } },
      // The payment provider's API through one keep-alive https.Agent (maxSockets 24): 250 req/s × 80ms = 20
      // sockets busy at capacity; the provider accepts 1,000 connections from us, and 30 × 24 = 720 fit.
      { kind: 'http-client', name: 'payments-api', size: 24, holdTime: '80ms', connectsTo: { name: 'payments-provider', maxConnections: 1000 } },
    ],
  },
  scaling: { minReplicas: 3, maxReplicas: 30 },
  alerting: { runbookUrl: 'https://runbooks.example.com/shop/{alert}', grafanaUrl: 'https://grafana.example.com' },
  // A spent budget opens a ticket carrying the team's policy (the default action).
  budgetPolicy: { exhausted: 'ticket' },
  routing: {
    page: { kind: 'pagerduty', routingKey: { secret: { name: 'payments-pagerduty', key: 'routing-key' } } },
    ticket: { kind: 'slack', channel: '#payments-alerts', apiUrl: { secret: { name: 'payments-slack', key: 'webhook-url' } } },
    // Planned work: nothing is notified while the database is upgraded. In UTC, because the AlertmanagerConfig
    // this service is routed with cannot carry a time zone.
    maintenance: [{ name: 'db-upgrade', during: { years: [2027], months: ['january'], daysOfMonth: [16], times: [{ start: '22:00', end: '24:00' }] } }],
  },
});

/**
 * A public API with only an availability SLO, where rate limiting (429) counts as an error: its clients
 * see a 429 as a failed call.
 */
export const catalog = defineService({
  name: 'catalog',
  namespace: 'shop',
  team: 'discovery',
  metrics: { port: 9464 },
  routes: ['/products', '/products/:sku', '/search'],
  errors: { statusCodes: ['5xx', 429] },
  slos: { availability: { objective: 99.5 } },
  traffic: { dropBelowLastWeek: 0.4 },
  routing: {
    page: { kind: 'pagerduty', routingKey: { secret: { name: 'discovery-pagerduty', key: 'routing-key' } } },
    ticket: { kind: 'email', to: 'discovery@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
    // Tickets are read in working hours, so they are sent then (Monday to Friday, 09:00 to 17:00 UTC).
    ticketsDuring: workingHours('UTC'),
  },
});

/**
 * A low-traffic internal service: a handful of requests an hour, allowed to idle. Its availability SLO is
 * on a 28-day window; its latency SLO on 7 days, where the fast and slow tiers make no sense (one slow
 * request in a quiet hour would page; a 1-day burn at 0.7x never exhausts a 7-day budget), so they are off.
 * The low-traffic guard (minEvents) keeps a single failed sync from paging.
 */
export const ledger = defineService({
  name: 'ledger-sync',
  namespace: 'backoffice',
  team: 'finance-platform',
  metrics: { port: 9464, scrapeInterval: '1m' },
  routes: ['/sync', '/reconcile/:account'],
  slos: {
    availability: { objective: 99, window: '28d', minEvents: 20 },
    latency: { objective: 95, threshold: '2s', window: '7d', burnTiers: { fast: false, slow: false } },
  },
  traffic: { noTrafficFor: false, dropBelowLastWeek: false },
  // The rules that reread the whole 28d and 7d windows (budget left, ErrorBudgetExhausted) run every 5 minutes
  // in a PrometheusRule of their own, as a fleet's would when they dominate the rule cost (BENCHMARKS.md).
  alerting: { sloWindowEvaluationInterval: '5m' },
  budgetPolicy: { exhausted: 'ticket', action: 'Pause ledger schema migrations until the budget recovers.' },
});

/**
 * A queue worker scaled by KEDA instead of an HPA: on the depth of its RabbitMQ queue (100 messages per
 * pod) and on its own operation rate (the declared 40/s per pod, less headroom), to zero when idle, and
 * to at least 20 replicas during office hours. The VPA sizes its requests within bounds; it may evict
 * (Recreate) because nothing scales on CPU or memory.
 */
export const mailer = defineService({
  name: 'mailer',
  namespace: 'shop',
  team: 'growth',
  kind: 'worker',
  metrics: { port: 9464 },
  slos: { availability: { objective: 99 } },
  traffic: { noTrafficFor: false },
  // Templates render on two worker threads, off the event loop: 40 emails/s × 40ms = 1.6 threads busy.
  capacity: { requestsPerSecond: 40, pools: [{ kind: 'worker', name: 'template-render', size: 2, holdTime: '40ms' }] },
  scaling: {
    minReplicas: 0,
    maxReplicas: 50,
    behavior: 'batch',
    autoscaler: {
      kind: 'keda',
      serverAddress: 'http://prometheus-operated.monitoring:9090',
      schedules: [{ timezone: 'Europe/Berlin', start: '45 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 20 }],
    },
    metrics: [
      { type: 'external', metric: 'rabbitmq_queue_messages_ready', selector: { queue: 'emails' }, averageValue: 100 },
      { type: 'requestsPerSecond' },
    ],
    vpa: { mode: 'Recreate', containers: [{ container: 'mailer', minAllowed: { cpu: '100m', memory: '128Mi' }, maxAllowed: { cpu: '2', memory: '2Gi' } }] },
  },
});

/** Every service of the example fleet. */
export const fleet = [checkout, catalog, ledger, mailer] as const;
