import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { apiserverOverloaded } from "./apiserver-overloaded.js";

testAnalyzer(
  apiserverOverloaded,
  {
    quiet: [
      { name: "the real idle test control plane (v1.36.3)", fixture: "quiet-idle-1.36.yaml" },
      { name: "no metrics (forbidden or offline input)", yaml: "kind: KubesleuthControlPlane\nhealth: []\nmetricsNote: forbidden\n" },
    ],
    fires: [
      {
        name: "slow LISTs, slow etcd, in-flight, rejections, 250k events",
        fixture: "fires-overloaded.yaml",
        expect: [
          {
            // LIST pods cluster: buckets 1:10, 5:20, 30:50, 60:90, +Inf:100. p50: rank 50 in (5,30]: 5 + 25*(50-20)/30 = 30;
            // p90: rank 90 in (30,60]: 30 + 30*(90-50)/40 = 60; p99: rank 99 only in +Inf -> highest finite bound 60.
            // 60 s > the 30 s cluster-LIST SLO. The GET (5 requests) is below MIN_OBSERVATIONS; WATCH is not latency.
            messageId: "slowRequests",
            subject: "APIServer/kube-apiserver",
            evidenceValues: ["LIST pods (cluster scope): p50 30.0s, p90 60.0s, p99 60.0s over 100 requests"],
          },
          {
            // get pods: 20 requests all in (0.5, 2]: p50 = 0.5 + 1.5*10/20 = 1.25, p90 = 0.5 + 1.5*18/20 = 1.85,
            // p99 = 0.5 + 1.5*19.8/20 = 1.985 > 1 s.
            messageId: "slowEtcd",
            subject: "APIServer/kube-apiserver",
            evidenceValues: ["etcd get pods: p50 1.250s, p90 1.850s, p99 1.985s over 20 requests"],
          },
          { messageId: "inflightHigh", subject: "APIServer/kube-apiserver", evidenceValues: [350] },
          { messageId: "apfRejecting", subject: "APIServer/kube-apiserver", evidenceValues: [12, 40] },
          // 250,000 events >= 100,000; 120,000 pods < 150,000 (the documented per-cluster pod threshold).
          { messageId: "largeCollections", subject: "APIServer/kube-apiserver", evidenceValues: [250000] },
        ],
      },
    ],
  },
  import.meta.url,
);
