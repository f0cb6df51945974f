/**
 * Shared pieces of the stack's manifests: object shape, labels, and the security settings of the Kubernetes
 * "restricted" Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).
 */
import { PART_OF_LABEL, PART_OF_VALUE } from '../constructs/selectors';
import type { ContainerResources, StackModel } from './options';

/** A Kubernetes object as plain JSON. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** The stack's components; each is `app.kubernetes.io/name` of its pods. */
export type Component = 'prometheus' | 'alertmanager' | 'grafana' | 'prometheus-adapter';

/** Labels that select a component's pods (prometheus-operator puts the same two on the pods it creates). */
export function selectorLabels(stack: StackModel, component: Component): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': stack.name };
}

/** Labels on every object of a component (Kubernetes recommended labels). */
export function componentLabels(stack: StackModel, component: Component): Record<string, string> {
  return { ...selectorLabels(stack, component), [PART_OF_LABEL]: PART_OF_VALUE, 'app.kubernetes.io/managed-by': 'cdk8s' };
}

/** Object name of a component: `<stack>-<component>`. */
export function objectName(stack: StackModel, component: Component | string): string {
  return `${stack.name}-${component}`;
}

export function meta(stack: StackModel, component: Component, name = objectName(stack, component)): Manifest['metadata'] {
  return { name, namespace: stack.namespace, labels: componentLabels(stack, component) };
}

/**
 * Pod-level settings of the restricted profile: never root, RuntimeDefault seccomp. `fsGroup` makes mounted
 * volumes writable by the non-root user.
 */
export function restrictedPodSecurity(uid: number): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

/**
 * Container-level settings of the restricted profile (no privilege escalation, every capability dropped,
 * RuntimeDefault seccomp, non-root) plus a read-only root filesystem: anything a process must write goes to
 * an explicit emptyDir.
 */
export const RESTRICTED_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

export function resources(r: ContainerResources): Record<string, unknown> {
  return { requests: { cpu: r.requests.cpu, memory: r.requests.memory }, limits: { cpu: r.limits.cpu, memory: r.limits.memory } };
}

/** In-cluster URL of a Service port. */
export function serviceUrl(stack: StackModel, service: string, port: number, scheme = 'http'): string {
  return `${scheme}://${service}.${stack.namespace}.svc:${port}`;
}

/** Well-known ports. */
export const PORT = {
  prometheus: 9090,
  alertmanager: 9093,
  /** Alertmanager cluster gossip, TCP and UDP (Alertmanager README, "High Availability"). */
  alertmanagerMesh: 9094,
  grafana: 3000,
  adapter: 6443,
} as const;
