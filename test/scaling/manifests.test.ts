import { Testing } from 'cdk8s';
import { resolveService } from '../../src/model';
import { ServiceAutoscaling } from '../../src/constructs/scaling';
import { mergeAdapterConfigs, quantity, scalingArtifacts } from '../../src/scaling/manifests';
import type { ServiceDefinition } from '../../src/spec';
import { validateManifest } from '../support/schema';
import { mailer, withScaling } from './fixtures';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec?: any; data?: any };

function synth(...definitions: ServiceDefinition[]): Manifest[] {
  const chart = Testing.chart();
  definitions.forEach((d, i) => new ServiceAutoscaling(chart, `scaling-${i}`, { service: resolveService(d) }));
  return Testing.synth(chart) as Manifest[];
}

const cases: Array<[string, ServiceDefinition]> = [
  ['an HPA on the declared capacity with kubernetes-default behavior', withScaling({ minReplicas: 3, maxReplicas: 30 })],
  ['a spiky HPA on requests and CPU with a recommendation-only VPA', withScaling({ maxReplicas: 200, behavior: 'spiky', metrics: [{ type: 'requestsPerSecond' }, { type: 'cpu', averageUtilization: 70 }], vpa: {} })],
  ['an HPA on in-flight requests and memory with a CPU-only StatefulSet VPA', withScaling({ maxReplicas: 12, target: { kind: 'StatefulSet', name: 'checkout-db' }, metrics: [{ type: 'inFlightRequests', averageValue: 37.5 }, { type: 'memory', averageValue: '1Gi' }], vpa: { mode: 'Initial', containers: [{ container: 'checkout', controlledResources: ['cpu'], controlledValues: 'RequestsOnly', minAllowed: { cpu: '100m' }, maxAllowed: { cpu: '4' } }] } })],
  ['an HPA on an external queue metric with steady behavior', withScaling({ maxReplicas: 40, behavior: 'steady', metrics: [{ type: 'external', metric: 'rabbitmq_queue_messages_ready', selector: { queue: 'orders' }, averageValue: 30 }] })],
  ['a KEDA worker that scales to zero with a cron floor', mailer],
];

describe('scaling manifests', () => {
  it.each(cases)('synthesizes %s, valid against the pinned schemas', (_name, definition) => {
    const manifests = synth(definition);
    expect(manifests).toMatchSnapshot();
    for (const m of manifests) expect(validateManifest(m)).toEqual([]);
  });

  it.each(cases)('places exactly the generator output into ApiObjects for %s', (_name, definition) => {
    const model = resolveService(definition);
    const artifacts = scalingArtifacts(model, { labels: { 'app.kubernetes.io/part-of': 'golden-signals' } })!;
    const expected = artifacts.autoscaler === 'hpa' ? [artifacts.horizontalPodAutoscaler] : [artifacts.scaledObject];
    if (artifacts.verticalPodAutoscaler) expected.push(artifacts.verticalPodAutoscaler as never);
    const synthesized = synth(definition).filter((m) => m.kind !== 'ConfigMap');
    expect(synthesized).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(JSON.parse(JSON.stringify(e))))));
    expect(synthesized).toHaveLength(expected.length);
  });

  it('never emits both an HPA and a ScaledObject for one workload', () => {
    for (const [, definition] of cases) {
      const kinds = synth(definition).map((m) => m.kind);
      expect(kinds.includes('HorizontalPodAutoscaler') && kinds.includes('ScaledObject')).toBe(false);
    }
  });

  it('fails synth when two services scale the same workload', () => {
    const other = { ...mailer, name: 'mailer-two', scaling: { ...mailer.scaling!, target: { kind: 'Deployment' as const, name: 'mailer' } } };
    expect(() => synth(mailer, other)).toThrow(/shop\/Deployment\/mailer is scaled twice/);
  });

  it('omits behavior for kubernetes-default, so the controller applies its own rules', () => {
    const [hpa] = synth(withScaling({ maxReplicas: 30 }));
    expect(hpa.kind).toBe('HorizontalPodAutoscaler');
    expect(hpa.spec.behavior).toBeUndefined();
  });

  it('asks the HPA for the metric name the adapter rule exposes', () => {
    const manifests = synth(withScaling({ maxReplicas: 30 }));
    const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler')!;
    const rules = manifests.find((m) => m.kind === 'ConfigMap')!.data['rules.yaml'] as string;
    expect(rules).toContain(`as: ${hpa.spec.metrics[0].pods.metric.name}`);
    expect(hpa.spec.metrics[0].pods.target).toEqual({ type: 'AverageValue', averageValue: '200' });
  });

  it('names the HPA KEDA creates after autoscalerName, which the AutoscalerMaxedOut alert queries', () => {
    const so = synth({ ...mailer, scaling: { ...mailer.scaling!, autoscalerName: 'mailer-hpa' } })[0];
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.name).toBe('mailer-hpa');
  });

  it('emits no adapter rules for an HPA on CPU and memory only', () => {
    expect(synth(withScaling({ maxReplicas: 5, metrics: [{ type: 'cpu', averageUtilization: 60 }] })).map((m) => m.kind)).toEqual(['HorizontalPodAutoscaler']);
  });

  it.each([
    [200, '200'],
    [37.5, '37500m'],
    [0.25, '250m'],
  ])('renders the per-pod target %p as the canonical quantity %p', (n, text) => {
    expect(quantity(n)).toBe(text);
  });

  it('merges fleet fragments into one adapter config without duplicate metric names', () => {
    const a = scalingArtifacts(resolveService(withScaling({ maxReplicas: 5 })));
    const b = scalingArtifacts(resolveService(withScaling({ maxReplicas: 5, metrics: [{ type: 'requestsPerSecond' }, { type: 'inFlightRequests' }] }, { name: 'catalog' })));
    if (a?.autoscaler !== 'hpa' || b?.autoscaler !== 'hpa') throw new Error('expected HPAs');
    const merged = mergeAdapterConfigs([a.adapterConfig!, b.adapterConfig!]);
    expect(merged.rules.map((r) => r.name.as)).toEqual(['http_server_requests_per_second', 'http_server_active_requests']);
  });
});
