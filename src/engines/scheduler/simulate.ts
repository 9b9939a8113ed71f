// Runs the filter plugins over every node, as kube-scheduler's findNodesThatFitPod does, and formats the FitError it would report.
import type { Node, Pod } from "../../model/kube.js";
import {
  buildNodeInfos,
  memoize,
  minorVersion,
  unresolvable,
  type ClusterState,
  type FilterOptions,
  type FilterPlugin,
  type FilterStatus,
  type NodeInfo,
  type PreFilterPlugin,
  type StorageState,
} from "./framework.js";
import { interPodAffinity } from "./inter-pod-affinity.js";
import { nodeAffinity, nodeAffinityPreFilter } from "./node-affinity.js";
import { nodeName } from "./node-name.js";
import { nodePorts } from "./node-ports.js";
import { nodeResourcesFit } from "./node-resources-fit.js";
import { nodeUnschedulable } from "./node-unschedulable.js";
import { nodeVolumeLimits } from "./node-volume-limits.js";
import { podTopologySpread } from "./pod-topology-spread.js";
import { taintToleration } from "./taint-toleration.js";
import { volumeBinding, volumeBindingPreFilter } from "./volume-binding.js";
import { volumeRestrictions, volumeRestrictionsPreFilter } from "./volume-restrictions.js";
import { volumeZone, volumeZonePreFilter } from "./volume-zone.js";

/** The default profile's filter plugins in the order kube-scheduler runs them (apis/config default_plugins.go). */
export const FILTER_PLUGINS: readonly { name: string; filter: FilterPlugin }[] = [
  { name: "NodeUnschedulable", filter: nodeUnschedulable },
  { name: "NodeName", filter: nodeName },
  { name: "TaintToleration", filter: taintToleration },
  { name: "NodeAffinity", filter: nodeAffinity },
  { name: "NodePorts", filter: nodePorts },
  { name: "NodeResourcesFit", filter: nodeResourcesFit },
  { name: "VolumeRestrictions", filter: volumeRestrictions },
  { name: "NodeVolumeLimits", filter: nodeVolumeLimits },
  { name: "VolumeBinding", filter: volumeBinding },
  { name: "VolumeZone", filter: volumeZone },
  { name: "PodTopologySpread", filter: podTopologySpread },
  { name: "InterPodAffinity", filter: interPodAffinity },
];

/**
 * The PreFilter plugins that can fail a pod as a whole or narrow the nodes, in the default
 * profile's order (the first failure stops the cycle, RunPreFilterPlugins).
 */
export const PRE_FILTER_PLUGINS: readonly { name: string; preFilter: PreFilterPlugin }[] = [
  { name: "NodeAffinity", preFilter: nodeAffinityPreFilter },
  { name: "VolumeRestrictions", preFilter: volumeRestrictionsPreFilter },
  { name: "VolumeBinding", preFilter: volumeBindingPreFilter },
  { name: "VolumeZone", preFilter: volumeZonePreFilter },
];

/** A failed filter on one node. */
export interface FilterFailure {
  plugin: string;
  status: Extract<FilterStatus, { ok: false }>;
  /**
   * "PreFilter": the plugin's PreFilter failed the pod on every node (FitError's PreFilterMsg);
   * "PreFilterResult": the node was left out by a PreFilter's node list.
   */
  stage?: "PreFilter" | "PreFilterResult";
}

/** One node's verdict. */
export interface NodeVerdict {
  node: string;
  fits: boolean;
  /** Every failing filter, in plugin order. kube-scheduler stops at (and reports) only the first. */
  failures: FilterFailure[];
}

export interface SimulationOptions extends FilterOptions {
  /** Namespace name -> labels (pod affinity namespaceSelector). */
  namespaceLabels?: ClusterState["namespaceLabels"];
  /** PVCs, PVs, StorageClasses and CSINodes (buildStorageState). Without it the volume plugins pass every node. */
  storage?: StorageState;
  /** Stop at each node's first failing filter, as kube-scheduler does (the message needs no more; faster). */
  firstFailureOnly?: boolean;
}

