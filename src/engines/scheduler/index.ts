// The scheduler filter engine: kube-scheduler's filter plugins, a per-node simulation and FitError formatting.
export { buildNodeInfos, DEFAULT_VERSION, isTerminalPod, type ClusterState, type FilterOptions, type FilterPlugin, type FilterStatus, type NodeInfo } from "./framework.js";
export { nodeUnschedulable } from "./node-unschedulable.js";
export { nodeName } from "./node-name.js";
export { taintToleration, untoleratedTaintReason } from "./taint-toleration.js";
export { nodeAffinity } from "./node-affinity.js";
export { nodePorts } from "./node-ports.js";
export { nodeResourcesFit, podRequests, insufficientResources, type InsufficientResource } from "./node-resources-fit.js";
export { podTopologySpread } from "./pod-topology-spread.js";
export { interPodAffinity } from "./inter-pod-affinity.js";
export { FILTER_PLUGINS, formatFitError, preemptionMessage, simulateScheduling, type FilterFailure, type NodeVerdict, type SimulationOptions } from "./simulate.js";
