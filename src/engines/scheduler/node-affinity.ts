// NodeAffinity: the node must satisfy the pod's nodeSelector AND its required node affinity (and any scheduler-enforced affinity).
import { matchesNodeSelectorTerms, podMatchesNodeAffinity } from "../../semantics/node-affinity.js";
import type { NodeSelectorTerm } from "../../model/kube.js";
import { SUCCESS, unresolvable, type FilterPlugin, type PreFilterPlugin } from "./framework.js";

/** ErrReasonPod, unchanged from v1.21 to v1.36 (nodeaffinity/node_affinity.go). */
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
/** errReasonEnforced: NodeAffinityArgs.AddedAffinity did not match. */
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";

/** NodeAffinity.Filter: AddedAffinity is checked first, then GetRequiredNodeAffinity(pod).Match(node). */
export const nodeAffinity: FilterPlugin = (pod, nodeInfo, _cluster, options) => {
  const added = options?.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (added && !matchesNodeSelectorTerms(added.nodeSelectorTerms, nodeInfo.node)) return unresolvable(ERR_REASON_ENFORCED);
  if (!podMatchesNodeAffinity(pod, nodeInfo.node)) return unresolvable(ERR_REASON_POD);
  return SUCCESS;
};

/** errReasonConflict: every term names nodes by metadata.name and no name survives. */
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

/**
 * NodeAffinity.PreFilter's PreFilterResult: when every required term has `metadata.name In (...)`
 * matchFields, only those nodes are filtered (the others count as "node(s) didn't satisfy
 * plugin(s) [NodeAffinity]"). Not applied with AddedAffinity or without required terms.
 */
export const nodeAffinityPreFilter: PreFilterPlugin = (pod, _cluster, options) => {
  const terms = (pod.spec?.affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } | undefined)?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || options?.addedAffinity) return {};
  let names: Set<string> | undefined;
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const r of term.matchFields ?? []) {
      if (r.key !== "metadata.name" || r.operator !== "In") continue;
      const values = new Set(r.values ?? []);
      termNames = termNames === undefined ? values : new Set([...termNames].filter((n) => values.has(n)));
    }
    // A term without a node-name field: every node is eligible (terms are ORed).
    if (termNames === undefined) return {};
    names = new Set([...(names ?? []), ...termNames]);
  }
  if (names !== undefined && names.size === 0) return { status: unresolvable(ERR_REASON_CONFLICT) as Extract<ReturnType<typeof unresolvable>, { ok: false }> };
  return names && names.size > 0 ? { nodeNames: names } : {};
};
