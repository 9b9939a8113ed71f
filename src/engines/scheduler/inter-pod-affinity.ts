// InterPodAffinity (filter half): required pod affinity / anti-affinity of the incoming pod, and existing pods' required anti-affinity.
import type { LabelSelector, Node, Pod } from "../../model/kube.js";
import { matchesSelector } from "../../semantics/labels.js";
import { minorVersion, preFilterState, SUCCESS, unresolvable, unschedulable, type ClusterState, type FilterOptions, type FilterPlugin } from "./framework.js";

/** interpodaffinity/filtering.go reasons, unchanged v1.21 to v1.36. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** v1.PodAffinityTerm. */
export interface PodAffinityTerm {
  labelSelector?: LabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: LabelSelector | null;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

interface AffinityTerm {
  selector: LabelSelector | null;
  namespaces: Set<string>;
  namespaceSelector: LabelSelector | null;
  topologyKey: string;
}

interface PodAffinitySpec {
  podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] };
  podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] };
}

/**
 * framework.newAffinityTerm: an empty namespaces list with a nil namespaceSelector means the
 * owning pod's namespace; since v1.31 (MatchLabelKeysInPodAffinity beta) matchLabelKeys add
 * `key In (owner's value)` and mismatchLabelKeys `key NotIn (owner's value)` to the selector.
 */
function termsOf(pod: Pod, kind: "podAffinity" | "podAntiAffinity", options?: FilterOptions): AffinityTerm[] {
  const affinity = pod.spec?.affinity as PodAffinitySpec | undefined;
  const minor = minorVersion(options);
  const labels = pod.metadata.labels ?? {};
  return (affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((term) => {
    const namespaces = new Set(term.namespaces ?? []);
    if (namespaces.size === 0 && !term.namespaceSelector) namespaces.add(pod.metadata.namespace ?? "");
    let selector = term.labelSelector ?? null;
    if (selector && minor >= 31) {
      const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
      const extra = [
        ...(term.matchLabelKeys ?? []).filter(has).map((key) => ({ key, operator: "In", values: [labels[key] as string] })),
        ...(term.mismatchLabelKeys ?? []).filter(has).map((key) => ({ key, operator: "NotIn", values: [labels[key] as string] })),
      ];
      if (extra.length) selector = { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
    }
    return { selector, namespaces, namespaceSelector: term.namespaceSelector ?? null, topologyKey: term.topologyKey };
  });
}

// AffinityTerm.Matches: namespace listed or selected (a nil namespaceSelector selects nothing), then the label selector.
function termMatches(term: AffinityTerm, pod: Pod, cluster: ClusterState): boolean {
  const namespace = pod.metadata.namespace ?? "";
  const namespaceOk = term.namespaces.has(namespace) || matchesSelector(term.namespaceSelector, cluster.namespaceLabels?.[namespace] ?? {});
  return namespaceOk && matchesSelector(term.selector, pod.metadata.labels);
}

function labelOf(node: Node, key: string): string | undefined {
  const labels = node.metadata.labels ?? {};
  return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined;
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

/** Whether some pod of the node has required anti-affinity terms (cached per pod list). */
const antiAffinityOnNode = new WeakMap<readonly Pod[], boolean>();
function nodeHasAntiAffinity(pods: readonly Pod[]): boolean {
  let has = antiAffinityOnNode.get(pods);
  if (has === undefined) {
    has = pods.some((p) => ((p.spec?.affinity as PodAffinitySpec | undefined)?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0);
    antiAffinityOnNode.set(pods, has);
  }
  return has;
}

interface AffinityState {
  affinityTerms: AffinityTerm[];
  antiAffinityTerms: AffinityTerm[];
  existingAnti: Map<string, number>;
  affinityCounts: Map<string, number>;
  antiCounts: Map<string, number>;
}

/** PreFilter: getExistingAntiAffinityCounts / getIncomingAffinityAntiAffinityCounts over every pod on every node. */
function affinityState(pod: Pod, cluster: ClusterState, options?: FilterOptions): AffinityState {
  const affinityTerms = termsOf(pod, "podAffinity", options);
  const antiAffinityTerms = termsOf(pod, "podAntiAffinity", options);
  const existingAnti = new Map<string, number>();
  const affinityCounts = new Map<string, number>();
  const antiCounts = new Map<string, number>();
  const incoming = affinityTerms.length > 0 || antiAffinityTerms.length > 0;
  for (const info of cluster.nodes) {
    // Nothing to count on a node without anti-affinity pods when the incoming pod has no terms.
    if (!incoming && !nodeHasAntiAffinity(info.pods)) continue;
    for (const existing of info.pods) {
      for (const term of termsOf(existing, "podAntiAffinity", options)) {
        const value = labelOf(info.node, term.topologyKey);
        if (value !== undefined && termMatches(term, pod, cluster)) {
          existingAnti.set(pairKey(term.topologyKey, value), (existingAnti.get(pairKey(term.topologyKey, value)) ?? 0) + 1);
        }
      }
      // updateWithAffinityTerms: the existing pod must match all of the incoming pod's affinity terms.
      if (affinityTerms.length && affinityTerms.every((t) => termMatches(t, existing, cluster))) {
        for (const term of affinityTerms) {
          const value = labelOf(info.node, term.topologyKey);
          if (value !== undefined) affinityCounts.set(pairKey(term.topologyKey, value), (affinityCounts.get(pairKey(term.topologyKey, value)) ?? 0) + 1);
        }
      }
      for (const term of antiAffinityTerms) {
        const value = labelOf(info.node, term.topologyKey);
        if (value !== undefined && termMatches(term, existing, cluster)) {
          antiCounts.set(pairKey(term.topologyKey, value), (antiCounts.get(pairKey(term.topologyKey, value)) ?? 0) + 1);
        }
      }
    }
  }
  return { affinityTerms, antiAffinityTerms, existingAnti, affinityCounts, antiCounts };
}

/** InterPodAffinity PreFilter + Filter for one node; the checks run in upstream order. */
export const interPodAffinity: FilterPlugin = (pod, nodeInfo, cluster, options) => {
  const { affinityTerms, antiAffinityTerms, existingAnti, affinityCounts, antiCounts } = preFilterState(cluster, pod, `InterPodAffinity/${options?.version ?? ""}`, () =>
    affinityState(pod, cluster, options),
  );
  const node = nodeInfo.node;
  // satisfyPodAffinity
  let podsExist = true;
  for (const term of affinityTerms) {
    const value = labelOf(node, term.topologyKey);
    // All topology labels must exist on the node.
    if (value === undefined) return unresolvable(ERR_REASON_AFFINITY);
    if ((affinityCounts.get(pairKey(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (!podsExist) {
    // The first pod of a group with affinity to itself: allowed when no pod anywhere matches and the pod matches its own terms.
    const selfMatch = affinityTerms.every((t) => termMatches(t, pod, cluster));
    if (!(affinityCounts.size === 0 && selfMatch)) return unresolvable(ERR_REASON_AFFINITY);
  }
  // satisfyPodAntiAffinity
  for (const term of antiAffinityTerms) {
    const value = labelOf(node, term.topologyKey);
    if (value !== undefined && (antiCounts.get(pairKey(term.topologyKey, value)) ?? 0) > 0) return unschedulable(ERR_REASON_ANTI_AFFINITY);
  }
  // satisfyExistingPodsAntiAffinity: any node label pair that an existing pod's anti-affinity term covers.
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if ((existingAnti.get(pairKey(key, value)) ?? 0) > 0) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
  }
  return SUCCESS;
};
