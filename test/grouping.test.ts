// Symptoms grouped under their cause across analyzers, with the real registry.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ANALYZERS } from "../src/analyzers/registry.js";
import { runAnalyzers } from "../src/run/run-analyzers.js";
import { loadFixture, snapshotFromYaml } from "../src/testing/load-fixture.js";

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

  // reports/reports runs as ServiceAccount reports with no binding: its app reads Secret reports-db at
  // start, the API server answers 403 (the text is responsewriters/errors.go forbiddenMessage as
  // client-go prints it), the app exits 1, and the kubelet backs off: CrashLoopBackOff. The refusal is
  // the cause, the crash loop its effect, both about Deployment reports/reports.
  const FORBIDDEN = 'Error: secrets "reports-db" is forbidden: User "system:serviceaccount:reports:reports" cannot get resource "secrets" in API group "" in the namespace "reports"';
  const crashing = (logText: string) => `
apiVersion: v1
kind: ServiceAccount
metadata: { name: reports, namespace: reports }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: unrelated, namespace: reports }
rules: [{ apiGroups: [""], resources: [configmaps], verbs: [get] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: reports, namespace: reports, uid: d1 }
spec: { replicas: 1, selector: { matchLabels: { app: reports } }, template: { metadata: { labels: { app: reports } }, spec: { serviceAccountName: reports, containers: [{ name: app, image: "registry.example.com/reports:1" }] } } }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: reports-5d8f, namespace: reports, uid: r1, ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: reports, uid: d1, controller: true }] }
spec: { replicas: 1, selector: { matchLabels: { app: reports } } }
---
apiVersion: v1
kind: Pod
metadata: { name: reports-5d8f-abcde, namespace: reports, uid: p1, labels: { app: reports }, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: reports-5d8f, uid: r1, controller: true }] }
spec: { serviceAccountName: reports, nodeName: n1, containers: [{ name: app, image: "registry.example.com/reports:1" }] }
status:
  phase: Running
  conditions: [{ type: Ready, status: "False" }]
  containerStatuses:
  - name: app
    ready: false
    restartCount: 6
    state: { waiting: { reason: CrashLoopBackOff, message: "back-off 2m40s restarting failed container=app" } }
    lastState: { terminated: { exitCode: 1, reason: Error, finishedAt: "2024-05-01T09:58:00Z" } }
---
kind: PodLog
namespace: reports
pod: reports-5d8f-abcde
container: app
previous: true
text: ${JSON.stringify(logText)}
`;

  it("an application crash loop caused by the API server's refusal in the same pod's log is told once, under the refusal", () => {
    const { report } = runAnalyzers(snapshotFromYaml(crashing(`starting\n${FORBIDDEN}\n`)), ANALYZERS, { now: Date.parse("2024-05-01T10:00:00Z") });
    const codes = report.findings.map((f) => f.code.split("/")[0]);
    assert.ok(!codes.includes("pod-crash-looping"), `not a top-level finding: ${codes.join(", ")}`);
    const cause = report.findings.find((f) => f.code.startsWith("pod-api-forbidden/"));
    assert.ok(cause, codes.join(", "));
    assert.deepEqual(cause.subject, { kind: "Deployment", namespace: "reports", name: "reports" });
    assert.deepEqual(cause.related?.map((r) => r.code), ["pod-crash-looping/crashLoop"]);
    // The crash loop's own evidence is kept on the cause: the container's restarts and waiting reason.
    assert.ok(cause.evidence.some((e) => e.path === "status.containerStatuses[0].restartCount" && e.value === 6), JSON.stringify(cause.evidence.map((e) => e.path)));
    assert.ok(cause.evidence.some((e) => e.path === "status.containerStatuses[0].state.waiting.reason" && e.value === "CrashLoopBackOff"));
  });

  it("the same crash loop without the refusal in its log stands alone", () => {
    const { report } = runAnalyzers(snapshotFromYaml(crashing("starting\npanic: nil map\n")), ANALYZERS, { now: Date.parse("2024-05-01T10:00:00Z") });
    assert.deepEqual(report.findings.filter((f) => f.subject.name === "reports").map((f) => f.code), ["pod-crash-looping/crashLoop"]);
  });
});
