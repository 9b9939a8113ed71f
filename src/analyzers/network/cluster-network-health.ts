// Shared by the network analyzers and reusable by `diagnose connectivity`: the cluster DNS (kube-dns
// Service, CoreDNS pods) and the node networking DaemonSets (CNI plugins, kube-proxy), and whether they
// are healthy, each problem as evidence. Pure functions of the index and the snapshot's logs.
import type { Evidence } from "../../model/finding.js";
import type { DaemonSet, Node, Pod, Service } from "../../model/kube.js";
import type { PodLog, Snapshot } from "../../model/snapshot.js";
import { refOf } from "../../model/ref.js";
import type { ClusterIndex } from "../../indexes/types.js";
import { matchesServiceSelector } from "../../semantics/labels.js";
import { parseTime } from "../../semantics/time.js";

/** The cluster DNS Service every kubeadm/managed cluster creates (CoreDNS keeps the kube-dns name). */
export const CLUSTER_DNS_SERVICE = { namespace: "kube-system", name: "kube-dns" } as const;
/** The label CoreDNS and kube-dns pods carry (kubeadm, the CoreDNS Helm chart, managed clusters). */
export const CLUSTER_DNS_LABEL = { key: "k8s-app", value: "kube-dns" } as const;

/** A pod not Ready for less than this long may be starting: not counted as degraded. */
export const STARTUP_GRACE_MS = 60_000;

export interface ClusterDns {
  service?: Service;
  /** The pods serving cluster DNS: the kube-dns Service's pods, else kube-system pods labelled k8s-app=kube-dns. */
  pods: Pod[];
}

/** The cluster DNS Service and its pods, as loaded. */
export function clusterDns(index: ClusterIndex): ClusterDns {
  const service = index.get<Service>("Service", CLUSTER_DNS_SERVICE.namespace, CLUSTER_DNS_SERVICE.name);
  const selected = service?.spec?.selector && Object.keys(service.spec.selector).length > 0 ? [...index.podsSelectedByService(service)] : [];
  const pods =
    selected.length > 0 ? selected : index.inNamespace<Pod>("Pod", CLUSTER_DNS_SERVICE.namespace).filter((p) => p.metadata.labels?.[CLUSTER_DNS_LABEL.key] === CLUSTER_DNS_LABEL.value);
  return { ...(service ? { service } : {}), pods };
}

/**
 * Whether the pod resolves names through the cluster DNS (PodSpec.dnsPolicy): ClusterFirst (the
 * default) unless the pod is on the host network, where ClusterFirst falls back to Default; or
 * ClusterFirstWithHostNet. Default and None use other resolvers.
 */
export function usesClusterDns(pod: Pod): boolean {
  const policy = (pod.spec?.dnsPolicy as string | undefined) ?? "ClusterFirst";
  if (policy === "ClusterFirstWithHostNet") return true;
  return policy === "ClusterFirst" && pod.spec?.hostNetwork !== true;
}

/** A pod that has not finished and is not being deleted: it needs its network. */
export function isLivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Whether the named node is in the snapshot and not Ready (kubelet down or unreachable): it explains its pods' state. */
export function isNodeDown(index: ClusterIndex, name: string | undefined): boolean {
  const node = name ? index.get<Node>("Node", undefined, name) : undefined;
  return node !== undefined && (node.status?.conditions ?? []).find((c) => c.type === "Ready")?.status !== "True";
}

/** Containers waiting in CrashLoopBackOff, as evidence. */
export function crashLoopEvidence(pod: Pod): Evidence[] {
  const out: Evidence[] = [];
  (pod.status?.containerStatuses ?? []).forEach((s, i) => {
    if (s.state?.waiting?.reason === "CrashLoopBackOff") {
      out.push({ ref: refOf(pod), path: `status.containerStatuses[${i}].state.waiting.reason`, value: "CrashLoopBackOff", note: `container ${s.name}, ${s.restartCount ?? 0} restarts` });
    }
  });
  return out;
}

