import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { snapshotFromYaml } from "../../../testing/load-fixture.js";
import { componentLeaseStale } from "./component-lease-stale.js";

const NOW = "2024-05-14T10:00:00Z";

// kube-scheduler's Lease last renewed 09:58:00, 120 s before NOW: stale (> 15 s). The control-plane document
// records what --component-endpoint read of kube-scheduler's /healthz?verbose (k8s.io/apiserver healthz format).
const STALE_SCHEDULER = 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: { name: kube-scheduler, namespace: kube-system }\nspec: { holderIdentity: "cp-1_5c8e2f", leaseDurationSeconds: 15, renewTime: "2024-05-14T09:58:00Z" }\n';
const SCHEDULER_URL = "https://10.0.0.10:10259";
const HEALTHZ_DOWN = `---\nkind: KubesleuthControlPlane\nhealth: []\ncomponents:\n- { name: kube-scheduler, url: "${SCHEDULER_URL}", ok: false, checks: [], certificateVerified: false, error: "connect ECONNREFUSED 10.0.0.10:10259" }\n`;
const HEALTHZ_OK = `---\nkind: KubesleuthControlPlane\nhealth: []\ncomponents:\n- name: kube-scheduler\n  url: "${SCHEDULER_URL}"\n  status: 200\n  ok: true\n  certificateVerified: false\n  checks: [{ name: ping, ok: true, line: "[+]ping ok" }, { name: leaderElection, ok: true, line: "[+]leaderElection ok" }]\n`;

testAnalyzer(
  componentLeaseStale,
  {
    quiet: [{ name: "renewed within the lease duration", fixture: "quiet-renewing.yaml", now: NOW }],
    fires: [
      {
        // renewTime 09:58:00, now 10:00:00: 120 s > 15 s. Two default-scheduler pods never tried; volcano's pod not counted.
        name: "scheduler stopped, pods never scheduled",
        fixture: "fires-scheduler-down.yaml",
        now: NOW,
        expect: [
          {
            messageId: "schedulerDown",
            subject: "Lease/kube-system/kube-scheduler",
            evidenceValues: ["2024-05-14T09:58:00.000000Z", 15, "cp-1_5c8e2f"],
            affects: ["Pod/shop/web-7d4-abcde", "Pod/shop/web-7d4-fghij"],
          },
        ],
      },
      {
        // holderIdentity "" (client-go's release on shutdown): no leader even though renewTime is recent.
        name: "controller manager released its lease, a Deployment's generation not observed",
        fixture: "fires-controller-manager-released.yaml",
        now: NOW,
        expect: [{ messageId: "controllerManagerDown", subject: "Lease/kube-system/kube-controller-manager", evidenceValues: ["", 3], affects: ["Deployment/shop/api"] }],
      },
      {
        name: "cloud-controller-manager stale",
        yaml: 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: { name: cloud-controller-manager, namespace: kube-system }\nspec: { holderIdentity: "cp-2", leaseDurationSeconds: 15, renewTime: "2024-05-14T09:00:00Z" }\n',
        now: NOW,
        expect: [{ messageId: "leaseStale", subject: "Lease/kube-system/cloud-controller-manager", evidenceValues: ["2024-05-14T09:00:00Z"] }],
      },
      {
        name: "stale scheduler Lease, its /healthz does not answer",
        yaml: STALE_SCHEDULER + HEALTHZ_DOWN,
        now: NOW,
        expect: [{ messageId: "schedulerDown", subject: "Lease/kube-system/kube-scheduler", evidenceValues: ["2024-05-14T09:58:00Z", "connect ECONNREFUSED 10.0.0.10:10259"] }],
      },
      {
        name: "stale scheduler Lease, its /healthz answers ok",
        yaml: STALE_SCHEDULER + HEALTHZ_OK,
        now: NOW,
        expect: [{ messageId: "schedulerDown", subject: "Lease/kube-system/kube-scheduler", evidenceValues: ["2024-05-14T09:58:00Z", 200] }],
      },
      {
        name: "stale scheduler Lease, no --component-endpoint",
        yaml: STALE_SCHEDULER,
        now: NOW,
        expect: [{ messageId: "schedulerDown", subject: "Lease/kube-system/kube-scheduler", evidenceValues: ["2024-05-14T09:58:00Z"] }],
      },
    ],
  },
  import.meta.url,
);

describe("component-lease-stale with the component's /healthz", () => {
  const rootCauseOf = (yaml: string): { rootCause: string; healthz: unknown[] } => {
    const findings = runAnalyzer(componentLeaseStale, snapshotFromYaml(yaml), Date.parse(NOW));
    assert.equal(findings.length, 1);
    return { rootCause: findings[0]!.rootCause, healthz: findings[0]!.evidence.filter((e) => e.path === "/healthz?verbose") };
  };

  it("no answer: the component is down (or unreachable from here), and the certificate was not verified", () => {
    const { rootCause, healthz } = rootCauseOf(STALE_SCHEDULER + HEALTHZ_DOWN);
    assert.ok(rootCause.includes(`Its /healthz at ${SCHEDULER_URL} did not answer (connect ECONNREFUSED 10.0.0.10:10259): the component is down, or its port is not reachable from where kubesleuth ran.`), rootCause);
    assert.deepEqual(healthz, [{ path: "/healthz?verbose", value: "connect ECONNREFUSED 10.0.0.10:10259", note: `${SCHEDULER_URL}; serving certificate not verified` }]);
  });

  it("ok: the component runs but cannot renew its Lease, i.e. cannot reach the API server", () => {
    const { rootCause, healthz } = rootCauseOf(STALE_SCHEDULER + HEALTHZ_OK);
    assert.ok(rootCause.includes(`Its /healthz at ${SCHEDULER_URL} answered ok: the component runs but cannot renew its Lease, i.e. it cannot reach the API server.`), rootCause);
    assert.equal(healthz.length, 1);
  });

  it("no endpoint given: the root cause is the Lease's alone", () => {
    const { rootCause, healthz } = rootCauseOf(STALE_SCHEDULER);
    assert.ok(!rootCause.includes("/healthz"), rootCause);
    assert.ok(rootCause.includes("(it is down or cannot reach the API server). 0 Pending pods"), rootCause);
    assert.deepEqual(healthz, []);
  });
});
