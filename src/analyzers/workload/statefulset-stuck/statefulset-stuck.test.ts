import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { statefulsetStuck } from "./statefulset-stuck.js";

const now = "2024-05-01T10:00:00Z";

testAnalyzer(
  statefulsetStuck,
  {
    quiet: [
      { name: "partitioned update, Parallel policy, a pod not Ready for only 2 minutes, no serviceName", fixture: "quiet-partition-parallel-recent.yaml", now },
    ],
    fires: [
      {
        name: "rolling update blocked at ordinal 2: the new pod's readiness probe answers 503",
        fixture: "fires-update-readiness.yaml",
        now,
        expect: [
          {
            messageId: "orderedReadyBlocked",
            subject: "StatefulSet/shop/web",
            severity: "error",
            // the probe failure from the kubelet's Unhealthy event, and which pod is on which revision
            evidenceValues: ["Readiness probe failed: HTTP probe failed with statuscode: 503", "web-7c5d", "web-5b8f", "OrderedReady"],
            affects: ["Pod/shop/web-2"],
          },
        ],
      },
      {
        name: "pod created from a broken revision is not replaced after the template was fixed",
        fixture: "fires-forced-rollback-trap.yaml",
        now,
        expect: [{ messageId: "brokenRevisionNotReplaced", subject: "StatefulSet/data/db", evidenceValues: ["db-bad0", "db-f1x3", "CrashLoopBackOff", 1], affects: ["Pod/data/db-2"] }],
      },
      {
        name: "scale-up blocked at ordinal 2 by its Pending claim; governing Service not headless",
        fixture: "fires-scale-up-claim-pending.yaml",
        now,
        expect: [
          {
            messageId: "orderedReadyBlocked",
            subject: "StatefulSet/mq/kafka",
            evidenceValues: ["Pending", 'failed to provision volume with StorageClass "fast": rpc error: code = ResourceExhausted desc = quota exceeded'],
            affects: ["Pod/mq/kafka-2"],
          },
          { messageId: "governingServiceMissing", subject: "StatefulSet/mq/kafka", severity: "info", evidenceValues: ["kafka", "10.0.0.44"] },
        ],
      },
      {
        name: "first ordinal stuck in Init: the init container exits 2",
        fixture: "fires-init-container-failing.yaml",
        now,
        expect: [{ messageId: "orderedReadyBlocked", subject: "StatefulSet/coord/zk", evidenceValues: ["CrashLoopBackOff", 2], affects: ["Pod/coord/zk-0"] }],
      },
    ],
  },
  import.meta.url,
);
