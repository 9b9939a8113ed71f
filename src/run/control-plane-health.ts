// The API server's health at a glance: failing checks, version, and the load read from its metrics (for `kubesleuth health`).
import { apiServerLoad, type LatencyRow } from "../analyzers/control-plane/apiserver-metrics.js";
import { etcdState, type EtcdState } from "../analyzers/control-plane/etcd-metrics.js";
import type { ComponentHealthData, ServingCertificateData } from "../model/control-plane.js";
import type { Snapshot } from "../model/snapshot.js";

export interface HealthSummary {
  serverVersion: string | null;
  reachable: boolean;
  /** Per endpoint: HTTP status, and the checks that failed. */
  endpoints: { path: string; status: number | null; ok: boolean; failed: string[]; checks: number; error?: string }[];
  metrics: {
    collected: boolean;
    note?: string;
    /** Request latency per verb/resource/scope, slowest p99 first (at most `top`). */
    requests: LatencyRow[];
    etcd: LatencyRow[];
    inflight: Record<string, number>;
    apfRejected: number;
    apfInQueue: number;
    watches: number;
    largestCollections: { resource: string; count: number }[];
  } | null;
  /** The API server's serving certificate from a TLS handshake (live https servers). */
  servingCertificate?: ServingCertificateData;
  /** etcd members read through --etcd-endpoint. */
  etcd?: EtcdState[];
  /** kube-scheduler / kube-controller-manager /healthz?verbose read through --component-endpoint. */
  components?: ComponentHealthData[];
}

/** Summarizes snapshot.controlPlane; null when the snapshot has none (offline inputs other than kubesleuth archives). */
export function summarizeHealth(snapshot: Snapshot, top = 10): HealthSummary | null {
  const data = snapshot.controlPlane;
  if (!data) return null;
  const load = data.metrics ? apiServerLoad(data.metrics.text) : undefined;
  return {
    serverVersion: data.version?.gitVersion ?? snapshot.serverVersion ?? null,
    reachable: !data.unreachable,
    endpoints: data.health.map((h) => ({
      path: h.path,
      status: h.status ?? null,
      ok: h.ok,
      failed: h.checks.filter((c) => !c.ok).map((c) => c.name),
      checks: h.checks.length,
      ...(h.error ? { error: h.error } : {}),
    })),
    metrics: load
      ? {
          collected: true,
          ...(data.metricsNote ? { note: data.metricsNote } : {}),
          requests: load.requests.slice(0, top),
          etcd: load.etcd.slice(0, top),
          inflight: load.inflight,
          apfRejected: load.rejected.reduce((n, r) => n + r.value, 0),
          apfInQueue: load.inqueue,
          watches: load.watches,
          largestCollections: load.objects.slice(0, top),
        }
      : { collected: false, ...(data.metricsNote ? { note: data.metricsNote } : {}), requests: [], etcd: [], inflight: {}, apfRejected: 0, apfInQueue: 0, watches: 0, largestCollections: [] },
    ...(data.servingCertificate ? { servingCertificate: data.servingCertificate } : {}),
    ...(data.etcd?.length ? { etcd: data.etcd.map(etcdState) } : {}),
    ...(data.components?.length ? { components: data.components } : {}),
  };
}
