/**
 * The construct shell around the scaling generators: places the generated HPA (or KEDA ScaledObject), VPA and
 * prometheus-adapter rules into cdk8s ApiObjects. No decisions are made here; they are all in the
 * resolved model and the generators.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  ScaledObject,
  ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior,
} from '../../imports/keda-keda.sh';
import {
  VerticalPodAutoscaler,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues as VpaControlledValues,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMaxAllowed as VpaMaxAllowed,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMinAllowed as VpaMinAllowed,
  VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesMode as VpaContainerMode,
  VerticalPodAutoscalerSpecUpdatePolicyUpdateMode as VpaUpdateMode,
} from '../../imports/vpa-autoscaling.k8s.io';
import type { ServiceModel } from '../model/types';
import {
  AdapterConfig,
  HorizontalPodAutoscalerManifest,
  HpaBehavior,
  HpaMetricTarget,
  ObjectMeta,
  ScaledObjectManifest,
  scalingArtifacts,
  VerticalPodAutoscalerManifest,
} from '../scaling/manifests';
import { STACK_SELECTOR_LABELS } from './selectors';
import { manifestYaml } from '../yaml';

/** Label that marks a ConfigMap as a prometheus-adapter rules fragment, for whoever assembles the adapter config. */
export const ADAPTER_FRAGMENT_LABEL = 'golden-signals.dev/prometheus-adapter-rules';

/** Props of {@link ServiceAutoscaling}. */
export interface ServiceAutoscalingProps {
  /** The resolved service (from `resolveService`); it must have a `scaling` section. */
  readonly service: ServiceModel;
  /** Labels added to every object. @default STACK_SELECTOR_LABELS (`app.kubernetes.io/part-of: golden-signals`) */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Emit the prometheus-adapter rules this service needs as a ConfigMap fragment
   * (`<service>-prometheus-adapter-rules`, key `rules.yaml`, labelled {@link ADAPTER_FRAGMENT_LABEL}).
   * The adapter's config is cluster-global: the platform merges fragments into it (see `mergeAdapterConfigs`).
   * @default true
   */
  readonly adapterRules?: boolean;
}

/**
 * A service's autoscaling: a HorizontalPodAutoscaler (autoscaling/v2) plus prometheus-adapter rules, or a
 * KEDA ScaledObject instead, and an optional VerticalPodAutoscaler, from the definition's `scaling` section.
 * Two of these in one app that target the same workload are a synth-time error: two autoscalers would
 * fight, and KEDA's webhook rejects a ScaledObject whose target already has an HPA.
 *
 * @example
 * const model = resolveService(checkout);
 * new ServiceAutoscaling(chart, 'checkout-scaling', { service: model });
 */
export class ServiceAutoscaling extends Construct {
  /** The HPA, when the service is scaled by a plain HPA. */
  readonly horizontalPodAutoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The ScaledObject, when the service is scaled by KEDA. */
  readonly scaledObject?: ScaledObject;
  readonly verticalPodAutoscaler?: VerticalPodAutoscaler;
  /** The prometheus-adapter rules fragment, when the HPA asks for custom or external metrics. */
  readonly adapterRules?: k8s.KubeConfigMap;
  /** `<namespace>/<kind>/<name>` of the scaled workload. */
  readonly workload: string;

  constructor(scope: Construct, id: string, props: ServiceAutoscalingProps) {
    super(scope, id);
    const { service } = props;
    const artifacts = scalingArtifacts(service, { labels: props.labels ?? STACK_SELECTOR_LABELS });
    if (!artifacts || !service.scaling) {
      throw new Error(`ServiceAutoscaling: service "${service.name}" has no scaling section; add scaling: { maxReplicas } to its definition`);
    }
    this.workload = `${service.namespace}/${service.scaling.target.kind}/${service.scaling.target.name}`;
    switch (artifacts.autoscaler) {
      case 'hpa':
        this.horizontalPodAutoscaler = hpaObject(this, artifacts.horizontalPodAutoscaler);
        if (artifacts.adapterConfig && (props.adapterRules ?? true)) {
          this.adapterRules = adapterConfigMap(this, service, artifacts.adapterConfig, props.labels ?? STACK_SELECTOR_LABELS);
        }
        break;
      case 'keda':
        this.scaledObject = scaledObjectObject(this, artifacts.scaledObject);
        break;
    }
    if (artifacts.verticalPodAutoscaler) this.verticalPodAutoscaler = vpaObject(this, artifacts.verticalPodAutoscaler);

    // Registered per app as they are created, so the check costs O(1) per construct instead of a walk of
    // the whole tree each (which made a 500-service synth quadratic: bench/synth).
    const root = this.node.root;
    const byWorkload = scalersByApp.get(root) ?? new Map<string, ServiceAutoscaling[]>();
    scalersByApp.set(root, byWorkload);
    const scalers = byWorkload.get(this.workload) ?? [];
    byWorkload.set(this.workload, [...scalers, this]);
    this.node.addValidation({
      validate: () =>
        (byWorkload.get(this.workload) ?? [])
          .filter((o) => o !== this)
          .map((o) => `${this.workload} is scaled twice (also by ${o.node.path}): one HPA or one ScaledObject per workload`),
    });
  }
}

