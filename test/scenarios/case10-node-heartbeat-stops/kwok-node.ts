// An extra kwok node of a case10 scenario, with one pod pinned to it, and the heartbeat switch (kwok manages
// only nodes labelled sim.test/kwok=true: without the label, status and lease renewals stop and the real node
// lifecycle controller marks the node Ready=Unknown after --node-monitor-grace-period=20s).
import { apply, getJson, kubectl, sleep, waitFor, type ClusterEnv } from "../../e2e/harness.js";

export const KWOK_LABEL = "sim.test/kwok";
export const TAINT = "e2e/case10";

interface Condition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
export interface NodeObject {
  metadata: { name: string; creationTimestamp?: string; labels?: Record<string, string> };
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: Condition[] };
}
export interface PodList {
  items: { metadata?: { name?: string; deletionTimestamp?: string }; spec?: { nodeName?: string }; status?: { phase?: string; conditions?: Condition[] } }[];
}
interface EventList { items: { reason?: string; count?: number; source?: { component?: string }; involvedObject?: { kind?: string; name?: string } }[] }

export function nodeYaml(env: ClusterEnv, name: string, zone: string): string {
  const version = env.raw.KS_KUBE_VERSION ?? "v1.36.3";
  return `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations: { kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0" }
  labels:
    ${KWOK_LABEL}: "true"
    type: kwok
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node.kubernetes.io/instance-type: sim.small
    topology.kubernetes.io/region: sim-region-1
    topology.kubernetes.io/zone: ${zone}
spec:
  # Keeps every other scenario's pods off this node.
  taints: [{ key: ${TAINT}, value: "true", effect: NoSchedule }]
status:
  capacity: { cpu: "2", memory: 8Gi, pods: "110", ephemeral-storage: 100Gi }
  allocatable: { cpu: 1900m, memory: 7680Mi, pods: "110", ephemeral-storage: 95Gi }
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    osImage: "Simulated Linux (kwok)"
    kernelVersion: 6.1.0-kwok
    containerRuntimeVersion: containerd://2.0.0-kwok
    kubeletVersion: ${version}
    kubeProxyVersion: ${version}
`;
}

/**
 * A one-replica Deployment pinned to the node, tolerating its taint, and its unreachable / not-ready NoExecute
 * taints for `tolerationSeconds` (default an hour, so it is not evicted mid-test).
 */
export function agentYaml(namespace: string, node: string, tolerationSeconds = 3600): string {
  return `apiVersion: v1
kind: Namespace
metadata: { name: ${namespace} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: agent, namespace: ${namespace} }
spec:
  replicas: 1
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      nodeSelector: { kubernetes.io/hostname: ${node} }
      tolerations:
      - { key: ${TAINT}, operator: Exists, effect: NoSchedule }
      - { key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: ${tolerationSeconds} }
      - { key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: ${tolerationSeconds} }
      containers:
      - name: agent
        image: ghcr.io/example/node-agent:3.2.1
        resources: { requests: { cpu: 50m, memory: 32Mi } }
`;
}

export function getNode(env: ClusterEnv, name: string): NodeObject {
  return getJson<NodeObject>(env, ["node", name]);
}

export function readyCondition(node: NodeObject): Condition | undefined {
  return node.status?.conditions?.find((c) => c.type === "Ready");
}

/** Removes what an earlier run left (the node, its namespace; pods on a node without kwok never finish terminating). */
export function cleanUp(env: ClusterEnv, node: string, namespace: string): void {
  kubectl(env, ["delete", "pods", "--all", "-n", namespace, "--force", "--grace-period=0", "--ignore-not-found"], { allowFailure: true });
  kubectl(env, ["delete", "namespace", namespace, "--ignore-not-found", "--wait=true", "--timeout=120s"]);
  kubectl(env, ["delete", "node", node, "--ignore-not-found"]);
}

/** Creates the node and its agent pod, and waits for both to be Ready. */
export async function createNodeWithAgent(env: ClusterEnv, node: string, zone: string, namespace: string, tolerationSeconds?: number): Promise<void> {
  cleanUp(env, node, namespace);
  apply(env, { yaml: nodeYaml(env, node, zone) });
  await waitFor(`node ${node} Ready`, () => readyCondition(getNode(env, node))?.status === "True", 60_000);
  apply(env, { yaml: agentYaml(namespace, node, tolerationSeconds) });
  await waitFor(`agent pod Ready on ${node}`, () => {
    const pods = getJson<PodList>(env, ["pods", "-n", namespace, "-l", "app=agent"]);
    return pods.items.some((p) => p.spec?.nodeName === node && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  }, 60_000);
}

/** Stops (false) or restarts (true) the node's heartbeats: kwok manages only nodes with the label. */
export function setHeartbeats(env: ClusterEnv, node: string, on: boolean): void {
  kubectl(env, ["label", "node", node, on ? `${KWOK_LABEL}=true` : `${KWOK_LABEL}-`, "--overwrite"]);
}

/** Waits for the node's Ready condition to reach `status` (True, or Unknown from the node lifecycle controller). */
export async function waitReadyStatus(env: ClusterEnv, node: string, status: "True" | "Unknown", timeoutMs = 90_000): Promise<void> {
  await waitFor(`node ${node} Ready=${status}`, () => readyCondition(getNode(env, node))?.status === status, timeoutMs, 500);
  // Let the node lifecycle controller (--node-monitor-period=2s) observe the state before it changes again.
  await sleep(3000);
}

/** NodeNotReady transitions the node lifecycle controller recorded (sum of event counts: the recorder aggregates repeats). */
export function nodeNotReadyCount(env: ClusterEnv, node: string): number {
  const events = getJson<EventList>(env, ["events", "-n", "default", "--field-selector", `involvedObject.kind=Node,involvedObject.name=${node},reason=NodeNotReady`]);
  return events.items.filter((e) => e.source?.component === "node-controller").reduce((n, e) => n + (e.count ?? 1), 0);
}
