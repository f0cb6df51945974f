import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { AlertRouting, TeamAlertRouting } from '../../src/constructs/alert-routing';
import { resolveService } from '../../src/model';
import { renderAlertmanagerConfig, renderMatcher } from '../../src/routing';
import { validateManifest } from '../support/schema';
import { checkout, ledger, models, paymentsRouting, quiet, refunds } from './fixtures';

function synth(props: Omit<ConstructorParameters<typeof AlertRouting>[2], 'services'> = {}, services = models()) {
  const chart = Testing.chart();
  new AlertRouting(chart, 'routing', { services, ...props });
  return Testing.synth(chart);
}

describe('AlertRouting', () => {
  const manifests = synth();

  test('emits one AlertmanagerConfig per routed service, in its namespace, matching the snapshot', () => {
    expect(manifests.map((m) => [m.kind, m.metadata.namespace, m.metadata.name])).toEqual([
      ['AlertmanagerConfig', 'backoffice', 'ledger-sync-routing'],
      ['AlertmanagerConfig', 'shop', 'checkout-routing'],
      ['AlertmanagerConfig', 'shop', 'refunds-routing'],
    ]);
    expect(manifests).toMatchSnapshot();
  });

  test.each([
    ['per service', synth()],
    ['per team', synth({ per: 'team' })],
    ['for kube-prometheus-stack', synth({ stack: { kind: 'kube-prometheus-stack', releaseName: 'monitoring' } })],
  ])('every AlertmanagerConfig rendered %s is valid against the pinned v0.93.0 CRD', (_title, list) => {
    expect(list.length).toBeGreaterThan(0);
    for (const m of list) expect(validateManifest(m)).toEqual([]);
  });

  test('secrets are SecretKeySelectors; no receiver carries a URL or key value', () => {
    const receivers = manifests.find((m) => m.metadata.name === 'checkout-routing').spec.receivers;
    expect(receivers).toEqual([
      {
        name: 'page',
        pagerdutyConfigs: [{ routingKey: { name: 'payments-pagerduty', key: 'routing-key' }, severity: 'critical', sendResolved: true }],
        slackConfigs: [{ apiURL: { name: 'payments-slack', key: 'webhook-url' }, channel: '#payments-pages', sendResolved: true }],
      },
      { name: 'ticket', slackConfigs: [{ apiURL: { name: 'payments-slack', key: 'webhook-url' }, channel: '#payments-alerts', sendResolved: true }] },
    ]);
    const ledger = manifests.find((m) => m.metadata.name === 'ledger-sync-routing').spec.receivers[1];
    expect(ledger.emailConfigs[0]).toMatchObject({ authUsername: 'alertmanager', authPassword: { name: 'smtp', key: 'password' }, requireTLS: true });
    expect(JSON.stringify(manifests)).not.toMatch(/https?:\/\//);
  });

  test('the top route matches namespace and service and routes each severity to its receiver', () => {
    const route = manifests.find((m) => m.metadata.name === 'checkout-routing').spec.route;
    expect(route.matchers).toEqual([
      // Equality without matchType (the CRD's default): a bare `=` in YAML is what PyYAML cannot load.
      { name: 'namespace', value: 'shop' },
      { name: 'service', value: 'checkout' },
    ]);
    expect(route.routes.map((r: { receiver: string; matchers: unknown[] }) => [r.receiver, r.matchers])).toEqual([
      ['page', [{ name: 'severity', value: 'page' }]],
      ['ticket', [{ name: 'severity', value: 'ticket' }]],
    ]);
  });

  test('the inhibit rules are the alertmanager.yml rules, scoped to the service instead of to golden-signals alerts', () => {
    const plain = YAML.parse(renderAlertmanagerConfig([resolveService(checkout)])).inhibit_rules;
    const cr = synth({}, [resolveService(checkout)])[0].spec.inhibitRules;
    const scope = ['namespace="shop"', 'service="checkout"'];
    const show = (ms: Array<{ name: string; value: string; matchType?: '!=' | '=~' | '!~' }>) => ms.map((m) => renderMatcher({ name: m.name, op: m.matchType ?? '=', value: m.value }));
    expect(
      cr.map((r: { sourceMatch: never; targetMatch: never; equal: string[] }) => ({ source_matchers: show(r.sourceMatch), target_matchers: show(r.targetMatch), equal: r.equal })),
    ).toEqual(
      plain.map((r: { source_matchers: string[]; target_matchers: string[]; equal: string[] }) => ({
        source_matchers: [...scope, ...r.source_matchers.slice(1)],
        target_matchers: [...scope, ...r.target_matchers.slice(1)],
        equal: r.equal,
      })),
    );
  });

  test.each([
    [{ kind: 'own' as const }, { 'app.kubernetes.io/part-of': 'golden-signals' }],
    [{ kind: 'kube-prometheus-stack' as const }, { 'app.kubernetes.io/part-of': 'golden-signals', release: 'kube-prometheus-stack' }],
    [{ kind: 'kube-prometheus-stack' as const, releaseName: 'mon' }, { 'app.kubernetes.io/part-of': 'golden-signals', release: 'mon' }],
  ])('the stack mode %j labels every AlertmanagerConfig with %j', (stack, labels) => {
    for (const m of synth({ stack })) expect(m.metadata.labels).toEqual(labels);
  });

  test('per team, one AlertmanagerConfig serves a whole team in a namespace and matches on the team label', () => {
    const team = synth({ per: 'team' });
    expect(team.map((m) => m.metadata.name)).toEqual(['team-finance-platform-routing', 'team-payments-routing']);
    expect(team[1].spec.route.matchers).toEqual([
      { name: 'namespace', value: 'shop' },
      { name: 'team', value: 'payments' },
    ]);
  });

  test("without a per option, each service is cut as its routing.per says; with one, the option wins", () => {
    const services = models([{ ...checkout, routing: { ...paymentsRouting, per: 'team' } }, { ...refunds, routing: { ...paymentsRouting, per: 'team' } }, ledger]);
    expect(synth({}, services).map((m) => m.metadata.name)).toEqual(['ledger-sync-routing', 'team-payments-routing']);
    expect(synth({ per: 'service' }, services).map((m) => m.metadata.name)).toEqual(['ledger-sync-routing', 'checkout-routing', 'refunds-routing']);
  });

  test('an inline secret fails the synth with the field named', () => {
    const bad = { ...checkout, routing: { page: { kind: 'pagerduty', routingKey: 'abc123' }, ticket: checkout.routing?.ticket } };
    expect(() => synth({}, [resolveService(bad as never)])).toThrow(/routing\.page\.routingKey/);
  });
});

describe('TeamAlertRouting', () => {
  const team = (chart: Chart) => new TeamAlertRouting(chart, 'payments', { namespace: 'shop', team: 'payments' });

  test('synthesizes the team unit of every service added, including those added after it was created', () => {
    const chart = Testing.chart();
    const routing = team(chart);
    routing.addService(resolveService(checkout));
    const [before] = Testing.synth(chart);
    routing.addService(resolveService({ ...refunds, alerting: { clusterLabel: 'cluster' } }));
    const [config] = Testing.synth(chart);
    expect(before.spec.route.groupBy).toEqual(['alertname', 'namespace', 'service', 'slo']);
    expect(config.metadata.name).toBe('team-payments-routing');
    expect(config.spec.route.groupBy).toEqual(['alertname', 'namespace', 'service', 'slo', 'cluster']);
    expect(routing.services.map((s) => s.name)).toEqual(['checkout', 'refunds']);
    expect(validateManifest(config)).toEqual([]);
  });

  test.each([
    ['of another team', ledger, /of team "finance-platform" cannot join test\/payments/],
    ['of another namespace', { ...checkout, namespace: 'shop-eu' }, /"shop-eu\/checkout" of team "payments" cannot join/],
    ['without routing', { ...quiet, namespace: 'shop', team: 'payments' }, /has no routing option/],
    ['whose routing differs from the services already added', { ...refunds, routing: { ...paymentsRouting, timing: { page: { repeatInterval: '1h' } } } }, /differs from service \\"checkout\\"/],
  ])('refuses a service %s', (_title, service, message) => {
    const routing = team(Testing.chart());
    routing.addService(resolveService(checkout));
    expect(() => routing.addService(resolveService(service as typeof checkout))).toThrow(message);
    expect(routing.services.map((s) => s.name)).toEqual(['checkout']);
  });

  test('without any service it fails the synth saying so, rather than writing a config that routes nothing', () => {
    const chart = Testing.chart();
    team(chart);
    expect(() => Testing.synth(chart)).toThrow(/has no service: add one with addService/);
  });
});
