import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { bytesFraction, expandedSize, inodesFraction, volumeNearlyFull } from "./volume-nearly-full.js";

testAnalyzer(
  volumeNearlyFull,
  {
    quiet: [
      { name: "89.9 % bytes and 89.99 % inodes on a PVC, a full emptyDir, a claim not in the snapshot", fixture: "quiet-below-threshold.yaml" },
      { name: "no kubelet volume stats", fixture: "quiet-no-stats.yaml" },
    ],
    fires: [
      {
        // Figures reasoned in the fixture's comments: df Use% = used / (used + available); inodes used / inodes.
        name: "93 % and exactly 90 % (warning), exactly 97 %, availableBytes 0 and 98.9 % inodes (error)",
        fixture: "fires-nearly-full.yaml",
        expect: [
          { messageId: "nearlyFull", subject: "PersistentVolumeClaim/cache/files", severity: "error", evidenceValues: [648000, true], affects: ["Pod/cache/worker-a", "Pod/cache/worker-b"] },
          { messageId: "nearlyFull", subject: "PersistentVolumeClaim/db/data-db-0", severity: "warning", evidenceValues: [9300000000, 700000000, true], affects: ["Pod/db/db-0"] },
          { messageId: "nearlyFull", subject: "PersistentVolumeClaim/db/data-db-1", severity: "warning", evidenceValues: [9000000000] },
          { messageId: "nearlyFull", subject: "PersistentVolumeClaim/db/data-db-2", severity: "error", evidenceValues: [9700000000] },
          { messageId: "nearlyFull", subject: "PersistentVolumeClaim/logs/data-loki-0", severity: "error", evidenceValues: [4750000000, 0, false], affects: ["Pod/logs/loki-0"] },
        ],
      },
    ],
  },
  import.meta.url,
);

describe("volume-nearly-full remediation", () => {
  const findings = runAnalyzer(volumeNearlyFull, loadFixture(new URL("./fixtures/fires-nearly-full.yaml", import.meta.url)));
  it("expansion allowed: the exact kubectl patch, to twice the 10Gi request (20Gi)", () => {
    const f = findings.find((x) => x.subject.name === "data-db-0")!;
    assert.equal(f.remediation[0]!.command, `kubectl patch pvc data-db-0 -n db -p '{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}'`);
  });
  it("expansion not allowed (standard has no allowVolumeExpansion): clean up or migrate, no patch", () => {
    const f = findings.find((x) => x.subject.name === "data-loki-0")!;
    assert.ok(f.remediation.every((r) => !r.command?.includes("kubectl patch")));
    assert.match(f.remediation[0]!.description, /does not allow volume expansion.*migrate/);
  });
});

describe("volume-nearly-full figures", () => {
  it("df's Use%: used / (used + available), reserved blocks counted neither way", () => {
    // ext4 with 5 % reserved: capacity 100, used 90, available 5 -> df shows 90 / 95 = 94.7 %.
    assert.equal(bytesFraction({ node: "n", namespace: "a", pod: "p", volume: "v", capacityBytes: 100, usedBytes: 90, availableBytes: 5 }), 90 / 95);
    assert.equal(inodesFraction({ node: "n", namespace: "a", pod: "p", volume: "v", inodes: 1000, inodesUsed: 900 }), 0.9);
  });
  it("expanded size: twice the larger of request and filesystem capacity, whole GiB", () => {
    const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim" as const, metadata: { name: "c", namespace: "a" }, spec: { resources: { requests: { storage: "1500Mi" } } } };
    // 2 x 1500 MiB = 3000 MiB = 2.93 GiB -> 3Gi.
    assert.equal(expandedSize(claim, 1000 * 1024 * 1024), "3Gi");
  });
});
