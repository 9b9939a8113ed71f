// TaintToleration: a node's NoSchedule/NoExecute taints must all be tolerated by the pod.
import { findUntoleratedTaint, SCHEDULING_TAINT_EFFECTS } from "../../semantics/taints.js";
import { minorVersion, SUCCESS, unresolvable, type FilterOptions, type FilterPlugin } from "./framework.js";

/**
 * The reason for an untolerated taint, by version (tainttoleration/taint_toleration.go Filter):
 * - up to v1.24: `node(s) had taint {KEY: VALUE}, that the pod didn't tolerate`
 * - v1.25 to v1.34: `node(s) had untolerated taint {KEY: VALUE}`
 * - v1.35 on: `node(s) had untolerated taint(s)` (keys and values no longer leak into events)
 * Go formats with %s, so a missing value prints as the empty string: `{key: }`.
 */
export function untoleratedTaintReason(key: string, value: string | undefined, options?: FilterOptions): string {
  const minor = minorVersion(options);
  if (minor >= 35) return "node(s) had untolerated taint(s)";
  if (minor >= 25) return `node(s) had untolerated taint {${key}: ${value ?? ""}}`;
  return `node(s) had taint {${key}: ${value ?? ""}}, that the pod didn't tolerate`;
}

/** TaintToleration.Filter: the first untolerated NoSchedule/NoExecute taint (node order) fails the node, unresolvably. */
export const taintToleration: FilterPlugin = (pod, nodeInfo, _cluster, options) => {
  // FindMatchingUntoleratedTaint with the filter `t.Effect == NoSchedule || t.Effect == NoExecute`.
  const taint = findUntoleratedTaint(nodeInfo.node.spec?.taints, pod.spec?.tolerations, SCHEDULING_TAINT_EFFECTS);
  if (!taint) return SUCCESS;
  return unresolvable(untoleratedTaintReason(taint.key, taint.value, options));
};
