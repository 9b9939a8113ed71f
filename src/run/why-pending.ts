// why-pending / fit: the scheduler engine's per-node verdicts for one pod, the FitError message, and
// what-if fixes — each one verified by re-running the simulation with the fix applied.
import type { Container, Node, PersistentVolume, PersistentVolumeClaim, Pod, Toleration } from "../model/kube.js";
import type { ObjectRef } from "../model/ref.js";
import {
  buildNodeInfos,
  claimClass,
  formatFitError,
  preemptionOutcome,
  storageBytes,
  insufficientResources,
  podRequests,
  simulateScheduling,
  type NodeVerdict,
  type PreemptionCandidate,
  type SimulationOptions,
  type StorageState,
} from "../engines/scheduler/index.js";
import { findUntoleratedTaint, formatTaint, SCHEDULING_TAINT_EFFECTS } from "../semantics/taints.js";

export interface SchedulingCluster {
  nodes: readonly Node[];
  /** Every pod of the cluster (bound pods count as usage on their node). */
  pods: readonly Pod[];
  namespaceLabels?: SimulationOptions["namespaceLabels"];
  /** PVCs, PVs, StorageClasses, CSINodes (buildStorageState): the volume filters need them. */
  storage?: StorageState;
}

export interface NodeRow {
  node: string;
  fits: boolean;
  /** Every failing filter in plugin order; kube-scheduler reports the first. `detail` is kubesleuth's own (e.g. the taint). */
  failures: { plugin: string; reason: string; detail?: string }[];
}

export interface Fix {
  kind: "toleration" | "node-label" | "reduce-request" | "uncordon" | "bind-volume";
  description: string;
  /** A strategic-merge patch for `target` (the pod's top controller, or the pod). */
  patch?: Record<string, unknown>;
  target?: ObjectRef;
  /** A kubectl command that applies the fix. */
  command?: string;
  /** The simulation re-run with the fix applied found at least one node that fits. Only verified fixes are returned. */
  verified: boolean;
  /** Nodes the pod fits on once the fix is applied. */
  nodes: string[];
}

export interface PendingAnalysis {
  fits: boolean;
  /** Nodes the pod fits on now. */
  fitsOn: string[];
  /** kube-scheduler's FitError ("0/N nodes are available: ..."), or null when some node fits. */
  message: string | null;
  nodes: NodeRow[];
  fixes: Fix[];
  /**
   * Nodes where DefaultPreemption's dry run finds room by evicting lower-priority pods: the scheduler
   * would preempt on one of them. The pods listed are every lower-priority pod of the node (an upper
   * bound: upstream spares what it can, by priority and PodDisruptionBudgets).
   */
  preemptionCandidates: PreemptionCandidate[];
}

const MI = 1024n * 1024n;

function fittingNodes(verdicts: readonly NodeVerdict[]): string[] {
  return verdicts.filter((v) => v.fits).map((v) => v.node);
}

function clonePod(pod: Pod): Pod {
  return structuredClone(pod);
}

/** The untolerated NoSchedule/NoExecute taints of a node, all of them (the filter reports only the first). */
function untoleratedTaints(node: Node, tolerations: readonly Toleration[] | undefined): NonNullable<NonNullable<Node["spec"]>["taints"]> {
  return (node.spec?.taints ?? []).filter((t) => findUntoleratedTaint([t], tolerations, SCHEDULING_TAINT_EFFECTS) !== undefined);
}

/** Taints the node lifecycle controller sets for conditions (not-ready, pressure, unschedulable, ...): tolerating them is not a fix. */
function isConditionTaint(key: string): boolean {
  return key.startsWith("node.kubernetes.io/") || key === "node.cloudprovider.kubernetes.io/uninitialized";
}

function tolerationFor(taint: { key: string; value?: string; effect: string }): Toleration {
  return taint.value ? { key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect } : { key: taint.key, operator: "Exists", effect: taint.effect };
}

