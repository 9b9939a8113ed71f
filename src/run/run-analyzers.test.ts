// Orchestration: grouping symptoms under causes, suppressions, sorting, summary, reference time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defineAnalyzer } from "../analyzers/define.js";
import { snapshotFromYaml } from "../testing/load-fixture.js";
import { runAnalyzers } from "./run-analyzers.js";

// Two pods of one Deployment, a Service selecting them, a PVC, and a pod of another workload.
const CLUSTER = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: a, uid: d1 }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: web-1, namespace: a, uid: r1, ownerReferences: [{ apiVersion: apps/v1, kind: Deployment, name: web, uid: d1, controller: true }] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1-x, namespace: a, uid: p1, labels: { app: web }, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: r1, controller: true }], creationTimestamp: "2026-01-01T00:00:00Z" }
spec: { containers: [{ name: c }] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1-y, namespace: a, uid: p2, labels: { app: web }, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-1, uid: r1, controller: true }] }
spec: { containers: [{ name: c }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: a }
spec: { selector: { app: web } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: a }
---
apiVersion: v1
kind: Pod
metadata: { name: db-0, namespace: a, uid: p3 }
spec: { containers: [{ name: c }], volumes: [{ name: d, persistentVolumeClaim: { claimName: data } }] }
`;

// Test analyzers with fixed behaviour, so the assertions are about the orchestration alone.
const podCause = defineAnalyzer({
  id: "web-broken",
  title: "t",
  area: "workload",
  severity: "error",
  needs: ["Pod"],
  messages: { broken: { summary: "web is broken", rootCause: "r", remediation: "x" } },
  run({ report }) {
    report("broken", {
      subject: { kind: "Deployment", namespace: "a", name: "web" },
      evidence: [{ note: "n" }],
      affected: [{ kind: "Pod", namespace: "a", name: "web-1-x" }, { kind: "Pod", namespace: "a", name: "web-1-y" }],
    });
  },
});
const serviceSymptom = defineAnalyzer({
  id: "svc-empty",
  title: "t",
  area: "network",
  severity: "error",
  role: "symptom",
  needs: ["Service"],
  messages: { empty: { summary: "svc has no ready endpoints", rootCause: "r", remediation: "x" } },
  run({ report }) {
    report("empty", {
      subject: { kind: "Service", namespace: "a", name: "web" },
      evidence: [{ note: "n" }],
      affected: [{ kind: "Pod", namespace: "a", name: "web-1-x" }, { kind: "Pod", namespace: "a", name: "web-1-y" }],
    });
  },
});
const claimCause = defineAnalyzer({
  id: "claim-pending",
  title: "t",
  area: "storage",
  severity: "error",
  needs: ["PersistentVolumeClaim"],
  messages: { pending: { summary: "claim pending", rootCause: "r", remediation: "x" } },
  run({ report }) {
    report("pending", { subject: { kind: "PersistentVolumeClaim", namespace: "a", name: "data" }, evidence: [{ note: "n" }] });
  },
});
const podWaitsForClaim = defineAnalyzer({
  id: "pod-pending",
  title: "t",
  area: "scheduling",
  severity: "warning",
  needs: ["Pod"],
  messages: { pending: { summary: "db-0 pending {{why}}", rootCause: "r", remediation: "x" } },
  run({ report }) {
    report("pending", {
      subject: { kind: "Pod", namespace: "a", name: "db-0" },
      data: { why: "on its claim" },
      evidence: [{ note: "n" }],
      causedBy: [{ kind: "PersistentVolumeClaim", namespace: "a", name: "data" }],
    });
  },
});

/** An application crash loop of web's pods (affected: the pods given), or another crash kind that a log line does not explain. */
const crashOf = (pods: string[], explainable: boolean) =>
  defineAnalyzer({
    id: "crash",
    title: "t",
    area: "workload",
    severity: "error",
    needs: ["Pod"],
    messages: { crashLoop: { summary: "web crash loops", rootCause: "r", remediation: "x" } },
    run({ report }) {
      report("crashLoop", {
        subject: { kind: "Deployment", namespace: "a", name: "web" },
        evidence: [{ ref: { kind: "Pod", namespace: "a", name: pods[0]! }, path: "status.containerStatuses[0].restartCount", value: 7 }],
        affected: pods.map((name) => ({ kind: "Pod", namespace: "a", name })),
        ...(explainable ? { explainedByPodLogs: true } : {}),
      });
    },
  });
/** A refusal read in the logs of the pods given, about web (warning, to show the severity is kept). */
const refusalIn = (pods: string[], subject = "web") =>
  defineAnalyzer({
    id: "refused",
    title: "t",
    area: "access",
    severity: "warning",
    needs: ["Pod"],
    messages: { forbidden: { summary: "web is refused", rootCause: "r", remediation: "x" } },
    run({ report }) {
      report("forbidden", {
        subject: { kind: "Deployment", namespace: "a", name: subject },
        evidence: pods.map((name) => ({ ref: { kind: "Pod", namespace: "a", name }, path: "log", value: "forbidden" })),
        affected: pods.map((name) => ({ kind: "Pod", namespace: "a", name })),
        explains: pods.map((name) => ({ kind: "Pod", namespace: "a", name })),
      });
    },
  });

/** Another workload's caller finding that names the Service web as its cause (its own pods in impact). */
const callerOfService = defineAnalyzer({
  id: "caller",
  title: "t",
  area: "network",
  severity: "error",
  needs: ["Pod"],
  messages: { noEndpoints: { summary: "api calls web, which has no endpoints", rootCause: "r", remediation: "x" } },
  run({ report }) {
    report("noEndpoints", {
      subject: { kind: "Deployment", namespace: "a", name: "api" },
      evidence: [{ note: "n" }],
      affected: [{ kind: "Pod", namespace: "a", name: "api-1-z" }],
      causedBy: [{ kind: "Service", namespace: "a", name: "web" }],
    });
  },
});

describe("runAnalyzers", () => {
  const snapshot = snapshotFromYaml(CLUSTER);

  it("groups a symptom whose pods one cause explains under that cause", () => {
    const { report } = runAnalyzers(snapshot, [podCause, serviceSymptom]);
    assert.deepEqual(report.findings.map((f) => f.code), ["web-broken/broken"]);
    assert.deepEqual(report.findings[0]!.related, [{ code: "svc-empty/empty", subject: { kind: "Service", namespace: "a", name: "web" }, summary: "svc has no ready endpoints" }]);
    assert.equal(report.summary.error, 1);
  });

  it("groups a symptom by its own pods even after a declared-cause finding was grouped under it, and carries that finding along", () => {
    // caller -> Service web (declared), and Service web's own pods are web's crash: the chain ends at web-broken.
    // The caller's pod (api-1-z) joins the Service finding's impact, but must not stop the Service from
    // grouping under the cause of its own pods; the caller's entry moves with it (related is one level deep).
    const { report } = runAnalyzers(snapshot, [podCause, serviceSymptom, callerOfService]);
    assert.deepEqual(report.findings.map((f) => f.code), ["web-broken/broken"]);
    assert.deepEqual(
      report.findings[0]!.related?.map((r) => r.code).sort(),
      ["caller/noEndpoints", "svc-empty/empty"],
    );
  });

  it("keeps a symptom alone when no cause explains all its pods", () => {
    const { report } = runAnalyzers(snapshot, [serviceSymptom]);
    assert.deepEqual(report.findings.map((f) => f.code), ["svc-empty/empty"]);
  });

  it("groups a finding under the finding about the object it names in causedBy", () => {
    const { report } = runAnalyzers(snapshot, [claimCause, podWaitsForClaim]);
    assert.deepEqual(report.findings.map((f) => f.code), ["claim-pending/pending"]);
    assert.equal(report.findings[0]!.related?.[0]?.summary, "db-0 pending on its claim");
    // The claim's impact is computed from the graph: the pod that mounts it.
    assert.deepEqual(report.findings[0]!.impact.direct, [{ kind: "Pod", namespace: "a", name: "db-0" }]);
  });

  it("groups an application crash loop under the finding that read its cause in every crashing pod's log", () => {
    const { report } = runAnalyzers(snapshot, [crashOf(["web-1-x", "web-1-y"], true), refusalIn(["web-1-x", "web-1-y"])]);
    assert.deepEqual(report.findings.map((f) => f.code), ["refused/forbidden"]);
    const cause = report.findings[0]!;
    assert.deepEqual(cause.related, [{ code: "crash/crashLoop", subject: { kind: "Deployment", namespace: "a", name: "web" }, summary: "web crash loops" }]);
    // Nothing of the crash loop is lost: its evidence joins the cause's, and its error severity is kept.
    assert.ok(cause.evidence.some((e) => e.path === "status.containerStatuses[0].restartCount" && e.value === 7));
    assert.equal(cause.severity, "error");
    assert.deepEqual(report.summary, { critical: 0, error: 1, warning: 0, info: 0 });
  });

  it("keeps the crash loop apart when a crashing pod's log was not read, the subject differs, or the crash is not an application error", () => {
    const codes = (analyzers: Parameters<typeof runAnalyzers>[1]) => runAnalyzers(snapshot, analyzers).report.findings.map((f) => f.code).sort();
    assert.deepEqual(codes([crashOf(["web-1-x", "web-1-y"], true), refusalIn(["web-1-x"])]), ["crash/crashLoop", "refused/forbidden"], "web-1-y's crash is not explained");
    assert.deepEqual(codes([crashOf(["web-1-x"], true), refusalIn(["web-1-x"], "other")]), ["crash/crashLoop", "refused/forbidden"], "another workload");
    assert.deepEqual(codes([crashOf(["web-1-x"], false), refusalIn(["web-1-x"])]), ["crash/crashLoop", "refused/forbidden"], "e.g. an OOM kill");
  });

  it("computes impact from the graph: workload pods direct, Services selecting them indirect", () => {
    const { report } = runAnalyzers(snapshot, [podCause]);
    const f = report.findings[0]!;
    assert.deepEqual(f.impact.direct.map((r) => r.name), ["web-1-x", "web-1-y"]);
    assert.deepEqual(f.impact.indirect, [{ kind: "Service", namespace: "a", name: "web" }]);
  });

  it("suppresses by code and namespace, re-rates by severity, filters with only/skip", () => {
    const all = [podCause, claimCause];
    assert.deepEqual(runAnalyzers(snapshot, all, { suppressions: [{ code: "web-broken/broken", namespace: "a" }] }).report.findings.map((f) => f.code), ["claim-pending/pending"]);
    assert.equal(runAnalyzers(snapshot, all, { suppressions: [{ code: "web-broken/broken", namespace: "b" }] }).report.findings.length, 2);
    const rerated = runAnalyzers(snapshot, all, { suppressions: [{ code: "claim-*", severity: "info" }] }).report;
    assert.deepEqual(rerated.summary, { critical: 0, error: 1, warning: 0, info: 1 });
    assert.deepEqual(runAnalyzers(snapshot, all, { skip: ["web-broken"] }).report.findings.map((f) => f.code), ["claim-pending/pending"]);
    assert.deepEqual(runAnalyzers(snapshot, all, { only: ["web-broken/broken"] }).report.findings.map((f) => f.code), ["web-broken/broken"]);
  });

  it("sorts by severity, then area, code, subject", () => {
    const { report } = runAnalyzers(snapshot, [podWaitsForClaim, claimCause, podCause], { suppressions: [{ code: "claim-pending", severity: "warning" }] });
    // claim-pending re-rated to warning; pod-pending grouped under it; web-broken (error) first.
    assert.deepEqual(report.findings.map((f) => `${f.severity} ${f.code}`), ["error web-broken/broken", "warning claim-pending/pending"]);
  });

  it("takes 'now' from the newest timestamp when the snapshot has no capture time", () => {
    const { report } = runAnalyzers(snapshot, []);
    assert.equal(report.source.now, "2026-01-01T00:00:00.000Z");
    assert.equal(runAnalyzers(snapshot, [], { now: Date.parse("2026-02-02T00:00:00Z") }).report.source.now, "2026-02-02T00:00:00.000Z");
  });

  it("rejects a message id the analyzer does not declare", () => {
    const bad = defineAnalyzer({ ...claimCause, id: "bad", run: ({ report }) => report("nope", { subject: { kind: "Pod", name: "x" }, evidence: [] }) });
    assert.throws(() => runAnalyzers(snapshot, [bad]), /unknown message id "nope"/);
  });
});
