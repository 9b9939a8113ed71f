// `scan`/`inspect` over snapshots taken at different times (kubesleuth archives with their capture times): the
// captures are ordered by time, the latest is analysed, and node Ready changes across them make a node flapping.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./cli-harness.js";
import type { Report } from "../src/model/finding.js";
import { createSnapshotBuilder } from "../src/sources/snapshot-builder.js";
import { writeArchive } from "../src/sources/archive/write-archive.js";

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), "kubesleuth-series-cli-"));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A capture of node w1 with its Ready condition as the node lifecycle controller / kubelet leave it. */
async function capture(name: string, capturedAt: string, status: string, since: string): Promise<string> {
  const builder = createSnapshotBuilder({ kind: "live", locations: ["https://k8s.example:6443"] });
  builder.add({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "w1", creationTimestamp: "2026-11-01T00:00:00Z" },
    status: { conditions: [{ type: "Ready", status, reason: status === "True" ? "KubeletReady" : "NodeStatusUnknown", lastTransitionTime: since }] },
  });
  for (const kind of ["Node", "Pod", "Event", "Lease"]) builder.markListed(kind);
  builder.setCapturedAt(capturedAt);
  const file = join(work, `${name}.tar.gz`);
  await writeArchive(builder.build(), file, { serverUrl: "https://k8s.example:6443" });
  return file;
}

describe("scan over snapshots taken at different times", () => {
  // Ready changes at 09:05 (down), 09:15 (up), 09:25 (down), each seen as a new lastTransitionTime: 3 changes in 20m.
  it("four captures 10 minutes apart: down, up, down: flapping, NotReady now", async () => {
    const files = [
      await capture("t3", "2026-11-20T09:30:00Z", "Unknown", "2026-11-20T09:25:00Z"),
      await capture("t0", "2026-11-20T09:00:00Z", "True", "2026-11-01T00:01:00Z"),
      await capture("t1", "2026-11-20T09:10:00Z", "Unknown", "2026-11-20T09:05:00Z"),
      await capture("t2", "2026-11-20T09:20:00Z", "True", "2026-11-20T09:15:00Z"),
    ];
    const run = await runCli(["scan", ...files, "-o", "json", "--only", "node-not-ready", "--fail-on", "none"]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    const f = report.findings.find((x) => x.code === "node-not-ready/flapping");
    assert.ok(f, JSON.stringify(report.findings.map((x) => x.code)));
    assert.equal(f.severity, "error", "NotReady now: the error form");
    assert.match(f.summary, /3 Ready state changes within 20m \(across 4 snapshots\); Ready is Unknown now/);

    const inspect = await runCli(["inspect", ...files, "-o", "json"]);
    const out = JSON.parse(inspect.stdout) as { now: string; captures: { capturedAt: string; locations: string[] }[] };
    assert.equal(out.now, "2026-11-20T09:30:00.000Z");
    assert.deepEqual(out.captures.map((c) => c.capturedAt), ["2026-11-20T09:00:00Z", "2026-11-20T09:10:00Z", "2026-11-20T09:20:00Z", "2026-11-20T09:30:00Z"]);
    assert.deepEqual(out.captures.at(-1)!.locations, [files[0]]);
  });
});
