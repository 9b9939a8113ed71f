// Human-readable explanations of the engine's verdicts: which rule allowed a direction, or why no rule
// of each isolating policy matched (shared by `reach`, `diagnose connectivity` and analyzers).
import type { LabelSelector } from "../../model/kube.js";
import type { DirectionVerdict, PeerMismatch, PortMismatch } from "./evaluate.js";
import type { PolicyRef } from "./compile.js";

export function formatLabelSelector(selector: LabelSelector): string {
  const parts = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((e) => {
      const op = e.operator;
      if (op === "Exists") return e.key;
      if (op === "DoesNotExist") return `!${e.key}`;
      return `${e.key} ${op === "In" ? "in" : "notin"} (${(e.values ?? []).join(",")})`;
    }),
  ];
  return parts.length ? `{${parts.join(",")}}` : "{} (everything)";
}

function peerText(m: PeerMismatch): string {
  switch (m.reason) {
    case "pod-selector":
      return `podSelector ${formatLabelSelector(m.selector)} does not match the peer pod's labels`;
    case "namespace":
      return `a podSelector-only peer selects pods of namespace ${m.expected}, the peer pod is in ${m.actual}`;
    case "namespace-selector":
      return `namespaceSelector ${formatLabelSelector(m.selector)} does not match the peer pod's namespace`;
    case "not-a-pod":
      return "selects pods, and the peer is an address outside the pod network";
    case "cidr":
      return `${m.address ?? "the address"} is outside ipBlock ${m.cidr}`;
    case "except":
      return `${m.address ?? "the address"} is in ipBlock ${m.cidr} but in its except ${m.except}`;
    case "pod-ip":
      return m.detail === "unknown" ? "an ipBlock, and the pod's IP is unknown" : "an ipBlock, and pod IPs are not matched against ipBlocks";
    case "invalid":
      return `invalid: ${m.detail}`;
  }
}

function portText(m: PortMismatch): string {
  switch (m.reason) {
    case "protocol":
      return `protocol ${m.expected}, the connection is ${m.actual}`;
    case "port":
      return `port ${m.port}${m.endPort !== undefined ? `-${m.endPort}` : ""}, the connection is to ${m.actual}`;
    case "named-port":
      return `port "${m.name}" (${m.resolved !== undefined ? `${m.resolved}/${m.protocol} on the destination` : `no ${m.protocol} port of that name on the destination`}), the connection is to ${m.actual}`;
  }
}

/** Lines explaining one direction of a pair: which rule allowed it, or why no rule of each isolating policy matched. */
export function explainDirection(v: DirectionVerdict): string[] {
  const dir = v.direction.toLowerCase() as "ingress" | "egress";
  const peers = dir === "ingress" ? "from" : "to";
  const subject = dir === "ingress" ? "destination" : "source";
  const pol = (p: PolicyRef): string => `NetworkPolicy ${p.namespace}/${p.name}`;
  if (v.notes.includes("external")) return [`${dir}: not governed (the ${subject} is an address outside the pod network)`];
  if (!v.isolated) return [`${dir}: allowed, the ${subject} is not isolated for ${dir} (no NetworkPolicy selects it)`];
  const lines: string[] = [];
  if (v.allowed === true) {
    for (const m of v.allowedBy) {
      const parts = [m.peerIndex !== undefined ? `${peers}[${m.peerIndex}]` : `any ${peers === "from" ? "source" : "destination"}`, m.portIndex !== undefined ? `ports[${m.portIndex}]` : "any port"];
      lines.push(`${dir}: allowed by ${pol(m.policy)} spec.${dir}[${m.ruleIndex}] (${parts.join(", ")})`);
    }
    return lines;
  }
  if (v.allowed === "unknown") lines.push(`${dir}: unknown, depends on the network plugin (${v.notes.join(", ") || "plugin-dependent"})`);
  else lines.push(`${dir}: denied, isolated by ${v.policies.map(pol).join(", ")} and no rule matches`);
  for (const d of v.denials) {
    if (d.rules.length === 0) {
      lines.push(`  ${pol(d.policy)}: no ${dir} rules (denies all ${dir})`);
      continue;
    }
    for (const r of d.rules) {
      const why = [...r.peers.map((m) => `${peers}[${m.peerIndex}]: ${peerText(m)}`), ...r.ports.map((m) => `ports[${m.portIndex}]: ${portText(m)}`)];
      lines.push(`  ${pol(d.policy)} spec.${dir}[${r.ruleIndex}]: ${why.join("; ")}`);
    }
  }
  return lines;
}
