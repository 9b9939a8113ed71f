// The scheduler framework's shared shapes: filter statuses, NodeInfo, cluster state and version-dependent wording.
import type { Node, NodeSelectorTerm, Pod } from "../../model/kube.js";

/** A filter verdict: Success, or Unschedulable / UnschedulableAndUnresolvable with the upstream reason strings. */
export type FilterStatus =
  | { ok: true }
  | {
      ok: false;
      /** The first reason (most plugins return exactly one). */
      reason: string;
      /** Every reason of the status, in upstream order (NodeResourcesFit can return several). */
      reasons: string[];
      /** framework.UnschedulableAndUnresolvable: preemption cannot help on this node. */
      unresolvable?: boolean;
    };

/** framework.NodeInfo: a node and the pods the scheduler counts as running on it. */
export interface NodeInfo {
  node: Node;
  /** Pods bound to the node (spec.nodeName), terminal pods (Succeeded/Failed) already excluded. */
  pods: Pod[];
}

/** What filters may read beyond the node under test: every node with its pods, and namespaces' labels. */
export interface ClusterState {
  nodes: NodeInfo[];
  /** Namespace name -> labels, for pod affinity terms with a namespaceSelector. */
  namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Options shared by all filters. */
export interface FilterOptions {
  /** kube-scheduler minor version, e.g. "1.23" or "1.36" (default): selects reason wording and behaviour. */
  version?: string;
  /** NodeResourcesFitArgs.IgnoredResources. */
  ignoredResources?: readonly string[];
  /** NodeResourcesFitArgs.IgnoredResourceGroups. */
  ignoredResourceGroups?: readonly string[];
  /** The LocalStorageCapacityIsolation feature gate (default on; GA and locked on since v1.25). */
  localStorageCapacityIsolation?: boolean;
  /** NodeAffinityArgs.AddedAffinity (scheduler-enforced node affinity). */
  addedAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] } };
}

/** A filter plugin: `(pod, nodeInfo, clusterState, options) => status`. */
export type FilterPlugin = (pod: Pod, nodeInfo: NodeInfo, cluster: ClusterState, options?: FilterOptions) => FilterStatus;

export const DEFAULT_VERSION = "1.36";

/** The minor number of a "1.N" (or "v1.N.P") version. */
export function minorVersion(options: FilterOptions | undefined): number {
  const match = /^v?1\.(\d+)/.exec(options?.version ?? DEFAULT_VERSION);
  if (!match) throw new Error(`unsupported scheduler version ${JSON.stringify(options?.version)}: expected "1.N"`);
  return Number(match[1]);
}

export const SUCCESS: FilterStatus = { ok: true };

/** framework.NewStatus(Unschedulable, reasons...). */
export function unschedulable(...reasons: string[]): FilterStatus {
  return { ok: false, reason: reasons[0] ?? "", reasons };
}

/** framework.NewStatus(UnschedulableAndUnresolvable, reasons...). */
export function unresolvable(...reasons: string[]): FilterStatus {
  return { ok: false, reason: reasons[0] ?? "", reasons, unresolvable: true };
}

/** Whether a pod is terminal: the scheduler's assigned-pod informer skips Succeeded and Failed pods. */
export function isTerminalPod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** Builds NodeInfos: each node with the non-terminal pods bound to it (spec.nodeName). */
export function buildNodeInfos(nodes: readonly Node[], pods: readonly Pod[]): NodeInfo[] {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminalPod(pod)) continue;
    const list = byNode.get(nodeName) ?? [];
    list.push(pod);
    byNode.set(nodeName, list);
  }
  return nodes.map((node) => ({ node, pods: byNode.get(node.metadata.name) ?? [] }));
}
