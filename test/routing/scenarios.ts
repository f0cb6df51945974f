/**
 * Alerts as the generated rules label them (DESIGN 3.3), and the inhibition cases the routing must get right.
 * Shared by the amtool route tests (where does each alert go?) and the live Alertmanager test (is it muted?).
 */
import { LABEL } from '../../src/signals/contract';
import { ALERT } from '../../src/signals/recorded';

export type Labels = Record<string, string>;

const SERVICES: Record<string, { namespace: string; team: string }> = {
  checkout: { namespace: 'shop', team: 'payments' },
  refunds: { namespace: 'shop', team: 'payments' },
  'ledger-sync': { namespace: 'backoffice', team: 'finance-platform' },
};

/** An alert of a fixture service with the labels the rule generator puts on it. */
export function alert(service: string, alertname: string, labels: Labels): Labels {
  const s = SERVICES[service];
  return { alertname, [LABEL.namespace]: s.namespace, [LABEL.service]: service, [LABEL.team]: s.team, job: service, ...labels };
}

export function burn(service: string, slo: 'availability' | 'latency', tier: 'fast' | 'medium' | 'slow' | 'longterm', extra: Labels = {}): Labels {
  const severity = tier === 'fast' || tier === 'medium' ? 'page' : 'ticket';
  const signal = slo === 'availability' ? 'errors' : 'latency';
  return alert(service, ALERT.errorBudgetBurn, { [LABEL.signal]: signal, [LABEL.severity]: severity, [LABEL.slo]: slo, [LABEL.burnTier]: tier, ...extra });
}

export function plain(service: string, alertname: string, signal: string, severity: string, extra: Labels = {}): Labels {
  return alert(service, alertname, { [LABEL.signal]: signal, [LABEL.severity]: severity, ...extra });
}

export interface InhibitionCase {
  readonly title: string;
  readonly source: Labels;
  readonly target: Labels;
  readonly inhibited: boolean;
}

export const INHIBITION_CASES: readonly InhibitionCase[] = [
  // Burn tiers of one SLO coordinate in their rules (a slower tier stays quiet after a faster one fired), so
  // Alertmanager mutes none of them: a muted alert that resolves is never notified resolved (alertmanager#2754).
  { title: 'a fast-burn page does not mute the slow-burn ticket of the same SLO (the rules keep it quiet; one that fired first keeps its resolved notification)', source: burn('checkout', 'availability', 'fast'), target: burn('checkout', 'availability', 'slow'), inhibited: false },
  { title: 'a fast burn does not mute the medium burn of the same SLO (the rules keep it quiet)', source: burn('checkout', 'latency', 'fast'), target: burn('checkout', 'latency', 'medium'), inhibited: false },
  { title: 'a slow burn does not mute the longterm burn of the same SLO (the rules keep it quiet)', source: burn('refunds', 'availability', 'slow'), target: burn('refunds', 'availability', 'longterm'), inhibited: false },
  { title: 'a slower burn never mutes a faster one', source: burn('checkout', 'availability', 'slow'), target: burn('checkout', 'availability', 'fast'), inhibited: false },
  {
    title: 'a burn page does not mute the budget-exhausted ticket of the same SLO (a policy, not a symptom)',
    source: burn('checkout', 'availability', 'fast'),
    target: alert('checkout', ALERT.errorBudgetExhausted, { [LABEL.signal]: 'errors', [LABEL.severity]: 'ticket', [LABEL.slo]: 'availability' }),
    inhibited: false,
  },
  { title: 'a burn page does not mute a traffic ticket of the same service (another signal)', source: burn('checkout', 'availability', 'fast'), target: plain('checkout', ALERT.trafficDrop, 'traffic', 'ticket'), inhibited: false },
  {
    title: 'targets down mutes the absent-traffic page of the same service',
    source: plain('checkout', ALERT.targetsDown, 'traffic', 'page'),
    target: plain('checkout', ALERT.trafficAbsent, 'traffic', 'page'),
    inhibited: true,
  },
  {
    title: 'targets down does not mute a burn alert, which missing series can only resolve (its resolved notification must reach the pager)',
    source: plain('checkout', ALERT.targetsDown, 'traffic', 'page'),
    target: burn('checkout', 'latency', 'fast'),
    inhibited: false,
  },
  {
    title: 'targets down does not mute the memory alert that may be its cause',
    source: plain('checkout', ALERT.targetsDown, 'traffic', 'page'),
    target: plain('checkout', ALERT.memoryNearLimit, 'saturation', 'ticket'),
    inhibited: false,
  },
  {
    title: 'targets down of one service does not mute another service',
    source: plain('refunds', ALERT.targetsDown, 'traffic', 'page'),
    target: plain('checkout', ALERT.trafficAbsent, 'traffic', 'page'),
    inhibited: false,
  },
  {
    title: 'a traffic page mutes the traffic ticket of the same service',
    source: plain('checkout', ALERT.trafficAbsent, 'traffic', 'page'),
    target: plain('checkout', ALERT.trafficDrop, 'traffic', 'ticket'),
    inhibited: true,
  },
  {
    title: 'a traffic page does not mute a saturation ticket of the same service',
    source: plain('checkout', ALERT.trafficAbsent, 'traffic', 'page'),
    target: plain('checkout', ALERT.cpuNearLimit, 'saturation', 'ticket'),
    inhibited: false,
  },
  {
    title: 'a page in one cluster does not mute the ticket in another',
    source: plain('ledger-sync', ALERT.trafficAbsent, 'traffic', 'page', { cluster: 'eu-1' }),
    target: plain('ledger-sync', ALERT.trafficDrop, 'traffic', 'ticket', { cluster: 'us-1' }),
    inhibited: false,
  },
  {
    title: 'a page mutes the ticket of the same signal in the same cluster',
    source: plain('ledger-sync', ALERT.trafficAbsent, 'traffic', 'page', { cluster: 'eu-1' }),
    target: plain('ledger-sync', ALERT.trafficDrop, 'traffic', 'ticket', { cluster: 'eu-1' }),
    inhibited: true,
  },
  {
    title: 'a page does not mute a ticket that is not a golden-signals alert',
    source: plain('checkout', ALERT.trafficAbsent, 'traffic', 'page'),
    target: alert('checkout', 'KubePodCrashLooping', { severity: 'ticket' }),
    inhibited: false,
  },
];
