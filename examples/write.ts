import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes generated files under `root`, replacing the generated folders' previous contents. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const dir of new Set(Object.keys(files).map((f) => f.split('/')[0]))) {
    fs.rmSync(path.join(root, dir), { recursive: true, force: true });
  }
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
}
