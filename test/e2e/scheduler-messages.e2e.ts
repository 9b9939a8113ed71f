// The scheduler engine against the real kube-scheduler (v1.36): own KWOK nodes and filler pods, 40+ pods
// that cannot be scheduled for every cause the engine models, each pod's FailedScheduling event, then a
// live snapshot (kubesleuth's own source) fed to why-pending's analysis: the engine's message must equal
// the real scheduler's message byte for byte, for every pod.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "../../src/model/kube.js";
import { loadSnapshot } from "../../src/sources/snapshot/load-snapshot.js";
import { buildIndex } from "../../src/indexes/build-index.js";
import { buildStorageState, type CSINode } from "../../src/engines/scheduler/index.js";
import { analyzePending } from "../../src/run/why-pending.js";
import { apply, getJson, kubectl, readClusterEnv, sleuth, waitFor, type ClusterEnv } from "./harness.js";
import { kwokNode, type NodeShape } from "../scenarios/scheduling-constraints/helpers.js";

const NS = "sched-e2e";
const LABEL = "sched-e2e";

interface NodeSpec {
  name: string;
  zone: string;
  cpu: string;
  memory: string;
  pods: string;
  storage: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

const NODES: NodeSpec[] = [
  { name: "se-a", zone: "zone-x", cpu: "2", memory: "4Gi", pods: "110", storage: "20Gi", taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
  { name: "se-b", zone: "zone-y", cpu: "2", memory: "4Gi", pods: "110", storage: "20Gi", taints: [{ key: "gpu", effect: "NoExecute" }] },
  { name: "se-c", zone: "zone-y", cpu: "2", memory: "4Gi", pods: "110", storage: "20Gi", unschedulable: true },
  { name: "se-d", zone: "zone-z", cpu: "1", memory: "2Gi", pods: "4", storage: "1Gi", labels: { disk: "ssd", "se/size": "4" }, extra: { "example.com/gpu": "1" } },
  { name: "se-e", zone: "zone-z", cpu: "4", memory: "8Gi", pods: "110", storage: "20Gi", labels: { disk: "hdd", "se/size": "16" }, taints: [{ key: "soft", value: "yes", effect: "PreferNoSchedule" }] },
  { name: "se-f", zone: "zone-w", cpu: "8", memory: "8Gi", pods: "1", storage: "20Gi", labels: { disk: "tape" } },
];

/** A kwok node (the scheduling scenarios' shape) with this test's zone, label and exact capacities. */
function nodeYaml(env: ClusterEnv, n: NodeSpec): string {
  const alloc = { cpu: n.cpu, memory: n.memory, pods: n.pods, "ephemeral-storage": n.storage, ...(n.extra ?? {}) };
  const node = kwokNode(env, { name: n.name, cpu: 1, memoryGi: 1, labels: { [LABEL]: "yes", "topology.kubernetes.io/zone": n.zone, ...(n.labels ?? {}) }, ...(n.taints ? { taints: n.taints as NodeShape["taints"] } : {}), ...(n.unschedulable ? { unschedulable: true } : {}) });
  const status = node.status as Record<string, unknown>;
  return JSON.stringify({ ...node, status: { ...status, capacity: alloc, allocatable: alloc } });
}

type PodSpecLike = Record<string, unknown>;
const container = (cpu = "10m", extra: Record<string, unknown> = {}) => ({ name: "c", image: "registry.example/app:1", resources: { requests: { cpu } }, ...extra });
const onMine = { [LABEL]: "yes" };

function pod(name: string, spec: PodSpecLike, labels: Record<string, string> = {}): Record<string, unknown> {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS, labels: { case: name, ...labels } }, spec: { terminationGracePeriodSeconds: 0, containers: [container()], ...spec } };
}

