import { mailer as mailerExample } from '../../examples/services';
import { resolveService, ServiceDefinitionError } from '../../src/model';
import type { ScalingPolicy } from '../../src/spec/scaling';
import { BEHAVIOR_PRESETS, KUBERNETES_DEFAULT_BEHAVIOR } from '../../src/scaling/presets';
import { mailer, withScaling } from './fixtures';

function problems(scaling: ScalingPolicy, extra = {}): Array<{ field: string; value: unknown; allowed: string }> {
  try {
    resolveService(withScaling(scaling, extra));
  } catch (e) {
    if (e instanceof ServiceDefinitionError) return e.problems.map((p) => ({ ...p }));
    throw e;
  }
  return [];
}

describe('resolving the scaling section', () => {
  it('derives the requests-per-second target from the declared capacity with 20% headroom by default', () => {
    const model = resolveService(withScaling({ minReplicas: 3, maxReplicas: 30 }));
    expect(model.scaling?.metrics).toEqual([{ type: 'requestsPerSecond', averageValue: 200, fromCapacity: true }]);
    expect(model.scaling?.target).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' });
    expect(model.scaling?.autoscalerName).toBe('checkout');
    expect(model.scaling?.behavior).toBeUndefined();
    expect(model.scaling?.rateWindow).toBe('2m');
  });

  it.each([
    [0.5, 125],
    [0, 250],
    [0.3, 175],
  ])('derives a per-pod target of capacity × (1 − %p) = %p', (headroom, expected) => {
    const model = resolveService(withScaling({ maxReplicas: 30, headroom }));
    expect(model.scaling?.metrics[0]).toMatchObject({ averageValue: expected });
  });

  it('falls back to in-flight requests, then to CPU at 80%, when less capacity is declared', () => {
    expect(resolveService(withScaling({ maxReplicas: 5 }, { capacity: { concurrentRequests: 50 } })).scaling?.metrics).toEqual([
      { type: 'inFlightRequests', averageValue: 40, fromCapacity: true },
    ]);
    expect(resolveService(withScaling({ maxReplicas: 5 }, { capacity: undefined })).scaling?.metrics).toEqual([
      { type: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
    ]);
  });

  it.each([
    ['spiky', BEHAVIOR_PRESETS.spiky],
    ['steady', BEHAVIOR_PRESETS.steady],
    ['batch', BEHAVIOR_PRESETS.batch],
  ] as const)('resolves the %s preset to its full behavior', (preset, behavior) => {
    expect(resolveService(withScaling({ maxReplicas: 30, behavior: preset })).scaling?.behavior).toEqual(behavior);
  });

  it('keeps the spiky preset exactly as the issue specifies it', () => {
    expect(BEHAVIOR_PRESETS.spiky).toEqual({
      scaleUp: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 200, periodSeconds: 15 }, { type: 'Pods', value: 50, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 5, periodSeconds: 60 }] },
    });
  });

  it('overrides one field of a preset and keeps the rest', () => {
    const b = resolveService(withScaling({ maxReplicas: 30, behavior: { preset: 'spiky', scaleDown: { stabilizationWindowSeconds: 120 } } })).scaling?.behavior;
    expect(b?.scaleDown).toEqual({ ...BEHAVIOR_PRESETS.spiky.scaleDown, stabilizationWindowSeconds: 120 });
    expect(b?.scaleUp).toEqual(BEHAVIOR_PRESETS.spiky.scaleUp);
  });

  it('fills an override of kubernetes-default with the API server defaults, as the API server would', () => {
    const b = resolveService(withScaling({ maxReplicas: 30, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } })).scaling?.behavior;
    expect(b).toEqual({ scaleUp: { ...KUBERNETES_DEFAULT_BEHAVIOR.scaleUp, stabilizationWindowSeconds: 60 }, scaleDown: KUBERNETES_DEFAULT_BEHAVIOR.scaleDown });
  });

  it('accepts the KEDA worker with scale to zero, a cron schedule and a bounded VPA', () => {
    const model = resolveService(mailer);
    expect(model.scaling?.minReplicas).toBe(0);
    expect(model.scaling?.autoscaler.kind).toBe('keda');
    expect(model.scaling?.metrics[1]).toEqual({ type: 'requestsPerSecond', averageValue: 32, fromCapacity: true });
  });
});

