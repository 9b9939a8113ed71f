// Reads the API server's serving certificate with one TLS handshake (no HTTP request): subject, SANs,
// validity and issuer, and whether the chain verifies against the kubeconfig's CA. An untrusted CA does not
// stop the read (rejectUnauthorized false): trust is reported separately.
import { isIP } from "node:net";
import tls from "node:tls";
import type { ServingCertificateData } from "../../model/control-plane.js";

function nameOf(fields: Record<string, string | string[]> | undefined): string {
  if (!fields) return "";
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`)
    .join(", ");
}

/**
 * Connects to `serverUrl` (https only; undefined for http), SNI = its host unless the host is an IP address
 * (RFC 6066 forbids IP literals in SNI), verifying against `ca` when given, else the system CAs.
 */
export function readServingCertificate(serverUrl: string, ca: Buffer | undefined, timeoutMs = 10_000): Promise<ServingCertificateData | undefined> {
  const url = new URL(serverUrl);
  if (url.protocol !== "https:") return Promise.resolve(undefined);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 443);
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: ServingCertificateData): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(value);
    };
    const failed = (error: Error): void => done({ host, port, subject: "", issuer: "", subjectAltNames: [], notBefore: "", notAfter: "", trusted: false, error: error.message.replace(/[\r\n]+/g, " ") });
    const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}) }, () => {
      const cert = socket.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0) return failed(new Error("the server presented no certificate"));
      const subjectAltNames = (cert.subjectaltname ?? "").split(/,\s*/).filter(Boolean);
      const identity = tls.checkServerIdentity(host, cert);
      const trustError = socket.authorized ? identity?.message : String(socket.authorizationError);
      done({
        host,
        port,
        subject: nameOf(cert.subject as unknown as Record<string, string>),
        issuer: nameOf(cert.issuer as unknown as Record<string, string>),
        subjectAltNames,
        notBefore: new Date(cert.valid_from).toISOString(),
        notAfter: new Date(cert.valid_to).toISOString(),
        trusted: socket.authorized && !identity,
        ...(trustError ? { trustError } : {}),
      });
    });
    socket.setTimeout(timeoutMs, () => failed(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.on("error", failed);
  });
}
