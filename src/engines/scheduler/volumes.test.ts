// The volume plugins, the PreFilter stage and preemption's dry run. Expectations follow upstream semantics
// (volumebinding/binder.go, volumezone, nodevolumelimits/csi.go, volumerestrictions, defaultpreemption) and
// the message shapes kube-scheduler v1.36 wrote on the test cluster (test/e2e/scheduler-messages.e2e.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "../../model/kube.js";
import { buildStorageState, type CSINode } from "./framework.js";
import { formatFitError, preemptionOutcome, simulateScheduling, type SimulationOptions } from "./simulate.js";

const node = (name: string, zone: string, cpu = "2"): Node => ({
  kind: "Node",
  metadata: { name, labels: { "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone } },
  status: { allocatable: { cpu, memory: "4Gi", pods: "110" } },
});
const NODES = [node("n1", "z1"), node("n2", "z2")];
const withClaim = (name: string, claimName: string, extra: Partial<Pod["spec"]> = {}): Pod => ({
  kind: "Pod",
  metadata: { name, namespace: "ns" },
  spec: { containers: [{ name: "c" }], volumes: [{ name: "data", persistentVolumeClaim: { claimName } }], ...extra },
});
const pvc = (name: string, storageClassName: string, extra: Partial<PersistentVolumeClaim> = {}, accessModes = ["ReadWriteOnce"]): PersistentVolumeClaim => ({
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "ns", ...(extra.metadata ?? {}) },
  spec: { storageClassName, accessModes, resources: { requests: { storage: "1Gi" } }, ...(extra.spec ?? {}) },
});
const boundPvc = (name: string, volumeName: string, accessModes?: string[]) =>
  pvc(name, "static", { metadata: { name, namespace: "ns", annotations: { "pv.kubernetes.io/bind-completed": "yes" } }, spec: { volumeName } }, accessModes);
const pv = (name: string, storageClassName: string, spec: Partial<NonNullable<PersistentVolume["spec"]>> = {}, labels: Record<string, string> = {}, phase = "Available"): PersistentVolume => ({
  kind: "PersistentVolume",
  metadata: { name, labels },
  spec: { storageClassName, capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], ...spec },
  status: { phase },
});
const zoneAffinity = (zone: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: [zone] }] }] } });
const wait = (name: string, provisioner = "kubernetes.io/no-provisioner"): StorageClass => ({ kind: "StorageClass", metadata: { name }, provisioner, volumeBindingMode: "WaitForFirstConsumer" });

function run(pod: Pod, options: SimulationOptions, pods: Pod[] = [], nodes = NODES) {
  const verdicts = simulateScheduling(pod, nodes, pods, options);
  return { verdicts, message: formatFitError(pod, verdicts, pods, { ...options, nodes }) };
}

test("an unbound Immediate claim fails the pod at PreFilter; DRA's PostFilter then has no state ('not found')", () => {
  // No StorageClass "missing": IsDelayBindingMode treats the claim as Immediate.
  const storage = buildStorageState({ pvcs: [pvc("data", "missing")] });
  const { verdicts, message } = run(withClaim("p", "data"), { storage });
  assert.deepEqual(verdicts.map((v) => v.failures.map((f) => [f.plugin, f.stage])), [[["VolumeBinding", "PreFilter"]], [["VolumeBinding", "PreFilter"]]]);
  assert.equal(message, "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found");
});

test("a missing claim fails the pod with the API error text", () => {
  const { message } = run(withClaim("p", "nope"), { storage: buildStorageState({}) });
  assert.equal(message, '0/2 nodes are available: persistentvolumeclaim "nope" not found. not found');
});

test("WaitForFirstConsumer: a node fits when an Available PV matches there, or when the class provisions", () => {
  const claims = [pvc("data", "wait")];
  const onlyZ1 = buildStorageState({ pvcs: claims, storageClasses: [wait("wait")], pvs: [pv("local-z1", "wait", { nodeAffinity: zoneAffinity("z1") })] });
  const a = run(withClaim("p", "data"), { storage: onlyZ1 });
  assert.deepEqual(a.verdicts.map((v) => [v.node, v.fits]), [["n1", true], ["n2", false]]);
  assert.deepEqual(a.verdicts[1]!.failures.map((f) => f.status.reasons), [["node(s) didn't find available persistent volumes to bind"]]);
  // The PV is too small for a 2Gi claim: no node.
  const big = buildStorageState({ pvcs: [pvc("data", "wait", { spec: { resources: { requests: { storage: "2Gi" } } } })], storageClasses: [wait("wait")], pvs: [pv("local-z1", "wait", { nodeAffinity: zoneAffinity("z1") })] });
  assert.equal(run(withClaim("p", "data"), { storage: big }).verdicts.filter((v) => v.fits).length, 0);
  // A provisioning class: every node.
  const dynamic = buildStorageState({ pvcs: claims, storageClasses: [wait("wait", "ebs.csi.aws.com")] });
  assert.deepEqual(run(withClaim("p", "data"), { storage: dynamic }).verdicts.map((v) => v.fits), [true, true]);
});

