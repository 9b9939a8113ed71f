// Shared by the scheduling-* scenarios: extra kwok nodes of the same shape as test/cluster/up.sh's, and the
// check that the real scheduler has left a workload's pods Pending for the reason the scenario stages.
import type { ClusterEnv } from "../../e2e/harness.js";
import { getJson } from "../../e2e/harness.js";

/** pod-unschedulable reports a pod only after it has been Unschedulable this long (its grace is 60 s). */
export const UNSCHEDULABLE_FOR_MS = 65_000;

export interface NodeShape {
  name: string;
  cpu: number;
  memoryGi: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
  unschedulable?: boolean;
}

/**
 * A Node kwok makes Ready (label sim.test/kwok=true), shaped like up.sh's: same labels, annotations, capacity
 * and allocatable rules. Zone zone-c is one the shared nodes already have, so no new topology domain appears
 * for other scenarios' zone spread constraints.
 */
export function kwokNode(env: ClusterEnv, n: NodeShape): Record<string, unknown> {
  const version = env.raw.KS_KUBE_VERSION ?? "v1.36.3";
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "sim.test/kwok": "true",
        type: "kwok",
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": n.cpu >= 8 ? "sim.xlarge" : "sim.large",
        "topology.kubernetes.io/region": "sim-region-1",
        "topology.kubernetes.io/zone": "zone-c",
        ...n.labels,
      },
    },
    spec: { ...(n.taints ? { taints: n.taints } : {}), ...(n.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: { cpu: String(n.cpu), memory: `${n.memoryGi}Gi`, pods: "110", "ephemeral-storage": "100Gi" },
      allocatable: { cpu: `${n.cpu * 1000 - 100}m`, memory: `${n.memoryGi * 1024 - 512}Mi`, pods: "110", "ephemeral-storage": "95Gi" },
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

interface Condition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
interface PodLite {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: Condition[] };
}
interface EventLite { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }

export interface PendingExpectation {
  /** Value of the pods' `app` label (the Deployment's name in these scenarios). */
  app: string;
  /** Pods the scheduler must leave Pending, and pods it must bind. */
  pending: number;
  bound: number;
  /** What the scheduler's message must say about the nodes meant for the pod. */
  reason: RegExp;
}

/**
 * Reads the namespace's pods and events once and lists what still differs from the expectations: each pending
 * pod Unschedulable for at least UNSCHEDULABLE_FOR_MS with the reason in its PodScheduled message and a
 * FailedScheduling event; the bound ones scheduled. Empty when the state is reached.
 */
export function schedulingGaps(env: ClusterEnv, namespace: string, expectations: PendingExpectation[], now = Date.now()): string[] {
  const pods = getJson<{ items: PodLite[] }>(env, ["pods", "-n", namespace]).items.filter((p) => !p.metadata.deletionTimestamp);
  const events = getJson<{ items: EventLite[] }>(env, ["events", "-n", namespace]).items;
  const failedScheduling = new Set(events.filter((e) => e.reason === "FailedScheduling" && e.involvedObject?.kind === "Pod").map((e) => e.involvedObject?.name));
  const gaps: string[] = [];
  for (const x of expectations) {
    const mine = pods.filter((p) => p.metadata.labels?.app === x.app);
    const bound = mine.filter((p) => p.spec.nodeName);
    const pending = mine.filter((p) => !p.spec.nodeName);
    if (bound.length !== x.bound || pending.length !== x.pending) {
      gaps.push(`${x.app}: ${bound.length} bound/${pending.length} pending, want ${x.bound}/${x.pending}`);
      continue;
    }
    for (const p of pending) {
      const c = p.status?.conditions?.find((k) => k.type === "PodScheduled");
      if (c?.status !== "False" || c.reason !== "Unschedulable") {
        gaps.push(`${p.metadata.name}: PodScheduled ${c?.status ?? "-"}/${c?.reason ?? "-"}`);
      } else if (!x.reason.test(c.message ?? "")) {
        gaps.push(`${p.metadata.name}: scheduler says "${c.message ?? ""}", want ${x.reason}`);
      } else if (!failedScheduling.has(p.metadata.name)) {
        gaps.push(`${p.metadata.name}: no FailedScheduling event yet`);
      } else if (now - Date.parse(c.lastTransitionTime ?? "") < UNSCHEDULABLE_FOR_MS) {
        gaps.push(`${p.metadata.name}: Unschedulable only since ${c.lastTransitionTime ?? "?"}`);
      }
    }
  }
  return gaps;
}

/** `ready` for these scenarios: true when reached, else throws the gaps (waitFor shows the last one on timeout). */
export function reached(gaps: string[]): boolean {
  if (gaps.length) throw new Error(gaps.join("; "));
  return true;
}

/** The PodScheduled message of the first pending pod of `app`, for checkState. */
export function schedulerMessage(env: ClusterEnv, namespace: string, app: string): string {
  const pods = getJson<{ items: PodLite[] }>(env, ["pods", "-n", namespace, "-l", `app=${app}`]).items;
  const pending = pods.find((p) => !p.spec.nodeName);
  return pending?.status?.conditions?.find((k) => k.type === "PodScheduled")?.message ?? "";
}
