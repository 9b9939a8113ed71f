// The analyzer catalogue (docs/analyzers.md), rendered from the registry.
import { ANALYZERS } from "../src/analyzers/registry.js";

export function renderCatalogue(): string {
  const lines: string[] = [];
  lines.push("# Analyzer catalogue");
  lines.push("");
  lines.push("Generated from the registry by `npm run docs`; CI fails when it is stale. Suppress or re-rate a finding by its code in `.kubesleuth.yaml`.");
  lines.push("");
  lines.push("| analyzer | area | default severity | needs | finding codes |");
  lines.push("|---|---|---|---|---|");
  for (const a of ANALYZERS) {
    const codes = Object.keys(a.messages).map((m) => `\`${a.id}/${m}\``).join("<br>");
    lines.push(`| [${a.id}](../src/analyzers/${a.area}/${a.id}/README.md) | ${a.area} | ${a.severity} | ${a.needs.join(", ")} | ${codes} |`);
  }
  lines.push("");
  for (const a of ANALYZERS) {
    lines.push(`## ${a.id}`);
    lines.push("");
    lines.push(`${a.title}. Area: ${a.area}. Default severity: ${a.severity}${a.role === "symptom" ? ". Reports a symptom: grouped under the finding that explains it" : ""}.`);
    lines.push("");
    for (const [id, m] of Object.entries(a.messages)) {
      lines.push(`- \`${a.id}/${id}\`${m.severity ? ` (${m.severity})` : ""}: ${m.summary.replace(/\{\{(\w+)\}\}/g, "<$1>")}. Fix: ${m.remediation}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
