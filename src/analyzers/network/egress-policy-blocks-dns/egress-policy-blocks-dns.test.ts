import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { egressPolicyBlocksDns } from "./egress-policy-blocks-dns.js";

testAnalyzer(
  egressPolicyBlocksDns,
  {
    quiet: [{ name: "DNS egress allowed; dnsPolicy Default pod; ingress-only policy", fixture: "quiet-dns-allowed.yaml" }],
    fires: [
      {
        // networking/v1: a pod selected by an Egress policy may only send what some egress rule allows;
        // api-egress allows TCP 5432 to app=db only, so UDP/TCP 53 to the CoreDNS pod match no rule.
        name: "egress rule to the database only; UDP-only DNS rule in another namespace",
        fixture: "fires-egress-without-dns.yaml",
        expect: [
          { messageId: "blocked", subject: "Deployment/shop/api", evidenceValues: ["UDP 53 denied", "TCP 53 denied", ["Egress"]], affects: ["Pod/shop/api-7d9f8-aaaaa", "Pod/shop/api-7d9f8-bbbbb"] },
          { messageId: "tcpBlocked", subject: "Pod/web/web-1", evidenceValues: ["TCP 53 denied"] },
        ],
      },
      {
        name: "no kube-dns in the snapshot: no rule admits port 53 to anything",
        fixture: "fires-no-dns-pods.yaml",
        expect: [{ messageId: "blocked", subject: "Pod/shop/api", evidenceValues: ["UDP 53 denied", "TCP 53 denied"] }],
      },
    ],
  },
  import.meta.url,
);

it("egress-policy-blocks-dns: the proposed policy is verified by re-evaluating with the engine", () => {
  const findings = runAnalyzer(egressPolicyBlocksDns, loadFixture(new URL("./fixtures/fires-egress-without-dns.yaml", import.meta.url)));
  const api = findings.find((f) => f.subject.name === "api")!;
  assert.match(api.remediation[0]!.description, /re-evaluated: with it the egress to kube-dns on UDP and TCP 53 is allowed/);
  assert.match(api.remediation[0]!.command ?? "", /ports: \[\{ protocol: UDP, port: 53 \}, \{ protocol: TCP, port: 53 \}\]/);
});
