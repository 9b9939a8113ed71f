#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript through tsx).
// Node 20's --test takes no globs, so the files are listed here. Extra args are passed through,
// e.g. `npm test -- --test-name-pattern=selector`; a path argument limits the run to that folder.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
// Conformance tests read oracle data from the shared/ folder laid beside the checkout (../shared),
// as CI has it. A clone elsewhere lacks it: those test files are left out with one line saying so,
// except in CI, where a missing folder is an error.
const sharedDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "conformance");
let run = files;
if (!existsSync(sharedDir)) {
  // A test needs the data when it names the folder, as a path ("shared/conformance") or as join() parts ("shared", "conformance").
  const needing = files.filter((f) => /shared(?:\/|["'],\s*["'])conformance/.test(readFileSync(f, "utf8")));
  if (process.env.CI) {
    console.error(`conformance data not found at ${sharedDir}: CI must have shared/ beside the checkout`);
    process.exit(2);
  }
  run = files.filter((f) => !needing.includes(f));
  console.error(`note: ${needing.length} conformance test files skipped: ${sharedDir} not found (clone beside shared/ to run them)`);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...flags, ...run], { stdio: "inherit" });
process.exit(result.status ?? 1);
