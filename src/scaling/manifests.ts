/**
 * Pure generators: a resolved service model in, scaling manifests out as plain data. The construct
 * (ServiceAutoscaling) only places them into cdk8s ApiObjects.
 */
import type { ScalingMetricModel, ScalingModel, VpaModel } from '../model/scaling';
import type { ServiceModel } from '../model/types';
import {
  AdapterRule,
  adapterMetricName,
  externalAdapterRule,
  externalMetricTotal,
  inFlightAdapterRule,
  requestRateAdapterRule,
  serviceInFlightTotal,
  serviceRequestRateTotal,
} from '../signals/autoscaling';
import { exact } from '../signals/promql';
import type { BehaviorModel, ScalingRulesModel } from './presets';

/** Metadata every generated object carries. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** `autoscaling/v2` HorizontalPodAutoscaler, as the API server stores it. */
export interface HorizontalPodAutoscalerManifest {
  readonly apiVersion: 'autoscaling/v2';
  readonly kind: 'HorizontalPodAutoscaler';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly metrics: readonly HpaMetricSpec[];
    readonly behavior?: HpaBehavior;
  };
}

/** One entry of `spec.metrics` (MetricSpec, autoscaling/v2). */
export type HpaMetricSpec =
  | { readonly type: 'Resource'; readonly resource: { readonly name: 'cpu' | 'memory'; readonly target: HpaMetricTarget } }
  | { readonly type: 'Pods'; readonly pods: { readonly metric: { readonly name: string }; readonly target: HpaMetricTarget } }
  | {
      readonly type: 'External';
      readonly external: {
        readonly metric: { readonly name: string; readonly selector?: { readonly matchLabels: Readonly<Record<string, string>> } };
        readonly target: HpaMetricTarget;
      };
    };

/** MetricTarget: exactly one of the value fields, matching `type`. */
export type HpaMetricTarget =
  | { readonly type: 'Utilization'; readonly averageUtilization: number }
  | { readonly type: 'AverageValue'; readonly averageValue: string }
  | { readonly type: 'Value'; readonly value: string };

/** `spec.behavior` (HorizontalPodAutoscalerBehavior). */
export interface HpaBehavior {
  readonly scaleUp: HpaScalingRules;
  readonly scaleDown: HpaScalingRules;
}

export interface HpaScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: string;
  readonly policies: ReadonlyArray<{ readonly type: string; readonly value: number; readonly periodSeconds: number }>;
}

/** `autoscaling.k8s.io/v1` VerticalPodAutoscaler. */
export interface VerticalPodAutoscalerManifest {
  readonly apiVersion: 'autoscaling.k8s.io/v1';
  readonly kind: 'VerticalPodAutoscaler';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly targetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
    readonly updatePolicy: { readonly updateMode: string };
    readonly resourcePolicy: {
      readonly containerPolicies: ReadonlyArray<{
        readonly containerName: string;
        readonly mode: string;
        readonly minAllowed?: Readonly<Record<string, string>>;
        readonly maxAllowed?: Readonly<Record<string, string>>;
        readonly controlledResources: readonly string[];
        readonly controlledValues: string;
      }>;
    };
  };
}

/** `keda.sh/v1alpha1` ScaledObject. */
export interface ScaledObjectManifest {
  readonly apiVersion: 'keda.sh/v1alpha1';
  readonly kind: 'ScaledObject';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
    readonly pollingInterval: number;
    readonly cooldownPeriod: number;
    readonly minReplicaCount: number;
    readonly maxReplicaCount: number;
    readonly advanced: { readonly horizontalPodAutoscalerConfig: { readonly name: string; readonly behavior?: HpaBehavior } };
    readonly triggers: readonly KedaTrigger[];
  };
}

/** One ScaledObject trigger; KEDA wants every metadata value as a string. */
export interface KedaTrigger {
  readonly type: 'prometheus' | 'cpu' | 'memory' | 'cron';
  readonly name: string;
  readonly metricType?: 'AverageValue' | 'Value' | 'Utilization';
  readonly metadata: Readonly<Record<string, string>>;
}

/** prometheus-adapter configuration fragment: the rules this service's HPA needs. */
export interface AdapterConfig {
  readonly rules: readonly AdapterRule[];
  readonly externalRules: readonly AdapterRule[];
}

/** A `v1` ConfigMap holding an adapter fragment. */
export interface ConfigMapManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  readonly data: Readonly<Record<string, string>>;
}

/**
 * Everything one service's scaling policy turns into. HPA and KEDA are exclusive by construction: a
 * ScaledObject creates its own HPA, and KEDA's webhook rejects a target that already has one.
 */
export type ScalingArtifacts =
  | {
      readonly autoscaler: 'hpa';
      readonly horizontalPodAutoscaler: HorizontalPodAutoscalerManifest;
      /** Present when the HPA asks for custom or external metrics. */
      readonly adapterConfig?: AdapterConfig;
      readonly verticalPodAutoscaler?: VerticalPodAutoscalerManifest;
    }
  | {
      readonly autoscaler: 'keda';
      readonly scaledObject: ScaledObjectManifest;
      readonly verticalPodAutoscaler?: VerticalPodAutoscalerManifest;
    };

