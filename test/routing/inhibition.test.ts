/**
 * Inhibition semantics against a real Alertmanager: `amtool config routes test` only answers "where does this
 * alert go", so the generated inhibit rules are checked by running /usr/bin/prometheus-alertmanager on
 * loopback, posting each case's alerts to its v2 API and reading `status.inhibitedBy` back.
 *
 * Cases are isolated from each other by a per-case `cluster` label value: `cluster` is in every rule's `equal`
 * list (the fixture ledger-sync declares it as its cluster label), so a source of one case can never mute a
 * target of another. Sources are posted first, in one request, then the targets; the sentinel case is
 * posted last among the sources, and Alertmanager hands alerts to the inhibitor in order, so once the
 * sentinel's target shows as inhibited every source has been seen and a "not inhibited" answer is meaningful.
 */
import * as YAML from 'yaml';
import { renderAlertmanagerConfig } from '../../src/routing';
import { ALERT } from '../../src/signals/recorded';
import { type RunningAlertmanager, startAlertmanager, until } from '../support/alertmanager';
import { describeWithBinary } from '../support/binaries';
import { models } from './fixtures';
import { INHIBITION_CASES, type Labels, plain } from './scenarios';

const SETTLE_TIMEOUT_MS = 20_000;

interface ApiAlert {
  labels: Labels;
  fingerprint: string;
  status: { state: string; inhibitedBy: string[] };
}

const sameLabels = (a: Labels, b: Labels) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

describeWithBinary('prometheus-alertmanager', 'the generated inhibit rules in a running Alertmanager', (binary) => {
  let am: RunningAlertmanager | undefined;
  let alerts: ApiAlert[] = [];

  const isolate = (labels: Labels, i: number | string): Labels => ({ ...labels, cluster: `case-${i}-${labels.cluster ?? 'none'}` });
  const sentinel = {
    source: isolate(plain('checkout', ALERT.targetsDown, 'traffic', 'page'), 'sentinel'),
    target: isolate(plain('checkout', ALERT.trafficAbsent, 'traffic', 'page'), 'sentinel'),
  };

  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing is ever delivered anywhere, and no receiver reaches the network.
    const config = renderAlertmanagerConfig(models(), { webhookOverride: 'http://127.0.0.1:9/' });
    for (const rule of YAML.parse(config).inhibit_rules) expect(rule.equal).toContain('cluster');
    am = await startAlertmanager(binary, config);
    const running = am;
    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    const post = (labelSets: Labels[]) => running.post(labelSets.map((labels) => ({ labels, annotations: { summary: 'test' }, endsAt })));
    await post([...INHIBITION_CASES.map((c, i) => isolate(c.source, i)), sentinel.source]);
    await post([...INHIBITION_CASES.map((c, i) => isolate(c.target, i)), sentinel.target]);

    alerts = await until('the sentinel target to be inhibited', SETTLE_TIMEOUT_MS, async () => {
      const list = (await (await fetch(`${running.base}/api/v2/alerts`)).json()) as ApiAlert[];
      const t = list.find((a) => sameLabels(a.labels, sentinel.target));
      return t && t.status.inhibitedBy.length > 0 ? list : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await am?.stop();
  });

  test('every posted alert is known to Alertmanager', () => {
    expect(alerts).toHaveLength(2 * INHIBITION_CASES.length + 2);
  });

  test.each(INHIBITION_CASES.map((c, i) => [c.title, c, i] as const))('%s', (_title, c, i) => {
    const source = alerts.find((a) => sameLabels(a.labels, isolate(c.source, i)))!;
    const target = alerts.find((a) => sameLabels(a.labels, isolate(c.target, i)))!;
    expect(source).toBeDefined();
    expect(target).toBeDefined();
    if (c.inhibited) {
      expect(target.status.state).toBe('suppressed');
      expect(target.status.inhibitedBy).toContain(source.fingerprint);
    } else {
      expect(target.status.inhibitedBy).not.toContain(source.fingerprint);
    }
  });
});
