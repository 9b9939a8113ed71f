// Decides whether the TLS Secrets of an Ingress hold a usable certificate: it parses, is valid now,
// covers the Ingress's TLS hosts, and its key matches. Reads the sanitized certificate record the source
// layer derived before redaction (model/tls.ts); Secret values themselves are never seen here.
import { defineAnalyzer, type FindingDraft } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Ingress, Secret } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { TLS_CERTIFICATE_ANNOTATION, tlsCertificateRecord, type TlsCertificateRecord } from "../../../model/tls.js";
import { coveringName } from "../../../semantics/tls-hosts.js";
import { formatAge } from "../../../semantics/time.js";

type MessageId = "certificateUnreadable" | "certificateNotValidNow" | "hostNotCovered" | "keyMismatch";

const RECORD_PATH = `metadata.annotations.${TLS_CERTIFICATE_ANNOTATION}`;

function recordEvidence(secret: Secret, record: TlsCertificateRecord, fields: (keyof TlsCertificateRecord)[]): Evidence[] {
  return fields
    .filter((f) => record[f] !== undefined)
    .map((f) => ({ ref: refOf(secret), path: `${RECORD_PATH}.${f}`, value: record[f] as unknown, note: "from tls.crt (public), derived before redaction" }));
}

export const ingressTlsInvalid = defineAnalyzer({
  id: "ingress-tls-invalid",
  title: "Ingress TLS certificate unusable (unreadable, expired, wrong hosts, wrong key)",
  area: "ingress",
  severity: "error",
  needs: ["Ingress", "Secret"],
  messages: {
    certificateUnreadable: {
      summary: "Ingress {{namespace}}/{{ingress}}: TLS Secret {{secret}} is unusable: {{problem}}",
      rootCause:
        "The controller loads the certificate and key of {{secret}} for {{hosts}}; {{problem}}. Controllers then serve their default (self-signed) certificate for these hosts, which clients reject.",
      remediation: "Put a PEM certificate (chain) in tls.crt and its PEM private key in tls.key, e.g. with kubectl create secret tls.",
    },
    certificateNotValidNow: {
      summary: "Ingress {{namespace}}/{{ingress}}: the certificate in {{secret}} {{state}} ({{subject}})",
      rootCause:
        "The certificate of {{secret}} is valid from {{notBefore}} to {{notAfter}}; at the time of the scan it {{state}}. TLS clients reject it for {{hosts}}.",
      remediation: "Renew the certificate (or fix the issuer's renewal, e.g. cert-manager) and update the Secret.",
    },
    hostNotCovered: {
      summary: "Ingress {{namespace}}/{{ingress}}: the certificate in {{secret}} does not cover {{uncovered}}",
      rootCause:
        "spec.tls lists {{uncovered}} for Secret {{secret}}, but the certificate's DNS names are {{dnsNames}}. Clients match the host against these names (RFC 6125: a wildcard stands for exactly one left-most label), so they reject the certificate for {{uncovered}}.",
      remediation: "Issue a certificate whose subjectAltName covers every host listed with this Secret, or move the hosts to a Secret that covers them.",
    },
    keyMismatch: {
      summary: "Ingress {{namespace}}/{{ingress}}: tls.key in {{secret}} is not the key of its certificate ({{subject}})",
      rootCause:
        "The private key in tls.key does not belong to the public key of the certificate in tls.crt (often a renewed certificate stored with the old key). The controller cannot use the pair and serves its default certificate for {{hosts}}.",
      remediation: "Store the certificate together with the private key it was issued for (kubectl create secret tls NAME --cert=... --key=... --dry-run=client -o yaml | kubectl apply -f -).",
    },
  },
  run({ index, now, report }) {
    if (!index.has("Secret")) return;
    for (const ingress of index.all<Ingress>("Ingress")) {
      const ns = ingress.metadata.namespace ?? "default";
      (ingress.spec?.tls ?? []).forEach((tls, i) => {
        if (!tls.secretName) return; // no Secret: the controller's default certificate, by intent
        const secret = index.secret(ns, tls.secretName);
        if (!secret) return; // ingress-backend-missing reports a missing Secret
        const hosts = tls.hosts ?? [];
        const hostText = hosts.length ? hosts.join(", ") : "the Ingress's hosts";
        const base = { namespace: ns, ingress: ingress.metadata.name, secret: `${ns}/${tls.secretName}`, hosts: hostText };
        const ingRef = refOf(ingress);
        const secretRef = refOf(secret);
        const tlsEvidence: Evidence = { ref: ingRef, path: `spec.tls[${i}].secretName`, value: tls.secretName };
        const describeCmd = `kubectl get secret ${tls.secretName} -n ${ns} -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -subject -issuer -dates -ext subjectAltName`;
        const emit = (messageId: MessageId, data: Record<string, string | number>, evidence: Evidence[], fix: string): void => {
          const draft: FindingDraft = {
            subject: ingRef,
            data: { ...base, ...data },
            evidence: [tlsEvidence, ...evidence],
            affected: [secretRef],
            investigation: [{ step: "Read the certificate of the Secret (tls.crt is public)", command: describeCmd, result: String(data.problem ?? data.state ?? data.uncovered ?? data.subject ?? ""), outcome: "problem" }],
            remediation: [
              {
                description: fix,
                command: `kubectl create secret tls ${tls.secretName} -n ${ns} --cert=<cert.pem> --key=<key.pem> --dry-run=client -o yaml | kubectl apply -f -`,
                verify: `openssl s_client -connect <ingress address>:443 -servername ${hosts[0] ?? "<host>"} </dev/null | openssl x509 -noout -subject -dates`,
              },
            ],
          };
          report(messageId, draft);
        };
        const data = (secret.data ?? {}) as Record<string, unknown>;
        const stringData = (secret.stringData ?? {}) as Record<string, unknown>;
        const hasKey = (k: string): boolean => k in data || k in stringData;
        if (!hasKey("tls.crt") || !hasKey("tls.key")) {
          const missing = ["tls.crt", "tls.key"].filter((k) => !hasKey(k));
          emit("certificateUnreadable", { problem: `the Secret has no ${missing.join(" and no ")} key` }, [{ ref: secretRef, path: "data", value: Object.keys(data).sort(), note: `keys present (type ${String(secret.type ?? "unset")})` }], "Create the Secret with both tls.crt and tls.key");
          return;
        }
        const record = tlsCertificateRecord(secret.metadata.annotations);
        if (!record) return; // a snapshot redacted without a record: cannot determine
        if (record.certificateError || record.keyError) {
          const problem = record.certificateError ?? record.keyError!;
          emit("certificateUnreadable", { problem }, [{ ref: secretRef, path: `${RECORD_PATH}.${record.certificateError ? "certificateError" : "keyError"}`, value: problem }], "Put a valid PEM certificate and private key in the Secret");
          return;
        }
        const subject = record.subject ?? "no subject";
        const notBefore = record.notBefore ? Date.parse(record.notBefore) : Number.NaN;
        const notAfter = record.notAfter ? Date.parse(record.notAfter) : Number.NaN;
        if (now > notAfter || now < notBefore) {
          const state = now > notAfter ? `expired ${formatAge(now - notAfter)} ago (${record.notAfter})` : `is not valid before ${record.notBefore}`;
          emit("certificateNotValidNow", { state, subject, notBefore: record.notBefore ?? "?", notAfter: record.notAfter ?? "?" }, recordEvidence(secret, record, ["subject", "notBefore", "notAfter"]), "Renew the certificate and update the Secret");
        }
        const uncovered = hosts.filter((h) => !coveringName(record.dnsNames ?? [], h));
        if (uncovered.length) {
          emit(
            "hostNotCovered",
            { uncovered: uncovered.join(", "), dnsNames: record.dnsNames?.length ? record.dnsNames.join(", ") : "none (no subjectAltName)" },
            [...uncovered.map((h) => ({ ref: ingRef, path: `spec.tls[${i}].hosts[${hosts.indexOf(h)}]`, value: h, note: "not covered" })), ...recordEvidence(secret, record, ["dnsNames", "subject"])],
            `Issue a certificate that covers ${uncovered.join(", ")}`,
          );
        }
        if (record.keyMatches === false) {
          emit("keyMismatch", { subject }, [{ ref: secretRef, path: `${RECORD_PATH}.keyMatches`, value: false, note: "tls.key is not the private key of tls.crt's leaf certificate" }, ...recordEvidence(secret, record, ["subject", "fingerprint256"])], "Store the certificate with its own private key");
        }
      });
    }
  },
});
