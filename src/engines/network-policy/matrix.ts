// Connectivity between many pods at once: pods that no NetworkPolicy can tell apart (same
// namespace, labels, declared ports, hostNetwork and ipBlock membership) form one class, and the
// connections are computed once per class pair, lazily.
import type { NetworkPolicy, Pod } from "../../model/kube.js";
import { rangeContains } from "./cidr.js";
import { compilePolicies, resolveEndpoint, type CompiledPolicies, type EvaluationOptions, type NamespaceLike, type ResolvedEndpoint } from "./compile.js";
import type { ConnectionSet } from "./connections.js";
import { allowedBetween } from "./evaluate.js";

/** Pods every NetworkPolicy treats alike. */
export interface PodClass {
  index: number;
  /** The identity of the class (namespace, labels, ports, hostNetwork, ipBlock membership). */
  key: string;
  /** The pod evaluated for the whole class. */
  representative: Pod;
  pods: Pod[];
}

export interface ConnectivityMatrix {
  compiled: CompiledPolicies;
  classes: readonly PodClass[];
  /** The class of a pod given to buildConnectivityMatrix. */
  classOf(pod: Pod): PodClass | undefined;
  /** Connections from one class to another (memoized); "unknown" when it depends on the network plugin. */
  between(source: PodClass, destination: PodClass): ConnectionSet | "unknown";
  /** Connections from a pod to an IP address outside the pod network, and back. */
  toAddress(source: PodClass, ip: string): ConnectionSet | "unknown";
  fromAddress(ip: string, destination: PodClass): ConnectionSet | "unknown";
}

export interface MatrixInput {
  pods: readonly Pod[];
  policies: readonly NetworkPolicy[];
  namespaces: readonly NamespaceLike[];
  options?: EvaluationOptions;
}

function sortedEntries(record: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function classKey(endpoint: ResolvedEndpoint & { kind: "pod" }, compiled: CompiledPolicies): string {
  const ports = endpoint.ports.map((p) => `${p.name ?? ""}:${p.containerPort}/${p.protocol}`).sort();
  // Pod IPs only matter through the ipBlocks that contain them.
  const blocks = compiled.options.ipBlocksMatchPodIps
    ? compiled.cidrs.map((range, i) => (endpoint.ips.some((ip) => rangeContains(range, ip)) ? i : -1)).filter((i) => i >= 0)
    : [];
  return JSON.stringify([endpoint.namespace, sortedEntries(endpoint.labels), sortedEntries(endpoint.namespaceLabels), ports, endpoint.hostNetwork, blocks, endpoint.ips.length > 0]);
}

/**
 * Groups pods into equivalence classes and returns a lazy matrix over them. Grouping costs
 * O(pods × ipBlock CIDRs); each class pair costs one evaluation of the policies of the source's
 * and the destination's namespaces, so 10,000 pods in a few hundred classes stay cheap.
 */
export function buildConnectivityMatrix(input: MatrixInput): ConnectivityMatrix {
  const compiled = compilePolicies(input.policies, input.namespaces, input.options);
  const classes: PodClass[] = [];
  const resolved: ResolvedEndpoint[] = [];
  const byKey = new Map<string, PodClass>();
  const byPod = new Map<Pod, PodClass>();
  for (const pod of input.pods) {
    const endpoint = resolveEndpoint({ kind: "pod", pod }, compiled);
    if (!endpoint || endpoint.kind !== "pod") continue;
    const key = classKey(endpoint, compiled);
    let podClass = byKey.get(key);
    if (!podClass) {
      podClass = { index: classes.length, key, representative: pod, pods: [] };
      classes.push(podClass);
      resolved.push(endpoint);
      byKey.set(key, podClass);
    }
    podClass.pods.push(pod);
    byPod.set(pod, podClass);
  }
  const memo = new Map<number, ConnectionSet | "unknown">();
  const size = classes.length;
  return {
    compiled,
    classes,
    classOf: (pod) => byPod.get(pod),
    between(source, destination) {
      const slot = source.index * size + destination.index;
      let value = memo.get(slot);
      if (value === undefined) {
        value = allowedBetween(compiled, resolved[source.index]!, resolved[destination.index]!);
        memo.set(slot, value);
      }
      return value;
    },
    toAddress(source, ip) {
      const address = resolveEndpoint({ kind: "ip", ip }, compiled);
      return address ? allowedBetween(compiled, resolved[source.index]!, address) : "unknown";
    },
    fromAddress(ip, destination) {
      const address = resolveEndpoint({ kind: "ip", ip }, compiled);
      return address ? allowedBetween(compiled, address, resolved[destination.index]!) : "unknown";
    },
  };
}
