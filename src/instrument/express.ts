/**
 * The route template of an Express request, mount paths included.
 *
 * Express sets `req.route` to the matched route, whose `path` is its template, and `req.baseUrl` to the part of
 * the URL the routers it went through have matched: the *values*, not the templates. With
 * `app.use('/users/:uid', users)` and `users.get('/posts', …)`, `req.baseUrl` is `/users/42`, so
 * `req.baseUrl + req.route.path` puts every user id into `http_route` (a probe got 1,892 values and exhausted
 * the series cap, issue 18). Neither major keeps the mount template on the request:
 *
 * - Express 5.3 (router 2.3) keeps it on the mount layer as `layer.rawPath` (router lib/layer.js), with one
 *   matcher per alternative of an array path in `layer.matchers`.
 * - Express 5.0–5.2 (router 2.0–2.2) keep only `layer.matchers`, path-to-regexp closures.
 * - Express 4 keeps only `layer.regexp`, the path-to-regexp 0.1 translation of the template, and `layer.keys`
 *   (express 4 lib/router/layer.js).
 *
 * So the template is found from the app's router tree, which `req.app` leads to: the first time a route is
 * seen, the tree is walked once and every route in it gets the chain of mount layers that leads to it. A
 * route under one chain of single-template mounts (the usual app) gets its whole prefix computed then, and
 * every later request costs one WeakMap lookup. A route reachable several ways (a router mounted twice, an
 * array mount path, a mounted sub-app among several) is matched again at the end of the request: the
 * layers' own matchers, in Express's order, against `req.baseUrl`. Where a layer keeps no template (router
 * 2.0–2.2) it is derived from what the layer matched, each parameter value replaced by its name.
 *
 * Whatever cannot be recovered (a RegExp mount under router 2.0–2.2, a route Express reached outside the
 * tree `req.app` leads to) is recorded without `http_route`, like a request no route matched: never with a
 * raw value, so the series stay bounded (OTel semconv: `http.route` "MUST NOT be filled from the URI path").
 *
 * Known limit: a router mounted a second time *after* one of its routes has been served keeps the chain
 * learnt first for those routes. Mounting happens at start-up in practice.
 */
import type { IncomingMessage } from 'node:http';
import { LABEL } from '../signals/contract';
import { describe, warnOnce } from './warn';

