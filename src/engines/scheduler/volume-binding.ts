// VolumeBinding: the pod's PersistentVolumeClaims must be bound, or bindable on the node (volumebinding/volume_binding.go, binder.go).
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "../../model/kube.js";
import { matchesNodeSelectorTerms } from "../../semantics/node-affinity.js";
import { matchesSelector } from "../../semantics/labels.js";
import { parseQuantity } from "../../semantics/quantity.js";
import { minorVersion, SUCCESS, unresolvable, type ClusterState, type FilterPlugin, type FilterStatus, type PreFilterPlugin, type StorageState } from "./framework.js";

/** binder.go ConflictReason strings. */
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
/** ErrReasonNodeConflict from v1.33 (kubernetes PR 129887, merged 2025-02; v1.36 checked on the test cluster). */
export const ERR_REASON_NODE_CONFLICT = "node(s) didn't match PersistentVolume's node affinity";
/** ErrReasonNodeConflict up to v1.32. */
export const ERR_REASON_NODE_CONFLICT_OLD = "node(s) had volume node affinity conflict";
export const ERR_REASON_NOT_ENOUGH_SPACE = "node(s) did not have enough free storage";
export const ERR_REASON_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/** volume_binding.go PreFilter, when an Immediate-mode claim is still unbound. */
export const ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";

const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
const BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";
/** volume.NotSupportedProvisioner: a class that never provisions (local volumes). */
const NOT_SUPPORTED_PROVISIONER = "kubernetes.io/no-provisioner";

/** The claim name of a pod volume: a PVC, or the PVC of a generic ephemeral volume ("<pod>-<volume>"). */
export function claimNameOf(pod: Pod, volume: NonNullable<Pod["spec"]["volumes"]>[number]): { name: string; ephemeral: boolean } | undefined {
  if (volume.persistentVolumeClaim) return { name: volume.persistentVolumeClaim.claimName, ephemeral: false };
  if (volume.ephemeral) return { name: `${pod.metadata.name}-${volume.name}`, ephemeral: true };
  return undefined;
}

/** volume.GetPersistentVolumeClaimClass: the beta annotation wins, then spec.storageClassName, else "". */
export function claimClass(pvc: PersistentVolumeClaim): string {
  const beta = pvc.metadata.annotations?.[BETA_CLASS_ANNOTATION];
  if (beta !== undefined) return beta;
  return pvc.spec?.storageClassName ?? "";
}

/** volume.GetPersistentVolumeClass. */
export function volumeClass(pv: PersistentVolume): string {
  const beta = pv.metadata.annotations?.[BETA_CLASS_ANNOTATION];
  if (beta !== undefined) return beta;
  return pv.spec?.storageClassName ?? "";
}

/** volume.CheckNodeAffinity: the PV's required node affinity against the node's labels (fields are not set). */
export function pvMatchesNode(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!pv.spec?.nodeAffinity || !pv.spec.nodeAffinity.required) return true;
  return matchesNodeSelectorTerms(terms ?? [], { metadata: { name: "", labels: node.metadata.labels ?? {} } });
}

/** A storage quantity in exact nano-units (0 when absent or invalid), for size comparisons. */
export function storageBytes(q: string | undefined): bigint {
  if (q === undefined) return 0n;
  const parsed = parseQuantity(String(q));
  return parsed.ok ? parsed.quantity.nanos : 0n;
}

function isBoundTo(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || (ref.namespace ?? "") !== (pvc.metadata.namespace ?? "")) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/**
 * volume.FindMatchingVolume on the scheduler path (node set, delayBinding): a PV pre-bound to the
 * claim wins (or none when its node affinity fails); otherwise the smallest Available PV of the
 * claim's class with enough capacity, the same volume mode, the claim's selector, node affinity
 * satisfied and every requested access mode.
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, volumes: readonly PersistentVolume[], node: Node, excluded: ReadonlySet<string>): PersistentVolume | undefined {
  const requested = storageBytes(pvc.spec?.resources?.requests?.storage);
  const requestedClass = claimClass(pvc);
  const claimMode = pvc.spec?.volumeMode ?? "Filesystem";
  let smallest: { pv: PersistentVolume; size: bigint } | undefined;
  for (const pv of volumes) {
    if (excluded.has(pv.metadata.name)) continue;
    if (pv.spec?.claimRef && !isBoundTo(pv, pvc)) continue;
    const size = storageBytes(pv.spec?.capacity?.storage);
    if (size < requested) continue;
    if ((pv.spec?.volumeMode ?? "Filesystem") !== claimMode) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const affinityOk = pvMatchesNode(pv, node);
    if (isBoundTo(pv, pvc)) return affinityOk ? pv : undefined;
    if (pv.status?.phase !== "Available") continue;
    if (pvc.spec?.selector && !matchesSelector(pvc.spec.selector, pv.metadata.labels ?? {})) continue;
    if (volumeClass(pv) !== requestedClass) continue;
    if (!affinityOk) continue;
    const modes = new Set(pv.spec?.accessModes ?? []);
    if (!(pvc.spec?.accessModes ?? []).every((m) => modes.has(m))) continue;
    if (!smallest || smallest.size > size) smallest = { pv, size };
  }
  return smallest?.pv;
}

/** The pod's claims sorted the way GetPodVolumeClaims does. Errors are PreFilter failures (PVC lookup). */
interface PodClaims {
  bound: PersistentVolumeClaim[];
  unboundImmediate: PersistentVolumeClaim[];
  unboundDelayed: PersistentVolumeClaim[];
}

