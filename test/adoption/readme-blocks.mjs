// Writes the README's walkthrough blocks into a project, verbatim: every fenced block preceded by
// `<!-- adoption: <project>/<file> -->` whose project is argv[3] goes to <argv[4]>/<file>.
// Usage: node readme-blocks.mjs README.md gitops /tmp/gitops  → prints the files written.
import * as fs from 'node:fs';
import * as path from 'node:path';

const [readme, project, dir] = process.argv.slice(2);
const text = fs.readFileSync(readme, 'utf8');
const blocks = [...text.matchAll(/<!-- adoption: ([\w-]+)\/([\w.-]+) -->\n```\w*\n([\s\S]*?)\n```/g)];
const mine = blocks.filter(([, p]) => p === project);
if (mine.length === 0) {
  console.error(`readme-blocks: no block of project "${project}" in ${readme}`);
  process.exit(1);
}
for (const [, , file, body] of mine) {
  fs.writeFileSync(path.join(dir, file), `${body}\n`);
  console.log(file);
}
