// Reads the API server's serving certificate as presented in a live TLS handshake: expired, not yet valid,
// expiring within 30 days, or not naming the host clients dial (the kubeconfig server's host).
import { defineAnalyzer } from "../../define.js";
import type { ServingCertificateData } from "../../../model/control-plane.js";
import { API_SERVER_REF } from "../api-server-ref.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** kubeadm's `certs check-expiration` and its renewal guidance look 30 days ahead; so does node-certificate-expiring. */
export const EXPIRY_WARNING_DAYS = 30;

/** 4 for a dotted IPv4 literal, 6 for an IPv6 one (a host from a URL holds ":" only as IPv6), 0 for a name. */
function isIP(host: string): 0 | 4 | 6 {
  if (host.includes(":")) return 6;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? 4 : 0;
}

/** IPv6 addresses compared in one spelling (Node writes SAN IPs expanded, upper case). */
function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head, tail] = ip.toLowerCase().split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, "")).join(":");
}

/**
 * Whether `host` is among the certificate's subjectAltNames, as Go's crypto/x509 VerifyHostname decides
 * (the API server's clients are Go): an IP host must equal an IP SAN; a DNS host equals a DNS SAN
 * case-insensitively, or matches a wildcard SAN `*.rest` in its whole left-most label only. The subject CN
 * is not consulted (Go dropped the CN fallback in 1.17).
 */
export function hostInSans(host: string, sans: readonly string[]): boolean {
  if (isIP(host)) {
    const want = canonicalIp(host);
    return sans.some((s) => s.startsWith("IP Address:") && canonicalIp(s.slice("IP Address:".length)) === want);
  }
  const name = host.toLowerCase().replace(/\.$/, "");
  for (const san of sans) {
    if (!san.startsWith("DNS:")) continue;
    const pattern = san.slice(4).toLowerCase().replace(/\.$/, "");
    if (pattern === name) return true;
    if (pattern.startsWith("*.") && name.includes(".")) {
      const rest = name.slice(name.indexOf(".") + 1);
      if (rest === pattern.slice(2)) return true;
    }
  }
  return false;
}

function evidenceOf(cert: ServingCertificateData): { ref: typeof API_SERVER_REF; path: string; value: string }[] {
  return [
    { ref: API_SERVER_REF, path: "servingCertificate.subject", value: cert.subject },
    { ref: API_SERVER_REF, path: "servingCertificate.notAfter", value: cert.notAfter },
  ];
}

const INSPECT = (cert: ServingCertificateData): string => `openssl s_client -connect ${cert.host.includes(":") ? `[${cert.host}]` : cert.host}:${cert.port} -servername ${cert.host} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates -ext subjectAltName`;

export const apiserverCertificateInvalid = defineAnalyzer({
  id: "apiserver-certificate-invalid",
  title: "The API server's serving certificate is expired, expiring or does not name the server's host",
  area: "control-plane",
  severity: "error",
  needs: [],
  needsControlPlane: true,
  messages: {
    expired: {
      summary: "The API server's serving certificate expired {{ago}} ago ({{notAfter}})",
      rootCause: "The certificate the API server presents ({{subject}}, issued by {{issuer}}) is valid until {{notAfter}}; clients that verify it (kubectl, kubelets, controllers) refuse the connection with \"x509: certificate has expired\".",
      remediation: "Renew the API server's serving certificate (kubeadm: `kubeadm certs renew apiserver`) and restart the API server.",
      severity: "critical",
    },
    notYetValid: {
      summary: "The API server's serving certificate is not valid before {{notBefore}}",
      rootCause: "The certificate ({{subject}}) is valid from {{notBefore}}, after the reference time: clients refuse it (\"x509: certificate has expired or is not yet valid\"). The clock of the issuer or of this machine is off.",
      remediation: "Check the clocks (NTP) of the control-plane nodes and of the client; reissue the certificate if it was issued with a future date.",
      severity: "error",
    },
    expiring: {
      summary: "The API server's serving certificate expires in {{days}} days ({{notAfter}})",
      rootCause: "The certificate the API server presents ({{subject}}, issued by {{issuer}}) is valid until {{notAfter}}, within {{limit}} days. When it expires every verifying client fails.",
      remediation: "Renew it before then (kubeadm: `kubeadm certs renew apiserver`, or upgrade the control plane, which renews it) and restart the API server.",
      severity: "warning",
    },
    hostNotInSans: {
      summary: "The API server's serving certificate does not name {{host}}",
      rootCause: "Clients dial {{host}} (the kubeconfig's server), but the certificate's subjectAltNames are {{sans}}: verifying clients fail with \"x509: certificate is valid for ..., not {{host}}\".",
      remediation: "Reissue the serving certificate with {{host}} among its SANs (kubeadm: apiServer.certSANs in the ClusterConfiguration, then `kubeadm init phase certs apiserver`), or point the kubeconfig at a name the certificate holds.",
      severity: "error",
    },
  },
  run({ snapshot, report, now }) {
    const cert = snapshot.controlPlane?.servingCertificate;
    if (!cert || cert.error || !cert.notAfter) return;
    const notAfter = Date.parse(cert.notAfter);
    const notBefore = Date.parse(cert.notBefore);
    const investigation = [{ step: "Read the certificate the API server presents", command: INSPECT(cert), result: `${cert.subject}; valid ${cert.notBefore} to ${cert.notAfter}; ${cert.subjectAltNames.join(", ")}`, outcome: "problem" as const }];
    const data = { subject: cert.subject || "(empty subject)", issuer: cert.issuer || "(empty issuer)", notAfter: cert.notAfter, notBefore: cert.notBefore };
    if (now > notAfter) {
      const days = Math.floor((now - notAfter) / DAY_MS);
      report("expired", { subject: API_SERVER_REF, data: { ...data, ago: days >= 1 ? `${days} days` : "less than a day" }, evidence: evidenceOf(cert), investigation });
    } else if (now < notBefore) {
      report("notYetValid", { subject: API_SERVER_REF, data, evidence: [{ ref: API_SERVER_REF, path: "servingCertificate.notBefore", value: cert.notBefore }], investigation });
    } else if (notAfter - now <= EXPIRY_WARNING_DAYS * DAY_MS) {
      report("expiring", { subject: API_SERVER_REF, data: { ...data, days: Math.floor((notAfter - now) / DAY_MS), limit: EXPIRY_WARNING_DAYS }, evidence: evidenceOf(cert), investigation });
    }
    if (!hostInSans(cert.host, cert.subjectAltNames)) {
      report("hostNotInSans", {
        subject: API_SERVER_REF,
        data: { host: cert.host, sans: cert.subjectAltNames.join(", ") || "(none)" },
        evidence: [{ ref: API_SERVER_REF, path: "servingCertificate.subjectAltNames", value: cert.subjectAltNames.join(", ") || "(none)" }, ...(cert.trustError ? [{ ref: API_SERVER_REF, path: "servingCertificate.trustError", value: cert.trustError }] : [])],
        investigation,
      });
    }
  },
});
