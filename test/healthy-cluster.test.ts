// A healthy cluster must produce no finding at error or above. fixtures/clusters/healthy holds one
// with the things that often trip analyzers although nothing is wrong: a rollout that just finished
// (with events about pods that no longer exist), a pod that restarted once hours ago, a completed Job
// pod, a spare Available PersistentVolume, static local PVs, headless and LoadBalancer Services,
// default-deny NetworkPolicies, mirror pods owned by their Node.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ANALYZERS } from "../src/analyzers/registry.js";
import type { Report } from "../src/model/finding.js";
import type { Snapshot } from "../src/model/snapshot.js";
import { runAnalyzers } from "../src/run/run-analyzers.js";
import { loadSnapshot } from "../src/sources/snapshot/load-snapshot.js";

const HEALTHY = fileURLToPath(new URL("../fixtures/clusters/healthy", import.meta.url));

describe("fixtures/clusters/healthy", () => {
  let snapshot: Snapshot;
  let report: Report;
  before(async () => {
    snapshot = await loadSnapshot([HEALTHY]);
    report = runAnalyzers(snapshot, ANALYZERS).report;
  });

  test("the whole snapshot was read (a skipped file would make the next test vacuous)", () => {
    assert.deepEqual(snapshot.skipped, []);
    const count = (kind: string): number => snapshot.objects.get(kind)?.length ?? 0;
    assert.deepEqual(
      { Node: count("Node"), Pod: count("Pod"), Service: count("Service"), Job: count("Job"), PersistentVolume: count("PersistentVolume"), Event: count("Event") > 20 },
      { Node: 3, Pod: 18, Service: 7, Job: 1, PersistentVolume: 2, Event: true },
    );
  });

  test("no finding at error or critical", () => {
    const serious = report.findings.filter((f) => f.severity === "error" || f.severity === "critical");
    assert.equal(
      serious.length,
      0,
      `a healthy cluster produced:\n${serious.map((f) => `  ${f.severity} ${f.code} ${f.subject.kind}/${f.subject.namespace ?? ""}/${f.subject.name}: ${f.summary}`).join("\n")}`,
    );
  });
});
