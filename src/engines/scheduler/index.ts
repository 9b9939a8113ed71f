// The scheduler filter engine: kube-scheduler's filter plugins, a per-node simulation and FitError formatting.
export { buildNodeInfos, buildStorageState, DEFAULT_VERSION, type CSINode, type StorageState, type PreFilterPlugin, type PreFilterOutcome, isTerminalPod, type ClusterState, type FilterOptions, type FilterPlugin, type FilterStatus, type NodeInfo } from "./framework.js";
export { nodeUnschedulable } from "./node-unschedulable.js";
export { nodeName } from "./node-name.js";
export { taintToleration, untoleratedTaintReason } from "./taint-toleration.js";
export { nodeAffinity } from "./node-affinity.js";
export { nodePorts } from "./node-ports.js";
export { nodeResourcesFit, podRequests, insufficientResources, type InsufficientResource } from "./node-resources-fit.js";
export { podTopologySpread } from "./pod-topology-spread.js";
export { interPodAffinity } from "./inter-pod-affinity.js";
export {
  FILTER_PLUGINS,
  PRE_FILTER_PLUGINS,
  formatFitError,
  preemptionMessage,
  preemptionOutcome,
  simulateScheduling,
  type FilterFailure,
  type NodeVerdict,
  type PreemptionCandidate,
  type PreemptionOutcome,
  type SimulationOptions,
} from "./simulate.js";
export { volumeBinding, findPodVolumes, findMatchingVolume, claimClass, storageBytes, ERR_UNBOUND_IMMEDIATE } from "./volume-binding.js";
export { volumeZone, ERR_REASON_ZONE_CONFLICT } from "./volume-zone.js";
export { nodeVolumeLimits, ERR_REASON_MAX_VOLUME_COUNT } from "./node-volume-limits.js";
export { volumeRestrictions, ERR_REASON_RWOP_CONFLICT } from "./volume-restrictions.js";
