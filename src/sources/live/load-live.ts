// The live source: reads the kinds the analyzers need (and the logs of unhealthy pods) from an API server into a Snapshot.
import { readFile } from "node:fs/promises";
import type { KubeObject } from "../../model/kube.js";
import type { Snapshot } from "../../model/snapshot.js";
import { HELM_RELEASE_KIND } from "../../model/helm-release.js";
import { SourceError } from "../errors.js";
import { HELM_SECRET_TYPE } from "../helm/decode-release.js";
import { createSnapshotBuilder } from "../snapshot-builder.js";
import { ApiRequestError, createApiClient, DEFAULT_RETRY, type ApiClient, type RetryPolicy } from "./api-client.js";
import { runBounded } from "./bounded.js";
import { readControlPlane } from "./control-plane.js";
import { readEtcdEndpoint } from "./etcd.js";
import { readComponentHealth } from "./component-health.js";
import { readServingCertificate } from "./serving-cert.js";
import { discover, type ServedKind } from "./discovery.js";
import { resolveKubeConfig } from "./kubeconfig.js";
import { listKind } from "./list-kind.js";
import { logRequestsOf, readLog, type LogRequest } from "./pod-logs.js";
import { readVolumeStats, VOLUME_STATS_COVERAGE } from "./volume-stats.js";

export interface LiveOptions {
  /** A kubeconfig file (--kubeconfig). Default: KUBECONFIG, ~/.kube/config, then the in-cluster service account. */
  kubeconfig?: string;
  /** Environment for KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A kubeconfig context (--context). Default: current-context. */
  context?: string;
  /** Lists namespaced kinds in this namespace only; undefined = all namespaces. Cluster-scoped kinds are always listed whole. */
  namespace?: string;
  /** A label selector (kubectl -l). Applied to Pods only: see README.md. */
  labelSelector?: string;
  /** Kinds to read: the union of the selected analyzers' `needs`. */
  kinds: string[];
  /**
   * Read the API server's /livez, /readyz, /healthz (?verbose), /version and /metrics into
   * `snapshot.controlPlane`. A refused /metrics is recorded in coverage under "/metrics", not an error.
   */
  controlPlane?: boolean;
  /**
   * Read pod volume usage from the kubelets' summary API through the node proxy into `snapshot.volumeStats`
   * (implies listing Pods and Nodes). Only Ready nodes running a pod with a claim are asked, at most
   * `volumeStatsMaxNodes`, each once with `volumeStatsTimeoutMs`. A 403 is coverage "/stats/summary": forbidden.
   */
  volumeStats?: boolean;
  /** Nodes whose summary is read at most. Default 500. */
  volumeStatsMaxNodes?: number;
  /** Timeout per node summary in ms. Default 5 000. */
  volumeStatsTimeoutMs?: number;
  /** etcd client URLs to read /health and /metrics of (with controlPlane), and the TLS material for https ones. */
  etcd?: { endpoints: string[]; tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } };
  /** Components whose /healthz?verbose to read (with controlPlane): --component-endpoint NAME=URL. */
  components?: { name: string; url: string }[];
  /** Read the log tails of unhealthy pods (implies listing Pods). */
  logs?: boolean;
  /** Per-request timeout in ms. Default 30 000. */
  timeoutMs?: number;
  /** Requests in flight at most. Default 4. */
  concurrency?: number;
  /** Objects per list page (limit). Default 500. */
  pageSize?: number;
  onProgress?: (message: string) => void;
  /** Retry policy for 429, 5xx, timeouts and network errors. Default: 4 attempts, 250 ms doubling to 8 s, jittered. */
  retry?: Partial<RetryPolicy>;
  /** Log lines per container (tailLines). Default 100. */
  logTailLines?: number;
  /** Bytes per log (limitBytes). Default 64 KiB. */
  logLimitBytes?: number;
  /** Unhealthy pods whose logs are read at most. Default 200. */
  maxLogPods?: number;
}

const DEFAULTS = { timeoutMs: 30_000, concurrency: 4, pageSize: 500, logTailLines: 100, logLimitBytes: 64 * 1024, maxLogPods: 200, volumeStatsMaxNodes: 500, volumeStatsTimeoutMs: 5_000 };

/**
 * Captures a snapshot from the API server of the selected kubeconfig context.
 *
 * Throws a SourceError (one line, naming the kubeconfig or the server URL, never a credential) when the
 * kubeconfig is unusable, or when the server cannot be reached, fails TLS or rejects the credentials
 * during discovery, or when no list at all could be read. Once one list has been read, losing the
 * server does not throw: the failed and unread kinds are marked "partial" and the snapshot is returned.
 */