function isSelfOf(pod: Pod): (p: Pod) => boolean {
  return (p) => p === pod || (p.metadata.name === pod.metadata.name && (p.metadata.namespace ?? "") === (pod.metadata.namespace ?? ""));
}

/** NodeInfos per (nodes, pods) list: a scan simulating many pods against one snapshot builds them once. */
const infosMemo = new WeakMap<readonly Node[], Map<readonly Pod[], NodeInfo[]>>();

function nodeInfosOf(nodes: readonly Node[], pods: readonly Pod[]): NodeInfo[] {
  return memoize(infosMemo, nodes, pods, () => buildNodeInfos(nodes, pods));
}

function clusterOf(pod: Pod, nodes: readonly Node[], pods: readonly Pod[], options: SimulationOptions): ClusterState {
  // The incoming pod is not yet on any node; drop it should the caller's pod list hold it bound.
  // NodeInfos hold only bound pods, so an unbound incoming pod shares the memoized ones.
  const isSelf = isSelfOf(pod);
  const infos = pod.spec?.nodeName || pods.some((p) => p !== pod && isSelf(p) && p.spec?.nodeName) ? buildNodeInfos(nodes, pods.filter((p) => !isSelf(p))) : nodeInfosOf(nodes, pods);
  return { nodes: infos, ...(options.namespaceLabels ? { namespaceLabels: options.namespaceLabels } : {}), ...(options.storage ? { storage: options.storage } : {}) };
}

type Failed = Extract<FilterStatus, { ok: false }>;

/** RunPreFilterPlugins: the first failure, else the intersection of the node lists (and who set them). */
function runPreFilter(pod: Pod, cluster: ClusterState, options: SimulationOptions): { failure?: FilterFailure; nodeNames?: Set<string>; plugins: string[] } {
  let names: Set<string> | undefined;
  const plugins: string[] = [];
  for (const { name, preFilter } of PRE_FILTER_PLUGINS) {
    const out = preFilter(pod, cluster, options);
    if (out.status) return { failure: { plugin: name, status: out.status, stage: "PreFilter" }, plugins };
    if (!out.nodeNames) continue;
    plugins.push(name);
    names = names === undefined ? new Set(out.nodeNames) : new Set([...names].filter((n) => out.nodeNames!.has(n)));
    if (names.size === 0) {
      const msg = plugins.length === 1 ? `node(s) didn't satisfy plugin ${plugins[0]}` : `node(s) didn't satisfy plugin(s) [${plugins.join(" ")}] simultaneously`;
      return { failure: { plugin: name, status: unresolvable(msg) as Failed, stage: "PreFilter" }, plugins };
    }
  }
  return { ...(names ? { nodeNames: names } : {}), plugins };
}

function runFilters(pod: Pod, info: ClusterState["nodes"][number], cluster: ClusterState, options: SimulationOptions, firstOnly = options.firstFailureOnly === true): FilterFailure[] {
  const failures: FilterFailure[] = [];
  for (const { name, filter } of FILTER_PLUGINS) {
    const status = filter(pod, info, cluster, options);
    if (!status.ok) {
      failures.push({ plugin: name, status });
      if (firstOnly) break;
    }
  }
  return failures;
}

/**
 * The verdict for every node (node order kept). Pods bound to nodes count as usage; terminal pods
 * do not. A PreFilter failure fails every node with that one status; nodes outside a PreFilter's
 * node list fail first with "node(s) didn't satisfy plugin(s) [...]" (their filters still run, for the table).
 */
