// Reads etcd's own client endpoint (opt-in, --etcd-endpoint): GET /health and GET /metrics, filtered to the
// families control-plane/etcd-unhealthy reads. Read-only; never throws for an HTTP, TLS or network failure.
import { readFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { EtcdEndpointData } from "../../model/control-plane.js";
import { filterMetricsText } from "./control-plane.js";

/** The etcd metric families kept (etcd server/etcdserver/metrics.go, server/storage/mvcc/metrics.go, server/storage/wal/metrics.go, server/storage/backend/metrics.go). */
export const ETCD_METRIC_FAMILIES: readonly string[] = [
  "etcd_mvcc_db_total_size_in_bytes",
  "etcd_mvcc_db_total_size_in_use_in_bytes",
  "etcd_server_quota_backend_bytes",
  "etcd_server_has_leader",
  "etcd_server_is_leader",
  "etcd_server_leader_changes_seen_total",
  "etcd_disk_wal_fsync_duration_seconds_bucket",
  "etcd_disk_wal_fsync_duration_seconds_count",
  "etcd_disk_backend_commit_duration_seconds_bucket",
  "etcd_disk_backend_commit_duration_seconds_count",
  "process_start_time_seconds",
];

/** TLS files for an etcd client URL (paths, as etcdctl's --cacert/--cert/--key). */
export interface EtcdTlsFiles {
  cacert?: string;
  cert?: string;
  key?: string;
}

const MAX_BYTES = 16 * 1024 * 1024;

/** One read-only GET (also used for the components' /healthz, with rejectUnauthorized false); `tls` applies to https only. */
export function get(url: URL, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean }, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === "https:" ? https : http;
    const req = transport.request(url, { method: "GET", timeout: timeoutMs, ...(url.protocol === "https:" ? tls : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        if (bytes < MAX_BYTES) chunks.push(chunk);
        bytes += chunk.length;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.replace(/[\r\n]+/g, " ") : String(error);
}

/** Reads the TLS files once; a missing file is a usage error for the caller to report. */
export async function readEtcdTlsFiles(files: EtcdTlsFiles): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  if (files.cacert) out.ca = await readFile(files.cacert);
  if (files.cert) out.cert = await readFile(files.cert);
  if (files.key) out.key = await readFile(files.key);
  return out;
}

/** GETs /health and /metrics of one etcd client URL. */
export async function readEtcdEndpoint(rawUrl: string, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }, timeoutMs = 10_000): Promise<EtcdEndpointData> {
  const base = new URL(rawUrl);
  base.username = "";
  base.password = "";
  const url = base.toString().replace(/\/$/, "");
  const data: EtcdEndpointData = { url };
  const errors: string[] = [];
  try {
    data.health = await get(new URL("/health", base), tls, timeoutMs);
  } catch (error) {
    errors.push(`/health: ${describe(error)}`);
  }
  try {
    const answer = await get(new URL("/metrics", base), tls, timeoutMs);
    if (answer.status === 200) data.metrics = filterMetricsText(answer.text, ETCD_METRIC_FAMILIES);
    else errors.push(`/metrics: HTTP ${answer.status}`);
  } catch (error) {
    errors.push(`/metrics: ${describe(error)}`);
  }
  if (errors.length) data.error = errors.join("; ");
  return data;
}
