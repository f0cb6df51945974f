/**
 * Maintenance windows and ticket hours in a running Alertmanager (the Debian package), with the generated
 * alertmanager.yml, every receiver replaced by a webhook on loopback and the timers shortened to a second.
 *
 * Alertmanager decides by its wall clock, so each interval is built around the moment the test runs: a window
 * from 30 minutes before now to 30 minutes after covers it, one from 2 to 3 hours after does not, whatever the
 * time of day. Near midnight these ranges run past it and the generator's split is what makes them work (the
 * part after midnight on the next weekday). `amtool config routes test` cannot show any of this: it matches
 * labels to routes and has no notion of time (amtool 0.25 has no time flag).
 */
import * as http from 'node:http';
import { resolveService } from '../../src/model';
import { renderAlertmanagerConfig } from '../../src/routing';
import { defineService, type RoutingOptions, type TimePeriod, type Weekday } from '../../src/spec';
import { type RunningAlertmanager, sleep, startAlertmanager, until } from '../support/alertmanager';
import { describeWithBinary } from '../support/binaries';

const NOTIFY_TIMEOUT_MS = 20_000;
const MINUTE = 60_000;

/** The wall clock at `at` in `timeZone`: `HH:MM` and the weekday. */
function clock(at: number, timeZone: string): { time: `${number}:${number}`; weekday: Weekday } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'long' }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { time: `${part('hour')}:${part('minute')}` as `${number}:${number}`, weekday: part('weekday').toLowerCase() as Weekday };
}

/** From `fromMinutes` to `toMinutes` after now (negative: before), on the weekday it starts, in `timeZone`. */
function around(fromMinutes: number, toMinutes: number, timeZone: string): TimePeriod {
  const start = clock(Date.now() + fromMinutes * MINUTE, timeZone);
  const end = clock(Date.now() + toMinutes * MINUTE, timeZone);
  return { weekdays: [start.weekday], times: [{ start: start.time, end: end.time }], timeZone };
}

const webhook = { kind: 'webhook', url: { secret: { name: 'hook', key: 'url' } } } as const;
/** Kathmandu is 5:45 ahead of UTC: its clock read as UTC is hours away from now. */
const KATHMANDU = 'Asia/Kathmandu';

describeWithBinary('prometheus-alertmanager', 'maintenance windows and ticket hours in a running Alertmanager', (binary) => {
  const service = (name: string, routing: Omit<RoutingOptions, 'page' | 'ticket'>) =>
    resolveService(defineService({ name, namespace: 'shop', team: 'payments', metrics: { port: 9464 }, routing: { page: webhook, ticket: webhook, ...routing } }));
  const nowInKathmandu = around(-30, 30, KATHMANDU);
  const services = [
    // The same clock times, read in Kathmandu (now) and in UTC (hours away): the zone is what decides.
    service('in-window', { maintenance: [{ name: 'now', during: nowInKathmandu }] }),
    service('same-clock-in-utc', { maintenance: [{ name: 'now', during: { ...nowInKathmandu, timeZone: 'UTC' } }] }),
    service('window-later', { maintenance: [{ name: 'later', during: around(120, 180, 'UTC') }] }),
    // 23.5 hours around now, and 22.5 hours from half an hour after it: as clock times these run past
    // midnight at nearly any time of day, so the split (and the move of its second half to the next weekday)
    // decides whether they cover now.
    service('long-window-now', { maintenance: [{ name: 'long', during: around(-23 * 60, 30, 'Europe/Berlin') }] }),
    service('long-window-later', { maintenance: [{ name: 'long', during: around(30, 23 * 60, 'UTC') }] }),
    service('working-now', { ticketsDuring: around(-30, 30, 'UTC') }),
    service('working-later', { ticketsDuring: [around(120, 180, 'UTC'), around(240, 300, KATHMANDU)] }),
  ];
  const received: string[] = [];
  let server: http.Server | undefined;
  let am: RunningAlertmanager | undefined;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        for (const a of (JSON.parse(body) as { alerts: Array<{ status: string; labels: Record<string, string> }> }).alerts) received.push(`${a.labels.service} ${a.labels.severity} ${a.status}`);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    am = await startAlertmanager(
      binary,
      renderAlertmanagerConfig(services, { webhookOverride: `http://127.0.0.1:${port}/`, timingOverride: { groupWaitMs: 1000, groupIntervalMs: 1000, repeatIntervalMs: 3600_000 } }),
    );
  }, 30_000);

  afterAll(async () => {
    await am?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('delivers a page or ticket only when no window mutes its route and, for a ticket, inside the ticket hours', async () => {
    const endsAt = new Date(Date.now() + 3600_000).toISOString();
    // Different signals: a page mutes the ticket of its own signal (inhibit.ts), which is not what is tested here.
    const signal = { page: 'errors', ticket: 'saturation' };
    await am!.post(
      services.flatMap((s) =>
        (['page', 'ticket'] as const).map((severity) => ({ labels: { alertname: 'GoldenSignalsTimeIntervalTest', namespace: s.namespace, service: s.name, severity, signal: signal[severity] }, endsAt })),
      ),
    );
    const expected = [
      'long-window-later page firing',
      'long-window-later ticket firing',
      'same-clock-in-utc page firing',
      'same-clock-in-utc ticket firing',
      'window-later page firing',
      'window-later ticket firing',
      'working-later page firing',
      'working-now page firing',
      'working-now ticket firing',
    ];
    await until('the notifications outside every window', NOTIFY_TIMEOUT_MS, async () => (expected.every((e) => received.includes(e)) ? true : undefined)).catch((e: Error) => {
      throw new Error(`${e.message}; received: ${JSON.stringify(received)}\nAlertmanager: ${am!.log()}`);
    });
    // Every group has been flushed by now (all were created at once, with the same one-second timers); three
    // more group intervals give a muted group every chance to be delivered by mistake.
    await sleep(3000);
    expect([...new Set(received)].sort()).toEqual(expected);
  }, 40_000);
});