/** Pods bound directly (spec.nodeName): usage, labels, ports, volumes and anti-affinity the scheduler must account for. */
const FILLERS = [
  pod("fill-a-low", { nodeName: "se-a", priorityClassName: "se-low", containers: [container("500m")] }),
  pod("fill-a-mid", { nodeName: "se-a", priorityClassName: "se-mid", containers: [container("1")] }),
  pod("fill-d-1", { nodeName: "se-d", containers: [container("200m", { resources: { requests: { cpu: "200m", memory: "512Mi" } } })] }),
  pod("fill-d-2", { nodeName: "se-d", containers: [container("200m")] }, { app: "spread2" }),
  pod("fill-d-3", { nodeName: "se-d", containers: [container("200m")] }),
  pod("fill-e-big", { nodeName: "se-e", containers: [container("3500m", { resources: { requests: { cpu: "3500m", memory: "6Gi" } } })] }, { app: "filler-e" }),
  pod("fill-e-port", { nodeName: "se-e", containers: [container("10m", { ports: [{ containerPort: 8080, hostPort: 8080 }] })] }),
  pod("fill-e-spread-1", { nodeName: "se-e" }, { app: "spread", rev: "r1" }),
  pod("fill-e-spread-2", { nodeName: "se-e" }, { app: "spread", rev: "r1" }),
  pod("fill-e-spread2", { nodeName: "se-e" }, { app: "spread2" }),
  pod("fill-e-loner-guard", {
    nodeName: "se-e",
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { role: "loner" } }, topologyKey: "kubernetes.io/hostname" }] } },
  }),
  pod("fill-e-csi", { nodeName: "se-e", volumes: [{ name: "v", persistentVolumeClaim: { claimName: "csi-1" } }] }),
  pod("fill-e-rwop", { nodeName: "se-e", volumes: [{ name: "v", persistentVolumeClaim: { claimName: "rwop-1" } }] }),
  pod("fill-f", { nodeName: "se-f" }),
];

const claim = (name: string, storageClassName: string, accessModes = ["ReadWriteOnce"]) => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: NS },
  spec: { accessModes, storageClassName, resources: { requests: { storage: "1Gi" } } },
});
const volume = (name: string, storageClassName: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}, claimRef?: string, accessModes = ["ReadWriteOnce"]) => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name, labels: { [LABEL]: "yes", ...labels } },
  spec: {
    capacity: { storage: "1Gi" },
    accessModes,
    storageClassName,
    persistentVolumeReclaimPolicy: "Retain",
    ...(claimRef ? { claimRef: { namespace: NS, name: claimRef } } : {}),
    ...("csi" in extra || "local" in extra ? {} : { hostPath: { path: `/tmp/${name}` } }),
    ...extra,
  },
});
const zoneAffinity = (zone: string) => ({ nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: [zone] }] }] } } });

const STORAGE: Record<string, unknown>[] = [
  { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "se-wait" }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "WaitForFirstConsumer" },
  volume("se-pv-static-a", "se-wait", zoneAffinity("zone-x")),
  claim("wffc-none", "se-wait"),
  claim("wffc-only-a", "se-wait"),
  volume("se-pv-affinity", "se-static", zoneAffinity("zone-x"), {}, "bound-affinity"),
  claim("bound-affinity", "se-static"),
  volume("se-pv-zone", "se-static", {}, { "topology.kubernetes.io/zone": "zone-y" }, "bound-zone"),
  claim("bound-zone", "se-static"),
  volume("se-pv-csi-1", "se-static", { csi: { driver: "csi.se.test", volumeHandle: "h1" } }, {}, "csi-1"),
  claim("csi-1", "se-static"),
  volume("se-pv-csi-2", "se-static", { csi: { driver: "csi.se.test", volumeHandle: "h2" } }, {}, "csi-2"),
  claim("csi-2", "se-static"),
  volume("se-pv-rwop", "se-static", {}, {}, "rwop-1", ["ReadWriteOncePod"]),
  claim("rwop-1", "se-static", ["ReadWriteOncePod"]),
  claim("immediate-unbound", "se-no-such-class"),
  { apiVersion: "storage.k8s.io/v1", kind: "CSINode", metadata: { name: "se-e" }, spec: { drivers: [{ name: "csi.se.test", nodeID: "se-e", topologyKeys: null, allocatable: { count: 1 } }] } },
];

const CLUSTER_SCOPED: Record<string, unknown>[] = [
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "se-low" }, value: 10 },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "se-mid" }, value: 2000 },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "se-high" }, value: 1000 },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "se-never" }, value: 1000, preemptionPolicy: "Never" },
  { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "se-rc" }, handler: "runc", overhead: { podFixed: { cpu: "400m" } } },
];

