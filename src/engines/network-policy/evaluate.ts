// Decides whether networking.k8s.io/v1 NetworkPolicies allow a connection (source egress AND
// destination ingress), and why: which rule allowed it, or why each isolating policy did not.
import type { LabelSelector, NetworkPolicy } from "../../model/kube.js";
import { matchesSelector } from "../../semantics/labels.js";
import { formatIp, rangeContains, type IpAddress } from "./cidr.js";
import {
  compilePolicies,
  resolveEndpoint,
  type CompiledPeer,
  type CompiledPolicies,
  type CompiledPolicy,
  type CompiledPort,
  type CompiledRule,
  type Direction,
  type Endpoint,
  type EvaluationOptions,
  type NamespaceLike,
  type PolicyRef,
  type ResolvedEndpoint,
} from "./compile.js";
import { ALL_CONNECTIONS, MAX_PORT, MIN_PORT, NO_CONNECTIONS, connectionsOf, intersectConnections, unionConnections, type ConnectionSet, type Protocol } from "./connections.js";

/** A rule that allowed the connection. peerIndex/portIndex are absent when the rule has no from/to or no ports (all). */
export interface RuleMatch {
  policy: PolicyRef;
  ruleIndex: number;
  peerIndex?: number;
  portIndex?: number;
}

export type PeerMismatch =
  /** The peer's podSelector does not match the remote pod's labels. */
  | { peerIndex: number; reason: "pod-selector"; selector: LabelSelector }
  /** A podSelector-only peer selects pods in the policy's own namespace only. */
  | { peerIndex: number; reason: "namespace"; expected: string; actual: string }
  /** The peer's namespaceSelector does not match the remote pod's namespace labels. */
  | { peerIndex: number; reason: "namespace-selector"; selector: LabelSelector }
  /** A podSelector/namespaceSelector peer never matches an IP outside the pod network. */
  | { peerIndex: number; reason: "not-a-pod" }
  /** The remote address is outside ipBlock.cidr (or of the other IP family). */
  | { peerIndex: number; reason: "cidr"; cidr: string; address?: string }
  /** The remote address is inside ipBlock.cidr but also inside one of its except entries. */
  | { peerIndex: number; reason: "except"; cidr: string; except: string; address?: string }
  /** An ipBlock peer against a pod whose IP is unknown, or when pod IPs are not matched against ipBlocks. */
  | { peerIndex: number; reason: "pod-ip"; detail: "unknown" | "not-considered" }
  /** A CIDR that does not parse, or a peer with no selector and no ipBlock (the API server rejects both). */
  | { peerIndex: number; reason: "invalid"; detail: string };

export type PortMismatch =
  | { portIndex: number; reason: "protocol"; expected: Protocol; actual: Protocol }
  | { portIndex: number; reason: "port"; port: number; endPort?: number; actual: number }
  /** A named port: the destination declares no port of that name and protocol, or it maps to another number. */
  | { portIndex: number; reason: "named-port"; name: string; protocol: Protocol; resolved?: number; actual: number };

/** Why one rule of an isolating policy did not allow the connection. Empty `peers`: a peer matched; empty `ports`: a port matched. */
export interface RuleMiss {
  ruleIndex: number;
  peers: PeerMismatch[];
  ports: PortMismatch[];
}

/** Why an isolating policy did not allow the connection; `rules` is empty when it has no rules in this direction (deny all). */
export interface PolicyMiss {
  policy: PolicyRef;
  rules: RuleMiss[];
}

/** Why a side is not judged by the selected policies alone. */
export type DirectionNote =
  /** The subject is an IP address outside the pod network: NetworkPolicy does not govern it. */
  | "external"
  /** A hostNetwork pod is involved and NetworkPolicy behaviour for it is undefined (plugin-dependent). */
  | "host-network"
  /** A node address is involved: node traffic handling is plugin-dependent. */
  | "node-address";

