// The connectivity diagnosis and the shared network component checks: public API.
export { clusterDnsHealth, clusterDnsObjects, cniHealth, endpointAddresses, isPodReady, matchingLogLines, networkDaemonSets, DNS_NAMESPACE, DNS_SERVICE } from "./cluster-network.js";
export type { ComponentHealth, HopStatus } from "./cluster-network.js";
export { ConnectivityError, diagnoseConnectivity, namespaceLoaded } from "./diagnose-connectivity.js";
export type { ConnectivityDiagnosis, ConnectivityFix, ConnectivityHop, ConnectivityOptions, ConnectivitySource, ConnectivityTarget, HopId, ProbeResult } from "./diagnose-connectivity.js";
export { parseServiceName } from "./service-name.js";
export type { ServiceName } from "./service-name.js";
export { ROOT_CAUSE_MESSAGES, ROOT_CAUSE_TEXT, investigationOf } from "./diagnose-connectivity.js";
