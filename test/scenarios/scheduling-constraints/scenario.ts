import { fileURLToPath } from "node:url";
import type { ClusterEnv } from "../../e2e/harness.js";
import { apply, getJson, waitFor } from "../../e2e/harness.js";
import type { Scenario } from "../../e2e/scenario.js";
import { kwokNode, reached, schedulingGaps, type PendingExpectation } from "./helpers.js";

const ns = "e2e-scheduling-constraints";
const guard = { key: "e2e/scheduling-constraints", value: "true", effect: "NoSchedule" as const };
const pool = { "e2e.scheduling/pool": "constraints" };

/** Each workload with the scheduler's reason for the nodes meant for it (kube-scheduler v1.36 wording). */
const workloads: PendingExpectation[] = [
  { app: "batch-worker", pending: 1, bound: 0, reason: /\d+ node\(s\) had untolerated taint/ },
  { app: "gpu-inference", pending: 1, bound: 0, reason: /\d+ node\(s\) didn't match Pod's node affinity\/selector/ },
  { app: "web-spread", pending: 1, bound: 1, reason: /1 node\(s\) didn't match pod topology spread constraints/ },
  { app: "cache", pending: 1, bound: 2, reason: /2 node\(s\) didn't match pod anti-affinity rules/ },
  { app: "ingress-proxy", pending: 1, bound: 1, reason: /1 node\(s\) didn't have free ports for the requested pod ports/ },
  { app: "reporting", pending: 1, bound: 0, reason: /1 node\(s\) were unschedulable/ },
];

const nodes = ["scheduling-constraints-1", "scheduling-constraints-2", "scheduling-constraints-3"];

interface NodeLite { spec?: { taints?: { key: string }[] }; status?: { conditions?: { type: string; status: string }[] } }

function nodesSettled(env: ClusterEnv): boolean {
  const items = getJson<{ items: NodeLite[] }>(env, ["nodes", "-l", "e2e.scheduling/pool=constraints"]).items;
  const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  const keys = items.flatMap((n) => (n.spec?.taints ?? []).map((t) => t.key));
  // Ready, the not-ready taint gone, and the cordoned node tainted unschedulable by the node lifecycle controller.
  return ready.length === nodes.length && !keys.includes("node.kubernetes.io/not-ready") && keys.includes("node.kubernetes.io/unschedulable");
}

export const scenario: Scenario = {
  name: "scheduling-constraints",
  description:
    "the real scheduler leaves pods Pending for an untolerated taint, an unmatched nodeSelector, topology spread, pod anti-affinity, a host port conflict and a cordoned node: pod-unschedulable/constraintsUnsatisfied per Deployment",
  namespaces: [ns],
  nodes,
  readyTimeoutSeconds: 240,
  expect: workloads.map((w) => ({ code: "pod-unschedulable/constraintsUnsatisfied", subject: `Deployment/${ns}/${w.app}`, area: "scheduling" })),
  async setup(env) {
    const shapes = [
      kwokNode(env, { name: nodes[0]!, cpu: 4, memoryGi: 16, labels: { ...pool, "e2e.scheduling/rack": "r1" }, taints: [guard] }),
      kwokNode(env, {
        name: nodes[1]!,
        cpu: 4,
        memoryGi: 16,
        labels: { ...pool, "e2e.scheduling/rack": "r2", "e2e.scheduling/dedicated": "batch" },
        taints: [guard, { key: "e2e.scheduling/dedicated", value: "batch", effect: "NoSchedule" }],
      }),
      kwokNode(env, { name: nodes[2]!, cpu: 4, memoryGi: 16, labels: pool, taints: [guard], unschedulable: true }),
    ];
    // One YAML stream of JSON documents (a v1 List would be validated client-side against required nodeInfo fields).
    apply(env, { yaml: shapes.map((n) => JSON.stringify(n)).join("\n---\n") });
    // Workloads only once the nodes are Ready and their taints settled, so the first placements are deterministic.
    await waitFor("scheduling-constraints nodes Ready", () => nodesSettled(env), 60_000, 500);
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    return reached(schedulingGaps(env, ns, workloads));
  },
};
