import { resolveService, ServiceDefinitionError } from '../../src/model';
import { DEFAULT_TIMING, resolveRouting } from '../../src/routing';
import type { RoutingOptions, ServiceDefinition } from '../../src/spec';
import { checkout, ledger, quiet } from './fixtures';

const SECRET_VALUE = 'R0UT1NGKEY-e93f1c2b7a6d4e0f';
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX';

function withRouting(routing: unknown): ServiceDefinition {
  return { ...checkout, routing: routing as RoutingOptions };
}

function problems(routing: unknown): ServiceDefinitionError {
  try {
    resolveRouting(resolveService(withRouting(routing)));
  } catch (e) {
    if (e instanceof ServiceDefinitionError) return e;
    throw e;
  }
  throw new Error('expected a ServiceDefinitionError');
}

const pd = { kind: 'pagerduty', routingKey: { secret: { name: 'pd', key: 'key' } } };

describe('resolveRouting', () => {
  test('a service without a routing option has no routing model', () => {
    expect(resolveRouting(resolveService(quiet))).toBeUndefined();
  });

  test('a valid routing option resolves receivers and fills in the default timing per severity', () => {
    const routing = resolveRouting(resolveService(checkout))!;
    expect(routing.receivers.page.map((r) => r.kind)).toEqual(['pagerduty', 'slack']);
    expect(routing.receivers.ticket.map((r) => r.kind)).toEqual(['slack']);
    expect(routing.timing).toEqual(DEFAULT_TIMING);
    expect(routing).toMatchSnapshot();
  });

  test.each([
    ['per service when the option does not say', undefined, 'service'],
    ['per service when asked to', 'service', 'service'],
    ['per team when asked to', 'team', 'team'],
  ])('a routing option is cut %s', (_title, per, expected) => {
    expect(resolveRouting(resolveService(withRouting({ ...checkout.routing, per })))!.per).toBe(expected);
  });

  test('a timing override changes only the fields it sets', () => {
    const routing = resolveRouting(resolveService(ledger))!;
    expect(routing.timing.ticket).toEqual({ groupWaitMs: 600_000, groupIntervalMs: DEFAULT_TIMING.ticket.groupIntervalMs, repeatIntervalMs: 3 * 86_400_000 });
    expect(routing.timing.page).toEqual(DEFAULT_TIMING.page);
  });

  test('PagerDuty gets an Events API v2 severity (critical for pages, warning for tickets), never the alert label', () => {
    const routing = resolveRouting(resolveService(withRouting({ page: pd, ticket: pd })))!;
    expect(routing.receivers.page[0]).toMatchObject({ kind: 'pagerduty', eventSeverity: 'critical' });
    expect(routing.receivers.ticket[0]).toMatchObject({ kind: 'pagerduty', eventSeverity: 'warning' });
  });

  test.each(
    (
      [
    ['an inline PagerDuty routing key', { page: { kind: 'pagerduty', routingKey: SECRET_VALUE }, ticket: pd }, 'routing.page.routingKey', /must be a reference to a Kubernetes Secret/],
    [
      'an inline Slack webhook URL',
      { page: pd, ticket: { kind: 'slack', channel: '#x', apiUrl: SLACK_URL } },
      'routing.ticket.apiUrl',
      /never written inline/,
    ],
    ['an inline webhook URL in a list', { page: [pd, { kind: 'webhook', url: SLACK_URL }], ticket: pd }, 'routing.page[1].url', /Kubernetes Secret/],
    [
      'an inline SMTP password',
      { page: pd, ticket: { kind: 'email', to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:587', authUsername: 'u', authPassword: SECRET_VALUE } },
      'routing.ticket.authPassword',
      /Kubernetes Secret/,
    ],
    ['a Slack URL in a field that does not exist', { page: pd, ticket: { kind: 'slack', channel: '#x', url: SLACK_URL, apiUrl: { secret: { name: 's', key: 'k' } } } }, 'routing.ticket.url', /allowed: "kind", "apiUrl", "channel", "sendResolved"/],
    ['a secret value next to a reference', { page: { kind: 'pagerduty', routingKey: { secret: { name: 'pd', key: 'k' }, value: SECRET_VALUE } }, ticket: pd }, 'routing.page.routingKey.value', /allowed: "secret"/],
    ['a Secret name that is not a DNS subdomain', { page: { kind: 'pagerduty', routingKey: { secret: { name: 'PagerDuty_Key', key: 'k' } } }, ticket: pd }, 'routing.page.routingKey.secret.name', /DNS subdomain/],
    ['a Secret key with a slash', { page: { kind: 'pagerduty', routingKey: { secret: { name: 'pd', key: 'a/b' } } }, ticket: pd }, 'routing.page.routingKey.secret.key', /Secret key/],
    ['no page receiver', { page: [], ticket: pd }, 'routing.page', /at least one receiver/],
    ['an unknown receiver kind', { page: { kind: 'opsgenie' }, ticket: pd }, 'routing.page.kind', /"pagerduty", "slack", "webhook" or "email"/],
    ['a Slack channel that is a URL', { page: pd, ticket: { kind: 'slack', channel: SLACK_URL, apiUrl: { secret: { name: 's', key: 'k' } } } }, 'routing.ticket.channel', /Slack channel/],
    ['an SMTP password without a user name', { page: pd, ticket: { kind: 'email', to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com:587', authPassword: { secret: { name: 's', key: 'k' } } } }, 'routing.ticket.authUsername', /must be set/],
    ['a smarthost without a port', { page: pd, ticket: { kind: 'email', to: 'a@example.com', from: 'b@example.com', smarthost: 'smtp.example.com' } }, 'routing.ticket.smarthost', /host:port/],
    ['a repeat interval shorter than the group interval', { page: pd, ticket: pd, timing: { page: { groupInterval: '10m', repeatInterval: '5m' } } }, 'routing.timing.page.repeatInterval', /at least groupInterval \(10m\)/],
    ['a timing for an unknown severity', { page: pd, ticket: pd, timing: { warning: {} } }, 'routing.timing.warning', /allowed: "page", "ticket"/],
    ['an unknown routing option', { page: pd, ticket: pd, critical: pd }, 'routing.critical', /allowed: "per", "page", "ticket", "timing"/],
    ['an unknown way to cut the routing', { page: pd, ticket: pd, per: 'namespace' }, 'routing.per', /"service" \(one AlertmanagerConfig per service\) or "team"/],
    ['a negative maxAlerts', { page: { kind: 'webhook', url: { secret: { name: 'w', key: 'u' } }, maxAlerts: -1 }, ticket: pd }, 'routing.page.maxAlerts', /whole number/],
      ] as Array<[string, unknown, string, RegExp]>
    ).map(([title, routing, field, allowed]) => [title, field, routing, allowed] as const),
  )('%s is a synth-time error naming %s', (_title, field, routing, allowed) => {
    const error = problems(routing);
    const problem = error.problems.find((p) => p.field === field);
    expect(problem).toBeDefined();
    expect(problem!.allowed).toMatch(allowed);
    expect(error.message).toContain(field);
  });

  test.each([
    ['a PagerDuty routing key', { page: { kind: 'pagerduty', routingKey: SECRET_VALUE }, ticket: pd }, SECRET_VALUE],
    ['a Slack webhook URL in an unknown field', { page: pd, ticket: { kind: 'slack', channel: '#x', webhook: SLACK_URL } }, SLACK_URL],
    ['a secret next to a reference', { page: { kind: 'pagerduty', routingKey: { secret: { name: 'pd', key: 'k' }, value: SECRET_VALUE } }, ticket: pd }, SECRET_VALUE],
  ])('the error about an inline secret (%s) never repeats the secret value', (_title, routing, value) => {
    const error = problems(routing);
    expect(error.message).not.toContain(value);
    expect(JSON.stringify(error.problems)).not.toContain(value);
    expect(error.message).toMatch(/redacted/);
  });

  test('every problem is reported at once, not just the first', () => {
    const error = problems({ page: { kind: 'pagerduty', routingKey: SECRET_VALUE }, ticket: { kind: 'slack', channel: '#x', apiUrl: SLACK_URL } });
    expect(error.problems.map((p) => p.field)).toEqual(['routing.page.routingKey', 'routing.ticket.apiUrl']);
  });
});
