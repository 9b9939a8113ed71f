// Decides whether egress NetworkPolicies leave a pod unable to reach the cluster DNS: the pod is
// isolated for egress and no rule of its policies allows UDP (or TCP) 53 to the kube-dns pods,
// evaluated with the NetworkPolicy engine against the real DNS pods; when they are not in the
// snapshot, whether any rule allows port 53 to any destination at all.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { NetworkPolicy, NetworkPolicyPort, Pod, Service } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { buildConnectivityMatrix, compilePolicies, evaluateCompiled, policyTypesOf, type NamespaceLike, type Protocol } from "../../../engines/network-policy/index.js";
import { findContainerPort, targetPortOf } from "../../../semantics/ports.js";
import { groupByWorkload, WORKLOAD_KINDS } from "../../workload/workload-pods.js";
import { CLUSTER_DNS_LABEL, CLUSTER_DNS_SERVICE, clusterDns, isLivePod, usesClusterDns } from "../../../engines/connectivity/cluster-network.js";

const DNS_PORT = 53;
const PROTOCOLS: readonly Protocol[] = ["UDP", "TCP"];

/** The port a DNS pod receives cluster DNS traffic on, per protocol: the kube-dns Service port 53's targetPort resolved on the pod. */
function dnsPortOn(pod: Pod, service: Service | undefined, protocol: Protocol): number | undefined {
  const servicePort = service?.spec?.ports?.find((p) => p.port === DNS_PORT && (p.protocol ?? "TCP") === protocol);
  if (!servicePort) return DNS_PORT;
  return findContainerPort(pod, targetPortOf(servicePort), protocol)?.port;
}

/** Whether a rule's ports could admit `protocol` 53 to some destination (a named port might resolve to 53). */
function rulePortsMayAdmit(ports: readonly NetworkPolicyPort[] | undefined, protocol: Protocol): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP").toUpperCase() !== protocol) return false;
    if (p.port === undefined || p.port === null || typeof p.port === "string") return true;
    return DNS_PORT >= p.port && DNS_PORT <= (p.endPort ?? p.port);
  });
}

/** The policy that would let the namespace's pods reach the cluster DNS, as a kubectl apply heredoc. */
function allowDnsPolicy(namespace: string): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-dns-egress", namespace },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": CLUSTER_DNS_SERVICE.namespace } }, podSelector: { matchLabels: { [CLUSTER_DNS_LABEL.key]: CLUSTER_DNS_LABEL.value } } }],
          ports: [
            { protocol: "UDP", port: DNS_PORT },
            { protocol: "TCP", port: DNS_PORT },
          ],
        },
      ],
    },
  };
}

function applyCommand(policy: NetworkPolicy): string {
  const ns = policy.metadata.namespace!;
  return `kubectl apply -f - <<'EOF'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${policy.metadata.name}, namespace: ${ns} }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${CLUSTER_DNS_SERVICE.namespace} } }, podSelector: { matchLabels: { ${CLUSTER_DNS_LABEL.key}: ${CLUSTER_DNS_LABEL.value} } } }]
      ports: [{ protocol: UDP, port: 53 }, { protocol: TCP, port: 53 }]
EOF`;
}

interface Blocked {
  /** Protocols on which no DNS pod is reachable. */
  protocols: Protocol[];
  policies: NetworkPolicy[];
  evidence: Evidence[];
}

