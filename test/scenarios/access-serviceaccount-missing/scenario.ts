import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson, kubectl, type ClusterEnv } from "../../e2e/harness.js";

const ns = "e2e-access-serviceaccount-missing";
const missingSa = "reporter-sa";

interface Events { items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[] }

/** The ReplicaSet controller's FailedCreate events: the ServiceAccount admission plugin's refusal. */
function failedCreates(env: ClusterEnv): string[] {
  return getJson<Events>(env, ["events", "-n", ns, "--field-selector", "reason=FailedCreate,involvedObject.kind=ReplicaSet"]).items.map((e) => e.message ?? "");
}

export const scenario: Scenario = {
  name: "access-serviceaccount-missing",
  description: "a Deployment and a RoleBinding name ServiceAccount reporter-sa, which does not exist (it is reporter); reporter has cluster-admin",
  namespaces: [ns],
  expect: [
    { code: "pod-service-account-missing/workloadServiceAccountMissing", subject: `Deployment/${ns}/reporter`, area: "access" },
    { code: "binding-service-account-missing/serviceAccountMissing", subject: `RoleBinding/${ns}/reporter-view`, area: "access" },
    { code: "rbac-grant-dangerous/clusterAdmin", subject: `ClusterRoleBinding/${ns}-reporter-admin`, area: "access" },
  ],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    return failedCreates(env).some((m) => m.includes(`serviceaccount "${missingSa}" not found`));
  },
  async checkState(env) {
    // Admission refuses every pod: none exists, and the controller says why.
    const pods = getJson<{ items: unknown[] }>(env, ["pods", "-n", ns]).items;
    assert.equal(pods.length, 0);
    const message = failedCreates(env).find((m) => m.includes(missingSa));
    assert.match(message ?? "", new RegExp(`^Error creating: pods "reporter-[a-z0-9]+-" is forbidden: error looking up service account ${ns}/${missingSa}: serviceaccount "${missingSa}" not found$`));
    const sa = kubectl(env, ["get", "serviceaccount", missingSa, "-n", ns], { allowFailure: true });
    assert.equal(sa, "");
  },
};