function detailOf(node: Node, pod: Pod, plugin: string): string | undefined {
  if (plugin === "TaintToleration") {
    const taints = untoleratedTaints(node, pod.spec?.tolerations);
    return taints.length ? `untolerated: ${taints.map((t) => formatTaint(t)).join(", ")}` : undefined;
  }
  if (plugin === "NodeAffinity") {
    const missing = Object.entries(pod.spec?.nodeSelector ?? {}).filter(([k, v]) => node.metadata.labels?.[k] !== v);
    return missing.length ? `nodeSelector needs ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}` : undefined;
  }
  return undefined;
}

/** The patch shape for the target: a workload's pod template, or the pod itself. */
function specPatch(target: ObjectRef | undefined, spec: Record<string, unknown>): Record<string, unknown> {
  const isPod = !target || target.kind === "Pod";
  if (isPod) return { spec };
  if (target.kind === "CronJob") return { spec: { jobTemplate: { spec: { template: { spec } } } } };
  return { spec: { template: { spec } } };
}

function formatAmount(resource: string, amount: bigint): string {
  if (resource === "cpu") return amount % 1000n === 0n ? `${amount / 1000n}` : `${amount}m`;
  if (resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-")) {
    return amount >= MI ? `${amount / MI}Mi` : `${amount}`;
  }
  return `${amount}`;
}

