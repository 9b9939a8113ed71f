import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { writeArchive } from "../archive/write-archive.js";
import { loadSnapshot } from "../snapshot/load-snapshot.js";
import { loadLive, type LiveOptions } from "./load-live.js";
import { startFakeApiServer, writeKubeconfig, type FakeApiOptions, type FakeApiServer } from "./testing/fake-api-server.js";
import { parseSummaryVolumes, VOLUME_STATS_COVERAGE } from "./volume-stats.js";

const TOKEN = "fake-bearer-token-volstats";

function node(name: string, ready: boolean): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name }, status: { conditions: [{ type: "Ready", status: ready ? "True" : "Unknown" }] } };
}

function pod(name: string, nodeName: string, claim?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: "app", name },
    spec: { nodeName, containers: [{ name: "c", image: "busybox" }], volumes: claim ? [{ name: "data", persistentVolumeClaim: { claimName: claim } }] : [{ name: "tmp", emptyDir: {} }] },
    status: { phase: "Running" },
  };
}

// n1 and n2 are Ready and run a pod with a claim; n3 runs one but is NotReady; n4 runs only a pod without a claim.
const OBJECTS: KubeObject[] = [
  node("n1", true), node("n2", true), node("n3", false), node("n4", true),
  pod("db-0", "n1", "data-db-0"), pod("db-1", "n2", "data-db-1"), pod("db-2", "n3", "data-db-2"), pod("web-1", "n4"),
];

/** A stats/v1alpha1 Summary as the kubelet answers it (node part shortened), one pod with a PVC volume and a projected token volume. */
function summary(nodeName: string, podName: string, claim: string, usedBytes: number): unknown {
  return {
    node: { nodeName, fs: { capacityBytes: 100e9, usedBytes: 1e9, availableBytes: 99e9 } },
    pods: [{
      podRef: { name: podName, namespace: "app", uid: `uid-${podName}` },
      startTime: "2026-11-28T10:00:00Z",
      cpu: { usageNanoCores: 1000 },
      volume: [
        { time: "2026-11-28T11:00:00Z", availableBytes: 10737418240 - usedBytes, capacityBytes: 10737418240, usedBytes, inodesFree: 650000, inodes: 655360, inodesUsed: 5360, name: "data", pvcRef: { name: claim, namespace: "app" } },
        { time: "2026-11-28T11:00:00Z", availableBytes: 4000, capacityBytes: 4096, usedBytes: 96, inodesFree: 9, inodes: 12, inodesUsed: 3, name: "kube-api-access-x" },
      ],
    }],
  };
}

const SUMMARIES = { n1: summary("n1", "db-0", "data-db-0", 1073741824), n2: summary("n2", "db-1", "data-db-1", 2147483648), n3: summary("n3", "db-2", "data-db-2", 0), n4: { node: { nodeName: "n4" }, pods: [] } };

async function capture(server: FakeApiOptions, live: Partial<LiveOptions> = {}): Promise<{ snapshot: Snapshot; server: FakeApiServer }> {
  const fake = await startFakeApiServer({ objects: OBJECTS, token: TOKEN, kubeletSummaries: SUMMARIES, ...server });
  const kubeconfig = writeKubeconfig({ server: fake.url, token: TOKEN, caPem: fake.caPem });
  try {
    const snapshot = await loadLive({ kubeconfig: kubeconfig.path, kinds: ["Pod", "PersistentVolumeClaim"], volumeStats: true, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...live });
    return { snapshot, server: fake };
  } finally {
    await fake.close();
    kubeconfig.cleanup();
  }
}

const asked = (server: FakeApiServer): string[] => server.requests.filter((r) => r.resource === "nodes/proxy").map((r) => r.path).sort();

describe("parseSummaryVolumes", () => {
  it("keeps every pod volume with its figures and pvcRef, nothing else of the summary", () => {
    const volumes = parseSummaryVolumes("n1", summary("n1", "db-0", "data-db-0", 1073741824));
    assert.deepEqual(volumes, [
      { node: "n1", namespace: "app", pod: "db-0", volume: "data", pvc: { namespace: "app", name: "data-db-0" }, capacityBytes: 10737418240, usedBytes: 1073741824, availableBytes: 9663676416, inodes: 655360, inodesUsed: 5360, inodesFree: 650000, time: "2026-11-28T11:00:00Z" },
      { node: "n1", namespace: "app", pod: "db-0", volume: "kube-api-access-x", capacityBytes: 4096, usedBytes: 96, availableBytes: 4000, inodes: 12, inodesUsed: 3, inodesFree: 9, time: "2026-11-28T11:00:00Z" },
    ]);
  });
});

