// Snapshots over time on the real control plane: a node's heartbeats stop and resume twice while
// `kubesleuth snapshot` captures the cluster after every change. Two drop-outs are only 2 NodeNotReady events
// (kwok records no NodeReady), below the 3 changes within an hour that make a node flapping, so the latest
// snapshot alone does not report it; scanned together, the five captures show 4 Ready changes (down, up, down,
// up: each capture sees a new Ready lastTransitionTime) and node-not-ready/flapping is reported from them.
// Also: `kubesleuth top` on a control plane without metrics-server says so in one line and exits 2.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Report } from "../../src/model/finding.js";
import { readClusterEnv, sleep, sleuth, type ClusterEnv } from "./harness.js";
import { schemaErrors } from "../report-schema.js";
import { cleanUp, createNodeWithAgent, setHeartbeats, waitReadyStatus } from "../scenarios/case10-node-heartbeat-stops/kwok-node.js";

const NODE = "e2e-over-time";
const NS = "e2e-over-time";
/** More than the loader's SAME_CAPTURE_WINDOW_MS (10 s) between captures, so each is its own capture. */
const BETWEEN_CAPTURES_MS = 11_000;

describe("snapshots over time (real control plane)", () => {
  let env: ClusterEnv;
  const archives: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "kubesleuth-over-time-"));
  let lastCapture = 0;

  async function capture(): Promise<void> {
    const wait = lastCapture + BETWEEN_CAPTURES_MS - Date.now();
    if (wait > 0) await sleep(wait);
    const file = join(dir, `t${archives.length}.tar.gz`);
    const run = await sleuth(env, ["snapshot", "-o", file]);
    assert.equal(run.code, 0, run.stderr);
    lastCapture = Date.now();
    archives.push(file);
  }

  before(async () => {
    env = readClusterEnv();
    await createNodeWithAgent(env, NODE, "zone-b", NS);
    await capture(); // Ready
    for (let i = 0; i < 2; i++) {
      setHeartbeats(env, NODE, false);
      await waitReadyStatus(env, NODE, "Unknown");
      await capture();
      setHeartbeats(env, NODE, true);
      await waitReadyStatus(env, NODE, "True");
      await capture();
    }
  }, { timeout: 600_000 });

  after(() => {
    if (env) cleanUp(env, NODE, NS);
  });

  const flappingOf = (report: Report) => report.findings.find((f) => f.code === "node-not-ready/flapping" && f.subject.name === NODE);

  it("the latest snapshot alone: 2 NodeNotReady events, not flapping", async () => {
    const run = await sleuth(env, ["scan", archives.at(-1)!, "-o", "json", "--fail-on", "none", "--only", "node-not-ready"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.equal(flappingOf(report), undefined, report.findings.map((f) => `${f.code} ${f.subject.name}: ${f.summary}`).join("\n"));
  });

  it("all five captures, given in any order: flapping from the snapshots, with the timeline as evidence", async () => {
    const shuffled = [archives[3]!, archives[0]!, archives[4]!, archives[2]!, archives[1]!];
    const run = await sleuth(env, ["scan", ...shuffled, "-o", "json", "--fail-on", "none", "--only", "node-not-ready"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(schemaErrors(report), []);
    const f = flappingOf(report);
    assert.ok(f, report.findings.map((x) => `${x.code} ${x.subject.name}: ${x.summary}`).join("\n"));
    assert.match(f.summary, /4 Ready state changes within .* \(across 5 snapshots\); Ready is True now/);
    // The timeline: a change seen in each later capture.
    assert.equal(f.evidence.filter((e) => e.ref?.kind === "Snapshot").length, 4, JSON.stringify(f.evidence, null, 1));
  });

  it("inspect names every input; the reference time is the latest capture", async () => {
    const run = await sleuth(env, ["inspect", ...archives, "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { source: { locations: string[] }; nowFrom: string; captures?: { locations: string[] }[] };
    assert.deepEqual(out.source.locations, archives);
    assert.equal(out.nowFrom, "capture time");
    assert.deepEqual(out.captures?.map((c) => c.locations), archives.map((a) => [a]), "five captures, in capture order");
  });

  it("top without metrics-server: one line, exit 2", async () => {
    for (const what of ["nodes", "pods"]) {
      const run = await sleuth(env, ["top", what]);
      assert.equal(run.code, 2, run.stdout);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, /^kubesleuth: the metrics API \(metrics\.k8s\.io\) is not available/m);
    }
  });
});
