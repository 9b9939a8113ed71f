// The API server goes away in the middle of a live scan. kubesleuth must end, within a bound set by its
// --request-timeout, with either a clear one-line error (exit 2) or the partial results it read, marked
// "partial" in coverage (exit 0/1 by the findings) - never hang.
//
// Runs last (files run in sorted order, one at a time) because it leaves the cluster broken: the API server is
// frozen (SIGSTOP) and resumed, then killed (SIGKILL). test/e2e/run.sh tears the cluster down afterwards.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Report } from "../../src/model/finding.js";
import { kubectl, readClusterEnv, repoRoot, sleep, waitFor, type ClusterEnv } from "./harness.js";
import { schemaErrors } from "../report-schema.js";

const NS = "e2e-apiserver-fault";
/** ConfigMaps (about 8 KiB each, ~24 MiB in all) so that listing them takes several pages (500 a page) and some time. */
const CONFIGMAPS = 3000;
const REQUEST_TIMEOUT = "2s";

interface ScanOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from the fault to the scan's exit. */
  afterFaultMs: number;
  /** The scan ended before the fault was injected (the test then proves nothing). */
  endedBeforeFault: boolean;
  totalMs: number;
}

function apiserverPid(env: ClusterEnv): number {
  return Number(readFileSync(join(env.dir, "pids", "kube-apiserver.pid"), "utf8").trim());
}

/** New audit events since `offset`, as parsed lines (the audit backend is blocking: a response is logged once sent). */
function readAuditFrom(path: string, offset: number): { events: { user?: { username?: string }; verb?: string; objectRef?: { resource?: string } }[]; offset: number } {
  const size = statSync(path).size;
  if (size <= offset) return { events: [], offset };
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    const text = buffer.toString("utf8");
    const end = text.lastIndexOf("\n") + 1; // only whole lines
    const events = text
      .slice(0, end)
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { user?: { username?: string }; verb?: string; objectRef?: { resource?: string } });
    return { events, offset: offset + Buffer.byteLength(text.slice(0, end)) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts `kubesleuth scan` (from the sources, as a child process so a hang cannot hang the test), waits until the
 * API server has answered kubesleuth's first list of ConfigMaps (more pages follow), then sends `signal` to the
 * kube-apiserver. Kills the scan after `hardLimitMs` (the test then fails on the time bound).
 */
async function scanWithFault(env: ClusterEnv, signal: NodeJS.Signals, args: string[], hardLimitMs: number): Promise<ScanOutcome> {
  let auditOffset = statSync(env.auditLog).size;
  const entry = pathToFileURL(join(repoRoot, "src/cli/bin.ts")).href;
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "-e", `process.argv.splice(1, 0, "kubesleuth"); import(${JSON.stringify(entry)}).then((m) => m.main());`, "--", ...args],
    { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on("exit", (code, sig) => {
      exited = true;
      resolve({ code, signal: sig, at: Date.now() });
    }),
  );
  const hardLimit = setTimeout(() => child.kill("SIGKILL"), hardLimitMs);

  let faultAt: number | undefined;
  while (!exited && Date.now() - started < hardLimitMs) {
    const read = readAuditFrom(env.auditLog, auditOffset);
    auditOffset = read.offset;
    if (read.events.some((e) => e.user?.username === env.sleuthUser && e.verb === "list" && e.objectRef?.resource === "configmaps")) {
      process.kill(apiserverPid(env), signal);
      faultAt = Date.now();
      break;
    }
    await sleep(10);
  }
  const result = await exit;
  clearTimeout(hardLimit);
  return {
    code: result.code,
    signal: result.signal,
    stdout,
    stderr,
    afterFaultMs: faultAt !== undefined ? result.at - faultAt : 0,
    endedBeforeFault: faultAt === undefined,
    totalMs: result.at - started,
  };
}

