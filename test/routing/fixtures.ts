/** Service definitions with routing, shared by the routing and stack tests. */
import { resolveService } from '../../src/model';
import type { ServiceModel } from '../../src/model';
import { defineService, type RoutingOptions, type ServiceDefinition } from '../../src/spec';

/** One team's routing, shared by its services (so `per: 'team'` can fold them). */
export const paymentsRouting: RoutingOptions = {
  page: [
    { kind: 'pagerduty', routingKey: { secret: { name: 'payments-pagerduty', key: 'routing-key' } } },
    { kind: 'slack', channel: '#payments-pages', apiUrl: { secret: { name: 'payments-slack', key: 'webhook-url' } } },
  ],
  ticket: { kind: 'slack', channel: '#payments-alerts', apiUrl: { secret: { name: 'payments-slack', key: 'webhook-url' } } },
};

export const checkout = defineService({
  name: 'checkout',
  namespace: 'shop',
  team: 'payments',
  metrics: { port: 9464 },
  slos: { availability: { objective: 99.9 }, latency: { objective: 99, threshold: '300ms' } },
  routing: paymentsRouting,
});

export const refunds = defineService({
  name: 'refunds',
  namespace: 'shop',
  team: 'payments',
  metrics: { port: 9464 },
  slos: { availability: { objective: 99.5 } },
  routing: paymentsRouting,
});

export const ledger = defineService({
  name: 'ledger-sync',
  namespace: 'backoffice',
  team: 'finance-platform',
  metrics: { port: 9464, scrapeInterval: '1m' },
  slos: { availability: { objective: 99, window: '28d' } },
  alerting: { clusterLabel: 'cluster' },
  routing: {
    page: { kind: 'pagerduty', routingKey: { secret: { name: 'finance-pagerduty', key: 'key' } } },
    ticket: {
      kind: 'email',
      to: 'finance-platform@example.com',
      from: 'alertmanager@example.com',
      smarthost: 'smtp.example.com:587',
      authUsername: 'alertmanager',
      authPassword: { secret: { name: 'smtp', key: 'password' } },
    },
    timing: { ticket: { groupWait: '10m', repeatInterval: '3d' } },
  },
});

/** A service without routing: it gets no route unless a renderer plans unrouted services. */
export const quiet = defineService({
  name: 'quiet',
  namespace: 'tools',
  team: 'internal',
  metrics: { port: 9464 },
});

export const definitions: readonly ServiceDefinition[] = [checkout, refunds, ledger, quiet];

export function models(defs: readonly ServiceDefinition[] = definitions): ServiceModel[] {
  return defs.map(resolveService);
}
