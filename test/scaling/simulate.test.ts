import { resolveService } from '../../src/model';
import { DAILY_PEAK, FLASH_CROWD, profilePeak, SLOW_RAMP, trafficAt } from '../../src/scaling/simulator/profiles';
import { simulate } from '../../src/scaling/simulator/simulate';
import { simulationSvg } from '../../src/scaling/simulator/svg';
import type { BehaviorPresetName } from '../../src/spec/scaling';
import { withScaling } from './fixtures';

const stream = (behavior: BehaviorPresetName) => resolveService(withScaling({ minReplicas: 3, maxReplicas: 250, behavior }));

describe('traffic profiles', () => {
  it.each([
    ['flash-crowd', FLASH_CROWD, 0, 1000],
    ['flash-crowd', FLASH_CROWD, 13 * 60, 50_000],
    ['flash-crowd', FLASH_CROWD, 11.5 * 60, 25_500],
    ['daily-peak', DAILY_PEAK, 20 * 3600, 10_000],
    ['slow-ramp', SLOW_RAMP, 3600, 5500],
  ])('%s interpolates linearly between its points', (_name, profile, t, rps) => {
    expect(trafficAt(profile, t)).toBeCloseTo(rps, 6);
  });
});

describe('the scaling simulator', () => {
  const def = simulate(stream('kubernetes-default'), FLASH_CROWD);
  const spiky = simulate(stream('spiky'), FLASH_CROWD);
  const fixed = simulate(stream('spiky'), FLASH_CROWD, { fixedReplicas: Math.ceil(profilePeak(FLASH_CROWD) / 250) });

  it('serves everything with a fixed fleet sized for the peak, at the highest cost', () => {
    expect(fixed.totals.overloadShare).toBe(0);
    expect(fixed.totals.podHours).toBeCloseTo((200 * 100) / 60, 6);
    expect(def.totals.podHours).toBeLessThan(fixed.totals.podHours);
    expect(spiky.totals.podHours).toBeLessThan(fixed.totals.podHours);
  });

  it('overloads during the flash crowd while pods start, then recovers', () => {
    for (const r of [def, spiky]) {
      expect(r.totals.overloadShare).toBeGreaterThan(0);
      expect(r.totals.timeToRecoverSeconds).toBeGreaterThan(60);
      expect(r.totals.timeToRecoverSeconds).toBeLessThan(15 * 60);
      const atPeak = r.steps.find((s) => s.t === 30 * 60)!;
      expect(atPeak.overloadShare).toBe(0);
      expect(atPeak.loadPerPod).toBeLessThanOrEqual(250);
    }
  });

  it('sheds pods more slowly with spiky (5% a minute after 10 minutes) than with the 5-minute default', () => {
    const after = (r: typeof def) => r.steps.find((s) => s.t === 80 * 60)!.replicas;
    expect(after(spiky)).toBeGreaterThan(after(def));
  });

  it('never exceeds maxReplicas nor goes below minReplicas', () => {
    for (const r of [def, spiky]) for (const s of r.steps) expect(s.replicas).toBeGreaterThanOrEqual(3), expect(s.replicas).toBeLessThanOrEqual(250);
  });

  it('is deterministic', () => {
    expect(simulate(stream('spiky'), FLASH_CROWD).totals).toEqual(spiky.totals);
  });

  it.each([DAILY_PEAK, SLOW_RAMP])('follows the $name profile with little overload', (profile) => {
    const r = simulate(stream('steady'), profile);
    expect(r.totals.overloadShare).toBeLessThan(0.01);
    expect(r.totals.peakReplicas).toBeGreaterThanOrEqual(Math.ceil(profilePeak(profile) / 250));
  });

  it('simulates a CPU-scaled service and a KEDA-scaled one', () => {
    const cpu = simulate(resolveService(withScaling({ maxReplicas: 250, metrics: [{ type: 'cpu', averageUtilization: 70 }] })), SLOW_RAMP);
    expect(cpu.totals.peakReplicas).toBeGreaterThan(40);
    const keda = simulate(resolveService(withScaling({ maxReplicas: 250, autoscaler: { kind: 'keda', serverAddress: 'http://p:9090' } })), SLOW_RAMP);
    expect(keda.policy).toBe('keda/kubernetes-default');
    expect(keda.totals.peakReplicas).toBeGreaterThanOrEqual(50);
  });

  it('refuses a service without a declared request capacity', () => {
    expect(() => simulate(resolveService(withScaling({ maxReplicas: 5 }, { capacity: undefined })), SLOW_RAMP)).toThrow(/capacity\.requestsPerSecond/);
  });

  it('draws one replica line and one capacity line per run', () => {
    const svg = simulationSvg([def, spiky, fixed]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(1 + 2 * 3);
    expect(svg).toContain('hpa/spiky: overload');
  });
});
