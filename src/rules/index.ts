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
import { budgetExhaustedRule, serviceRateRules, sloAlertingRules, sloRecordingRules } from './slo';
import { trafficAlertingRules } from './traffic';
import type { RuleFile } from './types';

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

/**
 * All rules of a service in one group. One group rather than one per signal: Prometheus evaluates a
 * group's rules in order, so each derived rule reads inputs recorded in the same evaluation; across groups
 * it would lag by up to an interval (pint rule/dependency).
 */
export function serviceRules(model: ServiceModel): RuleFile {
  return {
    groups: [
      {
        name: ruleGroupName(model),
        interval: formatDuration(model.alerting.evaluationIntervalMs),
        rules: [
          ...serviceRateRules(model),
          ...model.slos.flatMap((slo) => sloRecordingRules(model, slo)),
          ...model.slos.flatMap((slo) => sloAlertingRules(model, slo)),
          ...model.slos.flatMap((slo) => budgetExhaustedRule(model, slo) ?? []),
          ...trafficAlertingRules(model),
          ...saturationAlertingRules(model),
          ...poolAlertingRules(model),
          ...metaAlertingRules(model),
        ],
      },
    ],
  };
}
