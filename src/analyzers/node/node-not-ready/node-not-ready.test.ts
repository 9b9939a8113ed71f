import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeNotReady } from "./node-not-ready.js";

const HISTORY = [
          { fixture: "history-1-ready.yaml", capturedAt: "2024-05-01T09:00:00Z" },
          { fixture: "history-2-unknown.yaml", capturedAt: "2024-05-01T09:15:00Z" },
          { fixture: "history-3-ready.yaml", capturedAt: "2024-05-01T09:30:00Z" },
        ];

testAnalyzer(
  nodeNotReady,
  {
    quiet: [
      {
        name: "Ready node, node still joining, node being scaled down, one recovered drop-out, no Ready condition yet",
        fixture: "quiet-ready-and-joining.yaml",
        now: "2024-05-01T10:00:00Z",
      },
      {
        name: "one drop-out seen across snapshots (two changes), kubelet three minors behind the API server",
        fixture: "quiet-one-drop-over-snapshots.yaml",
        now: "2024-05-01T09:45:00Z",
        serverVersion: "v1.33.1",
        history: [
          { fixture: "history-1-ready.yaml", capturedAt: "2024-05-01T09:00:00Z" },
          { fixture: "history-2-unknown.yaml", capturedAt: "2024-05-01T09:15:00Z" },
        ],
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
              3,
              // The Lease's renewTime is the evidence that the kubelet went silent.
              "2024-05-01T09:12:00.000000Z",
              // api-5f7d-1: 300 s after the 09:12:45 NoExecute taint = 09:17:45 < 09:30; cache-0: 3600 s, still on the node.
              "due for eviction",
              "to be evicted",
              // worker-q7: deleted by the controller (DisruptionTarget DeletionByTaintManager), still Terminating.
              "evicted",
            ],
            affects: ["Pod/shop/api-5f7d-1", "Pod/shop/cache-0", "Pod/shop/worker-q7", "Deployment/shop/api"],
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
        // 4 NodeNotReady (node-controller) + 4 NodeReady (kubelet) between 09:05 and 09:48: 8 changes within an hour.
        expect: [{ messageId: "flapping", subject: "Node/worker-2", severity: "warning", evidenceValues: ["True", 8], affects: ["Pod/kube-system/worker-agent-abc"] }],
      },
      {
        name: "flapping seen only across four snapshots taken over 45 minutes",
        fixture: "fires-flapping-over-snapshots.yaml",
        now: "2024-05-01T09:45:00Z",
        history: HISTORY,
        // Changes at 09:10, 09:20, one between 09:30 and 09:40, and 09:40 (the fixture's comments): 4 within an hour.
        expect: [{ messageId: "flapping", subject: "Node/worker-5", severity: "warning", evidenceValues: ["True", 4] }],
      },
      {
        name: "KernelDeadlock from node-problem-detector; kubelets four minors behind and one minor ahead of the API server",
        fixture: "fires-node-problem-and-skew.yaml",
        now: "2024-05-01T09:30:00Z",
        serverVersion: "v1.33.1",
        expect: [
          { messageId: "nodeProblem", subject: "Node/worker-9", evidenceValues: ["True", "kernel: INFO: task docker:20744 blocked for more than 120 seconds."] },
          { messageId: "versionSkew", subject: "Node/worker-9", evidenceValues: ["v1.29.4", "v1.33.1"] },
          { messageId: "versionSkew", subject: "Node/worker-10", evidenceValues: ["v1.34.0"] },
        ],
      },
    ],
  },
  import.meta.url,
);
