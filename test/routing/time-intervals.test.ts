/**
 * Maintenance windows and ticket hours (RoutingOptions.maintenance, .ticketsDuring): what they become in the
 * plain alertmanager.yml and in the AlertmanagerConfig, checked by amtool and the pinned CRD. Bad values are in
 * test/model/hardening.test.ts; a running Alertmanager's behaviour is in time-intervals-live.test.ts.
 */
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { AlertRouting } from '../../src/constructs/alert-routing';
import { resolveService } from '../../src/model';
import { alertmanagerConfigSpec, renderAlertmanagerConfig, resolveRouting, routingUnits } from '../../src/routing';
import { defineService, type RoutingOptions, type TimePeriod, workingHours } from '../../src/spec';
import { describeWithBinary, run, tempFile } from '../support/binaries';
import { validateManifest } from '../support/schema';
import { paymentsRouting } from './fixtures';

const routing: RoutingOptions = {
  ...paymentsRouting,
  maintenance: [
    { name: 'db-upgrade', during: { years: [2027], months: ['january'], daysOfMonth: [16], times: [{ start: '22:00', end: '24:00' }] } },
    { name: 'saturday-night', during: { weekdays: ['saturday'], times: [{ start: '23:00', end: '03:00' }] } },
  ],
  ticketsDuring: workingHours('UTC'),
};
const checkout = defineService({ name: 'checkout', namespace: 'shop', team: 'payments', metrics: { port: 9464 }, slos: { availability: { objective: 99.9 } }, routing });
const refunds = defineService({ ...checkout, name: 'refunds' });

/** The periods a `during` becomes. */
function periods(during: TimePeriod | readonly TimePeriod[]) {
  return resolveRouting(resolveService({ ...checkout, routing: { ...paymentsRouting, maintenance: [{ name: 'w', during }] } }))!.maintenance[0].periods;
}

describe('a period becomes Alertmanager periods', () => {
  it.each<[string, TimePeriod, unknown[]]>([
    ['a period within a day stays as written, in UTC unless told', { weekdays: ['monday:friday'], times: [{ start: '09:00', end: '17:00' }] }, [{ weekdays: ['monday:friday'], times: [{ start: '09:00', end: '17:00' }], timeZone: 'UTC' }]],
    ['a daily range past midnight becomes two ranges of one period', { times: [{ start: '22:00', end: '02:00' }] }, [{ times: [{ start: '22:00', end: '24:00' }, { start: '00:00', end: '02:00' }], timeZone: 'UTC' }]],
    ['a range ending at 00:00 is the rest of the day', { times: [{ start: '22:00', end: '00:00' }] }, [{ times: [{ start: '22:00', end: '24:00' }], timeZone: 'UTC' }]],
    [
      'a weekday range past midnight moves its hours after midnight to the next day, across the end of the week',
      { weekdays: ['friday:saturday'], times: [{ start: '23:00', end: '01:30' }], timeZone: 'Europe/Berlin' },
      [
        { weekdays: ['friday:saturday'], times: [{ start: '23:00', end: '24:00' }], timeZone: 'Europe/Berlin' },
        { weekdays: ['sunday', 'saturday'], times: [{ start: '00:00', end: '01:30' }], timeZone: 'Europe/Berlin' },
      ],
    ],
    [
      'ranges within the day stay on the day when another range of the period runs past midnight',
      { weekdays: ['sunday'], times: [{ start: '08:00', end: '09:00' }, { start: '23:00', end: '01:00' }] },
      [
        { weekdays: ['sunday'], times: [{ start: '08:00', end: '09:00' }, { start: '23:00', end: '24:00' }], timeZone: 'UTC' },
        { weekdays: ['monday'], times: [{ start: '00:00', end: '01:00' }], timeZone: 'UTC' },
      ],
    ],
    [
      'days, months and years are written in Alertmanager form, names in lower case (the types ask for lower case; a definition read from JSON may not)',
      { daysOfMonth: [1, '-7:-1'], months: ['December', 'january:3'], years: [2027, '2028:2029'], weekdays: ['Monday'] } as unknown as TimePeriod,
      [{ weekdays: ['monday'], daysOfMonth: ['1', '-7:-1'], months: ['december', 'january:3'], years: ['2027', '2028:2029'], timeZone: 'UTC' }],
    ],
  ])('%s', (_title, during, expected) => {
    expect(periods(during)).toEqual(expected);
  });

  test('workingHours is Monday to Friday, 09:00 to 17:00 in the zone, each part replaceable', () => {
    expect(workingHours('Europe/Berlin')).toEqual({ weekdays: ['monday:friday'], times: [{ start: '09:00', end: '17:00' }], timeZone: 'Europe/Berlin' });
    expect(workingHours('UTC', { weekdays: ['sunday:thursday'], start: '08:00', end: '16:00' })).toEqual({ weekdays: ['sunday:thursday'], times: [{ start: '08:00', end: '16:00' }], timeZone: 'UTC' });
  });
});

