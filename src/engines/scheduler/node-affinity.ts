// NodeAffinity: the node must satisfy the pod's nodeSelector AND its required node affinity (and any scheduler-enforced affinity).
import { matchesNodeSelectorTerms, podMatchesNodeAffinity } from "../../semantics/node-affinity.js";
import { SUCCESS, unresolvable, type FilterPlugin } from "./framework.js";

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
