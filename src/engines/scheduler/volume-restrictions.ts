// VolumeRestrictions (ReadWriteOncePod half): a ReadWriteOncePod claim already used by a scheduled pod blocks every node (volumerestrictions/volume_restrictions.go).
import type { Pod } from "../../model/kube.js";
import { minorVersion, preFilterState, SUCCESS, unresolvable, unschedulable, type ClusterState, type FilterPlugin, type FilterStatus, type PreFilterPlugin } from "./framework.js";
import { claimNameOf } from "./volume-binding.js";

/** ErrReasonReadWriteOncePodConflict as kube-scheduler v1.36 writes it (seen on the test cluster). */
export const ERR_REASON_RWOP_CONFLICT = "node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod";
/** The wording of the first releases (alpha, v1.22); used before v1.27, a boundary not checked against a cluster. */
export const ERR_REASON_RWOP_CONFLICT_OLD = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

type Failed = Extract<FilterStatus, { ok: false }>;

/** The pod's PVC keys ("ns/name") with ReadWriteOncePod, or the lookup error (a missing claim). */
function rwopClaims(pod: Pod, cluster: ClusterState): { keys: string[] } | { error: string } {
  const keys: string[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    const claim = claimNameOf(pod, volume);
    if (!claim) continue;
    const key = `${pod.metadata.namespace ?? ""}/${claim.name}`;
    const pvc = cluster.storage!.pvcs.get(key);
    if (!pvc) return { error: `persistentvolumeclaim "${claim.name}" not found` };
    if ((pvc.spec?.accessModes ?? []).includes("ReadWriteOncePod")) keys.push(key);
  }
  return { keys };
}

/** Pods on nodes (the scheduler cache) using one of the claims. */
function conflicts(keys: readonly string[], cluster: ClusterState, self: Pod): number {
  if (keys.length === 0) return 0;
  let count = 0;
  for (const key of keys) {
    const used = cluster.nodes.some((info) =>
      info.pods.some((p) => p !== self && (p.spec?.volumes ?? []).some((v) => {
        const c = claimNameOf(p, v);
        return c !== undefined && `${p.metadata.namespace ?? ""}/${c.name}` === key;
      })),
    );
    if (used) count++;
  }
  return count;
}

/** PreFilter: a missing claim fails the pod (UnschedulableAndUnresolvable, the API error text). */
export const volumeRestrictionsPreFilter: PreFilterPlugin = (pod, cluster) => {
  if (!cluster.storage) return {};
  const result = rwopClaims(pod, cluster);
  return "error" in result ? { status: unresolvable(result.error) as Failed } : {};
};

/**
 * Filter: Unschedulable on every node while a scheduled pod uses one of the pod's ReadWriteOncePod
 * claims. The inline-disk half (GCE PD, AWS EBS, RBD, iSCSI: "node(s) had no available disk") is not modelled.
 */
export const volumeRestrictions: FilterPlugin = (pod, _nodeInfo, cluster, options) => {
  if (!cluster.storage) return SUCCESS;
  const result = rwopClaims(pod, cluster);
  if ("error" in result) return unresolvable(result.error);
  if (preFilterState(cluster, pod, "VolumeRestrictions", () => conflicts(result.keys, cluster, pod)) === 0) return SUCCESS;
  return unschedulable(minorVersion(options) >= 27 ? ERR_REASON_RWOP_CONFLICT : ERR_REASON_RWOP_CONFLICT_OLD);
};
