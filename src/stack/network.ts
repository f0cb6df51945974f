/**
 * NetworkPolicies limiting who reaches the stack's pods. Ingress only: Prometheus must scrape every namespace
 * and Alertmanager must reach PagerDuty and Slack on the internet, so egress stays open. Kubelet probes keep
 * working: traffic from a pod's own node is always allowed (Kubernetes docs, "Network Policies").
 *
 * Policies add up: a pod selected by several admits what any of them admits. So the namespace-wide
 * default-deny selects every pod and admits (almost) nothing, and each component's policy admits exactly its
 * callers:
 *
 * | to | from | port |
 * | --- | --- | --- |
 * | Prometheus | Grafana, prometheus-adapter (when it runs), KEDA (when a service scales with it), `allowFrom` | 9090 |
 * | Alertmanager | Prometheus, Grafana, `allowFrom` | 9093 |
 * | Alertmanager | the other Alertmanager replicas (gossip, TCP and UDP), when there are any | 9094 |
 * | Grafana | `grafana.allowFrom` (nothing by default: `kubectl port-forward` still works) | 3000 |
 * | prometheus-adapter | the kube-apiserver proxying the metrics APIs (`adapter.apiServerFrom`, else any source) | 6443 |
 * | every other pod of the namespace | this Prometheus (scrapes) | any |
 */
import { PART_OF_LABEL, PART_OF_VALUE } from '../constructs/selectors';
import { type Component, componentLabels, type Manifest, objectName, PORT, selectorLabels } from './common';
import type { NetworkPeer, StackModel } from './options';

function peer(p: NetworkPeer): Record<string, unknown> {
  switch (p.kind) {
    case 'pods':
      return {
        ...(p.namespaceLabels !== undefined ? { namespaceSelector: { matchLabels: { ...p.namespaceLabels } } } : {}),
        podSelector: { matchLabels: { ...p.podLabels } },
      };
    case 'cidr':
      return { ipBlock: { cidr: p.cidr } };
    default:
      return assertNever(p);
  }
}

function policy(stack: StackModel, component: Component, ingress: Array<Record<string, unknown>>): Manifest {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: objectName(stack, component), namespace: stack.namespace, labels: componentLabels(stack, component) },
    spec: { podSelector: { matchLabels: selectorLabels(stack, component) }, policyTypes: ['Ingress'], ingress },
  };
}

const tcp = (port: number) => ({ protocol: 'TCP', port });
const podsOf = (stack: StackModel, c: Component) => ({ podSelector: { matchLabels: selectorLabels(stack, c) } });

/**
 * The namespace-wide policies: every pod admits nothing unless a policy says otherwise, and the pods that are
 * not this stack's (prometheus-operator, kube-state-metrics: what else runs in a monitoring namespace) admit
 * this Prometheus on any port, so they stay scraped. A label selector's `NotIn` also selects pods without the
 * label (Kubernetes docs, "Labels and Selectors"). The stack's own pods admit only their component policy's
 * callers: Prometheus has no business on Alertmanager's gossip port.
 */
function namespacePolicies(stack: StackModel): Manifest[] {
  const metadata = (name: string) => ({
    name: objectName(stack, name),
    namespace: stack.namespace,
    labels: { 'app.kubernetes.io/instance': stack.name, [PART_OF_LABEL]: PART_OF_VALUE, 'app.kubernetes.io/managed-by': 'cdk8s' },
  });
  return [
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata('scraped-by-prometheus'),
      spec: {
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'NotIn', values: [stack.name] }] },
        policyTypes: ['Ingress'],
        ingress: [{ from: [podsOf(stack, 'prometheus')] }],
      },
    },
  ];
}

/** The namespace-wide policies (unless turned off) and one policy per component the stack runs. */
export function networkPolicies(stack: StackModel): Manifest[] {
  const queriers = [podsOf(stack, 'grafana'), ...(stack.adapter ? [podsOf(stack, 'prometheus-adapter')] : []), ...(stack.keda?.peers ?? []).map(peer)];
  const grafanaFrom = stack.grafana.allowFrom.map(peer);
  const apiServerFrom = (stack.adapter?.apiServerFrom ?? []).map(peer);
  return [
    ...(stack.networkPolicy.defaultDeny ? namespacePolicies(stack) : []),
    policy(stack, 'prometheus', [{ from: [...queriers, ...stack.prometheus.allowFrom.map(peer)], ports: [tcp(PORT.prometheus)] }]),
    policy(stack, 'alertmanager', [
      { from: [podsOf(stack, 'prometheus'), podsOf(stack, 'grafana'), ...stack.alertmanager.allowFrom.map(peer)], ports: [tcp(PORT.alertmanager)] },
      // Cluster gossip between the replicas, over TCP and UDP (Alertmanager README, "High Availability").
      ...(stack.alertmanager.replicas > 1
        ? [{ from: [podsOf(stack, 'alertmanager')], ports: [tcp(PORT.alertmanagerMesh), { protocol: 'UDP', port: PORT.alertmanagerMesh }] }]
        : []),
    ]),
    // With no peer configured the list is empty: nothing may connect (kubectl port-forward still works).
    policy(stack, 'grafana', grafanaFrom.length > 0 ? [{ from: grafanaFrom, ports: [tcp(PORT.grafana)] }] : []),
    // The kube-apiserver proxies the custom and external metrics APIs to the adapter. It has no pod labels
    // and its address is the cluster's own, so without `apiServerFrom` any source may reach this one port;
    // the adapter still authenticates every call (delegated to the API server).
    ...(stack.adapter
      ? [policy(stack, 'prometheus-adapter', [{ ...(apiServerFrom.length > 0 ? { from: apiServerFrom } : {}), ports: [tcp(PORT.adapter)] }])]
      : []),
  ];
}

function assertNever(x: never): never {
  throw new Error(`unexpected peer ${JSON.stringify(x)}`);
}
