import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture, snapshotFromYaml } from "../../../testing/load-fixture.js";
import { podUnschedulable } from "./pod-unschedulable.js";

const NOW = "2024-05-14T10:00:00Z";

testAnalyzer(
  podUnschedulable,
  {
    quiet: [
      {
        // Running, just created, unschedulable for only 20s, gated, just bound, completed.
        name: "scheduled, waiting within the grace period, gated, bound",
        fixture: "quiet-scheduled-and-waiting.yaml",
        now: NOW,
      },
    ],
    fires: [
      {
        // Two replicas are one finding; the request (6 CPUs) is larger than any node's allocatable (4).
        name: "not enough CPU anywhere: the request exceeds the largest node",
        fixture: "fires-insufficient-resources.yaml",
        now: NOW,
        expect: [
          {
            messageId: "insufficientResources",
            subject: "Deployment/analytics/spark-driver",
            evidenceValues: [
              "3 Insufficient cpu",
              "6",
              "4",
              "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod",
              "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            ],
            affects: ["Pod/analytics/spark-driver-58d7c9f6b4-k8s2x", "Pod/analytics/spark-driver-58d7c9f6b4-p9t4m"],
          },
        ],
      },
      {
        // No condition message, no events: the engine's replay. n1 (2 cpu) cannot hold 4 cpu at all
        // (request > allocatable: unresolvable), n2's taint is not tolerated; both "not helpful" for
        // preemption; v1.36 message shape as the real scheduler writes it (test/e2e/scheduler-messages.e2e.ts).
        name: "no message and no events: the scheduler simulation gives the verdict",
        fixture: "fires-no-message-simulated.yaml",
        now: NOW,
        expect: [
          {
            messageId: "constraintsUnsatisfied",
            subject: "Pod/batch/cruncher",
            evidenceValues: [
              "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
              "NodeResourcesFit: Insufficient cpu",
              "TaintToleration: node(s) had untolerated taint(s)",
            ],
          },
        ],
      },
      {
        // Per-cause evidence: the tainted control-plane node, the memory request, the nodeSelector,
        // the cordoned node.
        name: "taint, memory, node selector and cordoned nodes",
        fixture: "fires-constraints.yaml",
        now: NOW,
        expect: [
          {
            messageId: "constraintsUnsatisfied",
            subject: "StatefulSet/web/cache",
            evidenceValues: [
              "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }",
              "2 Insufficient memory",
              "2 node(s) didn't match Pod's node affinity/selector",
              { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
              "24Gi",
              { pool: "general" },
            ],
          },
          { messageId: "constraintsUnsatisfied", subject: "Pod/db/reporting-db-0", evidenceValues: ["1 node(s) were unschedulable", true, "4 Insufficient memory"] },
        ],
      },
      {
        name: "nodes dedicated by a taint the pod does not tolerate",
        fixture: "fires-dedicated-taint.yaml",
        now: NOW,
        expect: [
          {
            messageId: "constraintsUnsatisfied",
            subject: "Deployment/etl/loader",
            evidenceValues: ["2 node(s) had untolerated taint {dedicated: batch}", { key: "dedicated", value: "batch", effect: "NoSchedule" }, null],
          },
        ],
      },
      {
        name: "missing claim (no node count), no nodes at all, a batch scheduler's own message",
        fixture: "fires-volume-no-nodes-unparsed.yaml",
        now: NOW,
        expect: [
          { messageId: "constraintsUnsatisfied", subject: "Pod/data/importer-0", evidenceValues: ['persistentvolumeclaim "staging-area" not found', "staging-area"] },
          { messageId: "noNodes", subject: "Pod/edge-site-7/edge-agent", evidenceValues: ["no nodes available to schedule pods"] },
          { messageId: "unparsed", subject: "Pod/ml/train-worker-0", evidenceValues: ["1/1 tasks in gang unschedulable: pod group is not ready, 1 Pending, 1 minAvailable; Pending: 1 Unschedulable"] },
        ],
      },
    ],
  },
  import.meta.url,
);

const fixture = (name: string) => loadFixture(new URL(`./fixtures/${name}`, import.meta.url));

it("pod-unschedulable: the summary names the causes with their node counts and the age", () => {
  const [finding] = runAnalyzer(podUnschedulable, fixture("fires-insufficient-resources.yaml"), Date.parse(NOW));
  assert.match(finding!.summary, /Pending for 19m/);
  assert.match(finding!.summary, /3 Insufficient cpu/);
  assert.match(finding!.rootCause, /^0\/3 nodes/);
});

it("pod-unschedulable: remediation per cause — tolerate a dedicated-node taint, uncordon; not the control-plane taint", () => {
  const loader = runAnalyzer(podUnschedulable, fixture("fires-dedicated-taint.yaml"), Date.parse(NOW))[0]!;
  const toleration = loader.remediation.find((r) => r.command?.includes("tolerations"))!;
  assert.equal(
    toleration.command,
    `kubectl patch deployment/loader -n etl --type=merge -p '{"spec":{"template":{"spec":{"tolerations":[{"key":"dedicated","operator":"Exists","effect":"NoSchedule"}]}}}}'`,
  );
  assert.equal(toleration.rollback, "kubectl rollout undo deployment/loader -n etl");

  const findings = runAnalyzer(podUnschedulable, fixture("fires-constraints.yaml"), Date.parse(NOW));
  const cache = findings.find((f) => f.subject.name === "cache")!;
  // Control-plane nodes are excluded on purpose and two nodes do carry pool=general: the fix is the memory request.
  assert.deepEqual(
    cache.remediation.map((r) => r.command),
    ["kubectl set resources statefulset/cache -n web -c redis --requests=cpu=<smaller>,memory=<smaller>"],
  );
  const db = findings.find((f) => f.subject.name === "reporting-db-0")!;
  assert.ok(db.remediation.some((r) => r.command === "kubectl uncordon db-1" && r.rollback === "kubectl cordon db-1"));
});

it("pod-unschedulable: with no node carrying the selected label, labelling a node is the fix", () => {
  const snapshot = snapshotFromYaml(`
apiVersion: v1
kind: Node
metadata: { name: worker-1, labels: { pool: general } }
---
apiVersion: v1
kind: Pod
metadata: { name: ingest-0, namespace: etl, uid: uid-pod-ingest }
spec:
  nodeSelector: { disktype: ssd }
  containers: [{ name: ingest, image: "registry.example.com/etl/ingest:1.0.0" }]
status:
  phase: Pending
  conditions:
    - type: PodScheduled
      status: "False"
      reason: Unschedulable
      lastTransitionTime: "2024-05-14T09:00:00Z"
      message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
`);
  const [finding] = runAnalyzer(podUnschedulable, snapshot, Date.parse(NOW));
  assert.equal(finding!.code, "pod-unschedulable/constraintsUnsatisfied");
  assert.ok(finding!.investigation.some((s) => s.command === "kubectl get nodes -l disktype=ssd" && s.result === "0 of 1 nodes have disktype=ssd"));
  assert.ok(finding!.remediation.some((r) => r.command === "kubectl label node <node> disktype=ssd" && r.rollback === "kubectl label node <node> disktype-"));
});

it("pod-unschedulable: other PostFilter messages of a 1.36 scheduler (DynamicResources) are not causes", () => {
  // Verbatim from kube-scheduler v1.36.3 (test/scenarios/storage-no-static-pv, storage-class-missing):
  // FitError appends the PostFilter plugins' reasons joined by ", " after the filter part's ". ".
  const snapshot = snapshotFromYaml(`
apiVersion: v1
kind: Pod
metadata: { name: ledger-0, namespace: ledger, uid: uid-pod-ledger }
spec:
  nodeSelector: { topology.kubernetes.io/zone: zone-a }
  containers: [{ name: ledger, image: "registry.example.com/ledger:0.9.0" }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: data-ledger-0 } }]
status:
  phase: Pending
  conditions:
    - type: PodScheduled
      status: "False"
      reason: Unschedulable
      lastTransitionTime: "2024-05-14T09:00:00Z"
      message: "0/5 nodes are available: 1 node(s) didn't find available persistent volumes to bind, 1 node(s) had untolerated taint(s), 3 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling."
---
apiVersion: v1
kind: Pod
metadata: { name: db-0, namespace: db, uid: uid-pod-db }
spec:
  containers: [{ name: postgres, image: "postgres:16" }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: data-db-0 } }]
status:
  phase: Pending
  conditions:
    - type: PodScheduled
      status: "False"
      reason: Unschedulable
      lastTransitionTime: "2024-05-14T09:00:00Z"
      message: "0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found"
`);
  const findings = runAnalyzer(podUnschedulable, snapshot, Date.parse(NOW));
  const ledger = findings.find((f) => f.subject.name === "ledger-0")!;
  const causes = (f: typeof ledger): unknown[] => f.evidence.filter((e) => /rejected/.test(e.note ?? "")).map((e) => e.value);
  assert.deepEqual(causes(ledger), [
    "1 node(s) didn't find available persistent volumes to bind",
    "1 node(s) had untolerated taint(s)",
    "3 node(s) didn't match Pod's node affinity/selector",
  ]);
  assert.doesNotMatch(ledger.summary, /deallocate/);
  assert.ok(ledger.evidence.some((e) => e.value === "preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling"));
  assert.ok(ledger.evidence.some((e) => e.value === "no new claims to deallocate" && /not a cause/.test(e.note ?? "")));

  const db = findings.find((f) => f.subject.name === "db-0")!;
  assert.deepEqual(causes(db), ["pod has unbound immediate PersistentVolumeClaims"]);
  assert.doesNotMatch(db.summary, /not found/);
});

it("pod-unschedulable: an unnamed untolerated taint (v1.35+ wording) is looked for on the nodes the pod selects", () => {
  // kube-scheduler v1.36.3 (test/scenarios/scheduling-constraints, batch-worker): "had untolerated taint(s)" no
  // longer names the taint, and the count includes tainted nodes the nodeSelector rejects anyway.
  const snapshot = snapshotFromYaml(`
apiVersion: v1
kind: Node
metadata: { name: a-control-plane, labels: { node-role.kubernetes.io/control-plane: "" } }
spec: { taints: [{ key: node-role.kubernetes.io/control-plane, effect: NoSchedule }] }
---
apiVersion: v1
kind: Node
metadata: { name: b-gpu-1, labels: { pool: gpu } }
spec: { taints: [{ key: nvidia.com/gpu, value: present, effect: NoSchedule }] }
---
apiVersion: v1
kind: Node
metadata: { name: c-batch-1, labels: { pool: batch } }
spec: { taints: [{ key: dedicated, value: batch, effect: NoSchedule }] }
---
apiVersion: v1
kind: Node
metadata: { name: d-general-1, labels: { pool: general } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: loader, namespace: etl, uid: uid-deploy-loader }
spec:
  selector: { matchLabels: { app: loader } }
  template:
    metadata: { labels: { app: loader } }
    spec:
      nodeSelector: { pool: batch }
      containers: [{ name: loader, image: "registry.example.com/etl/loader:1.4.0" }]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: loader-6b5c4d3e2f
  namespace: etl
  uid: uid-rs-loader
  ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: loader, uid: uid-deploy-loader, controller: true }]
---
apiVersion: v1
kind: Pod
metadata:
  name: loader-6b5c4d3e2f-7hj3k
  namespace: etl
  uid: uid-pod-loader-0
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: loader-6b5c4d3e2f, uid: uid-rs-loader, controller: true }]
spec:
  nodeSelector: { pool: batch }
  containers: [{ name: loader, image: "registry.example.com/etl/loader:1.4.0" }]
status:
  phase: Pending
  conditions:
    - type: PodScheduled
      status: "False"
      reason: Unschedulable
      lastTransitionTime: "2024-05-14T09:00:00Z"
      message: "0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 3 node(s) had untolerated taint(s). no new claims to deallocate, preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
`);
  const [finding] = runAnalyzer(podUnschedulable, snapshot, Date.parse(NOW));
  assert.equal(finding!.code, "pod-unschedulable/constraintsUnsatisfied");
  assert.equal(finding!.subject.name, "loader");
  const taints = finding!.evidence.filter((e) => e.path?.startsWith("spec.taints"));
  assert.deepEqual(taints.map((e) => e.ref?.name), ["c-batch-1"]);
  assert.ok(finding!.investigation.some((s) => s.result === "c-batch-1: dedicated=batch:NoSchedule"));
  assert.ok(finding!.remediation.some((r) => r.command?.includes(`"tolerations":[{"key":"dedicated","operator":"Exists","effect":"NoSchedule"}]`)));
  assert.ok(!finding!.remediation.some((r) => r.command?.includes("nvidia.com/gpu")));

  // Without a node selection every untolerated taint stays a candidate.
  const anywhere = snapshotFromYaml(`
apiVersion: v1
kind: Node
metadata: { name: b-gpu-1, labels: { pool: gpu } }
spec: { taints: [{ key: nvidia.com/gpu, value: present, effect: NoSchedule }] }
---
apiVersion: v1
kind: Node
metadata: { name: c-batch-1, labels: { pool: batch } }
spec: { taints: [{ key: dedicated, value: batch, effect: NoSchedule }] }
---
apiVersion: v1
kind: Pod
metadata: { name: loader-1, namespace: etl, uid: uid-pod-loader-1 }
spec:
  containers: [{ name: loader, image: "registry.example.com/etl/loader:1.4.0" }]
status:
  phase: Pending
  conditions:
    - type: PodScheduled
      status: "False"
      reason: Unschedulable
      lastTransitionTime: "2024-05-14T09:00:00Z"
      message: "0/2 nodes are available: 2 node(s) had untolerated taint(s). preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
`);
  const [other] = runAnalyzer(podUnschedulable, anywhere, Date.parse(NOW));
  assert.deepEqual(other!.evidence.filter((e) => e.path?.startsWith("spec.taints")).map((e) => e.ref?.name), ["b-gpu-1", "c-batch-1"]);
});


it("pod-unschedulable: suggests uncordoning a cordoned node the pod selects, not any cordoned node", () => {
  // Two cordoned nodes; the pod's nodeSelector admits only node-b. Uncordoning node-a would not help it.
  const snapshot = snapshotFromYaml(`
apiVersion: v1
kind: Node
metadata: { name: node-a, labels: { pool: general } }
spec: { unschedulable: true }
---
apiVersion: v1
kind: Node
metadata: { name: node-b, labels: { pool: reports } }
spec: { unschedulable: true }
---
apiVersion: v1
kind: Pod
metadata: { name: report-0, namespace: bi, creationTimestamp: "2024-05-01T09:00:00Z" }
spec: { nodeSelector: { pool: reports }, containers: [{ name: r, image: r:1 }] }
status:
  phase: Pending
  conditions:
  - { type: PodScheduled, status: "False", reason: Unschedulable, lastTransitionTime: "2024-05-01T09:00:00Z",
      message: "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling." }
`);
  const [finding] = runAnalyzer(podUnschedulable, snapshot, Date.parse("2024-05-01T10:00:00Z"));
  assert.ok(finding);
  assert.ok(finding.remediation.some((r) => r.command === "kubectl uncordon node-b"), JSON.stringify(finding.remediation.map((r) => r.command)));
  assert.ok(!finding.remediation.some((r) => r.command === "kubectl uncordon node-a"));
});
