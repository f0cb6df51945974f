/**
 * What the shim costs per request without the network: the http() adapter's `begin`, the second look after the
 * microtasks queued by the handler and the close listener (the path of a handler that answers later), run on
 * real IncomingMessage/ServerResponse objects in a loop, against the same loop with the bare handler.
 * One case per process (pinned to one core when `taskset` exists), 200k warm-up then 7 × 300k, median.
 *
 * Run: `npx ts-node --transpile-only bench/shim/request-cost.ts` (about 10 seconds)
 */
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { compiled, PIN } from './harness';
import { BENCH_PATH, BENCH_ROUTE, BENCH_SERVICE } from './service';

const CASES = {
  bare: 'the handler alone (constructing the request and response objects, emitting close)',
  shim: 'gs.http(handler): route matched against the definition',
  'shim-route': 'gs.http(handler, { route }): route given by the caller',
} as const;
type Case = keyof typeof CASES;

async function measure(which: Case): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { instrument } = require('../../src/instrument') as typeof import('../../src/instrument');
  const gs = instrument(BENCH_SERVICE, { handleSignals: false, tracing: false, serve: false });
  const handler: http.RequestListener = () => undefined;
  const listener: http.RequestListener =
    which === 'bare' ? handler : which === 'shim' ? gs.http(handler) : gs.http(handler, { route: () => BENCH_ROUTE });
  const socket = new net.Socket();
  const run = async (n: number): Promise<number> => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const req = new http.IncomingMessage(socket);
      req.method = 'GET';
      req.url = BENCH_PATH;
      const res = new http.ServerResponse(req);
      listener(req, res);
      // The response is not complete when the handler returns: the shim looks again after the microtasks
      // queued so far, then listens for 'close'.
      await undefined;
      res.emit('close');
    }
    return Number(process.hrtime.bigint() - t0) / n;
  };
  await run(200_000);
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) samples.push(await run(300_000));
  return samples.sort((a, b) => a - b)[3];
}

const which = process.argv[2] as Case | undefined;
if (which !== undefined) {
  void measure(which).then((nsPerRequest) => console.log(JSON.stringify({ nsPerRequest })));
} else {
  const pin = PIN ? ['taskset', '-c', '1'] : [];
  const ns = {} as Record<Case, number>;
  for (const c of Object.keys(CASES) as Case[]) {
    const argv = [process.execPath, compiled('request-cost'), c];
    const [command, ...args] = [...pin, ...argv];
    const out = execFileSync(command, args, { encoding: 'utf8', timeout: 120_000 });
    ns[c] = (JSON.parse(out.trim().split('\n').pop() as string) as { nsPerRequest: number }).nsPerRequest;
  }
  console.log('| case | ns per request, median of 7 × 300k | added to bare |\n| --- | ---: | ---: |');
  for (const c of Object.keys(CASES) as Case[]) console.log(`| ${c}: ${CASES[c]} | ${ns[c].toFixed(0)} | ${c === 'bare' ? '–' : `+${(ns[c] - ns.bare).toFixed(0)}`} |`);
}
