// Decides which workloads have Running pods that stay Not Ready past their probes' start-up budget: failing readiness or startup probes, or a readiness gate that is not True. Crash loops and pull/config errors are left to their own analyzers.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Condition, Event, Pod, Probe } from "../../../model/kube.js";
import { formatRef, refOf, type ObjectRef } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { formatAge, parseTime } from "../../../semantics/time.js";
import {
  WORKLOAD_KINDS,
  canRollout,
  containerEntries,
  eventEvidence,
  groupByWorkload,
  isAboutContainer,
  isCrashLooping,
  kubectlTarget,
  podCount,
  podEvents,
  podEventsCommand,
  podNames,
  verifyCommand,
  type ContainerEntry,
} from "../workload-pods.js";
import { isPodReady } from "../../../semantics/pod.js";

/** A pod Not Ready for less than this may still be starting. */
const NOT_READY_GRACE_MS = 60_000;

type MessageId = "readinessProbeFailing" | "startupProbeFailing" | "notReadyWithoutProbeEvents" | "readinessGateFalse";

function condition(pod: Pod, type: string): { condition: Condition; index: number } | undefined {
  const conditions = pod.status?.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === type);
  return index < 0 ? undefined : { condition: conditions[index]!, index };
}

/** How long the probe may legitimately keep the container unready after start: initialDelaySeconds + periodSeconds x failureThreshold (API defaults 10 and 3). */
function probeBudgetMs(probe: Probe | undefined): number {
  if (!probe) return 0;
  return ((probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3)) * 1000;
}

/** `HTTP GET :8080/ready`, as `kubectl describe pod` prints probes. */
function describeProbe(probe: Probe | undefined): string {
  if (!probe) return "none";
  const timing = `timeout ${probe.timeoutSeconds ?? 1}s, period ${probe.periodSeconds ?? 10}s, failureThreshold ${probe.failureThreshold ?? 3}`;
  if (probe.httpGet) return `${probe.httpGet.scheme ?? "HTTP"} GET :${probe.httpGet.port}${probe.httpGet.path ?? "/"} (${timing})`;
  if (probe.tcpSocket) return `TCP :${probe.tcpSocket.port} (${timing})`;
  if (probe.grpc) return `gRPC :${probe.grpc.port} (${timing})`;
  if (probe.exec) return `exec ${(probe.exec.command ?? []).join(" ")} (${timing})`;
  return `(${timing})`;
}

interface NotReady {
  since: number;
  ready: { condition: Condition; index: number };
  messageId: MessageId;
  entry?: ContainerEntry;
  probe?: Probe;
  probeField?: "readinessProbe" | "startupProbe";
  events: Event[];
  gate?: { type: string; status: string; index?: number };
}

/** The kubelet's prober events: reason Unhealthy, "<Readiness|Startup> probe failed|errored: <output>". */
function probeEvents(index: ClusterIndex, pod: Pod, kind: "Readiness" | "Startup", container: string): Event[] {
  const pattern = new RegExp(`^${kind} probe (failed|errored)`);
  return podEvents(index, pod, (e) => e.reason === "Unhealthy" && pattern.test(e.message ?? "") && isAboutContainer(e, container));
}

