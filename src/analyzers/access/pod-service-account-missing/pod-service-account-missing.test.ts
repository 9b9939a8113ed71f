import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { podServiceAccountMissing } from "./pod-service-account-missing.js";

testAnalyzer(
  podServiceAccountMissing,
  {
    quiet: [
      // Also: Pods and templates but no ServiceAccounts at all would be "not collected" (see below).
      { name: "ServiceAccounts exist, the default one, a finished Job, an uncollected namespace", fixture: "quiet-service-accounts-exist.yaml" },
      {
        name: "ServiceAccounts not collected at all",
        yaml: `
apiVersion: v1
kind: Pod
metadata: { name: web-0, namespace: shop }
spec:
  serviceAccountName: web
  containers: [{ name: web, image: "nginx:1.27" }]
status: { phase: Running }
`,
      },
    ],
    fires: [
      {
        // The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount) refuses pods naming
        // a missing ServiceAccount; the ReplicaSet controller records the refusal as FailedCreate.
        name: "a Deployment (FailedCreate events), a bare pod, a CronJob",
        fixture: "fires-service-account-missing.yaml",
        expect: [
          {
            messageId: "workloadServiceAccountMissing",
            subject: "Deployment/shop/api",
            severity: "error",
            evidenceValues: ["api-sa", 'Error creating: pods "api-6d4b9c7f8-" is forbidden: error looking up service account shop/api-sa: serviceaccount "api-sa" not found'],
          },
          { messageId: "workloadServiceAccountMissing", subject: "CronJob/shop/nightly-report", severity: "error", evidenceValues: ["reporter"] },
          { messageId: "podServiceAccountMissing", subject: "Pod/shop/debug-shell", severity: "warning", evidenceValues: ["debugger"] },
        ],
      },
    ],
  },
  import.meta.url,
);

it("pod-service-account-missing: the near name is offered as a template patch", () => {
  const findings = runAnalyzer(podServiceAccountMissing, loadFixture(new URL("./fixtures/fires-service-account-missing.yaml", import.meta.url)));
  const api = findings.find((f) => f.subject.name === "api")!;
  assert.match(api.rootCause, /similar name: api\./);
  assert.equal(api.remediation[0]!.command, `kubectl patch deployment/api -n shop --type merge -p '{"spec":{"template":{"spec":{"serviceAccountName":"api"}}}}'`);
  assert.equal(api.remediation[1]!.command, "kubectl create serviceaccount api-sa -n shop");
});