test("a bound PV's node affinity: v1.36 wording, and the pre-v1.33 one", () => {
  const storage = buildStorageState({ pvcs: [boundPvc("data", "pv-z1")], pvs: [pv("pv-z1", "static", { nodeAffinity: zoneAffinity("z1") }, {}, "Bound")] });
  const { verdicts, message } = run(withClaim("p", "data"), { storage });
  assert.deepEqual(verdicts.map((v) => v.fits), [true, false]);
  assert.equal(message, undefined);
  assert.deepEqual(verdicts[1]!.failures[0]!.status.reasons, ["node(s) didn't match PersistentVolume's node affinity"]);
  const old = simulateScheduling(withClaim("p", "data"), NODES, [], { storage, version: "1.30" });
  assert.deepEqual(old[1]!.failures[0]!.status.reasons, ["node(s) had volume node affinity conflict"]);
});

test("VolumeZone: the bound PV's zone label against the node's", () => {
  const storage = buildStorageState({ pvcs: [boundPvc("data", "pv-zoned")], pvs: [pv("pv-zoned", "static", {}, { "topology.kubernetes.io/zone": "z2__z9" }, "Bound")] });
  const { verdicts } = run(withClaim("p", "data"), { storage });
  assert.deepEqual(verdicts.map((v) => [v.node, v.failures.map((f) => f.plugin)]), [["n1", ["VolumeZone"]], ["n2", []]]);
  assert.deepEqual(verdicts[0]!.failures[0]!.status, { ok: false, reason: "node(s) had no available volume zone", reasons: ["node(s) had no available volume zone"], unresolvable: true });
});

test("NodeVolumeLimits: CSINode allocatable count against the CSI volumes already used on the node", () => {
  const csi = (name: string, handle: string) => pv(name, "static", { csi: { driver: "ebs.csi", volumeHandle: handle } }, {}, "Bound");
  const csiNode: CSINode = { kind: "CSINode", metadata: { name: "n1" }, spec: { drivers: [{ name: "ebs.csi", allocatable: { count: 1 } }] } };
  const storage = buildStorageState({ pvcs: [boundPvc("a", "pv-a"), boundPvc("b", "pv-b")], pvs: [csi("pv-a", "h-a"), csi("pv-b", "h-b")], csiNodes: [csiNode] });
  const running: Pod = { ...withClaim("runner", "a"), spec: { ...withClaim("runner", "a").spec, nodeName: "n1" } };
  const { verdicts } = run(withClaim("p", "b"), { storage }, [running]);
  assert.deepEqual(verdicts.map((v) => [v.node, v.failures.map((f) => f.status.reasons[0])]), [["n1", ["node(s) exceed max volume count"]], ["n2", []]]);
  // The same volume again is not counted twice.
  assert.equal(run(withClaim("p", "a"), { storage }, [running]).verdicts[0]!.fits, true);
});

test("ReadWriteOncePod: a claim used by a scheduled pod blocks every node (Unschedulable)", () => {
  const storage = buildStorageState({ pvcs: [boundPvc("solo", "pv-solo", ["ReadWriteOncePod"])], pvs: [pv("pv-solo", "static", { accessModes: ["ReadWriteOncePod"] }, {}, "Bound")] });
  const owner: Pod = { ...withClaim("owner", "solo"), spec: { ...withClaim("owner", "solo").spec, nodeName: "n1" } };
  const { message } = run(withClaim("p", "solo"), { storage }, [owner]);
  assert.equal(
    message,
    "0/2 nodes are available: 2 node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod. no new claims to deallocate, preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  );
});

test("NodeAffinity matchFields metadata.name: the other nodes are left out by the PreFilterResult", () => {
  const pod: Pod = {
    kind: "Pod",
    metadata: { name: "p", namespace: "ns" },
    spec: { containers: [{ name: "c", resources: { requests: { cpu: "3" } } }], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }] } } } },
  };
  const { message } = run(pod, {});
  assert.equal(
    message,
    "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  );
});

test("preemption: victims that free enough make the PostFilter succeed (no PostFilter message); too few give the filter's reason", () => {
  const cpuPod = (name: string, cpu: string, priority: number, nodeName?: string): Pod => ({
    kind: "Pod",
    metadata: { name, namespace: "ns" },
    spec: { containers: [{ name: "c", resources: { requests: { cpu } } }], priority, ...(nodeName ? { nodeName } : {}) },
  });
  const one = [node("n1", "z1")];
  // kubernetes PR 140180 (after v1.36) quotes the message a successful preemption left before it: "0/1 nodes are available: 1 Insufficient cpu."
  const low = [cpuPod("low", "1500m", 0, "n1")];
  const high = cpuPod("high", "1", 1000);
  const verdicts = simulateScheduling(high, one, low);
  assert.equal(formatFitError(high, verdicts, low, { nodes: one }), "0/1 nodes are available: 1 Insufficient cpu.");
  assert.deepEqual(preemptionOutcome(high, verdicts, low, { nodes: one })?.candidates, [{ node: "n1", lowerPriorityPods: ["ns/low"] }]);
  // A higher-priority pod keeps 1500m: removing the 300m low-priority pod leaves 500m < 1 cpu.
  const mixed = [cpuPod("keep", "1500m", 2000, "n1"), cpuPod("low", "300m", 0, "n1")];
  const v2 = simulateScheduling(high, one, mixed);
  assert.equal(
    formatFitError(high, v2, mixed, { nodes: one }),
    "0/1 nodes are available: 1 Insufficient cpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 Insufficient cpu.",
  );
});
