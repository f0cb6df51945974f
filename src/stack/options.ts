/**
 * Options of the platform stack and their validation into a {@link StackModel} with every default resolved.
 * Plain data, no cdk8s: the generators in this folder read only the model.
 */
import { type DefinitionProblem, reportUnknownKey, showValue } from '../model/problems';
import type { ServiceModel } from '../model/types';
import type { AdapterConfig } from '../scaling/manifests';
import { formatDuration, parseDuration } from '../spec/duration';
import type { SecretRef } from '../spec/routing';
import { DEFAULT_RELEASE_NAME, type StackMode } from '../constructs/selectors';

/** CPU and memory for one container, as Kubernetes quantities (`'500m'`, `'2Gi'`). Both requests and limits. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * Who may connect to a component, in NetworkPolicy terms: pods with these labels in namespaces with these
 * labels, or an address block.
 */
export type NetworkPeer =
  | {
      readonly kind: 'pods';
      /** Labels of the source namespaces; `{}` means every namespace. @default the stack's namespace only */
      readonly namespaceLabels?: Readonly<Record<string, string>>;
      /** Labels of the source pods; `{}` means every pod. */
      readonly podLabels: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'cidr'; readonly cidr: string };

/** A remote-write destination. The kind decides the tenant header. */
export interface RemoteWriteTarget {
  /** Mimir and Cortex read the tenant from `X-Scope-OrgID`; Thanos Receive from `THANOS-TENANT` (its default `--receive.tenant-header`). */
  readonly kind: 'mimir' | 'thanos' | 'cortex';
  /** Push endpoint, e.g. `http://mimir-distributor.mimir.svc:8080/api/v1/push`. No credentials in it. */
  readonly url: string;
  /** Tenant (organisation) id. @default no tenant header */
  readonly tenant?: string;
  /** Credentials, by Secret reference in the stack's namespace. @default none */
  readonly auth?: { readonly kind: 'basic'; readonly username: SecretRef; readonly password: SecretRef } | { readonly kind: 'bearer'; readonly token: SecretRef };
}

/** A tracing backend Grafana links exemplars to. */
export interface TracingDatasource {
  readonly kind: 'tempo' | 'jaeger' | 'zipkin';
  /** Query URL of the backend, e.g. `http://tempo.tracing.svc:3200`. */
  readonly url: string;
}

/** Prometheus (prometheus-operator `Prometheus` CR). */
export interface PrometheusOptions {
  /** Replicas per shard. Two keep rules and alerts evaluated through a rollout; Alertmanager deduplicates. @default 2 */
  readonly replicas?: number;
  /**
   * Scrape shards. Above 1 every shard holds part of the data, so queries need a global view: it then needs
   * `remoteWrite` and `queryUrl`, and rules are not loaded into the shards (each would evaluate them on a part
   * of the series; prometheus-operator `shards` docs). Load the PrometheusRules into the ruler of the remote store.
   * @default 1
   */
  readonly shards?: number;
  /** How long to keep data. Must cover the longest SLO window of the services (the 30-day budget needs 30 days). @default '35d' */
  readonly retention?: string;
  /** Size bound on the TSDB, e.g. `'45GB'`. @default none */
  readonly retentionSize?: string;
  /** Persistent volume per replica, or `false` for an emptyDir (data lost on restart). @default { size: '50Gi' } */
  readonly storage?: { readonly size: string; readonly storageClassName?: string } | false;
  /** @default requests 500m / 2Gi, limits 2 / 4Gi */
  readonly resources?: ContainerResources;
  /** Remote-write destinations (Mimir, Thanos Receive, Cortex). @default none */
  readonly remoteWrite?: readonly RemoteWriteTarget[];
  /** Where Grafana and prometheus-adapter query when Prometheus is sharded or remote (e.g. Mimir's `/prometheus`). @default this Prometheus */
  readonly queryUrl?: string;
  /**
   * Prometheus version the operator runs (`spec.version`, which also picks the image tag): `vMAJOR.MINOR.PATCH`,
   * 2.x or 3.x. Pinned because the operator's default is whatever Prometheus was current when that operator
   * was released: an operator upgrade would otherwise change the Prometheus that evaluates the rules.
   * @default {@link TESTED_VERSIONS}.prometheus, the version the generated rules' promtool tests and the end-to-end test run on
   */
  readonly version?: string;
  /** Default scrape interval. @default '30s' */
  readonly scrapeInterval?: string;
  /** Rule evaluation interval. @default '30s' */
  readonly evaluationInterval?: string;
  /** Labels added to every series sent out (remote write, alerts), e.g. `{ cluster: 'eu-1' }`. @default {} */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Extra peers that may query Prometheus (Grafana and prometheus-adapter always may). @default [] */
  readonly allowFrom?: readonly NetworkPeer[];
}

