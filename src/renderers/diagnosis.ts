// Renders a diagnosis: the dependency graph, the investigation trail (ruled out and found), root causes, fixes.
import type { Diagnosis } from "../run/diagnose.js";
import { formatRef } from "../model/ref.js";
import { renderFinding } from "./text.js";
import { PLAIN_STYLE, type Style } from "./style.js";

export function renderDiagnosisText(d: Diagnosis, style: Style = PLAIN_STYLE): string {
  const out: string[] = [];
  out.push(style.bold(`Diagnosis of ${formatRef(d.target)}`));
  if (!d.found) {
    out.push(`${formatRef(d.target)} is not in the snapshot. Check the name and namespace (kubectl get ${d.target.kind.toLowerCase()}${d.target.namespace ? ` -n ${d.target.namespace}` : ""}).`);
    return out.join("\n") + "\n";
  }
  out.push("");
  out.push(style.bold("Dependency graph:"));
  for (const n of d.graph) {
    if (n.relation === "target") continue;
    out.push(`  ${n.relation === "depends-on" ? "↓" : "↑"} ${formatRef(n.ref)}${n.present ? "" : " (missing)"} ${style.dim(`— ${n.via}`)}`);
  }
  if (d.truncated) out.push(`  … ${d.truncated} more pod(s) not walked`);
  out.push("");
  out.push(style.bold("Investigation:"));
  for (const c of d.checks) {
    const mark = c.outcome === "problem" ? style.severity("error", "✗") : c.outcome === "ok" ? style.ok("✓") : "?";
    out.push(`  ${mark} ${c.step}: ${c.result}`);
    out.push(`    ${style.dim(`$ ${c.command}`)}`);
  }
  out.push("");
  const ruledOut = d.checks.filter((c) => c.outcome === "ok").length;
  const problems = d.checks.filter((c) => c.outcome === "problem").length;
  out.push(`${ruledOut} check(s) passed (ruled out), ${problems} found a problem.`);
  out.push("");
  if (!d.findings.length) {
    out.push(problems ? "No analyzer explains the problems above; they are listed as found." : style.ok("No root cause found: everything on the path looks healthy."));
  } else {
    out.push(style.bold(`Root cause${d.findings.length > 1 ? "s" : ""}:`));
    out.push("");
    for (const f of d.findings) {
      out.push(...renderFinding(f, style, false));
      out.push("");
    }
  }
  return out.join("\n") + "\n";
}

export function renderDiagnosisJson(d: Diagnosis): string {
  return JSON.stringify({ schemaVersion: 1, diagnosis: d }, null, 2) + "\n";
}
