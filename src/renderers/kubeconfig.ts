// Renders the kubeconfig report as text. Secrets are not in the report, so they cannot be rendered.
import type { CertificateVerdict, KubeconfigReport } from "../run/kubeconfig.js";

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join("").trimEnd()).join("\n");
}

function certLine(label: string, v: CertificateVerdict): string {
  const state = v.state === "expired" ? `EXPIRED ${-v.daysLeft} day(s) ago` : v.state === "not-yet-valid" ? `NOT YET VALID (from ${v.notBefore})` : `${v.daysLeft} day(s) left${v.state === "expiring" ? " (expiring)" : ""}`;
  return `${label}: ${v.subject}, valid ${v.notBefore} .. ${v.notAfter}, ${state} [${v.from}]`;
}

export function renderKubeconfigText(report: KubeconfigReport): string {
  const out: string[] = [];
  out.push(`kubeconfig: ${report.files.join(", ")}${report.files.length > 1 ? " (merged: the first file to define a name wins)" : ""}`);
  out.push(`current-context: ${report.currentContext ?? "(none)"}`, "");
  const ctx = [["CURRENT", "NAME", "CLUSTER", "USER", "NAMESPACE"]];
  for (const c of report.contexts) ctx.push([c.current ? "*" : "", c.name, c.cluster, c.user, c.namespace ?? ""]);
  out.push("Contexts:", table(ctx).replace(/^/gm, "  "), "");

  out.push("Clusters:");
  for (const c of report.clusters) {
    out.push(`  ${c.name}: ${c.server ?? "(no server)"}`);
    if (c.proxyUrl) out.push(`    proxy-url: ${c.proxyUrl}`);
    if (c.tlsServerName) out.push(`    tls-server-name: ${c.tlsServerName}`);
    if (c.insecureSkipTlsVerify) out.push("    insecure-skip-tls-verify: true (server certificate NOT checked)");
    if (c.systemTrust && !c.insecureSkipTlsVerify) out.push("    CA: none configured (system trust store)");
    for (const v of c.caVerdicts) out.push(`    ${certLine("CA", v)}`);
    for (const p of c.caProblems) out.push(`    CA: ${p.problem} [${p.from}]`);
  }
  out.push("", "Users:");
  for (const u of report.users) {
    const auth: string[] = [];
    if (u.clientCertificate.length || u.clientCertificateProblems.length) auth.push(`client certificate (key: ${u.clientKey === "data" ? "inline" : u.clientKey})`);
    if (u.token !== "none") auth.push(u.token === "inline" ? "token present" : u.token === "file" ? "token file present" : "token file MISSING");
    if (u.basicAuth) auth.push("basic auth present");
    if (u.exec) auth.push(`exec plugin`);
    if (u.authProvider) auth.push(`auth-provider ${u.authProvider}`);
    out.push(`  ${u.name}: ${auth.join(", ") || "no credentials"}${u.impersonate ? ` (impersonates ${u.impersonate})` : ""}`);
    for (const v of u.clientCertificateVerdicts) out.push(`    ${certLine("client certificate", v)}`);
    for (const p of u.clientCertificateProblems) out.push(`    client certificate: ${p.problem} [${p.from}]`);
    if (u.exec) {
      out.push(`    exec: ${u.exec.command}${u.exec.apiVersion ? ` (${u.exec.apiVersion})` : ""}: ${u.exec.resolved ? `found at ${u.exec.resolved}` : "NOT FOUND on PATH"}; ${u.exec.args} arg(s), ${u.exec.env} env var(s) (values not shown)`);
    }
  }
  if (report.probes) {
    out.push("", "Live:");
    for (const p of report.probes) {
      const version = p.version.answers ? `answers (${p.version.gitVersion ?? `HTTP ${p.version.status} on /version`})` : `does not answer: ${p.version.error}`;
      const auth = p.auth.status === "authenticated" ? `authenticated as ${p.auth.username} [${p.auth.groups.join(", ")}]` : `${p.auth.status}: ${p.auth.detail}`;
      out.push(`  ${p.context}: ${p.server} ${version}; ${auth}`);
    }
  }
  out.push("");
  if (report.problems.length === 0) out.push("No problems found.");
  else {
    out.push("Problems:");
    for (const p of report.problems) out.push(`  ${p.severity === "error" ? "ERROR  " : "warning"} ${p.about}: ${p.message}`);
  }
  return `${out.join("\n")}\n`;
}