/** Alertmanager (prometheus-operator `Alertmanager` CR). */
export interface AlertmanagerOptions {
  /** Replicas, clustered by gossip. @default 2 */
  readonly replicas?: number;
  /** How long silences and notification state are kept. @default '120h' */
  readonly retention?: string;
  /** @default requests 50m / 128Mi, limits 200m / 256Mi */
  readonly resources?: ContainerResources;
  /** Extra peers that may use the Alertmanager API and UI (Prometheus and Grafana always may). @default [] */
  readonly allowFrom?: readonly NetworkPeer[];
  /**
   * Alertmanager version the operator runs (`spec.version`): `vMAJOR.MINOR.PATCH`, v0.22.0 or later (the
   * generated routing uses `matchers`, which Alertmanager reads since 0.22). Pinned for the reason
   * {@link PrometheusOptions.version} is.
   * @default {@link TESTED_VERSIONS}.alertmanager, the version the routing tests (amtool, a live Alertmanager) run on
   */
  readonly version?: string;
}

/** Grafana. */
export interface GrafanaOptions {
  /**
   * Secret (in the stack's namespace) holding the admin user name and password.
   * @default { name: '<stack name>-grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' }
   */
  readonly adminSecret?: { readonly name: string; readonly userKey?: string; readonly passwordKey?: string };
  /** @default 'docker.io/grafana/grafana:11.6.0' */
  readonly image?: string;
  /** The dashboard sidecar (kiwigrid k8s-sidecar). @default 'quay.io/kiwigrid/k8s-sidecar:1.28.0' */
  readonly sidecarImage?: string;
  /** @default requests 100m / 256Mi, limits 500m / 512Mi */
  readonly resources?: ContainerResources;
  /** @default requests 20m / 64Mi, limits 100m / 128Mi */
  readonly sidecarResources?: ContainerResources;
  /** A tracing datasource that exemplars (`trace_id`) link to. @default none */
  readonly tracing?: TracingDatasource;
  /**
   * Namespaces whose `grafana_dashboard: "1"` ConfigMaps the sidecar loads, or `'all'` (needs a ClusterRole
   * that reads every ConfigMap in the cluster).
   * @default the stack's namespace only
   */
  readonly dashboardNamespaces?: readonly string[] | 'all';
  /** Who may open Grafana (an ingress controller, say). Without any, only `kubectl port-forward` reaches it. @default [] */
  readonly allowFrom?: readonly NetworkPeer[];
}

/**
 * How the kube-apiserver checks the adapter's serving certificate when it proxies the metrics APIs to it
 * (the APIService's `caBundle`; Kubernetes docs, "Configure the Aggregation Layer"):
 *
 * - `selfSigned`: the adapter makes itself a certificate at start-up and the APIService sets
 *   `insecureSkipTLSVerify: true`, as prometheus-adapter's own manifests and kube-prometheus do. Needs nothing
 *   else in the cluster, but the API server does not verify whom it talks to: whoever can take over the
 *   adapter Service's endpoints can feed the HPA controller made-up metrics. The callers are still checked
 *   (the adapter authenticates the API server's front-proxy client certificate).
 * - `certManager`: a cert-manager `Certificate` for the adapter Service, from your Issuer or ClusterIssuer;
 *   cert-manager's CA injector writes the CA into the APIService (`cert-manager.io/inject-ca-from`).
 * - `secret`: a `kubernetes.io/tls` Secret you provision in the stack's namespace for
 *   `<name>-adapter.<namespace>.svc`, and the PEM CA that signed it, base64-encoded (`caBundle`).
 */
