// The example cluster (examples/shop-cluster) must show each problem planted in it, and nothing else.
// The expectations come from what examples/shop-cluster/generate.ts planted (see its README), not
// from the engine's output: each one says which object is broken and which analyzer must say so.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ANALYZERS } from "../src/analyzers/registry.js";
import type { Finding } from "../src/model/finding.js";
import type { ObjectRef } from "../src/model/ref.js";
import type { Report } from "../src/model/finding.js";
import { runAnalyzers } from "../src/run/run-analyzers.js";
import { loadSnapshot } from "../src/sources/snapshot/load-snapshot.js";

const EXAMPLE = fileURLToPath(new URL("../examples/shop-cluster", import.meta.url));

const ref = (text: string): ObjectRef => {
  const [kind, namespace, name] = text.split("/") as [string, string, string];
  return namespace ? { kind, namespace, name } : { kind, name };
};
const show = (r: ObjectRef): string => `${r.kind}/${r.namespace ?? ""}/${r.name}`;

interface Expectation {
  problem: string;
  analyzer: string;
  /** Acceptable subjects: a pod-level problem may be reported on the pod or on its workload. */
  subjects: string[];
  why: string;
  /** The finding may be grouped under another finding as `related` (symptom analyzers). */
  mayBeRelated?: boolean;
}

const EXPECTED: Expectation[] = [
  {
    problem: "(a) checkout OOMKilled",
    analyzer: "pod-crash-looping",
    subjects: ["Deployment/shop/checkout", "ReplicaSet/shop/checkout-54856cff48", "Pod/shop/checkout-54856cff48-5pbj2", "Pod/shop/checkout-54856cff48-xsxlt"],
    why: "both checkout pods are in CrashLoopBackOff with lastState terminated OOMKilled (exit 137) at a 128Mi limit, restartCount 11-12",
  },
  {
    problem: "(a) checkout Service has no ready endpoints",
    analyzer: "service-endpoints-not-ready",
    subjects: ["Service/shop/checkout"],
    why: "the Service selects the two crash-looping pods; both sit under notReadyAddresses and ready=false in the EndpointSlice",
    mayBeRelated: true,
  },
  {
    problem: "(b) storefront image tag does not exist",
    analyzer: "pod-image-pull-failing",
    subjects: ["Deployment/shop/storefront", "ReplicaSet/shop/storefront-6bf445db6c", "Pod/shop/storefront-6bf445db6c-txnjv"],
    why: "the revision-8 pod waits in ImagePullBackOff; kubelet events say NotFound ... storefront:4.13.0: not found",
  },
  {
    problem: "(b) storefront rollout stuck",
    analyzer: "workload-rollout-stuck",
    subjects: ["Deployment/shop/storefront"],
    why: "the Deployment has Progressing=False ProgressDeadlineExceeded since 09:15:31 because the new ReplicaSet's pod never became ready",
    mayBeRelated: true,
  },
  {
    problem: "(c) payments-api selector typo",
    analyzer: "service-selects-no-pods",
    subjects: ["Service/payments/payments-api"],
    why: "the selector asks for app.kubernetes.io/name=payment-api; the two running pods are labelled payments-api; Endpoints has no subsets",
  },
  {
    problem: "(d) PVC for a StorageClass that does not exist",
    analyzer: "pvc-pending",
    subjects: ["PersistentVolumeClaim/shop/media-uploads"],
    why: 'the claim is Pending with storageClassName fast-ssd, no such StorageClass exists, and the PV controller reports ProvisioningFailed: storageclass.storage.k8s.io "fast-ssd" not found (x633)',
  },
  {
    problem: "(e) recommender cannot be scheduled",
    analyzer: "pod-unschedulable",
    subjects: ["Deployment/shop/recommender", "ReplicaSet/shop/recommender-5f94849974", "Pod/shop/recommender-5f94849974-j2jzb"],
    why: "the pod requests 14Gi of memory; PodScheduled=False Unschedulable: control-plane taint on 1 node, disk-pressure taint on 1, Insufficient memory on 3",
  },
  {
    problem: "(f) worker-3 under disk pressure, pod evicted",
    analyzer: "node-pressure",
    subjects: ["Node//shop-prod-worker-3"],
    why: "DiskPressure=True since 09:26:40, the disk-pressure NoSchedule taint, EvictionThresholdMet events, and catalog-6f5d85d87f-r9bzf Failed/Evicted for ephemeral-storage",
  },
  {
    problem: "(g) Ingress backend port name missing",
    analyzer: "ingress-backend-missing",
    subjects: ["Ingress/shop/storefront"],
    why: "the /api path routes to Service api-gateway port name https; api-gateway has only a port named http",
  },
];