describe('validation mirrors the API server and names every field', () => {
  const base = { maxReplicas: 10 };
  it.each<[string, ScalingPolicy, string, unknown]>([
    ['maxReplicas below 1', { maxReplicas: 0 }, 'scaling.maxReplicas', 0],
    ['minReplicas above maxReplicas, named at maxReplicas as the API server does', { minReplicas: 11, maxReplicas: 10 }, 'scaling.maxReplicas', 10],
    ['minReplicas 0 without KEDA', { ...base, minReplicas: 0 }, 'scaling.minReplicas', 0],
    ['a stabilization window over 3600 s', { ...base, behavior: { scaleUp: { stabilizationWindowSeconds: 3601 } } }, 'scaling.behavior.scaleUp.stabilizationWindowSeconds', 3601],
    ['a negative stabilization window', { ...base, behavior: { scaleDown: { stabilizationWindowSeconds: -1 } } }, 'scaling.behavior.scaleDown.stabilizationWindowSeconds', -1],
    ['an empty policy list', { ...base, behavior: { scaleDown: { policies: [] } } }, 'scaling.behavior.scaleDown.policies', []],
    ['a policy value of 0', { ...base, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 0, periodSeconds: 15 }] } } }, 'scaling.behavior.scaleUp.policies[0].value', 0],
    ['a policy period of 0', { ...base, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 0 }] } } }, 'scaling.behavior.scaleUp.policies[0].periodSeconds', 0],
    ['a policy period over 1800 s', { ...base, behavior: { scaleUp: { policies: [{ type: 'Percent', value: 10, periodSeconds: 1801 }] } } }, 'scaling.behavior.scaleUp.policies[0].periodSeconds', 1801],
    ['an unknown selectPolicy', { ...base, behavior: { scaleUp: { selectPolicy: 'Most' as never } } }, 'scaling.behavior.scaleUp.selectPolicy', 'Most'],
    ['an unknown preset', { ...base, behavior: 'bursty' as never }, 'scaling.behavior', 'bursty'],
    ['a CPU metric with two targets', { ...base, metrics: [{ type: 'cpu', averageUtilization: 70, averageValue: '500m' }] }, 'scaling.metrics[0]', { type: 'cpu', averageUtilization: 70, averageValue: '500m' }],
    ['a memory metric with no target', { ...base, metrics: [{ type: 'memory' }] }, 'scaling.metrics[0]', { type: 'memory' }],
    ['an external metric with two targets', { ...base, metrics: [{ type: 'external', metric: 'q', value: 1, averageValue: 2 }] }, 'scaling.metrics[0]', { type: 'external', metric: 'q', value: 1, averageValue: 2 }],
    ['a malformed quantity', { ...base, metrics: [{ type: 'memory', averageValue: '1 GB' }] }, 'scaling.metrics[0].averageValue', '1 GB'],
    ['an empty metric list', { ...base, metrics: [] }, 'scaling.metrics', []],
    ['a headroom of 1', { ...base, headroom: 1 }, 'scaling.headroom', 1],
    ['an unknown VPA mode', { ...base, vpa: { mode: 'Auto' as never } }, 'scaling.vpa.mode', 'Auto'],
    ['VPA minAllowed above maxAllowed', { ...base, vpa: { containers: [{ container: 'checkout', minAllowed: { memory: '2Gi' }, maxAllowed: { memory: '1Gi' } }] } }, 'scaling.vpa.containers[0].minAllowed.memory', '2Gi'],
    ['a target of another kind', { ...base, target: { kind: 'DaemonSet' as never, name: 'x' } }, 'scaling.target.kind', 'DaemonSet'],
    ['a cron schedule above maxReplicas', { ...base, autoscaler: { kind: 'keda', serverAddress: 'http://p:9090', schedules: [{ timezone: 'UTC', start: '45 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: 20 }] } }, 'scaling.autoscaler.schedules[0].desiredReplicas', 20],
    ['a four-field cron expression', { ...base, autoscaler: { kind: 'keda', serverAddress: 'http://p:9090', schedules: [{ timezone: 'UTC', start: '45 8 * *', end: '0 18 * * 1-5', desiredReplicas: 2 }] } }, 'scaling.autoscaler.schedules[0].start', '45 8 * *'],
    ['a KEDA server address that is not a URL', { ...base, autoscaler: { kind: 'keda', serverAddress: 'prometheus:9090' } }, 'scaling.autoscaler.serverAddress', 'prometheus:9090'],
    ['scale to zero on CPU alone', { ...base, minReplicas: 0, metrics: [{ type: 'cpu', averageUtilization: 70 }], autoscaler: { kind: 'keda', serverAddress: 'http://p:9090' } }, 'scaling.minReplicas', 0],
  ])('rejects %s', (_name, scaling, field, value) => {
    const found = problems(scaling);
    expect(found).toContainEqual(expect.objectContaining({ field, value }));
    expect(found.find((p) => p.field === field)?.allowed).toMatch(/\w/);
  });

  it('rejects a VPA in Recreate mode on the CPU the HPA scales on, and says how to fix it', () => {
    const found = problems({ maxReplicas: 10, metrics: [{ type: 'cpu', averageUtilization: 70 }], vpa: { mode: 'Recreate' } });
    expect(found).toEqual([
      expect.objectContaining({ field: 'scaling.vpa.containers[0].controlledResources', value: ['cpu', 'memory'], allowed: expect.stringContaining('controlledResources: ["memory"]') }),
    ]);
  });

  it.each<[string, ScalingPolicy]>([
    ['a VPA in Off mode next to a CPU HPA', { maxReplicas: 10, metrics: [{ type: 'cpu', averageUtilization: 70 }], vpa: { mode: 'Off' } }],
    ['a memory-only VPA next to a CPU HPA', { maxReplicas: 10, metrics: [{ type: 'cpu', averageUtilization: 70 }], vpa: { mode: 'Recreate', containers: [{ container: 'checkout', controlledResources: ['memory'] }] } }],
    ['a full VPA next to an HPA on requests per second', { maxReplicas: 10, vpa: { mode: 'Initial' } }],
  ])('accepts %s', (_name, scaling) => {
    expect(problems(scaling)).toEqual([]);
  });

  it('reports every problem at once, not just the first', () => {
    const found = problems({ minReplicas: 0, maxReplicas: 10, headroom: -1, behavior: { scaleUp: { policies: [] }, scaleDown: { stabilizationWindowSeconds: 5000 } } });
    expect(found.map((p) => p.field).sort()).toEqual(
      ['scaling.behavior.scaleDown.stabilizationWindowSeconds', 'scaling.behavior.scaleUp.policies', 'scaling.headroom', 'scaling.minReplicas'].sort(),
    );
  });

  it('requires an explicit target for a per-pod metric when no capacity is declared', () => {
    expect(problems({ maxReplicas: 10, metrics: [{ type: 'requestsPerSecond' }] }, { capacity: undefined })).toEqual([
      expect.objectContaining({ field: 'scaling.metrics[0].averageValue', allowed: expect.stringContaining('capacity.requestsPerSecond') }),
    ]);
  });
});

describe('the example fleet', () => {
  it('resolves the KEDA worker example', () => {
    expect(resolveService(mailerExample).scaling?.autoscaler).toMatchObject({ kind: 'keda', schedules: [{ desiredReplicas: 20 }] });
  });
});