export type AdapterTls =
  | { readonly kind: 'selfSigned' }
  | { readonly kind: 'certManager'; readonly issuer: { readonly kind: 'Issuer' | 'ClusterIssuer'; readonly name: string } }
  | { readonly kind: 'secret'; readonly secretName: string; readonly caBundle: string };

/** prometheus-adapter. */
export interface AdapterOptions {
  /** @default 'registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0' */
  readonly image?: string;
  /** @default 2 (the metrics APIs the HPA controller calls must survive a node drain) */
  readonly replicas?: number;
  /** @default requests 100m / 128Mi, limits 500m / 512Mi */
  readonly resources?: ContainerResources;
  /**
   * How the API server verifies the adapter. Prefer `certManager` (or `secret`) wherever the cluster has one.
   * @default { kind: 'selfSigned' }: `insecureSkipTLSVerify: true` on the APIService, see {@link AdapterTls}
   */
  readonly tls?: AdapterTls;
  /**
   * Where the kube-apiserver connects from, to restrict the adapter's NetworkPolicy to it: typically the
   * control plane's address block (`{ kind: 'cidr', cidr: '10.0.0.0/24' }`). Its address is cluster-specific
   * and has no pod labels, so by default the policy admits any source, on the adapter's port only.
   * @default [] (any source, port 6443 only)
   */
  readonly apiServerFrom?: readonly NetworkPeer[];
}

/**
 * KEDA, whose operator queries Prometheus for the triggers of the ScaledObjects (and whose metrics API
 * server did before KEDA 2.9): the Prometheus NetworkPolicy admits both when a service scales with KEDA.
 */
export interface KedaOptions {
  /** Namespace KEDA runs in. @default 'keda' (the KEDA Helm chart's documented namespace) */
  readonly namespace?: string;
  /**
   * Admit KEDA even when no service in `services` scales with it (services defined in another app).
   * @default whether a service in `services` scales with KEDA
   */
  readonly enabled?: boolean;
}

/** The stack's NetworkPolicies beyond one per component. */
export interface NetworkPolicyOptions {
  /**
   * An ingress default-deny policy for every pod of the stack's namespace, so that only what the component
   * policies allow gets in. Pods of the namespace that are not the stack's (prometheus-operator,
   * kube-state-metrics) still admit this stack's Prometheus, so they stay scraped; anything else such a pod
   * must accept (an admission webhook the API server calls, a UI) needs a policy of its own, or `false` here.
   * @default true
   */
  readonly defaultDeny?: boolean;
}

/** Props of the stack generators and of the ObservabilityStack construct. */
export interface StackOptions {
  /**
   * `own`: run Prometheus, Alertmanager, Grafana and prometheus-adapter here. `kube-prometheus-stack`: the cluster
   * already runs that chart; emit only what it loads by label (dashboard ConfigMaps) and the adapter
   * configuration, and label everything for its release.
   * @default { kind: 'own' }
   */
  readonly mode?: StackMode;
  /** Namespace of the stack: a DNS label. @default 'monitoring' */
  readonly namespace?: string;
  /** Name of the stack, prefix of its objects and value of `app.kubernetes.io/instance`. @default 'golden-signals' */
  readonly name?: string;
  /** The services the stack serves: checked against retention, and their scrape intervals against Grafana's. @default [] */
  readonly services?: readonly ServiceModel[];
  /** @default see {@link PrometheusOptions} */
  readonly prometheus?: PrometheusOptions;
  /** @default see {@link AlertmanagerOptions} */
  readonly alertmanager?: AlertmanagerOptions;
  /** @default see {@link GrafanaOptions} */
  readonly grafana?: GrafanaOptions;
  /** prometheus-adapter settings, or `false` for none. It runs only when {@link adapterConfigs} has rules. @default see {@link AdapterOptions} */
  readonly adapter?: AdapterOptions | false;
  /** Adapter rule fragments from the scaling helper (`adapterConfig(model)`), merged into one configuration. @default [] */
  readonly adapterConfigs?: readonly AdapterConfig[];
  /** KEDA, or `false` to never admit it to Prometheus. @default see {@link KedaOptions} */
  readonly keda?: KedaOptions | false;
  /** @default see {@link NetworkPolicyOptions} */
  readonly networkPolicy?: NetworkPolicyOptions;
}