function notReady(index: ClusterIndex, pod: Pod, now: number): NotReady | undefined {
  if (pod.status?.phase !== "Running" || pod.metadata.deletionTimestamp) return undefined;
  const ready = condition(pod, "Ready");
  // Unknown means the node stopped reporting: that is the node analyzers' finding.
  if (!ready || ready.condition.status !== "False") return undefined;
  const entries = containerEntries(pod);
  // Crash loops, pulls, config errors and exited containers have their own analyzers.
  if (entries.some((c) => isCrashLooping(c.status, now) || (!c.init && !c.status.state?.running))) return undefined;
  const since = parseTime(ready.condition.lastTransitionTime) ?? parseTime(pod.status?.startTime) ?? parseTime(pod.metadata.creationTimestamp);
  if (since === undefined) return undefined;

  const unready = entries.find((c) => !c.init && !c.status.ready && c.status.state?.running);
  if (!unready) {
    // Containers are ready; a readiness gate (spec.readinessGates) holds the pod back.
    const gates = (pod.spec.readinessGates as { conditionType: string }[] | undefined) ?? [];
    for (const g of gates) {
      const c = condition(pod, g.conditionType);
      if (c?.condition.status === "True") continue;
      if (now - since < NOT_READY_GRACE_MS) return undefined;
      return {
        since,
        ready,
        messageId: "readinessGateFalse",
        events: [],
        gate: { type: g.conditionType, status: c?.condition.status ?? "absent", ...(c ? { index: c.index } : {}) },
      };
    }
    return undefined;
  }

  const spec = unready.spec;
  const startupPending = Boolean(spec?.startupProbe) && unready.status.started === false;
  const probe = startupPending ? spec?.startupProbe : spec?.readinessProbe;
  const grace = Math.max(NOT_READY_GRACE_MS, probeBudgetMs(probe));
  const startedAt = parseTime(unready.status.state?.running?.startedAt);
  // A container (re)started recently is measured from its start, not from the pod's first transition.
  const measuredFrom = Math.max(since, startedAt ?? since);
  if (now - measuredFrom < grace) return undefined;
  const events = probeEvents(index, pod, startupPending ? "Startup" : "Readiness", unready.name);
  const messageId: MessageId = startupPending ? "startupProbeFailing" : events.length ? "readinessProbeFailing" : "notReadyWithoutProbeEvents";
  return {
    since,
    ready,
    messageId,
    entry: unready,
    ...(probe ? { probe, probeField: startupPending ? ("startupProbe" as const) : ("readinessProbe" as const) } : {}),
    events,
  };
}

