// NodeUnschedulable: a cordoned node (spec.unschedulable) admits only pods tolerating node.kubernetes.io/unschedulable:NoSchedule.
import { tolerationsTolerateTaint } from "../../semantics/taints.js";
import { SUCCESS, unresolvable, type FilterPlugin } from "./framework.js";

/** ErrReasonUnschedulable, unchanged from v1.16 to v1.36 (nodeunschedulable/node_unschedulable.go). */
export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
/** ErrReasonUnknownCondition: the NodeInfo has no node. */
export const ERR_REASON_UNKNOWN_CONDITION = "node(s) had unknown conditions";

/** NodeUnschedulable.Filter. */
export const nodeUnschedulable: FilterPlugin = (pod, nodeInfo) => {
  if (!nodeInfo.node) return unresolvable(ERR_REASON_UNKNOWN_CONDITION);
  // v1helper.TolerationsTolerateTaint(pod.Spec.Tolerations, &v1.Taint{Key: v1.TaintNodeUnschedulable, Effect: NoSchedule})
  const tolerates = tolerationsTolerateTaint(pod.spec?.tolerations, { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" });
  if (nodeInfo.node.spec?.unschedulable && !tolerates) return unresolvable(ERR_REASON_UNSCHEDULABLE);
  return SUCCESS;
};