/** The stack with every default resolved. */
export interface StackModel {
  readonly mode: StackMode;
  readonly releaseName: string;
  readonly namespace: string;
  readonly name: string;
  readonly prometheus: Required<Omit<PrometheusOptions, 'retentionSize' | 'queryUrl'>> & Pick<PrometheusOptions, 'retentionSize' | 'queryUrl'>;
  readonly alertmanager: Required<AlertmanagerOptions>;
  readonly grafana: Required<Omit<GrafanaOptions, 'tracing' | 'adminSecret'>> & {
    readonly tracing?: TracingDatasource;
    readonly adminSecret: { readonly name: string; readonly userKey: string; readonly passwordKey: string };
  };
  /** Undefined when no adapter runs. */
  readonly adapter?: Required<AdapterOptions>;
  readonly adapterConfigs: readonly AdapterConfig[];
  /** The KEDA pods Prometheus admits; undefined when none. */
  readonly keda?: { readonly peers: readonly NetworkPeer[] };
  readonly networkPolicy: Required<NetworkPolicyOptions>;
}

/** Thrown at synth time for invalid stack options; lists every problem. */
export class StackOptionsError extends Error {
  constructor(readonly problems: readonly DefinitionProblem[]) {
    super(
      `Invalid ObservabilityStack options (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.field}: got ${p.got ?? showValue(p.value)}; ${p.allowed}`).join('\n'),
    );
    this.name = 'StackOptionsError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Kubernetes object name (RFC 1123 subdomain, at most 253 characters). */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `value` is base64 of a PEM certificate bundle, which APIService `caBundle` holds. */
function isPemBundle(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return false;
  return Buffer.from(value, 'base64').toString('latin1').includes('-----BEGIN CERTIFICATE-----');
}
/** Kubernetes quantity (resource.Quantity's grammar, without exponents). */
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;
/** Prometheus-operator's duration pattern for `retention` (`[0-9]+(ms|s|m|h|d|w|y)`, one or more parts). */
const RETENTION = /^(\d+(ms|s|m|h|d|w|y))+$/;

const res = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): ContainerResources => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

/**
 * The Prometheus and Alertmanager versions this library is tested with: what CI installs (Debian bookworm's
 * `prometheus` and `prometheus-alertmanager` packages) and runs the promtool rule tests, amtool and the
 * end-to-end test on. A test compares them with the installed binaries, so a CI upgrade moves the pin.
 */
export const TESTED_VERSIONS = { prometheus: 'v2.42.0', alertmanager: 'v0.25.0' } as const;

/**
 * Labels of KEDA's pods in its Helm chart (kedacore/charts `templates/manager/deployment.yaml` and
 * `templates/metrics-server/deployment.yaml`: `app.kubernetes.io/name` is the deployment's name).
 */
export const KEDA_POD_NAMES = ['keda-operator', 'keda-operator-metrics-apiserver'] as const;

/** Defaults, sized for a few dozen services; measured figures belong in the issue notes, not here. */
export const DEFAULTS = {
  prometheusResources: res('500m', '2Gi', '2', '4Gi'),
  alertmanagerResources: res('50m', '128Mi', '200m', '256Mi'),
  grafanaResources: res('100m', '256Mi', '500m', '512Mi'),
  sidecarResources: res('20m', '64Mi', '100m', '128Mi'),
  adapterResources: res('100m', '128Mi', '500m', '512Mi'),
  /** prometheus-operator's config-reloader sidecar; the operator's own default is 10m / 50Mi. */
  reloaderResources: res('10m', '32Mi', '100m', '64Mi'),
  grafanaImage: 'docker.io/grafana/grafana:11.6.0',
  sidecarImage: 'quay.io/kiwigrid/k8s-sidecar:1.28.0',
  adapterImage: 'registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0',
} as const;

