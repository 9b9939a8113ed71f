// Decides, from a node-diagnostics file, whether the kubelet or the node's container runtime is not running.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep } from "../../../model/finding.js";
import type { ServiceState } from "../../../model/node-diagnostics.js";
import { collectedNote, debugCommand, DIAGNOSTICS_PATH, downServices, nodeObjectOf, nodeRefOf, runtimeOf } from "../node-diagnostics.js";

function describe(unit: ServiceState): string {
  return [unit.state, unit.subState && `(${unit.subState})`, unit.since && `since ${unit.since}`, unit.restarts !== undefined && `${unit.restarts} restarts`].filter(Boolean).join(" ");
}

export const nodeServiceDown = defineAnalyzer({
  id: "node-service-down",
  title: "Kubelet or container runtime not running on a node",
  area: "node",
  severity: "error",
  needs: ["Node"],
  messages: {
    kubeletDown: {
      summary: "The kubelet on {{node}} is not running ({{state}})",
      rootCause:
        "The node-diagnostics file of {{node}} shows the kubelet service {{state}} ({{method}}). Without a kubelet nothing on the node is started, probed or reported: the Node stops posting status and turns NotReady/Unknown, and its pods are evicted after their tolerationSeconds.",
      remediation: "Read why it stopped (journalctl -u kubelet), fix it (configuration, certificates, swap, the runtime socket) and start it: systemctl restart kubelet.",
    },
    runtimeDown: {
      summary: "The container runtime {{runtime}} on {{node}} is not running ({{state}})",
      rootCause:
        "The node-diagnostics file of {{node}} shows {{runtime}} {{state}} ({{method}}). The kubelet cannot create or inspect containers without its CRI runtime: it reports the node NotReady (\"container runtime is down\" / \"PLEG is not healthy\") and no pod there can start.",
      remediation: "Read the runtime's log (journalctl -u containerd), fix it and restart it; then the kubelet recovers by itself.",
    },
  },
  run({ snapshot, index, report }) {
    for (const d of snapshot.nodeDiagnostics ?? []) {
      if (!d.services.available) continue;
      const ref = nodeRefOf(d);
      const units = d.services.units;
      const node = nodeObjectOf(index, d);
      const configured = node?.status?.nodeInfo?.containerRuntimeVersion && runtimeOf(node) ? node : undefined;
      const down = downServices(d, node);
      for (const unit of down) {
        const i = units.indexOf(unit);
        const evidence: Evidence[] = [
          { ref, path: `${DIAGNOSTICS_PATH}.services.units[${i}].state`, value: unit.state, note: `${unit.name}: ${describe(unit)} (${d.services.method}; ${collectedNote(d)})` },
        ];
        if (unit.name !== "kubelet" && configured) {
          evidence.push({ ref, path: "status.nodeInfo.containerRuntimeVersion", value: configured.status!.nodeInfo!.containerRuntimeVersion });
        }
        const logs = d.journal.available ? d.journal.errors.filter((e) => e.unit === unit.name || (unit.name === "kubelet" && e.unit === "kubelet")) : [];
        for (const line of logs.slice(-5)) evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.journal`, value: line.text, note: `${line.unit} log (${d.journal.available ? d.journal.source : ""})` });
        const ready = node?.status?.conditions?.find((c) => c.type === "Ready");
        if (ready) evidence.push({ ref, path: "status.conditions[Ready].status", value: ready.status, note: ready.message });
        const investigation: InvestigationStep[] = [
          { step: `Check the ${unit.name} service on the node`, command: debugCommand(d.node, `systemctl status ${unit.name}`), result: describe(unit), outcome: "problem" },
          {
            step: `Read its recent log`,
            command: debugCommand(d.node, `journalctl -u ${unit.name} --since -1h`),
            result: logs.length ? `${logs.length} error lines, last: ${logs[logs.length - 1]!.text.slice(0, 200)}` : d.journal.available ? "no error line collected" : `not available: ${d.journal.reason}`,
            outcome: logs.length ? "problem" : "unknown",
          },
        ];
        if (node) investigation.push({ step: "Check the Node's Ready condition", command: `kubectl get node ${d.node}`, result: `Ready=${ready?.status ?? "unknown"}`, outcome: ready?.status === "True" ? "ok" : "problem" });
        const data = { node: d.node, state: describe(unit), method: d.services.method === "systemd" ? "systemd" : "no process in /proc" };
        report(unit.name === "kubelet" ? "kubeletDown" : "runtimeDown", {
          subject: ref,
          data: unit.name === "kubelet" ? data : { ...data, runtime: unit.name },
          evidence,
          investigation,
          remediation: [
            {
              description: `Start ${unit.name} again once its log shows why it stopped`,
              command: debugCommand(d.node, `systemctl restart ${unit.name}`),
              verify: node ? `kubectl wait --for=condition=Ready node/${d.node} --timeout=5m` : debugCommand(d.node, `systemctl is-active ${unit.name}`),
            },
          ],
        });
      }
    }
  },
});
