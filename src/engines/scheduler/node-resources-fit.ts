// NodeResourcesFit: the pod's effective requests must fit in the node's allocatable minus what bound pods request.
import type { Container, Pod } from "../../model/kube.js";
import { parseQuantity, quantityToBytes, quantityToMillis } from "../../semantics/quantity.js";
import { compareStrings } from "../../semantics/labels.js";
import { memoize, minorVersion, SUCCESS, type FilterOptions, type FilterPlugin, type FilterStatus, type NodeInfo } from "./framework.js";

/** Requests per resource name: cpu in millicores, everything else in whole units (Quantity.Value, rounded up). */
export type ResourceAmounts = Map<string, bigint>;

/** One failed resource, as noderesources.InsufficientResource. */
export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: bigint;
  used: bigint;
  capacity: bigint;
  /** The request alone exceeds allocatable (v1.31+ returns UnschedulableAndUnresolvable then). */
  unresolvable: boolean;
}

function amountOf(name: string, value: string): bigint {
  const parsed = parseQuantity(value);
  if (!parsed.ok) return 0n;
  return name === "cpu" ? quantityToMillis(parsed.quantity) : quantityToBytes(parsed.quantity);
}

function toAmounts(list: Readonly<Record<string, string>> | undefined): ResourceAmounts {
  const out: ResourceAmounts = new Map();
  for (const [name, value] of Object.entries(list ?? {})) out.set(name, amountOf(name, value));
  return out;
}

function add(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [name, value] of from) into.set(name, (into.get(name) ?? 0n) + value);
}

function maxInto(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [name, value] of from) if (value > (into.get(name) ?? 0n)) into.set(name, value);
}

function requestsOf(container: Container): ResourceAmounts {
  return toAmounts(container.resources?.requests);
}

/** Memo of podRequests and nodeRequested by object and by what changes the sum (version, local storage isolation). The maps returned are read-only. */
const requestMemo = new WeakMap<object, Map<string, ResourceAmounts>>();
function memoized(owner: object, options: FilterOptions | undefined, compute: () => ResourceAmounts): ResourceAmounts {
  return memoize(requestMemo, owner, `${minorVersion(options)}/${options?.localStorageCapacityIsolation === false ? 0 : 1}`, compute);
}

/**
 * The pod's effective request (resourcehelper.PodRequests; v1.23 computePodResourceRequest):
 * max(sum(containers), max over init containers) per resource, plus spec.overhead. Since v1.29
 * restartable init containers (sidecars) add to the sum and to every later init container's peak.
 * Since v1.34 (PodLevelResources beta) spec.resources.requests replaces the aggregate for the
 * resources it names (cpu, memory, hugepages).
 */
export function podRequests(pod: Pod, options?: FilterOptions): ResourceAmounts {
  return memoized(pod, options, () => computePodRequests(pod, options));
}

function computePodRequests(pod: Pod, options?: FilterOptions): ResourceAmounts {
  const minor = minorVersion(options);
  const sidecars = minor >= 29;
  const total: ResourceAmounts = new Map();
  for (const container of pod.spec?.containers ?? []) add(total, requestsOf(container));
  const restartable: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const init of pod.spec?.initContainers ?? []) {
    const own = requestsOf(init);
    if (sidecars && init.restartPolicy === "Always") {
      add(total, own);
      add(restartable, own);
      maxInto(initPeak, restartable);
    } else {
      const withSidecars: ResourceAmounts = new Map(own);
      if (sidecars) add(withSidecars, restartable);
      maxInto(initPeak, withSidecars);
    }
  }
  maxInto(total, initPeak);
  const podLevel = (pod.spec?.resources as { requests?: Record<string, string> } | undefined)?.requests;
  if (minor >= 34 && podLevel) {
    for (const [name, value] of toAmounts(podLevel)) {
      if (name === "cpu" || name === "memory" || name.startsWith("hugepages-")) total.set(name, value);
    }
  }
  add(total, toAmounts(pod.spec?.overhead as Record<string, string> | undefined));
  return total;
}

// v1helper.IsNativeResource: no domain, or a *kubernetes.io/ domain.
function isNativeResource(name: string): boolean {
  return !name.includes("/") || name.includes("kubernetes.io/");
}