/** What a layer matched: the part of the path, and the parameters (needed only to derive a template). */
interface Matched {
  readonly path: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** One way a mount layer can match: its template (undefined: derive it from the match) and its matcher. */
interface Alternative {
  readonly template: string | undefined;
  readonly match: (path: string) => Matched | undefined;
  /** Whether literal text keeps its case in a derived template (the router's `caseSensitive`). */
  readonly caseSensitive: boolean;
}

/** A mount layer: its alternatives, in the order Express tries them. */
type Step = readonly Alternative[];
/** The mount layers from the app down to a route. */
type Chain = readonly Step[];
/**
 * How a route's mount template is found: the prefix itself (one chain, every template known), the chains
 * to match `req.baseUrl` against, or null when the route is not in the tree.
 */
type Mount = string | readonly Chain[] | null;

/** Learnt mount templates by route object; weak, so a discarded app takes its routes with it. */
const mounts = new WeakMap<object, Mount>();

/** Router nesting deeper than this is not followed (Express recurses without a limit; a cycle would loop). */
const MAX_DEPTH = 32;
/** Layers one walk visits at most: bounds the one-off cost of an app that grows its routes without end. */
const MAX_LAYERS = 20_000;

interface RouteLike {
  readonly path?: unknown;
}
interface ExpressRequest extends IncomingMessage {
  readonly route?: RouteLike | null;
  readonly baseUrl?: string;
  readonly app?: unknown;
}
interface LayerLike {
  readonly route?: unknown;
  readonly handle?: unknown;
  /** router ≥ 2.3: the path the layer was created with (arrays flattened). */
  readonly rawPath?: unknown;
  /** router 2.x: one matcher per alternative. */
  readonly matchers?: unknown;
  /** router 2.x: a `use` layer mounted at `/` (matches everything, consumes nothing). */
  readonly slash?: unknown;
  /** Express 4. */
  readonly regexp?: unknown;
  readonly keys?: unknown;
}
interface RouterLike {
  readonly stack: readonly LayerLike[];
  readonly caseSensitive?: unknown;
}

/**
 * The route template Express matched, the mount paths of the routers and sub-apps it went through included
 * (`/users/:uid/posts` for `app.use('/users/:uid', users)` and `users.get('/posts', …)`; `req.baseUrl` would
 * hold `/users/42`), a RegExp path as its `String()`. Undefined when no route matched, or when a mount
 * template cannot be recovered (a RegExp mount under Express 5.0–5.2's router; warned once): never a raw
 * value. Works with Express 4 and 5. What `express()` records; also usable as
 * `gs.http(app, { route: expressRoute })`, which measures the app without adding a middleware layer.
 */
export function expressRoute(req: IncomingMessage): string | undefined {
  const route = (req as ExpressRequest).route;
  if (route === undefined || route === null || route.path === undefined) return undefined;
  const path = String(route.path);
  const base = (req as ExpressRequest).baseUrl;
  // A route of the app itself: nothing was mounted, nothing to recover.
  if (!base) return path;
  let mount = mounts.get(route);
  if (typeof mount === 'string') return mount + path;
  try {
    if (mount === undefined) mount = learn((req as ExpressRequest).app, route);
    if (typeof mount === 'string') return mount + path;
    const prefix = mount === null ? undefined : rematch(base, mount);
    if (prefix !== undefined) return prefix + path;
    unrecovered(`the mount path of route ${JSON.stringify(path)} under ${mount === null ? 'an unknown router' : 'its routers'} could not be recovered`);
  } catch (error) {
    unrecovered(`recovering the mount path of route ${JSON.stringify(path)} failed: ${describe(error)}`);
  }
  return undefined;
}

function unrecovered(why: string): void {
  warnOnce('express-mount', `golden-signals: ${why}; such requests are recorded without ${LABEL.route} (never with raw URL values)`);
}

/**
 * Walks the tree `app` leads to, records every route's mount, and returns `route`'s. A route found nowhere
 * is remembered as null, so an unrecoverable route costs a lookup, not a walk, per request.
 */
function learn(app: unknown, route: object): Mount {
  const found = new Map<object, Chain[]>();
  const budget = { layers: MAX_LAYERS };
  const router = routerOfApp(app);
  if (router !== undefined) for (const prefix of appPrefixes(app, 0)) walk(router, prefix, 0, found, budget);
  for (const [r, chains] of found) mounts.set(r, mountOf(chains));
  const mount = mounts.get(route);
  if (mount !== undefined) return mount;
  mounts.set(route, null);
  return null;
}

function mountOf(chains: readonly Chain[]): Mount {
  if (chains.length === 1 && chains[0].every((step) => step.length === 1 && step[0].template !== undefined)) {
    return chains[0].map((step) => step[0].template).join('');
  }
  return chains;
}

function walk(router: RouterLike, chain: Chain, depth: number, found: Map<object, Chain[]>, budget: { layers: number }): void {
  const caseSensitive = router.caseSensitive === true;
  for (const layer of router.stack) {
    if (--budget.layers < 0) return;
    if (layer === null || typeof layer !== 'object') continue;
    const route = layer.route;
    if (route !== null && typeof route === 'object') {
      const chains = found.get(route);
      if (chains === undefined) found.set(route, [chain]);
      else chains.push(chain);
      continue;
    }
    const child = routerOf(layer.handle);
    if (child === undefined || depth >= MAX_DEPTH) continue;
    const step = alternativesOf(layer, caseSensitive);
    if (step.length > 0) walk(child, [...chain, step], depth + 1, found, budget);
  }
}

/** The router behind a layer's handle: an Express/router `Router`, or an Express app mounted with `router.use`. */
function routerOf(handle: unknown): RouterLike | undefined {
  if (typeof handle !== 'function') return undefined;
  if (Array.isArray((handle as { stack?: unknown }).stack)) return handle as unknown as RouterLike;
  return routerOfApp(handle);
}

/** An Express app's root router: `app._router` in Express 4 (created lazily), `app.router` in Express 5. */
function routerOfApp(app: unknown): RouterLike | undefined {
  if (typeof app !== 'function' || typeof (app as { handle?: unknown }).handle !== 'function') return undefined;
  const candidates = [(app as { _router?: unknown })._router];
  // Express 4 defines `app.router` as a getter that throws ("'app.router' is deprecated!").
  if (candidates[0] === undefined) {
    try {
      candidates[0] = (app as { router?: unknown }).router;
    } catch {
      return undefined;
    }
  }
  const router = candidates[0];
  return typeof router === 'function' && Array.isArray((router as { stack?: unknown }).stack) ? (router as unknown as RouterLike) : undefined;
}

/**
 * The chains that lead to a sub-app's root: `app.use(path, subApp)` wraps the sub-app into a layer of the
 * parent's router whose handle, `mounted_app`, does not lead back to it (express lib/application.js), and
 * sets `subApp.mountpath` and `subApp.parent`. So the parent's `mounted_app` layers whose template is the
 * mount path are the step; if none says so (router 2.0–2.2 keep no template), all of them, to match.
 */
function appPrefixes(app: unknown, depth: number): Chain[] {
  const parent = typeof app === 'function' ? (app as { parent?: unknown }).parent : undefined;
  if (parent === undefined || depth >= MAX_DEPTH) return [[]];
  const router = routerOfApp(parent);
  if (router === undefined) return [];
  const caseSensitive = router.caseSensitive === true;
  const mounted = router.stack
    .filter((layer) => typeof layer?.handle === 'function' && (layer.handle as { name?: unknown }).name === 'mounted_app')
    .map((layer) => alternativesOf(layer, caseSensitive))
    .filter((step) => step.length > 0);
  const mountpath = (app as { mountpath?: unknown }).mountpath;
  const wanted = (Array.isArray(mountpath) ? mountpath.flat(Infinity) : [mountpath]).map(mountTemplate);
  const same = mounted.filter((step) => step.length === wanted.length && step.every((alt, i) => alt.template === wanted[i]));
  const steps = same.length > 0 ? same : mounted;
  if (steps.length === 0) return [];
  const step: Step = steps.flat();
  return appPrefixes(parent, depth + 1).map((chain) => [...chain, step]);
}

/**
 * A mount path as the prefix of the route's template: a RegExp as its `String()` (as Express shows a RegExp
 * route, and OpenTelemetry's Express instrumentation a RegExp layer), a string without its trailing slash.
 */
function mountTemplate(path: unknown): string {
  return typeof path === 'string' ? normalize(path) : String(path);
}

/** Express drops a trailing slash from `baseUrl`, and a mount at `/` adds nothing. */
function normalize(template: string): string {
  return template.endsWith('/') ? template.slice(0, -1) : template;
}

/** The alternatives of a mount layer, or none if its shape is unknown. */
function alternativesOf(layer: LayerLike, caseSensitive: boolean): Step {
  const whole: Alternative = { template: '', match: () => ({ path: '' }), caseSensitive };
  if (Array.isArray(layer.matchers)) {
    // router 2.x (Express 5).
    if (layer.slash === true) return [whole];
    const matchers = layer.matchers as unknown[];
    const raw = layer.rawPath;
    const templates: Array<string | undefined> = Array.isArray(raw) ? raw.map(mountTemplate) : raw !== undefined ? [mountTemplate(raw)] : [];
    return matchers.map((matcher, i) => ({
      template: templates[i],
      match: router2Matcher(matcher),
      caseSensitive,
    }));
  }
  const regexp = layer.regexp;
  if (regexp instanceof RegExp && Array.isArray(layer.keys)) {
    // Express 4: `fast_slash` and `fast_star` are its own shortcuts for `/` and `*` (lib/router/layer.js).
    const flagged = regexp as RegExp & { fast_slash?: boolean; fast_star?: boolean };
    if (flagged.fast_slash) return [whole];
    if (flagged.fast_star) return [{ template: '*', match: (path) => ({ path }), caseSensitive }];
    const flags = regexp.flags.replace(/[gy]/g, '');
    const parsed = express4Templates(regexp.source, layer.keys as ReadonlyArray<{ readonly name?: unknown }>);
    if (parsed !== undefined) {
      return parsed.map(({ template, source }) => ({ template: normalize(template), match: regexpMatcher(new RegExp(source, flags)), caseSensitive }));
    }
    // A RegExp the app passed: its text is the template, whatever it matched.
    return [{ template: String(regexp), match: regexpMatcher(new RegExp(regexp.source, flags)), caseSensitive }];
  }
  return [];
}

/**
 * A router 2.x matcher as an {@link Alternative} matcher. Router 2.0–2.2 keep no template; for their RegExp
 * paths (the inner function is named `regexpMatcher`, router lib/layer.js) none can be derived either.
 */
function router2Matcher(matcher: unknown): Alternative['match'] {
  if (typeof matcher !== 'function') return () => undefined;
  const regexpPath = (matcher as { name?: unknown }).name === 'regexpMatcher';
  return (path) => {
    const m = (matcher as (p: string) => unknown)(path) as { path?: unknown; params?: Record<string, unknown> } | false | null | undefined;
    if (!m || typeof m.path !== 'string') return undefined;
    return { path: m.path, params: regexpPath ? undefined : (m.params ?? {}) };
  };
}

function regexpMatcher(regexp: RegExp): Alternative['match'] {
  return (path) => {
    const m = regexp.exec(path);
    return m === null ? undefined : { path: m[0] };
  };
}

/**
 * Matches `base` (`req.baseUrl`) against each chain, layer by layer, as the routers did: the first chain
 * whose layers consume all of it gives the prefix. Undefined if none does.
 */
function rematch(base: string, chains: readonly Chain[]): string | undefined {
  for (const chain of chains) {
    let rest = base;
    let prefix = '';
    let matchedAll = true;
    for (const step of chain) {
      let template: string | undefined;
      for (const alternative of step) {
        let m: Matched | undefined;
        try {
          m = alternative.match(rest);
        } catch {
          m = undefined;
        }
        if (m === undefined) continue;
        // A router removes what the layer matched from the URL, and leaves it in baseUrl without a trailing slash.
        const part = m.path.endsWith('/') ? m.path.slice(0, -1) : m.path;
        if (rest.slice(0, part.length) !== part || (rest.length > part.length && rest[part.length] !== '/')) continue;
        template = alternative.template ?? derive(m, alternative.caseSensitive);
        if (template === undefined) continue;
        rest = rest.slice(part.length);
        break;
      }
      if (template === undefined) {
        matchedAll = false;
        break;
      }
      prefix += template;
    }
    if (matchedAll && rest === '') return prefix;
  }
  return undefined;
}

/**
 * A template from what a template-less layer (router 2.0–2.2) matched: each parameter's value, segment by
 * segment in order, becomes `:name` (a splat's segments one `*name`); literal text is lower-cased unless the
 * router is case-sensitive, as `/USERS` and `/users` match the same layer. Undefined when a value is not a
 * whole segment (`/:file.:ext`) or the layer was a RegExp: then only the raw text would be left.
 */
function derive(m: Matched, caseSensitive: boolean): string | undefined {
  if (m.params === undefined) return undefined;
  const segments = m.path.split('/');
  const replaced: Array<string | null | undefined> = new Array(segments.length);
  let cursor = 1;
  for (const [name, value] of Object.entries(m.params)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some((v) => typeof v !== 'string')) return undefined;
    let at = -1;
    for (let i = cursor; i + values.length <= segments.length && at === -1; i++) {
      if (replaced[i] === undefined && values.every((v, j) => decoded(segments[i + j]) === v)) at = i;
    }
    if (at === -1) return undefined;
    replaced[at] = Array.isArray(value) ? `*${name}` : `:${name}`;
    for (let j = 1; j < values.length; j++) replaced[at + j] = null;
    cursor = at + values.length;
  }
  const out: string[] = [];
  segments.forEach((segment, i) => {
    const r = replaced[i];
    if (r === null) return;
    out.push(r ?? (caseSensitive ? segment : segment.toLowerCase()));
  });
  return normalize(out.join('/'));
}

