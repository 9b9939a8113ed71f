// The sanitized record of a TLS Secret's certificate: what analyzers may know about tls.crt and tls.key
// after the Secret's values are redacted. Derived in the source layer before redaction, kept on the
// redacted Secret as an annotation, so archives carry it. It never holds key material.

/** The annotation on a redacted Secret that holds its TlsCertificateRecord as JSON. */
export const TLS_CERTIFICATE_ANNOTATION = "kubesleuth.dev/tls-certificate";

export interface TlsCertificateRecord {
  /** The leaf certificate's subject and issuer, as Node's X509Certificate prints them (`CN=...`). */
  subject?: string;
  issuer?: string;
  /** DNS names of the subjectAltName extension. */
  dnsNames?: string[];
  /** IP addresses of the subjectAltName extension. */
  ipAddresses?: string[];
  /** Validity, ISO 8601. */
  notBefore?: string;
  notAfter?: string;
  /** SHA-256 fingerprint of the leaf certificate (public). */
  fingerprint256?: string;
  /** Certificates in tls.crt (leaf plus chain). */
  certificates?: number;
  /** Whether tls.key holds the private key of the leaf certificate; absent when either does not parse. */
  keyMatches?: boolean;
  /** Why tls.crt could not be read (no PEM certificate, bad encoding). */
  certificateError?: string;
  /** Why tls.key could not be read, in kubesleuth's words (never the key or the library's message about it). */
  keyError?: string;
}

/** Reads the record from a Secret's annotations; undefined when absent or not valid JSON. */
export function tlsCertificateRecord(annotations: Readonly<Record<string, string>> | undefined): TlsCertificateRecord | undefined {
  const raw = annotations?.[TLS_CERTIFICATE_ANNOTATION];
  if (!raw) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === "object" ? (value as TlsCertificateRecord) : undefined;
  } catch {
    return undefined;
  }
}
