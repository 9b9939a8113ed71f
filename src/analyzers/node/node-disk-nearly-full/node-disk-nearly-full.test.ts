import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeDiskNearlyFull } from "./node-disk-nearly-full.js";

testAnalyzer(
  nodeDiskNearlyFull,
  {
    quiet: [{ name: "84% used, no inode counts, absent runtime directory", fixture: "quiet-disk-ok.yaml" }],
    fires: [
      {
        name: "imagefs at 12% available is below imagefs.available<15%",
        fixture: "fires-below-threshold.yaml",
        expect: [{ messageId: "belowEvictionThreshold", subject: "Node/worker-1", severity: "error", evidenceValues: [88, "/var/lib/containerd/io.containerd.content.v1.content", "True"] }],
      },
      {
        name: "inodes 88% used on the kubelet's filesystem",
        fixture: "fires-inodes-nearly-full.yaml",
        expect: [{ messageId: "nearlyFull", subject: "Node/worker-2", severity: "warning", evidenceValues: [88, "/var/lib/kubelet/pods"] }],
      },
    ],
  },
  import.meta.url,
);
