/** CPU pinning for the shim benchmarks: the load generator and the measured code on separate cores. */
import { execFileSync } from 'node:child_process';

/** Whether `taskset` (util-linux) is on PATH. */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
