import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { rbacGrantDangerous } from "./rbac-grant-dangerous.js";

testAnalyzer(
  rbacGrantDangerous,
  {
    quiet: [{ name: "bootstrap and kube-system grants, namespace admin for people, scoped Secrets, view", fixture: "quiet-system-and-scoped.yaml" }],
    fires: [
      {
        // RBAC semantics (rules.go VerbMatches/ResourceMatches): "*" matches everything; pods/exec is its own
        // resource; a RoleBinding to an aggregated ClusterRole grants the component rules in its namespace.
        name: "cluster-admin to a ServiceAccount, Secrets to system:authenticated, wildcards + impersonate, exec via aggregation, nodes/proxy",
        fixture: "fires-dangerous-grants.yaml",
        expect: [
          { messageId: "clusterAdmin", subject: "ClusterRoleBinding/ci-deployer-admin", severity: "warning", evidenceValues: [{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }, "* */*"] },
          { messageId: "secretsClusterWide", subject: "ClusterRoleBinding/everyone-reads-secrets", evidenceValues: ["get secrets", "list secrets"] },
          { messageId: "wildcard", subject: "ClusterRoleBinding/operator", evidenceValues: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }] },
          { messageId: "escalation", subject: "ClusterRoleBinding/operator", evidenceValues: ["impersonate users"] },
          { messageId: "podExec", subject: "RoleBinding/dev/ci-debugger", evidenceValues: ["create pods/exec"] },
          { messageId: "nodeProxy", subject: "ClusterRoleBinding/prometheus-kubelet", evidenceValues: ["get nodes/proxy"] },
        ],
      },
    ],
  },
  import.meta.url,
);

it("rbac-grant-dangerous: a broad group is named as such; cluster-admin is one finding, not one per power", () => {
  const findings = runAnalyzer(rbacGrantDangerous, loadFixture(new URL("./fixtures/fires-dangerous-grants.yaml", import.meta.url)));
  const everyone = findings.find((f) => f.subject.name === "everyone-reads-secrets")!;
  assert.match(everyone.rootCause, /every authenticated user/);
  assert.deepEqual(findings.filter((f) => f.subject.name === "ci-deployer-admin").map((f) => f.code), ["rbac-grant-dangerous/clusterAdmin"]);
  const exec = findings.find((f) => f.code === "rbac-grant-dangerous/podExec")!;
  assert.ok(exec.evidence.some((e) => e.note === "allowed by the RBAC engine (aggregated from debugger-exec)"));
});
