// `kubesleuth top nodes|pods` against a fake API server serving metrics.k8s.io. Expected tables are written from
// kubectl's metrics printer rules (CPU "%vm" of the milli value, memory value/2^20 "Mi", percent = int64(used /
// allocatable * 100), tabwriter minwidth 10 padding 3), not from kubesleuth's output.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./cli-harness.js";
import type { KubeObject } from "../src/model/kube.js";
import { startFakeApiServer, writeKubeconfig } from "../src/sources/live/testing/fake-api-server.js";

const node = (name: string, cpu: string, memory: string): KubeObject =>
  ({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { pool: name === "n1" ? "a" : "b" } }, status: { allocatable: { cpu, memory } } }) as KubeObject;
const nodeMetrics = (name: string, cpu: string, memory: string): KubeObject =>
  ({ apiVersion: "metrics.k8s.io/v1beta1", kind: "NodeMetrics", metadata: { name }, timestamp: "2026-11-20T09:30:00Z", window: "20s", usage: { cpu, memory } }) as KubeObject;
const podMetrics = (namespace: string, name: string, app: string, containers: [string, string][]): KubeObject =>
  ({
    apiVersion: "metrics.k8s.io/v1beta1",
    kind: "PodMetrics",
    metadata: { name, namespace, labels: { app } },
    timestamp: "2026-11-20T09:30:00Z",
    window: "20s",
    containers: containers.map(([cpu, memory], i) => ({ name: `c${i}`, usage: { cpu, memory } })),
  }) as KubeObject;

const objects = [
  node("n1", "4", "16Gi"),
  node("n2", "3900m", "15872Mi"),
  node("n3", "2", "8Gi"),
  // n1: 250215403n is 251m (Quantity.MilliValue rounds up); 251m of 4000m = 6.275% -> 6%; 2Gi of 16Gi = 12.5% -> 12%. n2: 1950m of 3900m = 50%; 7936Mi of 15872Mi = 50%.
  nodeMetrics("n1", "250215403n", "2097152Ki"),
  nodeMetrics("n2", "1950m", "7936Mi"),
  // n3 has no NodeMetrics: <unknown>.
  // web-1: 100m + 5m = 105m; 64Mi + 1536Ki (1.5Mi) = 65.5Mi -> 65Mi. db-0: 1m (999999n rounds up to 1m), 300Mi.
  podMetrics("shop", "web-1", "web", [["100m", "64Mi"], ["5m", "1536Ki"]]),
  podMetrics("shop", "db-0", "db", [["999999n", "300Mi"]]),
  podMetrics("ops", "agent", "agent", [["20m", "10Mi"]]),
];

async function withFake<T>(options: Parameters<typeof startFakeApiServer>[0], run: (kubeconfig: string) => Promise<T>): Promise<T> {
  const fake = await startFakeApiServer({ token: "t0ken", ...options });
  const kc = writeKubeconfig({ server: fake.url, token: "t0ken", ...(fake.caPem ? { caPem: fake.caPem } : {}) });
  try {
    return await run(kc.path);
  } finally {
    kc.cleanup();
    await fake.close();
  }
}

describe("kubesleuth top (fake API server)", () => {
  it("top nodes: usage and percent of allocatable, <unknown> without metrics", async () => {
    await withFake({ objects }, async (kc) => {
      const r = await runCli(["top", "nodes", "--kubeconfig", kc]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          "NAME      CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   ",
          "n1        251m         6%          2048Mi          12%         ",
          "n2        1950m        50%         7936Mi          50%         ",
          "n3        <unknown>    <unknown>   <unknown>       <unknown>   ",
          "",
        ].join("\n"),
      );
      const sorted = await runCli(["top", "nodes", "--sort-by", "cpu", "-l", "pool=b", "--kubeconfig", kc]);
      assert.deepEqual(sorted.stdout.split("\n").map((l) => l.split(/\s+/)[0]), ["NAME", "n2", "n3", ""]);
    });
  });

  it("top pods: sum of containers, -n, -A with NAMESPACE, -l, --sort-by memory, -o json", async () => {
    await withFake({ objects }, async (kc) => {
      const ns = await runCli(["top", "pods", "-n", "shop", "--kubeconfig", kc]);
      assert.equal(ns.code, 0, ns.stderr);
      assert.equal(ns.stdout, ["NAME      CPU(cores)   MEMORY(bytes)   ", "db-0      1m           300Mi           ", "web-1     105m         65Mi            ", ""].join("\n"));
      const all = await runCli(["top", "pods", "-A", "--sort-by", "memory", "--kubeconfig", kc]);
      assert.deepEqual(all.stdout.trimEnd().split("\n").map((l) => l.split(/\s+/).slice(0, 2).join(" ")), ["NAMESPACE NAME", "shop db-0", "shop web-1", "ops agent"]);
      const sel = await runCli(["top", "pods", "-A", "-l", "app=web", "-o", "json", "--kubeconfig", kc]);
      assert.deepEqual(JSON.parse(sel.stdout), { kind: "pods", items: [{ namespace: "shop", name: "web-1", cpuMillicores: 105, memoryBytes: 64 * 1048576 + 1536 * 1024 }] });
    });
  });

  it("without metrics-server: one line, exit 2", async () => {
    await withFake({ objects, absentKinds: ["PodMetrics", "NodeMetrics"] }, async (kc) => {
      for (const what of ["nodes", "pods"]) {
        const r = await runCli(["top", what, "--kubeconfig", kc]);
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /metrics API \(metrics\.k8s\.io\) is not available/);
        assert.equal(r.stderr.trim().split("\n").filter((l) => !l.startsWith("hint") && !l.startsWith("  ")).length, 1, r.stderr);
      }
    });
  });

  it("unknown resource: usage error", async () => {
    const r = await runCli(["top", "deployments"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown resource "deployments"/);
  });
});
