// Benchmarks `kubesleuth reach --matrix` (the workload-level NetworkPolicy matrix) on a synthetic
// cluster: generates it into bench/out/netpol-<pods>x<policies>/ when missing, then measures, each in a
// fresh child process so that the peak RSS belongs to that measurement alone:
//   (a) the phases: loadSnapshot, buildIndex, reachMatrix (pod classes + every class pair + every
//       ordered workload pair), each timed;
//   (b) the whole command, `reach --matrix -A --port 8080 --snapshot <dir> -o <format>`, through the
//       CLI's execute() with stdout counted and discarded, for csv, json and text.
//
//   npm run bench:reach                                  (10,000 pods / 1,000 policies)
//   npm run bench:reach -- --pods 20000 --policies 2000
//
// Target: 10,000 pods / 1,000 policies under 10 s on the 2-core development machine.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generateNetpolCluster, writeNetpolCluster } from "./generate-netpol-cluster.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REPO = resolve(HERE, "..");
const SELF = fileURLToPath(import.meta.url);
const maxRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

interface PhaseResult {
  loadMs: number;
  indexMs: number;
  matrixMs: number;
  /** CPU time (user + system) of the reachMatrix phase: less sensitive than wall time to other load. */
  matrixCpuMs: number;
  totalMs: number;
  pods: number;
  policies: number;
  classes: number;
  workloads: number;
  entries: number;
  allowed: number;
  maxRssMB: number;
}

interface CliResult {
  format: string;
  exitCode: number;
  totalMs: number;
  cpuMs: number;
  stdoutBytes: number;
  maxRssMB: number;
}

async function childPhases(dir: string): Promise<void> {
  const { loadSnapshot } = await import("../src/sources/snapshot/load-snapshot.js");
  const { buildIndex } = await import("../src/indexes/build-index.js");
  const { reachMatrix } = await import("../src/run/reach.js");
  const { buildConnectivityMatrix } = await import("../src/engines/network-policy/matrix.js");
  const t0 = performance.now();
  const snapshot = await loadSnapshot([dir]);
  const t1 = performance.now();
  const index = buildIndex(snapshot);
  const t2 = performance.now();
  const cpu = process.cpuUsage();
  const m = reachMatrix(index, { port: "8080", protocol: "TCP" });
  const t3 = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  // The class count, for the record (a second grouping, outside the timed phases).
  const classes = buildConnectivityMatrix({ pods: index.all("Pod"), policies: index.all("NetworkPolicy"), namespaces: index.all("Namespace") as never }).classes.length;
  const result: PhaseResult = {
    loadMs: t1 - t0,
    indexMs: t2 - t1,
    matrixMs: t3 - t2,
    matrixCpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    totalMs: t3 - t0,
    pods: index.all("Pod").length,
    policies: index.all("NetworkPolicy").length,
    classes,
    workloads: m.workloads.length,
    entries: m.entries.length,
    allowed: m.entries.filter((e) => e.allowed).length,
    maxRssMB: maxRssMB(),
  };
  process.stdout.write(JSON.stringify(result));
}

async function childCli(dir: string, format: string): Promise<void> {
  const { execute } = await import("../src/cli/execute.js");
  const { processIo } = await import("../src/cli/io.js");
  let bytes = 0;
  const io = { ...processIo(), stdout: (text: string) => void (bytes += Buffer.byteLength(text)), stdoutIsTTY: false };
  const t0 = performance.now();
  const cpu = process.cpuUsage();
  const exitCode = await execute(["reach", "--matrix", "-A", "--port", "8080", "--snapshot", dir, "-o", format], io);
  const used = process.cpuUsage(cpu);
  const result: CliResult = { format, exitCode, totalMs: performance.now() - t0, cpuMs: (used.user + used.system) / 1000, stdoutBytes: bytes, maxRssMB: maxRssMB() };
  process.stdout.write(JSON.stringify(result));
}

function runChild<T>(args: string[], heapMB: number): T {
  const result = spawnSync(process.execPath, [`--max-old-space-size=${heapMB}`, "--import", "tsx", SELF, "--child", ...args], { cwd: REPO, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`child ${args.join(" ")} failed (${result.status}): ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(result.stdout) as T;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { child: { type: "boolean" }, pods: { type: "string", default: "10000" }, policies: { type: "string", default: "1000" }, heap: { type: "string", default: "4096" }, runs: { type: "string", default: "3" } },
    allowPositionals: true,
    strict: false,
  });
  const positionals = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  if (values.child) {
    const [mode, dir, format] = positionals;
    if (mode === "phases") return childPhases(dir!);
    return childCli(dir!, format!);
  }
  const pods = Number(values.pods);
  const policies = Number(values.policies);
  const heap = Number(values.heap);
  const runs = Number(values.runs);
  const dir = join(REPO, "bench", "out", `netpol-${pods}x${policies}`);
  if (!existsSync(join(dir, "pods.json"))) {
    process.stdout.write(`generating ${dir}\n`);
    writeNetpolCluster(dir, generateNetpolCluster({ pods, policies }));
  }
  process.stdout.write(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
  process.stdout.write(`reach --matrix on ${pods} pods / ${policies} NetworkPolicies (${dir}), ${runs} runs each, heap limit ${heap} MB\n\n`);
  const phases: PhaseResult[] = [];
  for (let i = 0; i < runs; i++) phases.push(runChild<PhaseResult>(["phases", dir], heap));
  const best = phases.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
  process.stdout.write(
    `(a) phases, best of ${runs}: load ${s(best.loadMs)}, index ${s(best.indexMs)}, reachMatrix ${s(best.matrixMs)} wall / ${s(best.matrixCpuMs)} CPU (all runs: ${phases.map((p) => s(p.matrixMs)).join(", ")}); peak RSS ${best.maxRssMB} MB\n` +
      `    ${best.pods} pods, ${best.policies} policies, ${best.classes} pod classes, ${best.workloads} workloads, ${best.entries} entries (${best.allowed} allowed on TCP 8080)\n\n`,
  );
  const cli: CliResult[] = [];
  for (const format of ["csv", "json", "text"]) {
    const results: CliResult[] = [];
    for (let i = 0; i < runs; i++) results.push(runChild<CliResult>(["cli", dir, format], heap));
    const r = results.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
    cli.push(r);
    process.stdout.write(`(b) reach --matrix -A --port 8080 -o ${format}: ${s(r.totalMs)} wall / ${s(r.cpuMs)} CPU (all: ${results.map((x) => s(x.totalMs)).join(", ")}), exit ${r.exitCode}, ${(r.stdoutBytes / 1e6).toFixed(1)} MB out, peak RSS ${r.maxRssMB} MB\n`);
  }
  writeFileSync(join(REPO, "bench", "out", `results-reach-${pods}x${policies}.json`), `${JSON.stringify({ phases, cli }, null, 2)}\n`);
}

await main();
