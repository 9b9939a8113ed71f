import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { controlPlanePodUnhealthy } from "./control-plane-pod-unhealthy.js";

testAnalyzer(
  controlPlanePodUnhealthy,
  {
    quiet: [{ name: "ready mirror pods, an ordinary kube-system pod, info-only etcd log", fixture: "quiet-healthy-control-plane.yaml" }],
    fires: [
      {
        name: "etcd NOSPACE, slow apply, late heartbeat; scheduler mirror pod not ready",
        fixture: "fires-etcd-nospace.yaml",
        expect: [
          { messageId: "etcdNoSpace", subject: "Pod/kube-system/etcd-cp-1", severity: "critical", evidenceValues: ['{"level":"warn","ts":"2024-05-14T09:58:00.000Z","caller":"etcdserver/server.go:1204","msg":"alarm raised","alarm":"NOSPACE","from":"8e9e05c52164694d"}'] },
          { messageId: "etcdSlowApply", subject: "Pod/kube-system/etcd-cp-1", severity: "warning" },
          { messageId: "etcdHeartbeat", subject: "Pod/kube-system/etcd-cp-1", severity: "warning" },
          {
            messageId: "notReady",
            subject: "Pod/kube-system/kube-scheduler-cp-1",
            evidenceValues: ["False", 'E0514 09:59:02.000000       1 run.go:74] "command failed" err="failed to get delegated authentication kubeconfig: open /etc/kubernetes/scheduler.conf: no such file or directory"'],
          },
        ],
      },
    ],
  },
  import.meta.url,
);
