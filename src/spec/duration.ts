/**
 * A Prometheus-style duration: one or more `<integer><unit>` parts, largest unit first,
 * e.g. `'300ms'`, `'5m'`, `'1h30m'`, `'30d'`, `'1w'`. The same grammar Prometheus accepts in rule files,
 * so whatever a user writes can be copied into PromQL verbatim.
 */
export type Duration = `${number}${DurationUnit}` | `${number}${DurationUnit}${number}${DurationUnit}`;

/** The units Prometheus accepts in a duration (years are left out: no SLO window needs them). */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

const UNIT_MS: ReadonlyArray<readonly [string, number]> = [
  ['w', 7 * 24 * 3600 * 1000],
  ['d', 24 * 3600 * 1000],
  ['h', 3600 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
];

const PART = /(\d+)(ms|s|m|h|d|w)/y;

/**
 * Parses a Prometheus duration into milliseconds, or returns `undefined` when the text is not one.
 *
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  let total = 0;
  let lastUnitRank = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const start = PART.lastIndex;
    const m = PART.exec(text);
    if (!m || m.index !== start) return undefined;
    const rank = UNIT_MS.findIndex(([u]) => u === m[2]);
    // Prometheus requires units in decreasing order and each at most once ("1m1h" is invalid).
    if (rank <= lastUnitRank) return undefined;
    lastUnitRank = rank;
    total += Number(m[1]) * UNIT_MS[rank][1];
  }
  return total;
}

/**
 * Renders milliseconds as the shortest Prometheus duration, e.g. `5_400_000` → `'1h30m'`.
 * Weeks are not used (`'14d'` reads better than `'2w'` next to `'30d'`).
 */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`formatDuration: ${ms} is not a whole, non-negative number of milliseconds`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNIT_MS) {
    if (unit === 'w') continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
