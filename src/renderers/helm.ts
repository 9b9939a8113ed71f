// Text and JSON for `kubesleuth helm history` and `kubesleuth helm diff`. Pure.
import type { FieldChange, RevisionDiff } from "../engines/helm-release/diff.js";
import type { HelmRelease } from "../model/helm-release.js";

/** One row of `helm history -o json` (same field names). */
export interface HistoryRow {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
}

export function historyRows(release: HelmRelease): HistoryRow[] {
  return [...release.revisions]
    .sort((a, b) => a.revision - b.revision)
    .map((r) => ({
      revision: r.revision,
      updated: r.lastDeployed ?? r.firstDeployed ?? "",
      status: r.status,
      chart: `${r.chart.name}-${r.chart.version}`,
      app_version: r.chart.appVersion ?? "",
      description: r.description ?? "",
    }));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("\t").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** `helm history`'s table: REVISION, UPDATED (RFC 3339, UTC as stored), STATUS, CHART, APP VERSION, DESCRIPTION. */
export function renderHistoryText(release: HelmRelease): string {
  const rows = historyRows(release).map((r) => [String(r.revision), r.updated, r.status, r.chart, r.app_version, r.description]);
  return table(["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"], rows);
}

function show(v: unknown): string {
  if (v === undefined) return "(unset)";
  if (typeof v === "string") return v.includes("\n") ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

function fieldLine(c: FieldChange): string {
  if (c.change === "added") return `+ ${c.path || "(root)"}: ${show(c.new)}`;
  if (c.change === "removed") return `- ${c.path || "(root)"}: ${show(c.old)}`;
  return `~ ${c.path || "(root)"}: ${show(c.old)} → ${show(c.new)}`;
}

/** The diff as text: chart, resources (+ added, - removed, ~ changed with field paths), values. */
export function renderDiffText(diff: RevisionDiff): string {
  const out: string[] = [`Release ${diff.namespace}/${diff.release}: revision ${diff.from} → ${diff.to}`];
  out.push(diff.chart ? `Chart: ${diff.chart.from} → ${diff.chart.to}` : "Chart: unchanged");
  if (diff.appVersion) out.push(`App version: ${show(diff.appVersion.from)} → ${show(diff.appVersion.to)}`);
  out.push("", diff.resources.length ? `Resources (${diff.resources.length} changed):` : "Resources: no change");
  for (const r of diff.resources) {
    const sign = r.change === "added" ? "+" : r.change === "removed" ? "-" : "~";
    const ns = r.resource.namespace ? `${r.resource.namespace}/` : "";
    out.push(`  ${sign} ${r.resource.kind} ${ns}${r.resource.name}${r.source ? `  (${r.source})` : ""}`);
    for (const f of r.fields) out.push(`      ${fieldLine(f)}`);
  }
  out.push("", diff.values.length ? "User-supplied values:" : "User-supplied values: no change");
  for (const f of diff.values) out.push(`  ${fieldLine(f)}`);
  out.push("", "Secret values are shown as <redacted by kubesleuth> #fingerprint: equal fingerprints, equal values.");
  return out.join("\n") + "\n";
}
