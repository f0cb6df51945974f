/**
 * Traffic alerts: no traffic at all, a sharp drop against last week, and more traffic than the declared
 * capacity. None of the SLO generators (Sloth, Pyrra) covers traffic.
 */
import type { ServiceModel } from '../model/types';
import { exact, on, selector, sumBy } from '../signals/promql';
import { durationHistogram, requestRate, serviceLabels, targetMatchers, targetsUp } from '../signals/queries';
import { ALERT, RECORD } from '../signals/recorded';
import { formatDuration } from '../spec/duration';
import { alertingRule } from './alert';
import type { AlertingRule } from './types';
import { trafficAbsentForMs } from './waits';
import { baseWindow } from './windows';

const WEEK_MS = 7 * 24 * 3600_000;

/**
 * An `offset` duration. Whole weeks are written in weeks (`1w`), which says "same time last week" better
 * than formatDuration's `7d`; anything else as formatDuration writes it (a compressed test model's `42m`).
 */
function offsetDuration(ms: number): string {
  return ms > 0 && ms % WEEK_MS === 0 ? `${ms / WEEK_MS}w` : formatDuration(ms);
}

export function noun(model: ServiceModel): string {
  switch (model.kind) {
    case 'http':
      return 'requests';
    case 'worker':
      return 'operations';
  }
}

export function trafficAlertingRules(model: ServiceModel): AlertingRule[] {
  const rules: AlertingRule[] = [];
  const target = targetMatchers(model.scope);
  const recorded = selector(RECORD.requestRate(baseWindow(model)), target);
  const what = noun(model);

  if (model.traffic.noTrafficForMs !== undefined) {
    const idle = formatDuration(model.traffic.noTrafficForMs);
    rules.push(
      alertingRule(model, {
        name: ALERT.trafficAbsent,
        signal: 'traffic',
        severity: 'page',
        // `absent()` covers a service whose histogram never appeared; the rate covers one that went quiet.
        expr: `${requestRate(model.scope, idle)} == 0\nor\nabsent(${selector(`${durationHistogram(model.kind)}_count`, target)})`,
        forMs: trafficAbsentForMs(model),
        summary: `${model.name} receives no ${what}.`,
        description: `${model.name} in ${model.namespace} has served no ${what} for ${idle} although it is expected to serve continuously. Clients may not reach it (routing, DNS, ingress), or its metrics may be gone.`,
      }),
    );
  }

  if (model.traffic.dropBelowLastWeek !== undefined) {
    const win = formatDuration(model.timings.trafficDropWindowMs);
    const now = `avg_over_time(${recorded}[${win}])`;
    const lastWeek = `avg_over_time(${recorded}[${win}] offset ${offsetDuration(model.timings.trafficDropOffsetMs)})`;
    const share = exact(model.traffic.dropBelowLastWeek);
    rules.push(
      alertingRule(model, {
        name: ALERT.trafficDrop,
        signal: 'traffic',
        severity: 'ticket',
        expr: `${now} < ${share} * ${lastWeek}\nand\n${lastWeek} > ${exact(model.traffic.dropMinRequestsPerSecond)}`,
        forMs: model.timings.trafficDropForMs,
        summary: `${model.name} traffic dropped sharply against last week.`,
        description: `${model.name} served less than ${exact(model.traffic.dropBelowLastWeek * 100)}% of the ${what} per second it served at the same time last week (${win} averages). A sudden drop usually means clients cannot reach the service.`,
      }),
    );
  }

  const perPod = model.capacity.requestsPerSecond;
  if (perPod !== undefined) {
    const healthyTargets = `(${sumBy(serviceLabels(model.scope), targetsUp(model.scope))} > 0)`;
    rules.push(
      alertingRule(model, {
        name: ALERT.trafficAboveCapacity,
        signal: 'traffic',
        severity: 'ticket',
        expr: `${recorded}\n/ ${on(serviceLabels(model.scope))}\n${healthyTargets}\n> ${exact(perPod)}`,
        forMs: model.timings.trafficAboveCapacityForMs,
        summary: `${model.name} serves more traffic than its pods are sized for.`,
        description: `${model.name} has served more than ${exact(perPod)} ${what} per second per pod for ${formatDuration(model.timings.trafficAboveCapacityForMs)}, the capacity its definition declares. Expect latency to rise; add replicas or raise maxReplicas.`,
      }),
    );
  }
  return rules;
}