export async function loadLive(options: LiveOptions): Promise<Snapshot> {
  const capturedAt = new Date().toISOString();
  const timeoutMs = positive(options.timeoutMs, DEFAULTS.timeoutMs);
  const concurrency = positive(options.concurrency, DEFAULTS.concurrency);
  const pageSize = positive(options.pageSize, DEFAULTS.pageSize);
  const progress = options.onProgress ?? (() => {});

  const config = resolveKubeConfig({ kubeconfig: options.kubeconfig, context: options.context }, options.env ?? process.env);
  const serverUrl = config.serverUrl;
  const client = createApiClient({ kubeConfig: config.kubeConfig, serverUrl, timeoutMs, retry: { ...DEFAULT_RETRY, ...options.retry } });
  const fail = (error: unknown): never => {
    if (error instanceof ApiRequestError) throw new SourceError(serverUrl, describeFatal(error, config.contextName, client), { cause: error });
    throw error;
  };

  try {
    // HelmRelease is not an API kind: it is decoded from the release Secrets and ConfigMaps (listHelmStorage).
    const wantsReleases = options.kinds.includes(HELM_RELEASE_KIND);
    const kinds = [...new Set([...options.kinds.filter((k) => k !== HELM_RELEASE_KIND), ...(options.logs ? ["Pod"] : []), ...(options.volumeStats ? ["Pod", "Node"] : []), ...(wantsReleases ? ["Secret", "ConfigMap"] : [])])].sort();
    const fullLists = new Set(options.kinds);
    progress(`connecting to ${serverUrl} (context ${config.contextName})`);
    const discovery = await discover(client, kinds, concurrency).catch(fail);
    progress(`server ${discovery.serverVersion ?? "version unknown"}; ${discovery.served.length} of ${kinds.length} kinds served`);

    const builder = createSnapshotBuilder({ kind: "live", locations: [serverUrl], formats: ["live"] });
    builder.setCapturedAt(capturedAt);
    if (discovery.serverVersion) builder.setServerVersion(discovery.serverVersion);
    for (const [kind, note] of discovery.absent) builder.setCoverage(kind, "absent", note);
    if (options.controlPlane) {
      progress("reading the API server's health checks and metrics");
      const controlPlane = await readControlPlane(client, { metrics: true });
      const cluster = config.kubeConfig.getCurrentCluster();
      const ca = cluster?.caData ? Buffer.from(cluster.caData, "base64") : cluster?.caFile ? await readFile(cluster.caFile).catch(() => undefined) : undefined;
      const servingCertificate = await readServingCertificate(serverUrl, ca, timeoutMs);
      if (servingCertificate) controlPlane.servingCertificate = servingCertificate;
      if (options.etcd?.endpoints.length) {
        progress(`reading etcd's /health and /metrics (${options.etcd.endpoints.length} endpoint(s))`);
        const tlsFiles = options.etcd.tls;
        controlPlane.etcd = await Promise.all(options.etcd.endpoints.map((url) => readEtcdEndpoint(url, tlsFiles, timeoutMs)));
      }
      if (options.components?.length) {
        progress(`reading /healthz of ${options.components.map((c) => c.name).join(", ")}`);
        controlPlane.components = await Promise.all(options.components.map((c) => readComponentHealth(c.name, c.url, timeoutMs)));
      }
      builder.setControlPlane(controlPlane);
      if (!controlPlane.metrics && controlPlane.metricsNote) {
        builder.setCoverage("/metrics", /forbidden/.test(controlPlane.metricsNote) ? "forbidden" : "partial", controlPlane.metricsNote);
      }
    }

    const helmStatus: { kind: string; status: string; note?: string }[] = [];
    let answered = 0;
    let lostServer: ApiRequestError | undefined;
    const pods: KubeObject[] = [];
    const nodes: KubeObject[] = [];
    const listStatus = new Map<string, string>();
    await runBounded(discovery.served, concurrency, async (served: ServedKind) => {
      if (lostServer) {
        builder.setCoverage(served.kind, "partial", `not read: the API server ${lostServer.kind === "timeout" ? "stopped answering" : "became unreachable"}`);
        return;
      }
      const selector = served.kind === "Pod" ? options.labelSelector : undefined;
      // Secrets and ConfigMaps wanted only for Helm releases: only Helm's storage objects are listed, and only decoded.
      const helmOnly = wantsReleases && !fullLists.has(served.kind) && (served.kind === "Secret" || served.kind === "ConfigMap");
      try {
        if (helmOnly) {
          const result = await listKind(client, served, { namespace: options.namespace, pageSize, ...HELM_STORAGE_LISTS[served.kind as "Secret" | "ConfigMap"] });
          answered++;
          for (const object of result.items) builder.addHelmStorage(object);
          helmStatus.push({ kind: served.kind, status: result.status, note: result.note && client.scrub(result.note) });
          if (result.serverGone) lostServer ??= result.serverGone;
          progress(`${served.kind} (Helm release storage): ${result.items.length}${result.status === "ok" ? "" : ` (${result.status})`}`);
          return;
        }
        const result = await listKind(client, served, { namespace: options.namespace, labelSelector: selector, pageSize });
        if (!result.serverGone || result.items.length > 0) answered++;
        for (const object of result.items) builder.add(object);
        if (served.kind === "Pod") pods.push(...result.items);
        if (served.kind === "Node") nodes.push(...result.items);
        listStatus.set(served.kind, result.status);
        if (wantsReleases && (served.kind === "Secret" || served.kind === "ConfigMap")) helmStatus.push({ kind: served.kind, status: result.status, note: result.note && client.scrub(result.note) });
        // A server that timed out (after retries) or vanished mid-list is not asked for the remaining
        // kinds: each would cost its own timeouts, minutes in all against a hung server.
        if (result.serverGone && (result.serverGone.kind !== "timeout" || !(await answers(client)))) lostServer ??= result.serverGone;
        if (result.status !== "ok") builder.setCoverage(served.kind, result.status, result.note && client.scrub(result.note));
        // Pods outside the selector were not read: analyzers must not take their absence for a fact.
        else if (selector) builder.setCoverage(served.kind, "partial", `only pods matching -l ${selector}`);
        else builder.markListed(served.kind);
        progress(`${served.kind}: ${result.items.length}${result.status === "ok" ? "" : ` (${result.status})`}`);
      } catch (error) {
        if (!(error instanceof ApiRequestError) || (error.kind !== "unreachable" && error.kind !== "tls")) throw error;
        lostServer ??= error;
        builder.setCoverage(served.kind, "partial", `not read: ${client.scrub(error.message)}`);
      }
    });
    if (wantsReleases) recordReleaseCoverage(builder, helmStatus, discovery.absent);
    if (lostServer) {
      if (answered === 0) fail(lostServer);
      const what = lostServer.kind === "timeout" ? "stopped answering" : "became unreachable";
      builder.skip(serverUrl, `the API server ${what} during the capture: ${client.scrub(lostServer.message)}`);
      progress(`the API server ${what}; the snapshot is partial`);
    }

    if (options.logs && !lostServer) {
      await readLogs(client, pods, builder, {
        concurrency,
        tailLines: positive(options.logTailLines, DEFAULTS.logTailLines),
        limitBytes: positive(options.logLimitBytes, DEFAULTS.logLimitBytes),
        maxPods: positive(options.maxLogPods, DEFAULTS.maxLogPods),
        progress,
      });
    } else if (options.logs) {
      builder.skip("pod logs", "not read: the API server did not answer");
    }
    // The nodes to ask come from the Node and Pod lists: without them, which kubelets hold claims is unknown.
    const statsBlocker = ["Node", "Pod"].find((kind) => listStatus.get(kind) !== "ok");
    if (options.volumeStats && !lostServer && statsBlocker) {
      const status = listStatus.get(statsBlocker);
      builder.setCoverage(VOLUME_STATS_COVERAGE, status === "forbidden" ? "forbidden" : "partial", `not read: the ${statsBlocker} list is ${status ?? "not served"}, so which nodes run pods with claims is unknown`);
    } else if (options.volumeStats && !lostServer) {
      const maxNodes = positive(options.volumeStatsMaxNodes, DEFAULTS.volumeStatsMaxNodes);
      const statsClient = createApiClient({ kubeConfig: config.kubeConfig, serverUrl, timeoutMs: positive(options.volumeStatsTimeoutMs, DEFAULTS.volumeStatsTimeoutMs), retry: { ...DEFAULT_RETRY, attempts: 1 } });
      try {
        progress("reading pod volume stats from the kubelets (nodes/proxy)");
        const stats = await readVolumeStats(statsClient, nodes, pods, { concurrency, maxNodes });
        builder.setVolumeStats(stats.data);
        if (stats.status === "ok") builder.markListed(VOLUME_STATS_COVERAGE);
        else builder.setCoverage(VOLUME_STATS_COVERAGE, stats.status, stats.note);
      } finally {
        statsClient.close();
      }
    } else if (options.volumeStats) {
      builder.setCoverage(VOLUME_STATS_COVERAGE, "partial", "not read: the API server did not answer");
    }
    return builder.build();
  } finally {
    client.close();
  }
}

