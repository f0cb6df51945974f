/**
 * Maintenance windows and ticket hours: validated against Alertmanager's `time_interval` rules
 * (`timeinterval/timeinterval.go`: times `HH:MM` from 00:00 to 24:00 with the end after the start, weekday names,
 * days of the month -31..31 but not 0 with a negative start needing a negative end, months by name or number,
 * ranges that do not run backwards, a location Go's tz database knows) at synth time, so a window Alertmanager
 * would refuse, and with it the whole configuration, never reaches it.
 */
import { type ProblemSink, reportUnknownKey } from '../model/problems';
import { isTimeZone } from '../model/schedule';
import { isRecord, MAINTENANCE_WINDOW, TIME_OF_DAY_RANGE, TIME_PERIOD } from '../model/schema';
import type { MaintenanceWindow, TimePeriod } from '../spec/time-intervals';
import type { PeriodModel, RoutingUnit, TimeIntervalModel } from './types';

/** Name of the interval `routing.ticketsDuring` becomes; no maintenance window may take it. */
export const TICKET_HOURS = 'ticket-hours';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;
/** Alertmanager's `HH:MM` (two digits each, as its parser and the AlertmanagerConfig CRD's pattern require). */
const TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
/** Window names: readable and safe in the `<namespace>/<config>/<name>` form the interval is generated under. */
const WINDOW_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Years as the AlertmanagerConfig CRD allows them (`^2\d{3}`). */
const YEAR_MIN = 2000;
const YEAR_MAX = 2999;

/**
 * The name a unit's interval has in the Alertmanager configuration: `<namespace>/<config>/<name>`, the name
 * prometheus-operator gives an AlertmanagerConfig's intervals (it namespaces them as it does receivers), so the
 * plain alertmanager.yml and the operator's agree, and two services' `db-upgrade` windows never collide in one
 * Alertmanager.
 *
 * @example
 * timeIntervalName({ namespace: 'shop', name: 'checkout-routing' }, 'db-upgrade'); // 'shop/checkout-routing/db-upgrade'
 */
export function timeIntervalName(unit: Pick<RoutingUnit, 'namespace' | 'name'>, name: string): string {
  return `${unit.namespace}/${unit.name}/${name}`;
}

/** The unit's named intervals: its maintenance windows, then its ticket hours. */
export function unitTimeIntervals(unit: RoutingUnit): TimeIntervalModel[] {
  return [...unit.routing.maintenance, ...(unit.routing.ticketsDuring ? [unit.routing.ticketsDuring] : [])];
}

/**
 * Validates `routing.maintenance`, reporting every problem to `add`. Returns the windows that could be read
 * (only meaningful when nothing was reported).
 */
export function validateMaintenance(given: unknown, add: ProblemSink): TimeIntervalModel[] {
  if (given === undefined) return [];
  if (!Array.isArray(given)) {
    add('routing.maintenance', given, 'must be a list of windows [{ name, during }]');
    return [];
  }
  const seen = new Map<string, number>();
  const out: TimeIntervalModel[] = [];
  given.forEach((w: unknown, i) => {
    const field = `routing.maintenance[${i}]`;
    if (!isRecord(w)) {
      add(field, w, 'must be a window { name, during }');
      return;
    }
    unknownKeys(add, field, w, MAINTENANCE_WINDOW);
    const { name, during } = w as Partial<MaintenanceWindow>;
    if (typeof name !== 'string' || name.length > 63 || !WINDOW_NAME.test(name)) {
      add(`${field}.name`, name, 'must be a name of lower-case letters, digits and "-" (at most 63), e.g. "db-upgrade"');
    } else if (name === TICKET_HOURS) {
      add(`${field}.name`, name, `is reserved for the interval routing.ticketsDuring becomes: choose another name`);
    } else if (seen.has(name)) {
      add(`${field}.name`, name, `must be unique among the service's windows: routing.maintenance[${seen.get(name)}] has it already`);
    } else {
      seen.set(name, i);
    }
    if (during === undefined) add(`${field}.during`, during, 'is required: one period { times, weekdays, daysOfMonth, months, years, timeZone } or a list of them');
    const periods = during === undefined ? [] : validatePeriods(`${field}.during`, during, add);
    out.push({ name: typeof name === 'string' ? name : 'invalid', field, periods });
  });
  return out;
}

/** Validates `routing.ticketsDuring`. Returns undefined when it is not set. */
export function validateTicketsDuring(given: unknown, add: ProblemSink): TimeIntervalModel | undefined {
  if (given === undefined) return undefined;
  return { name: TICKET_HOURS, field: 'routing.ticketsDuring', periods: validatePeriods('routing.ticketsDuring', given, add) };
}

/** One period or a list of them. */
function validatePeriods(field: string, given: unknown, add: ProblemSink): PeriodModel[] {
  if (Array.isArray(given)) {
    if (given.length === 0) add(field, given, 'must name at least one period: an empty list would never be on (leave the field out instead)');
    return given.flatMap((p: unknown, i) => validatePeriod(`${field}[${i}]`, p, add));
  }
  return validatePeriod(field, given, add);
}

