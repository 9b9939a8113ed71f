import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { apiserverCertificateInvalid, hostInSans } from "./apiserver-certificate-invalid.js";

testAnalyzer(
  apiserverCertificateInvalid,
  {
    quiet: [
      { name: "kubeadm certificate valid for a year", fixture: "quiet-kubeadm.yaml", now: "2026-11-28T00:00:00Z" },
      { name: "no certificate read (http server, or not live)", yaml: "kind: KubesleuthControlPlane\nhealth: []\n" },
    ],
    fires: [
      {
        name: "expired",
        fixture: "fires-expired.yaml",
        now: "2026-11-28T00:00:00Z",
        expect: [{ messageId: "expired", subject: "APIServer/kube-apiserver", severity: "critical", evidenceValues: ["CN=kube-apiserver", "2026-11-01T09:05:00.000Z"] }],
      },
      {
        // 2026-12-10T09:05Z is 12 days 9 h after the reference time: within 30 days.
        name: "expiring in 12 days",
        fixture: "fires-expiring.yaml",
        now: "2026-11-28T00:00:00Z",
        expect: [{ messageId: "expiring", subject: "APIServer/kube-apiserver", severity: "warning", evidenceValues: ["CN=kube-apiserver", "2026-12-10T09:05:00.000Z"] }],
      },
      {
        name: "not yet valid",
        fixture: "fires-not-yet-valid.yaml",
        now: "2026-11-28T00:00:00Z",
        expect: [{ messageId: "notYetValid", subject: "APIServer/kube-apiserver", severity: "error", evidenceValues: ["2026-12-05T00:00:00.000Z"] }],
      },
      {
        name: "host not in the SANs",
        fixture: "fires-host-not-in-sans.yaml",
        now: "2026-11-28T00:00:00Z",
        expect: [{ messageId: "hostNotInSans", subject: "APIServer/kube-apiserver", severity: "error" }],
      },
    ],
  },
  import.meta.url,
);

// Go's crypto/x509 (Certificate.VerifyHostname, matchHostnames): IPs match IP SANs only; names match
// case-insensitively; a wildcard covers exactly the left-most label.
describe("hostInSans", () => {
  const sans = ["DNS:kubernetes", "DNS:*.api.example.com", "IP Address:10.96.0.1", "IP Address:FD00:0:0:0:0:0:0:1"];
  it("matches names exactly, case-insensitively", () => {
    assert.equal(hostInSans("kubernetes", sans), true);
    assert.equal(hostInSans("KUBERNETES", sans), true);
    assert.equal(hostInSans("kubernetes.default", sans), false);
  });
  it("matches a wildcard in one left-most label only", () => {
    assert.equal(hostInSans("eu.api.example.com", sans), true);
    assert.equal(hostInSans("a.eu.api.example.com", sans), false);
    assert.equal(hostInSans("api.example.com", sans), false);
  });
  it("matches IPs against IP SANs in any IPv6 spelling, never against DNS SANs", () => {
    assert.equal(hostInSans("10.96.0.1", sans), true);
    assert.equal(hostInSans("fd00::1", sans), true);
    assert.equal(hostInSans("10.96.0.2", sans), false);
    assert.equal(hostInSans("10.96.0.1", ["DNS:10.96.0.1"]), false);
  });
});
