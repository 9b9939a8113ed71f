// The connectivity diagnosis and the shared network component checks: public API.
export {
  clusterDns,
  clusterDnsHealth,
  clusterDnsState,
  cniHealth,
  crashLoopEvidence,
  daemonSetHealth,
  endpointAddresses,
  isLivePod,
  isNodeDown,
  isPodReady,
  matchingLogLines,
  networkDaemonSets,
  nodeNetworkComponent,
  notReadyPastGrace,
  readyEndpointCount,
  usesClusterDns,
  CLUSTER_DNS_LABEL,
  CLUSTER_DNS_SERVICE,
  COREDNS_LOOP_LINE,
  DNS_NAMESPACE,
  DNS_SERVICE,
  NODE_NETWORK_DAEMONSETS,
  STARTUP_GRACE_MS,
} from "./cluster-network.js";
export type { ClusterDns, ComponentHealth, DaemonSetHealth, DnsState, HopStatus } from "./cluster-network.js";
export { ConnectivityError, diagnoseConnectivity, namespaceLoaded } from "./diagnose-connectivity.js";
export type { ConnectivityDiagnosis, ConnectivityFix, ConnectivityHop, ConnectivityOptions, ConnectivitySource, ConnectivityTarget, HopId, ProbeResult } from "./diagnose-connectivity.js";
export { parseServiceName } from "./service-name.js";
export type { ServiceName } from "./service-name.js";
export { ROOT_CAUSE_MESSAGES, ROOT_CAUSE_TEXT, investigationOf } from "./diagnose-connectivity.js";
