// Decides whether a NetworkPolicy names things that do not exist: its podSelector selects no pod, a
// peer's namespaceSelector or podSelector matches no namespace or pod, or a rule's named port is
// declared by no pod it could apply to. A policy written ahead of a deployment is legitimate, so the
// selector findings are informational; a named port nothing declares never matches (warning).
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { KubeObject, LabelSelector, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Pod } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { NAMESPACE_NAME_LABEL, policyTypesOf } from "../../../engines/network-policy/index.js";
import { matchesSelector } from "../../../semantics/labels.js";
import { declaredPorts } from "../../../semantics/ports.js";
import { isLivePod } from "../../../engines/connectivity/cluster-network.js";

function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** A selector as `kubectl get -l` takes it. */
function selectorText(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === "In" ? "in" : "notin"} (${(e.values ?? []).join(",")})`);
  }
  return parts.join(",") || "{}";
}

interface RuleRef {
  direction: "ingress" | "egress";
  path: string;
  peers: NetworkPolicyPeer[] | undefined;
  ports: NetworkPolicyPort[] | undefined;
}

function rulesOf(policy: NetworkPolicy): RuleRef[] {
  const types = policyTypesOf(policy);
  const out: RuleRef[] = [];
  if (types.includes("Ingress")) (policy.spec?.ingress ?? []).forEach((r, i) => out.push({ direction: "ingress", path: `spec.ingress[${i}]`, peers: r.from, ports: r.ports }));
  if (types.includes("Egress")) (policy.spec?.egress ?? []).forEach((r, i) => out.push({ direction: "egress", path: `spec.egress[${i}]`, peers: r.to, ports: r.ports }));
  return out;
}

export const networkPolicySelectorUnmatched = defineAnalyzer({
  id: "network-policy-selector-unmatched",
  title: "NetworkPolicy selector or named port matches nothing",
  area: "network",
  severity: "info",
  needs: ["NetworkPolicy", "Pod", "Namespace"],
  messages: {
    selectsNoPod: {
      summary: "NetworkPolicy {{namespace}}/{{policy}} selects no pod ({{selector}})",
      rootCause:
        "spec.podSelector {{selector}} matches no pod in namespace {{namespace}}, so the policy isolates nothing and its rules apply to nothing. Fine for a policy written ahead of its workload; otherwise the selector does not match the pods' labels and they are not protected as intended.",
      remediation: "Compare the podSelector with the labels of the pods it is meant for (kubectl get pods -n NS --show-labels).",
    },
    peerNamespaceUnmatched: {
      summary: "NetworkPolicy {{namespace}}/{{policy}}: namespaceSelector {{selector}} at {{path}} matches no namespace",
      rootCause:
        "The peer at {{path}} admits pods of namespaces labelled {{selector}}, and no namespace has those labels: the peer admits nothing, so traffic the rule was written for is denied (or, until such a namespace exists, the rule is inert).",
      remediation: "Label the intended namespace (kubectl label namespace NAME KEY=VALUE) or use kubernetes.io/metadata.name, which every namespace carries.",
    },
    peerPodUnmatched: {
      summary: "NetworkPolicy {{namespace}}/{{policy}}: podSelector {{selector}} at {{path}} matches no pod",
      rootCause:
        "The peer at {{path}} admits pods labelled {{selector}} in {{scope}}, and no such pod exists there now: the peer admits nothing until one does.",
      remediation: "Check the podSelector against the labels of the intended peer pods, and whether the peer needs a namespaceSelector (a podSelector alone only looks in the policy's own namespace).",
    },
    namedPortUndeclared: {
      summary: "NetworkPolicy {{namespace}}/{{policy}}: named port {{port}} at {{path}} is declared by no {{whose}} pod",
      rootCause:
        "A named port in a NetworkPolicy rule is resolved on each destination pod's container ports of the same protocol ({{protocol}}). No {{whose}} pod declares a {{protocol}} port named {{port}}, so this port entry never matches and the traffic it was meant to allow is denied.",
      remediation: "Use the container port's exact name and protocol (kubectl get pod POD -o jsonpath='{.spec.containers[*].ports}'), or the port number.",
      severity: "warning",
    },
  },
  run({ index, snapshot, report }) {
    // "Matches nothing" needs everything: with pods or namespaces unread or cut short, a match may simply be missing.
    const podsComplete = index.has("Pod") && snapshot.coverage.Pod?.status === "ok";
    const namespacesComplete = index.has("Namespace") && snapshot.coverage.Namespace?.status === "ok";
    if (!podsComplete) return;
    const pods = index.all<Pod>("Pod").filter(isLivePod);
    const podsByNamespace = new Map<string, Pod[]>();
    for (const pod of pods) {
      const ns = pod.metadata.namespace ?? "default";
      const list = podsByNamespace.get(ns);
      if (list) list.push(pod);
      else podsByNamespace.set(ns, [pod]);
    }
    // Every (name, protocol) any live pod declares, for rules whose destination can be any pod.
    let anyPodPorts: Set<string> | undefined;
    const declaredByAnyPod = (name: string, protocol: string): boolean => {
      anyPodPorts ??= new Set(pods.flatMap((p) => declaredPorts(p).map((d) => `${d.name ?? ""}/${d.protocol}`)));
      return anyPodPorts.has(`${name}/${protocol}`);
    };
    const namespaceLabels = new Map<string, Record<string, string>>();
    for (const ns of index.all<KubeObject>("Namespace")) namespaceLabels.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name });
    for (const ns of podsByNamespace.keys()) if (!namespaceLabels.has(ns)) namespaceLabels.set(ns, { [NAMESPACE_NAME_LABEL]: ns });

    for (const policy of index.all<NetworkPolicy>("NetworkPolicy")) {
      const namespace = policy.metadata.namespace ?? "default";
      const name = policy.metadata.name;
      const ref = refOf(policy);
      const podSelector = policy.spec?.podSelector ?? {};
      const selected = (podsByNamespace.get(namespace) ?? []).filter((p) => matchesSelector(podSelector, p.metadata.labels ?? {}));
      // podSelector {} is a namespace-wide default (deny-all, allow-dns ...): it selects no pod only in an empty namespace, by design.
      if (selected.length === 0 && !isEmptySelector(podSelector)) {
        const text = selectorText(podSelector);
        report("selectsNoPod", {
          subject: ref,
          data: { namespace, policy: name, selector: text },
          evidence: [{ ref, path: "spec.podSelector", value: podSelector, note: `${(podsByNamespace.get(namespace) ?? []).length} pod(s) in ${namespace}, none matching` }],
          investigation: [{ step: "List the pods the policy selects", command: `kubectl get pods -n ${namespace} -l '${text}'`, result: "No resources found", outcome: "problem" }],
          remediation: [{ description: "Align spec.podSelector with the intended pods' labels", command: `kubectl edit networkpolicy ${name} -n ${namespace}`, verify: `kubectl get pods -n ${namespace} -l '${text}'`, rollback: "re-apply the previous manifest" }],
        });
      }

      const nsMisses: Evidence[] = [];
      const podMisses: { evidence: Evidence; scope: string }[] = [];
      const portMisses: { evidence: Evidence; port: string; protocol: string; whose: string }[] = [];
      for (const rule of rulesOf(policy)) {
        const peerPods: Pod[] = [];
        let peersKnown = rule.peers !== undefined && rule.peers.length > 0;
        (rule.peers ?? []).forEach((peer, j) => {
          const path = `${rule.path}.${rule.direction === "ingress" ? "from" : "to"}[${j}]`;
          if (peer.ipBlock) {
            peersKnown = false; // an address may be any pod or none
            return;
          }
          let namespaces: string[];
          if (peer.namespaceSelector) {
            namespaces = [...namespaceLabels].filter(([, labels]) => matchesSelector(peer.namespaceSelector, labels)).map(([n]) => n);
            if (namespaces.length === 0) {
              if (namespacesComplete && !isEmptySelector(peer.namespaceSelector)) nsMisses.push({ ref, path: `${path}.namespaceSelector`, value: peer.namespaceSelector, note: "matches no namespace" });
              return;
            }
          } else namespaces = [namespace];
          const candidates = namespaces.flatMap((n) => podsByNamespace.get(n) ?? []);
          const matched = peer.podSelector ? candidates.filter((p) => matchesSelector(peer.podSelector, p.metadata.labels ?? {})) : candidates;
          peerPods.push(...matched);
          if (peer.podSelector && !isEmptySelector(peer.podSelector) && matched.length === 0) {
            const scope = peer.namespaceSelector ? `namespaces ${namespaces.join(", ")}` : `namespace ${namespace}`;
            podMisses.push({ evidence: { ref, path: `${path}.podSelector`, value: peer.podSelector, note: `matches no pod in ${scope}` }, scope });
          }
        });
        // Named ports resolve on the destination: the selected pods for ingress, the peer pods (or any pod) for egress.
        const destinations = rule.direction === "ingress" ? selected : peersKnown ? peerPods : pods;
        const whose = rule.direction === "ingress" ? "selected" : peersKnown ? "peer" : "";
        if (rule.direction === "ingress" && selected.length === 0) continue;
        if (rule.direction === "egress" && peersKnown && peerPods.length === 0) continue;
        (rule.ports ?? []).forEach((port, k) => {
          if (typeof port.port !== "string") return;
          const protocol = (port.protocol ?? "TCP").toUpperCase();
          const declared = destinations === pods ? declaredByAnyPod(port.port, protocol) : destinations.some((p) => declaredPorts(p).some((d) => d.name === port.port && d.protocol === protocol));
          if (!declared) {
            portMisses.push({
              evidence: { ref, path: `${rule.path}.ports[${k}].port`, value: port.port, note: `no ${whose ? `${whose} ` : ""}pod declares a ${protocol} port named ${port.port} (${destinations.length} pod(s) checked)` },
              port: port.port,
              protocol,
              whose: whose || "running",
            });
          }
        });
      }
      if (nsMisses.length > 0) {
        const first = nsMisses[0]!;
        const text = selectorText(first.value as LabelSelector);
        report("peerNamespaceUnmatched", {
          subject: ref,
          data: { namespace, policy: name, selector: text, path: first.path! },
          evidence: nsMisses,
          investigation: [{ step: "List namespaces matching the selector", command: `kubectl get namespaces -l '${text}'`, result: "No resources found", outcome: "problem" }],
          remediation: [{ description: "Label the intended namespace, or select it by kubernetes.io/metadata.name", command: `kubectl get namespaces --show-labels`, verify: `kubectl get namespaces -l '${text}'` }],
        });
      }
      if (podMisses.length > 0) {
        const first = podMisses[0]!;
        const text = selectorText(first.evidence.value as LabelSelector);
        report("peerPodUnmatched", {
          subject: ref,
          data: { namespace, policy: name, selector: text, path: first.evidence.path!, scope: first.scope },
          evidence: podMisses.map((m) => m.evidence),
          investigation: [{ step: "List the pods the peer selector matches", command: `kubectl get pods -A -l '${text}'`, result: `none in ${first.scope}`, outcome: "problem" }],
          remediation: [{ description: "Align the peer podSelector (and namespaceSelector) with the intended peer pods", command: `kubectl edit networkpolicy ${name} -n ${namespace}`, verify: `kubectl get pods -A -l '${text}'` }],
        });
      }
      if (portMisses.length > 0) {
        const first = portMisses[0]!;
        report("namedPortUndeclared", {
          subject: ref,
          data: { namespace, policy: name, port: first.port, path: first.evidence.path!, protocol: first.protocol, whose: first.whose },
          evidence: portMisses.map((m) => m.evidence),
          investigation: [{ step: "List the container ports of the pods the rule applies to", command: `kubectl get pods -n ${namespace} -o custom-columns=NAME:.metadata.name,PORTS:.spec.containers[*].ports`, result: `no ${first.protocol} port named ${first.port}`, outcome: "problem" }],
          remediation: [{ description: `Use the declared port name (same protocol) or the port number instead of ${first.port}`, command: `kubectl edit networkpolicy ${name} -n ${namespace}`, verify: `kubesleuth reach <from> <to> --port ${first.port}`, rollback: "re-apply the previous manifest" }],
        });
      }
    }
  },
});
