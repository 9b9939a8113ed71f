// Decides from the API server's metrics whether it is overloaded: slow requests (p99 above the Kubernetes SLO), slow etcd, in-flight near its limits, APF rejections, collections so large that LISTs slow down.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import { API_SERVER_REF } from "../api-server-ref.js";
import { apiServerLoad, formatSeconds, type LatencyRow } from "../apiserver-metrics.js";

/** Fewer observations than this make a p99 meaningless. */
export const MIN_OBSERVATIONS = 20;

/**
 * The API call latency SLO (kubernetes/community sig-scalability/slos/api_call_latency.md): p99 <= 1 s for
 * mutating and single-object read calls; read-only LIST calls p99 <= 5 s at namespace scope, <= 30 s at
 * cluster scope.
 */
export function latencyLimit(row: LatencyRow): number {
  if (row.key.verb === "LIST") return row.key.scope === "cluster" ? 30 : row.key.scope === "namespace" ? 5 : 1;
  return 1;
}

/** etcd calls are one part of an API call: slower than the whole call's 1 s budget (5 s for a list) is a storage problem. */
export function etcdLimit(row: LatencyRow): number {
  return /list/i.test(row.key.operation ?? "") ? 5 : 1;
}

/** 80 % of the default --max-requests-inflight (400) and --max-mutating-requests-inflight (200). */
const INFLIGHT_WARN: Record<string, number> = { readOnly: 320, mutating: 160 };

/**
 * Object counts past which a full LIST of the resource is slow (seconds of etcd read and serialization):
 * the Kubernetes scalability thresholds (sig-scalability/configs-and-limits/thresholds.md) for pods
 * (150,000), services (10,000) and namespaces (10,000); 100,000 for any other resource.
 */
export const OBJECT_THRESHOLDS: Record<string, number> = { pods: 150_000, services: 10_000, namespaces: 10_000 };
export const DEFAULT_OBJECT_THRESHOLD = 100_000;

function describeRequest(row: LatencyRow): string {
  const what = row.key.verb ? `${row.key.verb} ${row.key.resource}${row.key.subresource ? `/${row.key.subresource}` : ""}${row.key.scope ? ` (${row.key.scope} scope)` : ""}` : `etcd ${row.key.operation} ${row.key.resource}`;
  return `${what}: p50 ${formatSeconds(row.p50)}, p90 ${formatSeconds(row.p90)}, p99 ${formatSeconds(row.p99)} over ${row.count} requests`;
}

