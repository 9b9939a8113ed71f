import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { snapshotFromYaml } from "../../../testing/load-fixture.js";
import { bindingServiceAccountMissing } from "./binding-service-account-missing.js";

/** A RoleBinding of edit to ServiceAccount batch/runner. */
const RUNNER_BINDING = `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: runner, namespace: batch }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }
subjects:
- { kind: ServiceAccount, name: runner, namespace: batch }
`;

testAnalyzer(
  bindingServiceAccountMissing,
  {
    quiet: [
      { name: "subjects exist; User/Group subjects; bootstrap bindings", fixture: "quiet-subjects-exist.yaml" },
      { name: "a namespace whose ServiceAccounts were not collected", fixture: "quiet-namespace-not-collected.yaml" },
    ],
    fires: [
      {
        name: "a typo, the wrong namespace, a deleted namespace",
        fixture: "fires-subject-missing.yaml",
        expect: [
          { messageId: "serviceAccountMissing", subject: "RoleBinding/reporting/report-reader", severity: "warning", evidenceValues: ["report-generater", "reporting/report-generator"] },
          { messageId: "serviceAccountMissing", subject: "ClusterRoleBinding/node-exporter", evidenceValues: ["node-exporter", "observability/node-exporter"] },
          { messageId: "serviceAccountMissing", subject: "ClusterRoleBinding/legacy-ci", evidenceValues: ["builder"] },
        ],
      },
      {
        // Bindings but no ServiceAccounts in the snapshot: say so once (info), do not guess.
        name: "ServiceAccounts not collected: cannot determine",
        yaml: RUNNER_BINDING,
        expect: [{ messageId: "cannotDetermine", subject: "RoleBinding/batch/runner", severity: "info", evidenceValues: ["not collected"] }],
      },
    ],
  },
  import.meta.url,
);

it("binding-service-account-missing: partial ServiceAccount coverage is 'cannot determine', not a finding per subject", () => {
  const base = snapshotFromYaml(`
apiVersion: v1
kind: ServiceAccount
metadata: { name: default, namespace: batch }
---
${RUNNER_BINDING}`);
  const coverage = { ...base.coverage, ServiceAccount: { count: 1, status: "partial" as const, note: "namespace batch forbidden" } };
  const findings = runAnalyzer(bindingServiceAccountMissing, { ...base, coverage });
  assert.deepEqual(findings.map((f) => f.code), ["binding-service-account-missing/cannotDetermine"]);
  assert.match(findings[0]!.rootCause, /partial \(namespace batch forbidden\)/);
});
