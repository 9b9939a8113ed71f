import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { volumeAttachFailing } from "./volume-attach-failing.js";

const NOW = "2024-06-01T12:00:00Z";

testAnalyzer(
  volumeAttachFailing,
  {
    quiet: [{ name: "a pod that mounted since its old FailedMount; one past mounting (image pull); a ConfigMap volume's FailedMount; a node that lists the driver", fixture: "quiet-mounted.yaml", now: NOW }],
    fires: [
      {
        // Expectations from the fixture's comments: which pod holds the RWO claim on which node, the
        // node without the EBS node plugin, and a driver's mount error.
        name: "Multi-Attach of a ReadWriteOnce claim across nodes, a CSI driver not registered on the node, a mount error",
        fixture: "fires-attach-and-mount.yaml",
        now: NOW,
        expect: [
          { messageId: "multiAttach", subject: "PersistentVolumeClaim/monitoring/grafana-data", evidenceValues: ["node-a", "node-b", ["ReadWriteOnce"]], affects: ["Pod/monitoring/grafana-6c9d7f5b8-k2xwm"] },
          { messageId: "nodePluginMissing", subject: "Node/node-c", evidenceValues: [["node-a"]], affects: ["Pod/db/db-0"] },
          { messageId: "mountFailed", subject: "PersistentVolumeClaim/logs/logs-data" },
          { messageId: "multiAttachHolderUnknown", subject: "PersistentVolumeClaim/cache/cache-data", affects: ["Pod/cache/cache-0"] },
          { messageId: "nodePluginMissing", subject: "Node/node-d", evidenceValues: [["efs.csi.aws.com"]], affects: ["Pod/search/search-0"] },
        ],
      },
    ],
  },
  import.meta.url,
);

it("volume-attach-failing: the node plugin finding says where the plugin runs and where it does not", () => {
  const findings = runAnalyzer(volumeAttachFailing, loadFixture(new URL("./fixtures/fires-attach-and-mount.yaml", import.meta.url)), Date.parse(NOW));
  const node = findings.find((f) => f.code.endsWith("/nodePluginMissing"))!;
  assert.ok(node.rootCause.includes("run on node-a but not on node-c"), node.rootCause);
  const multi = findings.find((f) => f.code.endsWith("/multiAttach"))!;
  assert.ok(multi.rootCause.includes("grafana-5b8c6d4a7-p9qrt on node node-a"), multi.rootCause);
  assert.equal(multi.remediation[0]!.command, "kubectl delete pod grafana-5b8c6d4a7-p9qrt -n monitoring");
});
