// Decides, from a node-diagnostics file, whether the kernel's OOM killer has killed processes on the node.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import { collectedNote, debugCommand, DIAGNOSTICS_PATH, nodeRefOf } from "../node-diagnostics.js";

export const nodeOomKills = defineAnalyzer({
  id: "node-oom-kills",
  title: "Kernel OOM kills on a node",
  area: "node",
  severity: "warning",
  needs: ["Node"],
  messages: {
    oomKills: {
      summary: "The kernel on {{node}} OOM-killed {{count}} processes ({{processes}})",
      rootCause:
        "The kernel log of {{node}} ({{source}}) records {{count}} OOM kills (\"Killed process <pid> (<name>)\"): {{processes}}. \"Memory cgroup out of memory\" means a container hit its memory limit (the pod's container shows lastState OOMKilled); a plain \"Out of memory\" means the whole node ran out, which can kill system daemons and pods that stayed within their limits.",
      remediation: "Match the killed processes to containers (kubectl get pods -A on the node, lastState.terminated.reason OOMKilled); raise the memory limit of containers that hit it, or set requests that reflect real use so the node is not overcommitted.",
    },
  },
  run({ snapshot, report }) {
    for (const d of snapshot.nodeDiagnostics ?? []) {
      if (!d.kernel.available) continue;
      const kills = d.kernel.events.map((e, i) => ({ e, i })).filter(({ e }) => e.kind === "oom-kill");
      if (kills.length === 0) continue;
      const ref = nodeRefOf(d);
      const names = [...new Set(kills.map(({ e }) => e.process ?? "unknown"))];
      const processes = `${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}`;
      const evidence: Evidence[] = kills.slice(-10).map(({ e, i }) => ({
        ref,
        path: `${DIAGNOSTICS_PATH}.kernel.events[${i}]`,
        value: e.text,
        note: `${e.text.startsWith("Memory cgroup") ? "cgroup limit" : "node out of memory"}${e.uptimeSeconds !== undefined ? `, ${e.uptimeSeconds} s after boot` : ""}; ${collectedNote(d)}`,
      }));
      evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.kernel.events`, value: kills.length, note: `OOM kills in ${d.kernel.source}` });
      report("oomKills", {
        subject: ref,
        data: { node: d.node, count: kills.length, processes, source: d.kernel.source },
        evidence,
        investigation: [
          { step: "Read the kernel's OOM reports", command: debugCommand(d.node, "dmesg -T | grep -iE 'killed process|out of memory'"), result: `${kills.length} OOM kills: ${processes}`, outcome: "problem" },
          { step: "Find containers killed for their memory limit", command: `kubectl get pods -A --field-selector spec.nodeName=${d.node} -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name} {.status.containerStatuses[*].lastState.terminated.reason}{"\\n"}{end}' | grep OOMKilled`, result: "run it to match processes to pods", outcome: "unknown" },
        ],
        remediation: [{ description: "Give the containers that were killed a memory limit above their real peak, or lower their use; keep the node's requests below its allocatable memory", command: `kubectl top pods -A --sort-by=memory`, verify: debugCommand(d.node, "dmesg -T | grep -c 'Killed process'") }],
      });
    }
  },
});
