/**
 * Inhibit rules that remove duplicate notifications (research slo-alerting.md §9 item 7, §12 item 2). The
 * duplicates burn-rate generators leave in (Sloth pages and tickets for the same burn; pyrra-dev/pyrra#1883
 * asks for a tier label to inhibit on) are removed in the burn rules instead, where nothing is orphaned.
 *
 * Alertmanager semantics these rules rely on (Alertmanager docs, "inhibit_rule"): a target is muted while a
 * source fires whose `equal` labels have the same values, and a label missing on both sides counts as equal.
 * That is why every rule also lists the cluster label(s): without it a page in one cluster would mute a ticket
 * in another.
 */
import { ALERT, type AlertName } from '../signals/recorded';
import { LABEL } from '../signals/contract';
import type { InhibitRuleModel, Matcher } from './types';

/** Alertmanager's built-in label holding the alert's name (Prometheus sets it on every alert). */
export const ALERTNAME = 'alertname';

/** The `signal` label values every generated alert carries: a matcher on them scopes a rule to golden-signals alerts only. */
export const SIGNALS = ['errors', 'latency', 'saturation', 'traffic'] as const;

/**
 * What "every target of the service is down" means for each alert, and so whether ServiceTargetsDown mutes it.
 *
 * - `symptom`: fires *because* the targets' series are gone (`absent()`), so the outage explains it: muted.
 * - `blind`: computed from the service's own series, so without them it cannot start firing, only go quiet.
 *   Muting it buys no silence, and costs one: Alertmanager sends no resolved notification for an alert that
 *   resolves while inhibited (prometheus/alertmanager#2754, open), and a burn page that fired before the targets
 *   went down resolves exactly then, leaving the incident open in PagerDuty. Seen in the end-to-end test.
 * - `independent`: computed from cAdvisor or kube-state-metrics, which keep reporting while the service is down,
 *   and which may be the cause (a pod OOM-killed in a loop has every target down *because* of
 *   MemoryNearLimit), so it stays audible.
 *
 * A `Record` over every alert name, so a new alert does not compile until someone decides.
 */
export const TARGETS_DOWN_EFFECT: Readonly<Record<AlertName, 'source' | 'symptom' | 'blind' | 'independent'>> = {
  [ALERT.targetsDown]: 'source',
  [ALERT.trafficAbsent]: 'symptom',
  [ALERT.errorBudgetBurn]: 'blind',
  [ALERT.errorBudgetExhausted]: 'blind',
  [ALERT.trafficDrop]: 'blind',
  [ALERT.trafficAboveCapacity]: 'blind',
  [ALERT.eventLoopSaturated]: 'blind',
  [ALERT.eventLoopDelayHigh]: 'blind',
  [ALERT.inFlightNearLimit]: 'blind',
  // The shim's pool series: gone with the targets.
  [ALERT.poolNearExhaustion]: 'blind',
  [ALERT.poolWaitSlow]: 'blind',
  [ALERT.poolWaitBreaksLatency]: 'blind',
  [ALERT.httpClientPoolNearExhaustion]: 'blind',
  [ALERT.httpClientPoolWaitSlow]: 'blind',
  [ALERT.httpClientPoolWaitBreaksLatency]: 'blind',
  [ALERT.workerPoolNearExhaustion]: 'blind',
  [ALERT.workerPoolWaitSlow]: 'blind',
  [ALERT.workerPoolWaitBreaksLatency]: 'blind',
  // `up == 1 unless …`: needs a target up.
  [ALERT.signalsMissing]: 'blind',
  [ALERT.cpuNearLimit]: 'independent',
  [ALERT.cpuAboveRequest]: 'independent',
  [ALERT.memoryNearLimit]: 'independent',
  [ALERT.autoscalerMaxedOut]: 'independent',
};

/** Alerts that {@link ALERT.targetsDown} mutes, sorted. */
export function targetsDownSymptoms(): string[] {
  return (Object.keys(TARGETS_DOWN_EFFECT) as AlertName[]).filter((a) => TARGETS_DOWN_EFFECT[a] === 'symptom').sort();
}

/** Anchored alternation for an Alertmanager regex matcher (Alertmanager anchors regexes itself). */
export function alternation(values: readonly string[]): string {
  return values.join('|');
}

/** A matcher on one of `values`: `=` for a single value (readable in amtool and the UI), `=~` otherwise. */
function oneOf(name: string, values: readonly string[]): Matcher {
  return values.length === 1 ? { name, op: '=', value: values[0] } : { name, op: '=~', value: alternation(values) };
}

/**
 * The inhibit rules for golden-signals alerts, each restricted by `scope` (added to source and target).
 *
 * 1. A page mutes the ticket of the same service and signal (the ticket repeats what the page already said),
 *    except the burn tiers of an SLO: those coordinate in the rules themselves (a slower tier stays quiet for
 *    a while after a faster one fired, rules/slo.ts), because an inhibited alert that resolves gets no resolved
 *    notification (prometheus/alertmanager#2754) and an inhibited slower tier became a fresh notification
 *    when the page resolved (issue 17). A burn ticket that fired before the page keeps its own lifecycle.
 * 2. ServiceTargetsDown mutes the symptom alerts of the same service ({@link TARGETS_DOWN_EFFECT}).
 *
 * @example
 * inhibitRules([{ name: 'signal', op: '=~', value: 'errors|latency|saturation|traffic' }], []);
 */
export function inhibitRules(scope: readonly Matcher[], clusterLabels: readonly string[]): InhibitRuleModel[] {
  const service = [LABEL.namespace, LABEL.service];
  const rules: InhibitRuleModel[] = [
    {
      why: `A page mutes the ticket of the same service and signal; ${ALERT.errorBudgetBurn} tiers coordinate in their rules instead, and ${ALERT.errorBudgetExhausted} (a policy, not a symptom) is never muted.`,
      source: [...scope, { name: LABEL.severity, op: '=', value: 'page' }],
      target: [...scope, { name: LABEL.severity, op: '=', value: 'ticket' }, { name: ALERTNAME, op: '!~', value: alternation([ALERT.errorBudgetBurn, ALERT.errorBudgetExhausted]) }],
      equal: [...service, LABEL.signal, LABEL.slo, ...clusterLabels],
    },
  ];
  const symptoms = targetsDownSymptoms();
  rules.push({
    why: `${ALERT.targetsDown} mutes the alerts that missing series make fire (${symptoms.join(', ')}) for the same service; alerts computed from its series can only stop firing and keep their resolved notifications; CPU, memory and autoscaler alerts come from the cluster and may be the cause.`,
    source: [...scope, { name: ALERTNAME, op: '=', value: ALERT.targetsDown }],
    target: [...scope, oneOf(ALERTNAME, symptoms)],
    equal: [...service, ...clusterLabels],
  });
  return rules;
}