function decoded(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The tail path-to-regexp 0.1 puts on every `use` layer Express 4 makes (non-ending, non-strict). */
const EXPRESS4_TAIL = '\\/?(?=\\/|$)';
/** The capture path-to-regexp 0.1 writes for a parameter without a pattern of its own. */
const DEFAULT_CAPTURES = new Set(['[^/]+?', '[^\\/]+?', '[^/\\.]+?', '[^\\/\\.]+?']);
/** The capture it writes for a parameter after a literal in the same segment (`/a-:b`). */
const BACKTRACK_CAPTURE = /^\(\?:\(\?!\\\/\|.*\)\.\)\+\?$/;
/** The group it appends for `:name*`. */
const STAR_GROUP = /^\(\(\?:\[(?:\/|\\\/)(?:\\\.)?\]\.\+\?\)\?\)$/;

/**
 * Reads the templates back out of an Express 4 layer's regexp: path-to-regexp 0.1 (frozen since 2015, express
 * 4 depends on 0.1.x) writes `^` + the template with each `/:name` as `(?:\/([^/]+?))`, `*` as `(.*)`, `.`
 * as `\.`, then the tail, and joins an array's alternatives with `|`. Undefined for anything else (a RegExp the
 * app passed), whose text is then the template.
 */
function express4Templates(source: string, keys: ReadonlyArray<{ readonly name?: unknown }>): Array<{ template: string; source: string }> | undefined {
  const alternatives = splitTopLevel(source);
  if (alternatives === undefined) return undefined;
  const out: Array<{ template: string; source: string }> = [];
  let key = 0;
  for (const alternative of alternatives) {
    if (!alternative.startsWith('^') || !alternative.endsWith(EXPRESS4_TAIL)) return undefined;
    const body = alternative.slice(1, -EXPRESS4_TAIL.length);
    let template = '';
    let i = 0;
    while (i < body.length) {
      const c = body[i];
      if (c === '\\') {
        const next = body[i + 1];
        // `\d`, `\w`…: a character class, so a RegExp, not an escaped literal.
        if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined;
        template += next;
        i += 2;
      } else if (body.startsWith('(.*)', i)) {
        if (typeof keys[key]?.name !== 'number') return undefined;
        template += '*';
        key++;
        i += 4;
      } else if (body.startsWith('(?:', i)) {
        const end = closingParen(body, i);
        if (end === -1) return undefined;
        let inner = body.slice(i + 3, end);
        let lead = '';
        while (inner.startsWith('\\/') || inner.startsWith('\\.')) {
          lead += inner[1];
          inner = inner.slice(2);
        }
        if (!inner.startsWith('(')) return undefined;
        const captureEnd = closingParen(inner, 0);
        if (captureEnd === -1) return undefined;
        const capture = inner.slice(1, captureEnd);
        const after = inner.slice(captureEnd + 1);
        const star = after !== '' && STAR_GROUP.test(after);
        if (after !== '' && !star) return undefined;
        const name = keys[key]?.name;
        if (typeof name !== 'string') return undefined;
        key += 1 + countCaptures(capture) + (star ? 1 : 0);
        const optional = body[end + 1] === '?';
        const pattern = DEFAULT_CAPTURES.has(capture) || BACKTRACK_CAPTURE.test(capture) ? '' : `(${capture})`;
        // path-to-regexp writes a format dot before the slash; the template had the slash first.
        template += `${[...lead].sort((a, b) => (a === '/' ? -1 : b === '/' ? 1 : 0)).join('')}:${name}${pattern}${star ? '*' : ''}${optional ? '?' : ''}`;
        i = end + 1 + (optional ? 1 : 0);
      } else if (/[A-Za-z0-9\-_~!$&',;=@%/]/.test(c)) {
        template += c;
        i++;
      } else {
        return undefined;
      }
    }
    out.push({ template, source: alternative });
  }
  return key === keys.length ? out : undefined;
}

/** Splits a regexp source at its top-level `|`; undefined if its parentheses do not balance. */
function splitTopLevel(source: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return undefined;
  }
  parts.push(source.slice(start));
  return depth === 0 ? parts : undefined;
}

/** Index of the `)` closing the `(` at `open`, escapes and classes skipped; -1 if none. */
function closingParen(source: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Capturing groups in a pattern: each is a key of its own in path-to-regexp 0.1. */
function countCaptures(pattern: string): number {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(' && pattern[i + 1] !== '?') count++;
    else if (c === '(' && pattern.startsWith('(?<', i) && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') count++;
  }
  return count;
}
