/**
 * Saturation alerts: CPU and memory against requests and limits (cAdvisor and kube-state-metrics series as
 * kube-prometheus-stack ships them), event-loop utilization and delay, in-flight requests against the
 * declared concurrency limit, and an autoscaler that has run out of replicas.
 */
import type { ServiceModel } from '../model/types';
import { CLUSTER_METRIC, LABEL } from '../signals/contract';
import { aggregate, exact, on, times } from '../signals/promql';
import {
  autoscalerSeries,
  containerLabels,
  containerResource,
  cpuUsage,
  eventLoopDelayP99,
  eventLoopUtilization,
  inFlightPerInstance,
  memoryWorkingSet,
  serviceLabels,
} from '../signals/queries';
import { ALERT } from '../signals/recorded';
import { formatDuration } from '../spec/duration';
import { alertingRule } from './alert';
import type { AlertingRule } from './types';
import { baseWindow } from './windows';

function percent(ratio: number): string {
  return `${exact(ratio * 100)}%`;
}

export function saturationAlertingRules(model: ServiceModel): AlertingRule[] {
  const s = model.saturation;
  const t = model.timings;
  const scope = model.scope;
  const w = baseWindow(model);
  const perPod = [LABEL.pod];
  const rules: AlertingRule[] = [
    alertingRule(model, {
      name: ALERT.cpuNearLimit,
      signal: 'saturation',
      severity: 'ticket',
      // Per pod, then the worst: one throttled pod is enough to slow its share of requests.
      expr: `${aggregate('max', containerLabels(scope), `${cpuUsage(scope, w, perPod)}\n/\n${containerResource(scope, 'limits', 'cpu', perPod)}`)}\n> ${exact(s.cpuOfLimit)}`,
      forMs: t.cpuNearLimitForMs,
      summary: `${model.name} is close to its CPU limit.`,
      description: `A ${s.container} container of ${model.name} has used more than ${percent(s.cpuOfLimit)} of its CPU limit for ${formatDuration(t.cpuNearLimitForMs)}. Past the limit the kernel throttles it (CFS quota) and latency rises.`,
    }),
    alertingRule(model, {
      name: ALERT.cpuAboveRequest,
      signal: 'saturation',
      severity: 'ticket',
      expr: `${cpuUsage(scope, w)}\n/\n${containerResource(scope, 'requests', 'cpu')}\n> ${exact(s.cpuOfRequest)}`,
      forMs: t.cpuAboveRequestForMs,
      summary: `${model.name} uses more CPU than it requests.`,
      description: `${model.name} containers have used more than ${percent(s.cpuOfRequest)} of their CPU requests for ${formatDuration(t.cpuAboveRequestForMs)}. The scheduler places pods by requests, so the service depends on spare CPU it was never promised.`,
    }),
    alertingRule(model, {
      name: ALERT.memoryNearLimit,
      signal: 'saturation',
      severity: 'ticket',
      expr: `${aggregate('max', containerLabels(scope), `${memoryWorkingSet(scope, perPod)}\n/\n${containerResource(scope, 'limits', 'memory', perPod)}`)}\n> ${exact(s.memoryOfLimit)}`,
      forMs: t.memoryNearLimitForMs,
      summary: `${model.name} is close to its memory limit.`,
      description: `A ${s.container} container of ${model.name} has a working set above ${percent(s.memoryOfLimit)} of its memory limit for ${formatDuration(t.memoryNearLimitForMs)}. At the limit the OOM killer restarts it.`,
    }),
    alertingRule(model, {
      name: ALERT.eventLoopSaturated,
      signal: 'saturation',
      severity: 'ticket',
      expr: `${aggregate('max', serviceLabels(scope), eventLoopUtilization(scope, w))}\n> ${exact(s.eventLoopUtilization)}`,
      forMs: t.eventLoopSaturatedForMs,
      summary: `${model.name} has a saturated event loop.`,
      description: `An instance of ${model.name} has kept its Node.js event loop busy more than ${percent(s.eventLoopUtilization)} of the time for ${formatDuration(t.eventLoopSaturatedForMs)}. Requests queue behind each other; add replicas or move CPU-heavy work off the loop.`,
    }),
    alertingRule(model, {
      name: ALERT.eventLoopDelayHigh,
      signal: 'saturation',
      severity: 'ticket',
      expr: `${aggregate('max', serviceLabels(scope), eventLoopDelayP99(scope))}\n> ${exact(s.eventLoopDelayP99Seconds)}`,
      forMs: t.eventLoopDelayHighForMs,
      summary: `${model.name} has a slow event loop.`,
      description: `An instance of ${model.name} has had an event-loop delay p99 above ${formatDuration(Math.round(s.eventLoopDelayP99Seconds * 1000))} for ${formatDuration(t.eventLoopDelayHighForMs)}: every request on it waits at least that long.`,
    }),
  ];

  const limit = model.capacity.concurrentRequests;
  if (limit !== undefined && model.kind === 'http') {
    rules.push(
      alertingRule(model, {
        name: ALERT.inFlightNearLimit,
        signal: 'saturation',
        severity: 'ticket',
        expr: `${aggregate('max', serviceLabels(scope), inFlightPerInstance(scope))}\n> ${exact(times(limit, s.inFlightOfLimit))}`,
        forMs: t.inFlightNearLimitForMs,
        summary: `${model.name} is near its concurrency limit.`,
        description: `An instance of ${model.name} has had more than ${percent(s.inFlightOfLimit)} of its ${exact(limit)} concurrent requests in flight for ${formatDuration(t.inFlightNearLimitForMs)}. New requests will queue or be rejected.`,
      }),
    );
  }

  if (model.scaling) {
    const hpa = [LABEL.namespace, LABEL.hpa];
    const byMetric = [...hpa, LABEL.hpaMetricName, LABEL.hpaMetricTargetType];
    const atMax = `${aggregate('max', hpa, autoscalerSeries(scope, CLUSTER_METRIC.hpaCurrentReplicas))}\n>= ${on(hpa)}\n${aggregate('max', hpa, autoscalerSeries(scope, CLUSTER_METRIC.hpaMaxReplicas))}`;
    const aboveTarget = `${aggregate('max', byMetric, autoscalerSeries(scope, CLUSTER_METRIC.hpaStatusTarget))}\n> ${on(byMetric)}\n${aggregate('max', byMetric, autoscalerSeries(scope, CLUSTER_METRIC.hpaSpecTarget))}`;
    rules.push(
      alertingRule(model, {
        name: ALERT.autoscalerMaxedOut,
        signal: 'saturation',
        severity: 'ticket',
        expr: `${atMax}\nand ${on(hpa)}\n${aggregate('group', hpa, aboveTarget)}`,
        forMs: t.autoscalerMaxedOutForMs,
        summary: `${model.name} is at its maximum replicas and still above its scaling target.`,
        description: `The autoscaler ${model.scaling.autoscalerName} of ${model.name} has run ${model.scaling.maxReplicas} replicas (its maximum) for ${formatDuration(t.autoscalerMaxedOutForMs)} while a scaling metric stays above target. It cannot add capacity: raise maxReplicas or the per-pod capacity.`,
      }),
    );
  }
  return rules;
}
