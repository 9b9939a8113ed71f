import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-network-egress-no-dns";

interface Counted { status?: { availableReplicas?: number } }
interface Policy {
  spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes?: string[]; egress?: { to?: unknown[]; ports?: { protocol?: string; port?: number | string; endPort?: number }[] }[] };
}

export const scenario: Scenario = {
  name: "network-egress-no-dns",
  description: "an egress NetworkPolicy for checkout allows TCP 8080 to payments and nothing else: no UDP/TCP 53, so checkout cannot resolve names",
  namespaces: [ns],
  expect: [{ code: "egress-policy-blocks-dns/blocked", subject: `Deployment/${ns}/checkout`, area: "network" }],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    const checkout = getJson<Counted>(env, ["deployment", "checkout", "-n", ns]);
    const payments = getJson<Counted>(env, ["deployment", "payments", "-n", ns]);
    const policies = getJson<{ items: unknown[] }>(env, ["networkpolicies", "-n", ns]);
    return checkout.status?.availableReplicas === 2 && payments.status?.availableReplicas === 1 && policies.items.length === 1;
  },
  async checkState(env) {
    // The policy as the API server stored it (after defaulting): Egress only, one rule, TCP 8080 only.
    // networking/v1: a selected pod may send only what an egress rule allows, so port 53 is denied.
    const policy = getJson<Policy>(env, ["networkpolicy", "checkout-egress", "-n", ns]);
    assert.deepEqual(policy.spec.policyTypes, ["Egress"]);
    assert.deepEqual(policy.spec.egress?.map((r) => r.ports), [[{ protocol: "TCP", port: 8080 }]]);
  },
};
