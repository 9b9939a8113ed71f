import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { ingressTlsInvalid } from "./ingress-tls-invalid.js";

// The certificates' facts (names, validity) are the generator's inputs, written in fixtures/tls/test-certificates.json.
const now = "2024-05-01T10:00:00Z";

testAnalyzer(
  ingressTlsInvalid,
  {
    quiet: [{ name: "valid certificates with their keys, a wildcard covering one label, a TLS entry without Secret", fixture: "quiet-valid-certificates.yaml", now }],
    fires: [
      {
        name: "certificate expired a month before the scan",
        fixture: "fires-expired.yaml",
        now,
        expect: [{ messageId: "certificateNotValidNow", subject: "Ingress/legacy/old", severity: "error", evidenceValues: ["2024-04-01T00:00:00.000Z", "CN=old.example.com"] }],
      },
      {
        name: "wildcard certificate does not cover the apex nor two labels",
        fixture: "fires-host-not-covered.yaml",
        now,
        expect: [{ messageId: "hostNotCovered", subject: "Ingress/shop/apex", evidenceValues: ["example.com", "a.b.example.com", ["*.example.com"]] }],
      },
      {
        name: "key of another certificate; tls.crt not PEM; no tls.key",
        fixture: "fires-unreadable-and-wrong-key.yaml",
        now,
        expect: [
          { messageId: "keyMismatch", subject: "Ingress/blog/blog", evidenceValues: [false, "CN=blog.example.org"] },
          { messageId: "certificateUnreadable", subject: "Ingress/blog/broken", evidenceValues: ["tls.crt holds no PEM certificate (-----BEGIN CERTIFICATE-----)"] },
          { messageId: "certificateUnreadable", subject: "Ingress/blog/half", evidenceValues: [["tls.crt"]] },
        ],
      },
    ],
  },
  import.meta.url,
);
