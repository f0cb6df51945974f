/**
 * Rules of grafana/dashboard-linter that do not fit generated golden-signal dashboards, each with its reason
 * (the `.lint` file's `exclusions:`; kubernetes-mixin excludes the same four and more).
 */
import type { Exclusion } from './lint';

const ONE_SERVICE =
  'A service dashboard is about exactly one job, the service itself (DESIGN 3.2: job equals the service name): its ' +
  'objectives, thresholds, tiers and uid are that service\'s, so a job picker would show another service under them. ' +
  'Selectors match the job exactly (job=~"<service>"); the fleet overview is the view across jobs.';

const NO_INSTANCE_FILTER =
  'Per-pod views are series split by instance or pod (saturation, per-pod traffic). An instance filter would also ' +
  'apply to series that have no instance of the service: the recorded slo:* series, ALERTS and kube-state-metrics, ' +
  'so the SLO and replica panels would go blank as soon as one pod is picked.';

export const EXCLUSIONS: readonly Exclusion[] = [
  { rule: 'template-job-rule', reason: ONE_SERVICE },
  { rule: 'target-job-rule', reason: ONE_SERVICE },
  { rule: 'template-instance-rule', reason: NO_INSTANCE_FILTER },
  { rule: 'target-instance-rule', reason: NO_INSTANCE_FILTER },
];
