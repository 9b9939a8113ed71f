// A node whose kubelet stops posting status: kwok stops its heartbeats and lease renewals, and the real node
// lifecycle controller marks it Ready=Unknown ("Kubelet stopped posting node status.") with unreachable taints.
import type { Scenario } from "../../e2e/scenario.js";
import { getJson } from "../../e2e/harness.js";
import { createNodeWithAgent, getNode, readyCondition, setHeartbeats, type PodList } from "./kwok-node.js";

const NODE = "e2e-case10-silent";
const NS = "e2e-case10-silent";
/**
 * node-not-ready treats a node younger than 5 minutes as still joining (its README, "Limitations"), so the
 * scenario is ready once the node is unreachable and older than that, with a margin for the scans.
 */
const JOINED_AFTER_MS = 5 * 60_000 + 15_000;
/**
 * The agent tolerates the unreachable NoExecute taint this long: the real taint eviction controller then deletes
 * it (DisruptionTarget DeletionByTaintManager); with no kubelet to confirm, it stays Terminating on the node.
 */
const TOLERATION_SECONDS = 20;

/** The agent pod the taint eviction controller has marked for deletion, if any. */
function evictedAgent(env: Parameters<Scenario["ready"]>[0]): boolean {
  const pods = getJson<PodList>(env, ["pods", "-n", NS, "-l", "app=agent"]).items;
  return pods.some(
    (p) =>
      p.spec?.nodeName === NODE &&
      p.metadata?.deletionTimestamp !== undefined &&
      (p.status?.conditions ?? []).some((c) => c.type === "DisruptionTarget" && c.status === "True" && c.reason === "DeletionByTaintManager"),
  );
}

export const scenario: Scenario = {
  name: "case10-node-heartbeat-stops",
  description:
    "a node's heartbeats and lease renewals stop: the node lifecycle controller marks it Ready=Unknown and taints it unreachable, the taint eviction controller evicts its agent: reported with the stale Lease and the agent Deployment as impact",
  namespaces: [NS],
  nodes: [NODE],
  expect: [
    {
      code: "node-not-ready/unreachable",
      subject: `Node/${NODE}`,
      area: "node",
      evidence: [`Lease/kube-node-lease/${NODE}`],
      impact: [`Deployment/${NS}/agent`],
    },
  ],
  readyTimeoutSeconds: 8 * 60,
  async setup(env) {
    await createNodeWithAgent(env, NODE, "zone-c", NS, TOLERATION_SECONDS);
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
      evictedAgent(env) &&
      Date.now() - Date.parse(node.metadata.creationTimestamp ?? "") >= JOINED_AFTER_MS
    );
  },
  async checkState(env) {
    const ready = readyCondition(getNode(env, NODE));
    if (ready?.message !== "Kubelet stopped posting node status.") throw new Error(`Ready condition of ${NODE}: ${JSON.stringify(ready)}`);
  },
};
