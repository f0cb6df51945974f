import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Every file under `dir` whose name passes `keep`, as path relative to `dir` → content; empty when `dir` does
 * not exist.
 */
export function tree(dir: string, keep: (name: string) => boolean = () => true): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (keep(e.name)) out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}