export const egressPolicyBlocksDns = defineAnalyzer({
  id: "egress-policy-blocks-dns",
  title: "Egress NetworkPolicy blocks DNS",
  area: "network",
  severity: "error",
  needs: ["NetworkPolicy", "Pod", "Namespace", "Service", ...WORKLOAD_KINDS],
  messages: {
    blocked: {
      summary: "Egress NetworkPolicy blocks DNS for {{workload}}: no rule allows {{protocols}} 53 to {{target}}",
      rootCause:
        "{{workload}} is isolated for egress by NetworkPolicy {{policies}}, and no egress rule of those policies allows {{protocols}} port 53 to {{target}}. Its pods cannot resolve any name (Service names included): connections by name fail with \"no such host\" or time out, although the destination itself may be allowed.",
      remediation: "Add an egress rule (or a separate policy) allowing UDP and TCP port 53 to the kube-dns pods in kube-system.",
    },
    tcpBlocked: {
      summary: "Egress NetworkPolicy allows DNS over UDP but not TCP 53 for {{workload}} ({{target}})",
      rootCause:
        "{{workload}} may send UDP 53 to {{target}} but no egress rule of {{policies}} allows TCP 53. DNS answers too large for UDP (truncated, retried over TCP) fail, which shows as intermittent lookup failures for large records.",
      remediation: "Allow TCP port 53 next to UDP 53 in the DNS egress rule.",
      severity: "warning",
    },
  },
  run({ index, snapshot, report }) {
    if (!index.has("NetworkPolicy") || !index.has("Pod")) return;
    const policies = index.all<NetworkPolicy>("NetworkPolicy");
    if (!policies.some((p) => policyTypesOf(p).includes("Egress"))) return;
    const namespaces = index.all("Namespace") as readonly NamespaceLike[];
    const compiled = compilePolicies(policies, namespaces);
    const dns = clusterDns(index);
    const dnsPods = dns.pods.filter(isLivePod);
    const dnsSet = new Set(dns.pods);
    // Pods that resolve through the cluster DNS and are isolated for egress.
    const candidates = index
      .all<Pod>("Pod")
      .filter((p) => !dnsSet.has(p) && isLivePod(p) && usesClusterDns(p) && p.spec?.hostNetwork !== true)
      .filter((p) => index.networkPoliciesSelectingPod(p).some((np) => policyTypesOf(np).includes("Egress")));
    if (candidates.length === 0) return;
    const egressPoliciesOf = (pod: Pod): NetworkPolicy[] => index.networkPoliciesSelectingPod(pod).filter((np) => policyTypesOf(np).includes("Egress"));
    const target = dnsPods.length > 0 ? `the kube-dns pods (${CLUSTER_DNS_SERVICE.namespace}/${dnsPods.map((p) => p.metadata.name).join(", ")})` : "any destination (no kube-dns pod in the snapshot)";

    // Pods no policy can tell apart are decided once.
    const matrix = buildConnectivityMatrix({ pods: candidates, policies, namespaces });
    const verdictByClass = new Map<number, Blocked | null>();
    const decide = (pod: Pod): Blocked | null => {
      const cls = matrix.classOf(pod)!;
      const cached = verdictByClass.get(cls.index);
      if (cached !== undefined) return cached;
      const own = egressPoliciesOf(pod);
      const blocked: Blocked = { protocols: [], policies: own, evidence: [] };
      for (const protocol of PROTOCOLS) {
        if (dnsPods.length > 0) {
          let reachable = false;
          let undecided = false;
          for (const dnsPod of dnsPods) {
            const port = dnsPortOn(dnsPod, dns.service, protocol);
            if (port === undefined) continue;
            const verdict = evaluateCompiled(compiled, { kind: "pod", pod: cls.representative }, { kind: "pod", pod: dnsPod }, port, protocol);
            if (verdict.egress.allowed === true) reachable = true;
            else if (verdict.egress.allowed === "unknown") undecided = true;
            else blocked.evidence.push({ ref: refOf(dnsPod), path: "egress", value: `${protocol} ${port} denied`, note: `egress of ${pod.metadata.namespace}/${pod.metadata.name} (and pods like it): ${verdict.egress.denials.map((d) => `${d.policy.name}: ${d.rules.length === 0 ? "no egress rule" : `none of ${d.rules.length} egress rule(s) matches`}`).join("; ")}` });
          }
          // A rule admitting port 53 to an ipBlock may be how the pods reach DNS (NodeLocal DNSCache on a
          // link-local address, the kube-dns ClusterIP, an external resolver): plugin-dependent, not judged.
          const viaAddress = own.some((np) => (np.spec?.egress ?? []).some((rule) => (rule.to ?? []).some((peer) => peer.ipBlock) && rulePortsMayAdmit(rule.ports, protocol)));
          if (!reachable && !undecided && !viaAddress) blocked.protocols.push(protocol);
        } else if (!own.some((np) => (np.spec?.egress ?? []).some((rule) => rulePortsMayAdmit(rule.ports, protocol)))) {
          blocked.protocols.push(protocol);
          blocked.evidence.push({ ref: refOf(pod), path: "egress", value: `${protocol} 53 denied`, note: "no egress rule of the isolating policies admits this port to any destination" });
        }
      }
      const result = blocked.protocols.length > 0 ? blocked : null;
      verdictByClass.set(cls.index, result);
      return result;
    };

    const items = candidates.flatMap((pod) => {
      const detail = decide(pod);
      return detail ? [{ pod, detail }] : [];
    });
    for (const group of groupByWorkload(index, items)) {
      const detail = group.members[0]!.detail;
      const namespace = group.subject.namespace ?? "default";
      const workload = `${group.subject.kind.toLowerCase()}/${group.subject.name} in ${namespace}`;
      const names = detail.policies.map((p) => p.metadata.name);
      const messageId = detail.protocols.includes("UDP") ? "blocked" : "tcpBlocked";
      const evidence: Evidence[] = [
        ...detail.policies.map((p) => ({ ref: refOf(p), path: "spec.policyTypes", value: policyTypesOf(p), note: `selects ${group.members[0]!.pod.metadata.name}; ${(p.spec?.egress ?? []).length} egress rule(s)` })),
        ...(dns.service ? [{ ref: refOf(dns.service), path: "spec.ports", value: (dns.service.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`), note: "the cluster DNS Service" }] : []),
        ...detail.evidence.slice(0, 6),
      ];
      // The fix, verified: the same engine, with the proposed policy added, allows both protocols.
      const patch = allowDnsPolicy(namespace);
      let verified = "";
      if (dnsPods.length > 0) {
        const patched = compilePolicies([...policies, patch], namespaces);
        const ok = PROTOCOLS.every((protocol) =>
          dnsPods.some((d) => {
            const port = dnsPortOn(d, dns.service, protocol);
            return port !== undefined && evaluateCompiled(patched, { kind: "pod", pod: group.members[0]!.pod }, { kind: "pod", pod: d }, port, protocol).egress.allowed === true;
          }),
        );
        verified = ok ? " (re-evaluated: with it the egress to kube-dns on UDP and TCP 53 is allowed)" : "";
      }
      report(messageId, {
        subject: group.subject,
        data: { workload, protocols: detail.protocols.join(" and "), target, policies: names.join(", ") },
        evidence,
        affected: group.members.map((m) => refOf(m.pod)),
        investigation: [
          { step: "List the egress policies selecting the pods", command: `kubectl get networkpolicy -n ${namespace} ${names.join(" ")} -o yaml`, result: `${names.join(", ")}: policyTypes include Egress`, outcome: "problem" },
          { step: "Try a lookup from a pod", command: `kubectl exec -n ${namespace} ${group.members[0]!.pod.metadata.name} -- nslookup kubernetes.default`, result: "expected: timeout (UDP 53 dropped)" + (snapshot.source.kind === "live" ? "" : "; not run on a snapshot"), outcome: "unknown" },
        ],
        remediation: [
          {
            description: `Allow DNS egress to kube-dns for the pods of namespace ${namespace}${verified}`,
            command: applyCommand(patch),
            verify: `kubectl exec -n ${namespace} ${group.members[0]!.pod.metadata.name} -- nslookup kubernetes.default`,
            rollback: `kubectl delete networkpolicy ${patch.metadata.name} -n ${namespace}`,
          },
        ],
      });
    }
  },
});
