#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript through tsx).
// Node 20's --test takes no globs, so the files are listed here. Extra args are passed through,
// e.g. `npm test -- --test-name-pattern=selector`; a path argument limits the run to that folder.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith("-"));
const flags = args.filter((a) => a.startsWith("-"));
const skip = new Set(["node_modules", "dist", ".cache", "fixtures", "e2e"]);

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (skip.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const files = (roots.length ? roots : ["src", "test"]).flatMap((r) =>
  statSync(r).isDirectory() ? collect(r, []) : [r],
).sort();
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...flags, ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
