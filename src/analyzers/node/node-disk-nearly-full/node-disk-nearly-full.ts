// Decides, from a node-diagnostics file, whether the filesystems of the kubelet, runtime or log directories are nearly full (space or inodes).
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import { collectedNote, debugCommand, DEFAULT_EVICTION, DIAGNOSTICS_PATH, fullDirectories, NEARLY_FULL_PERCENT, nodeObjectOf, nodeRefOf } from "../node-diagnostics.js";

const percent = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.floor(n)}%`;

export const nodeDiskNearlyFull = defineAnalyzer({
  id: "node-disk-nearly-full",
  title: "Kubelet or runtime filesystem nearly full on a node",
  area: "node",
  severity: "warning",
  needs: ["Node"],
  messages: {
    nearlyFull: {
      summary: "Disk on {{node}} is nearly full: {{detail}}",
      rootCause:
        "The node-diagnostics file of {{node}} shows {{detail}} (" + `${NEARLY_FULL_PERCENT}` + "% used or more). Below the kubelet's eviction thresholds (by default nodefs.available<10%, imagefs.available<15%, inodesFree<5%) the node gets DiskPressure, image garbage collection runs and pods are evicted.",
      remediation: "Free space or inodes before the kubelet starts evicting: unused images (crictl rmi --prune), old container logs, emptyDir data; grow the disk.",
    },
    belowEvictionThreshold: {
      summary: "Disk on {{node}} is below the kubelet's eviction threshold: {{detail}}",
      rootCause:
        "The node-diagnostics file of {{node}} shows {{detail}}: below the kubelet's default hard eviction threshold for that filesystem. The kubelet sets DiskPressure (taint node.kubernetes.io/disk-pressure), garbage-collects images and dead containers, and evicts pods by their ephemeral-storage use until the threshold is met again.",
      remediation: "Free space or inodes now: unused images (crictl rmi --prune), large container logs, emptyDir data; find the largest directories listed in the evidence; grow the disk.",
      severity: "error",
    },
  },
  run({ snapshot, index, report }) {
    for (const d of snapshot.nodeDiagnostics ?? []) {
      const full = fullDirectories(d);
      if (full.length === 0) continue;
      const ref = nodeRefOf(d);
      const evidence: Evidence[] = [];
      const details: string[] = [];
      for (const f of full) {
        const dir = d.directories[f.index]!;
        const fs = dir.filesystem!;
        const t = DEFAULT_EVICTION[f.signal];
        const parts: string[] = [];
        if (f.resources.includes("space")) {
          parts.push(`${fs.usedPercent}% of space used, ${percent(f.availablePercent)} available (${f.signal}.available threshold ${t.available}%)`);
          evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.directories[${f.index}].filesystem.usedPercent`, value: fs.usedPercent, note: `${dir.path}: ${fs.availableBytes} of ${fs.totalBytes} bytes available; ${collectedNote(d)}` });
        }
        if (f.resources.includes("inodes")) {
          parts.push(`${fs.inodesUsedPercent}% of inodes used, ${percent(f.inodesFreePercent ?? 0)} free (${f.signal}.inodesFree threshold ${t.inodesFree}%)`);
          evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.directories[${f.index}].filesystem.inodesUsedPercent`, value: fs.inodesUsedPercent, note: `${dir.path}: ${fs.freeInodes} of ${fs.totalInodes} inodes free` });
        }
        for (const l of dir.largest ?? []) evidence.push({ ref, path: `${DIAGNOSTICS_PATH}.directories[${f.index}].largest`, value: l.path, note: `${l.bytes} bytes${dir.walkComplete === false ? " (walk incomplete: at least)" : ""}` });
        details.push(`${dir.path} ${parts.join(", ")}`);
      }
      const node = nodeObjectOf(index, d);
      const disk = node?.status?.conditions?.find((c) => c.type === "DiskPressure");
      if (disk) evidence.push({ ref, path: "status.conditions[DiskPressure].status", value: disk.status, note: disk.message });
      const below = full.some((f) => f.belowThreshold);
      report(below ? "belowEvictionThreshold" : "nearlyFull", {
        subject: ref,
        data: { node: d.node, detail: details.join("; ") },
        evidence,
        investigation: [
          { step: "Check the filesystems of the kubelet and the runtime", command: debugCommand(d.node, `df -h ${full.map((f) => f.path).join(" ")}`), result: details.join("; "), outcome: "problem" },
          { step: "Check the node's DiskPressure condition", command: `kubectl describe node ${d.node}`, result: disk ? `DiskPressure=${disk.status}` : "Node not in the snapshot", outcome: disk?.status === "True" ? "problem" : "unknown" },
        ],
        remediation: [
          {
            description: "Remove unused images and find the largest directories",
            command: debugCommand(d.node, `sh -c 'crictl rmi --prune; du -xh --max-depth=2 ${full.map((f) => f.path).join(" ")} | sort -rh | head -20'`),
            verify: debugCommand(d.node, `df -h ${full.map((f) => f.path).join(" ")}`),
          },
        ],
      });
    }
  },
});
