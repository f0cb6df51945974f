/**
 * The syntax of a KEDA cron trigger's `start`, `end` and `timezone`, checked at synth time. KEDA validates them
 * only when the ScaledObject reaches the operator (kedacore/keda `pkg/scalers/cron_scaler.go`,
 * `cronMetadata.Validate`), so a schedule it cannot parse would otherwise leave the scaler failing in the
 * cluster while the manifest looked fine.
 */

/** One field of a cron expression: its name in messages, its range, and the names it accepts. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * The five fields in order, with robfig/cron v3's bounds (`parser.go`: `minutes`, `hours`, `dom`, `months`,
 * `dow`): day of week runs 0 (Sunday) to 6, so `7` is out of range there, unlike in Vixie cron.
 */
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { name: 'day of week', min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
];

/**
 * Why KEDA's cron scaler would refuse `expr`, or undefined when it parses. KEDA parses with
 * `cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)` (robfig/cron v3): exactly
 * five fields separated by whitespace, each a comma-separated list of `*` or `?`, a number or a name, or a
 * range `a-b`, each optionally with a step `/n` (`5/15` is `5-max/15`). Without the `Descriptor` option
 * `@daily` and the like are refused, and the `TZ=` prefix robfig reads is refused here: the zone goes in
 * `timezone`, where it is checked. Stricter than robfig in one place: `*-5`, which robfig reads as `*`.
 */
export function cronProblem(expr: string): string | undefined {
  const text = expr.trim();
  if (text.startsWith('@')) return `"${text.split(/\s/)[0]}" is a descriptor, which KEDA's cron parser does not accept: write the five fields, e.g. "0 0 * * *" for @daily`;
  if (/^(CRON_)?TZ=/.test(text)) return 'has a TZ= prefix: give the zone in timezone instead';
  const fields = text === '' ? [] : text.split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) return `has ${fields.length} field${fields.length === 1 ? '' : 's'}, not the 5 of minute hour day-of-month month day-of-week`;
  for (const [i, field] of CRON_FIELDS.entries()) {
    for (const part of fields[i].split(',')) {
      const problem = cronRangeProblem(part, field);
      if (problem !== undefined) return `${field.name} "${part}" ${problem}`;
    }
  }
  return undefined;
}

/** Why one element of a field's list is refused (robfig/cron `getRange`), or undefined. */
function cronRangeProblem(part: string, field: CronField): string | undefined {
  const [range, step, ...extraSlashes] = part.split('/');
  if (extraSlashes.length > 0) return 'has more than one "/"';
  const bounds = range.split('-');
  if (bounds.length > 2) return 'has more than one "-"';
  let start: number;
  let end: number;
  if (range === '*' || range === '?') {
    start = field.min;
    end = field.max;
  } else {
    const low = cronValue(bounds[0], field);
    if (typeof low === 'string') return low;
    start = low;
    if (bounds.length === 2) {
      const high = cronValue(bounds[1], field);
      if (typeof high === 'string') return high;
      end = high;
    } else {
      // robfig: a single value with a step runs to the field's maximum.
      end = step === undefined ? start : field.max;
    }
  }
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `has step "${step}": a step must be a whole number greater than 0`;
  if (start < field.min) return `starts below ${field.min}, the lowest ${field.name}`;
  if (end > field.max) return `goes above ${field.max}, the highest ${field.name}`;
  if (start > end) return 'is a range that ends before it starts';
  return undefined;
}

/** A number or (month, day of week) a name, case ignored as robfig ignores it; or why not. */
function cronValue(text: string, field: CronField): number | string {
  const named = field.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (/^\d+$/.test(text)) return Number(text);
  const names = field.names === undefined ? '' : ` or a name (${Object.keys(field.names).map((n) => n.toUpperCase()).join(', ')})`;
  return `is not "*", a number${names}, a range "a-b" or a step "/n"`;
}

/**
 * The time zones ICU (Node's Intl) lists, plus "UTC", which it leaves out: what a misspelt zone is compared
 * with. ICU lists its own canonical names, some older than the tz database's (`Asia/Calcutta`, `Europe/Kiev`);
 * the newer ones are accepted by {@link isTimeZone} as links.
 */
export const TIME_ZONES: readonly string[] = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
const TIME_ZONE_SET: ReadonlySet<string> = new Set(TIME_ZONES);
const TIME_ZONE_LOWER: ReadonlySet<string> = new Set(TIME_ZONES.map((z) => z.toLowerCase()));
/** How tz database names are written: areas and locations start with a capital or a digit (`Etc/GMT+5`, `EST5EDT`). */
const TZ_NAME = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)*$/;

/**
 * Whether KEDA can load `name` (Go's `time.LoadLocation` reads it from the tz database, case-sensitively):
 * a zone ICU lists, "UTC", or a link of the tz database ICU resolves (`Asia/Kolkata`, `US/Eastern`,
 * `Etc/GMT+5`), written as the database writes it. ICU ignores case where Go does not, so a listed zone in
 * the wrong case (`europe/berlin`) is refused.
 */
export function isTimeZone(name: string): boolean {
  if (TIME_ZONE_SET.has(name)) return true;
  if (!TZ_NAME.test(name) || TIME_ZONE_LOWER.has(name.toLowerCase())) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