const tolerateAll = [{ operator: "Exists" }];
const spread = (extra: Record<string, unknown>) => ({ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", ...extra });
const requiredTerms = (terms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const pvcVolume = (claimName: string) => [{ name: "data", persistentVolumeClaim: { claimName } }];

/** The pending pods: each fits no node of the cluster (the 5 base nodes included) for the cause in its name. */
const PENDING = [
  pod("cpu-over-allocatable", { containers: [container("100")] }),
  pod("cpu-insufficient", { nodeSelector: onMine, containers: [container("1")] }),
  pod("memory-insufficient", { nodeSelector: onMine, containers: [container("10m", { resources: { requests: { memory: "3Gi" } } })] }),
  pod("init-container-max", { nodeSelector: onMine, initContainers: [{ ...container("2"), name: "init" }], containers: [container("100m")] }),
  pod("sidecar-adds", { nodeSelector: onMine, initContainers: [{ ...container("300m"), name: "side", restartPolicy: "Always" }], containers: [container("300m")] }),
  pod("overhead-adds", { nodeSelector: onMine, runtimeClassName: "se-rc", containers: [container("200m")] }),
  pod("extended-resource", { nodeSelector: onMine, containers: [container("10m", { resources: { requests: { cpu: "10m", "example.com/gpu": "2" }, limits: { "example.com/gpu": "2" } } })] }),
  pod("ephemeral-storage", { nodeSelector: { disk: "ssd" }, containers: [container("10m", { resources: { requests: { cpu: "10m", "ephemeral-storage": "2Gi" } } })] }),
  pod("too-many-pods", { nodeSelector: { disk: "tape" } }),
  pod("host-port", { nodeSelector: { disk: "hdd" }, containers: [container("10m", { ports: [{ containerPort: 8080, hostPort: 8080 }] })] }),
  pod("node-unschedulable", { nodeSelector: { "kubernetes.io/hostname": "se-c" } }),
  pod("taint-noschedule", { nodeSelector: { "kubernetes.io/hostname": "se-a" } }),
  pod("taint-wrong-value", { nodeSelector: { "kubernetes.io/hostname": "se-a" }, tolerations: [{ key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" }] }),
  pod("taint-wrong-effect", { nodeSelector: { "kubernetes.io/hostname": "se-b" }, tolerations: [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }] }),
  pod("taint-noexecute-tolerated", { nodeSelector: { "kubernetes.io/hostname": "se-b" }, tolerations: [{ key: "gpu", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }], containers: [container("3")] }),
  pod("tolerate-all-too-big", { tolerations: tolerateAll, nodeSelector: onMine, containers: [container("5")] }),
  // Tolerating node.kubernetes.io/unschedulable passes NodeUnschedulable: the cordoned node then fails on cpu.
  pod("tolerate-all-cordoned-too-big", { tolerations: tolerateAll, nodeSelector: { "kubernetes.io/hostname": "se-c" }, containers: [container("3")] }),
  pod("selector-no-match", { nodeSelector: { disk: "nvme" } }),
  pod("affinity-notin-exists", { affinity: requiredTerms([{ matchExpressions: [{ key: "disk", operator: "Exists" }, { key: "disk", operator: "NotIn", values: ["ssd", "hdd", "tape"] }] }]) }),
  pod("affinity-terms-ored", { affinity: requiredTerms([{ matchExpressions: [{ key: "disk", operator: "In", values: ["nvme"] }] }, { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["zone-q"] }] }]) }),
  pod("affinity-gt", { affinity: requiredTerms([{ matchExpressions: [{ key: "se/size", operator: "Gt", values: ["100"] }] }]) }),
  pod("affinity-lt-doesnotexist", { affinity: requiredTerms([{ matchExpressions: [{ key: "se/size", operator: "Lt", values: ["2"] }] }, { matchExpressions: [{ key: "kubernetes.io/os", operator: "DoesNotExist" }] }]) }),
  pod("selector-and-affinity", { nodeSelector: { disk: "ssd" }, affinity: requiredTerms([{ matchExpressions: [{ key: "disk", operator: "In", values: ["hdd"] }] }]) }),
  pod("match-fields-unschedulable-node", { affinity: requiredTerms([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["se-c"] }] }]) }),
  pod("match-fields-two-nodes", { affinity: requiredTerms([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["se-a"] }] }, { matchFields: [{ key: "metadata.name", operator: "In", values: ["se-b"] }] }]) }),
  pod("match-fields-notin", { affinity: requiredTerms([{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["se-e"] }] }]), nodeSelector: { disk: "hdd" } }),
  pod("spread-affinity-ignore", { nodeSelector: { disk: "hdd" }, topologySpreadConstraints: [spread({ labelSelector: { matchLabels: { app: "spread" } }, nodeAffinityPolicy: "Ignore" })] }, { app: "spread" }),
  pod("spread-min-domains", { nodeSelector: { disk: "hdd" }, topologySpreadConstraints: [spread({ labelSelector: { matchLabels: { app: "spread2" } }, minDomains: 10 })] }, { app: "spread2" }),
  pod("spread-match-label-keys", { nodeSelector: { disk: "hdd" }, topologySpreadConstraints: [spread({ labelSelector: { matchLabels: { app: "spread" } }, matchLabelKeys: ["rev"], nodeAffinityPolicy: "Ignore" })] }, { app: "spread", rev: "r1" }),
  pod("spread-taints-honor", { nodeSelector: { disk: "hdd" }, topologySpreadConstraints: [spread({ labelSelector: { matchLabels: { app: "spread" } }, nodeAffinityPolicy: "Ignore", nodeTaintsPolicy: "Honor" })] }, { app: "spread" }),
  pod("spread-missing-label", { nodeSelector: onMine, tolerations: tolerateAll, topologySpreadConstraints: [spread({ topologyKey: "se/rack", labelSelector: { matchLabels: { app: "x" } } })] }),
  pod("pod-affinity-nothing", { nodeSelector: onMine, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "nothing-here" } }, topologyKey: "kubernetes.io/hostname" }] } } }),
  pod("pod-anti-affinity", { nodeSelector: { disk: "hdd" }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "filler-e" } }, topologyKey: "kubernetes.io/hostname" }] } } }),
  pod("existing-anti-affinity", { nodeSelector: { disk: "hdd" } }, { role: "loner" }),
  pod("pvc-missing", { volumes: pvcVolume("se-nope") }),
  pod("pvc-unbound-immediate", { volumes: pvcVolume("immediate-unbound") }),
  pod("pvc-wffc-no-pv", { nodeSelector: onMine, volumes: pvcVolume("wffc-none") }),
  pod("pvc-wffc-pv-elsewhere", { nodeSelector: onMine, volumes: pvcVolume("wffc-only-a") }),
  pod("pv-node-affinity-conflict", { nodeSelector: onMine, volumes: pvcVolume("bound-affinity") }),
  pod("pv-zone-conflict", { nodeSelector: onMine, volumes: pvcVolume("bound-zone") }),
  pod("csi-volume-limit", { nodeSelector: { disk: "hdd" }, volumes: pvcVolume("csi-2") }),
  pod("rwop-in-use", { nodeSelector: onMine, volumes: pvcVolume("rwop-1") }),
  pod("priority-victims-not-enough", { priorityClassName: "se-high", nodeSelector: { "kubernetes.io/hostname": "se-a" }, tolerations: [{ key: "dedicated", operator: "Exists" }], containers: [container("1500m")] }),
  pod("priority-never", { priorityClassName: "se-never", nodeSelector: onMine, containers: [container("1")] }),
];

