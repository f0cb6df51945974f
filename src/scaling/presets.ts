/**
 * Named HPA behaviors. Each is complete (both directions, every field), so what the API server stores is
 * exactly what was generated and a GitOps diff never shows defaulted fields appearing.
 */
import type { BehaviorPresetName, ScalingPolicyRule, SelectPolicy } from '../spec/scaling';

/** One direction's rules with every field resolved. */
export interface ScalingRulesModel {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: SelectPolicy;
  readonly policies: readonly ScalingPolicyRule[];
}

/** Both directions' rules, as the HPA `spec.behavior` holds them after API-server defaulting. */
export interface BehaviorModel {
  readonly scaleUp: ScalingRulesModel;
  readonly scaleDown: ScalingRulesModel;
}

/**
 * What the API server fills in for a field missing from a non-nil `behavior`
 * (kubernetes/kubernetes `pkg/apis/autoscaling/v2/defaults.go`, `GenerateHPAScaleUpRules` /
 * `GenerateHPAScaleDownRules`). The scale-down window is left nil there; the controller then applies
 * `--horizontal-pod-autoscaler-downscale-stabilization`, 5 minutes by default
 * (`horizontal.go`, `maybeInitScaleDownStabilizationWindow`), so 300 is written out here.
 */
export const KUBERNETES_DEFAULT_BEHAVIOR: BehaviorModel = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  },
};

/**
 * The presets other than `kubernetes-default` (which omits `behavior` altogether).
 *
 * - `spiky` (issue 5): a release or a flash crowd multiplies traffic within minutes. Scale-up confirms for
 *   30 s (two sync periods, so one noisy sample does not add pods) and may then triple the fleet or add 50
 *   pods every 15 s, whichever is more; scale-down waits 10 minutes and sheds 5% a minute, because the next
 *   wave of a spike usually follows the first.
 * - `steady`: smooth diurnal traffic. Churn costs more than a few minutes of lag, so +50% (at least 2 pods)
 *   a minute after 2 minutes of evidence, and −10% a minute after 15.
 * - `batch`: queue workers. A backlog only grows while under-provisioned, so scale up at once (double or
 *   +10 pods per sync); scale down by 20% a minute after 5 minutes, so in-flight jobs drain between steps.
 */
export const BEHAVIOR_PRESETS: Readonly<Record<Exclude<BehaviorPresetName, 'kubernetes-default'>, BehaviorModel>> = {
  spiky: {
    scaleUp: {
      stabilizationWindowSeconds: 30,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 200, periodSeconds: 15 },
        { type: 'Pods', value: 50, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: 600,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 5, periodSeconds: 60 }],
    },
  },
  steady: {
    scaleUp: {
      stabilizationWindowSeconds: 120,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 50, periodSeconds: 60 },
        { type: 'Pods', value: 2, periodSeconds: 60 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: 900,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }],
    },
  },
  batch: {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Percent', value: 100, periodSeconds: 15 },
        { type: 'Pods', value: 10, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 20, periodSeconds: 60 }],
    },
  },
};

/** Every preset name, for error messages and CLIs. */
export const BEHAVIOR_PRESET_NAMES: readonly BehaviorPresetName[] = ['kubernetes-default', 'spiky', 'steady', 'batch'];

/**
 * The full behavior a preset stands for, or `undefined` for `kubernetes-default` (the field is omitted
 * and the controller's legacy normalization applies: see the simulator).
 */
export function presetBehavior(name: BehaviorPresetName): BehaviorModel | undefined {
  switch (name) {
    case 'kubernetes-default':
      return undefined;
    case 'spiky':
    case 'steady':
    case 'batch':
      return BEHAVIOR_PRESETS[name];
  }
}
