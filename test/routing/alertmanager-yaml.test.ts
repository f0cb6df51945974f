import * as YAML from 'yaml';
import { resolveService, ServiceDefinitionError } from '../../src/model';
import {
  receiverName,
  referencedSecrets,
  renderAlertmanagerConfig,
  routingUnits,
  UNROUTED_RECEIVER,
} from '../../src/routing';
import { fleet } from '../../examples/services';
import { describeWithBinary, run, tempFile } from '../support/binaries';
import { checkout, definitions, models, paymentsRouting, quiet, refunds } from './fixtures';
import { alert, burn, INHIBITION_CASES, type Labels, plain } from './scenarios';

const webhookService = {
  ...checkout,
  routing: { ...paymentsRouting, ticket: { kind: 'webhook' as const, url: { secret: { name: 'bridge', key: 'url' } } } },
};

/** The fixture definitions with the payments team routing per team. */
function teamModels() {
  return models(definitions.map((d) => (d.team === 'payments' ? withPer(d, 'team') : d)));
}

function withPer<T extends { routing?: object }>(d: T, per: 'service' | 'team' | undefined): T {
  return { ...d, routing: { ...d.routing, per } };
}

describe('renderAlertmanagerConfig', () => {
  const text = renderAlertmanagerConfig(models());
  const config = YAML.parse(text);

  test('the fixture fleet renders to the reviewed alertmanager.yml', () => {
    expect(text).toMatchSnapshot();
  });

  test('rendering is deterministic and independent of the order services are given in', () => {
    expect(renderAlertmanagerConfig(models().reverse())).toBe(text);
  });

  test('every service with routing gets one subtree, matched on namespace and service; the others get none', () => {
    expect(config.route.routes.map((r: { matchers: string[] }) => r.matchers)).toEqual([
      ['namespace="backoffice"', 'service="ledger-sync"'],
      ['namespace="shop"', 'service="checkout"'],
      ['namespace="shop"', 'service="refunds"'],
    ]);
    expect(text).not.toContain('quiet');
  });

  test('the root route groups by alertname, namespace, service and slo, plus the cluster label a service declares', () => {
    expect(config.route.group_by).toEqual(['alertname', 'namespace', 'service', 'slo', 'cluster']);
  });

  test('page and ticket children carry their own timing (page fast and hourly, ticket patient and daily)', () => {
    const checkoutRoute = config.route.routes[1];
    expect(checkoutRoute.routes).toEqual([
      { receiver: 'shop/checkout-routing/page', matchers: ['severity="page"'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
      { receiver: 'shop/checkout-routing/ticket', matchers: ['severity="ticket"'], group_wait: '5m', group_interval: '30m', repeat_interval: '1d' },
    ]);
  });

  test('secrets appear only as *_file paths under the mounted Secrets, never as values', () => {
    const files = [...text.matchAll(/_file: (\S+)/g)].map((m) => m[1]);
    expect(new Set(files)).toEqual(
      new Set([
        '/etc/alertmanager/secrets/finance-pagerduty/key',
        '/etc/alertmanager/secrets/smtp/password',
        '/etc/alertmanager/secrets/payments-pagerduty/routing-key',
        '/etc/alertmanager/secrets/payments-slack/webhook-url',
      ]),
    );
    expect(text).not.toMatch(/\b(routing_key|api_url|url|auth_password):/);
  });

  test('referencedSecrets lists each Secret the file reads once, with its namespace', () => {
    expect(referencedSecrets(routingUnits(models()))).toEqual([
      { namespace: 'backoffice', name: 'finance-pagerduty' },
      { namespace: 'backoffice', name: 'smtp' },
      { namespace: 'shop', name: 'payments-pagerduty' },
      { namespace: 'shop', name: 'payments-slack' },
    ]);
  });

  test('a custom secrets directory moves every *_file path', () => {
    expect(renderAlertmanagerConfig(models(), { secretsDir: '/run/secrets/' })).toContain('routing_key_file: /run/secrets/payments-pagerduty/routing-key');
  });

  test('a webhook receiver needs Alertmanager 0.26 (url_file), so targeting 0.25 is an error naming the field', () => {
    const m = [resolveService(webhookService)];
    expect(() => renderAlertmanagerConfig(m)).toThrow(/routing\.ticket\[0\] \(webhook\) needs Alertmanager 0\.26 or later/);
    expect(renderAlertmanagerConfig(m, { alertmanagerVersion: '0.26' })).toContain('url_file: /etc/alertmanager/secrets/bridge/url');
  });

  test('an alertmanagerVersion that is not major.minor is rejected', () => {
    expect(() => renderAlertmanagerConfig(models(), { alertmanagerVersion: 'latest' })).toThrow(/must be "major.minor"/);
  });

  test('the webhook override replaces every receiver, including the root, and plans services without routing', () => {
    const overridden = YAML.parse(renderAlertmanagerConfig(models(), { webhookOverride: 'http://127.0.0.1:9999/' }));
    for (const r of overridden.receivers) expect(r).toEqual({ name: r.name, webhook_configs: [{ url: 'http://127.0.0.1:9999/', send_resolved: true }] });
    expect(overridden.receivers.map((r: { name: string }) => r.name)).toContain('tools/quiet-routing/page');
  });

  test('the timing override sets every severity to the same timers (for end-to-end tests)', () => {
    const fast = YAML.parse(renderAlertmanagerConfig(models(), { timingOverride: { groupWaitMs: 1000, groupIntervalMs: 2000, repeatIntervalMs: 60_000 } }));
    const timers = fast.route.routes.flatMap((r: { routes: Array<Record<string, string>> }) => r.routes.map((c) => [c.group_wait, c.group_interval, c.repeat_interval]));
    expect(new Set(timers.map(String))).toEqual(new Set(['1s,2s,1m']));
  });

  test('per team, the services of one team in one namespace share a subtree matched on the team label', () => {
    const team = YAML.parse(renderAlertmanagerConfig(models(), { per: 'team' }));
    expect(team.route.routes.map((r: { receiver: string; matchers: string[] }) => [r.receiver, r.matchers])).toEqual([
      ['backoffice/team-finance-platform-routing/ticket', ['namespace="backoffice"', 'team="finance-platform"']],
      ['shop/team-payments-routing/ticket', ['namespace="shop"', 'team="payments"']],
    ]);
  });

  test('per team, two services of one team with different routing are an error naming the second one', () => {
    const different = { ...refunds, routing: { ...paymentsRouting, timing: { page: { repeatInterval: '1h' as const } } } };
    const run = () => routingUnits([checkout, different].map(resolveService), { per: 'team' });
    expect(run).toThrow(ServiceDefinitionError);
    expect(run).toThrow(/refunds[\s\S]*routing: got "differs from service \\"checkout\\" of team \\"payments\\""/);
  });

  test('services whose routing says per team share one subtree with no per option given, the unit their AlertmanagerConfig has', () => {
    const team = YAML.parse(renderAlertmanagerConfig(teamModels()));
    expect(team.route.routes.map((r: { receiver: string; matchers: string[] }) => [r.receiver, r.matchers])).toEqual([
      ['backoffice/ledger-sync-routing/ticket', ['namespace="backoffice"', 'service="ledger-sync"']],
      ['shop/team-payments-routing/ticket', ['namespace="shop"', 'team="payments"']],
    ]);
    expect(routingUnits(teamModels()).map((u) => [u.scope, u.name, u.services])).toEqual([
      ['service', 'ledger-sync-routing', ['ledger-sync']],
      ['team', 'team-payments-routing', ['checkout', 'refunds']],
    ]);
  });

  test("a per option overrides the services' routing.per: per service, services that say per team render as if they did not", () => {
    expect(renderAlertmanagerConfig(teamModels(), { per: 'service' })).toBe(text);
  });

  test.each([
    ['per team, then one per service', 'team', undefined, /"refunds"[\s\S]*routing\.per: got "service"; must equal that of service "checkout" \("team"\)/],
    ['per service, then one per team', undefined, 'team', /"refunds"[\s\S]*routing\.per: got "team"; must equal that of service "checkout" \("service"\)/],
  ] as const)('a team with one service routing %s is an error naming both, since the team subtree would shadow the service one', (_title, first, second, message) => {
    const run = () => routingUnits([withPer(checkout, first), withPer(refunds, second)].map(resolveService));
    expect(run).toThrow(ServiceDefinitionError);
    expect(run).toThrow(message);
  });

  test('a service listed twice is an error', () => {
    expect(() => routingUnits([checkout, checkout].map(resolveService))).toThrow(/listed twice/);
  });
});

describeWithBinary('amtool', 'amtool on the generated alertmanager.yml', (amtool) => {
  const file = tempFile('alertmanager.yml', renderAlertmanagerConfig(models()));
  const teamFile = tempFile('alertmanager.yml', renderAlertmanagerConfig(models(), { per: 'team' }));
  const definedTeamFile = tempFile('alertmanager.yml', renderAlertmanagerConfig(teamModels()));
  const webhookFile = tempFile('alertmanager.yml', renderAlertmanagerConfig(models(), { webhookOverride: 'http://127.0.0.1:9/' }));

  test.each([
    ['per service', file],
    ['per team', teamFile],
    ["per team where the definitions' routing says so", definedTeamFile],
    ['with the webhook override', webhookFile],
  ])('amtool check-config accepts the config rendered %s', (_title, path) => {
    const r = run(amtool, ['check-config', path]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  const unit = (service: string) => routingUnits(models()).find((u) => u.services.includes(service))!;
  const routed: Array<[string, Labels, string]> = [
    ['a checkout page', plain('checkout', 'TrafficAbsent', 'traffic', 'page'), receiverName(unit('checkout'), 'page')],
    ['a checkout ticket', plain('checkout', 'CPUNearLimit', 'saturation', 'ticket'), receiverName(unit('checkout'), 'ticket')],
    ['a refunds page', burn('refunds', 'availability', 'fast'), receiverName(unit('refunds'), 'page')],
    ['a refunds ticket', burn('refunds', 'availability', 'longterm'), receiverName(unit('refunds'), 'ticket')],
    ['a ledger-sync page in a cluster', burn('ledger-sync', 'availability', 'medium', { cluster: 'eu-1' }), receiverName(unit('ledger-sync'), 'page')],
    ['a ledger-sync ticket', burn('ledger-sync', 'availability', 'slow'), receiverName(unit('ledger-sync'), 'ticket')],
    ['a checkout alert with an unexpected severity', plain('checkout', 'TrafficDrop', 'traffic', 'info'), receiverName(unit('checkout'), 'ticket')],
    ['an alert of a service without routing', { alertname: 'TrafficAbsent', namespace: 'tools', service: 'quiet', severity: 'page' }, UNROUTED_RECEIVER],
    ['a checkout alert from another namespace', { ...plain('checkout', 'TrafficAbsent', 'traffic', 'page'), namespace: 'staging' }, UNROUTED_RECEIVER],
  ];

  test.each(routed)('amtool config routes test sends %s to the expected receiver', (_title, labels, receiver) => {
    const r = run(amtool, ['config', 'routes', 'test', `--config.file=${file}`, `--verify.receivers=${receiver}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    expect(r.output.split('\n')[0]).toBe(receiver);
    expect(r.status).toBe(0);
  });

  test.each(
    (
      [
    ['page', plain('checkout', 'TrafficAbsent', 'traffic', 'page'), 'shop/team-payments-routing/page'],
    ['ticket', burn('refunds', 'availability', 'slow'), 'shop/team-payments-routing/ticket'],
    ['page', burn('ledger-sync', 'availability', 'fast'), 'backoffice/team-finance-platform-routing/page'],
      ] as Array<[string, Labels, string]>
    ).map(([s, l, r]) => [s, r, l] as const),
  )('per team, amtool config routes test sends a %s to %s', (_severity, receiver, labels) => {
    const r = run(amtool, ['config', 'routes', 'test', `--config.file=${teamFile}`, `--verify.receivers=${receiver}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    expect(r.status).toBe(0);
  });

  // Inhibition only matters between alerts that would notify: each case's source and target must reach their
  // service's receiver for their severity, not the unrouted blackhole (semantics: inhibition.test.ts).
  const expected = (labels: Labels) => {
    const u = routingUnits(models()).find((x) => x.namespace === labels.namespace && x.services.includes(labels.service));
    return u ? receiverName(u, labels.severity === 'page' ? 'page' : 'ticket') : UNROUTED_RECEIVER;
  };
  test.each(INHIBITION_CASES.flatMap((c) => [[`the source of "${c.title}"`, c.source] as const, [`the target of "${c.title}"`, c.target] as const]))(
    'amtool config routes test routes %s to its service receiver',
    (_title, labels) => {
      const receiver = expected(labels);
      expect(receiver).not.toBe(UNROUTED_RECEIVER);
      const r = run(amtool, ['config', 'routes', 'test', `--config.file=${file}`, `--verify.receivers=${receiver}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
      expect(r.status).toBe(0);
    },
  );

  test('the example fleet with the end-to-end webhook override passes amtool and routes each service to its own receivers', () => {
    const exampleFile = tempFile('alertmanager.yml', renderAlertmanagerConfig(fleet.map(resolveService), { webhookOverride: 'http://127.0.0.1:9/' }));
    expect(run(amtool, ['check-config', exampleFile]).status).toBe(0);
    for (const d of fleet) {
      for (const severity of ['page', 'ticket']) {
        const receiver = `${d.namespace}/${d.name}-routing/${severity}`;
        const r = run(amtool, ['config', 'routes', 'test', `--config.file=${exampleFile}`, `--verify.receivers=${receiver}`, `namespace=${d.namespace}`, `service=${d.name}`, `severity=${severity}`]);
        expect(r.status).toBe(0);
      }
    }
  });

  test('amtool check-config rejects a config that reads a webhook URL from a file (why 0.25 needs the version gate)', () => {
    const newer = tempFile('alertmanager.yml', renderAlertmanagerConfig([resolveService(webhookService)], { alertmanagerVersion: '0.26' }));
    const r = run(amtool, ['check-config', newer]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/url_file/);
  });
});

test('alert() builds the label set the rules emit, with team for team routing', () => {
  expect(alert('checkout', 'X', { severity: 'page' })).toEqual({ alertname: 'X', namespace: 'shop', service: 'checkout', team: 'payments', job: 'checkout', severity: 'page' });
  expect('routing' in quiet).toBe(false);
});
