// Decides, from a node-diagnostics file, whether the kernel settings pod networking needs are off: IP forwarding, bridge netfilter.
import { defineAnalyzer } from "../../define.js";
import { collectedNote, debugCommand, DIAGNOSTICS_PATH, isKubernetesNode, nodeObjectOf, nodeRefOf } from "../node-diagnostics.js";

export const nodeForwardingDisabled = defineAnalyzer({
  id: "node-forwarding-disabled",
  title: "IP forwarding or bridge netfilter off on a node",
  area: "node",
  severity: "error",
  needs: ["Node"],
  messages: {
    ipForwardOff: {
      summary: "IP forwarding is off on {{node}} (net.ipv4.ip_forward=0)",
      rootCause:
        "net.ipv4.ip_forward is 0 on {{node}}: the kernel does not route packets between interfaces, so traffic from pods to other nodes, to Services (kube-proxy DNAT) and out of the cluster is dropped. kubeadm's preflight requires it to be 1; it is often reset by a reboot when it was set only with sysctl -w.",
      remediation: "Set net.ipv4.ip_forward = 1 in /etc/sysctl.d/ and apply it with sysctl --system.",
    },
    bridgeNetfilterOff: {
      summary: "Bridged traffic bypasses iptables on {{node}} (net.bridge.bridge-nf-call-iptables=0)",
      rootCause:
        "br_netfilter is loaded on {{node}} but net.bridge.bridge-nf-call-iptables is 0: packets between pods on the same Linux bridge skip iptables, so kube-proxy's Service rules (iptables mode) and NetworkPolicies enforced with iptables do not apply to them; Service traffic between pods on one node fails or bypasses policy.",
      remediation: "Set net.bridge.bridge-nf-call-iptables = 1 (and ip6tables) in /etc/sysctl.d/ and apply with sysctl --system.",
      severity: "warning",
    },
  },
  run({ snapshot, index, report }) {
    for (const d of snapshot.nodeDiagnostics ?? []) {
      if (!d.sysctls.available) continue;
      const node = nodeObjectOf(index, d);
      if (!isKubernetesNode(d, node)) continue; // a machine without kubelet has no pods to forward for
      const ref = nodeRefOf(d);
      const values = d.sysctls.values;
      const checks: { key: string; messageId: "ipForwardOff" | "bridgeNetfilterOff"; applies: boolean }[] = [
        { key: "net.ipv4.ip_forward", messageId: "ipForwardOff", applies: true },
        { key: "net.bridge.bridge-nf-call-iptables", messageId: "bridgeNetfilterOff", applies: d.sysctls.brNetfilterLoaded },
      ];
      for (const c of checks) {
        if (!c.applies || values[c.key] !== "0") continue;
        report(c.messageId, {
          subject: ref,
          data: { node: d.node },
          evidence: [
            { ref, path: `${DIAGNOSTICS_PATH}.sysctls.values["${c.key}"]`, value: "0", note: collectedNote(d) },
            ...(c.messageId === "bridgeNetfilterOff" ? [{ ref, path: `${DIAGNOSTICS_PATH}.sysctls.brNetfilterLoaded`, value: true }] : []),
          ],
          investigation: [{ step: `Read ${c.key} on the node`, command: debugCommand(d.node, `sysctl ${c.key}`), result: `${c.key} = 0`, outcome: "problem" }],
          remediation: [
            {
              description: `Turn ${c.key} on now and at every boot`,
              command: debugCommand(d.node, `sh -c 'echo ${c.key} = 1 > /etc/sysctl.d/90-kubernetes-${c.messageId === "ipForwardOff" ? "ip-forward" : "bridge-nf"}.conf && sysctl --system'`),
              verify: debugCommand(d.node, `sysctl ${c.key}`),
              rollback: debugCommand(d.node, `sh -c 'rm /etc/sysctl.d/90-kubernetes-${c.messageId === "ipForwardOff" ? "ip-forward" : "bridge-nf"}.conf && sysctl -w ${c.key}=0'`),
            },
          ],
        });
      }
    }
  },
});
