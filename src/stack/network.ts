/**
 * NetworkPolicies limiting who reaches Prometheus, Alertmanager and Grafana. Ingress only: Prometheus must
 * scrape every namespace and Alertmanager must reach PagerDuty and Slack on the internet, so egress stays open.
 * Kubelet probes keep working: traffic from a pod's own node is always allowed (Kubernetes docs,
 * "Network Policies"). prometheus-adapter gets no policy: its caller is the kube-apiserver, whose address is
 * cluster-specific and not selectable by labels.
 */
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

/** One NetworkPolicy each for Prometheus, Alertmanager and Grafana. */
export function networkPolicies(stack: StackModel): Manifest[] {
  const queriers = [podsOf(stack, 'grafana'), ...(stack.adapter ? [podsOf(stack, 'prometheus-adapter')] : [])];
  const grafanaFrom = stack.grafana.allowFrom.map(peer);
  return [
    policy(stack, 'prometheus', [{ from: [...queriers, ...stack.prometheus.allowFrom.map(peer)], ports: [tcp(PORT.prometheus)] }]),
    policy(stack, 'alertmanager', [
      { from: [podsOf(stack, 'prometheus'), podsOf(stack, 'grafana'), ...stack.alertmanager.allowFrom.map(peer)], ports: [tcp(PORT.alertmanager)] },
      // Cluster gossip between the replicas, over TCP and UDP (Alertmanager README, "High Availability").
      { from: [podsOf(stack, 'alertmanager')], ports: [tcp(PORT.alertmanagerMesh), { protocol: 'UDP', port: PORT.alertmanagerMesh }] },
    ]),
    // With no peer configured the list is empty: nothing may connect (kubectl port-forward still works).
    policy(stack, 'grafana', grafanaFrom.length > 0 ? [{ from: grafanaFrom, ports: [tcp(PORT.grafana)] }] : []),
  ];
}

function assertNever(x: never): never {
  throw new Error(`unexpected peer ${JSON.stringify(x)}`);
}
