// Whether a certificate's DNS names cover a host name, the way TLS clients verify it: RFC 6125 §6.4
// (case-insensitive; a wildcard only as the whole left-most label, matching exactly one label), as Go's
// crypto/x509 VerifyHostname does for subjectAltName DNS entries (the CommonName is not consulted).

function labels(name: string): string[] {
  return name.toLowerCase().replace(/\.$/, "").split(".");
}

/** Whether one DNS name of a certificate matches a host. A host written as a wildcard (`*.example.com`, allowed in Ingress TLS hosts) matches only the same wildcard. */
export function dnsNameMatches(pattern: string, host: string): boolean {
  const p = labels(pattern);
  const h = labels(host);
  if (p.length !== h.length || p.some((l) => l === "") || h.some((l) => l === "")) return false;
  for (let i = 0; i < p.length; i++) {
    if (i === 0 && p[0] === "*" && h[0] !== "*" && p.length > 2) continue; // `*` stands for exactly one label, never a whole registrable domain
    if (p[i] !== h[i]) return false;
  }
  return true;
}

/** The first DNS name that covers the host, if any. */
export function coveringName(dnsNames: readonly string[], host: string): string | undefined {
  return dnsNames.find((n) => dnsNameMatches(n, host));
}
