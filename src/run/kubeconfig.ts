// Judges a kubeconfig at a given time: certificate validity (days left, expired, not yet valid),
// dangling context references, exec plugins missing from PATH, insecure TLS, missing credential files,
// and the live probes' verdicts. Pure: the CLI passes the inspection, the probes and `now`.
import type { CertificateInfo, ContextProbe, KubeconfigInspection } from "../model/kubeconfig.js";

export type CertificateState = "valid" | "expiring" | "expired" | "not-yet-valid";

export interface CertificateVerdict extends CertificateInfo {
  state: CertificateState;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
}

export interface KubeconfigProblem {
  severity: "error" | "warning";
  /** What it is about: `context/<name>`, `cluster/<name>`, `user/<name>`. */
  about: string;
  message: string;
}

export interface KubeconfigReport extends Omit<KubeconfigInspection, "clusters" | "users"> {
  clusters: (KubeconfigInspection["clusters"][number] & { caVerdicts: CertificateVerdict[] })[];
  users: (KubeconfigInspection["users"][number] & { clientCertificateVerdicts: CertificateVerdict[] })[];
  problems: KubeconfigProblem[];
  probes?: ContextProbe[];
  now: string;
}

/** Certificates expiring within this many days are warned about. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export function certificateVerdict(cert: CertificateInfo, now: number): CertificateVerdict {
  const notBefore = Date.parse(cert.notBefore);
  const notAfter = Date.parse(cert.notAfter);
  // Whole days, toward zero: 4.9 days left is 4; expired 9.9 days ago is -9.
  const daysLeft = Math.trunc((notAfter - now) / DAY_MS);
  // X.509 validity is inclusive of both ends (RFC 5280 4.1.2.5).
  const state: CertificateState = now < notBefore ? "not-yet-valid" : now > notAfter ? "expired" : daysLeft < EXPIRY_WARNING_DAYS ? "expiring" : "valid";
  return { ...cert, state, daysLeft };
}

function certProblems(about: string, what: string, verdicts: readonly CertificateVerdict[]): KubeconfigProblem[] {
  const out: KubeconfigProblem[] = [];
  for (const v of verdicts) {
    const name = `${what} ${v.subject} (${v.from})`;
    if (v.state === "expired") out.push({ severity: "error", about, message: `${name} expired ${v.notAfter} (${-v.daysLeft} day(s) ago)` });
    else if (v.state === "not-yet-valid") out.push({ severity: "error", about, message: `${name} is not valid before ${v.notBefore} (clock skew, or issued for later)` });
    else if (v.state === "expiring") out.push({ severity: "warning", about, message: `${name} expires ${v.notAfter} (${v.daysLeft} day(s) left)` });
  }
  return out;
}

export function judgeKubeconfig(inspection: KubeconfigInspection, now: number, probes?: ContextProbe[]): KubeconfigReport {
  const problems: KubeconfigProblem[] = [];
  const clusterNames = new Set(inspection.clusters.map((c) => c.name));
  const userNames = new Set(inspection.users.map((u) => u.name));
  for (const f of inspection.missingFiles) problems.push({ severity: "warning", about: `file/${f}`, message: `KUBECONFIG lists ${f}, which does not exist (kubectl ignores it)` });
  if (!inspection.currentContext) problems.push({ severity: "warning", about: "current-context", message: "no current-context: kubectl needs --context" });
  else if (!inspection.contexts.some((c) => c.name === inspection.currentContext)) {
    problems.push({ severity: "error", about: "current-context", message: `current-context "${inspection.currentContext}" is not defined` });
  }
  for (const c of inspection.contexts) {
    if (!clusterNames.has(c.cluster)) problems.push({ severity: "error", about: `context/${c.name}`, message: `refers to cluster "${c.cluster}", which is not defined` });
    if (c.user && !userNames.has(c.user)) problems.push({ severity: "error", about: `context/${c.name}`, message: `refers to user "${c.user}", which is not defined` });
  }
  const clusters = inspection.clusters.map((c) => {
    const caVerdicts = c.ca.map((cert) => certificateVerdict(cert, now));
    const about = `cluster/${c.name}`;
    if (!c.server) problems.push({ severity: "error", about, message: "no server URL" });
    if (c.insecureSkipTlsVerify) problems.push({ severity: "warning", about, message: "insecure-skip-tls-verify: the server's certificate is not checked (anyone on the path can impersonate it)" });
    for (const p of c.caProblems) problems.push({ severity: "error", about, message: `certificate authority ${p.from}: ${p.problem}` });
    problems.push(...certProblems(about, "CA", caVerdicts));
    return { ...c, caVerdicts };
  });
  const users = inspection.users.map((u) => {
    const clientCertificateVerdicts = u.clientCertificate.map((cert) => certificateVerdict(cert, now));
    const about = `user/${u.name}`;
    for (const p of u.clientCertificateProblems) problems.push({ severity: "error", about, message: `client certificate ${p.from}: ${p.problem}` });
    problems.push(...certProblems(about, "client certificate", clientCertificateVerdicts.slice(0, 1)));
    const hasCert = u.clientCertificate.length > 0 || u.clientCertificateProblems.length > 0;
    if (hasCert && u.clientKey === "none") problems.push({ severity: "error", about, message: "client certificate without a client key" });
    if (u.clientKey === "missing-file") problems.push({ severity: "error", about, message: "client-key file does not exist" });
    if (u.token === "missing-file") problems.push({ severity: "error", about, message: "tokenFile does not exist" });
    if (u.exec && !u.exec.resolved) problems.push({ severity: "error", about, message: `exec plugin command "${u.exec.command}" not found on PATH (or not executable)` });
    // client-go removed its gcp and azure auth-provider plugins in 1.26 (oidc remains).
    if (u.authProvider === "gcp" || u.authProvider === "azure") {
      problems.push({ severity: "error", about, message: `auth-provider "${u.authProvider}" was removed from client-go/kubectl 1.26: use the exec plugin (${u.authProvider === "gcp" ? "gke-gcloud-auth-plugin" : "kubelogin"})` });
    }
    return { ...u, clientCertificateVerdicts };
  });
  for (const p of probes ?? []) {
    const about = `context/${p.context}`;
    if (!p.version.answers) problems.push({ severity: "error", about, message: `server ${p.server} does not answer /version: ${p.version.error}` });
    if (p.auth.status === "unauthenticated" || p.auth.status === "error") problems.push({ severity: "error", about, message: p.auth.detail });
    else if (p.auth.status === "forbidden" || p.auth.status === "unsupported") problems.push({ severity: "warning", about, message: p.auth.detail });
  }
  return { ...inspection, clusters, users, problems, ...(probes ? { probes } : {}), now: new Date(now).toISOString() };
}
