/**
 * `http_route` under Express routers mounted at paths with parameters (issue 18 item 11): the full template,
 * never the values `req.baseUrl` holds. Real Express 4 and 5 servers on loopback, and Express 5 with routers of
 * router 2.2 (Express 5.0–5.2), whose layers keep no template at all.
 */
import * as http from 'node:http';
import express from 'express';
import { catalog } from '../../examples/services';
import { expressRoute, GoldenSignals, instrument } from '../../src/instrument';
import { LABEL, METRIC } from '../../src/signals/contract';
import { close, listen, request, scrape, select } from './helpers';

/* eslint-disable @typescript-eslint/no-require-imports */
/** Express 4.22 (npm alias `express4`); its API is the part of Express 5's types these apps use. */
const express4 = require('express4') as typeof express;
/** router 2.2, the router of Express 5.0–5.2 (npm alias `router22`). */
const router22 = require('router22') as () => express.Router;
/* eslint-enable @typescript-eslint/no-require-imports */

const VERSIONED = /^\/v\d+/;
const ok = (_req: express.Request, res: express.Response) => void res.send('ok');

/**
 * The app every harness serves, mounted as real apps are: routers with parameters at two levels, a RegExp
 * mount, an array mount, one router under two mounts, a sub-app, and a route of the app itself.
 */
function mountAll(app: express.Express, router: () => express.Router, subApp: () => express.Express): void {
  const users = router();
  const orgs = router();
  orgs.get('/repos/:repo', ok);
  users.use('/orgs/:org', orgs);
  users.get('/posts', ok);
  users.get('/', ok);
  const versioned = router();
  versioned.get('/status', ok);
  const listed = router();
  listed.get('/leaf', ok);
  const shared = router();
  shared.get('/things/:thing', ok);
  const admin = subApp();
  admin.get('/members/:id', ok);

  // Under a router of the harness's kind mounted at `/`, so every mount below is a layer of that kind.
  const root = router();
  root.use('/users/:uid', users);
  root.use(VERSIONED, versioned);
  root.use(['/lists/:list', '/inbox'], listed);
  root.use('/teams/:team', shared);
  root.use('/me', shared);
  app.use(root);
  app.use('/admin/:org', admin);
  app.get('/health', ok);
}

interface Harness {
  readonly name: string;
  readonly app: (gs: GoldenSignals) => express.Express;
  /** What a RegExp mount yields: its text, or nothing where the router keeps neither text nor template. */
  readonly versioned: string | undefined;
}

const harnesses: Harness[] = [
  {
    name: 'Express 5 (router 2.3 keeps the mount template as layer.rawPath)',
    app: (gs) => {
      const app = express();
      app.use(gs.express());
      mountAll(app, () => express.Router(), () => express());
      return app;
    },
    versioned: `${String(VERSIONED)}/status`,
  },
  {
    name: 'Express 4 (the template is read back from layer.regexp)',
    app: (gs) => {
      const app = express4();
      app.use(gs.express());
      mountAll(app, () => express4.Router(), () => express4());
      return app;
    },
    versioned: `${String(VERSIONED)}/status`,
  },
  {
    name: 'Express 5 with router 2.2 routers (no template kept: derived from what each layer matched)',
    app: (gs) => {
      const app = express();
      app.use(gs.express());
      mountAll(app, router22, () => express());
      return app;
    },
    versioned: undefined,
  },
];

describe.each(harnesses)('http_route under $name', (harness) => {
  let gs: GoldenSignals;
  let server: http.Server;
  let port: number;
  let metricsPort: number;
  const agent = new http.Agent({ keepAlive: true });

  beforeAll(async () => {
    gs = instrument(catalog, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false });
    metricsPort = (await gs.ready) as number;
    server = http.createServer(harness.app(gs));
    port = await listen(server);
  });
  afterAll(async () => {
    agent.destroy();
    await close(server);
    await gs.shutdown();
  });

  /** The routes the requests to `paths` were recorded under, with their counts, after a fresh scrape. */
  async function routesOf(paths: readonly string[]): Promise<Map<string | undefined, number>> {
    const before = await counts();
    for (const path of paths) await request(port, path, { agent });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await counts();
    const delta = new Map<string | undefined, number>();
    for (const [route, n] of after) if (n !== (before.get(route) ?? 0)) delta.set(route, n - (before.get(route) ?? 0));
    return delta;
  }
  async function counts(): Promise<Map<string | undefined, number>> {
    const result = new Map<string | undefined, number>();
    for (const s of select((await scrape(metricsPort)).samples, `${METRIC.httpDuration}_count`)) {
      const route = s.labels[LABEL.route];
      result.set(route, (result.get(route) ?? 0) + s.value);
    }
    return result;
  }

  it.each([
    ['a route of a router mounted with a parameter', '/users/42/posts', '/users/:uid/posts'],
    ['the root route of that router', '/users/42', '/users/:uid/'],
    ['a route two routers deep, a parameter at each level', '/users/7/orgs/acme/repos/web', '/users/:uid/orgs/:org/repos/:repo'],
    ['a request whose mount literal differs in case (Express matches case-insensitively)', '/USERS/43/Posts', '/users/:uid/posts'],
    ['a percent-encoded parameter value', '/users/a%20b/posts', '/users/:uid/posts'],
    ['the first alternative of an array mount', '/lists/9/leaf', '/lists/:list/leaf'],
    ['the second alternative of an array mount', '/inbox/leaf', '/inbox/leaf'],
    ['a router mounted twice, through its parameterised mount', '/teams/t1/things/x', '/teams/:team/things/:thing'],
    ['a router mounted twice, through its literal mount', '/me/things/y', '/me/things/:thing'],
    ['a sub-app mounted with app.use at a parameterised path', '/admin/o1/members/3', '/admin/:org/members/:id'],
    ['a route of the app itself', '/health', '/health'],
  ])('records %s (%s) as %s', async (_what, path, route) => {
    expect(await routesOf([path])).toEqual(new Map([[route, 1]]));
  });

  it('records a RegExp mount as the RegExp text where the router keeps it, else without a route, never with the matched value', async () => {
    expect(await routesOf(['/v2/status', '/v31337/status'])).toEqual(new Map([[harness.versioned, 2]]));
  });

  it('records a path no route under a parameterised mount matches without a route', async () => {
    expect(await routesOf(['/users/42/nope'])).toEqual(new Map([[undefined, 1]]));
  });

  it('keeps one series per template for 300 distinct ids at two levels, and no id reaches the exposition', async () => {
    const paths = Array.from({ length: 300 }, (_, i) => `/users/uid-marker-${i}/orgs/org-marker-${i}/repos/r${i}`);
    expect(await routesOf(paths)).toEqual(new Map([['/users/:uid/orgs/:org/repos/:repo', 300]]));
    const { samples, text } = await scrape(metricsPort);
    expect(select(samples, `${METRIC.httpDuration}_count`, { [LABEL.route]: '/users/:uid/orgs/:org/repos/:repo' })).toHaveLength(1);
    expect(text).not.toMatch(/uid-marker|org-marker/);
  });
});

