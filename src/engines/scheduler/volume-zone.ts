// VolumeZone: a bound PV's zone/region labels must match the node's (volumezone/volume_zone.go).
import type { Node, PersistentVolume, Pod } from "../../model/kube.js";
import { minorVersion, SUCCESS, unresolvable, type FilterPlugin, type FilterStatus, type PreFilterPlugin, type StorageState } from "./framework.js";
import { claimClass } from "./volume-binding.js";

/** ErrReasonConflict (unchanged v1.21 to v1.36). */
export const ERR_REASON_ZONE_CONFLICT = "node(s) had no available volume zone";

const BETA_ZONE = "failure-domain.beta.kubernetes.io/zone";
const BETA_REGION = "failure-domain.beta.kubernetes.io/region";
const GA_ZONE = "topology.kubernetes.io/zone";
const GA_REGION = "topology.kubernetes.io/region";
/** topologyLabels, in upstream order. */
const TOPOLOGY_LABELS = [BETA_ZONE, BETA_REGION, GA_ZONE, GA_REGION];
const TO_GA: Record<string, string> = { [BETA_ZONE]: GA_ZONE, [BETA_REGION]: GA_REGION };

type Failed = Extract<FilterStatus, { ok: false }>;

/** volumehelpers.LabelZonesToSet: "a__b" is the set {a, b}. */
function zonesOf(value: string): Set<string> {
  return new Set(value.split("__"));
}

/** getPVTopologies: the PV's topology labels with their value sets. */
function pvTopologies(pv: PersistentVolume): { key: string; values: Set<string> }[] {
  const labels = pv.metadata.labels ?? {};
  return TOPOLOGY_LABELS.filter((k) => k in labels).map((key) => ({ key, values: zonesOf(labels[key]!) }));
}

/**
 * getPVbyPod (PreFilter): every PVC volume's bound PV. Unbound claims of a WaitForFirstConsumer
 * class are skipped; other lookup failures fail the pod (UnschedulableAndUnresolvable).
 */
export function podVolumeTopologies(pod: Pod, storage: StorageState): { topologies: { key: string; values: Set<string> }[] } | { error: string } {
  const topologies: { key: string; values: Set<string> }[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    const claimName = volume.persistentVolumeClaim?.claimName;
    if (claimName === undefined) continue;
    if (claimName === "") return { error: "PersistentVolumeClaim had no name" };
    const pvc = storage.pvcs.get(`${pod.metadata.namespace ?? ""}/${claimName}`);
    if (!pvc) return { error: `persistentvolumeclaim "${claimName}" not found` };
    const pvName = pvc.spec?.volumeName ?? "";
    if (!pvName) {
      const scName = claimClass(pvc);
      if (!scName) return { error: "PersistentVolumeClaim had no pv name and storageClass name" };
      const cls = storage.storageClasses.get(scName);
      if (!cls) return { error: `storageclass.storage.k8s.io "${scName}" not found` };
      if (!cls.volumeBindingMode) return { error: `VolumeBindingMode not set for StorageClass "${scName}"` };
      if (cls.volumeBindingMode === "WaitForFirstConsumer") continue;
      return { error: "PersistentVolume had no name" };
    }
    const pv = storage.pvs.get(pvName);
    if (!pv) return { error: `persistentvolume "${pvName}" not found` };
    topologies.push(...pvTopologies(pv));
  }
  return { topologies };
}

export const volumeZonePreFilter: PreFilterPlugin = (pod, cluster) => {
  if (!cluster.storage) return {};
  const result = podVolumeTopologies(pod, cluster.storage);
  return "error" in result ? { status: unresolvable(result.error) as Failed } : {};
};

/** Whether the node's labels satisfy the PV topologies (the Filter proper). */
export function zoneMatches(topologies: readonly { key: string; values: Set<string> }[], node: Node, minor: number): boolean {
  if (topologies.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  // A node without any topology label is not constrained.
  if (!TOPOLOGY_LABELS.some((k) => k in labels)) return true;
  for (const { key, values } of topologies) {
    let value = labels[key];
    // v1.36 (translateToGALabel): a beta PV label may match the node's GA label. v1.23 compares
    // the same key only, an absent node label being "". The version boundary (~v1.26/27) is unverified.
    if (value === undefined && minor >= 27 && TO_GA[key]) value = labels[TO_GA[key]];
    if (minor < 27) value = value ?? "";
    if (value === undefined || !values.has(value)) return false;
  }
  return true;
}

/** VolumeZone.Filter. */
export const volumeZone: FilterPlugin = (pod, nodeInfo, cluster, options) => {
  if (!cluster.storage) return SUCCESS;
  const result = podVolumeTopologies(pod, cluster.storage);
  if ("error" in result) return unresolvable(result.error);
  return zoneMatches(result.topologies, nodeInfo.node, minorVersion(options)) ? SUCCESS : unresolvable(ERR_REASON_ZONE_CONFLICT);
};