/**
 * Everything a finding may legitimately be about: the objects of the planted problems and their direct
 * consequences (a Service over unready pods, the rollout of a Deployment whose pods cannot start).
 * A finding at warning or above about anything else is a false positive on a healthy object.
 */
const PLANTED_OBJECTS = new Set(
  [
    "Deployment/shop/checkout", "ReplicaSet/shop/checkout-54856cff48", "Pod/shop/checkout-54856cff48-5pbj2", "Pod/shop/checkout-54856cff48-xsxlt", "Service/shop/checkout",
    "Deployment/shop/storefront", "ReplicaSet/shop/storefront-6bf445db6c", "Pod/shop/storefront-6bf445db6c-txnjv",
    "Service/payments/payments-api",
    // (d) the claim, and the Deployment/pod/Service that wait for it
    "PersistentVolumeClaim/shop/media-uploads", "Deployment/shop/media", "ReplicaSet/shop/media-85fd84f9b", "Pod/shop/media-85fd84f9b-l2kwd", "Service/shop/media",
    // (e) the pod, its workload (progress deadline exceeded), its Service without ready endpoints
    "Deployment/shop/recommender", "ReplicaSet/shop/recommender-5f94849974", "Pod/shop/recommender-5f94849974-j2jzb", "Service/shop/recommender",
    // (f) the node and the evicted pod (reported on its own or on its workload)
    "Node//shop-prod-worker-3", "Pod/shop/catalog-6f5d85d87f-r9bzf", "Deployment/shop/catalog", "ReplicaSet/shop/catalog-6f5d85d87f",
    "Ingress/shop/storefront", "Service/shop/api-gateway",
  ],
);

function everyFinding(report: Report): { code: string; analyzer: string; subject: ObjectRef; severity?: string; under?: string }[] {
  const out: { code: string; analyzer: string; subject: ObjectRef; severity?: string; under?: string }[] = [];
  for (const f of report.findings) {
    out.push({ code: f.code, analyzer: f.analyzer, subject: f.subject, severity: f.severity });
    for (const r of f.related ?? []) out.push({ code: r.code, analyzer: r.code.split("/")[0]!, subject: r.subject, under: f.code });
  }
  return out;
}

function listing(findings: readonly Finding[]): string {
  return findings.map((f) => `  ${f.severity} ${f.code} ${show(f.subject)}${(f.related ?? []).map((r) => `\n    related ${r.code} ${show(r.subject)}`).join("")}`).join("\n");
}

describe("examples/shop-cluster", () => {
  let report: Report;
  before(async () => {
    const snapshot = await loadSnapshot([EXAMPLE]);
    report = runAnalyzers(snapshot, ANALYZERS).report;
  });

  for (const e of EXPECTED) {
    test(`${e.problem}: ${e.analyzer} on ${e.subjects[0]}`, () => {
      assert.ok(
        ANALYZERS.some((a) => a.id === e.analyzer),
        `analyzer ${e.analyzer} is not registered in src/analyzers/registry.ts, so nothing reports: ${e.why}`,
      );
      const accepted = new Set(e.subjects.map((s) => show(ref(s))));
      const hits = everyFinding(report).filter((f) => f.analyzer === e.analyzer && accepted.has(show(f.subject)));
      assert.ok(hits.length > 0, `expected ${e.analyzer} on one of ${e.subjects.join(", ")} because ${e.why}; findings:\n${listing(report.findings)}`);
      if (!e.mayBeRelated) assert.ok(hits.some((h) => !h.under), `${e.analyzer} is a cause and must be reported at top level, not grouped: ${JSON.stringify(hits)}`);
    });
  }

  test("seven problems, seven top-level errors: every symptom is grouped under its planted cause (README table a-g)", () => {
    const errors = report.findings.filter((f) => f.severity === "error" || f.severity === "critical");
    assert.equal(errors.length, 7, `top-level findings at error or above:\n${listing(errors)}`);
  });

  test("nothing else in the cluster is reported at warning or above", () => {
    const strays = report.findings.filter((f) => f.severity !== "info" && !PLANTED_OBJECTS.has(show(f.subject)));
    assert.equal(strays.length, 0, `findings about objects that are healthy in this cluster:\n${listing(strays)}`);
  });
});