/** Options of the generators. */
export interface ScalingManifestOptions {
  /** Extra labels on every object (e.g. the stack selector labels). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The scaling objects of one service, or `undefined` when its definition has no `scaling` section.
 *
 * @example
 * const artifacts = scalingArtifacts(resolveService(checkout));
 * if (artifacts?.autoscaler === 'hpa') artifacts.horizontalPodAutoscaler.spec.maxReplicas; // 30
 */
export function scalingArtifacts(model: ServiceModel, options: ScalingManifestOptions = {}): ScalingArtifacts | undefined {
  const scaling = model.scaling;
  if (!scaling) return undefined;
  const vpa = scaling.vpa && verticalPodAutoscaler(model, scaling.vpa, options);
  switch (scaling.autoscaler.kind) {
    case 'hpa': {
      const adapter = adapterConfig(model);
      return {
        autoscaler: 'hpa',
        horizontalPodAutoscaler: horizontalPodAutoscaler(model, options),
        ...(adapter ? { adapterConfig: adapter } : {}),
        ...(vpa ? { verticalPodAutoscaler: vpa } : {}),
      };
    }
    case 'keda':
      return { autoscaler: 'keda', scaledObject: scaledObject(model, options), ...(vpa ? { verticalPodAutoscaler: vpa } : {}) };
  }
}

function metadata(model: ServiceModel, name: string, options: ScalingManifestOptions): ObjectMeta {
  return { name, namespace: model.namespace, labels: { 'app.kubernetes.io/name': model.name, ...options.labels } };
}

function requireScaling(model: ServiceModel): ScalingModel {
  if (!model.scaling) throw new Error(`service "${model.name}" has no scaling section`);
  return model.scaling;
}

/**
 * Renders a per-pod target as a canonical Kubernetes quantity: whole numbers plain, fractions in milli-units
 * (`187.5` → `"187500m"`), the form the API server stores, so a GitOps diff stays empty after apply.
 */
export function quantity(n: number): string {
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

/** The `autoscaling/v2` HPA of a service scaled by a plain HPA. */
export function horizontalPodAutoscaler(model: ServiceModel, options: ScalingManifestOptions = {}): HorizontalPodAutoscalerManifest {
  const s = requireScaling(model);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(model, s.autoscalerName, options),
    spec: {
      scaleTargetRef: { ...s.target },
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      metrics: s.metrics.map((m) => hpaMetric(model, m)),
      ...(s.behavior ? { behavior: hpaBehavior(s.behavior) } : {}),
    },
  };
}

function hpaMetric(model: ServiceModel, m: ScalingMetricModel): HpaMetricSpec {
  switch (m.type) {
    case 'cpu':
    case 'memory':
      return { type: 'Resource', resource: { name: m.type, target: m.target } };
    case 'requestsPerSecond':
    case 'inFlightRequests':
      return { type: 'Pods', pods: { metric: { name: adapterMetricName(m.type, model.kind) }, target: { type: 'AverageValue', averageValue: quantity(m.averageValue) } } };
    case 'external': {
      const selector = Object.keys(m.selector).length > 0 ? { selector: { matchLabels: { ...m.selector } } } : {};
      const target: HpaMetricTarget = m.target.type === 'AverageValue'
        ? { type: 'AverageValue', averageValue: quantity(m.target.averageValue) }
        : { type: 'Value', value: quantity(m.target.value) };
      return { type: 'External', external: { metric: { name: m.metric, ...selector }, target } };
    }
  }
}

function hpaBehavior(b: BehaviorModel): HpaBehavior {
  const rules = (r: ScalingRulesModel): HpaScalingRules => ({
    stabilizationWindowSeconds: r.stabilizationWindowSeconds,
    selectPolicy: r.selectPolicy,
    policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  });
  return { scaleUp: rules(b.scaleUp), scaleDown: rules(b.scaleDown) };
}

/**
 * The prometheus-adapter rules the service's HPA needs, or `undefined` when it scales on CPU and memory
 * only (served by metrics-server) or through KEDA, which queries Prometheus itself and serves
 * external.metrics.k8s.io on its own (an adapter claiming that API too would conflict with KEDA's
 * APIService). Deduplicate fleet-wide with {@link mergeAdapterConfigs}.
 */
export function adapterConfig(model: ServiceModel): AdapterConfig | undefined {
  const s = requireScaling(model);
  if (s.autoscaler.kind === 'keda') return undefined;
  const rules: AdapterRule[] = [];
  const externalRules: AdapterRule[] = [];
  for (const m of s.metrics) {
    switch (m.type) {
      case 'cpu':
      case 'memory':
        break;
      case 'requestsPerSecond':
        rules.push(requestRateAdapterRule(model.kind, s.rateWindow));
        break;
      case 'inFlightRequests':
        rules.push(inFlightAdapterRule());
        break;
      case 'external':
        externalRules.push(externalAdapterRule(m.metric));
        break;
    }
  }
  if (rules.length === 0 && externalRules.length === 0) return undefined;
  return mergeAdapterConfigs([{ rules, externalRules }]);
}

/**
 * Merges adapter fragments into one configuration, dropping rules that expose a metric name already
 * exposed (the adapter config is cluster-global, and two rules for one name make its discovery ambiguous).
 * The first rule for a name wins; fragments from the same library version generate identical rules.
 */
export function mergeAdapterConfigs(fragments: readonly AdapterConfig[]): AdapterConfig {
  const pick = (all: readonly AdapterRule[]) => {
    const seen = new Set<string>();
    return all.filter((r) => (seen.has(r.name.as) ? false : (seen.add(r.name.as), true)));
  };
  return { rules: pick(fragments.flatMap((f) => f.rules)), externalRules: pick(fragments.flatMap((f) => f.externalRules)) };
}

/** The VPA of a service. */
export function verticalPodAutoscaler(model: ServiceModel, vpa: VpaModel, options: ScalingManifestOptions = {}): VerticalPodAutoscalerManifest {
  const s = requireScaling(model);
  return {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: metadata(model, model.name, options),
    spec: {
      targetRef: { ...s.target },
      updatePolicy: { updateMode: vpa.mode },
      resourcePolicy: {
        containerPolicies: vpa.containers.map((c) => ({
          containerName: c.container,
          mode: c.mode,
          ...(c.minAllowed ? { minAllowed: { ...c.minAllowed } } : {}),
          ...(c.maxAllowed ? { maxAllowed: { ...c.maxAllowed } } : {}),
          controlledResources: [...c.controlledResources],
          controlledValues: c.controlledValues,
        })),
      },
    },
  };
}

/**
 * The KEDA ScaledObject of a service scaled by KEDA. Each metric becomes a trigger; KEDA's HPA gets the
 * configured name and behavior, so alerts on `kube_horizontalpodautoscaler_*` and the behavior presets work
 * the same as with a plain HPA.
 */
export function scaledObject(model: ServiceModel, options: ScalingManifestOptions = {}): ScaledObjectManifest {
  const s = requireScaling(model);
  if (s.autoscaler.kind !== 'keda') throw new Error(`service "${model.name}" is not scaled by KEDA`);
  const keda = s.autoscaler;
  const prometheus = (name: string, query: string, threshold: number, metricType: 'AverageValue' | 'Value'): KedaTrigger => ({
    type: 'prometheus',
    name,
    // AverageValue: KEDA's HPA computes ceil(query result / threshold) replicas (External, averageValue).
    metricType,
    metadata: {
      serverAddress: keda.serverAddress,
      query,
      threshold: exact(threshold),
      activationThreshold: exact(keda.activationThreshold),
    },
  });
  const triggers: KedaTrigger[] = s.metrics.map((m): KedaTrigger => {
    switch (m.type) {
      case 'cpu':
      case 'memory':
        return m.target.type === 'Utilization'
          ? { type: m.type, name: m.type, metricType: 'Utilization', metadata: { value: String(m.target.averageUtilization) } }
          : { type: m.type, name: m.type, metricType: 'AverageValue', metadata: { value: m.target.averageValue } };
      case 'requestsPerSecond':
        return prometheus('requests-per-second', serviceRequestRateTotal(model.scope, s.rateWindow), m.averageValue, 'AverageValue');
      case 'inFlightRequests':
        return prometheus('in-flight-requests', serviceInFlightTotal(model.scope), m.averageValue, 'AverageValue');
      case 'external':
        return m.target.type === 'AverageValue'
          ? prometheus(`external-${m.metric.replace(/[_:]/g, '-').toLowerCase()}`, externalMetricTotal(m.metric, m.selector), m.target.averageValue, 'AverageValue')
          : prometheus(`external-${m.metric.replace(/[_:]/g, '-').toLowerCase()}`, externalMetricTotal(m.metric, m.selector), m.target.value, 'Value');
    }
  });
  keda.schedules.forEach((c, i) =>
    triggers.push({
      type: 'cron',
      name: `schedule-${i}`,
      metadata: { timezone: c.timezone, start: c.start, end: c.end, desiredReplicas: String(c.desiredReplicas) },
    }),
  );
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: metadata(model, model.name, options),
    spec: {
      scaleTargetRef: { ...s.target },
      pollingInterval: keda.pollingIntervalSeconds,
      cooldownPeriod: keda.cooldownPeriodSeconds,
      minReplicaCount: s.minReplicas,
      maxReplicaCount: s.maxReplicas,
      advanced: { horizontalPodAutoscalerConfig: { name: s.autoscalerName, ...(s.behavior ? { behavior: hpaBehavior(s.behavior) } : {}) } },
      triggers,
    },
  };
}
