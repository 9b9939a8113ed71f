// Renders the audit log report: text for people, YAML of the suggested grants for kubectl apply.
import { dump } from "js-yaml";
import type { AuditAction, AuditReport, LoadRow } from "../run/audit.js";

function actionText(a: AuditAction): string {
  if (a.nonResourceURL !== undefined) return `${a.verb} ${a.nonResourceURL}`;
  let what = a.resource ?? "";
  if (a.apiGroup) what += `.${a.apiGroup}`;
  if (a.subresource) what += `/${a.subresource}`;
  if (a.name) what += ` ${a.name}`;
  return `${a.verb} ${what}${a.namespace ? ` -n ${a.namespace}` : " (cluster-wide)"}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 2))).join("").trimEnd()).join("\n");
}

function loadTable(title: string, rows: readonly LoadRow[]): string[] {
  if (rows.length === 0) return [];
  const out = [["NAME", "REQUESTS", "P50 MS", "P99 MS", "MAX MS"]];
  for (const r of rows) out.push([r.name, String(r.requests), r.latency ? String(r.latency.p50) : "-", r.latency ? String(r.latency.p99) : "-", r.latency ? String(r.latency.max) : "-"]);
  return [title, table(out).replace(/^/gm, "  "), ""];
}

const yaml = (value: unknown) => dump(value, { lineWidth: -1, noRefs: true }).trimEnd();

/** The text report. */
export function renderAuditText(report: AuditReport): string {
  const lines: string[] = [];
  const w = report.window;
  lines.push(
    `${report.requests} requests (${report.events} events, stages deduplicated by auditID${report.incomplete ? `; ${report.incomplete} without a final stage` : ""}${report.duplicates ? `; ${report.duplicates} duplicate(s) of a counted auditID skipped` : ""}) from ${report.files.length} file(s)` +
      (w ? `, ${w.start} to ${w.end} (${w.seconds} s${w.requestsPerSecond !== undefined ? `, ${w.requestsPerSecond} requests/s` : ""})` : ""),
  );
  for (const f of report.files) if (f.notAuditLog) lines.push(`skipped ${f.file}: ${f.notAuditLog}`);
  if (report.malformed.count > 0) {
    lines.push(`${report.malformed.count} malformed line(s) skipped: ${report.malformed.first.map((m) => `${m.file}:${m.line} (${m.reason})`).join("; ")}${report.malformed.count > report.malformed.first.length ? "; ..." : ""}`);
  }
  lines.push(`codes: ${Object.entries(report.codes).map(([c, n]) => `${c}=${n}`).join(" ") || "none"}`, "");

  lines.push(`403 Forbidden: ${report.forbiddenTotal} request(s) in ${report.forbidden.length} group(s)${report.rbacSource ? ` (RBAC from ${report.rbacSource})` : " (no --snapshot: RBAC not evaluated, grants unverified)"}`);
  // Grants as YAML for the largest groups; the rest one line each (all of them in -o json and -o yaml).
  const detailed = Math.max(report.thresholds.top, 10);
  for (const [i, g] of report.forbidden.entries()) {
    if (i === detailed) lines.push(`(the other ${report.forbidden.length - detailed} group(s) in brief; grants with -o json or -o yaml)`);
    if (i >= detailed) {
      lines.push(`- ${g.user.name || "(no user)"} ${actionText(g.action)}: ${g.count}x, ${g.explanation.verdict}`);
      continue;
    }
    lines.push(`- ${g.user.name || "(no user)"} [${g.user.groups.join(", ")}] ${actionText(g.action)}: ${g.count}x, ${g.first ?? "?"} .. ${g.last ?? "?"}`);
    if (g.impersonated) {
      const others = g.impersonated < g.count ? "; the others with the subject's own credentials" : "";
      lines.push(`  impersonated by: ${(g.impersonatedBy ?? []).join(", ") || "(unknown)"} (${g.impersonated} of ${g.count} request(s)${others})`);
    }
    if (g.message) lines.push(`  message: ${g.message}`);
    lines.push(`  evidence: ${g.evidence.file}:${g.evidence.line}${g.evidence.auditID ? ` auditID ${g.evidence.auditID}` : ""}`);
    lines.push(`  why: ${g.explanation.detail}`);
    for (const m of g.explanation.nearest ?? []) lines.push(`  nearest: ${m.kind}: ${m.binding.kind} ${m.binding.namespace ? `${m.binding.namespace}/` : ""}${m.binding.name}: ${m.detail}`);
    const grant = g.explanation.minimalGrant;
    if (grant) {
      const status = grant.verifiedAgainst === "none" ? "UNVERIFIED (no snapshot)" : grant.verified ? "verified: with it, RBAC allows the request" : "NOT verified";
      lines.push(`  minimal grant (${status}):`);
      lines.push(`---\n${yaml(grant.role)}\n---\n${yaml(grant.binding)}`.replace(/^/gm, "    "));
    }
  }
  lines.push("");

  lines.push(...loadTable("Top users by requests:", report.topUsersByRequests));
  lines.push(...loadTable("Top users by latency (p99; watch, proxy, exec, attach, log, portforward excluded):", report.topUsersByLatency));
  lines.push(...loadTable("Top user agents by requests:", report.topUserAgentsByRequests));
  lines.push(...loadTable("Top user agents by latency (p99):", report.topUserAgentsByLatency));

  if (report.unlimitedLists.length > 0) {
    lines.push(`LISTs without limit (large: at least ${report.thresholds.largeListItems} items; size known only at RequestResponse level):`);
    const rows = [["USER", "USER AGENT", "RESOURCE", "NAMESPACE", "COUNT", "ITEMS"]];
    for (const l of report.unlimitedLists.slice(0, report.thresholds.top)) {
      rows.push([l.user, l.userAgent, `${l.resource}${l.apiGroup ? `.${l.apiGroup}` : ""}`, l.namespace ?? "(all)", String(l.count), l.maxItems === undefined ? "unknown" : `${l.maxItems}${l.large ? " (large)" : ""}`]);
    }
    lines.push(table(rows).replace(/^/gm, "  "));
    if (report.unlimitedLists.length > report.thresholds.top) lines.push(`  ... ${report.unlimitedLists.length - report.thresholds.top} more (-o json)`);
    lines.push("");
  }
  lines.push(
    report.watchStorms.length > 0
      ? `Watch storms (at least ${report.thresholds.watchStormCount} watches of one resource by one client within ${report.thresholds.watchStormWindowSeconds} s):`
      : `Watch storms: none (threshold: ${report.thresholds.watchStormCount} watches of one resource by one client within ${report.thresholds.watchStormWindowSeconds} s)`,
  );
  for (const s of report.watchStorms) lines.push(`  ${s.user} (${s.userAgent}) watch ${s.resource}: ${s.inWindow} in the window from ${s.windowStart}, ${s.total} in all`);
  lines.push("");
  if (report.throttlingAndErrors.length > 0) {
    lines.push("429s and 5xx per minute:");
    const rows = [["MINUTE", "REQUESTS", "429", "5XX"]];
    for (const b of report.throttlingAndErrors) rows.push([b.minute, String(b.requests), String(b.tooManyRequests), `${b.serverErrors}${b.serverErrors ? ` (${Object.entries(b.codes).map(([c, n]) => `${c}: ${n}`).join(", ")})` : ""}`]);
    lines.push(table(rows).replace(/^/gm, "  "));
  } else {
    lines.push("429s and 5xx: none");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The suggested grants as one multi-document YAML stream: `kubesleuth audit ... -o yaml | kubectl apply -f -`. */
export function renderAuditGrantsYaml(report: AuditReport): string {
  const docs: string[] = [];
  for (const g of report.grants) {
    const note = `# ${g.user.name}: covers ${g.covers} denied request(s); ${g.verifiedAgainst === "none" ? "UNVERIFIED (no snapshot)" : g.verified ? "verified against the snapshot" : "NOT verified"}${g.expandedVerbs ? "; verbs expanded as audit2rbac" : ""}`;
    g.objects.forEach((o, i) => docs.push(`${i === 0 ? `${note}\n` : ""}${yaml(o)}`));
  }
  return docs.length ? `---\n${docs.join("\n---\n")}\n` : "";
}