export interface DirectionVerdict {
  direction: Direction;
  allowed: boolean | "unknown";
  /** Whether some policy selects the subject pod for this direction. */
  isolated: boolean;
  /** The policies that isolate the subject in this direction (namespace/name order). */
  policies: PolicyRef[];
  /** Every rule (and peer) that allows the connection; allowed traffic is the union over policies. */
  allowedBy: RuleMatch[];
  /** When not allowed: for each isolating policy, why none of its rules matched. */
  denials: PolicyMiss[];
  notes: DirectionNote[];
}

export interface ConnectionInput {
  source: Endpoint;
  destination: Endpoint;
  /** A port number, or a port name resolved on the destination pod's container ports. */
  port: number | string;
  protocol?: Protocol;
  policies: readonly NetworkPolicy[];
  namespaces: readonly NamespaceLike[];
  options?: EvaluationOptions;
}

export interface ConnectionVerdict {
  allowed: boolean | "unknown";
  /** The port the connection reaches, after resolving a named one. */
  port: number | undefined;
  protocol: Protocol;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
  /** Problems with the question itself (an IP that does not parse, a named port the destination does not declare). */
  problems: string[];
}

/** Whether the remote endpoint's handling is plugin-dependent (so only "all peers" rules decide for it). */
function isAmbiguous(endpoint: ResolvedEndpoint, compiled: CompiledPolicies): DirectionNote | undefined {
  if (endpoint.kind === "ip") return endpoint.node ? "node-address" : undefined;
  return endpoint.hostNetwork && compiled.options.hostNetworkPods === "unknown" ? "host-network" : undefined;
}

function formatAddress(address: IpAddress, endpoint: ResolvedEndpoint): string {
  return endpoint.kind === "ip" ? endpoint.text : formatIp(address.family, address.value);
}

function matchIpBlock(peer: CompiledPeer, addresses: IpAddress[], endpoint: ResolvedEndpoint): PeerMismatch | undefined {
  const block = peer.ipBlock!;
  if (!block.range) return { peerIndex: peer.index, reason: "invalid", detail: `ipBlock.cidr ${JSON.stringify(block.cidr)} is not a CIDR` };
  let miss: PeerMismatch = { peerIndex: peer.index, reason: "cidr", cidr: block.cidr };
  for (const address of addresses) {
    const text = formatAddress(address, endpoint);
    if (!rangeContains(block.range, address)) {
      miss = { peerIndex: peer.index, reason: "cidr", cidr: block.cidr, address: text };
      continue;
    }
    // IPBlock.except: "CIDRs that should not be included within an IPBlock".
    const excluded = block.except.find((e) => e.range && rangeContains(e.range, address));
    if (!excluded) return undefined;
    miss = { peerIndex: peer.index, reason: "except", cidr: block.cidr, except: excluded.cidr, address: text };
  }
  return miss;
}

