/**
 * The size `kubectl apply` can carry. Client-side apply copies the whole object into the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation, and all annotations of an object together
 * must stay under 262,144 bytes, so a bigger dashboard fails with "metadata.annotations: Too long"
 * (prometheus-operator/kube-prometheus#709, open-telemetry/opentelemetry-demo#2139). The limit leaves room
 * for the object's other annotations.
 */
export const MAX_APPLY_BYTES = 250_000;

/**
 * Fails at synth time when a manifest is too big for client-side `kubectl apply`.
 *
 * @throws Error naming the object, its size, the limit and the ways out.
 */
export function assertApplicableSize(what: string, manifest: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(manifest), 'utf8');
  if (bytes > MAX_APPLY_BYTES) {
    throw new Error(
      `${what} is ${bytes} bytes, more than the ${MAX_APPLY_BYTES} bytes client-side "kubectl apply" can store in its ` +
        `last-applied-configuration annotation (262144 bytes for all annotations). Split the fleet into smaller fleets, ` +
        `or drop panels; "kubectl apply --server-side" has no such limit.`,
    );
  }
}
