/**
 * Checkers for the stack tests: the Kubernetes "restricted" Pod Security Standard (v1.28,
 * kubernetes.io/docs/concepts/security/pod-security-standards/#restricted) plus our own bar (read-only root
 * filesystem, requests and limits), label selectors, and NetworkPolicy ingress evaluation.
 */
type Obj = Record<string, any>;

const ALLOWED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Containers prometheus-operator generates per CR kind, each of which the CR must patch to restricted. */
export const OPERATOR_CONTAINERS: Record<string, { containers: string[]; initContainers: string[] }> = {
  Prometheus: { containers: ['prometheus', 'config-reloader'], initContainers: ['init-config-reloader'] },
  Alertmanager: { containers: ['alertmanager', 'config-reloader'], initContainers: ['init-config-reloader'] },
};

/** The pod a manifest runs, as far as the manifest decides it; undefined for kinds that run no pod. */
export function podOf(m: Obj): { pod: Obj; containers: Obj[]; mainResources?: Obj } | undefined {
  switch (m.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      return { pod: m.spec.template.spec, containers: [...(m.spec.template.spec.initContainers ?? []), ...m.spec.template.spec.containers] };
    case 'Prometheus':
    case 'Alertmanager':
      return { pod: m.spec, containers: [...(m.spec.initContainers ?? []), ...(m.spec.containers ?? [])], mainResources: m.spec.resources };
    default:
      return undefined;
  }
}

/** Violations of the restricted profile and of our resource bar, as readable strings (empty when compliant). */
export function restrictedViolations(m: Obj): string[] {
  const found = podOf(m);
  if (!found) return [];
  const { pod, containers } = found;
  const id = `${m.kind}/${m.metadata.name}`;
  const out: string[] = [];
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[f]) out.push(`${id}: ${f}`);
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!ALLOWED_VOLUMES.includes(type!)) out.push(`${id}: volume ${v.name} of type ${type}`);
  }
  const podSc = pod.securityContext ?? {};
  if (podSc.runAsUser === 0) out.push(`${id}: pod runAsUser 0`);
  const expected = OPERATOR_CONTAINERS[m.kind];
  if (expected) {
    const names = (l: Obj[] | undefined) => (l ?? []).map((c) => c.name).sort();
    if (JSON.stringify(names(pod.containers)) !== JSON.stringify([...expected.containers].sort())) out.push(`${id}: containers patched ${names(pod.containers)}`);
    if (JSON.stringify(names(pod.initContainers)) !== JSON.stringify([...expected.initContainers].sort())) out.push(`${id}: initContainers patched ${names(pod.initContainers)}`);
  }
  for (const c of containers) {
    const at = `${id} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.privileged) out.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities do not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`${at}: adds capability ${cap}`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${at}: runs as root`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${at}: seccomp ${seccomp}`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: root filesystem is writable`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${at}: hostPort ${p.hostPort}`);
    // The operator's main container takes its resources from spec.resources.
    const r = c.resources ?? (expected?.containers[0] === c.name ? found.mainResources : undefined);
    for (const side of ['requests', 'limits']) for (const k of ['cpu', 'memory']) if (!r?.[side]?.[k]) out.push(`${at}: no ${side}.${k}`);
  }
  return out;
}

/**
 * Whether a label selector selects these labels (Kubernetes label selector semantics: `matchLabels` and
 * `matchExpressions` ANDed; `NotIn` and `DoesNotExist` also hold for a label that is absent).
 */
export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const expressionHolds = (e: Obj): boolean => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In':
        return has && e.values.includes(labels[e.key]);
      case 'NotIn':
        return !has || !e.values.includes(labels[e.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  };
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) && (selector.matchExpressions ?? []).every(expressionHolds);
}

export interface Source {
  readonly namespace: string;
  readonly namespaceLabels?: Record<string, string>;
  readonly podLabels: Record<string, string>;
}

/**
 * Whether a connection from `source` to a pod with `targetLabels` in `policyNamespace` on port/protocol is
 * allowed by the policies that select that pod (NetworkPolicy semantics: selected pods allow only what some
 * ingress rule allows; unselected pods allow everything).
 */
export function ingressAllowed(policies: Obj[], policyNamespace: string, targetLabels: Record<string, string>, source: Source, port: number, protocol = 'TCP'): boolean {
  const applicable = policies.filter((p) => p.metadata.namespace === policyNamespace && selects(p.spec.podSelector, targetLabels) && p.spec.policyTypes.includes('Ingress'));
  if (applicable.length === 0) return true;
  return applicable.some((p) =>
    (p.spec.ingress ?? []).some((rule: Obj) => {
      const portOk = !rule.ports || rule.ports.some((rp: Obj) => rp.port === port && (rp.protocol ?? 'TCP') === protocol);
      const fromOk =
        !rule.from ||
        rule.from.some((peer: Obj) => {
          if (peer.ipBlock) return false;
          const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, source.namespaceLabels ?? {}) : source.namespace === policyNamespace;
          const podOk = peer.podSelector ? selects(peer.podSelector, source.podLabels) : true;
          return nsOk && podOk;
        });
      return portOk && fromOk;
    }),
  );
}