function latestFailedScheduling(events: readonly Event[], name: string): Event | undefined {
  const mine = events.filter((e) => e.reason === "FailedScheduling" && e.involvedObject?.name === name && e.involvedObject?.namespace === NS);
  const time = (e: Event) => {
    const ev = e as Event & { series?: { lastObservedTime?: string }; eventTime?: string };
    return Date.parse(ev.series?.lastObservedTime ?? ev.lastTimestamp ?? ev.eventTime ?? e.metadata.creationTimestamp ?? "") || 0;
  };
  return mine.sort((a, b) => time(a) - time(b)).at(-1);
}

/** Deletes everything the test creates (its namespace, nodes, PVs and cluster-scoped objects). */
function cleanUp(env: ClusterEnv, wait: boolean): void {
  const w = `--wait=${wait}`;
  kubectl(env, ["delete", "namespace", NS, "--ignore-not-found", w], { allowFailure: true });
  kubectl(env, ["delete", "node", ...NODES.map((n) => n.name), "--ignore-not-found", w], { allowFailure: true });
  kubectl(env, ["delete", "pv", "-l", `${LABEL}=yes`, "--ignore-not-found", w], { allowFailure: true });
  kubectl(env, ["delete", "csinode/se-e", "storageclass/se-wait", "--ignore-not-found", w], { allowFailure: true });
  kubectl(env, ["delete", "priorityclass", "se-low", "se-mid", "se-high", "se-never", "--ignore-not-found", w], { allowFailure: true });
  kubectl(env, ["delete", "runtimeclass", "se-rc", "--ignore-not-found", w], { allowFailure: true });
}

