// The scheduler framework's shared shapes: filter statuses, NodeInfo, cluster state and version-dependent wording.
import type { KubeObject, Node, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "../../model/kube.js";

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

/** storage.k8s.io/v1 CSINode: the CSI drivers a node runs and how many volumes each can attach. */
export interface CSINode extends KubeObject {
  kind: "CSINode";
  spec?: { drivers?: { name: string; nodeID?: string; topologyKeys?: string[] | null; allocatable?: { count?: number } | null }[] | null };
}

/** The scheduler's storage listers: claims by "namespace/name", volumes, classes and CSINodes by name. */
export interface StorageState {
  pvcs: ReadonlyMap<string, PersistentVolumeClaim>;
  pvs: ReadonlyMap<string, PersistentVolume>;
  storageClasses: ReadonlyMap<string, StorageClass>;
  csiNodes: ReadonlyMap<string, CSINode>;
}

/** Builds the storage listers from object lists. */
export function buildStorageState(objects: {
  pvcs?: readonly PersistentVolumeClaim[];
  pvs?: readonly PersistentVolume[];
  storageClasses?: readonly StorageClass[];
  csiNodes?: readonly CSINode[];
}): StorageState {
  return {
    pvcs: new Map((objects.pvcs ?? []).map((c) => [`${c.metadata.namespace ?? ""}/${c.metadata.name}`, c])),
    pvs: new Map((objects.pvs ?? []).map((v) => [v.metadata.name, v])),
    storageClasses: new Map((objects.storageClasses ?? []).map((c) => [c.metadata.name, c])),
    csiNodes: new Map((objects.csiNodes ?? []).map((c) => [c.metadata.name, c])),
  };
}

/** What filters may read beyond the node under test: every node with its pods, and namespaces' labels. */
export interface ClusterState {
  nodes: NodeInfo[];
  /** Namespace name -> labels, for pod affinity terms with a namespaceSelector. */
  namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** PVCs, PVs, StorageClasses and CSINodes. Without it the volume plugins are skipped (they pass every node). */
  storage?: StorageState;
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

/**
 * A PreFilter outcome: a failed status fails the pod on every node (FitError's PreFilterMsg);
 * `nodeNames` is a PreFilterResult restricting the nodes the filters run on.
 */
export interface PreFilterOutcome {
  status?: Extract<FilterStatus, { ok: false }>;
  nodeNames?: ReadonlySet<string>;
}

/** A PreFilter plugin: `(pod, clusterState, options) => outcome` (empty outcome: nothing to say). */
export type PreFilterPlugin = (pod: Pod, cluster: ClusterState, options?: FilterOptions) => PreFilterOutcome;

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

/** Get-or-compute in a two-level cache: a WeakMap by `owner`, then a Map by `key`. */
export function memoize<O extends object, K, V>(store: WeakMap<O, Map<K, V>>, owner: O, key: K, compute: () => V): V {
  let byKey = store.get(owner);
  if (!byKey) {
    byKey = new Map();
    store.set(owner, byKey);
  }
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key) as V;
}

const precomputed = new WeakMap<ClusterState, Map<Pod, Map<string, unknown>>>();

/**
 * A plugin's PreFilter state for (cluster, pod): computed once per simulation, as upstream's
 * PreFilter writes it to the CycleState, instead of on every node's Filter call.
 */
export function preFilterState<T>(cluster: ClusterState, pod: Pod, key: string, compute: () => T): T {
  const byKey = memoize(precomputed, cluster, pod, () => new Map<string, unknown>());
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key) as T;
}
