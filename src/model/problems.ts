/**
 * The error a definition fails with, and the collector that gathers its problems. A module of its own so that
 * validators outside the model (the routing options) can report into the same error without importing the
 * model's resolver, which imports them.
 */
import { DEFAULT_MAX_SERIES_PER_METRIC, MAX_ROUTES, routeShape, routeTemplateProblem, SERIES_PER_ROUTE } from '../signals/contract';
import { parseDuration } from '../spec/duration';
import { cronProblem, isTimeZone, TIME_ZONES } from './schedule';

/** One problem with a definition: the field, the value found, and what is allowed. */
export interface DefinitionProblem {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
  /**
   * What the message says was found, when that is not the value itself: `unknown key` for a key the
   * definition type does not have (its value is beside the point, and under `routing` it may be a secret).
   */
  readonly got?: string;
}

/** Where a validator reports problems, so the caller can list them together with its own. */
export type ProblemSink = (field: string, value: unknown, allowed: string, got?: string) => void;

/** Thrown at synth time when a definition is invalid. Lists every problem, not just the first. */
export class ServiceDefinitionError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly DefinitionProblem[],
  ) {
    super(
      `Invalid service definition "${service}" (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.field}: got ${p.got ?? showValue(p.value)}; ${p.allowed}`).join('\n'),
    );
    this.name = 'ServiceDefinitionError';
  }
}

/** Longest rendering of a value in a message: a pasted file or a runaway string must not flood the CI log. */
const MAX_SHOWN = 80;

/**
 * A value as a message shows it: JSON-like, but with what JSON cannot say (`NaN`, `Infinity`, `99n`,
 * `undefined` inside objects, functions, cycles) said rather than turned into `null` or dropped, and cut at
 * {@link MAX_SHOWN} characters with the full length appended.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = render(value, new Set());
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN - 1)}… (${text.length} characters)`;
}

function render(value: unknown, seen: Set<unknown>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify prints NaN and ±Infinity as null, which hides the very mistake being reported.
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    default:
      break;
  }
  if (value === null) return 'null';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((v) => render(v, seen)).join(',')}]`;
    return `{${Object.keys(value as object)
      .map((k) => `${JSON.stringify(k)}:${render((value as Record<string, unknown>)[k], seen)}`)
      .join(',')}}`;
  } finally {
    seen.delete(value);
  }
}

/** RFC 1123 DNS label: what Kubernetes requires of namespace and most object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Prometheus label name (Prometheus data model). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Kubernetes label name part, and label value when not empty (apimachinery validation.IsQualifiedName, IsValidLabelValue). */
const K8S_LABEL_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * Kubernetes port name (apimachinery `validation.IsValidPortName`, IANA_SVC_NAME, RFC 6335): at most 15
 * characters of a-z, 0-9 and "-", at least one letter, no "--", not starting or ending with "-".
 */
const PORT_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/**
 * A path Prometheus requests as written: the characters Go's `url.URL.EscapedPath` leaves alone (RFC 3986
 * unreserved, and `$&+,;=:@/`). Anything else it percent-encodes, and the shim compares the path as sent.
 */
const SCRAPE_PATH = /^\/[A-Za-z0-9\-._~$&+,;=:@/]*$/;
/** Longest metrics path: a path is a name, not data; longer ones are a pasted mistake. */
const MAX_PATH_LENGTH = 1024;
/** Characters no URL written into a manifest, rule or dashboard may hold: whitespace, controls and "\\" (which WHATWG reads as "/"). */
const URL_FORBIDDEN = /[\s\p{Cc}\\]/u;
/** A key that a path can show after a dot; any other key is shown in brackets, quoted. */
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The path of a key under `path`: `alerting.labels.tier`, or `metrics.serviceSelector["app.kubernetes.io/name"]`. */
export function keyPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key) && key.length <= MAX_SHOWN) return path === '' ? key : `${path}.${key}`;
  return `${path}[${showValue(key)}]`;
}

/** Collects problems while resolving, so all of them are reported together. */
export class Problems {
  readonly list: DefinitionProblem[] = [];
  /**
   * Fields whose value has the wrong shape (a string where an object belongs). The resolver carries on
   * with an empty stand-in, so anything it would say about the field or what lies under it is noise.
   */
  private readonly unusable: string[] = [];

  /** This collector as a {@link ProblemSink}, for validators outside the model. */
  readonly sink: ProblemSink = (field, value, allowed, got) => this.add(field, value, allowed, got);

