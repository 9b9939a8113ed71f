// why-pending and fit with volumes, on test/fixtures/scheduling/volumes.yaml. Expectations are worked out
// by hand from kube-scheduler's VolumeBinding semantics (binder.go FindPodVolumes / FindMatchingVolume) and
// the v1.36 message shape seen on the real scheduler (test/e2e/scheduler-messages.e2e.ts).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./cli-harness.js";

const CLUSTER = "test/fixtures/scheduling/volumes.yaml";
const MESSAGE =
  "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";

/** The fixture with every Event document deleted (and the pod's condition message too: nothing left to parse). */
function withoutEvents(): string {
  const docs = readFileSync(CLUSTER, "utf8").split(/^---$/m);
  const kept = docs.filter((d) => !/^kind: Event$/m.test(d)).map((d) => d.replace(/^ {4}message: .*$/m, ""));
  assert.equal(kept.length, docs.length - 1, "the fixture has exactly one Event to delete");
  const path = join(mkdtempSync(join(tmpdir(), "kubesleuth-noevents-")), "cluster.yaml");
  writeFileSync(path, kept.join("---"));
  return path;
}

describe("why-pending with volumes", () => {
  it("gives the same verdict, message and fixes when the events are deleted from the snapshot", async () => {
    const withEvents = await runCli(["why-pending", "data/db", "--snapshot", CLUSTER, "-o", "json"]);
    const noEventsPath = withoutEvents();
    assert.ok(!/^kind: Event$/m.test(readFileSync(noEventsPath, "utf8")) && !/nodes are available/.test(readFileSync(noEventsPath, "utf8")));
    const noEvents = await runCli(["why-pending", "data/db", "--snapshot", noEventsPath, "-o", "json"]);
    assert.equal(withEvents.code, 1, withEvents.stderr);
    assert.equal(noEvents.code, 1, noEvents.stderr);
    assert.equal(noEvents.stdout, withEvents.stdout);
    const out = JSON.parse(noEvents.stdout) as { message: string; nodes: { node: string; failures: { plugin: string; reason: string }[] }[]; fixes: { description: string; command?: string; nodes: string[] }[] };
    // It equals what the scheduler wrote (kept in the original fixture's event).
    assert.equal(out.message, MESSAGE);
    // pv-fast-w1 is 5Gi < 20Gi and class fast never provisions: both nodes fail VolumeBinding only.
    assert.deepEqual(out.nodes.map((n) => [n.node, n.failures.map((f) => `${f.plugin}: ${f.reason}`)]), [
      ["w1", ["VolumeBinding: node(s) didn't find available persistent volumes to bind"]],
      ["w2", ["VolumeBinding: node(s) didn't find available persistent volumes to bind"]],
    ]);
    // The PV that could bind: pv-manual (50Gi, RWO, no node affinity) once the claim has its class;
    // re-simulated with the claim bound to it, the pod fits both nodes.
    assert.equal(out.fixes.length, 1);
    assert.match(out.fixes[0]!.description, /^recreate claim data\/db-data with storageClassName "manual" so it binds the Available PersistentVolume pv-manual/);
    assert.deepEqual(out.fixes[0]!.nodes, ["w1", "w2"]);
  });

  it("text output names the PV fix", async () => {
    const r = await runCli(["why-pending", "data/db", "--snapshot", CLUSTER]);
    assert.equal(r.code, 1);
    assert.ok(r.stdout.includes(MESSAGE));
    assert.match(r.stdout, /PersistentVolume pv-manual .*: then fits on w1, w2/);
  });
});

describe("fit with pod templates", () => {
  it("a StatefulSet: its claim template becomes an unbound WaitForFirstConsumer claim that only pv-fast-w1 (on w1) can hold", async () => {
    const r = await runCli(["fit", "test/fixtures/scheduling/sts-cache.yaml", "--snapshot", CLUSTER, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { pod: string; fitsOn: string[]; nodes: { node: string; failures: { plugin: string }[] }[] };
    assert.equal(out.pod, "data/statefulset/cache");
    assert.deepEqual(out.fitsOn, ["w1"]);
    assert.deepEqual(out.nodes.find((n) => n.node === "w2")!.failures.map((f) => f.plugin), ["VolumeBinding"]);
  });

  it("a Job: 6 cpu exceeds both 4-cpu nodes (request > allocatable: unresolvable, preemption not helpful)", async () => {
    const r = await runCli(["fit", "test/fixtures/scheduling/job-report.yaml", "--snapshot", CLUSTER, "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { pod: string; message: string; fixes: { description: string; target?: string; nodes: string[] }[] };
    assert.equal(out.pod, "data/job/report");
    assert.equal(out.message, "0/2 nodes are available: 2 Insufficient cpu. no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
    // Reducing the request to what a node has free (4 cpu) fits both; the patch goes to the Job's template.
    const reduce = out.fixes.find((f) => f.description.startsWith("reduce the pod's request"));
    assert.ok(reduce, JSON.stringify(out.fixes));
    assert.equal(reduce.target, "data/job/report");
    assert.deepEqual(reduce.nodes, ["w1", "w2"]);
  });
});

describe("why-pending with priorities", () => {
  it("names the node where preemption finds room and the lower-priority pods on it; no PostFilter message (v1.36)", async () => {
    const r = await runCli(["why-pending", "prio/urgent", "--snapshot", "test/fixtures/scheduling/preemption.yaml", "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { message: string; preemptionCandidates: { node: string; lowerPriorityPods: string[] }[] };
    // 1 cpu > 500m free; removing batch-low (priority 0 < 1000) frees 2 cpu: a candidate, so the
    // PostFilter succeeds and v1.36 adds nothing after the filter histogram (kubernetes PR 140180
    // quotes this shape, "0/1 nodes are available: 1 Insufficient cpu.", as the pre-change message).
    assert.equal(out.message, "0/1 nodes are available: 1 Insufficient cpu.");
    assert.deepEqual(out.preemptionCandidates, [{ node: "p1", lowerPriorityPods: ["prio/batch-low"] }]);
    const text = await runCli(["why-pending", "prio/urgent", "--snapshot", "test/fixtures/scheduling/preemption.yaml"]);
    assert.match(text.stdout, /Preemption: .*\n {2}p1: prio\/batch-low/);
  });
});
