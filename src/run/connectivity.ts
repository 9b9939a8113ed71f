// `diagnose connectivity` as a report: the report contract (schemaVersion 1) with the root cause as
// its finding, plus the diagnosis' verdict and hops.
import type { Finding, Report } from "../model/finding.js";
import { ROOT_CAUSE_MESSAGES, ROOT_CAUSE_TEXT, investigationOf, type ConnectivityDiagnosis, type ConnectivityHop } from "../engines/connectivity/index.js";

export interface ConnectivityReport extends Report {
  verdict: ConnectivityDiagnosis["verdict"];
  hops: ConnectivityHop[];
  connectivity: Omit<ConnectivityDiagnosis, "verdict" | "hops">;
}

/** The analyzer id findings of `diagnose connectivity` carry in their code (`diagnose-connectivity/<messageId>`). */
export const CONNECTIVITY_ANALYZER = "diagnose-connectivity";

/** The root cause as a finding (none when no hop failed). */
export function connectivityFinding(d: ConnectivityDiagnosis): Finding | undefined {
  const cause = d.rootCause;
  if (!cause || cause.hop === "probe") return undefined;
  const messageId = ROOT_CAUSE_MESSAGES[cause.hop];
  const evidence = cause.evidence.length ? cause.evidence : [{ ref: d.from, note: cause.summary }];
  return {
    code: `${CONNECTIVITY_ANALYZER}/${messageId}`,
    analyzer: CONNECTIVITY_ANALYZER,
    area: "network",
    severity: "error",
    subject: cause.hop === "network-policy" && d.blockingPolicies.length ? d.blockingPolicies[0]! : (d.to.service ?? d.to.ref ?? d.from),
    summary: `${d.from.namespace}/${d.from.kind.toLowerCase()}/${d.from.name} -> ${d.to.text}: ${cause.summary}`,
    rootCause: ROOT_CAUSE_TEXT[cause.hop],
    evidence,
    impact: { direct: d.sourcePods, indirect: [] },
    investigation: investigationOf(d),
    remediation: d.fixes.map((f) => ({ description: f.description, ...(f.command ? { command: f.command } : {}), ...(f.verify ? { verify: f.verify } : {}), ...(f.rollback ? { rollback: f.rollback } : {}) })),
  };
}

/** The report for one diagnosis, on the base report of the loaded source (tool, source, coverage). */
export function connectivityReport(base: Report, d: ConnectivityDiagnosis): ConnectivityReport {
  const finding = connectivityFinding(d);
  const findings = finding ? [finding] : [];
  const { verdict, hops, ...rest } = d;
  return {
    ...base,
    summary: { critical: 0, error: findings.length, warning: 0, info: 0 },
    findings,
    verdict,
    hops,
    connectivity: rest,
  };
}
