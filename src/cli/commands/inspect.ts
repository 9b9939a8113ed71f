// `kubesleuth inspect`: what was loaded, what was skipped, coverage, reference time.
import type { Analyzer } from "../../analyzers/define.js";
import type { CommonOptions } from "../options.js";
import type { CliIo } from "../io.js";
import { loadSource } from "../load-source.js";
import { needsOf } from "./needs.js";

export async function runInspect(io: CliIo, paths: string[], opts: CommonOptions, analyzers: readonly Analyzer[]): Promise<void> {
  const source = await loadSource(io, paths, opts, needsOf(analyzers));
  const s = source.snapshot;
  const kinds = Object.fromEntries([...s.objects.entries()].map(([k, list]) => [k, list.length]));
  const result = {
    source: { kind: s.source.kind, locations: s.source.locations, formats: s.source.formats ?? [] },
    now: new Date(source.now).toISOString(),
    nowFrom: opts.now ? "--now" : s.capturedAt ? "capture time" : source.live ? "clock" : "newest timestamp in the snapshot",
    capturedAt: s.capturedAt ?? null,
    serverVersion: s.serverVersion ?? null,
    kinds,
    logs: s.logs.length,
    nodeDiagnostics: (s.nodeDiagnostics ?? []).map((d) => ({
      node: d.node,
      collectedAt: d.collectedAt,
      notAvailable: (["services", "journal", "memory", "kernel", "conntrack", "sysctls", "staticPods", "certificates"] as const).filter((k) => !d[k].available),
    })),
    // Pod volume usage read from the kubelets (nodes/proxy stats/summary), when it was.
    volumeStats: s.volumeStats ? { volumes: s.volumeStats.volumes.length, nodesRead: s.volumeStats.nodesRead.length, nodesSkipped: s.volumeStats.nodesSkipped ?? [] } : null,
    coverage: s.coverage,
    skipped: s.skipped,
    // Snapshots taken over time: the earlier captures (oldest first) and the latest, the one analysed.
    ...(s.history?.length
      ? { captures: [...s.history, s].map((c) => ({ capturedAt: c.capturedAt ?? null, locations: c === s ? s.source.locations.filter((l) => !s.history!.some((h) => h.source.locations.includes(l))) : c.source.locations })) }
      : {}),
  };
  if (opts.output === "json") {
    io.stdout(JSON.stringify(result, null, 2) + "\n");
    return;
  }
  const lines: string[] = [];
  lines.push(`Source: ${result.source.locations.join(", ")} (${result.source.formats.join(", ") || s.source.kind})`);
  lines.push(`Reference time: ${result.now} (${result.nowFrom})`);
  if (result.serverVersion) lines.push(`Server version: ${result.serverVersion}`);
  if (result.captures) {
    lines.push(`Captures over time: ${result.captures.length} (the latest is analysed, the earlier ones are history)`);
    for (const c of result.captures) lines.push(`  ${c.capturedAt ?? "time unknown"}  ${c.locations.join(", ")}`);
  }
  lines.push("");
  lines.push("Kinds:");
  const width = Math.max(4, ...Object.keys(s.coverage).map((k) => k.length));
  for (const [kind, c] of Object.entries(s.coverage)) {
    lines.push(`  ${kind.padEnd(width)}  ${String(c.count).padStart(7)}  ${c.status}${c.note ? ` (${c.note})` : ""}`);
  }
  lines.push(`  ${"logs".padEnd(width)}  ${String(s.logs.length).padStart(7)}`);
  if (result.volumeStats) {
    lines.push("");
    lines.push(`Volume stats (kubelet stats/summary): ${result.volumeStats.volumes} pod volumes from ${result.volumeStats.nodesRead} node(s)${result.volumeStats.nodesSkipped.length ? `; ${result.volumeStats.nodesSkipped.length} node(s) not read` : ""}`);
  }
  if (result.nodeDiagnostics.length) {
    lines.push("");
    lines.push(`Node diagnostics (${result.nodeDiagnostics.length}):`);
    for (const d of result.nodeDiagnostics) lines.push(`  ${d.node}  collected ${d.collectedAt}${d.notAvailable.length ? `; not available: ${d.notAvailable.join(", ")}` : ""}`);
  }
  if (s.skipped.length) {
    lines.push("");
    lines.push(`Skipped (${s.skipped.length}):`);
    for (const sk of s.skipped) lines.push(`  ${sk.location}: ${sk.reason}`);
  }
  io.stdout(lines.join("\n") + "\n");
}