/** Whether the pod has been not Ready for longer than the grace period at `now` (or since an unknown time). */
export function notReadyPastGrace(pod: Pod, now: number): boolean {
  if (isReady(pod)) return false;
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === "Ready");
  const since = parseTime(ready?.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp);
  return since === undefined || now - since >= STARTUP_GRACE_MS;
}

function logsOf(snapshot: Snapshot, pod: Pod): PodLog[] {
  return snapshot.logs.filter((l) => l.pod === pod.metadata.name && l.namespace === (pod.metadata.namespace ?? "default"));
}

/** CoreDNS's loop plugin: `[FATAL] plugin/loop: Loop (127.0.0.1:<port> -> :53) detected for zone ".", ...` (coredns plugin/loop/setup.go). */
const LOOP_DETECTED = /\[FATAL\] plugin\/loop: Loop \(.*\) detected/;

export interface DnsHealth {
  present: boolean;
  service?: Service;
  pods: Pod[];
  /** Ready endpoints of the Service (EndpointSlices, else Endpoints, else Ready pods); undefined when not determinable. */
  readyEndpoints?: number;
  /** Problems found, each a piece of evidence. */
  problems: Evidence[];
  /** Loop plugin lines among the problems. */
  loopDetected: boolean;
  crashLooping: Pod[];
}

