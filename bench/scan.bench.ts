// Benchmarks an offline scan of a synthetic cluster: generates it into bench/out/ when missing, then
// measures, each in a fresh child process so that peak memory belongs to one phase only:
//   (a) the floor: reading each List file and JSON.parse-ing it (whole file when it fits in one string,
//       item by item when it does not: V8 strings stop at buffer.constants.MAX_STRING_LENGTH);
//   (b) the real thing: loadSnapshot, then runAnalyzers (index build + every registered analyzer),
//       each phase timed, with the process's peak RSS.
//
//   npm run bench -- --nodes 500 --pods 15000        (defaults)
//   npm run bench -- --nodes 5000 --pods 150000 --heap 4096 --skip-parse
//
// Target for 5,000 nodes / 150,000 pods on a 2-core machine: under 60 s and under 4 GB.
import { spawnSync } from "node:child_process";
import { constants } from "node:buffer";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const REPO = resolve(HERE, "..");
const SELF = fileURLToPath(import.meta.url);

interface ParseResult {
  file: string;
  bytes: number;
  items: number;
  mode: "whole" | "per-item";
  readMs: number;
  parseMs: number;
  maxRssMB: number;
}

interface ScanResult {
  loadMs: number;
  indexMs: number;
  analyzersMs: number;
  runMs: number;
  totalMs: number;
  rssAfterLoadMB: number;
  heapAfterLoadMB: number;
  maxRssMB: number;
  objects: number;
  findings: Record<string, number>;
  slowest: { analyzer: string; ms: number }[];
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const maxRssMB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

// ---------------------------------------------------------------- child: parse one file

/** JSON.parse of a whole file, as any tool that reads the file into memory would do. */
function parseWhole(path: string): ParseResult {
  const t0 = performance.now();
  const text = readFileSync(path, "utf8");
  const t1 = performance.now();
  const value = JSON.parse(text) as { items?: unknown[] };
  const t2 = performance.now();
  return { file: path, bytes: statSync(path).size, items: value.items?.length ?? 0, mode: "whole", readMs: t1 - t0, parseMs: t2 - t1, maxRssMB: maxRssMB() };
}

/**
 * JSON.parse of each item of a List too large to be one string. Finds item boundaries in the bytes by
 * the kubectl layout (an item opens with "\n        {" and closes with "\n        }" at eight spaces; its
 * own lines are indented deeper), so it is a floor for files laid out like kubectl's, not a general
 * reader. The parsed items are kept, as a loader would keep them.
 */
function parsePerItem(path: string): ParseResult {
  const OPEN = Buffer.from("\n        {\n");
  const CLOSE = Buffer.from("\n        }");
  const fd = openSync(path, "r");
  const kept: unknown[] = [];
  let parseMs = 0;
  const t0 = performance.now();
  let carry = Buffer.alloc(0);
  const chunk = Buffer.allocUnsafe(64 * 1024 * 1024);
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    let pos = 0;
    for (;;) {
      const start = buf.indexOf(OPEN, pos);
      if (start < 0) break;
      const end = buf.indexOf(CLOSE, start + OPEN.length);
      if (end < 0) break;
      const text = buf.toString("utf8", start + 1, end + CLOSE.length);
      const p0 = performance.now();
      kept.push(JSON.parse(text));
      parseMs += performance.now() - p0;
      pos = end + CLOSE.length;
    }
    carry = Buffer.from(buf.subarray(pos));
  }
  closeSync(fd);
  const total = performance.now() - t0;
  return { file: path, bytes: statSync(path).size, items: kept.length, mode: "per-item", readMs: total - parseMs, parseMs, maxRssMB: maxRssMB() };
}

function childParse(path: string): void {
  const size = statSync(path).size;
  // ASCII JSON: one byte per UTF-16 code unit, so the byte size is the string length.
  const result = size < constants.MAX_STRING_LENGTH ? parseWhole(path) : parsePerItem(path);
  process.stdout.write(JSON.stringify(result) + "\n");
}

// ---------------------------------------------------------------- child: load + analyze

