// Which pods on a pressured node use the most of the resource: measured usage (metrics.k8s.io PodMetrics) when the
// snapshot has it, else requests and limits; and how far the node's limits overcommit its allocatable.
import type { KubeObject, Pod } from "../../../model/kube.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { parseQuantity, quantityToBytes } from "../../../semantics/quantity.js";
import { podRequests } from "../../../engines/scheduler/node-resources-fit.js";

export interface PodMetrics extends KubeObject {
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

export interface Consumer {
  pod: Pod;
  /** Measured use in bytes (PodMetrics), when known. */
  usage?: bigint;
  request: bigint;
  /** Sum of the containers' limits; undefined when a container has none (unbounded). */
  limit?: bigint;
  /** Containers without a limit on the resource. */
  unlimited: string[];
}

function bytes(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const parsed = parseQuantity(value);
  return parsed.ok ? quantityToBytes(parsed.quantity) : undefined;
}

export function formatBytes(n: bigint): string {
  if (n === 0n) return "0";
  const mi = 1024n * 1024n;
  if (n >= 1024n * mi) return `${(Number(n) / Number(1024n * mi)).toFixed(1)}Gi`;
  if (n >= mi) return `${(Number(n) / Number(mi)).toFixed(0)}Mi`;
  return `${(Number(n) / 1024).toFixed(0)}Ki`;
}

/** Running pods on the node ranked by use of `resource` (memory or ephemeral-storage), with the basis of the ranking. */
export function topConsumers(index: ClusterIndex, pods: readonly Pod[], resource: "memory" | "ephemeral-storage"): { basis: "usage" | "requests"; consumers: Consumer[] } {
  const active = pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const useMetrics = resource === "memory" && index.has("PodMetrics");
  const consumers = active.map((pod): Consumer => {
    const containers = pod.spec?.containers ?? [];
    const unlimited = containers.filter((c) => bytes(c.resources?.limits?.[resource]) === undefined).map((c) => c.name);
    const limit = unlimited.length ? undefined : containers.reduce((n, c) => n + (bytes(c.resources?.limits?.[resource]) ?? 0n), 0n);
    let usage: bigint | undefined;
    if (useMetrics) {
      const m = index.get<PodMetrics>("PodMetrics", pod.metadata.namespace, pod.metadata.name);
      if (m?.containers) usage = m.containers.reduce((n, c) => n + (bytes(c.usage?.[resource]) ?? 0n), 0n);
    }
    return { pod, request: podRequests(pod).get(resource) ?? 0n, ...(limit !== undefined ? { limit } : {}), ...(usage !== undefined ? { usage } : {}), unlimited };
  });
  const basis = useMetrics && consumers.some((c) => c.usage !== undefined) ? "usage" : "requests";
  const key = (c: Consumer): bigint => (basis === "usage" ? (c.usage ?? 0n) : c.request > 0n ? c.request : (c.limit ?? 0n));
  consumers.sort((a, b) => {
    // Unbounded pods first when ranking by declarations: nothing caps them.
    if (basis === "requests" && (a.limit === undefined) !== (b.limit === undefined)) return a.limit === undefined ? -1 : 1;
    const d = key(b) - key(a);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  });
  return { basis, consumers };
}

/** Sum of limits on the node against allocatable; pods without a limit make the total unbounded. */
export function overcommit(consumers: readonly Consumer[], allocatable: string | undefined): { limits: bigint; allocatable?: bigint; unbounded: number } {
  return {
    limits: consumers.reduce((n, c) => n + (c.limit ?? 0n), 0n),
    ...(bytes(allocatable) !== undefined ? { allocatable: bytes(allocatable)! } : {}),
    unbounded: consumers.filter((c) => c.limit === undefined).length,
  };
}

export function describeConsumer(c: Consumer, resource: string): string {
  const parts = [
    ...(c.usage !== undefined ? [`uses ${formatBytes(c.usage)}`] : []),
    `requests ${formatBytes(c.request)}`,
    c.limit !== undefined ? `limit ${formatBytes(c.limit)}` : `no ${resource} limit on ${c.unlimited.join(", ")}`,
  ];
  return parts.join(", ");
}