describe('http_route of Express 4 mount templates, read back from the regexp path-to-regexp 0.1 made of them', () => {
  const cases: ReadonlyArray<readonly [template: string, path: string, route: string]> = [
    ['/users/:uid', '/users/42', '/users/:uid/leaf'],
    ['/m/:a/:b', '/m/1/2', '/m/:a/:b/leaf'],
    ['/:lang?/docs', '/en/docs', '/:lang?/docs/leaf'],
    ['/:lang?/help', '/help', '/:lang?/help/leaf'],
    ['/u/:id(\\d+)', '/u/12', '/u/:id(\\d+)/leaf'],
    ['/a.b/:name.:format', '/a.b/file.json', '/a.b/:name.:format/leaf'],
    ['/a-:b', '/a-zzz', '/a-:b/leaf'],
    ['/API', '/api', '/API/leaf'],
    ['/t/:uid/', '/t/5', '/t/:uid/leaf'],
  ];

  it.each(cases)('records a request under the mount %j (%s) as %s', async (template, path, route) => {
    const gs = instrument(catalog, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false });
    const app = express4();
    app.use(gs.express());
    // The other templates first, so a wrong alternative would have its chance to match.
    for (const [other] of cases) {
      const router = express4.Router();
      router.get('/leaf', ok);
      if (other !== template) app.use(`/decoy${other}`, router);
    }
    const router = express4.Router();
    router.get('/leaf', ok);
    app.use(template, router);
    const server = http.createServer(app);
    const port = await listen(server);
    try {
      expect((await request(port, `${path}/leaf`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const recorded = select((await scrape((await gs.ready) as number)).samples, `${METRIC.httpDuration}_count`, { [LABEL.statusCode]: '200' })
        .filter((s) => s.value > 0)
        .map((s) => s.labels[LABEL.route]);
      expect(recorded).toEqual([route]);
    } finally {
      await close(server);
      await gs.shutdown();
    }
  });
});

describe('expressRoute() without the middleware', () => {
  it('gives gs.http(app, { route: expressRoute }) the same full template', async () => {
    const gs = instrument(catalog, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false });
    const app = express();
    const users = express.Router();
    users.get('/posts/:post', ok);
    app.use('/users/:uid', users);
    const server = http.createServer(gs.http(app, { route: expressRoute }));
    const port = await listen(server);
    try {
      for (const path of ['/users/1/posts/1', '/users/2/posts/2']) await request(port, path);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { samples } = await scrape((await gs.ready) as number);
      expect(select(samples, `${METRIC.httpDuration}_count`, { [LABEL.route]: '/users/:uid/posts/:post', [LABEL.statusCode]: '200' }).map((s) => s.value)).toEqual([2]);
    } finally {
      await close(server);
      await gs.shutdown();
    }
  });

  it('warns once, naming the route, when a mount template cannot be recovered', async () => {
    // A fresh copy of the shim: warnings are once per process, and the harnesses above have had theirs.
    let fresh: typeof import('../../src/instrument') | undefined;
    jest.isolateModules(() => {
      fresh = require('../../src/instrument') as typeof import('../../src/instrument'); // eslint-disable-line @typescript-eslint/no-require-imports
    });
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const gs = fresh!.instrument(catalog, { port: 0, host: '127.0.0.1', handleSignals: false, tracing: false, serve: false });
    const app = express();
    app.use(gs.express());
    const root = router22();
    const versioned = router22();
    versioned.get('/status', ok);
    root.use(VERSIONED, versioned);
    app.use(root);
    const server = http.createServer(app);
    const port = await listen(server);
    try {
      for (const path of ['/v1/status', '/v2/status']) await request(port, path);
      const warnings = emitWarning.mock.calls.map(([message]) => String(message)).filter((m) => m.includes('mount path'));
      expect(warnings).toEqual([expect.stringMatching(/route "\/status".*recorded without http_route/)]);
    } finally {
      emitWarning.mockRestore();
      await close(server);
      await gs.shutdown();
    }
  });
});
