// Renders a connectivity diagnosis: the hops in order with their checks, then the root cause, its evidence and the fix.
import { formatRef } from "../model/ref.js";
import type { ConnectivityReport } from "../run/connectivity.js";
import { PLAIN_STYLE, type Style } from "./style.js";

const MARK: Record<string, string> = { passed: "✓", failed: "✗", unknown: "?", skipped: "-" };

export function renderConnectivityText(r: ConnectivityReport, style: Style = PLAIN_STYLE): string {
  const c = r.connectivity;
  const out: string[] = [];
  const port = c.servicePort
    ? `port ${c.servicePort.name ? `${c.servicePort.name}(${c.servicePort.port})` : c.servicePort.port}/${c.protocol} -> targetPort ${c.servicePort.targetPort}`
    : c.port !== null ? `port ${c.port}/${c.protocol}` : c.protocol;
  out.push(style.bold(`Connectivity ${formatRef(c.from)} -> ${c.to.text} (${port})`));
  out.push(`${c.sourcePods.length} source pod(s), ${c.destinationPods.length} destination pod(s)`);
  const failedAt = r.hops.find((h) => h.status === "failed");
  const verdict = r.verdict === "failed" ? style.severity("error", `FAILED at ${failedAt?.title ?? "?"}`) : r.verdict === "passed" ? style.ok("PASSED: every hop checks out") : style.severity("warning", "UNKNOWN: nothing failed, some hops could not be decided");
  out.push(`Verdict: ${verdict}`, "");
  r.hops.forEach((h, i) => {
    const mark = h.status === "failed" ? style.severity("error", MARK.failed!) : h.status === "passed" ? style.ok(MARK.passed!) : MARK[h.status]!;
    out.push(`${mark} ${i + 1}. ${style.bold(h.title)}: ${h.status}: ${h.summary}${h.need ? ` (need: ${h.need})` : ""}`);
    for (const check of h.checks) {
      const [head, ...more] = check.result.split("\n");
      out.push(`     ${check.outcome === "problem" ? "✗" : check.outcome === "ok" ? "✓" : "?"} ${check.step}: ${head}`);
      for (const line of more) out.push(`         ${line}`);
      out.push(`       ${style.dim(`$ ${check.command}`)}`);
    }
  });
  out.push("");
  const finding = r.findings[0];
  if (!c.rootCause || !finding) {
    out.push(r.verdict === "passed" ? style.ok("No root cause: every hop passed.") : "No hop failed: no root cause can be named from the cluster's objects. Undecided hops are marked ? with what would decide them.");
    return `${out.join("\n")}\n`;
  }
  out.push(style.bold("Root cause: ") + c.rootCause.summary);
  out.push(`  ${finding.rootCause}`);
  if (c.rootCause.evidence.length) {
    out.push("", style.bold("Evidence:"));
    for (const e of c.rootCause.evidence) out.push(`  - ${e.ref ? `${formatRef(e.ref)} ` : ""}${e.path ?? ""}${e.value !== undefined ? ` = ${JSON.stringify(e.value)}` : ""}${e.note ? `: ${e.note}` : ""}`);
  }
  if (c.fixes.length) {
    out.push("", style.bold("Fix:"));
    for (const f of c.fixes) {
      out.push(`  ${f.description}`);
      if (f.command) out.push(...f.command.split("\n").map((l) => `    ${l}`));
      if (f.verify) out.push(`  verify:   ${f.verify}`);
      if (f.rollback) out.push(`  rollback: ${f.rollback}`);
    }
  }
  return `${out.join("\n")}\n`;
}

export function renderConnectivityJson(r: ConnectivityReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
