// The markdown report, for tickets and incident docs.
import type { Report } from "../model/finding.js";
import { SEVERITIES } from "../model/finding.js";
import { formatRef } from "../model/ref.js";
import { formatEvidence } from "./format-value.js";

const escape = (s: string): string => s.replace(/([|*_`<>])/g, "\\$1");

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`# kubesleuth report`);
  out.push("");
  out.push(`- Source: ${report.source.kind} — ${report.source.locations.map((l) => `\`${l}\``).join(", ")}`);
  out.push(`- As of: ${report.source.now}`);
  const s = report.summary;
  out.push(`- Summary: ${s.critical} critical, ${s.error} error, ${s.warning} warning, ${s.info} info`);
  out.push("");
  if (!report.findings.length) out.push("No problems found.");
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    out.push(`## ${severity[0]!.toUpperCase()}${severity.slice(1)} (${group.length})`);
    out.push("");
    for (const f of group) {
      out.push(`### ${escape(f.summary)}`);
      out.push("");
      out.push(`\`${f.code}\` · ${f.area} · ${escape(formatRef(f.subject))}`);
      out.push("");
      out.push(`**Root cause:** ${escape(f.rootCause)}`);
      out.push("");
      if (f.evidence.length) {
        out.push("**Evidence**");
        out.push("");
        for (const e of f.evidence) out.push(`- ${escape(formatEvidence(e))}`);
        out.push("");
      }
      if (f.impact.direct.length || f.impact.indirect.length) {
        out.push(`**Impact:** direct: ${f.impact.direct.map(formatRef).join(", ") || "—"}; indirect: ${f.impact.indirect.map(formatRef).join(", ") || "—"}`);
        out.push("");
      }
      if (f.related?.length) {
        out.push("**Also caused by this**");
        out.push("");
        for (const r of f.related) out.push(`- ${escape(r.summary)} (\`${r.code}\`)`);
        out.push("");
      }
      if (f.investigation.length) {
        out.push("**Investigation**");
        out.push("");
        out.push("| step | command | result |");
        out.push("|---|---|---|");
        for (const st of f.investigation) out.push(`| ${escape(st.step)} | \`${st.command.replace(/\|/g, "\\|")}\` | ${escape(st.result)} |`);
        out.push("");
      }
      if (f.remediation.length) {
        out.push("**Fix**");
        out.push("");
        for (const r of f.remediation) {
          out.push(`1. ${escape(r.description)}`);
          if (r.command) out.push(`   \`\`\`sh\n   ${r.command}\n   \`\`\``);
          if (r.verify) out.push(`   Verify: \`${r.verify}\``);
          if (r.rollback) out.push(`   Roll back: ${escape(r.rollback)}`);
        }
        out.push("");
      }
    }
  }
  const partial = Object.entries(report.coverage).filter(([, c]) => c.status !== "ok");
  if (partial.length) {
    out.push("## Coverage");
    out.push("");
    for (const [kind, c] of partial) out.push(`- ${kind}: ${c.status}${c.note ? ` (${escape(c.note)})` : ""}`);
    out.push("");
  }
  return out.join("\n") + "\n";
}