/** How Helm's drivers mark their storage: Secrets by type (a field selector on secrets), ConfigMaps by label. */
const HELM_STORAGE_LISTS = {
  Secret: { fieldSelector: `type=${HELM_SECRET_TYPE}` },
  ConfigMap: { labelSelector: "owner=helm" },
} as const;

/**
 * HelmRelease coverage from the lists it was decoded from: forbidden when release Secrets could not be
 * listed (the usual driver), partial when any list was incomplete. A full Secret/ConfigMap list (when
 * those kinds were wanted too) counts through the builder's own coverage.
 */
function recordReleaseCoverage(builder: ReturnType<typeof createSnapshotBuilder>, lists: { kind: string; status: string; note?: string }[], absent: ReadonlyMap<string, string>): void {
  const secret = lists.find((l) => l.kind === "Secret");
  const bad = lists.filter((l) => l.status !== "ok");
  if (secret?.status === "forbidden") builder.setCoverage(HELM_RELEASE_KIND, "forbidden", `release Secrets: ${secret.note ?? "forbidden"}`);
  else if (bad.length > 0) builder.setCoverage(HELM_RELEASE_KIND, "partial", bad.map((l) => `${l.kind}: ${l.note ?? l.status}`).join("; "));
  else if (absent.has("Secret")) builder.setCoverage(HELM_RELEASE_KIND, "absent", absent.get("Secret"));
  else builder.markListed(HELM_RELEASE_KIND);
}

