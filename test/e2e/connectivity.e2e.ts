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
import { runEphemeralProbe } from "../../src/sources/live/probe-ephemeral.js";

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

  it("--probe --allow-ephemeral on KWOK pods: unknown with the reason, and the pod gets no ephemeral container", async () => {
    // As the admin, so a PATCH would be permitted: only the KWOK check keeps the pod untouched.
    const run = await sleuth(env, ["diagnose", "connectivity", `${clientNs}/deploy/storefront`, `orders.${backendNs}`, "--probe", "--allow-ephemeral", "-o", "json"], env.adminKubeconfig);
    assert.equal(run.code, 1, run.stderr);
    const probe = (JSON.parse(run.stdout) as Out).hops.find((h) => h.id === "probe");
    assert.equal(probe?.status, "unknown");
    assert.match(probe!.summary, /KWOK .*nothing was written/);
    const ephemeral = kubectl(env, ["get", "pods", "-n", clientNs, "-l", "app=storefront", "-o", "jsonpath={.items[*].spec.ephemeralContainers}"]).trim();
    assert.equal(ephemeral, "");
  });

  it("the ephemeral PATCH through the real API server: refused for the read-only identity; the admin's is accepted in kubectl debug's shape", async () => {
    const pod = kubectl(env, ["get", "pods", "-n", clientNs, "-l", "app=storefront", "-o", "jsonpath={.items[0].metadata.name}"]).trim();
    const request = { namespace: clientNs, pod, container: "storefront", host: `orders.${backendNs}.svc`, port: 80 };
    // The kubesleuth identity has view + get/list/watch (test/cluster/README.md): no patch on pods/ephemeralcontainers.
    const viewer = resolveKubeConfig({ kubeconfig: env.sleuthKubeconfig }, {}).kubeConfig;
    const refused = await runEphemeralProbe(viewer, request, { name: "kubesleuth-probe-e2e0", waitMs: 2_000 });
    assert.equal(refused.verdict, "error");
    assert.equal(refused.detail, "not permitted (needs patch on pods/ephemeralcontainers)");
    assert.equal(refused.added, false);
    // The admin may patch: the API server validates and stores the container. On a throwaway pod
    // (ephemeral containers cannot be removed; the scenario's pods stay untouched). KWOK runs no
    // container, so it never terminates with a log: the outcome is an error, never a verdict.
    const ns = "e2e-probe-ephemeral";
    const node = kubectl(env, ["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"]).trim();
    kubectl(env, ["apply", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "List", items: [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
        { apiVersion: "v1", kind: "Pod", metadata: { name: "client", namespace: ns }, spec: { nodeName: node, containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] } },
      ] }),
    });
    try {
      const admin = resolveKubeConfig({ kubeconfig: env.adminKubeconfig }, {}).kubeConfig;
      const outcome = await runEphemeralProbe(admin, { ...request, namespace: ns, pod: "client", container: "app" }, { name: "kubesleuth-probe-e2e1", waitMs: 3_000 });
      assert.equal(outcome.added, true, outcome.detail);
      assert.equal(outcome.verdict, "error");
      const stored = kubectl(env, ["get", "pod", "client", "-n", ns, "-o", "jsonpath={.spec.ephemeralContainers[0].name} {.spec.ephemeralContainers[0].image} {.spec.ephemeralContainers[0].targetContainerName} {.spec.ephemeralContainers[0].imagePullPolicy}"]).trim();
      assert.equal(stored, "kubesleuth-probe-e2e1 busybox:1.36 app IfNotPresent");
    } finally {
      kubectl(env, ["delete", "namespace", ns, "--wait=false"]);
    }
  });
});
