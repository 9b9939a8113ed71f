import { fileURLToPath } from "node:url";
import type { ClusterEnv } from "../../e2e/harness.js";
import { apply, getJson, waitFor } from "../../e2e/harness.js";
import type { Scenario } from "../../e2e/scenario.js";

const ns = "e2e-case3-node-pressure";

/** Node -> the kwok node fault (test/cluster/kwok/node-faults-stages.yaml), its condition and taint. */
const pressure = {
  "case3-node-pressure-memory": { fault: "memory-pressure", condition: "MemoryPressure", taint: "node.kubernetes.io/memory-pressure", reclaim: "Attempting to reclaim memory" },
  "case3-node-pressure-disk": { fault: "disk-pressure", condition: "DiskPressure", taint: "node.kubernetes.io/disk-pressure", reclaim: "Attempting to reclaim ephemeral-storage" },
} as const;
type NodeName = keyof typeof pressure;
const nodeNames = Object.keys(pressure) as NodeName[];
const evicted = ["batch-report", "cache-warmer", "log-shipper"];
/** The pods manifests.yaml places on each node and the fault stage evicts there (their sim.test/eviction-resource). */
const evictedOn: Record<NodeName, string[]> = {
  "case3-node-pressure-memory": ["batch-report", "cache-warmer"],
  "case3-node-pressure-disk": ["log-shipper"],
};

/** A Node shaped like test/cluster/up.sh's (zone-c exists already: no new topology domain for other scenarios). */
function node(env: ClusterEnv, name: NodeName): Record<string, unknown> {
  const version = env.raw.KS_KUBE_VERSION ?? "v1.36.3";
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "sim.test/kwok": "true",
        "sim.test/node-fault": pressure[name].fault,
        type: "kwok",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "sim.large",
        "topology.kubernetes.io/region": "sim-region-1",
        "topology.kubernetes.io/zone": "zone-c",
      },
    },
    // Keeps every other scenario's pods off (the scheduler also keeps off pods without the pressure tolerations).
    spec: { taints: [{ key: "e2e/case3-node-pressure", value: "true", effect: "NoSchedule" }] },
    status: {
      capacity: { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" },
      allocatable: { cpu: "3900m", memory: "15872Mi", pods: "110", "ephemeral-storage": "95Gi" },
      nodeInfo: {
        architecture: "amd64",
        operatingSystem: "linux",
        osImage: "Simulated Linux (kwok)",
        kernelVersion: "6.1.0-kwok",
        containerRuntimeVersion: "containerd://2.0.0-kwok",
        kubeletVersion: version,
        kubeProxyVersion: version,
      },
    },
  };
}

interface NodeLite {
  metadata: { name: string };
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string }[] };
}
interface PodLite {
  metadata: { name: string };
  status?: { phase?: string; reason?: string; message?: string; conditions?: { type: string; status: string; reason?: string }[] };
}
interface EventLite { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }

/** What is still missing on the nodes: pressure condition with Ready, the lifecycle controller's taint, the kubelet's event. */
function nodeGaps(env: ClusterEnv, withTaintsAndEvents: boolean): string[] {
  const nodes = getJson<{ items: NodeLite[] }>(env, ["nodes", "-l", "sim.test/node-fault"]).items;
  const events = withTaintsAndEvents ? getJson<{ items: EventLite[] }>(env, ["events", "-n", "default", "--field-selector", "involvedObject.kind=Node"]).items : [];
  const gaps: string[] = [];
  for (const name of nodeNames) {
    const p = pressure[name];
    const n = nodes.find((x) => x.metadata.name === name);
    const status = (type: string): string | undefined => n?.status?.conditions?.find((c) => c.type === type)?.status;
    if (status("Ready") !== "True" || status(p.condition) !== "True") gaps.push(`${name}: Ready=${status("Ready") ?? "-"} ${p.condition}=${status(p.condition) ?? "-"}`);
    if (!withTaintsAndEvents) continue;
    if (!n?.spec?.taints?.some((t) => t.key === p.taint && t.effect === "NoSchedule")) gaps.push(`${name}: no ${p.taint}:NoSchedule taint yet`);
    if (!events.some((e) => e.involvedObject?.name === name && e.reason === "EvictionThresholdMet" && e.message === p.reclaim)) gaps.push(`${name}: no EvictionThresholdMet event`);
  }
  return gaps;
}

export const scenario: Scenario = {
  name: "case3-node-pressure",
  description:
    "a node under MemoryPressure and one under DiskPressure (tainted by the real node lifecycle controller), with pods the kubelet evicted: node-pressure/evictingPods for each",
  namespaces: [ns],
  nodes: nodeNames,
  // Each node's finding names its evicted pods in the evidence (their eviction messages) and in the impact.
  expect: nodeNames.map((name) => ({
    code: "node-pressure/evictingPods",
    subject: `Node/${name}`,
    area: "node",
    evidence: evictedOn[name].map((p) => `Pod/${ns}/${p}`),
    impact: evictedOn[name].map((p) => `Pod/${ns}/${p}`),
  })),
  async setup(env) {
    apply(env, { yaml: nodeNames.map((n) => JSON.stringify(node(env, n))).join("\n---\n") });
    // The pods are evicted during this pressure episode, i.e. after the condition turned True.
    await waitFor("case3 nodes under pressure", () => nodeGaps(env, false).length === 0, 60_000, 500);
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    const gaps = nodeGaps(env, true);
    const pods = getJson<{ items: PodLite[] }>(env, ["pods", "-n", ns]).items;
    for (const name of evicted) {
      const p = pods.find((x) => x.metadata.name === name);
      const disrupted = p?.status?.conditions?.some((c) => c.type === "DisruptionTarget" && c.status === "True" && c.reason === "TerminationByKubelet");
      if (p?.status?.phase !== "Failed" || p.status.reason !== "Evicted" || !p.status.message?.startsWith("The node was low on resource: ") || !disrupted) {
        gaps.push(`${name}: ${p?.status?.phase ?? "-"}/${p?.status?.reason ?? "-"}`);
      }
    }
    const survivor = pods.find((x) => x.metadata.name === "metrics-agent");
    if (survivor?.status?.phase !== "Running") gaps.push(`metrics-agent: ${survivor?.status?.phase ?? "-"}`);
    if (gaps.length) throw new Error(gaps.join("; "));
    return true;
  },
};
