import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeCertificateExpiring } from "./node-certificate-expiring.js";

testAnalyzer(
  nodeCertificateExpiring,
  {
    quiet: [{ name: "30 days left, certificates not available", fixture: "quiet-certificates-valid.yaml", now: "2026-11-28T10:00:00Z" }],
    fires: [
      {
        name: "expired etcd client, kubelet client 9 days left, etcd server key mismatch",
        fixture: "fires-expired-and-expiring.yaml",
        now: "2026-11-28T10:00:00Z",
        expect: [
          { messageId: "expired", subject: "Node/cp-1", severity: "error", evidenceValues: ["2021-01-01T00:00:00.000Z"] },
          { messageId: "expiring", subject: "Node/cp-1", severity: "warning", evidenceValues: ["2026-12-08T00:00:00.000Z"] },
          { messageId: "keyMismatch", subject: "Node/cp-1", severity: "error", evidenceValues: ["does not match"] },
        ],
      },
    ],
  },
  import.meta.url,
);