describe("scheduler messages: the engine against kube-scheduler v1.36", () => {
  let env: ClusterEnv;
  const results: { name: string; real: string; ours: string | null }[] = [];
  let snapshotCluster: Parameters<typeof analyzePending>[1];

  before(async () => {
    env = readClusterEnv();
    cleanUp(env, true);
    kubectl(env, ["create", "namespace", NS]);
    apply(env, { yaml: CLUSTER_SCOPED.map((o) => JSON.stringify(o)).join("\n---\n") });
    apply(env, { yaml: NODES.map((n) => nodeYaml(env, n)).join("\n---\n") });
    await waitFor("the sched-e2e nodes to be Ready", () => {
      const nodes = getJson<{ items: Node[] }>(env, ["nodes", "-l", `${LABEL}=yes`]).items;
      return nodes.length === NODES.length && nodes.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    });
    // The node lifecycle controller taints the cordoned node; wait for it so the scheduler's view is final.
    await waitFor("se-c to carry the unschedulable taint", () => (getJson<Node>(env, ["node", "se-c"]).spec?.taints ?? []).some((t) => t.key === "node.kubernetes.io/unschedulable"));
    apply(env, { yaml: STORAGE.map((o) => JSON.stringify(o)).join("\n---\n") });
    await waitFor("static claims to be Bound", () => {
      const claims = getJson<{ items: PersistentVolumeClaim[] }>(env, ["pvc", "-n", NS]).items;
      return ["bound-affinity", "bound-zone", "csi-1", "csi-2", "rwop-1"].every((n) => claims.find((c) => c.metadata.name === n)?.status?.phase === "Bound");
    });
    apply(env, { yaml: FILLERS.map((o) => JSON.stringify(o)).join("\n---\n") });
    await waitFor("filler pods to run", () => {
      const pods = getJson<{ items: Pod[] }>(env, ["pods", "-n", NS]).items;
      return FILLERS.every((f) => pods.find((p) => p.metadata.name === (f.metadata as { name: string }).name)?.status?.phase === "Running");
    });
    apply(env, { yaml: PENDING.map((o) => JSON.stringify(o)).join("\n---\n") });
    await waitFor(
      "a FailedScheduling event for every pending pod",
      () => {
        const scheduled = getJson<{ items: Pod[] }>(env, ["pods", "-n", NS]).items.filter((p) => p.spec.nodeName && !FILLERS.some((f) => (f.metadata as { name: string }).name === p.metadata.name));
        if (scheduled.length) throw new Error(`scheduled, the case is wrong: ${scheduled.map((p) => `${p.metadata.name} on ${p.spec.nodeName}`).join(", ")}`);
        const events = getJson<{ items: Event[] }>(env, ["events", "-n", NS]).items;
        return PENDING.every((p) => latestFailedScheduling(events, (p.metadata as { name: string }).name));
      },
      180_000,
      2000,
    );
    // Settle: retries after cluster events must not change the messages between the events and the snapshot.
    await new Promise((r) => setTimeout(r, 5000));
    const archive = join(mkdtempSync(join(tmpdir(), "kubesleuth-sched-")), "cluster.tar.gz");
    const snap = await sleuth(env, ["snapshot", "-o", archive]);
    assert.equal(snap.code, 0, snap.stderr);
    const index = buildIndex(await loadSnapshot([archive]));
    const pods = index.all<Pod>("Pod");
    const events = index.all<Event>("Event");
    const storage = buildStorageState({
      pvcs: index.all<PersistentVolumeClaim>("PersistentVolumeClaim"),
      pvs: index.all<PersistentVolume>("PersistentVolume"),
      storageClasses: index.all<StorageClass>("StorageClass"),
      csiNodes: index.all<CSINode>("CSINode"),
    });
    const namespaceLabels = Object.fromEntries(index.all("Namespace").map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
    const cluster = { nodes: index.all<Node>("Node"), pods, namespaceLabels, storage };
    snapshotCluster = cluster;
    for (const p of PENDING) {
      const name = (p.metadata as { name: string }).name;
      const live = pods.find((x) => x.metadata.namespace === NS && x.metadata.name === name);
      assert.ok(live, `pod ${name} is in the snapshot`);
      assert.equal(live.spec.nodeName, undefined, `pod ${name} was scheduled (on ${live.spec.nodeName}): the case is wrong`);
      const event = latestFailedScheduling(events, name);
      assert.ok(event?.message, `pod ${name} has a FailedScheduling event in the snapshot`);
      const ours = analyzePending(live, cluster, { version: "1.36" }).message;
      results.push({ name, real: event.message, ours });
    }
  }, { timeout: 600_000 });

  after(() => {
    if (env) cleanUp(env, false);
  });

  it("covers at least 40 pending pods", () => {
    assert.ok(PENDING.length >= 40, `${PENDING.length} cases`);
    assert.equal(results.length, PENDING.length);
  });

  it("preemption that finds a victim: the engine names node and victim on the snapshot taken before, and its message equals the real one", async () => {
    // se-a: fill-a-low (priority 10, 500m) and fill-a-mid (2000, 1000m) use 1500m of 2 cpu. A priority-1000
    // pod asking for 1 cpu fits only once fill-a-low is gone: DefaultPreemption picks it.
    const preemptor = pod("preemptor", { priorityClassName: "se-high", nodeSelector: { "kubernetes.io/hostname": "se-a" }, tolerations: [{ key: "dedicated", operator: "Exists" }], containers: [container("1")] });
    // What the API server's Priority admission sets from the class.
    const simulated = { ...preemptor, spec: { ...(preemptor.spec as object), priority: 1000 } } as unknown as Pod;
    const analysis = analyzePending(simulated, snapshotCluster, { version: "1.36" });
    assert.deepEqual(analysis.preemptionCandidates, [{ node: "se-a", lowerPriorityPods: [`${NS}/fill-a-low`] }]);
    apply(env, { yaml: JSON.stringify(preemptor) });
    let real: string | undefined;
    await waitFor("the preemptor's FailedScheduling event", () => {
      real = latestFailedScheduling(getJson<{ items: Event[] }>(env, ["events", "-n", NS]).items, "preemptor")?.message;
      return real !== undefined;
    });
    await waitFor("fill-a-low to be preempted", () => getJson<{ items: Event[] }>(env, ["events", "-n", NS]).items.some((e) => e.reason === "Preempted" && e.involvedObject?.name === "fill-a-low"));
    console.log(`preemptor: ${real}`);
    assert.equal(analysis.message, real);
  });

  it("the engine writes every FailedScheduling message byte for byte", () => {
    const mismatches = results.filter((r) => r.ours !== r.real);
    for (const r of results) console.log(`${r.ours === r.real ? "same" : "DIFF"} ${r.name}: ${r.real}`);
    console.log(`${results.length - mismatches.length}/${results.length} scheduler messages match`);
    for (const m of mismatches) console.log(`MISMATCH ${m.name}\n  real: ${m.real}\n  ours: ${m.ours}`);
    assert.deepEqual(mismatches.map((m) => ({ name: m.name, ours: m.ours })), mismatches.map((m) => ({ name: m.name, ours: m.real })));
  });
});
