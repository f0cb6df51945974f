/**
 * A stand-in for cAdvisor and kube-state-metrics: the cluster series the saturation rules and panels read
 * (DESIGN 3.1, Kubernetes row) for the one pod of the e2e app, with the label sets those exporters use.
 * Without it those rules and panels could only be listed as "no data without a cluster"; with it the e2e
 * test proves that their selectors match what the exporters emit.
 *
 * Every value is a healthy one derived from the model's own thresholds (half of each), so no saturation
 * alert may fire in the healthy phase: if one does, a selector or a threshold is wrong.
 */
import type { ServiceModel } from '../../src/model';
import { CLUSTER_METRIC, LABEL } from '../../src/signals/contract';

/** Resources of the stand-in container, as a Deployment would request them. */
const CPU_LIMIT_CORES = 1;
const CPU_REQUEST_CORES = 0.5;
const MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
const MEMORY_REQUEST_BYTES = 256 * 1024 * 1024;

/** The pod label the e2e scrape config gives the app's target, shared with the cluster series. */
export function podName(model: ServiceModel): string {
  return `${model.name}-e2e-0`;
}

function series(name: string, labels: Record<string, string>, value: number): string {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${text}} ${value}`;
}

/**
 * The exposition at `elapsedSeconds` since the run started: the CPU counter grows at half the rate that
 * would trip the lower of the two CPU thresholds.
 */
export function clusterExposition(model: ServiceModel, elapsedSeconds: number): string {
  const s = model.saturation;
  const container = { [LABEL.namespace]: model.namespace, [LABEL.pod]: podName(model), [LABEL.container]: s.container };
  const cpuCores = 0.5 * Math.min(s.cpuOfLimit * CPU_LIMIT_CORES, s.cpuOfRequest * CPU_REQUEST_CORES);
  const lines = [
    series(CLUSTER_METRIC.containerCpu, container, cpuCores * elapsedSeconds),
    series(CLUSTER_METRIC.containerMemoryWorkingSet, container, Math.round(0.5 * s.memoryOfLimit * MEMORY_LIMIT_BYTES)),
    // kube-state-metrics v2: one series per resource, with its unit.
    series(CLUSTER_METRIC.resourceRequests, { ...container, [LABEL.resource]: 'cpu', unit: 'core' }, CPU_REQUEST_CORES),
    series(CLUSTER_METRIC.resourceRequests, { ...container, [LABEL.resource]: 'memory', unit: 'byte' }, MEMORY_REQUEST_BYTES),
    series(CLUSTER_METRIC.resourceLimits, { ...container, [LABEL.resource]: 'cpu', unit: 'core' }, CPU_LIMIT_CORES),
    series(CLUSTER_METRIC.resourceLimits, { ...container, [LABEL.resource]: 'memory', unit: 'byte' }, MEMORY_LIMIT_BYTES),
  ];
  if (model.scaling) {
    const hpa = { [LABEL.namespace]: model.namespace, [LABEL.hpa]: model.scaling.autoscalerName };
    const { minReplicas, maxReplicas } = model.scaling;
    // Below the maximum, and the scaling metric below its target: the autoscaler has room.
    const current = Math.max(minReplicas, 1);
    const target = { ...hpa, [LABEL.hpaMetricName]: 'cpu', [LABEL.hpaMetricTargetType]: 'utilization' };
    lines.push(
      series(CLUSTER_METRIC.hpaCurrentReplicas, hpa, current),
      series(CLUSTER_METRIC.hpaDesiredReplicas, hpa, current),
      series(CLUSTER_METRIC.hpaMinReplicas, hpa, minReplicas),
      series(CLUSTER_METRIC.hpaMaxReplicas, hpa, maxReplicas),
      series(CLUSTER_METRIC.hpaSpecTarget, target, 70),
      series(CLUSTER_METRIC.hpaStatusTarget, target, 35),
    );
  }
  return `${lines.join('\n')}\n`;
}