/** Matches one NetworkPolicyPeer against the remote endpoint; undefined when it matches. */
export function matchPeer(peer: CompiledPeer, policyNamespace: string, remote: ResolvedEndpoint, compiled: CompiledPolicies): PeerMismatch[] | undefined {
  const { podSelector, namespaceSelector } = peer.peer;
  if (peer.ipBlock) {
    if (remote.kind === "ip") {
      const miss = matchIpBlock(peer, [remote.ip], remote);
      return miss ? [miss] : undefined;
    }
    if (!compiled.options.ipBlocksMatchPodIps) return [{ peerIndex: peer.index, reason: "pod-ip", detail: "not-considered" }];
    if (remote.ips.length === 0) return [{ peerIndex: peer.index, reason: "pod-ip", detail: "unknown" }];
    const miss = matchIpBlock(peer, remote.ips, remote);
    return miss ? [miss] : undefined;
  }
  if (!podSelector && !namespaceSelector) return [{ peerIndex: peer.index, reason: "invalid", detail: "peer sets none of podSelector, namespaceSelector, ipBlock" }];
  if (remote.kind === "ip") return [{ peerIndex: peer.index, reason: "not-a-pod" }];
  const misses: PeerMismatch[] = [];
  if (namespaceSelector) {
    // With namespaceSelector the peer selects pods in the namespaces it matches ({} = all namespaces).
    if (!matchesSelector(namespaceSelector, remote.namespaceLabels)) misses.push({ peerIndex: peer.index, reason: "namespace-selector", selector: namespaceSelector });
  } else if (remote.namespace !== policyNamespace) {
    // "Otherwise it selects the Pods matching PodSelector in the policy's own Namespace."
    misses.push({ peerIndex: peer.index, reason: "namespace", expected: policyNamespace, actual: remote.namespace });
  }
  // podSelector and namespaceSelector in one peer are ANDed; podSelector absent = all pods of those namespaces.
  if (podSelector && !matchesSelector(podSelector, remote.labels)) misses.push({ peerIndex: peer.index, reason: "pod-selector", selector: podSelector });
  return misses.length > 0 ? misses : undefined;
}

/** Matches one NetworkPolicyPort against the connection; undefined when it matches. */
export function matchPort(entry: CompiledPort, protocol: Protocol, port: number, destination: ResolvedEndpoint): PortMismatch | undefined {
  if (entry.protocol !== protocol) return { portIndex: entry.index, reason: "protocol", expected: entry.protocol, actual: protocol };
  // "If this field is not provided, this matches all port names and numbers."
  if (entry.port === undefined) return undefined;
  if (typeof entry.port === "number") {
    // endPort: "the range of ports from port to endPort, inclusive".
    const last = entry.endPort ?? entry.port;
    return port >= entry.port && port <= last ? undefined : { portIndex: entry.index, reason: "port", port: entry.port, ...(entry.endPort !== undefined ? { endPort: entry.endPort } : {}), actual: port };
  }
  // A named port is resolved on the destination pod's container ports of the same protocol.
  const declared = destination.kind === "pod" ? destination.ports.find((p) => p.name === entry.port && p.protocol === entry.protocol) : undefined;
  if (declared && declared.containerPort === port) return undefined;
  return { portIndex: entry.index, reason: "named-port", name: entry.port, protocol: entry.protocol, ...(declared ? { resolved: declared.containerPort } : {}), actual: port };
}

// Memos keyed on the resolved endpoint object: a matrix resolves each pod class once and asks about
// it for every other class, so selector matching is done once per class, not once per class pair.
// Pure (the answers depend only on the endpoint, the compiled policies and the peer).
const selectingMemo = new WeakMap<ResolvedEndpoint, { compiled: CompiledPolicies; Ingress?: CompiledPolicy[]; Egress?: CompiledPolicy[] }>();
const peerMemo = new WeakMap<ResolvedEndpoint, WeakMap<CompiledPeer, boolean>>();

function policiesSelecting(subject: ResolvedEndpoint & { kind: "pod" }, direction: Direction, compiled: CompiledPolicies): CompiledPolicy[] {
  let memo = selectingMemo.get(subject);
  if (!memo || memo.compiled !== compiled) selectingMemo.set(subject, (memo = { compiled }));
  // A policy selects pods in its own namespace only; podSelector {} selects all of them.
  return (memo[direction] ??= (compiled.byNamespace.get(subject.namespace) ?? []).filter((p) => p.rules[direction] !== undefined && matchesSelector(p.podSelector, subject.labels)));
}

/** Whether the peer admits the remote endpoint (matchPeer without the why), memoized per endpoint. */
function peerAdmits(peer: CompiledPeer, policyNamespace: string, remote: ResolvedEndpoint, compiled: CompiledPolicies): boolean {
  let memo = peerMemo.get(remote);
  if (!memo) peerMemo.set(remote, (memo = new WeakMap()));
  let admits = memo.get(peer);
  if (admits === undefined) memo.set(peer, (admits = matchPeer(peer, policyNamespace, remote, compiled) === undefined));
  return admits;
}

