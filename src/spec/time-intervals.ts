/**
 * Time intervals for alert routing: maintenance windows that hold a service's notifications back, and the hours
 * tickets are sent in. They mirror Alertmanager's `time_interval` (Alertmanager docs, configuration,
 * "time_interval"): every field that is set must match, any value of a list may match, and an unset field
 * matches always.
 */

/** A day of the week, as Alertmanager names it. Alertmanager's week starts on Sunday. */
export type Weekday = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';

/** A month, as Alertmanager names it. */
export type MonthName =
  | 'january' | 'february' | 'march' | 'april' | 'may' | 'june'
  | 'july' | 'august' | 'september' | 'october' | 'november' | 'december';

/** A time of day, `'HH:MM'` in 24-hour form, `'00:00'` to `'24:00'`. */
export type TimeOfDay = `${number}:${number}`;

/** Part of a day: from `start` (inclusive) to `end` (exclusive). */
export interface TimeOfDayRange {
  /** First minute, `'HH:MM'`, e.g. `'22:00'`. */
  readonly start: TimeOfDay;
  /**
   * Minute after the last, `'HH:MM'` up to `'24:00'`. An end before the start runs past midnight
   * (`'22:00'` to `'02:00'`); it is generated as two ranges, and the part after midnight moves to the next
   * weekday.
   */
  readonly end: TimeOfDay;
}

/**
 * When a time interval is on. Each field that is set narrows it; values within one field are alternatives.
 * Ranges are inclusive and written `first:last`, as Alertmanager writes them.
 *
 * @example
 * // Saturdays 22:00 to Sundays 02:00, Berlin time
 * const saturdayNight: TimePeriod = { weekdays: ['saturday'], times: [{ start: '22:00', end: '02:00' }], timeZone: 'Europe/Berlin' };
 */
export interface TimePeriod {
  /** Parts of the day. @default the whole day */
  readonly times?: readonly TimeOfDayRange[];
  /** Days of the week or ranges of them, e.g. `['monday:friday']`; a range runs from Sunday to Saturday, so the weekend is `['saturday', 'sunday']`. @default every day */
  readonly weekdays?: readonly (Weekday | `${Weekday}:${Weekday}`)[];
  /**
   * Days of the month, 1 to 31, or counted from the month's end, -1 (the last day) to -31, or ranges of
   * them, e.g. `[1, '-7:-1']` (the first and the last week). 0 is no day.
   * @default every day
   */
  readonly daysOfMonth?: readonly (number | `${number}:${number}`)[];
  /** Months by name or number (1 to 12), or ranges, e.g. `['december', 'january:february']`. @default every month */
  readonly months?: readonly (MonthName | number | `${MonthName | number}:${MonthName | number}`)[];
  /** Years or ranges of years, e.g. `[2027]` or `['2027:2028']`. @default every year */
  readonly years?: readonly (number | `${number}:${number}`)[];
  /**
   * IANA time zone the times and days are read in, e.g. `'Europe/Berlin'`. Alertmanager 0.25 or later reads it
   * (`location`); prometheus-operator's AlertmanagerConfig has no such field, so a service routed through an
   * AlertmanagerConfig must use `'UTC'`.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/**
 * A named planned-work period: while it is on, none of the service's notifications (pages and tickets, firing
 * and resolved) is sent. Alerts keep firing and are visible in Alertmanager; one still firing when the window
 * ends is notified then.
 *
 * @example
 * const dbUpgrade: MaintenanceWindow = { name: 'db-upgrade', during: { years: [2027], months: ['january'], daysOfMonth: [16], times: [{ start: '22:00', end: '24:00' }] } };
 */
export interface MaintenanceWindow {
  /** Name, unique among the service's windows: lower-case letters, digits and `-`, e.g. `'db-upgrade'`. */
  readonly name: string;
  /** When it is on: one period or several (on when any of them is). */
  readonly during: TimePeriod | readonly TimePeriod[];
}

/** Options of {@link workingHours}. */
export interface WorkingHoursOptions {
  /** Days. @default ['monday:friday'] */
  readonly weekdays?: TimePeriod['weekdays'];
  /** First minute. @default '09:00' */
  readonly start?: TimeOfDay;
  /** Minute after the last. @default '17:00' */
  readonly end?: TimeOfDay;
}

/**
 * Working hours as a {@link TimePeriod}: Monday to Friday, 09:00 to 17:00 in `timeZone`, unless told otherwise.
 * For `RoutingOptions.ticketsDuring`.
 *
 * @example
 * workingHours('UTC'); // { weekdays: ['monday:friday'], times: [{ start: '09:00', end: '17:00' }], timeZone: 'UTC' }
 * workingHours('America/New_York', { start: '08:00', end: '18:00' });
 */
export function workingHours(timeZone: string, options: WorkingHoursOptions = {}): TimePeriod {
  return {
    weekdays: options.weekdays ?? ['monday:friday'],
    times: [{ start: options.start ?? '09:00', end: options.end ?? '17:00' }],
    timeZone,
  };
}
