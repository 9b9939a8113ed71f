// Runs the filter plugins over every node, as kube-scheduler's findNodesThatFitPod does, and formats the FitError it would report.
import type { Node, Pod } from "../../model/kube.js";
import { buildNodeInfos, minorVersion, type ClusterState, type FilterOptions, type FilterPlugin, type FilterStatus } from "./framework.js";
import { interPodAffinity } from "./inter-pod-affinity.js";
import { nodeAffinity } from "./node-affinity.js";
import { nodeName } from "./node-name.js";
import { nodePorts } from "./node-ports.js";
import { nodeResourcesFit } from "./node-resources-fit.js";
import { nodeUnschedulable } from "./node-unschedulable.js";
import { podTopologySpread } from "./pod-topology-spread.js";
import { taintToleration } from "./taint-toleration.js";

/**
 * The default profile's filter plugins in the order kube-scheduler runs them (apis/config
 * default_plugins.go; volume plugins between NodeResourcesFit and PodTopologySpread are not
 * simulated yet).
 */
export const FILTER_PLUGINS: readonly { name: string; filter: FilterPlugin }[] = [
  { name: "NodeUnschedulable", filter: nodeUnschedulable },
  { name: "NodeName", filter: nodeName },
  { name: "TaintToleration", filter: taintToleration },
  { name: "NodeAffinity", filter: nodeAffinity },
  { name: "NodePorts", filter: nodePorts },
  { name: "NodeResourcesFit", filter: nodeResourcesFit },
  { name: "PodTopologySpread", filter: podTopologySpread },
  { name: "InterPodAffinity", filter: interPodAffinity },
];

/** A failed filter on one node. */
export interface FilterFailure {
  plugin: string;
  status: Extract<FilterStatus, { ok: false }>;
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
}

/** The filter verdict for every node (node order kept). Pods bound to nodes count as usage; terminal pods do not. */
export function simulateScheduling(pod: Pod, nodes: readonly Node[], pods: readonly Pod[], options: SimulationOptions = {}): NodeVerdict[] {
  // The incoming pod is not yet on any node; drop it should the caller's pod list hold it too.
  const isSelf = (p: Pod) => p === pod || (p.metadata.name === pod.metadata.name && (p.metadata.namespace ?? "") === (pod.metadata.namespace ?? ""));
  const infos = buildNodeInfos(nodes, pods.filter((p) => !isSelf(p)));
  const cluster: ClusterState = { nodes: infos, ...(options.namespaceLabels ? { namespaceLabels: options.namespaceLabels } : {}) };
  return infos.map((info) => {
    const failures: FilterFailure[] = [];
    for (const { name, filter } of FILTER_PLUGINS) {
      const status = filter(pod, info, cluster, options);
      if (!status.ok) failures.push({ plugin: name, status });
    }
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

/**
 * The DefaultPreemption PostFilter message when preemption finds no candidate, or undefined when
 * it might find one (a node failing resolvably holds lower-priority pods) — kubesleuth does not
 * simulate victim selection. Nodes failing UnschedulableAndUnresolvable get "Preemption is not
 * helpful for scheduling" (nodesWherePreemptionMightHelp); the others, with no pod of lower
 * priority than the incoming pod, "No preemption victims found for incoming pod" (SelectVictimsOnNode).
 */
export function preemptionMessage(pod: Pod, verdicts: readonly NodeVerdict[], pods: readonly Pod[], options: FilterOptions = {}): string | undefined {
  const minor = minorVersion(options);
  if (pod.spec?.preemptionPolicy === "Never") return minor >= 26 ? "preemption: not eligible due to preemptionPolicy=Never" : undefined;
  const reasons: string[] = [];
  for (const verdict of verdicts) {
    const first = verdict.failures[0];
    if (!first) return undefined;
    if (first.status.unresolvable) {
      reasons.push(PREEMPTION_NOT_HELPFUL);
      continue;
    }
    const lower = pods.some((p) => p.spec?.nodeName === verdict.node && priorityOf(p) < priorityOf(pod) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    if (lower) return undefined;
    reasons.push(NO_PREEMPTION_VICTIMS);
  }
  return `preemption: ${noNodeAvailable(verdicts.length)}: ${histogram(reasons)}.`;
}

/**
 * FitError.Error(): "0/N nodes are available: <histogram>." then the PostFilter message. Each
 * node contributes the reasons of its first failing filter. Up to v1.26 the post-filter message
 * is appended as " " + msg; from v1.27 (SeparatorFormat " %v.") it gets another period, hence the
 * "pod.." seen on current clusters. Returns undefined when some node fits.
 */
export function formatFitError(pod: Pod, verdicts: readonly NodeVerdict[], pods: readonly Pod[] = [], options: FilterOptions & { preemption?: boolean } = {}): string | undefined {
  if (verdicts.some((v) => v.fits)) return undefined;
  const reasons = verdicts.flatMap((v) => v.failures[0]?.status.reasons ?? []);
  let message = `${noNodeAvailable(verdicts.length)}: ${histogram(reasons)}.`;
  const minor = minorVersion(options);
  // The "preemption: " prefix on DefaultPreemption's message appears from v1.24.
  const post = options.preemption === false || minor < 24 ? undefined : preemptionMessage(pod, verdicts, pods, options);
  if (post) message += minor >= 27 ? ` ${post}.` : ` ${post}`;
  return message;
}
