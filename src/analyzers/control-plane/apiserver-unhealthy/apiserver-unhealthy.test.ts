import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { apiserverUnhealthy } from "./apiserver-unhealthy.js";

testAnalyzer(
  apiserverUnhealthy,
  {
    quiet: [
      { name: "all checks pass, /healthz forbidden", fixture: "quiet-healthy.yaml" },
      // A snapshot without control-plane data (kubectl output, a dump) says nothing about the API server.
      { name: "no control-plane data", yaml: "apiVersion: v1\nkind: Namespace\nmetadata: { name: default }\n" },
    ],
    fires: [
      {
        // etcd and etcd-readiness fail: etcd is the root cause; every failing line is evidence.
        name: "etcd down",
        fixture: "fires-etcd-down.yaml",
        expect: [
          {
            messageId: "etcdFailing",
            subject: "APIServer/kube-apiserver",
            severity: "critical",
            evidenceValues: ["[-]etcd failed: reason withheld", "[-]etcd-readiness failed: reason withheld"],
          },
        ],
      },
      {
        name: "a post-start hook not done",
        fixture: "fires-post-start-hook.yaml",
        expect: [{ messageId: "checksFailing", subject: "APIServer/kube-apiserver", evidenceValues: ["[-]poststarthook/rbac/bootstrap-roles failed: reason withheld"] }],
      },
      {
        name: "no answer at all",
        fixture: "fires-unreachable.yaml",
        expect: [{ messageId: "unreachable", subject: "APIServer/kube-apiserver", evidenceValues: ["connect ECONNREFUSED 127.0.0.1:6443"] }],
      },
    ],
  },
  import.meta.url,
);