  add(field: string, value: unknown, allowed: string, got?: string): void {
    if (this.unusable.some((u) => field === u || field.startsWith(`${u}.`) || field.startsWith(`${u}[`))) return;
    this.list.push(got === undefined ? { field, value, allowed } : { field, value, allowed, got });
  }
  /** Reports a value of the wrong shape and silences every later problem at or under its field. */
  shape(field: string, value: unknown, allowed: string): void {
    this.add(field, value, allowed);
    this.unusable.push(field);
  }
  /** Reports a key the definition type does not have, suggesting the known key it is closest to. */
  unknownKey(path: string, key: string, known: readonly string[]): void {
    reportUnknownKey(this.sink, path, key, known);
  }
  /**
   * One Kubernetes label of a selector. The API server would reject a bad key or value only when the object
   * is applied, or, for a selector inside a custom resource, never: the operator then selects nothing.
   * A value that is not a string is reported where the map's shape is checked.
   */
  kubernetesLabel(field: string, key: string, value: unknown): void {
    const slash = key.indexOf('/');
    const prefix = slash === -1 ? undefined : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
    if (!prefixOk || name.length > 63 || !K8S_LABEL_PART.test(name)) {
      this.add(
        field,
        key,
        'must be a Kubernetes label key: an optional DNS subdomain prefix and "/", then a name of at most 63 characters of a-z, A-Z, 0-9, "-", "_" and ".", starting and ending with a letter or digit, e.g. "app.kubernetes.io/name"',
      );
    }
    if (typeof value === 'string' && (value.length > 63 || (value !== '' && !K8S_LABEL_PART.test(value)))) {
      this.add(field, value, 'must be a Kubernetes label value: empty, or at most 63 characters of a-z, A-Z, 0-9, "-", "_" and ".", starting and ending with a letter or digit');
    }
  }
  dnsLabel(field: string, value: unknown): string {
    if (typeof value !== 'string' || value.length > 63 || !DNS_LABEL.test(value)) {
      this.add(field, value, 'must be a DNS label: at most 63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit');
      return '';
    }
    return value;
  }
  duration(field: string, value: unknown, fallback: string, min = 1): number {
    const text = value ?? fallback;
    const ms = typeof text === 'string' ? parseDuration(text) : undefined;
    if (ms === undefined || ms < min) {
      this.add(field, value, `must be a positive Prometheus duration such as "300ms", "5m", "1h30m" or "30d"`);
      return parseDuration(fallback) ?? 1;
    }
    return ms;
  }
  ratio(field: string, value: unknown, fallback: number): number {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1) {
      this.add(field, value, 'must be a ratio greater than 0 and at most 1, e.g. 0.9');
      return fallback;
    }
    return v;
  }
  positive(field: string, value: unknown): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.add(field, value, 'must be a finite number greater than 0');
      return undefined;
    }
    return value;
  }
  integer(field: string, value: unknown, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(field, value, `must be a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  }
  /**
   * An http(s) URL the generated manifests, rules or dashboards carry in plain text (and that a browser or a
   * controller follows): only http and https (a `javascript:` or `data:` link in an annotation or dashboard
   * runs or carries content), and never credentials (`user:password@`), which would be committed with the
   * manifests; credentials belong in a Kubernetes Secret, which the definition references with a SecretRef.
   * A value with credentials is shown with them masked. Returns the URL, or `fallback` when it is left out or
   * wrong. `placeholders` (`{alert}`) are substituted before the URL is parsed.
   */
  httpUrl(field: string, value: unknown, allowed: string, options: { readonly fallback?: string; readonly placeholders?: readonly string[] } = {}): string {
    const fallback = options.fallback ?? '';
    if (value === undefined && options.fallback !== undefined) return fallback;
    if (typeof value !== 'string') {
      this.add(field, value, allowed);
      return fallback;
    }
    // A scheme, unless what follows the colon is a port ("prometheus:9090" is a host without its scheme).
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):(?!\d+(\/|$))/.exec(value)?.[1].toLowerCase();
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
      this.add(field, value, `${allowed}; a "${scheme}:" URL is not allowed: only http and https links are safe to follow`);
      return fallback;
    }
    let url: URL | undefined;
    try {
      url = new URL((options.placeholders ?? []).reduce((text, placeholder) => text.split(placeholder).join('x'), value));
    } catch {
      url = undefined;
    }
    if (url === undefined || url.hostname === '' || !/^https?:\/\/[^/]/.test(value) || URL_FORBIDDEN.test(value)) {
      this.add(field, value, allowed);
      return fallback;
    }
    if (url.username !== '' || url.password !== '') {
      this.add(
        field,
        value.replace(/^(https?:\/\/)[^/?#]*@/, '$1***@'),
        'must not contain credentials ("user:password@"): the URL is written in plain text into the generated files; keep credentials in a Kubernetes Secret (a SecretRef), never in the definition',
      );
      return fallback;
    }
    return value;
  }
  /**
   * A start or end of a KEDA cron trigger: five fields as KEDA's cron scaler parses them (robfig/cron v3,
   * see {@link cronProblem}); KEDA itself only refuses a bad one in the cluster.
   */
  cron(field: string, value: unknown, example: string): void {
    const problem = typeof value === 'string' ? cronProblem(value) : undefined;
    if (typeof value !== 'string' || problem !== undefined) {
      this.add(field, value, `must be a cron expression of five fields, minute hour day-of-month month day-of-week, e.g. "${example}"${problem === undefined ? '' : `; ${problem}`}`);
    }
  }
  /** A tz database zone KEDA can load (see {@link isTimeZone}), suggesting the listed zone a misspelt one is closest to. */
  timeZone(field: string, value: unknown): void {
    if (typeof value === 'string' && isTimeZone(value)) return;
    const near = typeof value === 'string' ? closest(value, TIME_ZONES) : undefined;
    this.add(field, value, `must be an IANA time zone such as "Europe/Berlin" or "UTC"${near === undefined || near === value ? '' : `: did you mean "${near}"?`}`);
  }
  /**
   * The path the shim serves metrics on and Prometheus scrapes: one Prometheus requests exactly as written
   * ({@link SCRAPE_PATH}). A query string, a space, a "%" or a control character is encoded or cut by
   * Prometheus, so the shim would answer 404 to every scrape.
   */
  scrapePath(field: string, value: unknown, fallback: string): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.length > MAX_PATH_LENGTH || !SCRAPE_PATH.test(value)) {
      this.add(
        field,
        value,
        `must be an HTTP path starting with "/", at most ${MAX_PATH_LENGTH} characters of a-z, A-Z, 0-9 and - . _ ~ $ & + , ; = : @ /, e.g. "/metrics": Prometheus percent-encodes anything else (a space, "%", a control character) and a "?" starts a query string, so the path would never match`,
      );
      return fallback;
    }
    return value;
  }
  /** A Kubernetes port name ({@link PORT_NAME}): the API server refuses any other, and the ServiceMonitor selects the port by it. */
  portName(field: string, value: unknown, fallback: string): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.length > 15 || !PORT_NAME.test(value)) {
      this.add(field, value, 'must be a Kubernetes port name (IANA_SVC_NAME): at most 15 characters of a-z, 0-9 and "-", with at least one letter, no "--", not starting or ending with "-", e.g. "metrics"');
      return fallback;
    }
    return value;
  }
  /**
   * The route templates of an HTTP service: each one valid ({@link routeTemplateProblem}), no two matching
   * the same requests ({@link routeShape}: the first listed would win and the other's series stay 0), and no
   * more than {@link MAX_ROUTES}, which the shim's series cap holds.
   */
  routes(field: string, routes: readonly unknown[]): void {
    const firstOfShape = new Map<string, number>();
    routes.forEach((route, i) => {
      const problem = routeTemplateProblem(route);
      if (problem !== undefined) {
        this.add(`${field}[${i}]`, route, problem);
        return;
      }
      const shape = routeShape(route as string);
      const first = firstOfShape.get(shape);
      if (first === undefined) firstOfShape.set(shape, i);
      else {
        this.add(
          `${field}[${i}]`,
          route,
          `matches the same requests as ${field}[${first}] (${showValue(routes[first])}), so one of them never matches and its series stay 0: list each route once (a trailing slash and the names of parameters do not make another route)`,
        );
      }
    });
    if (routes.length > MAX_ROUTES) {
      this.add(
        field,
        routes,
        `must list at most ${MAX_ROUTES} routes: the shim holds ${DEFAULT_MAX_SERIES_PER_METRIC} series per histogram by default, 5% of them kept for "_OTHER", which leaves ${SERIES_PER_ROUTE} series (methods × status codes) to each of ${MAX_ROUTES} routes; past that, requests are counted as "_OTHER", not by route. List the routes that matter and group the rest under a wildcard ("/admin/*")`,
        `${routes.length} routes`,
      );
    }
  }
  /** An optional string; reports anything else and returns the fallback in its place. */
  text(field: string, value: unknown, fallback: string, test: RegExp, allowed: string): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !test.test(value)) {
      this.add(field, value, allowed);
      return fallback;
    }
    return value;
  }
}

/**
 * Reports a key the definition type does not have, as `<path>: got unknown key; did you mean "<closest>"?`,
 * or with the allowed keys when none is close. The value under the key is not shown: it is beside the point,
 * and under `routing` it may be a secret typed into the wrong place.
 */
export function reportUnknownKey(report: ProblemSink, path: string, key: string, known: readonly string[], got = 'unknown key'): void {
  const near = closest(key, known);
  report(keyPath(path, key), undefined, near === undefined ? `allowed: ${known.map((k) => `"${k}"`).join(', ')}` : `did you mean "${near}"?`, got);
}

/**
 * The known key a misspelt one most likely meant: the nearest by edit distance (case ignored), if it is
 * near enough to be a typo (a third of the key's length, at least 1) rather than a different word.
 */
export function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const near = Math.max(1, Math.floor(Math.max(key.length, 3) / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase(), near);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (bestDistance <= near) return best;
  // A key cut short (`stabilizationWindow`) is a typo however many characters are missing.
  return lower.length < 5 ? undefined : known.find((k) => k.toLowerCase().startsWith(lower));
}

/**
 * Levenshtein distance with adjacent transpositions (optimal string alignment): `capcaity` is 1 from
 * `capacity`; Infinity when it is certainly above `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  // Lengths further apart than the limit are further apart than it: no need to fill the table (a key may
  // be a pasted 100 kB string). Not the length difference itself, which is only a lower bound: it made
  // "Mars/Olympus_Mons" 4 from "Africa/Asmera".
  if (Math.abs(a.length - b.length) > limit) return Infinity;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
