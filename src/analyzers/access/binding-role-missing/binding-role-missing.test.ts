import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { bindingRoleMissing } from "./binding-role-missing.js";

testAnalyzer(
  bindingRoleMissing,
  {
    quiet: [
      { name: "every roleRef resolves (Role, ClusterRole from a RoleBinding, bootstrap binding)", fixture: "quiet-roles-exist.yaml" },
      { name: "Roles not in the snapshot: absent and not loaded look the same", fixture: "quiet-roles-not-loaded.yaml" },
    ],
    fires: [
      {
        // The authorizer's resolution error (rule.go GetRoleReferenceRules) is the evidence note.
        name: "a Role name typo, a never-created ClusterRole, a RoleBinding to a missing ClusterRole",
        fixture: "fires-missing-roles.yaml",
        expect: [
          {
            messageId: "roleMissing",
            subject: "RoleBinding/ci/deployer",
            severity: "error",
            evidenceValues: [{ kind: "Role", name: "deployment-editor" }, "deployments-editor"],
            affects: ["Pod/ci/deploy-job-7x2kq"],
          },
          { messageId: "roleMissing", subject: "ClusterRoleBinding/metrics-readers", evidenceValues: [{ kind: "ClusterRole", name: "metrics-reader" }] },
          { messageId: "roleMissing", subject: "RoleBinding/ci/auditors", evidenceValues: [{ kind: "ClusterRole", name: "audit-viewer" }] },
        ],
      },
    ],
  },
  import.meta.url,
);

it("binding-role-missing: the near name is offered, and the binding is recreated (roleRef is immutable)", () => {
  const findings = runAnalyzer(bindingRoleMissing, loadFixture(new URL("./fixtures/fires-missing-roles.yaml", import.meta.url)));
  const deployer = findings.find((f) => f.subject.name === "deployer")!;
  assert.match(deployer.rootCause, /role\.rbac\.authorization\.k8s\.io "deployment-editor" not found/);
  assert.match(deployer.rootCause, /similar name: deployments-editor/);
  assert.equal(
    deployer.remediation[0]!.command,
    "kubectl delete rolebinding deployer -n ci && kubectl create rolebinding deployer -n ci --role=deployments-editor --serviceaccount=ci:deployer",
  );
  assert.equal(deployer.remediation[0]!.verify, "kubectl auth can-i --list -n ci --as=system:serviceaccount:ci:deployer");
  // "view" is not near "metrics-reader": no guess, only "create the role".
  const metrics = findings.find((f) => f.subject.name === "metrics-readers")!;
  assert.equal(metrics.remediation.length, 1);
  assert.match(metrics.remediation[0]!.command!, /^kubectl create clusterrole metrics-reader /);
});