/** Every key of an option interface, so a key added to the interface and not here fails to compile. */
type Keys<T> = { readonly [K in keyof T]-?: true };
const STACK_KEYS: Keys<StackOptions> = {
  mode: true, namespace: true, name: true, services: true, prometheus: true, alertmanager: true, grafana: true, adapter: true, adapterConfigs: true, keda: true, networkPolicy: true,
};
const PROMETHEUS_KEYS: Keys<PrometheusOptions> = {
  replicas: true, shards: true, retention: true, retentionSize: true, storage: true, resources: true, remoteWrite: true, queryUrl: true, version: true,
  scrapeInterval: true, evaluationInterval: true, externalLabels: true, allowFrom: true,
};
const ALERTMANAGER_KEYS: Keys<AlertmanagerOptions> = { replicas: true, retention: true, resources: true, allowFrom: true, version: true };
const GRAFANA_KEYS: Keys<GrafanaOptions> = {
  adminSecret: true, image: true, sidecarImage: true, resources: true, sidecarResources: true, tracing: true, dashboardNamespaces: true, allowFrom: true,
};
const ADAPTER_KEYS: Keys<AdapterOptions> = { image: true, replicas: true, resources: true, tls: true, apiServerFrom: true };
const KEDA_KEYS: Keys<KedaOptions> = { namespace: true, enabled: true };
const NETWORK_POLICY_KEYS: Keys<NetworkPolicyOptions> = { defaultDeny: true };

class Collector {
  readonly list: DefinitionProblem[] = [];
  add(field: string, value: unknown, allowed: string, got?: string): void {
    this.list.push({ field, value, allowed, ...(got === undefined ? {} : { got }) });
  }
  /** Reports the keys of an options object that its interface does not have (a typo is silently ignored otherwise). */
  keys(path: string, value: unknown, known: object): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) if (!(key in known)) reportUnknownKey((f, v, a, g) => this.add(f, v, a, g), path, key, Object.keys(known));
  }
  count(field: string, value: number | undefined, fallback: number, max = 100): number {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 1 || v > max) this.add(field, value, `must be a whole number from 1 to ${max}`);
    return v;
  }
  resources(field: string, value: ContainerResources | undefined, fallback: ContainerResources): ContainerResources {
    const r = value ?? fallback;
    for (const side of ['requests', 'limits'] as const) {
      for (const k of ['cpu', 'memory'] as const) {
        const q = r?.[side]?.[k];
        if (typeof q !== 'string' || !QUANTITY.test(q)) this.add(`${field}.${side}.${k}`, q, 'must be a Kubernetes quantity such as "500m", "2" or "2Gi" (every container has requests and limits)');
      }
    }
    return r;
  }
  url(field: string, value: unknown): void {
    let u: URL | undefined;
    try {
      u = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
      this.add(field, value, 'must be an http(s) URL');
    } else if (u.username || u.password) {
      // Credentials in a URL end up in the manifest; they belong in a Secret (auth: { kind: 'basic', ... }).
      this.add(field, '<URL with credentials, redacted>', 'must not carry credentials; give them as Secret references in auth');
    }
  }
  secret(field: string, value: unknown): void {
    const ref = (value as SecretRef | undefined)?.secret;
    if (!ref || typeof ref.name !== 'string' || !DNS_LABEL.test(ref.name) || typeof ref.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
      this.add(field, typeof value === 'string' ? '<inline value redacted>' : value, 'must be a Secret reference { secret: { name, key } }; secret values are never written inline');
    }
  }
  /** A `vMAJOR.MINOR.PATCH` version within `[min, below)` (compared part by part). */
  version(field: string, value: unknown, min: readonly number[], below: readonly number[], allowed: string): void {
    const m = typeof value === 'string' ? /^v(\d{1,4})\.(\d{1,4})\.(\d{1,4})$/.exec(value) : null;
    const parts = m === null ? undefined : m.slice(1).map(Number);
    const compare = (a: readonly number[], b: readonly number[]) => a.reduce((r, x, i) => (r !== 0 ? r : Math.sign(x - b[i])), 0);
    if (parts === undefined || compare(parts, min) < 0 || compare(parts, below) >= 0) this.add(field, value, allowed);
  }
  peers(field: string, peers: readonly NetworkPeer[] | undefined): readonly NetworkPeer[] {
    (peers ?? []).forEach((p, i) => {
      switch (p.kind) {
        case 'pods':
          break;
        case 'cidr':
          if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(p.cidr) && !/^[0-9a-fA-F:]+\/\d{1,3}$/.test(p.cidr)) this.add(`${field}[${i}].cidr`, p.cidr, 'must be a CIDR such as "10.0.0.0/8"');
          break;
        default:
          this.add(`${field}[${i}].kind`, (p as { kind?: unknown }).kind, 'must be "pods" or "cidr"');
      }
    });
    return peers ?? [];
  }
}

