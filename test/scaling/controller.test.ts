/**
 * The simulator's controller against known behaviour of kubernetes/kubernetes
 * pkg/controller/podautoscaler/horizontal.go and replica_calculator.go, with production defaults.
 */
import {
  CONTROLLER_DEFAULTS,
  externalPerPodReplicas,
  newControllerMemory,
  plainMetricReplicas,
  PodSample,
  reconcile,
  resourceUtilizationReplicas,
} from '../../src/scaling/simulator/controller';
import { BEHAVIOR_PRESETS, KUBERNETES_DEFAULT_BEHAVIOR } from '../../src/scaling/presets';
import type { BehaviorModel } from '../../src/scaling/presets';

const ready = (n: number, value: number): PodSample[] => Array.from({ length: n }, () => ({ group: 'ready' as const, value }));
const of = (group: PodSample['group'], n: number): PodSample[] => Array.from({ length: n }, () => ({ group }));

describe('the replica calculator', () => {
  it('uses the production flags, not the test constants (pitfall P13)', () => {
    expect(CONTROLLER_DEFAULTS).toEqual({ syncPeriodSeconds: 15, tolerance: 0.1, downscaleStabilizationSeconds: 300, cpuInitializationPeriodSeconds: 300, initialReadinessDelaySeconds: 30 });
  });

  it.each([
    ['keeps the replicas when usage is 5% above target (inside the 0.1 tolerance band)', 10, 1050, 10],
    ['keeps the replicas when usage is 10% below target (on the band edge)', 10, 900, 10],
    ['scales up to ceil(ratio × ready pods) when usage is 11% above target', 10, 1110, 12],
    ['scales down to ceil(ratio × ready pods) when usage is half the target', 10, 500, 5],
    ['triples when usage is three times the target', 4, 3000, 12],
  ])('%s', (_name, pods, value, expected) => {
    expect(plainMetricReplicas(pods, ready(pods, value), 1000, CONTROLLER_DEFAULTS.tolerance)).toEqual({ replicas: expected });
  });

  it('counts unready pods as using nothing on a scale-up, which can cancel it', () => {
    // 4 ready pods at 2× target and 4 Pending pods: the recomputed ratio is exactly 1 → no change.
    expect(plainMetricReplicas(8, [...ready(4, 2000), ...of('unready', 4)], 1000, 0.1)).toEqual({ replicas: 8 });
    // With 2 Pending pods the ratio is 8000/6/1000 = 1.33 → ceil(1.33 × 6) = 8.
    expect(plainMetricReplicas(6, [...ready(4, 2000), ...of('unready', 2)], 1000, 0.1)).toEqual({ replicas: 8 });
  });

  it('counts missing pods at the target on a scale-down, damping it', () => {
    // 4 ready at half the target, 4 missing counted at the target: ratio 0.75 → ceil(0.75 × 8) = 6, not 4.
    expect(plainMetricReplicas(8, [...ready(4, 500), ...of('missing', 4)], 1000, 0.1)).toEqual({ replicas: 6 });
  });

  it('refuses to propose when no pod has metrics', () => {
    expect(plainMetricReplicas(3, of('unready', 3), 1000, 0.1)).toEqual({ error: expect.stringContaining('did not receive metrics') });
  });

  it('computes utilization as int(Σ usage × 100 / Σ requests) over the ready pods', () => {
    const pods = Array.from({ length: 4 }, () => ({ group: 'ready' as const, value: 900, request: 1000 }));
    expect(resourceUtilizationReplicas(4, pods, 60, 0.1)).toEqual({ replicas: 6 });
  });

  it('sizes an External averageValue metric as ceil(total / target) outside the tolerance', () => {
    expect(externalPerPodReplicas(4, 1_000_000, 100_000, 0.1)).toEqual({ replicas: 10 });
    expect(externalPerPodReplicas(10, 1_050_000, 100_000, 0.1)).toEqual({ replicas: 10 });
  });
});

/** Runs reconcile once per sync with the given desired replicas, applying each decision. */
function drive(behavior: BehaviorModel | undefined, start: number, desired: number[], limits = { minReplicas: 1, maxReplicas: 1000 }): Array<{ replicas: number; reason: string }> {
  const memory = newControllerMemory();
  let current = start;
  return desired.map((d, i) => {
    const decision = reconcile({ ...limits, behavior }, memory, i * 15, current, [{ replicas: d }]);
    current = decision.desiredReplicas;
    return { replicas: current, reason: decision.reason };
  });
}

