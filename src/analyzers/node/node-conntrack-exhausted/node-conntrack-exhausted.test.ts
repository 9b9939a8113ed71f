import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeConntrackExhausted } from "./node-conntrack-exhausted.js";

testAnalyzer(
  nodeConntrackExhausted,
  {
    quiet: [{ name: "89.6% used without drops; conntrack not loaded", fixture: "quiet-conntrack-ok.yaml" }],
    fires: [
      {
        name: "table full messages in kern.log",
        fixture: "fires-table-full.yaml",
        expect: [{ messageId: "droppingPackets", subject: "Node/worker-1", severity: "error", evidenceValues: [262100, 2, "nf_conntrack: nf_conntrack: table full, dropping packet"] }],
      },
      // 240000 / 262144 = 91.5% >= 90%
      { name: "91% used, no drops yet", fixture: "fires-nearly-full.yaml", expect: [{ messageId: "nearlyFull", subject: "Node/worker-2", severity: "warning", evidenceValues: [240000] }] },
    ],
  },
  import.meta.url,
);
