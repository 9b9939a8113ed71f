// NetworkPolicies and endpoints in the shape the evaluator works on: defaults applied once
// (policyTypes, protocol, namespace), CIDRs parsed once, namespace labels resolved once.
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Pod } from "../../model/kube.js";
import { declaredPorts, type DeclaredPort } from "../../semantics/ports.js";
import { parseCidr, parseIp, type IpAddress, type IpRange } from "./cidr.js";
import type { Protocol } from "./connections.js";

export type Direction = "Ingress" | "Egress";

/** A Namespace, or anything with its name and labels. */
export interface NamespaceLike {
  metadata: { name: string; labels?: Readonly<Record<string, string>> };
}

/** One end of a connection: a pod (namespace labels looked up in `namespaces` unless given) or an IP address. */
export type Endpoint = { kind: "pod"; pod: Pod; namespaceLabels?: Readonly<Record<string, string>> } | { kind: "ip"; ip: string };

/** Policy identity in verdicts. */
export interface PolicyRef {
  namespace: string;
  name: string;
}

/** How the evaluator treats what the NetworkPolicy API leaves to the network plugin. */
export interface EvaluationOptions {
  /**
   * Whether ipBlock peers match pods by their status.podIPs. Default true: the upstream e2e suite
   * ("should allow egress access to server in CIDR block") expects a pod's IP inside an ipBlock to
   * be matched, although the API docs advise that ipBlocks be cluster-external.
   */
  ipBlocksMatchPodIps?: boolean;
  /**
   * hostNetwork pods. "unknown" (default): the API docs call NetworkPolicy behaviour for them
   * undefined (a plugin either treats them like pods or sees only the node IP), so a verdict that
   * depends on it is "unknown". "as-pod": the first of the two documented behaviours.
   */
  hostNetworkPods?: "unknown" | "as-pod";
  /** Node IPs: an IP endpoint among them gets "unknown" where it matters (node traffic is plugin-dependent). */
  nodeAddresses?: readonly string[];
}

/** The API server's defaults for objects read from files that omit metadata.namespace. */
export const DEFAULT_NAMESPACE = "default";
/** The label the API server sets on every namespace to its name (Kubernetes ≥1.21, NamespaceDefaultLabelName). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

export interface CompiledPeer {
  index: number;
  peer: NetworkPolicyPeer;
  ipBlock?: { cidr: string; range: IpRange | undefined; except: { cidr: string; range: IpRange | undefined }[] };
}

export interface CompiledPort {
  index: number;
  protocol: Protocol;
  port?: number | string;
  endPort?: number;
}

export interface CompiledRule {
  index: number;
  /** undefined: `from`/`to` absent or empty, the rule admits every peer. */
  peers: CompiledPeer[] | undefined;
  /** undefined: `ports` absent or empty, the rule admits every port. */
  ports: CompiledPort[] | undefined;
}

export interface CompiledPolicy {
  policy: NetworkPolicy;
  ref: PolicyRef;
  podSelector: LabelSelector;
  /** undefined when the policy does not have this policy type. */
  rules: Record<Direction, CompiledRule[] | undefined>;
}

export interface CompiledPolicies {
  byNamespace: ReadonlyMap<string, readonly CompiledPolicy[]>;
  namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  nodeAddresses: readonly IpAddress[];
  options: Required<Omit<EvaluationOptions, "nodeAddresses">>;
  /** Every distinct ipBlock CIDR (cidr and except), for endpoint classification. */
  cidrs: readonly IpRange[];
}

/**
 * policyTypes as the API server defaults them (pkg/apis/networking/v1/defaults.go
 * SetDefaults_NetworkPolicy): when unset, Ingress always, and Egress when `egress` has rules.
 */
export function policyTypesOf(policy: NetworkPolicy): Direction[] {
  const listed = policy.spec?.policyTypes;
  if (listed && listed.length > 0) return [...listed];
  return (policy.spec?.egress?.length ?? 0) > 0 ? ["Ingress", "Egress"] : ["Ingress"];
}

function compilePort(port: NetworkPolicyPort, index: number): CompiledPort {
  // NetworkPolicyPort.protocol defaults to TCP.
  const protocol = (port.protocol || "TCP").toUpperCase() as Protocol;
  return { index, protocol, ...(port.port !== undefined && port.port !== null ? { port: port.port } : {}), ...(port.endPort !== undefined && port.endPort !== null ? { endPort: port.endPort } : {}) };
}

function compilePeer(peer: NetworkPolicyPeer, index: number): CompiledPeer {
  if (!peer.ipBlock) return { index, peer };
  return {
    index,
    peer,
    ipBlock: {
      cidr: peer.ipBlock.cidr,
      range: parseCidr(peer.ipBlock.cidr),
      except: (peer.ipBlock.except ?? []).map((cidr) => ({ cidr, range: parseCidr(cidr) })),
    },
  };
}