/** volume.IsDelayBindingMode: WaitForFirstConsumer class; no class, or a class that does not exist, means Immediate. */
function isDelayBinding(pvc: PersistentVolumeClaim, classes: ReadonlyMap<string, StorageClass>): boolean {
  const name = claimClass(pvc);
  if (!name) return false;
  const cls = classes.get(name);
  return cls?.volumeBindingMode === "WaitForFirstConsumer";
}

function isFullyBound(pvc: PersistentVolumeClaim): boolean {
  return !!pvc.spec?.volumeName && pvc.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/**
 * podHasPVCs: the first claim that cannot be used fails the pod as a whole
 * (UnschedulableAndUnresolvable, the API error text).
 */
export function claimLookupFailure(pod: Pod, storage: StorageState): string | undefined {
  for (const volume of pod.spec?.volumes ?? []) {
    const claim = claimNameOf(pod, volume);
    if (!claim) continue;
    const pvc = storage.pvcs.get(`${pod.metadata.namespace ?? ""}/${claim.name}`);
    if (!pvc) {
      return claim.ephemeral
        ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${claim.name}"`
        : `persistentvolumeclaim "${claim.name}" not found`;
    }
    if (pvc.status?.phase === "Lost") return `persistentvolumeclaim "${pvc.metadata.name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ""}"`;
    if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${pvc.metadata.name}" is being deleted`;
  }
  return undefined;
}

function podClaims(pod: Pod, storage: StorageState): PodClaims {
  const out: PodClaims = { bound: [], unboundImmediate: [], unboundDelayed: [] };
  for (const volume of pod.spec?.volumes ?? []) {
    const claim = claimNameOf(pod, volume);
    if (!claim) continue;
    const pvc = storage.pvcs.get(`${pod.metadata.namespace ?? ""}/${claim.name}`);
    if (!pvc) continue;
    if (isFullyBound(pvc)) out.bound.push(pvc);
    // Prebound claims (volumeName set, binding not completed) count as unbound immediate.
    else if (isDelayBinding(pvc, storage.storageClasses) && !pvc.spec?.volumeName) out.unboundDelayed.push(pvc);
    else out.unboundImmediate.push(pvc);
  }
  return out;
}

function hasClaims(pod: Pod): boolean {
  return (pod.spec?.volumes ?? []).some((v) => claimNameOf(pod, v) !== undefined);
}

/** VolumeBinding.PreFilter: a missing or unusable claim, or an unbound Immediate claim, fails the pod everywhere. */
export const volumeBindingPreFilter: PreFilterPlugin = (pod, cluster) => {
  const storage = cluster.storage;
  if (!storage || !hasClaims(pod)) return {};
  const failure = claimLookupFailure(pod, storage);
  if (failure) return { status: unresolvable(failure) as Extract<FilterStatus, { ok: false }> };
  if (podClaims(pod, storage).unboundImmediate.length > 0) return { status: unresolvable(ERR_UNBOUND_IMMEDIATE) as Extract<FilterStatus, { ok: false }> };
  const eligible = eligibleNodesForBoundClaims(pod, cluster);
  return eligible ? { nodeNames: eligible } : {};
};

/** The PVs of a storage class (pvCache.ListPVs), indexed once per storage state. */
const pvsByClass = new WeakMap<StorageState, Map<string, PersistentVolume[]>>();
function volumesOfClass(storage: StorageState, className: string): PersistentVolume[] {
  let byClass = pvsByClass.get(storage);
  if (!byClass) {
    byClass = new Map();
    for (const pv of storage.pvs.values()) {
      const list = byClass.get(volumeClass(pv)) ?? [];
      list.push(pv);
      byClass.set(volumeClass(pv), list);
    }
    pvsByClass.set(storage, byClass);
  }
  return byClass.get(className) ?? [];
}

/** class.AllowedTopologies against the node's labels (MatchTopologySelectorTerms: no terms matches everything). */
function allowedTopologyMatches(cls: StorageClass, node: Node): boolean {
  const terms = (cls as StorageClass & { allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[] }).allowedTopologies;
  if (!terms || terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.key in labels && e.values.includes(labels[e.key]!)));
}

/** The result of FindPodVolumes for one node: reasons, and the static PV each unbound claim would bind. */
export interface PodVolumesOnNode {
  reasons: string[];
  staticBindings: { pvc: PersistentVolumeClaim; pv: PersistentVolume }[];
  dynamicProvisions: PersistentVolumeClaim[];
}

/**
 * binder.FindPodVolumes: bound claims' PVs must exist and accept the node; unbound
 * WaitForFirstConsumer claims need a matching Available PV on that node, or a class that provisions
 * dynamically and whose allowedTopologies admit the node. CSIStorageCapacity is not modelled.
 */