/**
 * Validates the options and resolves every default.
 *
 * @throws StackOptionsError naming each bad field, its value and what is allowed.
 * @example
 * const model = resolveStack({ namespace: 'monitoring', services: fleet.map(resolveService) });
 */
export function resolveStack(options: StackOptions = {}): StackModel {
  const c = new Collector();
  c.keys('', options, STACK_KEYS);
  c.keys('prometheus', options.prometheus, PROMETHEUS_KEYS);
  c.keys('alertmanager', options.alertmanager, ALERTMANAGER_KEYS);
  c.keys('grafana', options.grafana, GRAFANA_KEYS);
  c.keys('adapter', options.adapter, ADAPTER_KEYS);
  c.keys('keda', options.keda, KEDA_KEYS);
  c.keys('networkPolicy', options.networkPolicy, NETWORK_POLICY_KEYS);
  const mode: StackMode = options.mode ?? { kind: 'own' };
  const namespace = options.namespace ?? 'monitoring';
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) c.add('namespace', namespace, 'must be a DNS label');
  const name = options.name ?? 'golden-signals';
  // The longest derived name is `<name>-alertmanager` plus the operator's `alertmanager-` StatefulSet prefix and a
  // pod ordinal, all within 63 characters.
  if (!DNS_LABEL.test(name) || name.length > 30) c.add('name', name, 'must be a DNS label of at most 30 characters (object names are derived from it)');
  const releaseName = mode.kind === 'kube-prometheus-stack' ? (mode.releaseName ?? DEFAULT_RELEASE_NAME) : DEFAULT_RELEASE_NAME;

  const p = options.prometheus ?? {};
  const shards = c.count('prometheus.shards', p.shards, 1);
  const remoteWrite = p.remoteWrite ?? [];
  remoteWrite.forEach((rw, i) => {
    const at = `prometheus.remoteWrite[${i}]`;
    if (rw.kind !== 'mimir' && rw.kind !== 'thanos' && rw.kind !== 'cortex') c.add(`${at}.kind`, rw.kind, 'must be "mimir", "thanos" or "cortex"');
    c.url(`${at}.url`, rw.url);
    if (rw.tenant !== undefined && (typeof rw.tenant !== 'string' || !/^[-._a-zA-Z0-9]{1,150}$/.test(rw.tenant))) c.add(`${at}.tenant`, rw.tenant, 'must be a tenant id of letters, digits, "-", "_" and "."');
    const auth = rw.auth;
    if (auth?.kind === 'basic') {
      c.secret(`${at}.auth.username`, auth.username);
      c.secret(`${at}.auth.password`, auth.password);
    } else if (auth?.kind === 'bearer') {
      c.secret(`${at}.auth.token`, auth.token);
    } else if (auth !== undefined) {
      c.add(`${at}.auth.kind`, (auth as { kind?: unknown }).kind, 'must be "basic" or "bearer"');
    }
  });
  if (p.queryUrl !== undefined) c.url('prometheus.queryUrl', p.queryUrl);
  if (shards > 1 && (remoteWrite.length === 0 || p.queryUrl === undefined)) {
    c.add('prometheus.shards', shards, 'above 1 needs remoteWrite and queryUrl: each shard holds only part of the series, so queries and rules need a global store (prometheus-operator "shards")');
  }
  const retention = p.retention ?? '35d';
  if (!RETENTION.test(retention)) c.add('prometheus.retention', retention, 'must be a duration such as "35d"');
  const retentionMs = parseDuration(retention.replace(/(\d+)y/, (_, n) => `${Number(n) * 365}d`));
  const longest = Math.max(0, ...(options.services ?? []).flatMap((s) => s.slos.map((slo) => slo.windowMs)));
  if (retentionMs !== undefined && longest > 0 && retentionMs < longest && remoteWrite.length === 0) {
    c.add('prometheus.retention', retention, `must be at least the longest SLO window (${formatDuration(longest)}): the error budget is computed over it`);
  }
  if (p.retentionSize !== undefined && !/^\d+(\.\d+)?(B|KB|MB|GB|TB|PB|EB)$/.test(p.retentionSize)) c.add('prometheus.retentionSize', p.retentionSize, 'must be a size such as "45GB"');
  if (p.storage && !QUANTITY.test(p.storage.size)) c.add('prometheus.storage.size', p.storage.size, 'must be a quantity such as "50Gi"');
  for (const [field, v] of [
    ['prometheus.scrapeInterval', p.scrapeInterval],
    ['prometheus.evaluationInterval', p.evaluationInterval],
  ] as const) {
    if (v !== undefined && (parseDuration(v) ?? 0) < 1000) c.add(field, v, 'must be a duration of at least "1s"');
  }

  const prometheusVersion = p.version ?? TESTED_VERSIONS.prometheus;
  c.version('prometheus.version', prometheusVersion, [2, 0, 0], [4, 0, 0], `must be a Prometheus release tag from v2.0.0 to 3.x, such as "${TESTED_VERSIONS.prometheus}" (vMAJOR.MINOR.PATCH; the operator uses it as the image tag)`);

  const a = options.alertmanager ?? {};
  if (a.retention !== undefined && !/^(\d+(ms|s|m|h))+$/.test(a.retention)) c.add('alertmanager.retention', a.retention, 'must be a duration in ms, s, m or h, such as "120h" (Alertmanager CRD pattern)');
  const alertmanagerVersion = a.version ?? TESTED_VERSIONS.alertmanager;
  c.version('alertmanager.version', alertmanagerVersion, [0, 22, 0], [1, 0, 0], `must be an Alertmanager release tag from v0.22.0 to 0.x, such as "${TESTED_VERSIONS.alertmanager}" (vMAJOR.MINOR.PATCH; the generated routing uses matchers, read since 0.22)`);

  const g = options.grafana ?? {};
  if (g.tracing) {
    if (!['tempo', 'jaeger', 'zipkin'].includes(g.tracing.kind)) c.add('grafana.tracing.kind', g.tracing.kind, 'must be "tempo", "jaeger" or "zipkin"');
    c.url('grafana.tracing.url', g.tracing.url);
  }
  const adminSecret = {
    name: g.adminSecret?.name ?? `${name}-grafana-admin`,
    userKey: g.adminSecret?.userKey ?? 'admin-user',
    passwordKey: g.adminSecret?.passwordKey ?? 'admin-password',
  };
  if (!DNS_LABEL.test(adminSecret.name)) c.add('grafana.adminSecret.name', adminSecret.name, 'must be a Secret name (DNS label)');
  const dashboardNamespaces = g.dashboardNamespaces ?? [namespace];
  if (dashboardNamespaces !== 'all') dashboardNamespaces.forEach((n, i) => !DNS_LABEL.test(n) && c.add(`grafana.dashboardNamespaces[${i}]`, n, 'must be a namespace name or use "all"'));

  const adapterConfigs = options.adapterConfigs ?? [];
  const adapterRules = adapterConfigs.reduce((n, f) => n + f.rules.length + f.externalRules.length, 0);
  const ad = options.adapter === false ? undefined : (options.adapter ?? {});
  const tls: AdapterTls = ad?.tls ?? { kind: 'selfSigned' };
  switch (tls.kind) {
    case 'selfSigned':
      break;
    case 'certManager':
      if (tls.issuer?.kind !== 'Issuer' && tls.issuer?.kind !== 'ClusterIssuer') c.add('adapter.tls.issuer.kind', tls.issuer?.kind, 'must be "Issuer" or "ClusterIssuer" (a cert-manager issuer)');
      if (typeof tls.issuer?.name !== 'string' || !DNS_SUBDOMAIN.test(tls.issuer.name)) c.add('adapter.tls.issuer.name', tls.issuer?.name, 'must be the name of a cert-manager Issuer or ClusterIssuer (a DNS subdomain)');
      break;
    case 'secret':
      if (typeof tls.secretName !== 'string' || !DNS_SUBDOMAIN.test(tls.secretName)) c.add('adapter.tls.secretName', tls.secretName, 'must be the name of a kubernetes.io/tls Secret in the stack namespace (a DNS subdomain)');
      if (!isPemBundle(tls.caBundle)) c.add('adapter.tls.caBundle', typeof tls.caBundle === 'string' && tls.caBundle.length > 40 ? `${tls.caBundle.slice(0, 40)}…` : tls.caBundle, 'must be the base64 encoding of a PEM CA certificate ("-----BEGIN CERTIFICATE-----"), as APIService caBundle takes it');
      break;
    default:
      c.add('adapter.tls.kind', (tls as { kind?: unknown }).kind, 'must be "selfSigned", "certManager" or "secret"');
  }

  const keda = options.keda === false ? undefined : (options.keda ?? {});
  const kedaNamespace = keda?.namespace ?? 'keda';
  if (keda !== undefined && (!DNS_LABEL.test(kedaNamespace) || kedaNamespace.length > 63)) c.add('keda.namespace', kedaNamespace, 'must be a namespace name (a DNS label)');
  if (keda?.enabled !== undefined && typeof keda.enabled !== 'boolean') c.add('keda.enabled', keda.enabled, 'must be true or false');
  const scalesWithKeda = (options.services ?? []).some((s) => s.scaling?.autoscaler.kind === 'keda');
  const defaultDeny = options.networkPolicy?.defaultDeny ?? true;
  if (typeof defaultDeny !== 'boolean') c.add('networkPolicy.defaultDeny', defaultDeny, 'must be true or false');

  const model: StackModel = {
    mode,
    releaseName,
    namespace,
    name,
    prometheus: {
      replicas: c.count('prometheus.replicas', p.replicas, 2, 10),
      shards,
      retention,
      retentionSize: p.retentionSize,
      storage: p.storage === undefined ? { size: '50Gi' } : p.storage,
      resources: c.resources('prometheus.resources', p.resources, DEFAULTS.prometheusResources),
      remoteWrite,
      queryUrl: p.queryUrl,
      version: prometheusVersion,
      scrapeInterval: p.scrapeInterval ?? '30s',
      evaluationInterval: p.evaluationInterval ?? '30s',
      externalLabels: p.externalLabels ?? {},
      allowFrom: c.peers('prometheus.allowFrom', p.allowFrom),
    },
    alertmanager: {
      replicas: c.count('alertmanager.replicas', a.replicas, 2, 10),
      retention: a.retention ?? '120h',
      resources: c.resources('alertmanager.resources', a.resources, DEFAULTS.alertmanagerResources),
      allowFrom: c.peers('alertmanager.allowFrom', a.allowFrom),
      version: alertmanagerVersion,
    },
    grafana: {
      adminSecret,
      image: g.image ?? DEFAULTS.grafanaImage,
      sidecarImage: g.sidecarImage ?? DEFAULTS.sidecarImage,
      resources: c.resources('grafana.resources', g.resources, DEFAULTS.grafanaResources),
      sidecarResources: c.resources('grafana.sidecarResources', g.sidecarResources, DEFAULTS.sidecarResources),
      tracing: g.tracing,
      dashboardNamespaces,
      allowFrom: c.peers('grafana.allowFrom', g.allowFrom),
    },
    adapter:
      ad && adapterRules > 0
        ? {
            image: ad.image ?? DEFAULTS.adapterImage,
            replicas: c.count('adapter.replicas', ad.replicas, 2, 10),
            resources: c.resources('adapter.resources', ad.resources, DEFAULTS.adapterResources),
            tls,
            apiServerFrom: c.peers('adapter.apiServerFrom', ad.apiServerFrom),
          }
        : undefined,
    adapterConfigs,
    keda:
      keda !== undefined && (keda.enabled ?? scalesWithKeda)
        ? {
            peers: KEDA_POD_NAMES.map((pod): NetworkPeer => ({
              kind: 'pods',
              namespaceLabels: { 'kubernetes.io/metadata.name': kedaNamespace },
              podLabels: { 'app.kubernetes.io/name': pod },
            })),
          }
        : undefined,
    networkPolicy: { defaultDeny },
  };
  if (c.list.length > 0) throw new StackOptionsError(c.list);
  return model;
}
