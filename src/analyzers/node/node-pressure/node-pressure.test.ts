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
            evidenceValues: [
              "KubeletHasDiskPressure",
              { key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" },
              "Attempting to reclaim ephemeral-storage",
              // the image garbage collector's failure: imagefs is the short filesystem
              "Failed to garbage collect required amount of images. Attempted to free 4294967296 bytes, but only found 0 bytes eligible to free.",
            ],
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
      {
        name: "DiskPressure: a deleted pod's Evicted event during the episode counts, an older one does not",
        fixture: "fires-disk-evicted-pod-deleted.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "evictingPods",
            subject: "Node/worker-13",
            severity: "error",
            evidenceValues: [
              "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 8342528Ki. Container shipper was using 36Gi, request is 0, has larger consumption of ephemeral-storage. ",
              1,
            ],
            affects: ["Pod/logs/shipper-abc"],
          },
        ],
      },
      {
        name: "MemoryPressure ranked by metrics.k8s.io use, a pod without limit, limits against allocatable",
        fixture: "fires-memory-by-usage.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "memoryPressure",
            subject: "Node/worker-4",
            // The fixture's comment: use 3Gi / 500Mi / 200Mi; limits 512Mi + 1Gi = 1.5Gi of 2Gi allocatable.
            evidenceValues: ["uses 3.0Gi, requests 0, no memory limit on b", "uses 500Mi, requests 256Mi, limit 512Mi", "uses 200Mi, requests 1.0Gi, limit 1.0Gi", "limits 1.5Gi of allocatable 2.0Gi"],
          },
        ],
      },
    ],
  },
  import.meta.url,
);
