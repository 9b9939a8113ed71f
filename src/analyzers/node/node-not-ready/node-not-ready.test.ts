import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeNotReady } from "./node-not-ready.js";

testAnalyzer(
  nodeNotReady,
  {
    quiet: [
      {
        name: "Ready node, node still joining, node being scaled down, one recovered drop-out, no Ready condition yet",
        fixture: "quiet-ready-and-joining.yaml",
        now: "2024-05-01T10:00:00Z",
      },
    ],
    fires: [
      {
        name: "kubelet stopped posting status (Ready=Unknown, unreachable taints)",
        fixture: "fires-unreachable.yaml",
        now: "2024-05-01T09:30:00Z",
        expect: [
          {
            messageId: "unreachable",
            subject: "Node/worker-3",
            severity: "error",
            evidenceValues: [
              "Unknown",
              "NodeStatusUnknown",
              "Kubelet stopped posting node status.",
              "2024-05-01T09:12:40Z",
              { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
              2,
            ],
            affects: ["Pod/shop/api-5f7d-1", "Pod/shop/cache-0"],
          },
        ],
      },
      {
        name: "kubelet reports Ready=False (CNI not initialised) on an old node",
        fixture: "fires-kubelet-not-ready.yaml",
        now: "2024-05-01T09:30:00Z",
        expect: [
          {
            messageId: "notReady",
            subject: "Node/worker-7",
            evidenceValues: ["False", "KubeletNotReady", { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }],
            affects: ["Pod/shop/web-1"],
          },
        ],
      },
      {
        name: "Ready now, 4 NotReady transitions by node-controller in the events",
        fixture: "fires-flapping.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [{ messageId: "flapping", subject: "Node/worker-2", severity: "warning", evidenceValues: ["True", 4], affects: ["Pod/kube-system/worker-agent-abc"] }],
      },
    ],
  },
  import.meta.url,
);