export const apiserverOverloaded = defineAnalyzer({
  id: "apiserver-overloaded",
  title: "The API server is slow or overloaded",
  area: "control-plane",
  severity: "warning",
  needs: [],
  needsControlPlane: true,
  messages: {
    slowRequests: {
      summary: "API requests are slow: {{worst}}",
      rootCause:
        "{{count}} kinds of request have a p99 latency above the Kubernetes API call SLO (1 s per object, 5 s / 30 s for namespace / cluster LISTs), computed from apiserver_request_duration_seconds as histogram_quantile does. The counts are cumulative since the API server started.",
      remediation: "Find who sends the slow requests (audit log, APF metrics), paginate or narrow large LISTs, and check etcd latency and API server CPU.",
    },
    slowEtcd: {
      summary: "etcd answers the API server slowly: {{worst}}",
      rootCause: "{{count}} kinds of etcd request have a p99 above {{limit}} (etcd_request_duration_seconds): storage latency slows every API call that touches them. Usual causes: slow disk (fsync), a database near its quota, or an overloaded etcd.",
      remediation: "Check etcd's disk latency (wal_fsync_duration_seconds), database size and defragmentation, and its CPU.",
    },
    inflightHigh: {
      summary: "The API server has {{inflight}} requests in flight",
      rootCause: "apiserver_current_inflight_requests is at {{inflight}}, above 80 % of the default limits (400 read-only, 200 mutating); past the limit requests are queued or rejected with 429.",
      remediation: "Find the clients sending the load (APF metrics, audit log); raise --max-requests-inflight only with enough CPU and memory.",
    },
    apfRejecting: {
      summary: "API Priority and Fairness rejected {{rejected}} requests",
      rootCause: "apiserver_flowcontrol_rejected_requests_total counts {{rejected}} rejected requests since the API server started ({{detail}}): clients got HTTP 429 because their priority level was full. {{inqueue}} requests are queued now.",
      remediation: "Find the flow schema and client behind the rejections; give it its own priority level or reduce its request rate.",
    },
    largeCollections: {
      summary: "Collections large enough to slow LISTs: {{largest}}",
      rootCause: "The API server stores {{largest}} (apiserver_resource_objects). Every full LIST of such a collection reads and serializes all of it: seconds of etcd and API server time, and memory in every client that lists it.",
      remediation: "Delete what is not needed (old Events are bounded by --event-ttl, completed Jobs by ttlSecondsAfterFinished), and make clients LIST with pagination or watch from a cache.",
    },
  },
  run({ snapshot, report }) {
    const text = snapshot.controlPlane?.metrics?.text;
    if (!text) return;
    const load = apiServerLoad(text);
    const ref = API_SERVER_REF;
    const metricsStep = { step: "Read the API server's metrics", command: "kubectl get --raw /metrics | grep -E '^apiserver_request_duration_seconds|^etcd_request_duration_seconds|^apiserver_flowcontrol'", outcome: "problem" as const };

    const slow = load.requests.filter((r) => r.count >= MIN_OBSERVATIONS && r.p99 > latencyLimit(r));
    if (slow.length > 0) {
      report("slowRequests", {
        subject: ref,
        data: { worst: describeRequest(slow[0]!), count: slow.length },
        evidence: slow.slice(0, 10).map((r) => ({ ref, path: "metrics.apiserver_request_duration_seconds", value: describeRequest(r), note: `SLO p99 <= ${latencyLimit(r)}s` })),
        investigation: [{ ...metricsStep, result: describeRequest(slow[0]!) }],
        remediation: [{ description: "Find the clients behind the slow requests in the audit log or with APF metrics", command: "kubectl get --raw /metrics | grep apiserver_flowcontrol_dispatched_requests_total" }],
      });
    }
    const slowEtcd = load.etcd.filter((r) => r.count >= MIN_OBSERVATIONS && r.p99 > etcdLimit(r));
    if (slowEtcd.length > 0) {
      report("slowEtcd", {
        subject: ref,
        data: { worst: describeRequest(slowEtcd[0]!), count: slowEtcd.length, limit: "1 s (5 s for lists)" },
        evidence: slowEtcd.slice(0, 10).map((r) => ({ ref, path: "metrics.etcd_request_duration_seconds", value: describeRequest(r), note: `limit p99 <= ${etcdLimit(r)}s` })),
        investigation: [{ ...metricsStep, result: describeRequest(slowEtcd[0]!) }],
        remediation: [{ description: "Check etcd's disk and database", command: "etcdctl endpoint status -w table   # DB SIZE vs quota; then etcd's wal_fsync_duration_seconds" }],
      });
    }
    const high = Object.entries(load.inflight).filter(([kind, n]) => INFLIGHT_WARN[kind] !== undefined && n >= INFLIGHT_WARN[kind]!);
    if (high.length > 0) {
      report("inflightHigh", {
        subject: ref,
        data: { inflight: high.map(([k, n]) => `${n} ${k}`).join(", ") },
        evidence: high.map(([kind, n]) => ({ ref, path: `metrics.apiserver_current_inflight_requests{request_kind="${kind}"}`, value: n, note: `warn at ${INFLIGHT_WARN[kind]} (80 % of the default limit)` })),
        investigation: [{ ...metricsStep, result: high.map(([k, n]) => `${k} ${n}`).join(", ") }],
        remediation: [{ description: "Find the heaviest clients", command: "kubectl get --raw /metrics | grep apiserver_flowcontrol_current_executing_requests" }],
      });
    }
    if (load.rejected.length > 0) {
      const total = load.rejected.reduce((n, r) => n + r.value, 0);
      const evidence: Evidence[] = load.rejected.map((r) => ({
        ref,
        path: "metrics.apiserver_flowcontrol_rejected_requests_total",
        value: r.value,
        note: `priority_level=${r.labels.priority_level ?? ""} flow_schema=${r.labels.flow_schema ?? ""} reason=${r.labels.reason ?? ""}`,
      }));
      report("apfRejecting", {
        subject: ref,
        data: { rejected: total, detail: evidence.map((e) => `${e.value} ${e.note}`).join("; "), inqueue: load.inqueue },
        evidence: [...evidence, { ref, path: "metrics.apiserver_flowcontrol_current_inqueue_requests", value: load.inqueue, note: "queued now, all priority levels" }],
        investigation: [{ ...metricsStep, result: `${total} rejected` }],
        remediation: [{ description: "See which flow schemas and priority levels are full", command: "kubectl get flowschemas,prioritylevelconfigurations" }],
      });
    }
    const large = load.objects.filter((o) => o.count >= (OBJECT_THRESHOLDS[o.resource] ?? DEFAULT_OBJECT_THRESHOLD));
    if (large.length > 0) {
      report("largeCollections", {
        subject: ref,
        data: { largest: large.map((o) => `${o.count} ${o.resource}`).join(", ") },
        evidence: large.map((o) => ({ ref, path: `metrics.apiserver_resource_objects{resource="${o.resource}"}`, value: o.count, note: `threshold ${OBJECT_THRESHOLDS[o.resource] ?? DEFAULT_OBJECT_THRESHOLD}` })),
        investigation: [{ ...metricsStep, command: "kubectl get --raw /metrics | grep -E '^apiserver_(resource|storage)_objects'", result: large.map((o) => `${o.resource} ${o.count}`).join(", ") }],
        remediation: [{ description: "Count and prune the largest collection", command: `kubectl get ${large[0]!.resource} -A --no-headers | wc -l` }],
      });
    }
  },
});
