// Reads one etcd member's state from its /health answer and filtered /metrics text: database size against
// the quota, leader, leader changes, WAL fsync and backend commit latency, NOSPACE.
import type { EtcdEndpointData } from "../../model/control-plane.js";
import { histogramQuantile, histogramsOf, parseMetricsText, type Bucket, type Sample } from "../../semantics/prometheus-text.js";

export interface EtcdLatency {
  p99: number;
  count: number;
}

export interface EtcdState {
  url: string;
  /** /health's "health" field ("true"/"false") and "reason"; undefined when not answered or not JSON. */
  health?: { healthy: boolean; reason: string; status: number };
  /** True when /health's reason names the NOSPACE alarm (etcd writes "ALARM NOSPACE"). */
  noSpace: boolean;
  dbSize?: number;
  quota?: number;
  hasLeader?: boolean;
  leaderChanges?: number;
  /** process_start_time_seconds, in seconds since the epoch. */
  startTime?: number;
  walFsync?: EtcdLatency;
  backendCommit?: EtcdLatency;
  error?: string;
}

function gauge(samples: readonly Sample[], name: string): number | undefined {
  return samples.find((s) => s.name === name)?.value;
}

function latency(samples: readonly Sample[], name: string): EtcdLatency | undefined {
  const buckets = new Map<number, number>();
  let count = 0;
  for (const series of histogramsOf(samples, name)) {
    for (const b of series.buckets) buckets.set(b.upperBound, (buckets.get(b.upperBound) ?? 0) + b.count);
    count += series.count;
  }
  if (count === 0) return undefined;
  const list: Bucket[] = [...buckets].map(([upperBound, c]) => ({ upperBound, count: c }));
  return { p99: histogramQuantile(0.99, list), count };
}

export function etcdState(data: EtcdEndpointData): EtcdState {
  const state: EtcdState = { url: data.url, noSpace: false, ...(data.error ? { error: data.error } : {}) };
  if (data.health) {
    try {
      const parsed = JSON.parse(data.health.text) as { health?: unknown; reason?: unknown };
      const reason = typeof parsed.reason === "string" ? parsed.reason : "";
      state.health = { healthy: parsed.health === "true" || parsed.health === true, reason, status: data.health.status };
    } catch {
      state.health = undefined;
    }
    state.noSpace = /\bNOSPACE\b/.test(data.health.text);
  }
  if (data.metrics) {
    const { samples } = parseMetricsText(data.metrics);
    state.dbSize = gauge(samples, "etcd_mvcc_db_total_size_in_bytes");
    state.quota = gauge(samples, "etcd_server_quota_backend_bytes");
    const leader = gauge(samples, "etcd_server_has_leader");
    if (leader !== undefined) state.hasLeader = leader === 1;
    state.leaderChanges = gauge(samples, "etcd_server_leader_changes_seen_total");
    state.startTime = gauge(samples, "process_start_time_seconds");
    state.walFsync = latency(samples, "etcd_disk_wal_fsync_duration_seconds");
    state.backendCommit = latency(samples, "etcd_disk_backend_commit_duration_seconds");
  }
  return state;
}