export function simulateScheduling(pod: Pod, nodes: readonly Node[], pods: readonly Pod[], options: SimulationOptions = {}): NodeVerdict[] {
  const cluster = clusterOf(pod, nodes, pods, options);
  const pre = runPreFilter(pod, cluster, options);
  if (pre.failure) {
    const failure = pre.failure;
    return cluster.nodes.map((info) => ({ node: info.node.metadata.name, fits: false, failures: [failure] }));
  }
  const left: FilterFailure | undefined = pre.nodeNames
    ? { plugin: pre.plugins.join(","), status: unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.plugins].sort().join(" ")}]`) as Failed, stage: "PreFilterResult" }
    : undefined;
  return cluster.nodes.map((info) => {
    const isLeft = left !== undefined && !pre.nodeNames!.has(info.node.metadata.name);
    const failures = isLeft && options.firstFailureOnly ? [] : runFilters(pod, info, cluster, options);
    if (isLeft) failures.unshift(left);
    return { node: info.node.metadata.name, fits: failures.length === 0, failures };
  });
}

/** framework.NoNodeAvailableMsg. */
const noNodeAvailable = (count: number) => `0/${count} nodes are available`;

// FitError.Error's sortReasonsHistogram: "<count> <reason>" strings sorted with sort.Strings (byte order).
function histogram(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(", ");
}

/** The preemption messages of defaultpreemption without lower-priority pods. */
export const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod";

function priorityOf(pod: Pod): number {
  return typeof pod.spec?.priority === "number" ? pod.spec.priority : 0;
}

/** A node where removing lower-priority pods makes the incoming pod fit: DefaultPreemption would preempt there. */
export interface PreemptionCandidate {
  node: string;
  /** Every lower-priority pod on the node: an upper bound (upstream then reprieves what it can, by priority and PDBs). */
  lowerPriorityPods: string[];
}

/** DefaultPreemption's dry run over the nodes that failed resolvably. */
export interface PreemptionOutcome {
  /** `preemption: ...` as written into FitError, or undefined when a candidate exists (the PostFilter succeeds, no message). */
  message?: string;
  candidates: PreemptionCandidate[];
}

/**
 * DefaultPreemption.PostFilter: preemptionPolicy Never is not eligible; nodes whose first failure
 * is UnschedulableAndUnresolvable get "Preemption is not helpful for scheduling"
 * (nodesWherePreemptionMightHelp); on the others SelectVictimsOnNode removes every pod of lower
 * priority: none gives "No preemption victims found for incoming pod", still no fit gives the
 * reasons of the first failing filter, a fit makes the node a candidate. Without `nodes` the
 * re-simulation is impossible and a node with lower-priority pods makes the outcome unknown (undefined).
 * Nominated pods, PodDisruptionBudgets and victim reprieve are not modelled.
 */
export function preemptionOutcome(pod: Pod, verdicts: readonly NodeVerdict[], pods: readonly Pod[], options: SimulationOptions & { nodes?: readonly Node[] } = {}): PreemptionOutcome | undefined {
  const minor = minorVersion(options);
  const period = minor >= 34 ? "." : "";
  if (pod.spec?.preemptionPolicy === "Never") return minor >= 26 ? { message: `preemption: not eligible due to preemptionPolicy=Never${period}`, candidates: [] } : undefined;
  const reasons: string[] = [];
  const candidates: PreemptionCandidate[] = [];
  // Without the nodes, a node's pods come from the pod list (then the dry run itself is impossible).
  const base = options.nodes ? clusterOf(pod, options.nodes, pods, options) : undefined;
  const isSelf = isSelfOf(pod);
  const podsOn = (node: string): readonly Pod[] =>
    base?.nodes.find((i) => i.node.metadata.name === node)?.pods ?? pods.filter((p) => !isSelf(p) && p.spec?.nodeName === node && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const infoIndex = new Map((base?.nodes ?? []).map((info, i) => [info.node.metadata.name, i]));
  for (const verdict of verdicts) {
    const first = verdict.failures[0];
    if (!first) return undefined;
    if (first.status.unresolvable) {
      reasons.push(PREEMPTION_NOT_HELPFUL);
      continue;
    }
    const onNode = base ? (base.nodes[infoIndex.get(verdict.node) ?? -1]?.pods ?? []) : podsOn(verdict.node);
    const lower = onNode.filter((p) => priorityOf(p) < priorityOf(pod));
    if (!lower.length) {
      reasons.push(NO_PREEMPTION_VICTIMS);
      continue;
    }
    const at = infoIndex.get(verdict.node);
    if (!base || at === undefined) return undefined;
    // The node without its lower-priority pods; every other NodeInfo shared with the base cluster.
    const info = { node: base.nodes[at]!.node, pods: onNode.filter((p) => !lower.includes(p)) };
    const cluster: ClusterState = { ...base, nodes: base.nodes.map((n, i) => (i === at ? info : n)) };
    const after = runFilters(pod, info, cluster, options, true)[0];
    if (after) reasons.push(...after.status.reasons);
    else candidates.push({ node: verdict.node, lowerPriorityPods: lower.map((p) => `${p.metadata.namespace ?? ""}/${p.metadata.name}`) });
  }
  if (candidates.length) return { candidates };
  return { message: `preemption: ${noNodeAvailable(verdicts.length)}: ${histogram(reasons)}.`, candidates };
}

/** The DefaultPreemption PostFilter message alone (see preemptionOutcome), or undefined. */
export function preemptionMessage(pod: Pod, verdicts: readonly NodeVerdict[], pods: readonly Pod[], options: SimulationOptions & { nodes?: readonly Node[] } = {}): string | undefined {
  return preemptionOutcome(pod, verdicts, pods, options)?.message;
}

/**
 * FitError.Error(): "0/N nodes are available: " then the PreFilter message, or the histogram of
 * each node's first failing filter's reasons, then the PostFilter plugins' message.
 *
 * v1.36, as the real kube-scheduler writes it (test/e2e/scheduler-messages.e2e.ts): the PostFilter
 * part follows after one space and carries its own period; DynamicResources' PostFilter runs first
 * and says "no new claims to deallocate" (joined with ", "), or, when a PreFilter failed before its
 * own PreFilter ran, its state lookup error "not found" (and preemption does not run). A preemption
 * candidate makes the PostFilter succeed: no PostFilter message at all. Applied from v1.34 (DRA GA,
 * its plugin in the default profile); versions 1.34 and 1.35 are not checked against a cluster.
 * Before v1.34: " " + msg up to v1.26, " " + msg + "." from v1.27 (SeparatorFormat), preemption prefix from v1.24.
 * Returns undefined when some node fits.
 */
export function formatFitError(pod: Pod, verdicts: readonly NodeVerdict[], pods: readonly Pod[] = [], options: SimulationOptions & { preemption?: boolean; nodes?: readonly Node[] } = {}): string | undefined {
  if (verdicts.some((v) => v.fits)) return undefined;
  const first = verdicts[0]?.failures[0];
  const preFilter = first?.stage === "PreFilter" ? first : undefined;
  const body = preFilter ? preFilter.status.reasons.join(", ") : histogram(verdicts.flatMap((v) => v.failures[0]?.status.reasons ?? []));
  let message = `${noNodeAvailable(verdicts.length)}: ${body}.`;
  const minor = minorVersion(options);
  if (minor >= 34) {
    if (options.preemption === false) return message;
    if (preFilter) return `${message} not found`;
    const outcome = preemptionOutcome(pod, verdicts, pods, options);
    if (outcome && !outcome.message) return message;
    const parts = ["no new claims to deallocate", ...(outcome?.message ? [outcome.message] : [])];
    return `${message} ${parts.join(", ")}`;
  }
  // The "preemption: " prefix on DefaultPreemption's message appears from v1.24.
  const post = options.preemption === false || minor < 24 ? undefined : preemptionMessage(pod, verdicts, pods, options);
  if (post) message += minor >= 27 ? ` ${post}.` : ` ${post}`;
  return message;
}