interface LogSettings {
  concurrency: number;
  tailLines: number;
  limitBytes: number;
  maxPods: number;
  progress: (message: string) => void;
}

async function readLogs(client: ApiClient, pods: KubeObject[], builder: ReturnType<typeof createSnapshotBuilder>, settings: LogSettings): Promise<void> {
  const byPod = pods
    .map((pod) => ({ pod, requests: logRequestsOf(pod) }))
    .filter((p) => p.requests.length > 0)
    .sort((a, b) => `${a.pod.metadata.namespace}/${a.pod.metadata.name}`.localeCompare(`${b.pod.metadata.namespace}/${b.pod.metadata.name}`));
  if (byPod.length > settings.maxPods) {
    builder.skip("pod logs", `${byPod.length} unhealthy pods; logs read for the first ${settings.maxPods} (by namespace/name)`);
  }
  const requests: LogRequest[] = byPod.slice(0, settings.maxPods).flatMap((p) => p.requests);
  settings.progress(`reading ${requests.length} container logs of ${Math.min(byPod.length, settings.maxPods)} unhealthy pods`);
  let stopped: string | undefined;
  await runBounded(requests, settings.concurrency, async (request) => {
    if (stopped) return;
    const location = `logs ${request.namespace}/${request.pod}/${request.container}${request.previous ? " (previous)" : ""}`;
    try {
      builder.addLog(await readLog(client, request, settings));
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      if (error.kind === "unreachable" || error.kind === "tls" || (error.kind === "http" && error.status === 403)) {
        // Forbidden once is forbidden for all (pods/log is one RBAC resource); unreachable likewise.
        stopped ??= `${client.scrub(error.message)}; the remaining logs were not read`;
        return;
      }
      builder.skip(location, client.scrub(error.message));
    }
  });
  if (stopped) builder.skip("pod logs", stopped);
}

function describeFatal(error: ApiRequestError, context: string, client: ApiClient): string {
  const message = client.scrub(error.message);
  switch (error.kind) {
    case "unreachable":
      return `cannot reach the API server: ${message}`;
    case "timeout":
      return `the API server did not answer: ${message}`;
    case "tls":
      return `${message} (check certificate-authority of context ${context})`;
    case "http":
      return error.status === 401
        ? `the API server rejected the credentials of context ${context} (${message})`
        : `the API server refused discovery: ${message}`;
    default:
      return message;
  }
}

/** After a list timed out: is the server still answering at all (one slow list), or hung? */
async function answers(client: ApiClient): Promise<boolean> {
  try {
    await client.getJson("/version");
    return true;
  } catch (error) {
    if (error instanceof ApiRequestError) return false;
    throw error;
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