export const podNotReady = defineAnalyzer({
  id: "pod-not-ready",
  title: "Running pods stay Not Ready",
  area: "workload",
  severity: "warning",
  needs: ["Pod", "Event", ...WORKLOAD_KINDS],
  messages: {
    readinessProbeFailing: {
      summary: "{{workload}}: {{pods}} Running but not Ready for {{age}}, readiness probe of container {{container}} fails",
      rootCause:
        "Container {{container}} runs, but its readiness probe ({{probe}}) fails: \"{{probeMessage}}\". The kubelet keeps the pod Not Ready, so Services send it no traffic. What the probe checks is down or slow, or the probe is wrong for the container (path, port, scheme, timeout).",
      remediation: "Fix what the readiness endpoint reports (often a dependency it checks), or correct the probe: path, port, scheme, timeoutSeconds.",
    },
    startupProbeFailing: {
      summary: "{{workload}}: {{pods}} not Ready for {{age}}, startup probe of container {{container}} has not passed",
      rootCause:
        "Container {{container}} has not passed its startup probe ({{probe}}): \"{{probeMessage}}\". Until it passes, readiness and liveness probes do not run and the pod stays Not Ready; when the probe's failureThreshold is used up the kubelet restarts the container.",
      remediation: "Give a slow starter more time (failureThreshold x periodSeconds), or fix what keeps it from starting.",
    },
    notReadyWithoutProbeEvents: {
      summary: "{{workload}}: {{pods}} Running but not Ready for {{age}}, container {{container}} is not ready",
      rootCause:
        "Container {{container}} runs but has not been ready for {{age}}; its readiness probe is {{probe}}. The snapshot holds no probe events that say why (events expire after an hour by default).",
      remediation: "Read the probe's failures in `kubectl describe pod` and the container's log; fix the endpoint or the probe.",
    },
    readinessGateFalse: {
      summary: "{{workload}}: {{pods}} not Ready for {{age}}, readiness gate {{gate}} is not True",
      rootCause:
        "Every container is ready, but the pod lists readiness gate {{gate}} and that condition is {{gateStatus}}. The controller that owns the gate (for example a load balancer controller registering targets) has not marked the pod ready, so it stays out of its Services' endpoints.",
      remediation: "Check the controller responsible for the readiness gate's condition (its logs and the target it registers).",
    },
  },
  run({ index, now, report }) {
    const found: { pod: Pod; detail: NotReady }[] = [];
    for (const pod of index.all<Pod>("Pod")) {
      const detail = notReady(index, pod, now);
      if (detail) found.push({ pod, detail });
    }

    for (const group of groupByWorkload(index, found)) {
      const { pod, detail } = group.members[0]!;
      const pods = group.members.map((m) => m.pod);
      const podRef = refOf(pod);
      const ns = pod.metadata.namespace ?? "default";
      const since = Math.min(...group.members.map((m) => m.detail.since));
      const entry = detail.entry;

      const evidence: Evidence[] = [
        {
          ref: podRef,
          path: `status.conditions[${detail.ready.index}].status`,
          value: detail.ready.condition.status,
          note: `Ready, reason ${detail.ready.condition.reason ?? "?"}, since ${detail.ready.condition.lastTransitionTime ?? "?"}`,
        },
      ];
      if (entry) {
        evidence.push({ ref: podRef, path: `${entry.statusPath}.ready`, value: false, note: `container ${entry.name} running since ${entry.status.state?.running?.startedAt ?? "?"}` });
        if (detail.probeField === "startupProbe") evidence.push({ ref: podRef, path: `${entry.statusPath}.started`, value: false });
        if (entry.specPath) {
          evidence.push({ ref: podRef, path: `${entry.specPath}.${detail.probeField ?? "readinessProbe"}`, value: detail.probe ?? null, note: describeProbe(detail.probe) });
        }
      }
      for (const e of detail.events) evidence.push(eventEvidence(pod, e));
      if (detail.gate) {
        evidence.push({ ref: podRef, path: "spec.readinessGates", value: pod.spec.readinessGates });
        evidence.push({
          ref: podRef,
          path: detail.gate.index !== undefined ? `status.conditions[${detail.gate.index}].status` : "status.conditions",
          value: detail.gate.status,
          note: `condition ${detail.gate.type}`,
        });
      }
      for (const other of group.members.slice(1, 6)) {
        evidence.push({
          ref: refOf(other.pod),
          path: `status.conditions[${other.detail.ready.index}].status`,
          value: other.detail.ready.condition.status,
          note: `Ready since ${other.detail.ready.condition.lastTransitionTime ?? "?"}`,
        });
      }

      // All pods of the workload Not Ready: its Services have no endpoints left from it.
      const allPods = group.workload ? index.podsOfWorkload(group.workload) : group.subject.kind === "Pod" ? [pod] : [];
      const noneReady = allPods.length > 0 && !allPods.some(isPodReady);

      const lastEvent = detail.events.at(-1);
      const data: Record<string, string | number> = {
        workload: formatRef(group.subject),
        pods: podCount(pods.length),
        age: formatAge(now - since),
        container: entry?.name ?? "",
        probe: describeProbe(detail.probe),
        probeMessage: lastEvent?.message ?? "",
        gate: detail.gate?.type ?? "",
        gateStatus: detail.gate?.status ?? "",
      };

      const investigation = investigate(index, pod, detail, ns);
      if (pods.length > 1 || group.workload) {
        investigation.push({
          step: `Check the other pods of ${formatRef(group.subject)}`,
          command: `kubectl get pods -n ${ns} -o wide`,
          result: `${podCount(pods.length)} not Ready: ${podNames(pods)}${allPods.length ? ` (${allPods.filter(isPodReady).length} of ${allPods.length} Ready)` : ""}`,
          outcome: "problem",
        });
      }

      report(detail.messageId, {
        subject: group.subject,
        data,
        evidence,
        investigation,
        remediation: remediationFor(detail, group.subject, pod, ns, pods),
        affected: pods.map((p) => refOf(p)),
        ...(noneReady ? { severity: "error" as const } : {}),
      });
    }
  },
});

