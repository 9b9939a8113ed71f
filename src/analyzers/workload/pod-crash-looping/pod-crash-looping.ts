// Decides which workloads have crash-looping containers and why each exits: OOM kill at the memory limit, liveness kills, clean exits, or an application error.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Event, Pod } from "../../../model/kube.js";
import { formatRef, refOf, type ObjectRef } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import {
  WORKLOAD_KINDS,
  canRollout,
  containerEntries,
  describePodCommand,
  eventEvidence,
  groupByWorkload,
  isAboutContainer,
  isCrashLooping,
  isSettled,
  kubectlTarget,
  logTail,
  nsFlag,
  podCount,
  podEvents,
  podEventsCommand,
  podNames,
  verifyCommand,
  type ContainerEntry,
} from "../workload-pods.js";

type Cause = "oomKilled" | "oomKilledWithoutLimit" | "livenessProbeKilled" | "exitedCleanly" | "crashLoop";

/** Exit codes as shells and the kernel produce them; 128+n means "killed by signal n". */
function exitCodeMeaning(code: number): string {
  const known: Record<number, string> = {
    0: "success",
    1: "application error",
    2: "usage error",
    126: "command not executable",
    127: "command not found",
    134: "SIGABRT (128+6)",
    137: "SIGKILL (128+9)",
    139: "SIGSEGV (128+11)",
    143: "SIGTERM (128+15)",
  };
  if (known[code]) return known[code]!;
  if (code > 128 && code < 160) return `signal ${code - 128}`;
  return "application-defined";
}

