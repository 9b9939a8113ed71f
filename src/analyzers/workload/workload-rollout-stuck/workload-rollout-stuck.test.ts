import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { workloadRolloutStuck } from "./workload-rollout-stuck.js";

testAnalyzer(
  workloadRolloutStuck,
  {
    quiet: [
      {
        name: "rollout within its deadline, complete, paused, short blip, partitioned and rolling StatefulSets, OnDelete, DaemonSet pod on a new node",
        fixture: "quiet-rollouts-in-progress.yaml",
        now: "2024-05-01T10:00:00Z",
      },
    ],
    fires: [
      {
        name: "Deployment Progressing=False ProgressDeadlineExceeded; the new pod cannot pull its image",
        fixture: "fires-progress-deadline.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "deploymentProgressDeadlineExceeded",
            subject: "Deployment/shop/checkout",
            severity: "error",
            evidenceValues: ["ProgressDeadlineExceeded", 'ReplicaSet "checkout-6b8f9" has timed out progressing.', 600, "ImagePullBackOff"],
            affects: ["Pod/shop/checkout-6b8f9-qwert"],
          },
        ],
      },
      {
        name: "complete Deployment whose pods have been crash-looping longer than the deadline",
        fixture: "fires-replicas-unavailable.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "deploymentReplicasUnavailable",
            subject: "Deployment/billing/api",
            severity: "error",
            evidenceValues: [2, "MinimumReplicasUnavailable", "CrashLoopBackOff"],
            affects: ["Pod/billing/api-7c6d5-x1", "Pod/billing/api-7c6d5-x2"],
          },
        ],
      },
      {
        name: "StatefulSet rolling update waiting on a crash-looping pod",
        fixture: "fires-statefulset-stuck.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "statefulSetUpdateStuck",
            subject: "StatefulSet/data/db",
            evidenceValues: ["db-5c8b", "db-7f9c", 1, "CrashLoopBackOff"],
            affects: ["Pod/data/db-2", "Pod/data/db-1", "Pod/data/db-0"],
          },
        ],
      },
      {
        name: "DaemonSet update waiting on a pod that cannot pull its image",
        fixture: "fires-daemonset-stuck.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "daemonSetRolloutStuck",
            subject: "DaemonSet/monitoring/node-exporter",
            evidenceValues: [3, 1, "ImagePullBackOff"],
            affects: ["Pod/monitoring/node-exporter-k2x9p"],
          },
        ],
      },
    ],
  },
  import.meta.url,
);
