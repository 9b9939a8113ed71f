import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { helmReleaseUnhealthy } from "./helm-release-unhealthy.js";

const NOW = "2026-11-20T10:00:00Z";

testAnalyzer(
  helmReleaseUnhealthy,
  {
    quiet: [
      {
        name: "healthy upgrade; pending for 5 minutes only; a one-revision release; an upgrade that changed only a chart label",
        fixture: "quiet-releases-healthy-or-busy.yaml",
        now: NOW,
      },
    ],
    fires: [
      {
        name: "upgrade renamed the Service's targetPort to a name the pods lack (case 9)",
        fixture: "fires-upgrade-broke-service.yaml",
        expect: [
          {
            messageId: "upgradeBrokeResources",
            subject: "HelmRelease/shop/shop-web",
            severity: "error",
            // the changed field's new value, and the rollback target's status
            evidenceValues: ["web", "superseded"],
            affects: ["Service/shop/shop-web"],
          },
        ],
      },
      {
        name: "upgrade changed the image to a missing tag (pod ErrImagePull); upgrade changed the Service selector (selects nothing)",
        fixture: "fires-upgrade-broke-workload-and-selector.yaml",
        expect: [
          { messageId: "upgradeBrokeResources", subject: "HelmRelease/shop/api", evidenceValues: ["api:1.5-typo", "ErrImagePull"], affects: ["Pod/shop/api-new"] },
          { messageId: "upgradeBrokeResources", subject: "HelmRelease/shop/front", evidenceValues: ["frontend", { app: "frontend" }] },
        ],
      },
      {
        name: "pending-upgrade over the lock for 80 minutes; pending-install that never finished",
        fixture: "fires-pending-operations.yaml",
        now: NOW,
        expect: [
          { messageId: "operationPending", subject: "HelmRelease/payments/api", evidenceValues: ["pending-upgrade", "deployed"] },
          { messageId: "operationPending", subject: "HelmRelease/jobs/worker", evidenceValues: ["pending-install"] },
        ],
      },
      {
        name: "failed upgrade (pre-upgrade hook)",
        fixture: "fires-failed-upgrade.yaml",
        expect: [{ messageId: "releaseFailed", subject: "HelmRelease/infra/cache", evidenceValues: ["failed"] }],
      },
    ],
  },
  import.meta.url,
);

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

it("case 9: names the changed field with old and new value, and rolls back to revision 1", () => {
  const [f] = runAnalyzer(helmReleaseUnhealthy, loadFixture(fixture("fires-upgrade-broke-service.yaml")));
  assert.ok(f);
  const changed = f.evidence.find((e) => e.path === "spec.ports[name=http].targetPort");
  assert.deepEqual(changed?.ref, { kind: "Service", namespace: "shop", name: "shop-web" });
  assert.match(changed?.note ?? "", /was http in revision 1/);
  assert.equal(f.remediation[0]?.command, "helm rollback shop-web 1 -n shop");
  assert.match(f.rootCause, /Service shop-web spec\.ports\[name=http\]\.targetPort: http → web/);
  // The Deployment's image changed too, but its pods are ready: it is not blamed.
  assert.ok(!f.rootCause.includes("image"), f.rootCause);
});

it("pending: rollback to the last deployed revision (3, not the failed 2); pending-install: uninstall", () => {
  const findings = runAnalyzer(helmReleaseUnhealthy, loadFixture(fixture("fires-pending-operations.yaml")), Date.parse(NOW));
  const api = findings.find((f) => f.subject.name === "api");
  const worker = findings.find((f) => f.subject.name === "worker");
  assert.equal(api?.remediation[0]?.command, "helm rollback api 3 -n payments");
  assert.equal(api?.remediation[1]?.command, "kubectl delete secret/sh.helm.release.v1.api.v4 -n payments");
  assert.match(api?.rootCause ?? "", /another operation \(install\/upgrade\/rollback\) is in progress/);
  assert.equal(worker?.remediation[0]?.command, "helm uninstall worker -n jobs");
});

it("failed: rollback to revision 4, Helm's recorded error in the summary", () => {
  const [f] = runAnalyzer(helmReleaseUnhealthy, loadFixture(fixture("fires-failed-upgrade.yaml")));
  assert.equal(f?.remediation[0]?.command, "helm rollback cache 4 -n infra");
  assert.match(f?.summary ?? "", /BackoffLimitExceeded/);
});
