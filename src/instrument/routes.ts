/**
 * Route templates for plain node:http, which has no router: the definition's `routes` compiled into a
 * matcher. The raw URL never becomes a label (OTel semconv: `http.route` "MUST NOT be filled from the URI
 * path"); a path no template matches gets no route at all, which is bounded.
 */

import { routeTemplateProblem } from '../signals/contract';

/** Maps a request path to the template it matched, or undefined. */
export type RouteMatcher = (url: string | undefined) => string | undefined;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How specific a template segment is: a literal beats `:name`, which beats `*`. */
const enum Specificity {
  Literal = 0,
  Param = 1,
  Wildcard = 2,
}

function specificity(segment: string): Specificity {
  return segment.startsWith(':') ? Specificity.Param : segment.startsWith('*') ? Specificity.Wildcard : Specificity.Literal;
}

/** Orders templates so that, segment by segment, the more specific one is tried first. */
function mostSpecificFirst(a: readonly Specificity[], b: readonly Specificity[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Compiles route templates in the Express/Fastify style: `:name` matches one non-empty path segment, `*` (or
 * `*name`) the rest of the path and must come last. Where templates overlap, the more specific one wins —
 * segment by segment a literal before `:name` before `*`, whatever the order they are listed in, as in
 * Fastify's router (find-my-way). The query string, a fragment and a trailing slash are ignored. Only string
 * operations, never `decodeURIComponent` or `new URL`, so no input can throw (cf. express-prom-bundle#130).
 *
 * Static templates are one Map lookup. A parameterised template is one regex tested against the raw URL,
 * which stops at `?` or `#` by itself, and only when the path's first character is the one the template
 * starts with. With 20 routes that guard halves the matcher (1,272 against 2,485 instructions per match;
 * with one route 418 against 448; BENCHMARKS.md). Measured and rejected: cutting the path out
 * first (two `indexOf`, a slice, a trim: 70–85 ns of a ~90 ns match, BENCHMARKS.md), a `startsWith`
 * guard (it must check its argument is not a RegExp and cost ~330 instructions, about a regex), and a
 * segment tree walked with `charCodeAt` (1.7 times the regex's instructions per request on node:http's URLs).
 *
 * @throws TypeError for a template `routeTemplateProblem` refuses: one not starting with `/`, or with a segment after a `*`.
 * @example
 * const match = compileRoutes(['/cart', '/orders/:id']);
 * match('/orders/42?x=1'); // '/orders/:id'
 * match('/nope');          // undefined
 */
export function compileRoutes(templates: readonly string[]): RouteMatcher {
  const statics = new Map<string, string>();
  const parameterised: Array<{ readonly template: string; readonly first: number; readonly pattern: RegExp; readonly rank: Specificity[] }> = [];
  for (const template of templates) {
    const problem = routeTemplateProblem(template);
    if (problem !== undefined) throw new TypeError(`compileRoutes(): route template ${JSON.stringify(template)} ${problem}`);
    const path = trimSlash(template);
    const segments = path.split('/');
    const rank = segments.slice(1).map(specificity);
    const firstVariable = rank.findIndex((r) => r !== Specificity.Literal);
    if (firstVariable === -1) {
      statics.set(path, template);
      continue;
    }
    const pattern = segments.map((segment, i) => (i === 0 ? '' : [escapeRegex(segment), '[^/?#]+', '[^?#]*'][rank[i - 1]])).join('/');
    parameterised.push({
      template,
      // The first character of the path, if the template fixes it: one charCodeAt, where `startsWith` (which
      // must first check its argument is not a RegExp) cost nearly as much as the regex.
      first: firstVariable === 0 ? -1 : template.charCodeAt(1),
      pattern: new RegExp(`^${pattern}/?(?:[?#]|$)`),
      rank,
    });
  }
  parameterised.sort((a, b) => mostSpecificFirst(a.rank, b.rank));
  const firsts = parameterised.map((p) => p.first);
  const patterns = parameterised.map((p) => p.pattern);
  const matched = parameterised.map((p) => p.template);

  const matchStatic = (url: string): string | undefined => {
    let end = url.length;
    const q = url.indexOf('?');
    if (q !== -1) end = q;
    const h = url.indexOf('#');
    if (h !== -1 && h < end) end = h;
    return statics.get(trimSlash(end === url.length ? url : url.slice(0, end)));
  };
  const hasStatics = statics.size > 0;
  return (url) => {
    if (url === undefined) return undefined;
    if (hasStatics) {
      const exact = matchStatic(url);
      if (exact !== undefined) return exact;
    }
    const first = url.charCodeAt(1);
    for (let i = 0; i < patterns.length; i++) if ((firsts[i] === first || firsts[i] === -1) && patterns[i].test(url)) return matched[i];
    return undefined;
  };
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
