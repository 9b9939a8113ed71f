// PodTopologySpread (filter half): DoNotSchedule constraints must keep the skew between topology domains within maxSkew.
import type { LabelSelector, Node, Pod } from "../../model/kube.js";
import { matchesSelector } from "../../semantics/labels.js";
import { podMatchesNodeAffinity } from "../../semantics/node-affinity.js";
import { findUntoleratedTaint } from "../../semantics/taints.js";
import { minorVersion, preFilterState, SUCCESS, unresolvable, unschedulable, type ClusterState, type FilterOptions, type FilterPlugin } from "./framework.js";

/** ErrReasonConstraintsNotMatch (podtopologyspread/filtering.go), unchanged v1.18 to v1.36. */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
/** ErrReasonNodeLabelNotMatch: the node lacks a constraint's topology key. */
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

/** The fields of v1.TopologySpreadConstraint that the filter reads. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector | null;
  minDomains?: number;
  nodeAffinityPolicy?: "Honor" | "Ignore" | string;
  nodeTaintsPolicy?: "Honor" | "Ignore" | string;
  matchLabelKeys?: string[];
}

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector | null;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

/**
 * filterTopologySpreadConstraints: only DoNotSchedule constraints filter. matchLabelKeys (v1.27+)
 * add `key In (pod's value)` for keys the pod carries; minDomains (v1.25+, default 1),
 * nodeAffinityPolicy (default Honor) and nodeTaintsPolicy (default Ignore) from v1.26.
 */
function constraintsOf(pod: Pod, options?: FilterOptions): Constraint[] {
  const minor = minorVersion(options);
  const declared = (pod.spec?.topologySpreadConstraints as TopologySpreadConstraint[] | undefined) ?? [];
  return declared
    .filter((c) => c.whenUnsatisfiable === "DoNotSchedule")
    .map((c) => {
      let selector: LabelSelector | null = c.labelSelector ?? null;
      const labels = pod.metadata.labels ?? {};
      const keys = minor >= 27 ? (c.matchLabelKeys ?? []).filter((key) => Object.prototype.hasOwnProperty.call(labels, key)) : [];
      if (selector && keys.length) {
        selector = {
          ...selector,
          matchExpressions: [...(selector.matchExpressions ?? []), ...keys.map((key) => ({ key, operator: "In", values: [labels[key] as string] }))],
        };
      }
      return {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        selector,
        minDomains: minor >= 25 ? (c.minDomains ?? 1) : 1,
        honorAffinity: minor < 26 || (c.nodeAffinityPolicy ?? "Honor") === "Honor",
        honorTaints: minor >= 26 && c.nodeTaintsPolicy === "Honor",
      };
    });
}

function hasLabel(node: Node, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(node.metadata.labels ?? {}, key);
}

// countPodsMatchSelector: same namespace, not being deleted, selector matches (a nil selector matches nothing).
function countMatching(pods: readonly Pod[], selector: LabelSelector | null, namespace: string): number {
  return pods.filter(
    (p) => !p.metadata.deletionTimestamp && (p.metadata.namespace ?? "") === namespace && matchesSelector(selector, p.metadata.labels),
  ).length;
}

/** Matching pods per topology domain, for every constraint, over the nodes the inclusion policies keep. */
function domainCounts(pod: Pod, constraints: ReturnType<typeof constraintsOf>, cluster: ClusterState, namespace: string): { counts: Map<string, number>[]; mins: number[] } {
  const counts = constraints.map(() => new Map<string, number>());
  for (const info of cluster.nodes) {
    const node = info.node;
    // nodeLabelsMatchSpreadConstraints: a node must carry every constraint's topology key.
    if (!constraints.every((c) => hasLabel(node, c.topologyKey))) continue;
    constraints.forEach((c, i) => {
      // matchNodeInclusionPolicies: Honor => the node must pass the pod's required node affinity / tolerate its taints.
      if (c.honorAffinity && !podMatchesNodeAffinity(pod, node)) return;
      if (c.honorTaints && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, ["NoSchedule", "NoExecute"])) return;
      const value = node.metadata.labels?.[c.topologyKey] as string;
      const map = counts[i] as Map<string, number>;
      map.set(value, (map.get(value) ?? 0) + countMatching(info.pods, c.selector, namespace));
    });
  }
  // Critical paths start at MaxInt32: with no eligible domain at all, v1.23 lets every node pass.
  const mins = counts.map((map) => (map.size ? Math.min(...map.values()) : Number.MAX_SAFE_INTEGER));
  return { counts, mins };
}

/** PodTopologySpread PreFilter + Filter for one node. */
export const podTopologySpread: FilterPlugin = (pod, nodeInfo, cluster, options) => {
  const constraints = constraintsOf(pod, options);
  if (constraints.length === 0) return SUCCESS;
  const namespace = pod.metadata.namespace ?? "";
  // PreFilter (calPreFilterState): count matching pods per domain over eligible nodes, once per simulation.
  const { counts, mins } = preFilterState(cluster, pod, `PodTopologySpread/${options?.version ?? ""}`, () => domainCounts(pod, constraints, cluster, namespace));
  const node = nodeInfo.node;
  for (const [i, c] of constraints.entries()) {
    if (!hasLabel(node, c.topologyKey)) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
    const map = counts[i] as Map<string, number>;
    // minMatchNum: with fewer domains than minDomains the global minimum is 0.
    let minMatch = mins[i] as number;
    if (minorVersion(options) >= 25 && map.size < c.minDomains) minMatch = 0;
    const selfMatch = matchesSelector(c.selector, pod.metadata.labels) ? 1 : 0;
    const matchNum = map.get(node.metadata.labels?.[c.topologyKey] as string) ?? 0;
    if (matchNum + selfMatch - minMatch > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return SUCCESS;
};
