/**
 * What a responder receives when a burn escalates (README, "What a responder receives"): a slow-burn ticket that
 * fired first, then a fast-burn page of the same SLO. The rules keep the ticket firing (its quiet clause spares a
 * tier that fires already) and the routing mutes no burn alert, so each alert reaches its receiver and each is
 * resolved there, the ticket included while the page still fires. With the tier inhibitions the routing had
 * before issue 17, the ticket resolved while muted and its resolved notification never came
 * (prometheus/alertmanager#2754): the ticket stayed open forever.
 *
 * The sequence is replayed into a real Alertmanager running the generated alertmanager.yml, every receiver
 * replaced by a webhook on loopback and the timers shortened to a second.
 */
import * as http from 'node:http';
import { checkout } from '../../examples/services';
import { resolveService } from '../../src/model';
import { renderAlertmanagerConfig } from '../../src/routing';
import { isAlertingRule, serviceRules } from '../../src/rules';
import { ALERT } from '../../src/signals/recorded';
import { type RunningAlertmanager, startAlertmanager, until } from '../support/alertmanager';
import { describeWithBinary } from '../support/binaries';

const NOTIFY_TIMEOUT_MS = 20_000;

interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
}

describeWithBinary('prometheus-alertmanager', 'the notification stream of an escalating burn through a running Alertmanager', (binary) => {
  // Without the example's one-off maintenance window, which would mute this test if it ran inside it; the
  // windows are tested in test/routing/time-intervals-live.test.ts.
  const model = resolveService({ ...checkout, routing: { ...checkout.routing!, maintenance: undefined } });
  const burn = (tier: string) => {
    const rule = serviceRules(model).groups[0].rules.filter(isAlertingRule).find((r) => r.alert === ALERT.errorBudgetBurn && r.labels.slo === 'availability' && r.labels.burn_tier === tier)!;
    // What Prometheus sends: the expression's labels, the rule's labels, and the alert name.
    const labels: Record<string, string> = { alertname: rule.alert, namespace: model.namespace, job: model.name, ...rule.labels };
    return { labels, annotations: rule.annotations };
  };
  const ticket = burn('slow');
  const page = burn('fast');
  const received: WebhookAlert[] = [];
  let webhook: http.Server | undefined;
  let am: RunningAlertmanager | undefined;

  beforeAll(async () => {
    webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        for (const a of (JSON.parse(body) as { alerts: WebhookAlert[] }).alerts) received.push({ status: a.status, labels: a.labels });
        res.end();
      });
    });
    await new Promise<void>((resolve) => webhook!.listen(0, '127.0.0.1', resolve));
    const { port } = webhook.address() as import('node:net').AddressInfo;
    const config = renderAlertmanagerConfig([model], {
      webhookOverride: `http://127.0.0.1:${port}/`,
      timingOverride: { groupWaitMs: 1000, groupIntervalMs: 1000, repeatIntervalMs: 3600_000 },
    });
    am = await startAlertmanager(binary, config);
  }, 30_000);

  afterAll(async () => {
    await am?.stop();
    await new Promise((resolve) => webhook?.close(resolve));
  });

  const post = (alert: typeof ticket, firing: boolean) =>
    am!.post([{ ...alert, endsAt: new Date(Date.now() + (firing ? 3600_000 : -1000)).toISOString() }]);
  const arrived = (alert: typeof ticket, status: WebhookAlert['status']) =>
    until(`${status} ${alert.labels.burn_tier} at the webhook`, NOTIFY_TIMEOUT_MS, async () =>
      received.some((r) => r.status === status && r.labels.burn_tier === alert.labels.burn_tier) ? true : undefined,
    );

  it('delivers the ticket, then the page, then the ticket resolved while the page fires, then the page resolved', async () => {
    await post(ticket, true);
    await arrived(ticket, 'firing');
    await post(page, true);
    await arrived(page, 'firing');
    const muted = (await (await fetch(`${am!.base}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; status: { inhibitedBy: string[] } }>;
    expect(muted.filter((a) => a.status.inhibitedBy.length > 0).map((a) => a.labels.burn_tier)).toEqual([]);
    await post(ticket, false);
    await arrived(ticket, 'resolved');
    await post(page, false);
    await arrived(page, 'resolved');
    const stream = received.map((r) => `${r.status} ${r.labels.burn_tier} ${r.labels.severity}`).filter((n, i, all) => all.indexOf(n) === i);
    expect(stream).toEqual(['firing slow ticket', 'firing fast page', 'resolved slow ticket', 'resolved fast page']);
  }, 4 * NOTIFY_TIMEOUT_MS);
});
