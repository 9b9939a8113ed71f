// The text report: findings grouped by severity with evidence, impact and remediation.
import type { Finding, Report, Severity } from "../model/finding.js";
import { SEVERITIES } from "../model/finding.js";
import { formatRef, type ObjectRef } from "../model/ref.js";
import { formatEvidence } from "./format-value.js";
import { PLAIN_STYLE, type Style } from "./style.js";

export interface TextOptions {
  style?: Style;
  /** Show investigation steps (default true). */
  investigation?: boolean;
}

const LIST_LIMIT = 8;

function refList(refs: readonly ObjectRef[]): string {
  const shown = refs.slice(0, LIST_LIMIT).map(formatRef).join(", ");
  return refs.length > LIST_LIMIT ? `${shown} and ${refs.length - LIST_LIMIT} more` : shown;
}

export function renderFinding(f: Finding, style: Style, withInvestigation = true): string[] {
  const lines: string[] = [];
  lines.push(`${style.severity(f.severity, f.severity.toUpperCase())} ${style.bold(f.summary)}  ${style.dim(`[${f.code}]`)}`);
  lines.push(`  Root cause: ${f.rootCause}`);
  if (f.evidence.length) {
    lines.push("  Evidence:");
    for (const e of f.evidence) lines.push(`    - ${formatEvidence(e)}`);
  }
  if (f.impact.direct.length || f.impact.indirect.length) {
    lines.push("  Impact:");
    if (f.impact.direct.length) lines.push(`    direct:   ${refList(f.impact.direct)}`);
    if (f.impact.indirect.length) lines.push(`    indirect: ${refList(f.impact.indirect)}`);
  }
  if (f.related?.length) {
    lines.push("  Also caused by this:");
    for (const r of f.related) lines.push(`    - ${r.summary} ${style.dim(`[${r.code}]`)}`);
  }
  if (withInvestigation && f.investigation.length) {
    lines.push("  Investigation:");
    for (const s of f.investigation) {
      const mark = s.outcome === "problem" ? "✗" : s.outcome === "ok" ? "✓" : "·";
      lines.push(`    ${mark} ${s.step}: ${s.result}`);
      lines.push(`      ${style.dim(`$ ${s.command}`)}`);
    }
  }
  if (f.remediation.length) {
    lines.push("  Fix:");
    for (const r of f.remediation) {
      lines.push(`    - ${r.description}`);
      if (r.command) lines.push(`      $ ${r.command}`);
      if (r.verify) lines.push(`      verify:   $ ${r.verify}`);
      if (r.rollback) lines.push(`      rollback: ${r.rollback}`);
    }
  }
  return lines;
}

function coverageNotes(report: Report): string[] {
  const notes: string[] = [];
  for (const [kind, c] of Object.entries(report.coverage)) {
    if (c.status !== "ok") notes.push(`${kind}: ${c.status}${c.note ? ` (${c.note})` : ""}`);
  }
  return notes;
}

export function renderText(report: Report, options: TextOptions = {}): string {
  const style = options.style ?? PLAIN_STYLE;
  const out: string[] = [];
  const where = report.source.kind === "live" ? `live cluster ${report.source.locations.join(", ")}` : report.source.locations.join(", ");
  out.push(style.bold(`kubesleuth ${report.tool.version} — ${where} — as of ${report.source.now}`));
  out.push("");
  const incomplete = Object.entries(report.coverage).filter(([, c]) => c.status === "forbidden" || c.status === "partial");
  if (incomplete.length) {
    const byStatus = (status: string): string[] => incomplete.filter(([, c]) => c.status === status).map(([k]) => k);
    const parts = [["forbidden", byStatus("forbidden")], ["partial", byStatus("partial")]]
      .filter(([, kinds]) => kinds!.length)
      .map(([status, kinds]) => `${status}: ${(kinds as string[]).join(", ")}`);
    out.push(style.severity("warning", `Incomplete: ${incomplete.length} kind(s) not fully read (${parts.join("; ")}). Findings that need them may be missing.`));
    out.push("");
  }
  if (report.findings.length === 0) {
    out.push(style.ok(incomplete.length ? "No problems found in what could be read." : "No problems found."));
  }
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    out.push(style.severity(severity as Severity, style.bold(`${severity.toUpperCase()} (${group.length})`)));
    out.push("");
    for (const f of group) {
      out.push(...renderFinding(f, style, options.investigation ?? true));
      out.push("");
    }
  }
  const notes = coverageNotes(report);
  if (notes.length) {
    out.push(style.bold("Not fully read (findings may be missing for these kinds):"));
    for (const n of notes) out.push(`  - ${n}`);
    out.push("");
  }
  if (report.skipped?.length) {
    out.push(style.bold(`Skipped inputs (${report.skipped.length}):`));
    for (const s of report.skipped.slice(0, 20)) out.push(`  - ${s.location}: ${s.reason}`);
    if (report.skipped.length > 20) out.push(`  … and ${report.skipped.length - 20} more (see \`kubesleuth inspect\`)`);
    out.push("");
  }
  if (report.stats) {
    out.push(style.bold("Timings:"));
    out.push(`  index: ${report.stats.indexMilliseconds} ms`);
    for (const t of report.stats.analyzers) out.push(`  ${t.analyzer}: ${t.milliseconds} ms, ${t.findings} finding(s)`);
    out.push("");
  }
  const s = report.summary;
  out.push(`Summary: ${s.critical} critical, ${s.error} error, ${s.warning} warning, ${s.info} info`);
  return out.join("\n") + "\n";
}
