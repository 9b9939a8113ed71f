// NodeName: a pod with spec.nodeName fits only the node of that name.
import { SUCCESS, unresolvable, type FilterPlugin } from "./framework.js";

/** ErrReason, unchanged from v1.16 to v1.36 (nodename/node_name.go). */
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** NodeName.Filter: Fits(pod, nodeInfo) = len(pod.Spec.NodeName) == 0 || pod.Spec.NodeName == node.Name. */
export const nodeName: FilterPlugin = (pod, nodeInfo) => {
  const wanted = pod.spec?.nodeName ?? "";
  if (wanted === "" || wanted === nodeInfo.node.metadata.name) return SUCCESS;
  return unresolvable(ERR_REASON_NODE_NAME);
};
