// Reads the API server's own state: /livez, /readyz and /healthz with ?verbose (checks by name), /version,
// and /metrics filtered to the families the control-plane analyzers read.
import type { ControlPlaneData, HealthCheck, HealthEndpoint } from "../../model/control-plane.js";
import { ApiRequestError, type ApiClient } from "./api-client.js";

export const HEALTH_PATHS = ["/livez", "/readyz", "/healthz"] as const;

/**
 * The metric families kept from /metrics (everything else is dropped before the snapshot holds it):
 * request latency and counts, in-flight requests, API Priority and Fairness rejections and queues, etcd
 * request latency, object counts (apiserver_resource_objects since 1.31; apiserver_storage_objects before)
 * and watch counts. `_sum` series are not kept: no analyzer reads means.
 */
export const METRIC_FAMILIES: readonly string[] = [
  "apiserver_request_duration_seconds_bucket",
  "apiserver_request_duration_seconds_count",
  "apiserver_current_inflight_requests",
  "apiserver_flowcontrol_rejected_requests_total",
  "apiserver_flowcontrol_current_inqueue_requests",
  "etcd_request_duration_seconds_bucket",
  "etcd_request_duration_seconds_count",
  "apiserver_resource_objects",
  "apiserver_storage_objects",
  "apiserver_registered_watchers",
  "apiserver_longrunning_requests",
];

const HEALTH_MAX_BYTES = 256 * 1024;
/** An idle 1.36 API server exposes ~2 MB; a large busy one can reach tens of MB (one series per resource and verb). */
const METRICS_MAX_BYTES = 64 * 1024 * 1024;

/** Parses a ?verbose health answer: `[+]name ok`, `[-]name failed: reason withheld`. */
export function parseHealthChecks(text: string): HealthCheck[] {
  const checks: HealthCheck[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const m = /^\[([+-])\](\S+)\s/.exec(line + " ");
    if (m) checks.push({ name: m[2]!, ok: m[1] === "+", line });
  }
  return checks;
}

/** Keeps the lines (samples and their # TYPE/# HELP) of METRIC_FAMILIES. */
export function filterMetricsText(text: string, families: readonly string[] = METRIC_FAMILIES): string {
  const keep = new Set(families);
  const base = (name: string): string => name.replace(/_(bucket|count|sum)$/, "");
  const keepBase = new Set(families.map(base));
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) {
      const m = /^#\s*(?:TYPE|HELP)\s+(\S+)/.exec(line);
      if (m && keepBase.has(m[1]!)) out.push(line);
      continue;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name && keep.has(name)) out.push(line);
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

async function readHealth(client: ApiClient, path: string): Promise<HealthEndpoint> {
  try {
    const answer = await client.getAnyStatus(path, { verbose: "" }, HEALTH_MAX_BYTES);
    const ok = answer.status >= 200 && answer.status < 300;
    const checks = parseHealthChecks(answer.text);
    const endpoint: HealthEndpoint = { path, status: answer.status, ok, checks };
    if (!ok && checks.length === 0) endpoint.error = `HTTP ${answer.status}${answer.status === 403 ? " (forbidden for this identity)" : ""}`;
    return endpoint;
  } catch (error) {
    if (!(error instanceof ApiRequestError)) throw error;
    return { path, ok: false, checks: [], error: client.scrub(error.message) };
  }
}

/**
 * Asks the health endpoints, /version and (when `metrics`) /metrics, one request each, no retry: a failing
 * readyz is the answer, not a transient error. Never throws for an HTTP or network failure: those are
 * recorded (`error`, `metricsNote`, `unreachable`).
 */
export async function readControlPlane(client: ApiClient, options: { metrics: boolean }): Promise<ControlPlaneData> {
  const health = await Promise.all(HEALTH_PATHS.map((p) => readHealth(client, p)));
  const data: ControlPlaneData = { health };
  const noAnswer = health.filter((h) => h.status === undefined);
  if (noAnswer.length === health.length) {
    data.unreachable = noAnswer[0]!.error ?? "no answer";
    data.metricsNote = "not read: the API server did not answer";
    return data;
  }
  try {
    const version = await client.getAnyStatus("/version", {}, HEALTH_MAX_BYTES);
    if (version.status === 200) {
      const parsed = JSON.parse(version.text) as Record<string, unknown>;
      data.version = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
    }
  } catch (error) {
    if (!(error instanceof ApiRequestError) && !(error instanceof SyntaxError)) throw error;
  }
  if (!options.metrics) {
    data.metricsNote = "not read";
    return data;
  }
  try {
    const answer = await client.getAnyStatus("/metrics", {}, METRICS_MAX_BYTES);
    if (answer.status === 200) {
      data.metrics = { text: filterMetricsText(answer.text), bytes: answer.bytes };
      if (answer.bytes >= METRICS_MAX_BYTES) data.metricsNote = `only the first ${METRICS_MAX_BYTES} bytes of /metrics were read`;
    } else {
      data.metricsNote = answer.status === 403 ? "not collected: forbidden (HTTP 403) for this identity (needs get on the non-resource URL /metrics)" : `not collected: HTTP ${answer.status}`;
    }
  } catch (error) {
    if (!(error instanceof ApiRequestError)) throw error;
    data.metricsNote = `not collected: ${client.scrub(error.message)}`;
  }
  return data;
}