/** Ready endpoints of a Service: EndpointSlices, else Endpoints, else its Ready pods; undefined when unknowable. */
export function readyEndpointCount(index: ClusterIndex, service: Service): number | undefined {
  const slices = index.endpointSlicesOfService(service);
  if (slices.length > 0) return slices.reduce((n, s) => n + (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length, 0);
  const endpoints = index.endpointsOfService(service);
  if (endpoints) return (endpoints.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined; // manual endpoints, not loaded
  if (!index.has("Pod")) return undefined;
  return index
    .inNamespace<Pod>("Pod", service.metadata.namespace ?? "default")
    .filter((p) => isLivePod(p) && matchesServiceSelector(selector, p.metadata.labels ?? {}) && (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")).length;
}

/** The health of the cluster DNS: no ready endpoint, CoreDNS crash looping, the loop plugin's FATAL line. */
export function clusterDnsHealth(index: ClusterIndex, snapshot: Snapshot, now: number): DnsHealth {
  const { service, pods } = clusterDns(index);
  const health: DnsHealth = { present: service !== undefined || pods.length > 0, ...(service ? { service } : {}), pods, problems: [], loopDetected: false, crashLooping: [] };
  if (!health.present) return health;
  if (service) {
    health.readyEndpoints = readyEndpointCount(index, service);
    // Counted from pods alone: only trustworthy when every pod was read.
    if (index.endpointSlicesOfService(service).length === 0 && !index.endpointsOfService(service) && snapshot.coverage.Pod?.status !== "ok") delete health.readyEndpoints;
    if (health.readyEndpoints === 0) {
      for (const s of index.endpointSlicesOfService(service)) health.problems.push({ ref: refOf(s), path: "endpoints", value: (s.endpoints ?? []).length, note: "no ready endpoint in this slice" });
      const endpoints = index.endpointsOfService(service);
      if (endpoints && index.endpointSlicesOfService(service).length === 0) health.problems.push({ ref: refOf(endpoints), path: "subsets", value: 0, note: "no ready address" });
      if (pods.length === 0) health.problems.push({ ref: refOf(service), path: "spec.selector", value: service.spec?.selector ?? null, note: "no pod serves the cluster DNS Service" });
    }
  }
  for (const pod of pods) {
    const crash = crashLoopEvidence(pod);
    if (crash.length > 0) {
      health.crashLooping.push(pod);
      health.problems.push(...crash);
    }
    for (const log of logsOf(snapshot, pod)) {
      const line = log.text.split("\n").find((l) => LOOP_DETECTED.test(l));
      if (line) {
        health.loopDetected = true;
        health.problems.push({ ref: refOf(pod), path: "log", value: line.trim(), note: `container ${log.container}${log.previous ? " (previous instance)" : ""}` });
        break;
      }
    }
  }
  if (health.readyEndpoints === undefined && pods.length > 0 && pods.every((p) => notReadyPastGrace(p, now))) health.readyEndpoints = 0;
  if (health.readyEndpoints === 0) {
    for (const pod of pods) {
      const i = (pod.status?.conditions ?? []).findIndex((c) => c.type === "Ready");
      if (!isReady(pod)) health.problems.push({ ref: refOf(pod), path: i >= 0 ? `status.conditions[${i}].status` : "status.phase", value: i >= 0 ? pod.status!.conditions![i]!.status : (pod.status?.phase ?? null), note: "not Ready" });
    }
  }
  return health;
}

/**
 * DaemonSets that run node networking, by name or k8s-app label: CNI plugins (Calico, Canal, Flannel,
 * Cilium, Weave Net, Antrea, kube-router, AWS VPC CNI, Azure CNI, OVN-Kubernetes) and kube-proxy.
 */
export const NODE_NETWORK_DAEMONSETS: ReadonlyMap<string, string> = new Map([
  ["calico-node", "Calico"],
  ["canal", "Canal"],
  ["kube-flannel-ds", "Flannel"],
  ["kube-flannel", "Flannel"],
  ["flannel", "Flannel"],
  ["cilium", "Cilium"],
  ["weave-net", "Weave Net"],
  ["antrea-agent", "Antrea"],
  ["kube-router", "kube-router"],
  ["aws-node", "AWS VPC CNI"],
  ["azure-cni", "Azure CNI"],
  ["ovnkube-node", "OVN-Kubernetes"],
  ["kube-proxy", "kube-proxy"],
]);

/** The component a DaemonSet runs, when it is a node networking one. */
export function nodeNetworkComponent(ds: DaemonSet): string | undefined {
  return NODE_NETWORK_DAEMONSETS.get(ds.metadata.name) ?? NODE_NETWORK_DAEMONSETS.get(ds.metadata.labels?.["k8s-app"] ?? "") ?? NODE_NETWORK_DAEMONSETS.get(ds.metadata.labels?.["app"] ?? "");
}

export interface DaemonSetHealth {
  component: string;
  desired?: number;
  ready?: number;
  /** Pods of the DaemonSet not Ready past the grace period, or crash looping, with why. */
  unhealthy: { pod: Pod; node?: string; evidence: Evidence[] }[];
  /** Nodes whose networking pod is unhealthy. */
  nodes: string[];
}

const ERROR_LINE = /\b(error|fatal|failed|panic)\b/i;

/** Health of a node networking DaemonSet: its status counts and its unhealthy pods (with their nodes, restarts and error log lines). */
export function daemonSetHealth(index: ClusterIndex, snapshot: Snapshot, ds: DaemonSet, now: number): DaemonSetHealth {
  const component = nodeNetworkComponent(ds) ?? ds.metadata.name;
  const health: DaemonSetHealth = { component, ...(ds.status?.desiredNumberScheduled !== undefined ? { desired: ds.status.desiredNumberScheduled } : {}), ...(ds.status?.numberReady !== undefined ? { ready: ds.status.numberReady } : {}), unhealthy: [], nodes: [] };
  for (const pod of index.podsOfWorkload(ds)) {
    if (!isLivePod(pod)) continue;
    const evidence = crashLoopEvidence(pod);
    if (evidence.length === 0 && !notReadyPastGrace(pod, now)) continue;
    if (evidence.length === 0) {
      const i = (pod.status?.conditions ?? []).findIndex((c) => c.type === "Ready");
      evidence.push({ ref: refOf(pod), path: i >= 0 ? `status.conditions[${i}].status` : "status.conditions", value: i >= 0 ? pod.status!.conditions![i]!.status : null, note: "not Ready" });
    }
    for (const log of logsOf(snapshot, pod)) {
      const lines = log.text.split("\n").filter((l) => ERROR_LINE.test(l)).slice(-2);
      for (const line of lines) evidence.push({ ref: refOf(pod), path: "log", value: line.trim(), note: `container ${log.container}${log.previous ? " (previous instance)" : ""}` });
    }
    const node = pod.spec?.nodeName;
    health.unhealthy.push({ pod, ...(node ? { node } : {}), evidence });
    if (node && !health.nodes.includes(node)) health.nodes.push(node);
  }
  health.nodes.sort();
  return health;
}
