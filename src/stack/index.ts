/**
 * The platform stack as plain manifests: Prometheus and Alertmanager (prometheus-operator CRs), Grafana,
 * prometheus-adapter and NetworkPolicies; or, next to an existing kube-prometheus-stack, only what it loads by label.
 */
import { adapterConfigMap, adapterManifests } from './adapter';
import type { Manifest } from './common';
import { grafanaManifests } from './grafana';
import { networkPolicies } from './network';
import type { StackModel } from './options';
import { alertmanagerManifests, prometheusManifests } from './prometheus';

export * from './adapter';
export * from './common';
export * from './grafana';
export * from './network';
export * from './options';
export * from './prometheus';

/**
 * Every manifest of the stack, in a stable order. In `kube-prometheus-stack` mode that is only the adapter's
 * rule ConfigMap (when there are rules): the chart already runs Prometheus, Alertmanager and Grafana, and
 * loads dashboards, rules and monitors by label.
 *
 * @example
 * const manifests = stackManifests(resolveStack({ namespace: 'monitoring' }));
 */
export function stackManifests(stack: StackModel): Manifest[] {
  switch (stack.mode.kind) {
    case 'own':
      return [...prometheusManifests(stack), ...alertmanagerManifests(stack), ...grafanaManifests(stack), ...adapterManifests(stack), ...networkPolicies(stack)];
    case 'kube-prometheus-stack':
      return stack.adapterConfigs.some((f) => f.rules.length + f.externalRules.length > 0) ? [adapterConfigMap(stack)] : [];
    default:
      return assertNever(stack.mode);
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown stack mode ${JSON.stringify(x)}`);
}
