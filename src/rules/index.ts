/**
 * Prometheus recording and alerting rules for the four golden signals of one service. Pure: a validated
 * model in, rule-file data out.
 *
 * @example
 * const file = serviceRules(resolveService(checkout));
 * file.groups[0].rules.length; // recording rules first, then alerts
 */
import type { ServiceModel } from '../model/types';
import { formatDuration } from '../spec/duration';
import { metaAlertingRules } from './meta';
import { poolAlertingRules } from './pools';
import { saturationAlertingRules } from './saturation';
import { budgetExhaustedRule, readsWholeSloWindow, serviceRateRules, sloAlertingRules, sloRecordingRules } from './slo';
import { trafficAlertingRules } from './traffic';
import type { Rule, RuleFile } from './types';

export * from './alert';
export * from './render';
export * from './types';
export * from './windows';
export { ruleTests } from './tests';
export type { PromtoolTestFile } from './tests';

/** Name of a service's rule group: one group, so every derived rule is evaluated after its inputs. */
export function ruleGroupName(model: ServiceModel): string {
  return `golden-signals.${model.namespace}.${model.name}`;
}

/** Name of the group of a service's SLO-window rules, when `alerting.sloWindowEvaluationInterval` sets one. */
export function sloWindowGroupName(model: ServiceModel): string {
  return `${ruleGroupName(model)}.slo-window`;
}

/**
 * All rules of a service in one group. One group rather than one per signal: Prometheus evaluates a
 * group's rules in order, so each derived rule reads inputs recorded in the same evaluation; across groups
 * it would lag by up to an interval (pint rule/dependency).
 *
 * The one exception, when the definition asks for it (`alerting.sloWindowEvaluationInterval`): the rules that
 * read the whole SLO window go in a second group at their own interval. They read only series the first group
 * records and the first group reads nothing of theirs, so the lag is theirs alone: at most one interval on a
 * 30-day ratio.
 */
export function serviceRules(model: ServiceModel): RuleFile {
  const rules: Rule[] = [
    ...serviceRateRules(model),
    ...model.slos.flatMap((slo) => sloRecordingRules(model, slo)),
    ...model.slos.flatMap((slo) => sloAlertingRules(model, slo)),
    ...model.slos.flatMap((slo) => budgetExhaustedRule(model, slo) ?? []),
    ...trafficAlertingRules(model),
    ...saturationAlertingRules(model),
    ...poolAlertingRules(model),
    ...metaAlertingRules(model),
  ];
  const service = { name: ruleGroupName(model), interval: formatDuration(model.alerting.evaluationIntervalMs) };
  const sloWindowMs = model.alerting.sloWindowEvaluationIntervalMs;
  if (sloWindowMs === undefined) return { groups: [{ ...service, rules }] };
  const ownGroup = readsWholeSloWindow(model);
  return {
    groups: [
      { ...service, rules: rules.filter((r) => !ownGroup(r)) },
      { name: sloWindowGroupName(model), interval: formatDuration(sloWindowMs), rules: rules.filter(ownGroup) },
    ],
  };
}
