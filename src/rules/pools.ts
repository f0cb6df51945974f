/**
 * Saturation alerts of the bounded resources a definition declares (`capacity.pools`): a pool close to
 * exhaustion, waits for a connection longer than the pool's `maxWait`, and waits long enough on their own to
 * break the latency objective. One set per pool, each with the pool's own thresholds and its name as a
 * static part of the expression (the name comes from the definition, so the series' label is known).
 */
import type { PoolModel, ServiceModel, SloModel } from '../model/types';
import { exact, times } from '../signals/promql';
import { poolInUseRatio, poolWaitsSlowerThan } from '../signals/queries';
import { POOL_SERIES } from '../signals/contract';
import { POOL_ALERTS } from '../signals/recorded';
import type { ResourcePoolKind } from '../spec/pools';
import { formatDuration } from '../spec/duration';
import { alertingRule } from './alert';
import type { AlertingRule } from './types';
import { baseWindow } from './windows';

/**
 * Burn rate at which connection waits alone are worth a ticket: the SRE Workbook's ticket tier (3×: 10% of a
 * 30-day budget in a day). Waits above the latency threshold are slow requests whatever else the request
 * does, so their share is a floor under the latency SLO's bad events, caused by the pool alone.
 */
export const POOL_WAIT_BURN_FACTOR = 3;

/** Share of waits above `maxWait` that makes the p99 exceed it: more than 1%. */
export const POOL_WAIT_QUANTILE_SHARE = 0.01;

function percent(ratio: number): string {
  return `${exact(ratio * 100)}%`;
}

function ms(seconds: number): string {
  return formatDuration(Math.round(seconds * 1000));
}

/**
 * The latency objective a slow connection wait burns: the service-wide one with the smallest budget (the tail
 * objective, e.g. 99.5% within 1s next to 95% within 100ms). A wait past its threshold breaks that objective
 * before the query runs, and its small budget makes the alert's share the most sensitive; a tighter threshold
 * with a large budget would mostly repeat ConnectionPoolWaitSlow. Journeys are left out: the pool serves every route.
 */
export function poolBurnObjective(model: ServiceModel): SloModel | undefined {
  const objectives = model.slos.filter((s) => s.kind === 'latency' && !s.journey && s.thresholdSeconds !== undefined);
  return objectives.reduce<SloModel | undefined>((best, s) => (best === undefined || s.errorBudget < best.errorBudget ? s : best), undefined);
}

export function poolAlertingRules(model: ServiceModel): AlertingRule[] {
  return model.capacity.pools.flatMap((pool) => poolRules(model, pool));
}

/** What a pool of each kind hands out, in the singular, and what a request does with it, for alert texts. */
const POOL_WORDS: Readonly<Record<ResourcePoolKind, { unit: string; work: string; noun: string }>> = {
  database: { unit: 'connection', work: 'their query runs', noun: 'connection pool' },
  'http-client': { unit: 'socket', work: 'their upstream call is sent', noun: 'HTTP agent' },
  worker: { unit: 'worker', work: 'their task starts', noun: 'worker pool' },
};

function poolRules(model: ServiceModel, pool: PoolModel): AlertingRule[] {
  const t = model.timings;
  const scope = model.scope;
  const w = baseWindow(model);
  const alert = POOL_ALERTS[pool.kind];
  const { units } = POOL_SERIES[pool.kind];
  const { unit, work, noun } = POOL_WORDS[pool.kind];
  const rules: AlertingRule[] = [
    alertingRule(model, {
      name: alert.nearExhaustion,
      signal: 'saturation',
      severity: 'ticket',
      // Per pod (the ratio keeps the instance): each pod's pool is its own limit, and the worst pod queues first.
      expr: `${poolInUseRatio(scope, pool.kind, pool.name)}\n> ${exact(pool.inUseOfSize)}`,
      forMs: t.poolNearExhaustionForMs,
      summary: `${model.name} has its ${pool.name} ${noun} nearly exhausted.`,
      description: `A pod of ${model.name} has had more than ${percent(pool.inUseOfSize)} of its ${pool.size} ${pool.name} ${units} in use for ${formatDuration(t.poolNearExhaustionForMs)}. The next burst waits for a ${unit}; ${EXHAUSTION_ADVICE[pool.kind]}.`,
    }),
    alertingRule(model, {
      name: alert.waitSlow,
      signal: 'saturation',
      severity: 'ticket',
      expr: `${poolWaitsSlowerThan(scope, pool.kind, pool.maxWaitSeconds, w, pool.name)}\n> ${exact(POOL_WAIT_QUANTILE_SHARE)}`,
      forMs: t.poolWaitSlowForMs,
      summary: `${model.name} waits for ${pool.name} ${units}.`,
      description: `More than ${percent(POOL_WAIT_QUANTILE_SHARE)} of ${model.name}'s requests for a ${unit} from the ${pool.name} pool (the p99) have waited longer than ${ms(pool.maxWaitSeconds)} for ${formatDuration(t.poolWaitSlowForMs)}: requests queue for the pool.`,
    }),
  ];
  const latency = poolBurnObjective(model);
  const share = latency ? times(POOL_WAIT_BURN_FACTOR, latency.errorBudget) : undefined;
  if (latency?.thresholdSeconds !== undefined && share !== undefined && share < 1) {
    rules.push(
      alertingRule(model, {
        name: alert.waitBreaksLatency,
        signal: 'saturation',
        severity: 'ticket',
        expr: `${poolWaitsSlowerThan(scope, pool.kind, latency.thresholdSeconds, w, pool.name)}\n> ${exact(share)}`,
        forMs: t.poolWaitBreaksLatencyForMs,
        summary: `${model.name} burns its latency budget waiting for ${pool.name} ${units}.`,
        description: `More than ${percent(share)} of ${model.name}'s requests for a ${unit} from the ${pool.name} pool have waited longer than the latency objective's ${ms(latency.thresholdSeconds)} for ${formatDuration(t.poolWaitBreaksLatencyForMs)}: those requests are slow before ${work}, a ${POOL_WAIT_BURN_FACTOR}x burn of the ${exact(latency.objectivePercent)}% latency budget from the pool alone.`,
      }),
    );
  }
  return rules;
}

/** What to look at first when a pool of each kind runs out. */
const EXHAUSTION_ADVICE: Readonly<Record<ResourcePoolKind, string>> = {
  database: 'find slow queries or leaked clients before raising the pool size, which the database must accept on every replica',
  'http-client': 'check the upstream\'s latency and responses left unread (an unconsumed body keeps its socket) before raising maxSockets, which the upstream must accept on every replica',
  worker: 'find long tasks before adding threads; more busy threads than the pod has cores only share the cores',
};