/** A memory quantity doubled in the same unit (`256Mi` -> `512Mi`), for a first remediation step. */
function doubled(quantity: string): string | undefined {
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(quantity.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * 2;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}${m[2]}`;
}

const livenessFailure = (e: Event): boolean => e.reason === "Unhealthy" && (e.message ?? "").startsWith("Liveness probe failed");

function classify(pod: Pod, entry: ContainerEntry, index: ClusterIndex): { cause: Cause; probeEvent?: Event } {
  const last = entry.status.lastState?.terminated;
  if (last?.reason === "OOMKilled") {
    return { cause: entry.spec?.resources?.limits?.memory ? "oomKilled" : "oomKilledWithoutLimit" };
  }
  // The kubelet's prober records "Liveness probe failed: ..." (reason Unhealthy) before it kills the container.
  const probe = podEvents(index, pod, (e) => livenessFailure(e) && isAboutContainer(e, entry.name)).at(-1);
  if (probe) return { cause: "livenessProbeKilled", probeEvent: probe };
  if (last && last.exitCode === 0) return { cause: "exitedCleanly" };
  return { cause: "crashLoop" };
}

export const podCrashLooping = defineAnalyzer({
  id: "pod-crash-looping",
  title: "Containers crash-looping",
  area: "workload",
  severity: "error",
  needs: ["Pod", "Event", ...WORKLOAD_KINDS],
  needsLogs: true,
  messages: {
    crashLoop: {
      summary: "{{workload}}: {{pods}} crash-looping, container {{container}} exits with code {{exitCode}} ({{reason}})",
      rootCause:
        "Container {{container}} keeps exiting with code {{exitCode}} (reason {{reason}}) and the kubelet restarts it with a growing back-off ({{restarts}} restarts on pod {{pod}}). The failure is in the process itself: its last log lines say why it stops.",
      remediation: "Read `kubectl logs POD -c CONTAINER --previous`, fix the error (configuration, dependency, code), or roll back to the last revision that ran.",
    },
    oomKilled: {
      summary: "{{workload}}: {{pods}} crash-looping, container {{container}} is OOMKilled at its {{memoryLimit}} memory limit",
      rootCause:
        "The kernel OOM killer ends container {{container}} (exit code {{exitCode}}, reason OOMKilled) when its memory use reaches resources.limits.memory {{memoryLimit}}; the kubelet restarts it ({{restarts}} restarts on pod {{pod}}).",
      remediation: "Raise the container's memory limit to what it really needs, or bound its memory use (heap size, caches, concurrency).",
    },
    oomKilledWithoutLimit: {
      summary: "{{workload}}: {{pods}} crash-looping, container {{container}} is OOMKilled without a memory limit",
      rootCause:
        "Container {{container}} sets no memory limit and is still OOMKilled (exit code {{exitCode}}, {{restarts}} restarts on pod {{pod}}): the kernel killed it because the node, or the pod's cgroup, ran out of memory.",
      remediation: "Set memory requests and limits from the container's measured use, and check the node for memory pressure and overcommitment.",
    },
    livenessProbeKilled: {
      summary: "{{workload}}: {{pods}} restarting, liveness probe of container {{container}} fails",
      rootCause:
        "The kubelet kills container {{container}} because its liveness probe fails (\"{{probeMessage}}\"); every kill is a restart ({{restarts}} restarts on pod {{pod}}). Either the process hangs, or the probe is wrong for it (path, port, timeout, or too little time to start).",
      remediation: "Make the probe match the application (path, port, timeoutSeconds, a startupProbe for slow starts), or fix the hang it detects.",
    },
    exitedCleanly: {
      summary: "{{workload}}: {{pods}} crash-looping, container {{container}} exits with code 0",
      rootCause:
        "Container {{container}} finishes successfully (exit code {{exitCode}}, reason {{reason}}) but restartPolicy {{restartPolicy}} makes the kubelet start it again ({{restarts}} restarts on pod {{pod}}): its command runs to completion instead of staying in the foreground.",
      remediation: "Run the process in the foreground (no daemonizing, no `&`), or run one-shot work as a Job.",
    },
  },
  run({ index, snapshot, now, report }) {
    const found: { pod: Pod; detail: ContainerEntry }[] = [];
    for (const pod of index.all<Pod>("Pod")) {
      if (isSettled(pod)) continue;
      const looping = containerEntries(pod).find((c) => isCrashLooping(c.status, now));
      if (looping) found.push({ pod, detail: looping });
    }

    for (const group of groupByWorkload(index, found)) {
      const { pod, detail: entry } = group.members[0]!;
      const pods = group.members.map((m) => m.pod);
      const ns = pod.metadata.namespace ?? "default";
      const podRef = refOf(pod);
      const { cause, probeEvent } = classify(pod, entry, index);
      const status = entry.status;
      const last = status.lastState?.terminated;
      const waiting = status.state?.waiting;
      const memoryLimit = entry.spec?.resources?.limits?.memory;
      const restartPolicy = pod.spec.restartPolicy ?? "Always";

      const evidence: Evidence[] = [
        { ref: podRef, path: `${entry.statusPath}.name`, value: entry.name, note: entry.init ? "init container" : "container" },
        { ref: podRef, path: `${entry.statusPath}.restartCount`, value: status.restartCount },
      ];
      if (waiting?.reason) evidence.push({ ref: podRef, path: `${entry.statusPath}.state.waiting.reason`, value: waiting.reason, ...(waiting.message ? { note: waiting.message } : {}) });
      if (last) {
        evidence.push({ ref: podRef, path: `${entry.statusPath}.lastState.terminated.reason`, value: last.reason ?? null, ...(last.finishedAt ? { note: `finished ${last.finishedAt}` } : {}) });
        evidence.push({ ref: podRef, path: `${entry.statusPath}.lastState.terminated.exitCode`, value: last.exitCode, note: exitCodeMeaning(last.exitCode) });
        if (last.message) evidence.push({ ref: podRef, path: `${entry.statusPath}.lastState.terminated.message`, value: last.message });
      }
      if (cause === "oomKilled" && entry.specPath) {
        evidence.push({ ref: podRef, path: `${entry.specPath}.resources.limits.memory`, value: memoryLimit, note: "the limit the container reached" });
      }
      if (cause === "oomKilledWithoutLimit" && entry.specPath) {
        evidence.push({ ref: podRef, path: `${entry.specPath}.resources`, value: entry.spec?.resources ?? null, note: "no limits.memory" });
      }
      if (cause === "livenessProbeKilled" && entry.specPath && entry.spec?.livenessProbe) {
        evidence.push({ ref: podRef, path: `${entry.specPath}.livenessProbe`, value: entry.spec.livenessProbe });
      }
      if (cause === "exitedCleanly") {
        evidence.push({ ref: podRef, path: "spec.restartPolicy", value: restartPolicy, ...(pod.spec.restartPolicy ? {} : { note: "not set: defaults to Always" }) });
      }
      const relevantEvents = podEvents(
        index,
        pod,
        (e) =>
          isAboutContainer(e, entry.name) &&
          ((e.reason === "BackOff" && (e.message ?? "").startsWith("Back-off restarting failed container")) ||
            livenessFailure(e) ||
            (e.reason === "Killing" && (e.message ?? "").includes("failed liveness probe"))),
      );
      for (const e of relevantEvents) evidence.push(eventEvidence(pod, e));
      const logs = logTail(snapshot, pod, entry.name);
      for (const line of logs?.lines ?? []) evidence.push({ ref: podRef, path: "log", value: line, note: entry.name });
      for (const other of group.members.slice(1, 6)) {
        evidence.push({
          ref: refOf(other.pod),
          path: `${other.detail.statusPath}.restartCount`,
          value: other.detail.status.restartCount,
          note: `container ${other.detail.name}: ${other.detail.status.state?.waiting?.reason ?? "restarting"}, last exit ${other.detail.status.lastState?.terminated?.exitCode ?? "?"}`,
        });
      }

      const exitCode = last?.exitCode ?? "unknown";
      const reason = last?.reason ?? waiting?.reason ?? "unknown";
      const data: Record<string, string | number> = {
        workload: formatRef(group.subject),
        pods: podCount(pods.length),
        pod: pod.metadata.name,
        container: entry.name,
        exitCode,
        reason,
        restarts: status.restartCount,
      };
      if (memoryLimit) data.memoryLimit = memoryLimit;
      if (probeEvent) data.probeMessage = probeEvent.message ?? "";
      if (cause === "exitedCleanly") data.restartPolicy = restartPolicy;

      const investigation: InvestigationStep[] = [
        {
          step: "Check the container's state",
          command: `kubectl get pod ${pod.metadata.name}${nsFlag(pod)} -o jsonpath='{.status.${entry.init ? "initContainerStatuses" : "containerStatuses"}[?(@.name=="${entry.name}")].state}'`,
          result: `${waiting?.reason ? `waiting: ${waiting.reason}` : status.state?.running ? "running (between crashes)" : "not running"}, ${status.restartCount} restarts`,
          outcome: "problem",
        },
        {
          step: "Read the last termination",
          command: describePodCommand(pod),
          result: last
            ? `Last State: Terminated, Reason: ${last.reason ?? "?"}, Exit Code: ${last.exitCode} (${exitCodeMeaning(last.exitCode)})${last.finishedAt ? `, finished ${last.finishedAt}` : ""}`
            : "no last termination recorded",
          outcome: last ? "problem" : "unknown",
        },
        {
          step: "Read the crashed container's logs",
          command: `kubectl logs ${pod.metadata.name}${nsFlag(pod)} -c ${entry.name} --previous`,
          result: logs
            ? logs.lines.length
              ? `last lines${logs.previous ? "" : " (current instance)"}: ${logs.lines.join(" | ")}`
              : "the log is empty: the process exits before writing anything"
            : "logs are not in the snapshot; run the command",
          outcome: logs ? "problem" : "unknown",
        },
      ];
      if (cause === "oomKilled" || cause === "oomKilledWithoutLimit") {
        investigation.push({
          step: "Compare with the memory limit",
          command: `kubectl get pod ${pod.metadata.name}${nsFlag(pod)} -o jsonpath='{.spec.${entry.init ? "initContainers" : "containers"}[?(@.name=="${entry.name}")].resources}'`,
          result: memoryLimit ? `limits.memory=${memoryLimit}` : "no memory limit set",
          outcome: "problem",
        });
        if (cause === "oomKilledWithoutLimit" && pod.spec.nodeName) {
          investigation.push({
            step: "Check the node for memory pressure",
            command: `kubectl describe node ${pod.spec.nodeName}`,
            result: "see Conditions (MemoryPressure) and Allocated resources",
            outcome: "unknown",
          });
        }
      }
      investigation.push({
        step: "List the pod's events",
        command: podEventsCommand(pod),
        result: relevantEvents.length
          ? relevantEvents.map((e) => `${e.reason}: ${e.message}`).join(" | ")
          : "no BackOff or probe events in the snapshot",
        outcome: relevantEvents.length ? "problem" : "unknown",
      });
      if (pods.length > 1) {
        investigation.push({
          step: `Check the other pods of ${formatRef(group.subject)}`,
          command: `kubectl get pods${nsFlag(pod)} -o wide`,
          result: `${podCount(pods.length)} crash-looping: ${podNames(pods)}`,
          outcome: "problem",
        });
      }

      report(cause, {
        subject: group.subject,
        data,
        evidence,
        investigation,
        remediation: remediationFor(cause, group.subject, pod, entry, ns, pods),
        affected: pods.map((p) => refOf(p)),
        // An application error exit (not an OOM, liveness or clean exit): a finding that read why in these pods' logs is the cause.
        ...(cause === "crashLoop" ? { explainedByPodLogs: true } : {}),
      });
    }
  },
});

function remediationFor(cause: Cause, subject: ObjectRef, pod: Pod, entry: ContainerEntry, ns: string, pods: readonly Pod[]): Remediation[] {
  const target = kubectlTarget(subject);
  const verify = verifyCommand(subject, pods);
  const rollout = canRollout(subject.kind);
  const recreate = rollout
    ? undefined
    : subject.kind === "Pod"
      ? `kubectl get pod ${pod.metadata.name} -n ${ns} -o yaml > ${pod.metadata.name}.yaml && kubectl replace --force -f ${pod.metadata.name}.yaml`
      : `kubectl get ${target} -n ${ns} -o yaml > ${subject.name}.yaml && kubectl replace --force -f ${subject.name}.yaml`;
  const editThenRecreate = (description: string): Remediation => ({
    description: `${description} (edit the saved manifest before replacing: the pod template cannot be changed in place)`,
    command: recreate!,
    verify,
  });
  const limit = entry.spec?.resources?.limits?.memory;
  switch (cause) {
    case "oomKilled": {
      const raised = limit ? doubled(limit) : undefined;
      const description = `Raise the memory limit of container ${entry.name} above ${limit} (doubling is a first step; then size it from measured use), or cut the process's memory use`;
      if (rollout && raised) {
        return [
          {
            description,
            command: `kubectl set resources ${target} -n ${ns} -c ${entry.name} --limits=memory=${raised}`,
            verify,
            rollback: `kubectl set resources ${target} -n ${ns} -c ${entry.name} --limits=memory=${limit}`,
          },
        ];
      }
      return [editThenRecreate(description)];
    }
    case "oomKilledWithoutLimit": {
      const description = `Measure container ${entry.name}'s memory use (kubectl top pod ${pod.metadata.name} -n ${ns} --containers) and set requests and a limit from it, so the scheduler reserves that memory on the node`;
      if (rollout) {
        return [
          {
            description,
            command: `kubectl set resources ${target} -n ${ns} -c ${entry.name} --requests=memory=<measured peak> --limits=memory=<peak plus headroom>`,
            verify,
            rollback: `kubectl rollout undo ${target} -n ${ns}`,
          },
        ];
      }
      return [editThenRecreate(description)];
    }
    case "livenessProbeKilled": {
      const description = `Fix what the liveness probe of container ${entry.name} detects, or correct the probe (path, port, timeoutSeconds, failureThreshold; add a startupProbe for slow starts)`;
      if (rollout) {
        return [{ description, command: `kubectl edit ${target} -n ${ns}`, verify, rollback: `kubectl rollout undo ${target} -n ${ns}` }];
      }
      return [editThenRecreate(description)];
    }
    case "exitedCleanly": {
      const description = `Make container ${entry.name}'s command stay in the foreground, or move this one-shot work to a Job`;
      if (rollout) {
        return [{ description, command: `kubectl edit ${target} -n ${ns}`, verify, rollback: `kubectl rollout undo ${target} -n ${ns}` }];
      }
      return [editThenRecreate(description)];
    }
    case "crashLoop": {
      if (rollout) {
        return [
          {
            description: `If the crashes began with the latest rollout of ${formatRef(subject)}, roll back to the previous revision while the error in the logs is fixed`,
            command: `kubectl rollout undo ${target} -n ${ns}`,
            verify,
            rollback: `kubectl rollout undo ${target} -n ${ns}`,
          },
          {
            description: `Otherwise fix the error that container ${entry.name} logs before exiting (configuration, a dependency it cannot reach, code)`,
            command: `kubectl logs ${pod.metadata.name} -n ${ns} -c ${entry.name} --previous`,
            verify,
          },
        ];
      }
      return [editThenRecreate(`Fix the error that container ${entry.name} logs before exiting`)];
    }
  }
}