/** Amount in the engine's units (cpu millicores, others whole units), rounded down to what formatAmount can print. */
function roundDown(resource: string, amount: bigint): bigint {
  if (resource === "cpu") return amount;
  if ((resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-")) && amount >= MI) return (amount / MI) * MI;
  return amount;
}

/**
 * The pod with its request of `resource` brought down to `target` (engine units): pod-level
 * requests when it sets one (v1.34+), else every container's and init container's request scaled
 * by the same factor, rounded down, so the effective request is at most `target`.
 */
function withReducedRequest(pod: Pod, resource: string, current: bigint, target: bigint, options: SimulationOptions): { pod: Pod; changed: { container: string; init: boolean; value: string }[] } | undefined {
  const overhead = (pod.spec?.overhead as Record<string, string> | undefined)?.[resource];
  const overheadAmount = overhead ? (podRequests({ ...pod, spec: { containers: [], overhead: { [resource]: overhead } } } as Pod, options).get(resource) ?? 0n) : 0n;
  const have = current - overheadAmount;
  const want = target - overheadAmount;
  if (have <= 0n || want <= 0n) return undefined;
  const out = clonePod(pod);
  const changed: { container: string; init: boolean; value: string }[] = [];
  const scale = (list: Container[] | undefined, init: boolean) => {
    for (const c of list ?? []) {
      const value = c.resources?.requests?.[resource];
      if (value === undefined) continue;
      const one = podRequests({ kind: "Pod", metadata: { name: "x" }, spec: { containers: [{ name: c.name, resources: { requests: { [resource]: value } } }] } } as Pod, options).get(resource) ?? 0n;
      const scaled = roundDown(resource, (one * want) / have);
      const text = formatAmount(resource, scaled);
      c.resources = { ...c.resources, requests: { ...c.resources?.requests, [resource]: text } };
      changed.push({ container: c.name, init, value: text });
    }
  };
  scale(out.spec.containers, false);
  scale(out.spec.initContainers, true);
  if (changed.length === 0) return undefined;
  return { pod: out, changed };
}

/** Simulates the pod against the cluster and works out verified what-if fixes. */
export function analyzePending(pod: Pod, cluster: SchedulingCluster, options: SimulationOptions = {}, target?: ObjectRef): PendingAnalysis {
  const simOptions: SimulationOptions = { ...options, ...(cluster.namespaceLabels ? { namespaceLabels: cluster.namespaceLabels } : {}), ...(cluster.storage ? { storage: cluster.storage } : {}) };
  const simulate = (p: Pod, nodes: readonly Node[] = cluster.nodes, storage: StorageState | undefined = cluster.storage) =>
    simulateScheduling(p, nodes, cluster.pods, { ...simOptions, ...(storage ? { storage } : {}) });
  const verdicts = simulate(pod);
  const nodeByName = new Map(cluster.nodes.map((n) => [n.metadata.name, n]));
  const rows: NodeRow[] = verdicts.map((v) => ({
    node: v.node,
    fits: v.fits,
    failures: v.failures.flatMap((f) =>
      f.status.reasons.map((reason) => {
        const detail = detailOf(nodeByName.get(v.node)!, pod, f.plugin);
        return { plugin: f.plugin, reason, ...(detail ? { detail } : {}) };
      }),
    ),
  }));
  const fitsOn = fittingNodes(verdicts);
  const message = formatFitError(pod, verdicts, cluster.pods, { ...simOptions, nodes: cluster.nodes }) ?? null;
  const fixes: Fix[] = [];
  if (fitsOn.length === 0) {
    fixes.push(...tolerationFixes(pod, verdicts, nodeByName, simulate, target));
    fixes.push(...labelFixes(pod, verdicts, cluster.nodes, simulate));
    const request = requestFix(pod, verdicts, cluster, options, simulate, target);
    if (request) fixes.push(request);
    fixes.push(...uncordonFixes(pod, verdicts, cluster.nodes, simulate));
    if (cluster.storage) fixes.push(...volumeFixes(pod, cluster.storage, (p, storage) => simulate(p, cluster.nodes, storage)));
  }
  const preemptionCandidates = fitsOn.length ? [] : (preemptionOutcome(pod, verdicts, cluster.pods, { ...simOptions, nodes: cluster.nodes })?.candidates ?? []);
  return { fits: fitsOn.length > 0, fitsOn, message, nodes: rows, fixes, preemptionCandidates };
}

type Simulate = (pod: Pod, nodes?: readonly Node[]) => NodeVerdict[];

function tolerationFixes(pod: Pod, verdicts: readonly NodeVerdict[], nodeByName: Map<string, Node>, simulate: Simulate, target: ObjectRef | undefined): Fix[] {
  const seen = new Set<string>();
  const out: Fix[] = [];
  for (const verdict of verdicts) {
    if (!verdict.failures.some((f) => f.plugin === "TaintToleration")) continue;
    const taints = untoleratedTaints(nodeByName.get(verdict.node)!, pod.spec?.tolerations);
    if (!taints.length || taints.some((t) => isConditionTaint(t.key))) continue;
    const key = taints.map((t) => formatTaint(t)).join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    const tolerations = [...(pod.spec?.tolerations ?? []), ...taints.map(tolerationFor)];
    const patched = clonePod(pod);
    patched.spec.tolerations = tolerations;
    const nodes = fittingNodes(simulate(patched));
    if (!nodes.length) continue;
    out.push({
      kind: "toleration",
      description: `add a toleration for taint${taints.length > 1 ? "s" : ""} ${taints.map((t) => formatTaint(t)).join(", ")}`,
      patch: specPatch(target, { tolerations }),
      ...(target ? { target } : {}),
      verified: true,
      nodes,
    });
  }
  return out;
}

function labelFixes(pod: Pod, verdicts: readonly NodeVerdict[], nodes: readonly Node[], simulate: Simulate): Fix[] {
  const selector = pod.spec?.nodeSelector ?? {};
  if (!Object.keys(selector).length) return [];
  const out: Fix[] = [];
  for (const verdict of verdicts) {
    if (!verdict.failures.some((f) => f.plugin === "NodeAffinity")) continue;
    const node = nodes.find((n) => n.metadata.name === verdict.node)!;
    const labels = node.metadata.labels ?? {};
    const missing = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
    if (!missing.length) continue;
    const relabelled: Node = { ...node, metadata: { ...node.metadata, labels: { ...labels, ...Object.fromEntries(missing) } } };
    const fits = fittingNodes(simulate(pod, nodes.map((n) => (n === node ? relabelled : n))));
    if (!fits.length) continue;
    const overwrite = missing.some(([k]) => k in labels) ? " --overwrite" : "";
    out.push({
      kind: "node-label",
      description: `label node ${node.metadata.name} with ${missing.map(([k, v]) => `${k}=${v}`).join(", ")} (the pod's nodeSelector needs it)`,
      command: `kubectl label node ${node.metadata.name} ${missing.map(([k, v]) => `${k}=${v}`).join(" ")}${overwrite}`,
      verified: true,
      nodes: fits,
    });
  }
  return out;
}

function uncordonFixes(pod: Pod, verdicts: readonly NodeVerdict[], nodes: readonly Node[], simulate: Simulate): Fix[] {
  const out: Fix[] = [];
  for (const verdict of verdicts) {
    if (!verdict.failures.some((f) => f.plugin === "NodeUnschedulable")) continue;
    const node = nodes.find((n) => n.metadata.name === verdict.node)!;
    // `kubectl uncordon` clears spec.unschedulable; the node lifecycle controller then drops the
    // node.kubernetes.io/unschedulable:NoSchedule taint it had added.
    const taints = (node.spec?.taints ?? []).filter((t) => t.key !== "node.kubernetes.io/unschedulable");
    const uncordoned: Node = { ...node, spec: { ...node.spec, unschedulable: false, taints } };
    const fits = fittingNodes(simulate(pod, nodes.map((n) => (n === node ? uncordoned : n))));
    if (!fits.length) continue;
    out.push({ kind: "uncordon", description: `uncordon node ${node.metadata.name}`, command: `kubectl uncordon ${node.metadata.name}`, verified: true, nodes: fits });
  }
  return out;
}

/**
 * Reduce the request(s) to what the roomiest node has free. Candidates are nodes that fail only
 * NodeResourcesFit, not for the pod count; the roomiest is the one that needs the smallest cut
 * (the largest free/requested ratio over the insufficient resources).
 */
function requestFix(pod: Pod, verdicts: readonly NodeVerdict[], cluster: SchedulingCluster, options: SimulationOptions, simulate: Simulate, target: ObjectRef | undefined): Fix | undefined {
  const infos = buildNodeInfos(cluster.nodes, cluster.pods.filter((p) => !(p.metadata.name === pod.metadata.name && p.metadata.namespace === pod.metadata.namespace)));
  let best: { node: string; cuts: { resource: string; requested: bigint; free: bigint }[]; ratio: number } | undefined;
  for (const verdict of verdicts) {
    if (!verdict.failures.length || verdict.failures.some((f) => f.plugin !== "NodeResourcesFit")) continue;
    const info = infos.find((i) => i.node.metadata.name === verdict.node)!;
    const short = insufficientResources(pod, info, options);
    if (!short.length || short.some((s) => s.resourceName === "pods")) continue;
    const cuts = short.map((s) => ({ resource: s.resourceName, requested: s.requested, free: s.capacity - s.used }));
    if (cuts.some((c) => c.free <= 0n)) continue;
    const ratio = Math.min(...cuts.map((c) => Number(c.free) / Number(c.requested)));
    if (!best || ratio > best.ratio) best = { node: verdict.node, cuts, ratio };
  }
  if (!best) return undefined;
  let patched = pod;
  const changes = new Map<string, { name: string; init: boolean; requests: Record<string, string> }>();
  for (const cut of best.cuts) {
    const reduced = withReducedRequest(patched, cut.resource, cut.requested, cut.free, options);
    if (!reduced) return undefined;
    patched = reduced.pod;
    for (const c of reduced.changed) {
      const k = `${c.init ? "init" : "app"}/${c.container}`;
      const entry = changes.get(k) ?? { name: c.container, init: c.init, requests: {} };
      entry.requests[cut.resource] = c.value;
      changes.set(k, entry);
    }
  }
  const nodes = fittingNodes(simulate(patched));
  if (!nodes.length) return undefined;
  const list = (init: boolean) => [...changes.values()].filter((c) => c.init === init).map((c) => ({ name: c.name, resources: { requests: c.requests } }));
  const spec: Record<string, unknown> = { containers: list(false) };
  if (list(true).length) spec.initContainers = list(true);
  const what = best.cuts.map((c) => `${c.resource} ${formatAmount(c.resource, c.requested)} -> at most ${formatAmount(c.resource, roundDown(c.resource, c.free))}`).join(", ");
  return {
    kind: "reduce-request",
    description: `reduce the pod's request (${what}), what node ${best.node} has free${!target || target.kind === "Pod" ? " (requests of a bare pod cannot be changed in place: recreate it)" : ""}`,
    patch: specPatch(target, spec),
    ...(target ? { target } : {}),
    verified: true,
    nodes,
  };
}

const MAX_VOLUME_FIXES = 3;

/** An Available PV the claim could use, ignoring class and node: free (or pre-bound to it), big enough, same volume mode, every access mode. */
function couldHold(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (ref && !(ref.name === pvc.metadata.name && (ref.namespace ?? "") === (pvc.metadata.namespace ?? ""))) return false;
  if (pv.status?.phase !== "Available" || pv.metadata.deletionTimestamp) return false;
  if (storageBytes(pv.spec?.capacity?.storage) < storageBytes(pvc.spec?.resources?.requests?.storage)) return false;
  if ((pv.spec?.volumeMode ?? "Filesystem") !== (pvc.spec?.volumeMode ?? "Filesystem")) return false;
  const modes = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => modes.has(m));
}

/**
 * "The PV that could bind": for each unbound claim of the pod, the Available PVs that could hold it;
 * the simulation is re-run with the claim bound to that PV (volumeName, bind-completed, claimRef).
 * Same class: pre-bind the PV to the claim (claimRef). Another class: the claim must be recreated
 * with the PV's class (storageClassName is immutable). Only fixes that make the pod fit are returned.
 */
function volumeFixes(pod: Pod, storage: StorageState, simulate: (pod: Pod, storage: StorageState) => NodeVerdict[]): Fix[] {
  const out: Fix[] = [];
  const ns = pod.metadata.namespace ?? "";
  for (const volume of pod.spec?.volumes ?? []) {
    const name = volume.persistentVolumeClaim?.claimName;
    if (!name) continue;
    const pvc = storage.pvcs.get(`${ns}/${name}`);
    if (!pvc || pvc.spec?.volumeName) continue;
    const candidates = [...storage.pvs.values()].filter((pv) => couldHold(pv, pvc)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    for (const pv of candidates) {
      if (out.length >= MAX_VOLUME_FIXES) return out;
      const bound: PersistentVolumeClaim = {
        ...pvc,
        metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, "pv.kubernetes.io/bind-completed": "yes" } },
        spec: { ...pvc.spec, volumeName: pv.metadata.name },
      };
      const claimed: PersistentVolume = { ...pv, spec: { ...pv.spec, claimRef: { namespace: ns, name } }, status: { ...pv.status, phase: "Bound" } };
      const pvcs = new Map(storage.pvcs);
      pvcs.set(`${ns}/${name}`, bound);
      const pvs = new Map(storage.pvs);
      pvs.set(pv.metadata.name, claimed);
      const nodes = fittingNodes(simulate(pod, { ...storage, pvcs, pvs }));
      if (!nodes.length) continue;
      const pvClass = pv.spec?.storageClassName ?? "";
      const sameClass = pvClass === claimClass(pvc);
      out.push({
        kind: "bind-volume",
        description: sameClass
          ? `bind claim ${ns}/${name} to the Available PersistentVolume ${pv.metadata.name} (pre-bind it with claimRef)`
          : `recreate claim ${ns}/${name} with storageClassName "${pvClass}" so it binds the Available PersistentVolume ${pv.metadata.name} (its class is "${claimClass(pvc)}"; storageClassName cannot be changed in place)`,
        ...(sameClass ? { command: `kubectl patch pv ${pv.metadata.name} --type merge -p '${JSON.stringify({ spec: { claimRef: { namespace: ns, name } } })}'` } : {}),
        verified: true,
        nodes,
      });
    }
  }
  return out;
}
