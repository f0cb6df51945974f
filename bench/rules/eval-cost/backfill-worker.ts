/**
 * One backfill worker: rebuilds the fleet's series (deterministic, so every worker has the same ones) and writes
 * every `workers`-th block. Blocks are independent, so two workers use both cores for the longest phase.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveService } from '../../../src/model';
import type { ServiceDefinition } from '../../../src/spec';
import { fleetSeries } from './fleet-data';
import { BlockStats, compareLabels, writeBlock } from './tsdb';

interface Job {
  readonly definitions: ServiceDefinition[];
  readonly originMs: number;
  readonly ranges: Array<[number, number]>;
  readonly dir: string;
}

const job = workerData as Job;
const fleet = fleetSeries(job.definitions.map((d) => resolveService(d)), job.originMs);
const all = [...fleet.raw, ...fleet.ours, ...fleet.sloth].sort((a, b) => compareLabels(a.labels, b.labels));
const stats: BlockStats[] = [];
for (const [from, to] of job.ranges) {
  stats.push(writeBlock(job.dir, all, from, to));
  parentPort!.postMessage({ progress: stats[stats.length - 1] });
}
parentPort!.postMessage({ done: stats });
