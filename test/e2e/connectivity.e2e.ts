// `diagnose connectivity` on the real control plane: the network-policy-isolation scenario (storefront
// cut off from orders by NetworkPolicies) must be diagnosed with the blocking policies named, and the
// NetworkPolicy it proposes must be accepted by the API server and allow the connection.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { kubectl, readClusterEnv, repoRoot, sleuth, waitFor, type ClusterEnv } from "./harness.js";
import type { Scenario } from "./scenario.js";
import { schemaErrors } from "../report-schema.js";
import { resolveKubeConfig } from "../../src/sources/live/kubeconfig.js";
import { runProbe } from "../../src/sources/live/probe.js";

interface Hop { id: string; status: string; summary: string; need?: string }
interface Out {
  verdict: string;
  hops: Hop[];
  findings: { code: string; subject: { kind: string; namespace?: string; name: string } }[];
  connectivity: { blockingPolicies: { namespace: string; name: string }[]; rootCause?: { hop: string }; fixes: { yaml?: string; verified?: boolean }[]; destinationPods: unknown[] };
}

const backendNs = "e2e-network-policy-isolation";
const clientNs = "e2e-network-policy-isolation-client";

describe("diagnose connectivity on a real control plane", () => {
  let env: ClusterEnv;
  before(async () => {
    env = readClusterEnv();
    const { scenario } = (await import(pathToFileURL(join(repoRoot, "test/scenarios/network-policy-isolation/scenario.ts")).href)) as { scenario: Scenario };
    await scenario.setup(env);
    await waitFor("network-policy-isolation to reach its state", () => scenario.ready(env), 120_000);
  }, { timeout: 300_000 });

  it("names the blocking NetworkPolicies as the root cause, from the Service's DNS name", async () => {
    const run = await sleuth(env, ["diagnose", "connectivity", `${clientNs}/deploy/storefront`, `orders.${backendNs}.svc.cluster.local`, "-o", "json"]);
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as Out;
    assert.deepEqual(schemaErrors(out as never), []);
    const status = Object.fromEntries(out.hops.map((h) => [h.id, h.status]));
    // The Service exists and resolves to 2 Ready pods via the named targetPort http (8080); the test
    // cluster runs no CoreDNS and no CNI DaemonSet (test/cluster/README.md), so those stay undecided.
    assert.deepEqual(status, { dns: "unknown", service: "passed", endpoints: "passed", "network-policy": "failed", nodes: "passed", cni: "unknown" });
    assert.equal(out.verdict, "failed");
    assert.equal(out.connectivity.rootCause?.hop, "network-policy");
    // Both policies select app=orders and neither admits app=storefront (manifests.yaml; checkState of
    // the scenario proves it with its own evaluation).
    assert.deepEqual(out.connectivity.blockingPolicies.map((p) => `${p.namespace}/${p.name}`), [`${backendNs}/default-deny-ingress`, `${backendNs}/orders-from-web`]);
    assert.equal(out.connectivity.destinationPods.length, 2);
    assert.deepEqual(out.findings.map((f) => f.code), ["diagnose-connectivity/networkPolicyDenies"]);
  });

  it("the same from the ClusterIP, and --probe reports why it cannot run on KWOK nodes", async () => {
    const clusterIp = kubectl(env, ["get", "service", "orders", "-n", backendNs, "-o", "jsonpath={.spec.clusterIP}"]).trim();
    const run = await sleuth(env, ["diagnose", "connectivity", `${clientNs}/deploy/storefront`, clusterIp, "--probe", "-o", "json"]);
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as Out;
    assert.equal(out.hops.find((h) => h.id === "dns")?.status, "skipped");
    assert.equal(out.connectivity.rootCause?.hop, "network-policy");
    const probe = out.hops.find((h) => h.id === "probe");
    assert.equal(probe?.status, "unknown");
    assert.match(probe!.summary, /probe not possible: .*KWOK/);
  });

  it("the proposed NetworkPolicy is accepted by the API server and the diagnosis then passes that hop", async () => {
    const first = JSON.parse((await sleuth(env, ["diagnose", "connectivity", `${clientNs}/deploy/storefront`, `orders.${backendNs}`, "-o", "json"])).stdout) as Out;
    const fix = first.connectivity.fixes[0];
    assert.ok(fix?.yaml && fix.verified, "a verified NetworkPolicy fix");
    kubectl(env, ["apply", "-f", "-"], { input: fix.yaml });
    try {
      const after = JSON.parse((await sleuth(env, ["diagnose", "connectivity", `${clientNs}/deploy/storefront`, `orders.${backendNs}`, "-o", "json"])).stdout) as Out;
      assert.equal(after.hops.find((h) => h.id === "network-policy")?.status, "passed");
      assert.equal(after.connectivity.rootCause, undefined);
    } finally {
      kubectl(env, ["delete", "-f", "-"], { input: fix.yaml });
    }
  });

  it("the probe's exec through the real API server: the read-only identity is refused, and that is an error verdict, not a crash", async () => {
    const pod = kubectl(env, ["get", "pods", "-n", clientNs, "-l", "app=storefront", "-o", "jsonpath={.items[0].metadata.name}"]).trim();
    const { kubeConfig } = resolveKubeConfig({ kubeconfig: env.sleuthKubeconfig }, {});
    // The kubesleuth identity has view + get/list/watch (test/cluster/README.md): no create on pods/exec.
    const outcome = await runProbe(kubeConfig, { namespace: clientNs, pod, container: "storefront", host: `orders.${backendNs}.svc`, port: 80 }, { timeoutMs: 15_000 });
    assert.equal(outcome.verdict, "error");
    assert.match(outcome.detail, /403|forbidden/i);
  });
});
