// A node whose kubelet stops posting status: kwok stops its heartbeats and lease renewals, and the real node
// lifecycle controller marks it Ready=Unknown ("Kubelet stopped posting node status.") with unreachable taints.
import type { Scenario } from "../../e2e/scenario.js";
import { createNodeWithAgent, getNode, readyCondition, setHeartbeats } from "./kwok-node.js";

const NODE = "e2e-case10-silent";
const NS = "e2e-case10-silent";
/**
 * node-not-ready treats a node younger than 5 minutes as still joining (its README, "Limitations"), so the
 * scenario is ready once the node is unreachable and older than that, with a margin for the scans.
 */
const JOINED_AFTER_MS = 5 * 60_000 + 15_000;

export const scenario: Scenario = {
  name: "case10-node-heartbeat-stops",
  description: "a node's heartbeats and lease renewals stop: the node lifecycle controller marks it Ready=Unknown and taints it unreachable",
  namespaces: [NS],
  nodes: [NODE],
  expect: [{ code: "node-not-ready/unreachable", subject: `Node/${NODE}`, area: "node" }],
  readyTimeoutSeconds: 8 * 60,
  async setup(env) {
    await createNodeWithAgent(env, NODE, "zone-c", NS);
    setHeartbeats(env, NODE, false);
  },
  async ready(env) {
    const node = getNode(env, NODE);
    const ready = readyCondition(node);
    const taints = node.spec?.taints ?? [];
    return (
      ready?.status === "Unknown" &&
      ready.reason === "NodeStatusUnknown" &&
      taints.some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute") &&
      Date.now() - Date.parse(node.metadata.creationTimestamp ?? "") >= JOINED_AFTER_MS
    );
  },
  async checkState(env) {
    const ready = readyCondition(getNode(env, NODE));
    if (ready?.message !== "Kubelet stopped posting node status.") throw new Error(`Ready condition of ${NODE}: ${JSON.stringify(ready)}`);
  },
};