function compileRules(rules: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[] | undefined, direction: Direction): CompiledRule[] {
  return (rules ?? []).map((rule, index) => {
    const peers = direction === "Ingress" ? rule.from : rule.to;
    // "If this field is empty or missing, this rule matches all sources/destinations" and
    // "all ports" (networking/v1 NetworkPolicyIngressRule / NetworkPolicyEgressRule).
    return {
      index,
      peers: peers && peers.length > 0 ? peers.map(compilePeer) : undefined,
      ports: rule.ports && rule.ports.length > 0 ? rule.ports.map(compilePort) : undefined,
    };
  });
}

export function namespaceOf(object: { metadata: { namespace?: string } }): string {
  return object.metadata.namespace || DEFAULT_NAMESPACE;
}

/** Compiles policies once for many evaluations. */
export function compilePolicies(policies: readonly NetworkPolicy[], namespaces: readonly NamespaceLike[], options: EvaluationOptions = {}): CompiledPolicies {
  const byNamespace = new Map<string, CompiledPolicy[]>();
  const cidrKeys = new Map<string, IpRange>();
  for (const policy of policies) {
    const types = policyTypesOf(policy);
    const namespace = namespaceOf(policy);
    const compiled: CompiledPolicy = {
      policy,
      ref: { namespace, name: policy.metadata.name },
      // spec.podSelector is a required struct: absent reads as {} (all pods in the namespace).
      podSelector: policy.spec?.podSelector ?? {},
      rules: {
        Ingress: types.includes("Ingress") ? compileRules(policy.spec?.ingress, "Ingress") : undefined,
        Egress: types.includes("Egress") ? compileRules(policy.spec?.egress, "Egress") : undefined,
      },
    };
    for (const rules of [compiled.rules.Ingress, compiled.rules.Egress]) {
      for (const rule of rules ?? []) {
        for (const peer of rule.peers ?? []) {
          for (const range of [peer.ipBlock?.range, ...(peer.ipBlock?.except ?? []).map((e) => e.range)]) {
            if (range) cidrKeys.set(`${range.family}:${range.start}:${range.end}`, range);
          }
        }
      }
    }
    const list = byNamespace.get(namespace) ?? [];
    list.push(compiled);
    byNamespace.set(namespace, list);
  }
  const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  for (const ns of namespaces) namespaceLabels.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name });
  return {
    byNamespace,
    namespaceLabels,
    nodeAddresses: (options.nodeAddresses ?? []).map(parseIp).filter((a): a is IpAddress => a !== undefined),
    options: { ipBlocksMatchPodIps: options.ipBlocksMatchPodIps ?? true, hostNetworkPods: options.hostNetworkPods ?? "unknown" },
    cidrs: [...cidrKeys.values()],
  };
}

/** An endpoint with everything the evaluator reads resolved. */
export type ResolvedEndpoint =
  | {
      kind: "pod";
      pod: Pod;
      namespace: string;
      labels: Readonly<Record<string, string>>;
      namespaceLabels: Readonly<Record<string, string>>;
      /** Whether the namespace labels came from a Namespace object (or the caller), not only the name label. */
      namespaceKnown: boolean;
      ips: IpAddress[];
      ports: DeclaredPort[];
      hostNetwork: boolean;
    }
  | { kind: "ip"; ip: IpAddress; text: string; node: boolean };

function podIps(pod: Pod): IpAddress[] {
  const status = pod.status as { podIP?: string; podIPs?: { ip: string }[] } | undefined;
  const texts = new Set<string>([...(status?.podIPs ?? []).map((p) => p.ip), ...(status?.podIP ? [status.podIP] : [])]);
  return [...texts].map(parseIp).filter((a): a is IpAddress => a !== undefined);
}

/** Resolves an endpoint against compiled policies' namespace table; undefined for an unparsable IP. */
export function resolveEndpoint(endpoint: Endpoint, compiled: CompiledPolicies): ResolvedEndpoint | undefined {
  if (endpoint.kind === "ip") {
    const ip = parseIp(endpoint.ip);
    if (!ip) return undefined;
    return { kind: "ip", ip, text: endpoint.ip, node: compiled.nodeAddresses.some((n) => n.family === ip.family && n.value === ip.value) };
  }
  const namespace = namespaceOf(endpoint.pod);
  const known = endpoint.namespaceLabels ?? compiled.namespaceLabels.get(namespace);
  return {
    kind: "pod",
    pod: endpoint.pod,
    namespace,
    labels: endpoint.pod.metadata.labels ?? {},
    namespaceLabels: { ...(known ?? {}), [NAMESPACE_NAME_LABEL]: namespace },
    namespaceKnown: known !== undefined,
    ips: podIps(endpoint.pod),
    ports: declaredPorts(endpoint.pod),
    hostNetwork: endpoint.pod.spec?.hostNetwork === true,
  };
}
