// Derives the sanitized TlsCertificateRecord of a Secret's tls.crt / tls.key, before redaction.
// tls.crt is public; tls.key is only used to check that it matches and never leaves this function.
import { X509Certificate, createPrivateKey } from "node:crypto";
import type { TlsCertificateRecord } from "../model/tls.js";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** `DNS:a.example.com, IP Address:10.0.0.1` (Node's subjectAltName) split into names and addresses. */
function parseSubjectAltName(san: string | undefined): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const part of (san ?? "").split(/,\s*/)) {
    if (part.startsWith("DNS:")) dnsNames.push(part.slice(4));
    else if (part.startsWith("IP Address:")) ipAddresses.push(part.slice(11));
  }
  return { dnsNames, ipAddresses };
}

/** The record of a PEM certificate chain and (optionally) its PEM private key. Never throws. */
export function certificateRecord(certificatePem: string, keyPem: string | undefined): TlsCertificateRecord {
  const blocks = certificatePem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return { certificateError: "tls.crt holds no PEM certificate (-----BEGIN CERTIFICATE-----)" };
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(blocks[0]!);
  } catch {
    return { certificates: blocks.length, certificateError: "the first certificate in tls.crt does not parse as X.509 (bad base64 or DER)" };
  }
  const record: TlsCertificateRecord = {
    subject: leaf.subject.split("\n").join(", "),
    issuer: leaf.issuer.split("\n").join(", "),
    ...parseSubjectAltName(leaf.subjectAltName),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
    fingerprint256: leaf.fingerprint256,
    certificates: blocks.length,
  };
  if (keyPem === undefined) return { ...record, keyError: "the Secret has no tls.key" };
  try {
    record.keyMatches = leaf.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    // The library's message could quote the input: say it in our own words.
    record.keyError = "tls.key does not parse as a PEM private key";
  }
  return record;
}