/** The contract: a one-line error and exit 2, or a report (exit 0/1) with the unread kinds marked "partial". */
function assertCleanOutcome(outcome: ScanOutcome): string {
  assert.ok(!outcome.endedBeforeFault, `the scan ended before the fault was injected (${outcome.totalMs} ms): make it longer`);
  assert.equal(outcome.signal, null, `the scan was killed after the hard limit: it hung (stderr: ${outcome.stderr})`);
  if (outcome.code === 2) {
    const lines = outcome.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line on stderr, got:\n${outcome.stderr}`);
    assert.match(lines[0]!, /^kubesleuth: .*(API server|https:\/\/127\.0\.0\.1)/);
    assert.equal(outcome.stdout, "");
    return `exit 2: ${lines[0]}`;
  }
  assert.ok(outcome.code === 0 || outcome.code === 1, `exit ${outcome.code}, stderr: ${outcome.stderr}`);
  const report = JSON.parse(outcome.stdout) as Report;
  assert.deepEqual(schemaErrors(report), []);
  const partial = Object.entries(report.coverage).filter(([, c]) => c.status === "partial");
  assert.ok(partial.length > 0, `coverage marks what was not read as partial: ${JSON.stringify(report.coverage)}`);
  assert.ok(partial.some(([kind]) => kind === "ConfigMap"), "ConfigMap, whose list was cut, is partial");
  return `exit ${outcome.code}: partial ${partial.map(([k, c]) => `${k} (${c.note})`).join("; ")}; skipped: ${JSON.stringify(report.skipped ?? [])}`;
}

describe("the API server goes away during a live scan", () => {
  let env: ClusterEnv;

  before(async () => {
    env = readClusterEnv();
    kubectl(env, ["create", "namespace", NS], { allowFailure: true });
    const have = Number(kubectl(env, ["get", "configmaps", "-n", NS, "--no-headers", "-o", "name"]).split("\n").filter(Boolean).length);
    const payload = "x".repeat(8 * 1024);
    for (let start = have; start < CONFIGMAPS; start += 500) {
      const items = [];
      for (let i = start; i < Math.min(start + 500, CONFIGMAPS); i++) {
        items.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `bulk-${String(i).padStart(5, "0")}`, namespace: NS }, data: { blob: payload } });
      }
      kubectl(env, ["create", "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items }) });
    }
  }, { timeout: 600_000 });

  it(`frozen API server (SIGSTOP) mid-scan, --request-timeout ${REQUEST_TIMEOUT}: ends with partial results or one error line, within its timeouts`, async (t) => {
    const outcome = await scanWithFault(env, "SIGSTOP", ["scan", "-o", "json", "--fail-on", "none", "--request-timeout", REQUEST_TIMEOUT, "--kubeconfig", env.sleuthKubeconfig], 300_000);
    try {
      t.diagnostic(`${outcome.afterFaultMs} ms after the freeze (total ${outcome.totalMs} ms); ${assertCleanOutcome(outcome)}`);
      // Each request gets two timeouts at most (README "Failures"); 4 lists run at a time. Bound: generous, but
      // far below what a hang would be.
      assert.ok(outcome.afterFaultMs < 120_000, `ended ${outcome.afterFaultMs} ms after the freeze`);
    } finally {
      process.kill(apiserverPid(env), "SIGCONT");
    }
    await waitFor("the API server to answer again", () => kubectl(env, ["get", "--raw", "/readyz"], { allowFailure: true }).trim() === "ok", 60_000, 500);
  });

  it(`killed API server (SIGKILL) mid-scan, --request-timeout ${REQUEST_TIMEOUT}: ends with partial results or one error line, promptly`, async (t) => {
    const outcome = await scanWithFault(env, "SIGKILL", ["scan", "-o", "json", "--fail-on", "none", "--request-timeout", REQUEST_TIMEOUT, "--kubeconfig", env.sleuthKubeconfig], 300_000);
    t.diagnostic(`${outcome.afterFaultMs} ms after the kill (total ${outcome.totalMs} ms); ${assertCleanOutcome(outcome)}`);
    // Refused connections are retried 4 times with backoff (0.25 s doubling, jittered): seconds, not timeouts.
    assert.ok(outcome.afterFaultMs < 30_000, `ended ${outcome.afterFaultMs} ms after the kill`);
  });

  it("a scan started while the API server is down: one error line naming the server, exit 2, in seconds", async () => {
    const started = Date.now();
    const outcome = await scanWithFault(env, "SIGKILL", ["scan", "-o", "json", "--request-timeout", REQUEST_TIMEOUT, "--kubeconfig", env.sleuthKubeconfig], 60_000);
    // No list ever reaches the (dead) server, so no fault is injected: the scan ends on its own.
    assert.ok(outcome.endedBeforeFault);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.equal(outcome.stdout, "");
    const lines = outcome.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, outcome.stderr);
    assert.match(lines[0]!, new RegExp(`^kubesleuth: ${env.apiserverUrl.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}.*cannot reach the API server`));
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  });
});