function notApplicable(direction: Direction, note: DirectionNote): DirectionVerdict {
  return { direction, allowed: true, isolated: false, policies: [], allowedBy: [], denials: [], notes: [note] };
}

/**
 * One side of a connection: the subject's policies for `direction` (the source's Egress or the
 * destination's Ingress) against the remote endpoint. A pod selected by any policy with this
 * policy type is isolated, and then only what some rule of some such policy allows gets through.
 */
export function evaluateDirection(
  direction: Direction,
  subject: ResolvedEndpoint,
  remote: ResolvedEndpoint,
  destination: ResolvedEndpoint,
  protocol: Protocol,
  port: number,
  compiled: CompiledPolicies,
): DirectionVerdict {
  if (subject.kind === "ip") return notApplicable(direction, subject.node ? "node-address" : "external");
  const isolating = policiesSelecting(subject, direction, compiled);
  const policies = isolating.map((p) => p.ref);
  const verdict: DirectionVerdict = { direction, allowed: true, isolated: isolating.length > 0, policies, allowedBy: [], denials: [], notes: [] };
  if (isolating.length === 0) return verdict;
  if (subject.hostNetwork && compiled.options.hostNetworkPods === "unknown") {
    verdict.allowed = "unknown";
    verdict.notes.push("host-network");
    return verdict;
  }
  const ambiguous = isAmbiguous(remote, compiled);
  for (const policy of isolating) {
    const miss: PolicyMiss = { policy: policy.ref, rules: [] };
    for (const rule of policy.rules[direction]!) {
      const ruleMiss = matchRule(rule, policy, remote, destination, protocol, port, compiled, verdict);
      if (ruleMiss) miss.rules.push(ruleMiss);
    }
    if (miss.rules.length === policy.rules[direction]!.length) verdict.denials.push(miss);
  }
  if (ambiguous) {
    // Only rules that admit every peer decide for a hostNetwork pod or a node address.
    const byAllPeers = verdict.allowedBy.filter((m) => m.peerIndex === undefined);
    verdict.notes.push(ambiguous);
    const portMatched = verdict.allowedBy.length > 0 || verdict.denials.some((d) => d.rules.some((r) => r.ports.length === 0));
    verdict.allowed = byAllPeers.length > 0 ? true : portMatched ? "unknown" : false;
    return verdict;
  }
  verdict.allowed = verdict.allowedBy.length > 0;
  if (verdict.allowed) verdict.denials = [];
  return verdict;
}

function matchRule(
  rule: CompiledRule,
  policy: CompiledPolicy,
  remote: ResolvedEndpoint,
  destination: ResolvedEndpoint,
  protocol: Protocol,
  port: number,
  compiled: CompiledPolicies,
  verdict: DirectionVerdict,
): RuleMiss | undefined {
  const portMisses: PortMismatch[] = [];
  let portIndex: number | undefined;
  if (rule.ports) {
    for (const entry of rule.ports) {
      const miss = matchPort(entry, protocol, port, destination);
      if (!miss) {
        portIndex = entry.index;
        break;
      }
      portMisses.push(miss);
    }
  }
  const portMatched = !rule.ports || portIndex !== undefined;
  const peerMisses: PeerMismatch[] = [];
  const matchedPeers: (number | undefined)[] = [];
  if (!rule.peers) matchedPeers.push(undefined);
  else {
    for (const peer of rule.peers) {
      const misses = matchPeer(peer, policy.ref.namespace, remote, compiled);
      if (misses) peerMisses.push(...misses);
      else matchedPeers.push(peer.index);
    }
  }
  if (portMatched && matchedPeers.length > 0) {
    for (const peerIndex of matchedPeers) {
      verdict.allowedBy.push({ policy: policy.ref, ruleIndex: rule.index, ...(peerIndex !== undefined ? { peerIndex } : {}), ...(portIndex !== undefined ? { portIndex } : {}) });
    }
    return undefined;
  }
  return { ruleIndex: rule.index, peers: matchedPeers.length > 0 ? [] : peerMisses, ports: portMatched ? [] : portMisses };
}

