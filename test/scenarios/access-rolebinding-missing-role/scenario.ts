import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson, type ClusterEnv } from "../../e2e/harness.js";

const ns = "e2e-access-rolebinding-missing-role";
const sa = `system:serviceaccount:${ns}:deployer`;

interface RoleBinding { roleRef: { apiGroup: string; kind: string; name: string }; subjects?: { kind: string; name: string; namespace?: string }[] }
interface Role { metadata: { name: string }; rules?: { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[] }

/** `kubectl auth can-i VERB RESOURCE -n ns --as=SA` run by the admin (a SelfSubjectAccessReview as the impersonated SA). */
function canI(env: ClusterEnv, verb: string, resource: string): { allowed: boolean; output: string } {
  const r = spawnSync(env.kubectl, ["--kubeconfig", env.adminKubeconfig, "auth", "can-i", verb, resource, "-n", ns, `--as=${sa}`], { encoding: "utf8", timeout: 60_000 });
  // can-i exits 0 for "yes", 1 for "no"; anything else is an error.
  if (r.status !== 0 && r.status !== 1) throw new Error(`kubectl auth can-i failed (${r.status}): ${r.stderr}`);
  return { allowed: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

export const scenario: Scenario = {
  name: "access-rolebinding-missing-role",
  description: "a RoleBinding refers to Role deployment-editor, which does not exist (the Role is deployments-editor): the ServiceAccount is denied",
  namespaces: [ns],
  // The binding names a Role that does not exist (checkState proves the authorizer says so).
  expect: [{ code: "binding-role-missing/roleMissing", subject: `RoleBinding/${ns}/deployer`, area: "access" }],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    getJson(env, ["serviceaccount", "deployer", "-n", ns]);
    getJson(env, ["rolebinding", "deployer", "-n", ns]);
    return true;
  },
  async checkState(env) {
    // The binding exists as applied: Role deployment-editor, subject the deployer ServiceAccount.
    const binding = getJson<RoleBinding>(env, ["rolebinding", "deployer", "-n", ns]);
    assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "deployment-editor" });
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "deployer", namespace: ns }]);
    // The Role it names does not exist; the one meant does, and grants what the pipeline needs.
    const roles = getJson<{ items: Role[] }>(env, ["roles", "-n", ns]).items;
    assert.deepEqual(roles.map((r) => r.metadata.name), ["deployments-editor"]);
    assert.ok(roles[0]!.rules?.some((r) => r.apiGroups?.includes("apps") && r.resources?.includes("deployments") && r.verbs?.includes("patch")));
    // So RBAC grants nothing through the binding: the ServiceAccount may not patch Deployments, and the
    // authorizer says why (RBAC: role.rbac.authorization.k8s.io "deployment-editor" not found).
    const patch = canI(env, "patch", "deployments");
    assert.equal(patch.allowed, false, `can-i patch deployments as ${sa}: ${patch.output}`);
    assert.match(patch.output, /^no\b/);
    assert.match(patch.output, /role\.rbac\.authorization\.k8s\.io "deployment-editor" not found/);
    const get = canI(env, "get", "deployments");
    assert.equal(get.allowed, false, `can-i get deployments as ${sa}: ${get.output}`);
  },
};
