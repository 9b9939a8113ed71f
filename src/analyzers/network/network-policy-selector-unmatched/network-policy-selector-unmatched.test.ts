import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { networkPolicySelectorUnmatched } from "./network-policy-selector-unmatched.js";

testAnalyzer(
  networkPolicySelectorUnmatched,
  {
    quiet: [{ name: "every selector and named port matches; {} default in an empty namespace", fixture: "quiet-all-match.yaml" }],
    fires: [
      {
        // Named ports resolve on the destination pod's ports of the same protocol (networking/v1
        // NetworkPolicyPort.port); a podSelector-only peer looks in the policy's own namespace.
        name: "label typos and undeclared named ports",
        fixture: "fires-typos.yaml",
        expect: [
          { messageId: "selectsNoPod", subject: "NetworkPolicy/shop/payments-policy", severity: "info", evidenceValues: [{ matchLabels: { app: "payments" } }] },
          { messageId: "peerNamespaceUnmatched", subject: "NetworkPolicy/shop/web-policy", severity: "info", evidenceValues: [{ matchLabels: { team: "frontend" } }] },
          { messageId: "peerPodUnmatched", subject: "NetworkPolicy/shop/web-policy", severity: "info", evidenceValues: [{ matchLabels: { app: "gatway" } }] },
          { messageId: "namedPortUndeclared", subject: "NetworkPolicy/shop/web-policy", severity: "warning", evidenceValues: ["https", "metrics"] },
        ],
      },
    ],
  },
  import.meta.url,
);

describe("network-policy-selector-unmatched when pods were not all read", () => {
  it("stays quiet when the Pod list is partial", () => {
    const base = loadFixture(new URL("./fixtures/fires-typos.yaml", import.meta.url));
    const coverage = { ...base.coverage, Pod: { count: 4, status: "partial" as const, note: "cut short" } };
    assert.deepEqual(runAnalyzer(networkPolicySelectorUnmatched, { ...base, coverage }), []);
  });
});