export function findPodVolumes(pod: Pod, node: Node, storage: StorageState, minor = 36): PodVolumesOnNode {
  const claims = podClaims(pod, storage);
  let boundSatisfied = true;
  let boundFound = true;
  let unboundSatisfied = true;
  const staticBindings: PodVolumesOnNode["staticBindings"] = [];
  const dynamicProvisions: PersistentVolumeClaim[] = [];
  for (const pvc of claims.bound) {
    const pv = storage.pvs.get(pvc.spec?.volumeName ?? "");
    if (!pv) {
      boundFound = false;
      break;
    }
    if (!pvMatchesNode(pv, node)) {
      boundSatisfied = false;
      break;
    }
  }
  if (claims.unboundDelayed.length > 0) {
    const toMatch: PersistentVolumeClaim[] = [];
    const toProvision: PersistentVolumeClaim[] = [];
    let fastFail = false;
    for (const pvc of claims.unboundDelayed) {
      const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
      if (selected !== undefined) {
        if (selected !== node.metadata.name) {
          fastFail = true;
          break;
        }
        toProvision.push(pvc);
      } else toMatch.push(pvc);
    }
    if (fastFail) unboundSatisfied = false;
    else {
      // findMatchingVolumes: claims by increasing requested size, each PV chosen at most once.
      const sorted = [...toMatch].sort((a, b) => {
        const x = storageBytes(a.spec?.resources?.requests?.storage);
        const y = storageBytes(b.spec?.resources?.requests?.storage);
        return x < y ? -1 : x > y ? 1 : 0;
      });
      const chosen = new Set<string>();
      for (const pvc of sorted) {
        const pv = findMatchingVolume(pvc, volumesOfClass(storage, claimClass(pvc)), node, chosen);
        if (!pv) {
          unboundSatisfied = false;
          toProvision.push(pvc);
          continue;
        }
        chosen.add(pv.metadata.name);
        staticBindings.push({ pvc, pv });
      }
      // checkVolumeProvisions overwrites the verdict of findMatchingVolumes.
      if (toProvision.length > 0) {
        unboundSatisfied = true;
        for (const pvc of toProvision) {
          const cls = storage.storageClasses.get(claimClass(pvc));
          if (!cls || !cls.provisioner || cls.provisioner === NOT_SUPPORTED_PROVISIONER || !allowedTopologyMatches(cls, node)) {
            unboundSatisfied = false;
            break;
          }
          dynamicProvisions.push(pvc);
        }
      }
    }
  }
  const reasons: string[] = [];
  if (!boundSatisfied) reasons.push(minor >= 33 ? ERR_REASON_NODE_CONFLICT : ERR_REASON_NODE_CONFLICT_OLD);
  if (!unboundSatisfied) reasons.push(ERR_REASON_BIND_CONFLICT);
  if (!boundFound) reasons.push(ERR_REASON_PV_NOT_EXIST);
  return { reasons, staticBindings, dynamicProvisions };
}

/** VolumeBinding.Filter: every reason FindPodVolumes gives, UnschedulableAndUnresolvable. */
export const volumeBinding: FilterPlugin = (pod, nodeInfo, cluster, options) => {
  const storage = cluster.storage;
  if (!storage || !hasClaims(pod)) return SUCCESS;
  const { reasons } = findPodVolumes(pod, nodeInfo.node, storage, minorVersion(options));
  return reasons.length ? unresolvable(...reasons) : SUCCESS;
};

/**
 * GetLocalPersistentVolumeNodeNames over the pod's bound claims (VolumeBinding's PreFilterResult):
 * local PVs whose node affinity names hosts with `kubernetes.io/hostname In (...)` restrict the
 * nodes to those names. Undefined when nothing restricts.
 */
export function eligibleNodesForBoundClaims(pod: Pod, cluster: ClusterState): Set<string> | undefined {
  const storage = cluster.storage;
  if (!storage) return undefined;
  let eligible: Set<string> | undefined;
  for (const pvc of podClaims(pod, storage).bound) {
    const pv = storage.pvs.get(pvc.spec?.volumeName ?? "");
    if (!pv) return undefined;
    if (!pv.spec?.local || !pv.spec.nodeAffinity?.required) continue;
    const names: string[] = [];
    let restricted = true;
    for (const term of pv.spec.nodeAffinity.required.nodeSelectorTerms ?? []) {
      let values: string[] | undefined;
      for (const expr of term.matchExpressions ?? []) {
        if (expr.key !== "kubernetes.io/hostname" || expr.operator !== "In") continue;
        values = values === undefined ? [...(expr.values ?? [])] : values.filter((v) => (expr.values ?? []).includes(v));
      }
      if (!values || values.length === 0) {
        restricted = false;
        break;
      }
      names.push(...values);
    }
    if (!restricted || names.length === 0) continue;
    eligible = eligible === undefined ? new Set(names) : new Set([...eligible].filter((n) => names.includes(n)));
  }
  return eligible;
}