describe('normalization with behavior', () => {
  it('holds a scale-down for the whole stabilization window, then follows', () => {
    // kubernetes-default rules made explicit: scale-down window 300 s. Load drops at t=15.
    const out = drive(KUBERNETES_DEFAULT_BEHAVIOR, 10, Array(24).fill(4).map((d, i) => (i === 0 ? 10 : d)));
    const held = out.filter((o) => o.replicas === 10).length;
    // Recommendations strictly after now−300 include the 10 recorded at t=0 until t=300.
    expect(held).toBe(20);
    expect(out[19]).toEqual({ replicas: 10, reason: 'ScaleDownStabilized' });
    expect(out[20].replicas).toBe(4);
  });

  it.each([
    ['spiky: Max of +200% (30) and +50 pods (60)', BEHAVIOR_PRESETS.spiky, 60],
    ['spiky with selectPolicy Min: the smaller change, +200% (30)', { ...BEHAVIOR_PRESETS.spiky, scaleUp: { ...BEHAVIOR_PRESETS.spiky.scaleUp, stabilizationWindowSeconds: 0, selectPolicy: 'Min' as const } }, 30],
    ['kubernetes-default rules: Max of +4 pods (14) and +100% (20)', KUBERNETES_DEFAULT_BEHAVIOR, 20],
    ['steady: +50% (15) or +2 pods (12) per minute', BEHAVIOR_PRESETS.steady, 15],
  ])('limits a scale-up by each policy: %s', (_name, behavior, expected) => {
    // Desired 500 from 10 replicas, sustained past every scale-up window.
    const out = drive(behavior, 10, Array(12).fill(500));
    const firstStep = out.find((o) => o.replicas !== 10)!;
    expect(firstStep).toEqual({ replicas: expected, reason: 'ScaleUpLimit' });
  });

  it('counts earlier scale-ups inside the policy period against the limit', () => {
    // steady: +50% per 60 s. 10 → 15 at the first allowed sync; the next syncs within 60 s may not add more.
    const out = drive({ ...BEHAVIOR_PRESETS.steady, scaleUp: { ...BEHAVIOR_PRESETS.steady.scaleUp, stabilizationWindowSeconds: 0 } }, 10, Array(6).fill(500));
    expect(out.map((o) => o.replicas)).toEqual([15, 15, 15, 15, 23, 23]);
  });

  it('delays a scale-up until no lower recommendation is left in the scale-up window (spiky: 30 s)', () => {
    // t=15: the 10 recorded at t=0 is inside (t−30, t] → held. t=30: t=0 sits exactly on the cutoff and
    // After() is strict, so only 40s remain → scale to 40 (within +50 pods).
    const out = drive(BEHAVIOR_PRESETS.spiky, 10, [10, 40, 40, 40, 40]);
    expect(out.map((o) => o.replicas)).toEqual([10, 10, 40, 40, 40]);
    expect(out[1].reason).toBe('ScaleUpStabilized');
  });

  it('never goes past maxReplicas', () => {
    const out = drive(BEHAVIOR_PRESETS.spiky, 10, Array(8).fill(500), { minReplicas: 1, maxReplicas: 25 });
    expect(out[out.length - 1]).toEqual({ replicas: 25, reason: 'TooManyReplicas' });
  });

  it('does nothing when selectPolicy is Disabled', () => {
    const disabled = { ...KUBERNETES_DEFAULT_BEHAVIOR, scaleUp: { ...KUBERNETES_DEFAULT_BEHAVIOR.scaleUp, selectPolicy: 'Disabled' as const } };
    expect(drive(disabled, 10, Array(4).fill(50)).map((o) => o.replicas)).toEqual([10, 10, 10, 10]);
  });
});

describe('normalization without behavior (legacy path)', () => {
  it('caps each scale-up at max(2 × current, 4)', () => {
    expect(drive(undefined, 3, [50, 50, 50]).map((o) => o.replicas)).toEqual([6, 12, 24]);
    expect(drive(undefined, 1, [50]).map((o) => o.replicas)).toEqual([4]);
  });

  it('holds a scale-down for the 5-minute --horizontal-pod-autoscaler-downscale-stabilization', () => {
    const out = drive(undefined, 10, [10, ...Array(24).fill(2)]);
    // Samples from t=0 stay in the window while t − 300 ≤ 0 (Before(cutoff) is strict).
    expect(out.filter((o) => o.replicas === 10)).toHaveLength(21);
    expect(out[21].replicas).toBe(2);
  });

  it('clamps to minReplicas and maxReplicas before any metric', () => {
    const memory = newControllerMemory();
    expect(reconcile({ minReplicas: 5, maxReplicas: 10 }, memory, 0, 2, [{ replicas: 2 }])).toEqual({ desiredReplicas: 5, rescale: true, reason: 'TooFewReplicas' });
    expect(reconcile({ minReplicas: 5, maxReplicas: 10 }, memory, 15, 12, [{ replicas: 2 }])).toEqual({ desiredReplicas: 10, rescale: true, reason: 'TooManyReplicas' });
  });

  it('takes the largest proposal across metrics, and will not scale down when a metric failed', () => {
    const memory = newControllerMemory();
    expect(reconcile({ minReplicas: 1, maxReplicas: 100 }, memory, 0, 10, [{ replicas: 12 }, { replicas: 18 }, { replicas: 7 }]).desiredReplicas).toBe(18);
    expect(reconcile({ minReplicas: 1, maxReplicas: 100 }, newControllerMemory(), 0, 10, [{ replicas: 4 }, { error: 'no metrics' }])).toMatchObject({ rescale: false, reason: 'FailedGetMetrics' });
  });
});
