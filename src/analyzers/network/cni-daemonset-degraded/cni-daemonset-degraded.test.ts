import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { cniDaemonsetDegraded } from "./cni-daemonset-degraded.js";

const NOW = "2024-05-14T10:00:00Z";
// A calico-node error line in the shape Calico's startup logs it (felix/bird readiness).
const CALICO_LINE = "2024-05-14 09:59:01.123 [ERROR][9] startup/startup.go 146: failed to query kubeadm's config map error=Get \"https://10.96.0.1:443/api/v1/namespaces/kube-system/configmaps/kubeadm-config\": dial tcp 10.96.0.1:443: i/o timeout";

testAnalyzer(
  cniDaemonsetDegraded,
  {
    quiet: [{ name: "all networking pods ready; one within start-up grace; a non-networking DaemonSet crash looping", fixture: "quiet-all-ready.yaml", now: NOW }],
    fires: [
      {
        name: "calico-node crash looping on worker-2, kube-proxy not ready on worker-3",
        fixture: "fires-calico-crash-looping.yaml",
        now: NOW,
        logs: [{ namespace: "kube-system", pod: "calico-node-bbbbb", container: "calico-node", previous: true, text: `starting\n${CALICO_LINE}\n` }],
        expect: [
          { messageId: "degraded", subject: "DaemonSet/kube-system/calico-node", evidenceValues: ["CrashLoopBackOff", "worker-2", CALICO_LINE, 3, 2], affects: ["Node/worker-2", "Pod/shop/web-2"] },
          { messageId: "degraded", subject: "DaemonSet/kube-system/kube-proxy", evidenceValues: ["False", "worker-3"], affects: ["Node/worker-3", "Pod/shop/api-1"] },
        ],
      },
    ],
  },
  import.meta.url,
);

it("cni-daemonset-degraded: impact is the pods on the affected nodes only", () => {
  const findings = runAnalyzer(cniDaemonsetDegraded, loadFixture(new URL("./fixtures/fires-calico-crash-looping.yaml", import.meta.url)), Date.parse(NOW));
  const pods = (subject: string): string[] => findings.find((f) => f.subject.name === subject)!.impact.direct.filter((r) => r.kind === "Pod").map((r) => `${r.namespace}/${r.name}`).sort();
  assert.deepEqual(pods("calico-node"), ["shop/web-2"]);
  assert.deepEqual(pods("kube-proxy"), ["shop/api-1"]);
});

it("cni-daemonset-degraded: on a NotReady node the finding is grouped under the node's own finding", async () => {
  const { nodeNotReady } = await import("../../node/node-not-ready/node-not-ready.js");
  const { runAnalyzers } = await import("../../../run/run-analyzers.js");
  const base = loadFixture(new URL("./fixtures/fires-calico-crash-looping.yaml", import.meta.url));
  // worker-3 stops posting status: the node lifecycle controller sets Ready=Unknown (NodeStatusUnknown).
  const objects = new Map(base.objects);
  objects.set(
    "Node",
    (base.objects.get("Node") ?? []).map((n) =>
      n.metadata.name === "worker-3" ? { ...n, status: { conditions: [{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: "2024-05-14T09:20:00Z", lastHeartbeatTime: "2024-05-14T09:19:00Z" }] } } : n,
    ),
  );
  const snapshot = { ...base, objects };
  const { report } = runAnalyzers(snapshot, [cniDaemonsetDegraded, nodeNotReady], { now: Date.parse(NOW) });
  const top = report.findings.map((f) => `${f.code} ${f.subject.name}`);
  // calico-node's pod is on a Ready node: it stands alone; kube-proxy's only failing pod is on worker-3.
  assert.ok(top.includes("cni-daemonset-degraded/degraded calico-node"), top.join("\n"));
  assert.ok(!top.includes("cni-daemonset-degraded/degraded kube-proxy"), top.join("\n"));
  const node = report.findings.find((f) => f.subject.kind === "Node" && f.subject.name === "worker-3");
  assert.ok(node?.related?.some((r) => r.code === "cni-daemonset-degraded/degraded" && r.subject.name === "kube-proxy"));
});
