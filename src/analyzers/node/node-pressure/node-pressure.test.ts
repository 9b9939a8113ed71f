import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodePressure } from "./node-pressure.js";

testAnalyzer(
  nodePressure,
  {
    quiet: [
      {
        name: "no pressure, Unknown conditions on an unreachable node, evictions from a past episode",
        fixture: "quiet-no-pressure.yaml",
        now: "2024-05-01T10:00:00Z",
      },
    ],
    fires: [
      {
        name: "MemoryPressure with a pod evicted during the episode (older eviction not counted)",
        fixture: "fires-memory-evicting.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "evictingPods",
            subject: "Node/worker-6",
            severity: "error",
            evidenceValues: [
              "True",
              "KubeletHasInsufficientMemory",
              { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" },
              "Attempting to reclaim memory",
              1,
            ],
            affects: ["Pod/analytics/report-worker-7d4-x2x9k"],
          },
        ],
      },
      {
        name: "DiskPressure and PIDPressure without evictions",
        fixture: "fires-disk-and-pid-pressure.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "diskPressure",
            subject: "Node/worker-11",
            severity: "warning",
            evidenceValues: ["KubeletHasDiskPressure", { key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" }, "Attempting to reclaim ephemeral-storage"],
          },
          { messageId: "pidPressure", subject: "Node/worker-12", severity: "warning", evidenceValues: ["KubeletHasInsufficientPID"] },
        ],
      },
      {
        name: "MemoryPressure without evictions",
        yaml: `
apiVersion: v1
kind: Node
metadata: { name: worker-20 }
spec: { taints: [{ key: node.kubernetes.io/memory-pressure, effect: NoSchedule }] }
status:
  conditions:
    - { type: MemoryPressure, status: "True", reason: KubeletHasInsufficientMemory, message: kubelet has insufficient memory available, lastTransitionTime: "2024-05-01T09:58:00Z" }
`,
        now: "2024-05-01T10:00:00Z",
        expect: [{ messageId: "memoryPressure", subject: "Node/worker-20", severity: "warning", evidenceValues: ["2024-05-01T09:58:00Z"] }],
      },
    ],
  },
  import.meta.url,
);
