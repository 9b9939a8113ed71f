import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeForwardingDisabled } from "./node-forwarding-disabled.js";

testAnalyzer(
  nodeForwardingDisabled,
  {
    quiet: [{ name: "forwarding on, br_netfilter not loaded; a machine that is not a node", fixture: "quiet-forwarding-on.yaml" }],
    fires: [
      {
        name: "ip_forward 0 on a Node; bridge-nf-call-iptables 0 with br_netfilter loaded",
        fixture: "fires-forwarding-off.yaml",
        expect: [
          { messageId: "ipForwardOff", subject: "Node/worker-1", severity: "error", evidenceValues: ["0"] },
          { messageId: "bridgeNetfilterOff", subject: "Node/worker-2", severity: "warning", evidenceValues: ["0", true] },
        ],
      },
    ],
  },
  import.meta.url,
);