/** Every ServiceAutoscaling of an app, by the workload it scales. */
const scalersByApp = new WeakMap<object, Map<string, ServiceAutoscaling[]>>();

function meta(m: ObjectMeta) {
  return { name: m.name, namespace: m.namespace, labels: { ...m.labels } };
}

function q(text: string): k8s.Quantity {
  return k8s.Quantity.fromString(text);
}

function target(t: HpaMetricTarget): k8s.MetricTargetV2 {
  switch (t.type) {
    case 'Utilization':
      return { type: t.type, averageUtilization: t.averageUtilization };
    case 'AverageValue':
      return { type: t.type, averageValue: q(t.averageValue) };
    case 'Value':
      return { type: t.type, value: q(t.value) };
  }
}

function behavior(b: HpaBehavior): k8s.HorizontalPodAutoscalerBehaviorV2 {
  return {
    scaleUp: { ...b.scaleUp, policies: b.scaleUp.policies.map((p) => ({ ...p })) },
    scaleDown: { ...b.scaleDown, policies: b.scaleDown.policies.map((p) => ({ ...p })) },
  };
}

function hpaObject(scope: Construct, m: HorizontalPodAutoscalerManifest): k8s.KubeHorizontalPodAutoscalerV2 {
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'hpa', {
    metadata: meta(m.metadata),
    spec: {
      scaleTargetRef: { ...m.spec.scaleTargetRef },
      minReplicas: m.spec.minReplicas,
      maxReplicas: m.spec.maxReplicas,
      metrics: m.spec.metrics.map((x): k8s.MetricSpecV2 => {
        switch (x.type) {
          case 'Resource':
            return { type: x.type, resource: { name: x.resource.name, target: target(x.resource.target) } };
          case 'Pods':
            return { type: x.type, pods: { metric: { name: x.pods.metric.name }, target: target(x.pods.target) } };
          case 'External':
            return {
              type: x.type,
              external: {
                metric: { name: x.external.metric.name, ...(x.external.metric.selector ? { selector: { matchLabels: { ...x.external.metric.selector.matchLabels } } } : {}) },
                target: target(x.external.target),
              },
            };
        }
      }),
      ...(m.spec.behavior ? { behavior: behavior(m.spec.behavior) } : {}),
    },
  });
}

function adapterConfigMap(scope: Construct, service: ServiceModel, config: AdapterConfig, labels: Readonly<Record<string, string>>): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, 'adapter-rules', {
    metadata: {
      name: `${service.name}-prometheus-adapter-rules`,
      namespace: service.namespace,
      labels: { 'app.kubernetes.io/name': service.name, ...labels, [ADAPTER_FRAGMENT_LABEL]: 'true' },
    },
    // Like every YAML file this library writes: quoted where a YAML 1.1 parser would misread a string.
    data: { 'rules.yaml': manifestYaml(config) },
  });
}

function vpaObject(scope: Construct, m: VerticalPodAutoscalerManifest): VerticalPodAutoscaler {
  const amounts = <T>(r: Readonly<Record<string, string>> | undefined, wrap: (s: string) => T) =>
    r ? Object.fromEntries(Object.entries(r).map(([k, v]) => [k, wrap(v)])) : undefined;
  return new VerticalPodAutoscaler(scope, 'vpa', {
    metadata: meta(m.metadata),
    spec: {
      targetRef: { ...m.spec.targetRef },
      updatePolicy: { updateMode: m.spec.updatePolicy.updateMode as VpaUpdateMode },
      resourcePolicy: {
        containerPolicies: m.spec.resourcePolicy.containerPolicies.map((c) => ({
          containerName: c.containerName,
          mode: c.mode as VpaContainerMode,
          minAllowed: amounts(c.minAllowed, VpaMinAllowed.fromString),
          maxAllowed: amounts(c.maxAllowed, VpaMaxAllowed.fromString),
          controlledResources: [...c.controlledResources],
          controlledValues: c.controlledValues as VpaControlledValues,
        })),
      },
    },
  });
}

function scaledObjectObject(scope: Construct, m: ScaledObjectManifest): ScaledObject {
  const hpaConfig = m.spec.advanced.horizontalPodAutoscalerConfig;
  return new ScaledObject(scope, 'scaled-object', {
    metadata: meta(m.metadata),
    spec: {
      scaleTargetRef: { ...m.spec.scaleTargetRef },
      pollingInterval: m.spec.pollingInterval,
      cooldownPeriod: m.spec.cooldownPeriod,
      minReplicaCount: m.spec.minReplicaCount,
      maxReplicaCount: m.spec.maxReplicaCount,
      advanced: {
        horizontalPodAutoscalerConfig: {
          name: hpaConfig.name,
          ...(hpaConfig.behavior ? { behavior: hpaConfig.behavior as ScaledObjectSpecAdvancedHorizontalPodAutoscalerConfigBehavior } : {}),
        },
      },
      triggers: m.spec.triggers.map((t) => ({ type: t.type, name: t.name, ...(t.metricType ? { metricType: t.metricType } : {}), metadata: { ...t.metadata } })),
    },
  });
}
