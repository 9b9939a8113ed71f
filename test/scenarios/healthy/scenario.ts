import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson, kubectl } from "../../e2e/harness.js";

interface Counted { status?: { readyReplicas?: number; availableReplicas?: number } }

export const scenario: Scenario = {
  name: "healthy",
  description: "a multi-tier app (Deployments, StatefulSet on static PVs, Services, Ingress with class and TLS, NetworkPolicies, RBAC) yields no error finding",
  namespaces: ["e2e-healthy"],
  healthy: true,
  expect: [],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
    // What the (simulated) ingress controller would do once it serves the Ingress: publish its address.
    kubectl(env, ["patch", "ingress", "shop", "-n", "e2e-healthy", "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: "192.0.2.80" }] } } })]);
  },
  async ready(env) {
    const web = getJson<Counted>(env, ["deployment", "web", "-n", "e2e-healthy"]);
    const api = getJson<Counted>(env, ["deployment", "api", "-n", "e2e-healthy"]);
    const db = getJson<Counted>(env, ["statefulset", "db", "-n", "e2e-healthy"]);
    const controller = getJson<Counted>(env, ["deployment", "ingress-controller", "-n", "e2e-healthy"]);
    const pvcs = getJson<{ items: { status?: { phase?: string } }[] }>(env, ["pvc", "-n", "e2e-healthy"]);
    const eps = getJson<{ subsets?: { addresses?: unknown[] }[] }>(env, ["endpoints", "web", "-n", "e2e-healthy"]);
    return (
      web.status?.availableReplicas === 2 &&
      controller.status?.availableReplicas === 1 &&
      api.status?.availableReplicas === 2 &&
      db.status?.readyReplicas === 2 &&
      pvcs.items.length === 2 &&
      pvcs.items.every((p) => p.status?.phase === "Bound") &&
      (eps.subsets?.[0]?.addresses?.length ?? 0) === 2
    );
  },
};