describe('the plain alertmanager.yml', () => {
  const text = renderAlertmanagerConfig([resolveService(checkout)]);
  const config = YAML.parse(text);
  const route = config.route.routes[0];

  test('matches its snapshot', () => {
    expect(text).toMatchSnapshot();
  });

  test('names each interval <namespace>/<config>/<name>, as prometheus-operator names an AlertmanagerConfig\'s', () => {
    expect(config.time_intervals.map((i: { name: string }) => i.name)).toEqual(['shop/checkout-routing/db-upgrade', 'shop/checkout-routing/saturday-night', 'shop/checkout-routing/ticket-hours']);
  });

  test('every window mutes both severities and the service route itself; only tickets wait for the ticket hours', () => {
    const windows = ['shop/checkout-routing/db-upgrade', 'shop/checkout-routing/saturday-night'];
    const [page, ticket] = route.routes;
    expect([page.mute_time_intervals, page.active_time_intervals]).toEqual([windows, undefined]);
    expect([ticket.mute_time_intervals, ticket.active_time_intervals]).toEqual([windows, ['shop/checkout-routing/ticket-hours']]);
    expect([route.mute_time_intervals, route.active_time_intervals]).toEqual([windows, ['shop/checkout-routing/ticket-hours']]);
  });

  test('times are quoted, so a YAML 1.1 reader does not take 22:00 for a number of minutes', () => {
    expect(text).toContain('start_time: "22:00"');
  });

  test('a zone other than UTC is written as location; UTC, the default, is not written', () => {
    const berlin = renderAlertmanagerConfig([resolveService({ ...checkout, routing: { ...paymentsRouting, ticketsDuring: workingHours('Europe/Berlin') } })]);
    expect(YAML.parse(berlin).time_intervals[0].time_intervals[0].location).toBe('Europe/Berlin');
    expect(config.time_intervals.flatMap((i: { time_intervals: object[] }) => i.time_intervals).filter((p: object) => 'location' in p)).toEqual([]);
  });

  test('a service without windows gets no time_intervals key and no interval on its routes', () => {
    const plain = YAML.parse(renderAlertmanagerConfig([resolveService({ ...checkout, routing: paymentsRouting })]));
    expect(plain.time_intervals).toBeUndefined();
    expect(JSON.stringify(plain.route)).not.toMatch(/time_intervals/);
  });

  test('services of one team routed per team share the team\'s windows once, named after the team config', () => {
    const team = YAML.parse(renderAlertmanagerConfig([checkout, refunds].map((d) => resolveService({ ...d, routing: { ...routing, per: 'team' } }))));
    expect(team.time_intervals.map((i: { name: string }) => i.name)).toEqual(['shop/team-payments-routing/db-upgrade', 'shop/team-payments-routing/saturday-night', 'shop/team-payments-routing/ticket-hours']);
  });

  test('two services of one namespace may both have a window called db-upgrade: the names differ by config', () => {
    const both = YAML.parse(renderAlertmanagerConfig([checkout, refunds].map((d) => resolveService(d))));
    const names: string[] = both.time_intervals.map((i: { name: string }) => i.name);
    expect(names.filter((n) => n.endsWith('/db-upgrade'))).toEqual(['shop/checkout-routing/db-upgrade', 'shop/refunds-routing/db-upgrade']);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('the AlertmanagerConfig', () => {
  const spec = alertmanagerConfigSpec(routingUnits([resolveService(checkout)])[0]) as unknown as {
    muteTimeIntervals: Array<{ name: string; timeIntervals: object[] }>;
    route: { muteTimeIntervals: string[]; activeTimeIntervals: string[]; routes: Array<{ muteTimeIntervals?: string[]; activeTimeIntervals?: string[] }> };
  };

  test('lists the intervals under spec.muteTimeIntervals by their short names, which the operator prefixes', () => {
    expect(spec.muteTimeIntervals.map((i) => i.name)).toEqual(['db-upgrade', 'saturday-night', 'ticket-hours']);
    expect(spec.muteTimeIntervals[0].timeIntervals).toEqual([{ times: [{ startTime: '22:00', endTime: '24:00' }], daysOfMonth: [{ start: 16, end: 16 }], months: ['january'], years: ['2027'] }]);
    expect(spec.route.routes.map((r) => [r.muteTimeIntervals, r.activeTimeIntervals])).toEqual([
      [['db-upgrade', 'saturday-night'], undefined],
      [['db-upgrade', 'saturday-night'], ['ticket-hours']],
    ]);
  });

  test('is valid against the pinned v0.93.0 CRD', () => {
    const chart = Testing.chart();
    new AlertRouting(chart, 'routing', { services: [resolveService(checkout)] });
    const manifests = Testing.synth(chart).filter((m) => m.kind === 'AlertmanagerConfig');
    expect(manifests).toHaveLength(1);
    expect(manifests[0].spec.muteTimeIntervals).toHaveLength(3);
    expect(validateManifest(manifests[0])).toEqual([]);
  });

  test('refuses a zone other than UTC, which the CRD cannot carry, instead of shifting the window', () => {
    const unit = routingUnits([resolveService({ ...checkout, routing: { ...paymentsRouting, ticketsDuring: workingHours('Europe/Berlin') } })])[0];
    expect(() => alertmanagerConfigSpec(unit)).toThrow(
      'Service shop/checkout: routing.ticketsDuring is in time zone "Europe/Berlin", but an AlertmanagerConfig (prometheus-operator, CRD of release 0.93) cannot carry a time zone',
    );
  });
});

describeWithBinary('amtool', 'amtool on alertmanager.yml with time intervals', (amtool) => {
  test.each([
    ['with windows and ticket hours in UTC', renderAlertmanagerConfig([resolveService(checkout), resolveService(refunds)])],
    ['with ticket hours in Europe/Berlin and a window past midnight in Asia/Kolkata', renderAlertmanagerConfig([
      resolveService({ ...checkout, routing: { ...paymentsRouting, ticketsDuring: workingHours('Europe/Berlin'), maintenance: [{ name: 'night', during: { weekdays: ['saturday'], times: [{ start: '22:30', end: '01:00' }], timeZone: 'Asia/Kolkata' } }] } }),
    ])],
    ['per team', renderAlertmanagerConfig([checkout, refunds].map((d) => resolveService({ ...d, routing: { ...routing, per: 'team' } })))],
  ])('amtool check-config accepts the config %s', (_title, text) => {
    const r = run(amtool, ['check-config', tempFile('alertmanager.yml', text)]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('amtool check-config refuses the single range past midnight the generator splits (why it splits)', () => {
    const text = renderAlertmanagerConfig([resolveService(checkout)]).replace('end_time: "24:00"', 'end_time: "02:00"');
    const r = run(amtool, ['check-config', tempFile('alertmanager.yml', text)]);
    expect(r.output).toContain('start time cannot be equal or greater than end time');
  });
});
