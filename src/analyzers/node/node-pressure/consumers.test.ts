// Ranking of the pods on a pressured node (fixture fires-memory-by-usage.yaml, whose comment gives the expected order).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Node } from "../../../model/kube.js";
import { buildIndex } from "../../../indexes/build-index.js";
import { loadFixture, snapshotFromYaml } from "../../../testing/load-fixture.js";
import { overcommit, topConsumers } from "./consumers.js";

describe("topConsumers", () => {
  it("ranks by measured use when PodMetrics are in the snapshot", () => {
    const index = buildIndex(loadFixture(new URL("./fixtures/fires-memory-by-usage.yaml", import.meta.url)));
    const node = index.get<Node>("Node", undefined, "worker-4")!;
    const { basis, consumers } = topConsumers(index, index.podsOnNode(node), "memory");
    assert.equal(basis, "usage");
    assert.deepEqual(consumers.map((c) => c.pod.metadata.name), ["batch-b", "api-a", "db-c"]);
    const o = overcommit(consumers, node.status?.allocatable?.memory);
    assert.deepEqual(o, { limits: 1536n * 1024n * 1024n, allocatable: 2n * 1024n ** 3n, unbounded: 1 });
  });
  it("without metrics: unbounded pods first, then by request", () => {
    const index = buildIndex(
      snapshotFromYaml(`
apiVersion: v1
kind: Pod
metadata: { name: small, namespace: a }
spec: { nodeName: n, containers: [{ name: c, image: x, resources: { requests: { ephemeral-storage: 1Gi }, limits: { ephemeral-storage: 2Gi } } }] }
status: { phase: Running }
---
apiVersion: v1
kind: Pod
metadata: { name: big, namespace: a }
spec: { nodeName: n, containers: [{ name: c, image: x, resources: { requests: { ephemeral-storage: 5Gi }, limits: { ephemeral-storage: 5Gi } } }] }
status: { phase: Running }
---
apiVersion: v1
kind: Pod
metadata: { name: unbounded, namespace: a }
spec: { nodeName: n, containers: [{ name: c, image: x }] }
status: { phase: Running }
`),
    );
    const { basis, consumers } = topConsumers(index, index.all("Pod"), "ephemeral-storage");
    assert.equal(basis, "requests");
    assert.deepEqual(consumers.map((c) => c.pod.metadata.name), ["unbounded", "big", "small"]);
    assert.deepEqual(consumers[0]!.unlimited, ["c"]);
  });
});