// v1helper.IsExtendedResourceName: not native and not a quota "requests." name.
function isExtendedResourceName(name: string): boolean {
  return !isNativeResource(name) && !name.startsWith("requests.");
}

// v1helper.IsScalarResourceName: extended, hugepages-*, attachable-volumes-*, or kubernetes.io/-prefixed.
function isScalarResourceName(name: string): boolean {
  return isExtendedResourceName(name) || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-") || name.includes("kubernetes.io/");
}

const FIXED = ["cpu", "memory", "ephemeral-storage"] as const;

/** The sum of the requests of the pods already on the node (NodeInfo.Requested). */
export function nodeRequested(pods: readonly Pod[], options?: FilterOptions): ResourceAmounts {
  return memoized(pods, options, () => {
    const used: ResourceAmounts = new Map();
    for (const pod of pods) add(used, podRequests(pod, options));
    return used;
  });
}

/** fitsRequest: the insufficient resources in upstream order (pods, cpu, memory, ephemeral-storage, scalar resources). */
export function insufficientResources(pod: Pod, nodeInfo: NodeInfo, options?: FilterOptions): InsufficientResource[] {
  const minor = minorVersion(options);
  const allocatable = toAmounts(nodeInfo.node.status?.allocatable);
  const requested = nodeRequested(nodeInfo.pods, options);
  const request = podRequests(pod, options);
  const out: InsufficientResource[] = [];
  const allowedPods = allocatable.get("pods") ?? 0n;
  const podCount = BigInt(nodeInfo.pods.length);
  if (podCount + 1n > allowedPods) {
    out.push({ resourceName: "pods", reason: "Too many pods", requested: 1n, used: podCount, capacity: allowedPods, unresolvable: false });
  }
  const scalarNames = [...request.keys()].filter(isScalarResourceName).sort(compareStrings);
  const isZero = FIXED.every((name) => (request.get(name) ?? 0n) === 0n) && scalarNames.length === 0;
  if (isZero) return out;
  for (const name of FIXED) {
    if (name === "ephemeral-storage" && options?.localStorageCapacityIsolation === false) continue;
    const want = request.get(name) ?? 0n;
    // v1.28+ guards with `podRequest.X > 0 &&`; before, an overcommitted node failed even a zero request.
    if (minor >= 28 && want === 0n) continue;
    const capacity = allocatable.get(name) ?? 0n;
    const used = requested.get(name) ?? 0n;
    if (want > capacity - used) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used, capacity, unresolvable: want > capacity });
    }
  }
  const ignored = new Set(options?.ignoredResources ?? []);
  const ignoredGroups = new Set(options?.ignoredResourceGroups ?? []);
  // Upstream ranges over a Go map (random order); kubesleuth sorts scalar names for a stable output.
  for (const name of scalarNames) {
    const want = request.get(name) ?? 0n;
    if (isExtendedResourceName(name) && (ignored.has(name) || ignoredGroups.has(name.split("/")[0] ?? ""))) continue;
    if (minor >= 28 && want === 0n) continue;
    const capacity = allocatable.get(name) ?? 0n;
    const used = requested.get(name) ?? 0n;
    if (want > capacity - used) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used, capacity, unresolvable: want > capacity });
    }
  }
  return out;
}

/**
 * NodeResourcesFit.Filter: Unschedulable with one reason per insufficient resource
 * ("Too many pods", "Insufficient cpu", ...). Since v1.31 the status is
 * UnschedulableAndUnresolvable when some request exceeds the node's whole allocatable.
 */
export const nodeResourcesFit: FilterPlugin = (pod, nodeInfo, _cluster, options): FilterStatus => {
  const failed = insufficientResources(pod, nodeInfo, options);
  if (failed.length === 0) return SUCCESS;
  const reasons = failed.map((f) => f.reason);
  const unresolvable = minorVersion(options) >= 31 && failed.some((f) => f.unresolvable);
  return unresolvable ? { ok: false, reason: reasons[0] ?? "", reasons, unresolvable } : { ok: false, reason: reasons[0] ?? "", reasons };
};
