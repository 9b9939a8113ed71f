// The exact networking.k8s.io/v1 NetworkPolicy engine: public API.
export { parseCidr, parseIp, rangeContains, formatIp } from "./cidr.js";
export type { IpAddress, IpFamily, IpRange } from "./cidr.js";
export {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  connectionsOf,
  containsConnection,
  equalConnections,
  formatConnections,
  intersectConnections,
  isAllConnections,
  isEmptyConnections,
  parseConnections,
  unionConnections,
} from "./connections.js";
export type { ConnectionSet, PortRange, Protocol } from "./connections.js";
export { compilePolicies, policyTypesOf, resolveEndpoint, NAMESPACE_NAME_LABEL } from "./compile.js";
export type { CompiledPolicies, Direction, Endpoint, EvaluationOptions, NamespaceLike, PolicyRef, ResolvedEndpoint } from "./compile.js";
export { allowedBetween, allowedConnections, evaluateCompiled, evaluateConnection } from "./evaluate.js";
export type { ConnectionInput, ConnectionVerdict, DirectionNote, DirectionVerdict, PeerMismatch, PolicyMiss, PortMismatch, RuleMatch, RuleMiss } from "./evaluate.js";
export { buildConnectivityMatrix } from "./matrix.js";
export type { ConnectivityMatrix, MatrixInput, PodClass } from "./matrix.js";
export { explainDirection, formatLabelSelector } from "./explain.js";
