import type { BurnTierName, Severity } from '../spec/service';

/** A burn tier's defaults, as the SRE Workbook (ch. 5, Table 5-8 plus the 1d/2h ticket pair) gives them. */
export interface BurnTierDefault {
  readonly name: BurnTierName;
  /** Long window in ms. */
  readonly longWindowMs: number;
  /** Short window in ms: 1/12 of the long window, the Workbook's multiwindow guideline. */
  readonly shortWindowMs: number;
  /** Share of the whole error budget the tier alerts on, in percent. */
  readonly budgetConsumedPercent: number;
  /** `for` in ms, after kubernetes-mixin's apiserver SLO alerts (2m, 15m, 1h, 3h). */
  readonly forMs: number;
  readonly severity: Severity;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The four tiers of the SRE Workbook (ch. 5, "Alerting on SLOs"). On a 30-day window the factors come out as the Workbook's 14.4 / 6 / 3 / 1
 * (`budget share × period / long window`); on other windows the same budget shares give other factors.
 */
export const BURN_TIER_DEFAULTS: readonly BurnTierDefault[] = [
  { name: 'fast', longWindowMs: HOUR, shortWindowMs: 5 * MINUTE, budgetConsumedPercent: 2, forMs: 2 * MINUTE, severity: 'page' },
  { name: 'medium', longWindowMs: 6 * HOUR, shortWindowMs: 30 * MINUTE, budgetConsumedPercent: 5, forMs: 15 * MINUTE, severity: 'page' },
  { name: 'slow', longWindowMs: DAY, shortWindowMs: 2 * HOUR, budgetConsumedPercent: 10, forMs: HOUR, severity: 'ticket' },
  { name: 'longterm', longWindowMs: 3 * DAY, shortWindowMs: 6 * HOUR, budgetConsumedPercent: 10, forMs: 3 * HOUR, severity: 'ticket' },
];

export const BURN_TIER_NAMES: readonly BurnTierName[] = BURN_TIER_DEFAULTS.map((t) => t.name);