async function childScan(dir: string): Promise<void> {
  const { loadSnapshot } = await import("../src/sources/snapshot/load-snapshot.js");
  const { runAnalyzers } = await import("../src/run/run-analyzers.js");
  const { ANALYZERS } = await import("../src/analyzers/registry.js");
  const t0 = performance.now();
  const snapshot = await loadSnapshot([dir]);
  const t1 = performance.now();
  const afterLoad = process.memoryUsage();
  const { report } = runAnalyzers(snapshot, ANALYZERS, { stats: true });
  const t2 = performance.now();
  const timings = report.stats?.analyzers ?? [];
  const findings: Record<string, number> = {};
  for (const f of report.findings) findings[`${f.severity} ${f.code}`] = (findings[`${f.severity} ${f.code}`] ?? 0) + 1;
  let objects = 0;
  for (const list of snapshot.objects.values()) objects += list.length;
  const result: ScanResult = {
    loadMs: t1 - t0,
    indexMs: report.stats?.indexMilliseconds ?? 0,
    analyzersMs: timings.reduce((a, t) => a + t.milliseconds, 0),
    runMs: t2 - t1,
    totalMs: t2 - t0,
    rssAfterLoadMB: mb(afterLoad.rss),
    heapAfterLoadMB: mb(afterLoad.heapUsed),
    maxRssMB: maxRssMB(),
    objects,
    findings,
    slowest: [...timings].sort((a, b) => b.milliseconds - a.milliseconds).slice(0, 5).map((t) => ({ analyzer: t.analyzer, ms: t.milliseconds })),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
}

function childBaseline(): void {
  process.stdout.write(JSON.stringify({ maxRssMB: maxRssMB() }) + "\n");
}

// ---------------------------------------------------------------- parent

function runChild(args: string[], heapMB: number): { ok: true; value: unknown } | { ok: false; error: string } {
  const result = spawnSync(process.execPath, [`--max-old-space-size=${heapMB}`, "--import", "tsx", SELF, "--child", ...args], { cwd: REPO, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const line = result.stdout.trim().split("\n").pop();
  if (result.status !== 0 || !line) {
    const why = /heap out of memory|Allocation failed/.test(result.stderr) ? `out of memory (heap limit ${heapMB} MB)` : result.stderr.trim().split("\n").slice(-3).join(" | ") || `exit ${result.status} ${result.signal ?? ""}`;
    return { ok: false, error: why };
  }
  return { ok: true, value: JSON.parse(line) };
}

function ensureCluster(nodes: number, pods: number): string {
  const dir = join(REPO, "bench", "out", `${nodes}x${pods}`);
  if (existsSync(`${dir}.planted.json`)) return dir; // written last: the directory is complete
  process.stdout.write(`generating ${nodes} nodes / ${pods} pods into ${dir} ...\n`);
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ["--import", "tsx", join(HERE, "generate-cluster.ts"), "--nodes", String(nodes), "--pods", String(pods), "--out", dir], { cwd: REPO, stdio: "inherit" });
  if (result.status !== 0) throw new Error("generator failed");
  process.stdout.write(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n\n`);
  return dir;
}

const pad = (v: string | number, n: number): string => String(v).padStart(n);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      child: { type: "string" },
      nodes: { type: "string", default: "500" },
      pods: { type: "string", default: "15000" },
      heap: { type: "string", default: "4096" },
      "skip-parse": { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: false,
  });
  if (values.child) {
    const target = positionals[0];
    if (values.child === "parse") return void childParse(target!);
    if (values.child === "scan") return childScan(target!);
    return childBaseline();
  }
  const nodes = Number(values.nodes);
  const pods = Number(values.pods);
  const heap = Number(values.heap);
  const dir = ensureCluster(nodes, pods);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => join(dir, f)).sort((a, b) => statSync(b).size - statSync(a).size);
  const totalBytes = files.reduce((a, f) => a + statSync(f).size, 0);
  process.stdout.write(`cluster ${nodes} nodes / ${pods} pods: ${files.length} files, ${(totalBytes / 1e6).toFixed(0)} MB — ${cpus().length} cores, ${mb(totalmem())} MB RAM, node ${process.version}, child heap limit ${heap} MB\n`);
  const baseline = runChild(["baseline"], heap);
  const baseRss = baseline.ok ? (baseline.value as { maxRssMB: number }).maxRssMB : 0;
  process.stdout.write(`child process baseline (node + tsx, no work): ${baseRss} MB RSS\n\n`);

  const parse: (ParseResult | { file: string; error: string })[] = [];
  if (!values["skip-parse"]) {
    process.stdout.write("(a) read + JSON.parse, one child per file\n");
    process.stdout.write(`${"file".padEnd(22)} ${pad("MB", 8)} ${pad("items", 8)} ${"mode".padEnd(9)} ${pad("read s", 8)} ${pad("parse s", 8)} ${pad("peak MB", 8)}\n`);
    for (const file of files) {
      const r = runChild(["parse", file], heap);
      const name = file.slice(dir.length + 1);
      if (!r.ok) {
        parse.push({ file: name, error: r.error });
        process.stdout.write(`${name.padEnd(22)} ${pad((statSync(file).size / 1e6).toFixed(1), 8)} failed: ${r.error}\n`);
        continue;
      }
      const v = r.value as ParseResult;
      parse.push({ ...v, file: name });
      process.stdout.write(`${name.padEnd(22)} ${pad((v.bytes / 1e6).toFixed(1), 8)} ${pad(v.items, 8)} ${v.mode.padEnd(9)} ${pad((v.readMs / 1000).toFixed(2), 8)} ${pad((v.parseMs / 1000).toFixed(2), 8)} ${pad(v.maxRssMB, 8)}\n`);
    }
    const ok = parse.filter((p): p is ParseResult => "parseMs" in p);
    process.stdout.write(`${"all files".padEnd(22)} ${pad((totalBytes / 1e6).toFixed(1), 8)} ${pad(ok.reduce((a, p) => a + p.items, 0), 8)} ${"".padEnd(9)} ${pad((ok.reduce((a, p) => a + p.readMs, 0) / 1000).toFixed(2), 8)} ${pad((ok.reduce((a, p) => a + p.parseMs, 0) / 1000).toFixed(2), 8)} ${pad(Math.max(...ok.map((p) => p.maxRssMB)), 8)} (max)\n`);
    const perItem = ok.filter((p) => p.mode === "per-item").map((p) => p.file);
    if (perItem.length) process.stdout.write(`  ${perItem.join(", ")}: larger than the longest string V8 allows (${constants.MAX_STRING_LENGTH} chars), so parsed item by item, items kept in memory.\n`);
    process.stdout.write("\n");
  }

  process.stdout.write("(b) loadSnapshot + runAnalyzers (index + every registered analyzer), one child\n");
  const scan = runChild(["scan", dir], heap);
  let result: ScanResult | undefined;
  if (!scan.ok) process.stdout.write(`  failed: ${scan.error}\n`);
  else {
    result = scan.value as ScanResult;
    const s = (ms: number): string => (ms / 1000).toFixed(2);
    process.stdout.write(`  load            ${pad(s(result.loadMs), 8)} s   (${result.objects} objects; RSS after load ${result.rssAfterLoadMB} MB, heap used ${result.heapAfterLoadMB} MB)\n`);
    process.stdout.write(`  index           ${pad(s(result.indexMs), 8)} s   (eager part; lazy maps are built inside the analyzers that first use them)\n`);
    process.stdout.write(`  analyzers       ${pad(s(result.analyzersMs), 8)} s   slowest: ${result.slowest.map((a) => `${a.analyzer} ${s(a.ms)} s`).join(", ")}\n`);
    process.stdout.write(`  run (all)       ${pad(s(result.runMs), 8)} s   (index + analyzers + impact, grouping, sorting)\n`);
    process.stdout.write(`  total           ${pad(s(result.totalMs), 8)} s   peak RSS ${result.maxRssMB} MB\n`);
    process.stdout.write(`  findings: ${Object.entries(result.findings).map(([k, n]) => `${n}× ${k}`).join(", ")}\n`);
  }
  const out = join(REPO, "bench", "out", `results-${nodes}x${pods}.json`);
  writeFileSync(out, JSON.stringify({ nodes, pods, totalBytes, cores: cpus().length, node: process.version, heapLimitMB: heap, baselineRssMB: baseRss, parse, scan: result ?? (scan.ok ? undefined : { error: scan.error }) }, null, 2) + "\n");
  process.stdout.write(`\nresults written to ${out}\n`);
}

await main();
