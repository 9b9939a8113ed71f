// Symptoms grouped under their cause across analyzers, with the real registry.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ANALYZERS } from "../src/analyzers/registry.js";
import { runAnalyzers } from "../src/run/run-analyzers.js";
import { loadFixture } from "../src/testing/load-fixture.js";

describe("grouping symptoms under causes", () => {
  it("a StatefulSet update stuck behind a crash-looping pod is told once, under the crash loop", () => {
    // The fixture's new-revision pod db-2 is in CrashLoopBackOff; the controller updates one ordinal at a
    // time and waits on it. The crash loop is the cause, the stalled update its effect.
    const snapshot = loadFixture(new URL("../src/analyzers/workload/workload-rollout-stuck/fixtures/fires-statefulset-stuck.yaml", import.meta.url));
    const { report } = runAnalyzers(snapshot, ANALYZERS, { now: Date.parse("2024-05-01T10:00:00Z") });
    const stuck = report.findings.find((f) => f.code === "workload-rollout-stuck/statefulSetUpdateStuck");
    const holder = report.findings.find((f) => f.related?.some((r) => r.code === "workload-rollout-stuck/statefulSetUpdateStuck"));
    assert.equal(stuck, undefined, "not a top-level finding");
    assert.ok(holder, `grouped under a cause; findings: ${report.findings.map((f) => f.code).join(", ")}`);
    assert.equal(holder.code.split("/")[0], "pod-crash-looping");
    assert.deepEqual(holder.subject, { kind: "StatefulSet", namespace: "data", name: "db" });
  });
});
