// The index relations analyzers rely on, checked on small hand-made clusters.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { snapshotFromYaml } from "../testing/load-fixture.js";
import { buildIndex } from "./build-index.js";
import type { Node, Pod, Service } from "../model/kube.js";

const CLUSTER = `
apiVersion: v1
kind: Node
metadata: { name: n1, uid: node-uid-1 }
---
apiVersion: v1
kind: Pod
metadata: { name: web-0, namespace: a, uid: new-uid, labels: { app: web, tier: front } }
spec: { nodeName: n1, containers: [{ name: c, envFrom: [{ configMapRef: { name: cfg } }] }], volumes: [{ name: d, persistentVolumeClaim: { claimName: data-web-0 } }] }
---
apiVersion: v1
kind: Pod
metadata: { name: other, namespace: b, labels: { app: web } }
spec: { containers: [{ name: c }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: a }
spec: { selector: { app: web } }
---
apiVersion: v1
kind: Service
metadata: { name: none, namespace: a }
spec: { selector: { app: web, tier: back } }
---
apiVersion: v1
kind: Event
metadata: { name: e1, namespace: a }
involvedObject: { kind: Pod, namespace: a, name: web-0, uid: old-uid }
reason: BackOff
lastTimestamp: "2026-01-01T00:00:00Z"
---
apiVersion: v1
kind: Event
metadata: { name: e2, namespace: a }
involvedObject: { kind: Pod, namespace: a, name: web-0, uid: new-uid }
reason: Started
lastTimestamp: "2026-01-01T00:01:00Z"
---
# The kubelet writes the node's name where the uid would be.
apiVersion: v1
kind: Event
metadata: { name: e3, namespace: default }
involvedObject: { kind: Node, name: n1, uid: n1 }
reason: NodeHasDiskPressure
lastTimestamp: "2026-01-01T00:02:00Z"
`;

describe("buildIndex", () => {
  const index = buildIndex(snapshotFromYaml(CLUSTER));
  const pod = index.get<Pod>("Pod", "a", "web-0")!;

  it("Services select pods in their own namespace with all selector labels", () => {
    assert.deepEqual(index.podsSelectedByService(index.get<Service>("Service", "a", "web")!).map((p) => p.metadata.name), ["web-0"]);
    assert.deepEqual(index.podsSelectedByService(index.get<Service>("Service", "a", "none")!), []);
    assert.deepEqual(index.servicesSelectingPod(pod).map((s) => s.metadata.name), ["web"]);
  });

  it("events of a re-created pod are not attributed to the new one (uid differs)", () => {
    assert.deepEqual(index.eventsFor(pod).map((e) => e.reason), ["Started"]);
  });

  it("kubelet node events (uid = node name) are found for the Node", () => {
    assert.deepEqual(index.eventsFor(index.get<Node>("Node", undefined, "n1")!).map((e) => e.reason), ["NodeHasDiskPressure"]);
  });

  it("pod references, nodes and claims", () => {
    assert.deepEqual(index.referencesOfPod(pod).map((r) => `${r.kind}/${r.name}`), ["PersistentVolumeClaim/data-web-0", "ConfigMap/cfg"]);
    assert.deepEqual(index.podsReferencing("ConfigMap", "a", "cfg").map((p) => p.metadata.name), ["web-0"]);
    assert.deepEqual(index.podsOnNode(index.get<Node>("Node", undefined, "n1")!).map((p) => p.metadata.name), ["web-0"]);
  });
});
