// NodeVolumeLimits: a node's CSINode allocatable count per driver caps the CSI volumes its pods use (nodevolumelimits/csi.go).
import type { Pod } from "../../model/kube.js";
import { SUCCESS, unresolvable, unschedulable, type CSINode, type FilterPlugin, type StorageState } from "./framework.js";
import { claimClass, claimNameOf } from "./volume-binding.js";

/** ErrReasonMaxVolumeCountExceeded (unchanged v1.21 to v1.36). */
export const ERR_REASON_MAX_VOLUME_COUNT = "node(s) exceed max volume count";

/**
 * filterAttachableVolumes: "<driver>/<volumeHandle>" -> driver for the pod's PVC-backed CSI
 * volumes. A bound claim uses its PV's spec.csi; an unbound one its class's provisioner with the
 * handle "<namespace>-<claim>" (getCSIDriverInfoFromSC). In-tree volumes migrated to CSI are not
 * translated here. A missing claim of the incoming pod is an error; of an existing pod, skipped.
 */
function attachableVolumes(pod: Pod, storage: StorageState, into: Map<string, string>, incoming: boolean): string | undefined {
  for (const volume of pod.spec?.volumes ?? []) {
    const claim = claimNameOf(pod, volume);
    if (!claim) continue;
    const pvc = storage.pvcs.get(`${pod.metadata.namespace ?? ""}/${claim.name}`);
    if (!pvc) {
      if (incoming) return `persistentvolumeclaim "${claim.name}" not found`;
      continue;
    }
    let driver: string | undefined;
    let handle: string | undefined;
    const pv = pvc.spec?.volumeName ? storage.pvs.get(pvc.spec.volumeName) : undefined;
    if (pv) {
      driver = pv.spec?.csi?.driver;
      handle = pv.spec?.csi?.volumeHandle;
    } else {
      const cls = storage.storageClasses.get(claimClass(pvc));
      driver = cls?.provisioner;
      handle = `${pvc.metadata.namespace ?? ""}-${pvc.metadata.name}`;
    }
    if (!driver || !handle) continue;
    into.set(`${driver}/${handle}`, driver);
  }
  return undefined;
}

/** getVolumeLimits: driver -> allocatable.count from the node's CSINode. */
function volumeLimits(csiNode: CSINode | undefined): Map<string, number> {
  const limits = new Map<string, number>();
  for (const d of csiNode?.spec?.drivers ?? []) {
    if (typeof d.allocatable?.count === "number") limits.set(d.name, d.allocatable.count);
  }
  return limits;
}

/** CSILimits.Filter: for each driver, volumes already attached on the node plus the pod's new ones must stay within the count. */
export const nodeVolumeLimits: FilterPlugin = (pod, nodeInfo, cluster) => {
  const storage = cluster.storage;
  if (!storage || !(pod.spec?.volumes ?? []).length) return SUCCESS;
  const fresh = new Map<string, string>();
  const missing = attachableVolumes(pod, storage, fresh, true);
  if (missing) return unresolvable(missing);
  if (fresh.size === 0) return SUCCESS;
  const limits = volumeLimits(storage.csiNodes.get(nodeInfo.node.metadata.name));
  if (limits.size === 0) return SUCCESS;
  const attached = new Map<string, string>();
  for (const existing of nodeInfo.pods) attachableVolumes(existing, storage, attached, false);
  const attachedCount = new Map<string, number>();
  for (const [unique, driver] of attached) {
    // A volume already used on the node is not counted again.
    fresh.delete(unique);
    attachedCount.set(driver, (attachedCount.get(driver) ?? 0) + 1);
  }
  const newCount = new Map<string, number>();
  for (const driver of fresh.values()) newCount.set(driver, (newCount.get(driver) ?? 0) + 1);
  for (const [driver, count] of newCount) {
    const limit = limits.get(driver);
    if (limit !== undefined && (attachedCount.get(driver) ?? 0) + count > limit) return unschedulable(ERR_REASON_MAX_VOLUME_COUNT);
  }
  return SUCCESS;
};
