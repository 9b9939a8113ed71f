// Decides, from a node-diagnostics file, whether the node's conntrack table is full (the kernel drops new connections) or nearly so.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import { collectedNote, debugCommand, DIAGNOSTICS_PATH, nodeRefOf } from "../node-diagnostics.js";

/** nf_conntrack_count / nf_conntrack_max from which the table counts as nearly full. */
const NEARLY_FULL = 0.9;

export const nodeConntrackExhausted = defineAnalyzer({
  id: "node-conntrack-exhausted",
  title: "Conntrack table full on a node",
  area: "node",
  severity: "error",
  needs: ["Node"],
  messages: {
    droppingPackets: {
      summary: "The conntrack table on {{node}} overflowed: the kernel dropped packets {{drops}} times ({{usage}})",
      rootCause:
        "The kernel log of {{node}} has {{drops}} \"nf_conntrack: table full, dropping packet\" messages: when nf_conntrack_count reaches nf_conntrack_max the kernel drops the first packet of every new connection. Pods on the node see intermittent timeouts and failed DNS lookups while established connections keep working. Current use: {{usage}}.",
      remediation: "Raise net.netfilter.nf_conntrack_max (kube-proxy's conntrack.maxPerCore / min sets it at start), find what opens so many connections (conntrack -S, conntrack -L | sort), and shorten timeouts for short-lived UDP (DNS) traffic.",
    },
    nearlyFull: {
      summary: "The conntrack table on {{node}} is {{percent}}% full ({{usage}})",
      rootCause:
        "nf_conntrack_count on {{node}} is {{usage}}: at nf_conntrack_max the kernel starts dropping the first packet of new connections (\"nf_conntrack: table full, dropping packet\"), which shows as intermittent timeouts in pods on that node.",
      remediation: "Raise net.netfilter.nf_conntrack_max (kube-proxy conntrack.maxPerCore), and find what opens so many connections.",
      severity: "warning",
    },
  },
  run({ snapshot, report }) {
    for (const d of snapshot.nodeDiagnostics ?? []) {
      const ref = nodeRefOf(d);
      const drops = d.kernel.available ? d.kernel.events.map((e, i) => ({ e, i })).filter(({ e }) => e.kind === "conntrack-full") : [];
      const table = d.conntrack.available && d.conntrack.max > 0 ? d.conntrack : undefined;
      const ratio = table ? table.count / table.max : 0;
      if (drops.length === 0 && ratio < NEARLY_FULL) continue;
      const usage = table ? `${table.count} of ${table.max} entries` : `not available: ${(d.conntrack as { reason?: string }).reason ?? "no count"}`;
      const evidence: Evidence[] = [];
      if (table) evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.conntrack.count`, value: table.count, note: `nf_conntrack_max ${table.max}; ${collectedNote(d)}` });
      for (const { e, i } of drops.slice(-5)) evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.kernel.events[${i}]`, value: e.text, note: e.uptimeSeconds !== undefined ? `${e.uptimeSeconds} s after boot` : undefined });
      if (drops.length) evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.kernel.events`, value: drops.length, note: `"table full" messages in ${d.kernel.available ? d.kernel.source : "the kernel log"}` });
      report(drops.length ? "droppingPackets" : "nearlyFull", {
        subject: ref,
        data: { node: d.node, drops: drops.length, usage, percent: Math.floor(ratio * 100) },
        evidence,
        investigation: [
          { step: "Compare conntrack use with its limit", command: debugCommand(d.node, "sh -c 'cat /proc/sys/net/netfilter/nf_conntrack_count /proc/sys/net/netfilter/nf_conntrack_max'"), result: usage, outcome: ratio >= NEARLY_FULL ? "problem" : "ok" },
          { step: "Look for drops in the kernel log", command: debugCommand(d.node, "dmesg -T | grep 'table full'"), result: `${drops.length} messages`, outcome: drops.length ? "problem" : "ok" },
        ],
        remediation: [
          {
            description: "Raise the table size (persist it in kube-proxy's conntrack settings or a sysctl file)",
            command: debugCommand(d.node, `sysctl -w net.netfilter.nf_conntrack_max=${table ? Math.max(table.max * 2, 262144) : 262144}`),
            verify: debugCommand(d.node, "cat /proc/sys/net/netfilter/nf_conntrack_count"),
            rollback: table ? debugCommand(d.node, `sysctl -w net.netfilter.nf_conntrack_max=${table.max}`) : undefined,
          },
        ],
      });
    }
  },
});