/**
 * One period, as one or two Alertmanager periods: a time range that runs past midnight (`22:00` to `02:00`)
 * is split into `22:00-24:00` on the given weekdays and `00:00-02:00` on the day after each, because
 * Alertmanager refuses an end before the start. Only weekdays can be moved to the next day faithfully; with
 * days of the month, months or years the next day may fall in another month or year, so there it is refused.
 */
function validatePeriod(field: string, given: unknown, add: ProblemSink): PeriodModel[] {
  if (!isRecord(given)) {
    add(field, given, 'must be a period { times, weekdays, daysOfMonth, months, years, timeZone }');
    return [];
  }
  unknownKeys(add, field, given, TIME_PERIOD);
  const p = given as TimePeriod;
  // Weekdays are kept as day numbers (Sunday 0): the hours after midnight move to the next day.
  const days = list(field, 'weekdays', p.weekdays, add, (f, v) => weekdays(f, v, add));
  const weekdaySet = days === undefined ? undefined : new Set(days.flat());
  const daysOfMonth = list(field, 'daysOfMonth', p.daysOfMonth, add, (f, v) => range(f, v, add, DAY_OF_MONTH, dayOfMonthOrder));
  const months = list(field, 'months', p.months, add, (f, v) => range(f, v, add, MONTH, ascending('month')));
  const years = list(field, 'years', p.years, add, (f, v) => range(f, v, add, YEAR, ascending('year')));
  const timeZone = zone(`${field}.timeZone`, p.timeZone, add);

  const sameDay: Array<{ start: string; end: string }> = [];
  const nextDay: Array<{ start: string; end: string }> = [];
  if (p.times !== undefined && !Array.isArray(p.times)) add(`${field}.times`, p.times, 'must be a list of ranges [{ start: "HH:MM", end: "HH:MM" }]');
  else if (p.times?.length === 0) add(`${field}.times`, p.times, 'must name at least one range, or be left out for the whole day');
  (Array.isArray(p.times) ? p.times : []).forEach((t: unknown, i) => {
    const at = `${field}.times[${i}]`;
    if (!isRecord(t)) {
      add(at, t, 'must be a range { start: "HH:MM", end: "HH:MM" }');
      return;
    }
    unknownKeys(add, at, t, TIME_OF_DAY_RANGE);
    const start = time(`${at}.start`, t.start, add);
    const end = time(`${at}.end`, t.end, add);
    if (start === undefined || end === undefined) return;
    if (start === '24:00') add(`${at}.start`, start, 'must be before 24:00: "24:00" is the end of the day');
    else if (start === end) add(`${at}.end`, end, `must differ from start ("${start}"): the range would be empty; leave times out for the whole day`);
    else if (end > start) sameDay.push({ start, end });
    else if (daysOfMonth !== undefined || months !== undefined || years !== undefined) {
      add(
        `${at}.end`,
        end,
        `must be after start ("${start}") when the period names days of the month, months or years: the hours after midnight may fall in the next month or year. ` +
          `Write them as a second period (times [{ start: "00:00", end: "${end}" }] on the next day)`,
      );
    } else {
      sameDay.push({ start, end: '24:00' });
      if (end !== '00:00') nextDay.push({ start: '00:00', end });
    }
  });

  const base = {
    ...(daysOfMonth ? { daysOfMonth } : {}),
    ...(months ? { months } : {}),
    ...(years ? { years } : {}),
    timeZone,
  };
  const named = (days: ReadonlySet<number> | undefined) => (days === undefined ? {} : { weekdays: weekdayRanges(days) });
  if (nextDay.length === 0) return [{ ...(sameDay.length > 0 ? { times: sameDay } : {}), ...named(weekdaySet), ...base }];
  // Every day: the hours after midnight belong to the same (daily) period.
  if (weekdaySet === undefined) return [{ times: [...sameDay, ...nextDay], ...base }];
  const shifted = new Set([...weekdaySet].map((d) => (d + 1) % 7));
  return [
    { times: sameDay, ...named(weekdaySet), ...base },
    { times: nextDay, ...named(shifted), ...base },
  ];
}

/** The values of an optional list field, each read by `item`; undefined when the field is unset. */
function list<T>(field: string, key: string, given: unknown, add: ProblemSink, item: (field: string, value: unknown) => T | undefined): T[] | undefined {
  if (given === undefined) return undefined;
  const at = `${field}.${key}`;
  if (!Array.isArray(given) || given.length === 0) {
    add(at, given, 'must be a non-empty list, or be left out to match always');
    return undefined;
  }
  return given.map((v: unknown, i) => item(`${at}[${i}]`, v)).filter((v): v is T => v !== undefined);
}