function combine(a: boolean | "unknown", b: boolean | "unknown"): boolean | "unknown" {
  if (a === false || b === false) return false;
  if (a === "unknown" || b === "unknown") return "unknown";
  return true;
}

/** Resolves `port` (a number or a destination port name) to a number, as the connection reaches it. */
function resolveConnectionPort(port: number | string, protocol: Protocol, destination: ResolvedEndpoint | undefined): { port?: number; problem?: string } {
  if (typeof port === "number") {
    return Number.isInteger(port) && port >= MIN_PORT && port <= MAX_PORT ? { port } : { problem: `port ${port} is outside ${MIN_PORT}-${MAX_PORT}` };
  }
  if (/^[0-9]+$/.test(port)) return resolveConnectionPort(Number(port), protocol, destination);
  if (!destination || destination.kind !== "pod") return { problem: `named port ${JSON.stringify(port)} needs a destination pod` };
  const declared = destination.ports.find((p) => p.name === port && p.protocol === protocol);
  return declared ? { port: declared.containerPort } : { problem: `destination pod declares no ${protocol} port named ${JSON.stringify(port)}` };
}

function emptyVerdict(direction: Direction): DirectionVerdict {
  return { direction, allowed: "unknown", isolated: false, policies: [], allowedBy: [], denials: [], notes: [] };
}

/**
 * Whether networking.k8s.io/v1 NetworkPolicies allow `source` to open a connection to
 * `destination` on `port`/`protocol` (default TCP): the source's egress AND the destination's
 * ingress must both allow it. For many pairs, compile once and use evaluateCompiled.
 */
export function evaluateConnection(input: ConnectionInput): ConnectionVerdict {
  return evaluateCompiled(compilePolicies(input.policies, input.namespaces, input.options), input.source, input.destination, input.port, input.protocol);
}

/** evaluateConnection over policies compiled once. */
export function evaluateCompiled(compiled: CompiledPolicies, sourceEndpoint: Endpoint, destinationEndpoint: Endpoint, portInput: number | string, protocolInput?: Protocol): ConnectionVerdict {
  const protocol: Protocol = protocolInput ?? "TCP";
  const problems: string[] = [];
  const source = resolveEndpoint(sourceEndpoint, compiled);
  const destination = resolveEndpoint(destinationEndpoint, compiled);
  if (!source && sourceEndpoint.kind === "ip") problems.push(`source ${JSON.stringify(sourceEndpoint.ip)} is not an IP address`);
  if (!destination && destinationEndpoint.kind === "ip") problems.push(`destination ${JSON.stringify(destinationEndpoint.ip)} is not an IP address`);
  const { port, problem } = resolveConnectionPort(portInput, protocol, destination);
  if (problem) problems.push(problem);
  if (!source || !destination || port === undefined) {
    return { allowed: "unknown", port, protocol, egress: emptyVerdict("Egress"), ingress: emptyVerdict("Ingress"), problems };
  }
  const egress = evaluateDirection("Egress", source, destination, destination, protocol, port, compiled);
  const ingress = evaluateDirection("Ingress", destination, source, destination, protocol, port, compiled);
  return { allowed: combine(egress.allowed, ingress.allowed), port, protocol, egress, ingress, problems };
}

// ---------------------------------------------------------------- connection sets (all ports at once)

