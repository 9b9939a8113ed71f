import { it } from "node:test";
import assert from "node:assert/strict";
import { loadFixture } from "../../../testing/load-fixture.js";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { clusterDnsUnhealthy } from "./cluster-dns-unhealthy.js";

// The loop plugin's FATAL line as CoreDNS prints it (coredns.io/plugins/loop, "Troubleshooting").
const LOOP_LINE = '[FATAL] plugin/loop: Loop (127.0.0.1:55953 -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547991504243258144.3688648895315093531."';
const NOW = "2024-05-14T10:00:00Z";

testAnalyzer(
  clusterDnsUnhealthy,
  {
    quiet: [{ name: "two ready CoreDNS pods, old restarts", fixture: "quiet-dns-ready.yaml", now: NOW }],
    fires: [
      {
        // Affected: web (dnsPolicy unset = ClusterFirst) and agent (ClusterFirstWithHostNet); not batch
        // (Default), node-exporter (hostNetwork + ClusterFirst falls back to Default), done (Succeeded).
        name: "no ready endpoint: every ClusterFirst pod is affected",
        fixture: "fires-no-ready-endpoints.yaml",
        now: NOW,
        expect: [{ messageId: "noReadyEndpoints", subject: "Service/kube-system/kube-dns", severity: "critical", evidenceValues: ["False"], affects: ["Pod/shop/web", "Pod/monitoring/agent"] }],
      },
      {
        name: "forwarding loop in the previous container's log",
        fixture: "fires-no-ready-endpoints.yaml",
        now: NOW,
        logs: [
          { namespace: "kube-system", pod: "coredns-5d78c9869d-aaaaa", container: "coredns", previous: true, text: `.:53\nCoreDNS-1.11.1\nlinux/amd64, go1.20.7\n${LOOP_LINE}\n` },
        ],
        expect: [{ messageId: "loopDetected", subject: "Service/kube-system/kube-dns", severity: "critical", evidenceValues: [LOOP_LINE], affects: ["Pod/shop/web"] }],
      },
      {
        name: "one of two CoreDNS pods crash looping",
        fixture: "fires-one-crash-looping.yaml",
        now: NOW,
        expect: [{ messageId: "crashLooping", subject: "Service/kube-system/kube-dns", severity: "warning", evidenceValues: ["CrashLoopBackOff"], affects: ["Pod/shop/web"] }],
      },
    ],
  },
  import.meta.url,
);

it("cluster-dns-unhealthy: impact is exactly the live pods resolving through cluster DNS", () => {
  const findings = runAnalyzer(clusterDnsUnhealthy, loadFixture(new URL("./fixtures/fires-no-ready-endpoints.yaml", import.meta.url)), Date.parse(NOW));
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0]!.impact.direct.filter((r) => r.kind === "Pod").map((r) => `${r.namespace}/${r.name}`).sort(), ["monitoring/agent", "shop/web"]);
});
