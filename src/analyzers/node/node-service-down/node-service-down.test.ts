import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeServiceDown } from "./node-service-down.js";

testAnalyzer(
  nodeServiceDown,
  {
    quiet: [{ name: "services up, nothing installed, services not available", fixture: "quiet-services-up.yaml" }],
    fires: [
      {
        name: "kubelet stopped by systemd (swap on), node Unknown",
        fixture: "fires-kubelet-stopped.yaml",
        expect: [
          {
            messageId: "kubeletDown",
            subject: "Node/worker-1",
            severity: "error",
            evidenceValues: [
              "inactive",
              '2026-11-28T09:41:01+0000 worker-1 kubelet[812]: E1128 09:41:01.120331     812 run.go:72] "command failed" err="failed to run Kubelet: running with swap on is not supported, please disable swap"',
              "Unknown",
            ],
          },
        ],
      },
      {
        name: "the node's runtime (containerd) down while docker runs; both installed runtimes down on a node without a Node object",
        fixture: "fires-runtime-down.yaml",
        expect: [
          { messageId: "runtimeDown", subject: "Node/worker-2", evidenceValues: ["not running", "containerd://1.7.22", "False"] },
          { messageId: "runtimeDown", subject: "Node/worker-3", evidenceValues: ["failed"] },
        ],
      },
    ],
  },
  import.meta.url,
);
