// Reads the API server's load from its metrics text: request and etcd latency percentiles, in-flight requests, APF rejections, object counts.
import { histogramQuantile, histogramsOf, parseMetricsText, type Bucket, type Sample } from "../../semantics/prometheus-text.js";

/** Latency percentiles of one group of requests (histogram series summed per bucket bound, as `sum by (le, ...)`). */
export interface LatencyRow {
  /** verb, resource (group-qualified), subresource, scope; or operation and resource for etcd. */
  key: Record<string, string>;
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface ApiServerLoad {
  requests: LatencyRow[];
  etcd: LatencyRow[];
  inflight: Record<string, number>;
  rejected: { labels: Record<string, string>; value: number }[];
  inqueue: number;
  objects: { resource: string; count: number }[];
  watches: number;
}

/** Verbs whose duration is a stream's lifetime, not a request's latency. */
const LONG_RUNNING_VERBS = new Set(["WATCH", "WATCHLIST", "CONNECT"]);

function rows(samples: readonly Sample[], name: string, keyOf: (labels: Record<string, string>) => Record<string, string> | undefined): LatencyRow[] {
  const groups = new Map<string, { key: Record<string, string>; buckets: Map<number, number>; count: number }>();
  for (const series of histogramsOf(samples, name)) {
    const key = keyOf(series.labels);
    if (!key) continue;
    const id = JSON.stringify(key);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key, buckets: new Map(), count: 0 }));
    for (const b of series.buckets) group.buckets.set(b.upperBound, (group.buckets.get(b.upperBound) ?? 0) + b.count);
    group.count += series.count;
  }
  return [...groups.values()]
    .filter((g) => g.count > 0)
    .map((g) => {
      const buckets: Bucket[] = [...g.buckets].map(([upperBound, count]) => ({ upperBound, count }));
      return { key: g.key, count: g.count, p50: histogramQuantile(0.5, buckets), p90: histogramQuantile(0.9, buckets), p99: histogramQuantile(0.99, buckets) };
    })
    .sort((a, b) => b.p99 - a.p99 || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
}

function qualified(labels: Record<string, string>): string {
  return labels.group ? `${labels.resource}.${labels.group}` : (labels.resource ?? "");
}

/** Computes the load summary from the filtered /metrics text. */
export function apiServerLoad(text: string): ApiServerLoad {
  const { samples } = parseMetricsText(text);
  const requests = rows(samples, "apiserver_request_duration_seconds", (l) => {
    if (!l.verb || LONG_RUNNING_VERBS.has(l.verb) || !l.resource) return undefined;
    return { verb: l.verb, resource: qualified(l), subresource: l.subresource ?? "", scope: l.scope ?? "" };
  });
  const etcd = rows(samples, "etcd_request_duration_seconds", (l) => ({ operation: l.operation ?? "", resource: qualified(l) || (l.type ?? "") }));
  const inflight: Record<string, number> = {};
  const rejected: ApiServerLoad["rejected"] = [];
  let inqueue = 0;
  let watches = 0;
  const objectsNew = new Map<string, number>();
  const objectsOld = new Map<string, number>();
  for (const s of samples) {
    if (s.name === "apiserver_current_inflight_requests" && s.labels.request_kind) inflight[s.labels.request_kind] = s.value;
    else if (s.name === "apiserver_flowcontrol_rejected_requests_total" && s.value > 0) rejected.push({ labels: s.labels, value: s.value });
    else if (s.name === "apiserver_flowcontrol_current_inqueue_requests") inqueue += s.value;
    else if (s.name === "apiserver_longrunning_requests" && s.labels.verb === "WATCH") watches += s.value;
    else if (s.name === "apiserver_resource_objects" && s.value >= 0) objectsNew.set(qualified(s.labels), s.value);
    else if (s.name === "apiserver_storage_objects" && s.value >= 0) objectsOld.set(s.labels.resource ?? "", s.value);
  }
  // apiserver_resource_objects (1.31+) replaces apiserver_storage_objects (resource="deployments.apps").
  const objects = [...(objectsNew.size ? objectsNew : objectsOld)].map(([resource, count]) => ({ resource, count })).sort((a, b) => b.count - a.count || a.resource.localeCompare(b.resource));
  return { requests, etcd, inflight, rejected, inqueue, objects, watches };
}

/** Seconds as "0.123s" / "12.3s". */
export function formatSeconds(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value >= 10 ? `${value.toFixed(1)}s` : `${value.toFixed(3)}s`;
}
