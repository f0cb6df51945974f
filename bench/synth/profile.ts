/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) by where the self time went: per source area (a
 * package under node_modules, or a folder of this repo) and per function. Used by run.ts --profile to
 * explain what dominates a synth; also usable alone: `npx ts-node --transpile-only bench/synth/profile.ts x.cpuprofile`.
 */
import * as fs from 'node:fs';

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly CpuProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** [area, ms], largest first. */
  readonly byArea: Array<[string, number]>;
  /** [function @ area, ms], largest first. */
  readonly byFunction: Array<[string, number]>;
}

/** `node_modules/<pkg>` (scoped packages kept whole), a repo folder such as `src/rules`, or `(node)`/`(v8)`. */
function area(url: string, functionName: string): string {
  if (!url) return functionName === '(garbage collector)' ? '(gc)' : functionName.startsWith('(') ? functionName : '(v8)';
  if (url.startsWith('node:')) return '(node core)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const repo = /\/work\/[^/]+\/((?:src|bench|imports|examples)(?:\/[^/]+)?)/.exec(url);
  if (repo) return repo[1].replace(/\.ts$/, '');
  return url;
}

/**
 * Self time by area and function. With `fromUs`/`toUs` (monotonic µs, the profile's own clock) only the
 * samples taken in that interval count, e.g. the measured phase without the process start-up.
 */
export function summarise(profile: CpuProfile, fromUs = -Infinity, toUs = Infinity): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const areaMs = new Map<string, number>();
  const fnMs = new Map<string, number>();
  let totalMs = 0;
  // Sample i is taken at startTime + the sum of the deltas up to i; its self time is the delta to the next one.
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    const node = byId.get(profile.samples[i]);
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (!node || ms <= 0 || at < fromUs || at > toUs) continue;
    totalMs += ms;
    const a = area(node.callFrame.url, node.callFrame.functionName);
    areaMs.set(a, (areaMs.get(a) ?? 0) + ms);
    const f = `${node.callFrame.functionName || '(anonymous)'} @ ${a}`;
    fnMs.set(f, (fnMs.get(f) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
  return { totalMs, byArea: sorted(areaMs), byFunction: sorted(fnMs) };
}

/**
 * Inclusive time (self plus everything it called) of the functions named `functionName` in files whose path
 * ends with `urlSuffix`, within the same interval as {@link summarise}.
 */
export function inclusiveMs(profile: CpuProfile, functionName: string, urlSuffix: string, fromUs = -Infinity, toUs = Infinity): number {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const under = new Map<number, boolean>();
  const isUnder = (id: number): boolean => {
    const known = under.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const self = node.callFrame.functionName === functionName && node.callFrame.url.endsWith(urlSuffix);
    const p = parent.get(id);
    const result = self || (p !== undefined && isUnder(p));
    under.set(id, result);
    return result;
  };
  let ms = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    if (at < fromUs || at > toUs) continue;
    if (isUnder(profile.samples[i])) ms += (profile.timeDeltas[i + 1] ?? 0) / 1000;
  }
  return ms;
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
}

export function formatSummary(s: ProfileSummary, top = 12): string {
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1)}%`;
  const lines = [`profiled ${s.totalMs.toFixed(0)} ms (self time)`, '', '| area | ms | share |', '| --- | ---: | ---: |'];
  for (const [a, ms] of s.byArea.slice(0, top)) lines.push(`| ${a} | ${ms.toFixed(0)} | ${pct(ms)} |`);
  lines.push('', '| function | ms | share |', '| --- | ---: | ---: |');
  for (const [f, ms] of s.byFunction.slice(0, top)) lines.push(`| ${f.replace(/\|/g, '\\|')} | ${ms.toFixed(0)} | ${pct(ms)} |`);
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile.ts <file.cpuprofile>');
  console.log(formatSummary(summarise(readProfile(file))));
}