describe("loadLive volume stats (nodes/proxy stats/summary)", () => {
  it("asks only Ready nodes running a pod with a claim; a NotReady node is recorded, not asked", async () => {
    const { snapshot, server } = await capture({});
    assert.deepEqual(asked(server), ["/api/v1/nodes/n1/proxy/stats/summary", "/api/v1/nodes/n2/proxy/stats/summary"]);
    const stats = snapshot.volumeStats!;
    assert.deepEqual(stats.nodesRead, ["n1", "n2"]);
    assert.deepEqual(stats.nodesSkipped, [{ node: "n3", reason: "not asked: node is not Ready" }]);
    assert.deepEqual(stats.volumes.filter((v) => v.pvc).map((v) => `${v.node} ${v.pvc!.name} ${v.usedBytes}`), ["n1 data-db-0 1073741824", "n2 data-db-1 2147483648"]);
    assert.equal(snapshot.coverage[VOLUME_STATS_COVERAGE]?.status, "partial");
    assert.match(snapshot.coverage[VOLUME_STATS_COVERAGE]?.note ?? "", /1 of 3 nodes with claims not read \(n3: not asked: node is not Ready\)/);
  });

  it("a 403 on nodes/proxy is coverage forbidden, not an error; the lists are kept", async () => {
    const { snapshot } = await capture({ faults: [{ resource: "nodes/proxy", respond: 403, message: 'nodes "n1" is forbidden: User "viewer" cannot get resource "nodes/proxy"' }] });
    assert.equal(snapshot.coverage[VOLUME_STATS_COVERAGE]?.status, "forbidden");
    assert.match(snapshot.coverage[VOLUME_STATS_COVERAGE]?.note ?? "", /needs get on nodes\/proxy/);
    assert.deepEqual(snapshot.volumeStats?.volumes, []);
    assert.equal(snapshot.coverage.Pod?.status, "ok");
    assert.equal(snapshot.objects.get("Pod")?.length, 4);
  });

  it("Node list forbidden: no kubelet is asked, coverage forbidden with the reason", async () => {
    const { snapshot, server } = await capture({ faults: [{ resource: "nodes", respond: 403 }] });
    assert.deepEqual(asked(server), []);
    assert.equal(snapshot.coverage[VOLUME_STATS_COVERAGE]?.status, "forbidden");
    assert.match(snapshot.coverage[VOLUME_STATS_COVERAGE]?.note ?? "", /the Node list is forbidden/);
    assert.equal(snapshot.volumeStats, undefined);
  });

  it("a node that does not answer costs one short timeout, no retry; the other nodes are read", async () => {
    const { snapshot, server } = await capture({ faults: [{ resource: "/api/v1/nodes/n2/proxy/stats/summary", respond: "hang" }] }, { volumeStatsTimeoutMs: 300 });
    assert.equal(server.requests.filter((r) => r.path === "/api/v1/nodes/n2/proxy/stats/summary").length, 1);
    assert.deepEqual(snapshot.volumeStats?.nodesRead, ["n1"]);
    const n2 = snapshot.volumeStats?.nodesSkipped?.find((s) => s.node === "n2");
    assert.match(n2?.reason ?? "", /no answer within 300 ms/);
    assert.equal(snapshot.coverage[VOLUME_STATS_COVERAGE]?.status, "partial");
  });

  it("a kubelet the API server cannot reach (its Status message kept): skipped, the others read", async () => {
    const { snapshot } = await capture({ kubeletSummaries: { n1: SUMMARIES.n1 } });
    assert.deepEqual(snapshot.volumeStats?.nodesRead, ["n1"]);
    assert.match(snapshot.volumeStats?.nodesSkipped?.find((s) => s.node === "n2")?.reason ?? "", /^HTTP 503: error trying to reach service: .*n2/);
  });

  it("caps the nodes asked (first by name) and records the rest", async () => {
    const { snapshot, server } = await capture({}, { volumeStatsMaxNodes: 1 });
    assert.deepEqual(asked(server), ["/api/v1/nodes/n1/proxy/stats/summary"]);
    assert.match(snapshot.volumeStats?.nodesSkipped?.find((s) => s.node === "n2")?.reason ?? "", /more than 1 nodes with claims/);
  });

  it("not asked unless wanted", async () => {
    const { snapshot, server } = await capture({}, { volumeStats: false });
    assert.deepEqual(asked(server), []);
    assert.equal(snapshot.volumeStats, undefined);
    assert.equal(snapshot.coverage[VOLUME_STATS_COVERAGE], undefined);
  });

  it("round-trips through a kubesleuth archive", async () => {
    const { snapshot } = await capture({});
    const dir = mkdtempSync(join(tmpdir(), "ks-volstats-"));
    try {
      const file = join(dir, "snap.tar.gz");
      await writeArchive(snapshot, file, { serverUrl: "https://k8s.example:6443" });
      const loaded = await loadSnapshot([file]);
      assert.deepEqual(loaded.volumeStats, snapshot.volumeStats);
      assert.deepEqual(loaded.coverage[VOLUME_STATS_COVERAGE], snapshot.coverage[VOLUME_STATS_COVERAGE]);
      assert.equal(loaded.objects.has(VOLUME_STATS_COVERAGE), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