/** A weekday or weekday range as the day numbers it covers (Sunday 0), or undefined after reporting. */
function weekdays(field: string, value: unknown, add: ProblemSink): number[] | undefined {
  const allowed = `must be a weekday (${WEEKDAYS.join(', ')}) or a range "first:last" such as "monday:friday"`;
  const parts = typeof value === 'string' ? value.toLowerCase().split(':') : [];
  const days = parts.map((d) => WEEKDAYS.indexOf(d as (typeof WEEKDAYS)[number]));
  if (parts.length === 0 || parts.length > 2 || days.some((d) => d < 0)) {
    add(field, value, allowed);
    return undefined;
  }
  const [first, last = first] = days;
  if (first > last) {
    add(field, value, `must not run backwards: Alertmanager's week runs from sunday to saturday, so list the days instead, e.g. ["saturday", "sunday"]`);
    return undefined;
  }
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** Day numbers as Alertmanager weekday strings, consecutive days joined into ranges, from Sunday. */
function weekdayRanges(days: ReadonlySet<number>): string[] {
  const sorted = [...days].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? WEEKDAYS[sorted[i]] : `${WEEKDAYS[sorted[i]]}:${WEEKDAYS[sorted[j]]}`);
    i = j;
  }
  return out;
}

/** One end of a range: how to read it (its number and how it is written out), and what is allowed. */
interface Bound {
  readonly read: (text: string) => { readonly n: number; readonly out: string } | undefined;
  readonly allowed: string;
}

/** A value or a range `first:last` of `bound`s, in Alertmanager's form, or undefined after reporting. */
function range(field: string, value: unknown, add: ProblemSink, bound: Bound, order: (a: number, b: number) => string | undefined): string | undefined {
  const parts = typeof value === 'number' || typeof value === 'string' ? String(value).split(':') : [];
  const ends = parts.map((t) => bound.read(t.trim()));
  if (parts.length === 0 || parts.length > 2 || ends.some((e) => e === undefined)) {
    add(field, value, bound.allowed);
    return undefined;
  }
  const [first, last] = ends as Array<{ n: number; out: string }>;
  const wrong = last === undefined ? undefined : order(first.n, last.n);
  if (wrong !== undefined) {
    add(field, value, wrong);
    return undefined;
  }
  return last === undefined ? first.out : `${first.out}:${last.out}`;
}

const DAY_OF_MONTH: Bound = {
  read: (text) => {
    const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
    return n !== 0 && n >= -31 && n <= 31 ? { n, out: String(n) } : undefined;
  },
  allowed: 'must be a day of the month, 1 to 31 or -31 to -1 (counted from the end: -1 is the last day), or a range "first:last" such as "-7:-1"; 0 is no day',
};

/** Alertmanager: a negative start needs a negative end; otherwise the end must not precede the start. */
function dayOfMonthOrder(a: number, b: number): string | undefined {
  if (a < 0 && b > 0) return 'must end on a negative day when it starts on one (Alertmanager refuses a range from the end of a month to a fixed day)';
  if (Math.sign(a) === Math.sign(b) && a > b) return 'must not run backwards: the first day must come before the last';
  return undefined;
}

const MONTH: Bound = {
  read: (text) => {
    const byName = MONTHS.indexOf(text.toLowerCase() as (typeof MONTHS)[number]);
    if (byName >= 0) return { n: byName + 1, out: MONTHS[byName] };
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    return n >= 1 && n <= 12 ? { n, out: String(n) } : undefined;
  },
  allowed: 'must be a month by name (january to december) or number (1 to 12), or a range "first:last" such as "june:august"',
};

const YEAR: Bound = {
  read: (text) => {
    const n = /^\d{4}$/.test(text) ? Number(text) : NaN;
    return n >= YEAR_MIN && n <= YEAR_MAX ? { n, out: String(n) } : undefined;
  },
  allowed: `must be a year from ${YEAR_MIN} to ${YEAR_MAX} (as the AlertmanagerConfig CRD allows), or a range "first:last" such as "2027:2028"`,
};

function ascending(what: string): (a: number, b: number) => string | undefined {
  return (a, b) => (a > b ? `must not run backwards: the first ${what} must come before the last` : undefined);
}

function time(field: string, value: unknown, add: ProblemSink): string | undefined {
  if (typeof value === 'string' && TIME.test(value)) return value;
  add(field, value, 'must be a time of day "HH:MM", 00:00 to 24:00, with two digits each (e.g. "09:00")');
  return undefined;
}

/**
 * An IANA zone Alertmanager can load. `Local` is refused although Alertmanager takes it: it would mean the zone
 * of whichever machine runs Alertmanager, which the definition cannot see.
 */
function zone(field: string, value: unknown, add: ProblemSink): string {
  if (value === undefined) return 'UTC';
  if (value === 'Local') {
    add(field, value, 'must name the zone: "Local" is the zone of the machine Alertmanager runs on, which the definition cannot know; write e.g. "Europe/Berlin" or "UTC"');
  } else if (typeof value !== 'string' || !isTimeZone(value)) {
    add(field, value, 'must be an IANA time zone as the tz database writes it, e.g. "UTC", "Europe/Berlin" or "America/New_York"');
  }
  return typeof value === 'string' ? value : 'UTC';
}

function unknownKeys(add: ProblemSink, field: string, value: object, table: object): void {
  const known = Object.keys(table);
  for (const k of Object.keys(value)) if (!known.includes(k)) reportUnknownKey(add, field, k, known);
}
