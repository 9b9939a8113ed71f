// `kubesleuth health`: the API server's health checks, version and load (latency percentiles, in-flight, APF, etcd, object counts).
import { Command } from "commander";
import { formatSeconds } from "../../analyzers/control-plane/apiserver-metrics.js";
import type { EtcdState } from "../../analyzers/control-plane/etcd-metrics.js";
import type { ComponentHealthData } from "../../model/control-plane.js";
import { summarizeHealth, type HealthSummary } from "../../run/control-plane-health.js";
import { UsageError } from "../errors.js";
import { loadSource, type SourceFlags } from "../load-source.js";
import { addEtcdOptions, addSourceOptions, outputOption, type CommandContext, type CommonOptions } from "../options.js";

const HELP = `
Reads /livez, /readyz, /healthz (?verbose), /version and /metrics of the API server (read-only; /metrics
needs get on that non-resource URL, a 403 is shown as "not collected"), or the same data from a
kubesleuth archive made by \`kubesleuth snapshot\`. Latency percentiles are computed from the histograms
as PromQL's histogram_quantile does, over everything since the API server started.

Examples:
  kubesleuth health                       # the current context's API server
  kubesleuth health -o json | jq '.metrics.requests[0]'
  kubesleuth health snapshot.tar.gz       # what an archive captured
  kubesleuth health --etcd-endpoint https://10.0.0.5:2379 \\
    --etcd-cacert ca.crt --etcd-cert healthcheck-client.crt --etcd-key healthcheck-client.key
                                          # also etcd's own /health and /metrics (db size vs quota, leader, disk)
  kubesleuth health --component-endpoint kube-scheduler=https://10.0.0.10:10259 \\
    --component-endpoint kube-controller-manager=https://10.0.0.10:10257
                                          # also their own /healthz?verbose (anonymous; certificate not verified)
`;

function renderEtcd(e: EtcdState): string {
  if (!e.health && e.dbSize === undefined && e.error) return `etcd ${e.url}: NOT read: ${e.error}`;
  const parts: string[] = [];
  if (e.health) parts.push(e.health.healthy ? "healthy" : `UNHEALTHY (${e.health.reason || `HTTP ${e.health.status}`})`);
  if (e.dbSize !== undefined && e.quota) parts.push(`db ${(e.dbSize / 1048576).toFixed(1)} MiB of ${(e.quota / 1048576).toFixed(0)} MiB quota (${((e.dbSize / e.quota) * 100).toFixed(1)} %)`);
  if (e.hasLeader !== undefined) parts.push(e.hasLeader ? "has a leader" : "NO LEADER");
  if (e.leaderChanges !== undefined) parts.push(`${e.leaderChanges} leader changes seen`);
  if (e.walFsync) parts.push(`WAL fsync p99 ${formatSeconds(e.walFsync.p99)}`);
  if (e.backendCommit) parts.push(`backend commit p99 ${formatSeconds(e.backendCommit.p99)}`);
  if (e.error) parts.push(`(${e.error})`);
  return `etcd ${e.url}: ${parts.join(", ")}`;
}

function renderComponent(c: ComponentHealthData): string {
  const cert = c.certificateVerified === false ? " (certificate not verified)" : "";
  if (c.status === undefined) return `${c.name} ${c.url}/healthz: NOT read: ${c.error ?? "no answer"}${cert}`;
  const failed = c.checks.filter((k) => !k.ok).map((k) => k.name);
  return `${c.name} ${c.url}/healthz: ${c.ok ? `ok (${c.checks.length} checks)` : `FAILING: ${failed.join(", ") || `HTTP ${c.status}`}`}${cert}`;
}

function renderText(summary: HealthSummary): string {
  const lines: string[] = [];
  lines.push(`API server ${summary.serverVersion ?? "(version unknown)"}: ${summary.reachable ? "reachable" : "NOT reachable"}`);
  for (const e of summary.endpoints) {
    const state = e.error && e.status !== 500 ? e.error : e.ok ? `ok (${e.checks} checks)` : `FAILING: ${e.failed.join(", ") || `HTTP ${e.status}`}`;
    lines.push(`  ${e.path.padEnd(8)} ${state}`);
  }
  const cert = summary.servingCertificate;
  if (cert) {
    lines.push(
      cert.error
        ? `Serving certificate: not read: ${cert.error}`
        : `Serving certificate: ${cert.subject} (issuer ${cert.issuer}), valid ${cert.notBefore} to ${cert.notAfter}, ${cert.trusted ? "trusted" : `NOT trusted: ${cert.trustError ?? "unknown"}`}; SANs ${cert.subjectAltNames.join(", ") || "(none)"}`,
    );
  }
  for (const e of summary.etcd ?? []) lines.push(renderEtcd(e));
  for (const c of summary.components ?? []) lines.push(renderComponent(c));
  const m = summary.metrics;
  if (!m || !m.collected) {
    lines.push(`Metrics: ${m?.note ?? "not collected"}`);
    return lines.join("\n") + "\n";
  }
  lines.push(`In flight: ${Object.entries(m.inflight).map(([k, n]) => `${k} ${n}`).join(", ") || "unknown"}; APF rejected ${m.apfRejected}, queued ${m.apfInQueue}; watches ${m.watches}`);
  lines.push("Slowest requests (p50 / p90 / p99, count):");
  for (const r of m.requests) lines.push(`  ${`${r.key.verb} ${r.key.resource}${r.key.subresource ? `/${r.key.subresource}` : ""} ${r.key.scope}`.padEnd(48)} ${formatSeconds(r.p50)} / ${formatSeconds(r.p90)} / ${formatSeconds(r.p99)}  ${r.count}`);
  lines.push("Slowest etcd requests:");
  for (const r of m.etcd) lines.push(`  ${`${r.key.operation} ${r.key.resource}`.padEnd(48)} ${formatSeconds(r.p50)} / ${formatSeconds(r.p90)} / ${formatSeconds(r.p99)}  ${r.count}`);
  if (m.largestCollections.length) lines.push(`Largest collections: ${m.largestCollections.map((o) => `${o.resource} ${o.count}`).join(", ")}`);
  return lines.join("\n") + "\n";
}

export function registerHealthCommand(program: Command, context: CommandContext): void {
  const { io } = context;
  addEtcdOptions(addSourceOptions(program.command("health").description("The API server's health checks, version and load from its metrics.").argument("[source...]", "a kubesleuth archive (default: the live cluster)")))
    .addOption(outputOption(["text", "json"], "text"))
    .addHelpText("after", HELP)
    .action(async (paths: string[], opts: CommonOptions & SourceFlags) => {
      context.setDebug(opts.debug === true);
      const source = await loadSource(io, paths, opts, { kinds: [], logs: false, controlPlane: true });
      const summary = summarizeHealth(source.snapshot);
      if (!summary) throw new UsageError("this input holds no API server health data", "use a live cluster, or an archive written by `kubesleuth snapshot`");
      io.stdout(opts.output === "json" ? JSON.stringify(summary, null, 2) + "\n" : renderText(summary));
    });
}
