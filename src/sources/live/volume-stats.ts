// Reads pod volume usage from each kubelet's summary API through the API server's node proxy:
// GET /api/v1/nodes/<node>/proxy/stats/summary (stats/v1alpha1 Summary). Only `pods[].volume[]` is kept.
import type { KubeObject } from "../../model/kube.js";
import type { PodVolumeStats, VolumeStatsData } from "../../model/volume-stats.js";
import { ApiRequestError, type ApiClient } from "./api-client.js";
import { runBounded } from "./bounded.js";

/** The coverage key of the kubelet summaries (a path, so no objects file in an archive). */
export const VOLUME_STATS_COVERAGE = "/stats/summary";
/** A 110-pod node's summary is ~0.3 MB; a larger answer is cut (and then not JSON: the node is skipped). */
const SUMMARY_MAX_BYTES = 16 * 1024 * 1024;

export interface VolumeStatsOptions {
  /** Requests in flight at most. */
  concurrency: number;
  /** Nodes asked at most (the first by name); the rest are recorded as skipped. */
  maxNodes: number;
}

export interface VolumeStatsResult {
  data: VolumeStatsData;
  /** Coverage of VOLUME_STATS_COVERAGE: ok, forbidden (403 on nodes/proxy) or partial (some nodes not read). */
  status: "ok" | "forbidden" | "partial";
  note?: string;
}

/** A Node is asked only when its Ready condition is True (a NotReady kubelet does not answer: each would cost a timeout). */
function isReady(node: KubeObject): boolean {
  const conditions = ((node.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions) ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** Whether a pod mounts a PersistentVolumeClaim (directly or through a generic ephemeral volume) and is not finished. */
function usesClaim(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  const volumes = ((pod.spec as { volumes?: { persistentVolumeClaim?: unknown; ephemeral?: unknown }[] } | undefined)?.volumes) ?? [];
  return volumes.some((v) => v.persistentVolumeClaim !== undefined || v.ephemeral !== undefined);
}

/**
 * The nodes worth asking: Ready nodes running a pod that mounts a claim. Nodes without such a pod have no
 * PVC-backed volume to report, so a 5,000-node cluster costs as many requests as nodes with claims (capped).
 */
export function statsNodes(nodes: readonly KubeObject[], pods: readonly KubeObject[]): { ask: string[]; notReady: string[] } {
  const wanted = new Set<string>();
  for (const pod of pods) {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (nodeName && usesClaim(pod)) wanted.add(nodeName);
  }
  const ask: string[] = [];
  const notReady: string[] = [];
  for (const node of nodes) {
    if (!wanted.has(node.metadata.name)) continue;
    (isReady(node) ? ask : notReady).push(node.metadata.name);
  }
  return { ask: ask.sort(), notReady: notReady.sort() };
}

/** ": <message>" of a Status body (the API server's "address not allowed", "error trying to reach service: ..."), else "". */
function statusMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === "string" && message ? `: ${message.slice(0, 200)}` : "";
  } catch {
    return "";
  }
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The pod volume entries of one node's Summary JSON. */
export function parseSummaryVolumes(node: string, summary: unknown): PodVolumeStats[] {
  const pods = (summary as { pods?: unknown } | null)?.pods;
  if (!Array.isArray(pods)) return [];
  const out: PodVolumeStats[] = [];
  for (const pod of pods as { podRef?: { name?: unknown; namespace?: unknown }; volume?: unknown }[]) {
    const name = pod?.podRef?.name;
    const namespace = pod?.podRef?.namespace;
    if (typeof name !== "string" || typeof namespace !== "string" || !Array.isArray(pod.volume)) continue;
    for (const v of pod.volume as Record<string, unknown>[]) {
      if (typeof v?.name !== "string") continue;
      const ref = v.pvcRef as { name?: unknown; namespace?: unknown } | undefined;
      const entry: PodVolumeStats = { node, namespace, pod: name, volume: v.name };
      if (ref && typeof ref.name === "string") entry.pvc = { namespace: typeof ref.namespace === "string" ? ref.namespace : namespace, name: ref.name };
      for (const key of ["capacityBytes", "usedBytes", "availableBytes", "inodes", "inodesUsed", "inodesFree"] as const) {
        const n = num(v[key]);
        if (n !== undefined) entry[key] = n;
      }
      if (typeof v.time === "string") entry.time = v.time;
      out.push(entry);
    }
  }
  return out;
}

/**
 * Asks each node's summary once (no retry; `client` carries the short per-node timeout), at most
 * `concurrency` at a time. A 403 (nodes/proxy not granted) stops the reading and is coverage "forbidden";
 * a node that times out or fails is skipped with its reason. Never throws for an HTTP or network failure.
 */
export async function readVolumeStats(client: ApiClient, nodes: readonly KubeObject[], pods: readonly KubeObject[], options: VolumeStatsOptions): Promise<VolumeStatsResult> {
  const { ask, notReady } = statsNodes(nodes, pods);
  const skipped: { node: string; reason: string }[] = notReady.map((node) => ({ node, reason: "not asked: node is not Ready" }));
  const asked = ask.slice(0, options.maxNodes);
  for (const node of ask.slice(options.maxNodes)) skipped.push({ node, reason: `not asked: more than ${options.maxNodes} nodes with claims` });
  const volumes: PodVolumeStats[] = [];
  const nodesRead: string[] = [];
  let forbidden: string | undefined;
  await runBounded(asked, options.concurrency, async (node) => {
    if (forbidden) {
      skipped.push({ node, reason: "not asked: nodes/proxy is forbidden" });
      return;
    }
    const path = `/api/v1/nodes/${encodeURIComponent(node)}/proxy/stats/summary`;
    try {
      const answer = await client.getAnyStatus(path, {}, SUMMARY_MAX_BYTES);
      if (answer.status === 403) {
        forbidden ??= "forbidden (HTTP 403) for this identity (needs get on nodes/proxy)";
        skipped.push({ node, reason: "forbidden (HTTP 403)" });
        return;
      }
      if (answer.status !== 200) {
        skipped.push({ node, reason: `HTTP ${answer.status}${statusMessage(answer.text)}` });
        return;
      }
      volumes.push(...parseSummaryVolumes(node, JSON.parse(answer.text)));
      nodesRead.push(node);
    } catch (error) {
      if (error instanceof SyntaxError) skipped.push({ node, reason: "the summary is not JSON" });
      else if (error instanceof ApiRequestError) skipped.push({ node, reason: client.scrub(error.message) });
      else throw error;
    }
  });
  volumes.sort((a, b) => `${a.namespace}/${a.pod}/${a.volume}`.localeCompare(`${b.namespace}/${b.pod}/${b.volume}`));
  skipped.sort((a, b) => a.node.localeCompare(b.node));
  const data: VolumeStatsData = { volumes, nodesRead: nodesRead.sort(), ...(skipped.length ? { nodesSkipped: skipped } : {}) };
  if (forbidden) return { data, status: "forbidden", note: `not collected: ${forbidden}` };
  if (skipped.length) {
    const shown = skipped.slice(0, 3).map((s) => `${s.node}: ${s.reason}`).join("; ");
    return { data, status: "partial", note: `${skipped.length} of ${ask.length + notReady.length} nodes with claims not read (${shown}${skipped.length > 3 ? "; ..." : ""})` };
  }
  return { data, status: "ok" };
}