function rulePorts(rule: CompiledRule, destination: ResolvedEndpoint): ConnectionSet {
  if (!rule.ports) return ALL_CONNECTIONS;
  let set = NO_CONNECTIONS;
  for (const entry of rule.ports) {
    if (entry.port === undefined) set = unionConnections(set, connectionsOf(entry.protocol, [[MIN_PORT, MAX_PORT]]));
    else if (typeof entry.port === "number") set = unionConnections(set, connectionsOf(entry.protocol, [[entry.port, entry.endPort ?? entry.port]]));
    else if (destination.kind === "pod") {
      const declared = destination.ports.find((p) => p.name === entry.port && p.protocol === entry.protocol);
      if (declared) set = unionConnections(set, connectionsOf(entry.protocol, [[declared.containerPort, declared.containerPort]]));
    }
  }
  return set;
}

/** The connections one side allows (union over the rules of the isolating policies), or "unknown". */
export function directionConnections(direction: Direction, subject: ResolvedEndpoint, remote: ResolvedEndpoint, destination: ResolvedEndpoint, compiled: CompiledPolicies): ConnectionSet | "unknown" {
  if (subject.kind === "ip") return ALL_CONNECTIONS;
  const isolating = policiesSelecting(subject, direction, compiled);
  if (isolating.length === 0) return ALL_CONNECTIONS;
  if (subject.hostNetwork && compiled.options.hostNetworkPods === "unknown") return "unknown";
  const ambiguous = isAmbiguous(remote, compiled) !== undefined;
  let allowed = NO_CONNECTIONS;
  let peerDependent = NO_CONNECTIONS;
  for (const policy of isolating) {
    for (const rule of policy.rules[direction]!) {
      if (!rule.peers) allowed = unionConnections(allowed, rulePorts(rule, destination));
      else if (ambiguous) peerDependent = unionConnections(peerDependent, rulePorts(rule, destination));
      else if (rule.peers.some((peer) => peerAdmits(peer, policy.ref.namespace, remote, compiled))) allowed = unionConnections(allowed, rulePorts(rule, destination));
    }
  }
  // For a hostNetwork pod or node address, ports only peer-specific rules would add are undecidable.
  if (ambiguous && !equalSubset(peerDependent, allowed)) return "unknown";
  return allowed;
}

function equalSubset(part: ConnectionSet, whole: ConnectionSet): boolean {
  const inter = intersectConnections(part, whole);
  return (["TCP", "UDP", "SCTP"] as const).every((p) => inter[p].length === part[p].length && inter[p].every(([lo, hi], i) => part[p][i]![0] === lo && part[p][i]![1] === hi));
}

/** All connections NetworkPolicies allow from source to destination: egress ∩ ingress (TCP/UDP/SCTP ports 1-65535). */
export function allowedConnections(compiled: CompiledPolicies, sourceEndpoint: Endpoint, destinationEndpoint: Endpoint): ConnectionSet | "unknown" {
  const source = resolveEndpoint(sourceEndpoint, compiled);
  const destination = resolveEndpoint(destinationEndpoint, compiled);
  if (!source || !destination) return "unknown";
  return allowedBetween(compiled, source, destination);
}

/** allowedConnections over already resolved endpoints. */
export function allowedBetween(compiled: CompiledPolicies, source: ResolvedEndpoint, destination: ResolvedEndpoint): ConnectionSet | "unknown" {
  const egress = directionConnections("Egress", source, destination, destination, compiled);
  // Nothing leaves the source: the destination's ingress cannot add anything.
  if (egress !== "unknown" && isEmpty(egress)) return NO_CONNECTIONS;
  const ingress = directionConnections("Ingress", destination, source, destination, compiled);
  if (egress !== "unknown" && ingress !== "unknown") return intersectConnections(egress, ingress);
  // One side unknown: the answer is still "none" when the other side allows nothing.
  const known = egress === "unknown" ? ingress : egress;
  return known !== "unknown" && isEmpty(known) ? NO_CONNECTIONS : "unknown";
}

function isEmpty(set: ConnectionSet): boolean {
  return set.TCP.length === 0 && set.UDP.length === 0 && set.SCTP.length === 0;
}