function investigate(index: ClusterIndex, pod: Pod, detail: NotReady, ns: string): InvestigationStep[] {
  const name = pod.metadata.name;
  const steps: InvestigationStep[] = [
    {
      step: "Check the pod's Ready condition",
      command: `kubectl get pod ${name} -n ${ns} -o jsonpath='{.status.conditions[?(@.type=="Ready")]}'`,
      result: `False (${detail.ready.condition.reason ?? "no reason"}) since ${detail.ready.condition.lastTransitionTime ?? "?"}`,
      outcome: "problem",
    },
  ];
  const entry = detail.entry;
  if (entry) {
    steps.push({
      step: `Read container ${entry.name}'s ${detail.probeField ?? "readinessProbe"}`,
      command: `kubectl get pod ${name} -n ${ns} -o jsonpath='{.spec.containers[?(@.name=="${entry.name}")].${detail.probeField ?? "readinessProbe"}}'`,
      result: describeProbe(detail.probe),
      outcome: detail.probe ? "ok" : "unknown",
    });
    steps.push({
      step: "Read the probe failures",
      command: podEventsCommand(pod),
      result: detail.events.length ? detail.events.map((e) => `${e.message} (x${e.count ?? 1})`).join(" | ") : "no Unhealthy events in the snapshot",
      outcome: detail.events.length ? "problem" : "unknown",
    });
    const http = detail.probe?.httpGet;
    if (http) {
      steps.push({
        step: "Call the probe endpoint yourself",
        command: `kubectl port-forward pod/${name} -n ${ns} 18080:${http.port} & curl -sv ${(http.scheme ?? "HTTP").toLowerCase()}://localhost:18080${http.path ?? "/"}`,
        result: "run it: the status code and body say what the application reports",
        outcome: "unknown",
      });
    }
    steps.push({
      step: "Read the container's recent log",
      command: `kubectl logs ${name} -n ${ns} -c ${entry.name} --tail=50`,
      result: "run it: look for errors reaching its dependencies",
      outcome: "unknown",
    });
  }
  if (detail.gate) {
    steps.push({
      step: `Read readiness gate condition ${detail.gate.type}`,
      command: `kubectl get pod ${name} -n ${ns} -o jsonpath='{.status.conditions[?(@.type=="${detail.gate.type}")]}'`,
      result: detail.gate.status === "absent" ? "the condition was never set" : `status ${detail.gate.status}`,
      outcome: "problem",
    });
  }
  const services = index.servicesSelectingPod(pod);
  if (services.length) {
    steps.push({
      step: "See which Services lose this pod as an endpoint",
      command: `kubectl get endpointslices -n ${ns} -l kubernetes.io/service-name=${services[0]!.metadata.name}`,
      result: `selected by ${services.map((s) => s.metadata.name).join(", ")}: the pod is listed not ready`,
      outcome: "problem",
    });
  }
  return steps;
}

function remediationFor(detail: NotReady, subject: ObjectRef, pod: Pod, ns: string, pods: readonly Pod[]): Remediation[] {
  const target = kubectlTarget(subject);
  const verify = `kubectl get pods -n ${ns} -w`;
  const rollout = canRollout(subject.kind);
  const entry = detail.entry;
  if (detail.messageId === "readinessGateFalse") {
    return [
      {
        description: `Find why the controller that owns condition ${detail.gate!.type} has not set it True (its logs, the load balancer target it registers, its permissions)`,
        command: `kubectl get pod ${pod.metadata.name} -n ${ns} -o jsonpath='{.status.conditions}'`,
        verify,
      },
    ];
  }
  if (detail.messageId === "startupProbeFailing" && entry?.specPath && detail.probe && rollout) {
    const threshold = (detail.probe.failureThreshold ?? 3) * 2;
    const path = `/spec/template/${entry.specPath.replace(/\[(\d+)\]/g, "/$1").replace(/\./g, "/")}/startupProbe/failureThreshold`;
    return [
      {
        description: `If container ${entry.name} is only slow to start, give it twice the time (failureThreshold ${detail.probe.failureThreshold ?? 3} -> ${threshold}); otherwise fix what its log shows it waiting for`,
        command: `kubectl patch ${target} -n ${ns} --type=json -p '[{"op":"${detail.probe.failureThreshold === undefined ? "add" : "replace"}","path":"${path}","value":${threshold}}]'`,
        verify: verifyCommand(subject, pods),
        rollback: `kubectl rollout undo ${target} -n ${ns}`,
      },
    ];
  }
  const what = `Fix what container ${entry?.name ?? "?"}'s readiness check reports (usually a dependency it checks: database, cache, downstream API), or correct the probe if it points at the wrong path, port or scheme or times out too early`;
  return [
    rollout
      ? { description: what, command: `kubectl edit ${target} -n ${ns}`, verify: verifyCommand(subject, pods), rollback: `kubectl rollout undo ${target} -n ${ns}` }
      : {
          description: `${what}; probes in a pod template cannot be changed in place: edit the saved manifest, then replace it`,
          command: `kubectl get ${target} -n ${ns} -o yaml > ${subject.name}.yaml && kubectl replace --force -f ${subject.name}.yaml`,
          verify,
        },
  ];
}
