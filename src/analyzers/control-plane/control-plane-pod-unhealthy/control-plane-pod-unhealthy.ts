// Decides which static control-plane pods (mirror pods in kube-system) are not ready, with their log's error lines, and which etcd log lines name a known etcd problem (NOSPACE alarm, slow applies, late heartbeats).
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Pod } from "../../../model/kube.js";
import type { PodLog } from "../../../model/snapshot.js";
import { refOf } from "../../../model/ref.js";

/** The kubelet marks the API object of a static pod (its mirror pod) with this annotation. */
const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

/** etcd's own log messages (go.etcd.io/etcd/server) and what they mean. */
const ETCD_PATTERNS: readonly { id: "etcdNoSpace" | "etcdSlowApply" | "etcdHeartbeat"; pattern: RegExp }[] = [
  // The backend reached --quota-backend-bytes: etcd raises the NOSPACE alarm and accepts only reads and deletes.
  { id: "etcdNoSpace", pattern: /database space exceeded|alarm:NOSPACE|"alarm":"NOSPACE"|NOSPACE/ },
  // etcdserver warns when applying a request took longer than 100 ms (expected-duration).
  { id: "etcdSlowApply", pattern: /apply request took too long/ },
  // raft: the leader could not send heartbeats on time, usually a slow disk (fsync) or CPU starvation.
  { id: "etcdHeartbeat", pattern: /failed to send out heartbeat on time/ },
];

const ERROR_LINE = /\b(error|fatal|panic|failed)\b|"level":"(error|fatal|panic)"|^E\d{4} /i;

function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.namespace === "kube-system" && pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
}

function isEtcdPod(pod: Pod): boolean {
  return pod.metadata.namespace === "kube-system" && (pod.metadata.labels?.component === "etcd" || /^etcd-/.test(pod.metadata.name));
}

function logsOf(logs: readonly PodLog[], pod: Pod): PodLog[] {
  return logs.filter((l) => l.namespace === pod.metadata.namespace && l.pod === pod.metadata.name);
}

export const controlPlanePodUnhealthy = defineAnalyzer({
  id: "control-plane-pod-unhealthy",
  title: "Static control-plane pods not ready, and etcd's known log errors",
  area: "control-plane",
  severity: "error",
  needs: ["Pod"],
  needsLogs: true,
  messages: {
    notReady: {
      summary: "Control-plane pod {{pod}} is not ready ({{state}})",
      rootCause: "The static pod {{pod}} (its mirror pod in kube-system) is not ready: {{state}}. {{lines}} error lines in its log.",
      remediation: "Read the component's log on its node (crictl logs, or kubectl logs of the mirror pod), fix its manifest in /etc/kubernetes/manifests or what it depends on.",
    },
    etcdNoSpace: {
      summary: "etcd {{pod}} is out of space (NOSPACE alarm): writes are refused",
      severity: "critical",
      rootCause: "etcd's log says \"{{line}}\": its database reached --quota-backend-bytes, etcd raised the NOSPACE alarm and refuses every write (\"mvcc: database space exceeded\") until space is reclaimed and the alarm disarmed.",
      remediation: "Compact to the current revision, defragment every member, then disarm the alarm: etcdctl compact <rev>; etcdctl defrag --cluster; etcdctl alarm disarm. Raise --quota-backend-bytes if the data legitimately grew.",
    },
    etcdSlowApply: {
      summary: "etcd {{pod}} applies requests slowly ({{count}} \"apply request took too long\")",
      severity: "warning",
      rootCause: "etcd logged \"apply request took too long\" {{count}} times (applying took longer than the expected 100 ms), e.g. \"{{line}}\": disk latency, a large database, expensive range requests or CPU starvation slow every API call.",
      remediation: "Check disk latency (etcd_disk_wal_fsync_duration_seconds, backend_commit_duration_seconds), put etcd on a dedicated SSD, defragment a large database, find expensive LISTs.",
    },
    etcdHeartbeat: {
      summary: "etcd {{pod}} leader sends heartbeats late ({{count}} times)",
      severity: "warning",
      rootCause: "etcd logged \"failed to send out heartbeat on time\" {{count}} times, e.g. \"{{line}}\": the leader is overloaded, most often by a slow disk; followers may start elections and the cluster loses its leader.",
      remediation: "Give etcd a faster, dedicated disk and enough CPU; raise --heartbeat-interval/--election-timeout only for high-latency networks.",
    },
  },
  run({ index, snapshot, report }) {
    for (const pod of index.inNamespace<Pod>("Pod", "kube-system")) {
      const mirror = isMirrorPod(pod);
      const etcd = isEtcdPod(pod);
      if (!mirror && !etcd) continue;
      const ref = refOf(pod);
      const logs = logsOf(snapshot.logs, pod);
      if (etcd) {
        for (const { id, pattern } of ETCD_PATTERNS) {
          const hits: { log: PodLog; line: string }[] = [];
          for (const log of logs) for (const line of log.text.split("\n")) if (pattern.test(line)) hits.push({ log, line: line.trim() });
          if (hits.length === 0) continue;
          report(id, {
            subject: ref,
            data: { pod: pod.metadata.name, count: hits.length, line: hits.at(-1)!.line.slice(0, 300) },
            evidence: hits.slice(-5).map((h) => ({ ref, path: "log", value: h.line, note: `container ${h.log.container}${h.log.previous ? " (previous)" : ""}` })),
            investigation: [{ step: "Ask etcd for its status and alarms", command: "etcdctl endpoint status -w table && etcdctl alarm list", result: "not in the snapshot", outcome: "unknown" }],
            remediation: [{ description: "See the message's remediation", command: `kubectl -n kube-system logs ${pod.metadata.name} --tail=200` }],
          });
        }
      }
      if (!mirror || pod.status?.phase === "Succeeded") continue;
      const readyIndex = (pod.status?.conditions ?? []).findIndex((c) => c.type === "Ready");
      const ready = readyIndex >= 0 ? pod.status!.conditions![readyIndex]! : undefined;
      if (ready?.status === "True" || (!ready && pod.status?.phase === "Running")) continue;
      const waiting = (pod.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter(Boolean);
      const state = [pod.status?.phase ?? "no phase", ...waiting].join(", ");
      const errorLines = logs.flatMap((l) => l.text.split("\n").filter((line) => ERROR_LINE.test(line)).map((line) => ({ l, line: line.trim() })));
      const evidence: Evidence[] = [
        { ref, path: "metadata.annotations", value: MIRROR_ANNOTATION, note: "a static pod's mirror" },
        ready ? { ref, path: `status.conditions[${readyIndex}].status`, value: ready.status, note: ready.reason ?? "" } : { ref, path: "status.phase", value: pod.status?.phase ?? null },
        ...errorLines.slice(-5).map((e) => ({ ref, path: "log", value: e.line, note: `container ${e.l.container}` })),
      ];
      report("notReady", {
        subject: ref,
        data: { pod: pod.metadata.name, state, lines: errorLines.length },
        evidence,
        investigation: [{ step: "Read the component's log", command: `kubectl -n kube-system logs ${pod.metadata.name} --tail=100`, result: errorLines.at(-1)?.line ?? "no error line in the snapshot", outcome: errorLines.length ? "problem" : "unknown" }],
        remediation: [{ description: "Fix the static pod's manifest or dependency on its node, the kubelet restarts it", command: `kubectl -n kube-system get pod ${pod.metadata.name} -w`, verify: "READY 1/1" }],
      });
    }
  },
});
