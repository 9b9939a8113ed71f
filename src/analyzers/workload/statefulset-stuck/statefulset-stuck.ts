// Decides which StatefulSets with podManagementPolicy OrderedReady are blocked at one ordinal, and why
// that pod is not Running and Ready (scheduling, its claim, an init container, a container, a probe).
import { defineAnalyzer, type FindingDraft } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Condition, Event, Node, PersistentVolumeClaim, Pod, Service, StatefulSet } from "../../../model/kube.js";
import type { Snapshot } from "../../../model/snapshot.js";
import { refOf } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { formatAge, parseTime } from "../../../semantics/time.js";
import { formatFitError, simulateScheduling } from "../../../engines/scheduler/index.js";
import { containerEntries, eventEvidence, isAboutContainer, logTail, podEvents, type ContainerEntry } from "../workload-pods.js";

/** How long the blocking pod must have been not Ready before this is a finding (same budget as workload-rollout-stuck). */
const STUCK_AFTER_MS = 600_000;
const REVISION_LABEL = "controller-revision-hash";
const MAX_PODS_IN_EVIDENCE = 10;

type MessageId = "orderedReadyBlocked" | "brokenRevisionNotReplaced" | "governingServiceMissing";

interface Diagnosis {
  /** One line: why the pod is not Running and Ready. */
  why: string;
  evidence: Evidence[];
  /** The command that shows it. */
  command: string;
  /** The pod itself is broken (container, init container, probe): after a template fix it must be deleted. */
  podBroken?: boolean;
}

function findCondition(conditions: readonly Condition[] | undefined, type: string): { c: Condition; i: number } | undefined {
  const i = (conditions ?? []).findIndex((c) => c.type === type);
  return i < 0 ? undefined : { c: conditions![i]!, i };
}

/** isRunningAndReady of the StatefulSet controller (pkg/controller/statefulset/stateful_set_utils.go): phase Running and the Ready condition True. */
function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && findCondition(pod.status?.conditions, "Ready")?.c.status === "True";
}

function notReadySince(pod: Pod): number | undefined {
  return parseTime(findCondition(pod.status?.conditions, "Ready")?.c.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp);
}

/** The ordinal of a StatefulSet pod: its name is `<set>-<ordinal>` (getParentNameAndOrdinal). */
function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata.name}-`;
  if (!pod.metadata.name.startsWith(prefix)) return undefined;
  const rest = pod.metadata.name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

/** The claim names of one ordinal: `<template>-<set>-<ordinal>` (getPersistentVolumeClaimName). */
function claimNames(set: StatefulSet, ordinal: number): string[] {
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => `${t.metadata.name}-${set.metadata.name}-${ordinal}`);
}

function claimState(index: ClusterIndex, ns: string, name: string): { claim?: PersistentVolumeClaim; state: string } {
  const claim = index.get<PersistentVolumeClaim>("PersistentVolumeClaim", ns, name);
  if (!claim) return { state: index.has("PersistentVolumeClaim") ? "missing" : "not loaded" };
  return { claim, state: claim.status?.phase ?? "Pending" };
}

function lastTerminated(entry: ContainerEntry): { exitCode: number; reason?: string; path: string } | undefined {
  const t = entry.status.state?.terminated;
  if (t && t.exitCode !== 0) return { exitCode: t.exitCode, reason: t.reason, path: `${entry.statusPath}.state.terminated.exitCode` };
  const last = entry.status.lastState?.terminated;
  if (last && last.exitCode !== 0) return { exitCode: last.exitCode, reason: last.reason, path: `${entry.statusPath}.lastState.terminated.exitCode` };
  return undefined;
}

function logEvidence(snapshot: Snapshot, pod: Pod, container: string): { evidence: Evidence[]; text: string } {
  const logs = logTail(snapshot, pod, container);
  if (!logs || logs.lines.length === 0) return { evidence: [], text: "" };
  return {
    evidence: logs.lines.map((line) => ({ ref: refOf(pod), path: "log", value: line, note: `${container}${logs.previous ? " (previous instance)" : ""}` })),
    text: `; last log line: ${logs.lines[logs.lines.length - 1]}`,
  };
}

/** Why one pod is not Running and Ready, the way a human would chase it down. */
function diagnose(snapshot: Snapshot, index: ClusterIndex, set: StatefulSet, pod: Pod, ordinal: number): Diagnosis {
  const ref = refOf(pod);
  const ns = pod.metadata.namespace ?? "default";
  const describe = `kubectl describe pod ${pod.metadata.name} -n ${ns}`;
  if (pod.metadata.deletionTimestamp) {
    return { why: `is terminating since ${pod.metadata.deletionTimestamp}; the controller waits for the deletion to finish`, evidence: [{ ref, path: "metadata.deletionTimestamp", value: pod.metadata.deletionTimestamp }], command: describe };
  }
  const scheduled = findCondition(pod.status?.conditions, "PodScheduled");
  if (pod.status?.phase === "Pending" && !pod.spec?.nodeName) {
    // Its claims first: an unbound claim of the pod's own ordinal keeps it Pending whatever the nodes offer.
    for (const name of claimNames(set, ordinal)) {
      const { claim, state } = claimState(index, ns, name);
      if (state === "Bound" || state === "not loaded") continue;
      const claimRef = claim ? refOf(claim) : { kind: "PersistentVolumeClaim", namespace: ns, name };
      const events = claim ? index.eventsFor(claim).filter((e) => e.type === "Warning" || e.reason === "WaitForFirstConsumer" || e.reason === "ExternalProvisioning") : [];
      const latest = events[events.length - 1];
      return {
        why: `is Pending: its claim ${name} is ${state}${latest?.message ? ` (${latest.reason}: ${latest.message})` : ""}`,
        evidence: [
          { ref: claimRef, path: claim ? "status.phase" : "metadata.name", value: claim ? state : name, note: claim ? `claim of ordinal ${ordinal}` : `claim of ordinal ${ordinal} does not exist` },
          ...(latest ? [{ ref: claimRef, path: "event", value: latest.message ?? "", note: latest.reason }] : []),
        ],
        command: `kubectl describe pvc ${name} -n ${ns}`,
      };
    }
    if (scheduled && scheduled.c.status === "False") {
      const evidence: Evidence[] = [{ ref, path: `status.conditions[${scheduled.i}].message`, value: scheduled.c.message ?? scheduled.c.reason ?? "False", note: scheduled.c.reason }];
      const nodes = index.all<Node>("Node");
      let engine = "";
      if (nodes.length > 0) {
        const pods = index.all<Pod>("Pod");
        const verdicts = simulateScheduling(pod, nodes, pods);
        const fit = formatFitError(pod, verdicts, pods);
        if (fit) {
          engine = fit;
          evidence.push({ ref, path: "scheduler-simulation", value: fit, note: "kubesleuth's scheduler engine over the loaded nodes" });
        }
      }
      return { why: `is Pending, unschedulable: ${scheduled.c.message ?? engine ?? scheduled.c.reason ?? ""}`, evidence, command: describe };
    }
  }
  const entries = containerEntries(pod);
  // An init container that keeps failing: the app containers never start.
  for (const entry of entries.filter((e) => e.init && !e.status.ready)) {
    const term = lastTerminated(entry);
    const waiting = entry.status.state?.waiting;
    if (!term && !waiting?.reason) continue;
    const logs = logEvidence(snapshot, pod, entry.name);
    const evidence: Evidence[] = [];
    if (waiting?.reason) evidence.push({ ref, path: `${entry.statusPath}.state.waiting.reason`, value: waiting.reason, note: waiting.message });
    if (term) evidence.push({ ref, path: term.path, value: term.exitCode, note: term.reason });
    return {
      why: `is stuck in Init: init container ${entry.name} ${term ? `exits with code ${term.exitCode}${term.reason ? ` (${term.reason})` : ""}` : `is ${waiting!.reason}${waiting!.message ? `: ${waiting!.message}` : ""}`}${logs.text}`,
      evidence: [...evidence, ...logs.evidence],
      command: `kubectl logs ${pod.metadata.name} -n ${ns} -c ${entry.name}${term?.path.includes("lastState") ? " --previous" : ""}`,
      podBroken: true,
    };
  }
  // An app container that does not run (image, config, crash loop).
  for (const entry of entries.filter((e) => !e.init)) {
    const waiting = entry.status.state?.waiting;
    if (!waiting?.reason || waiting.reason === "ContainerCreating" || waiting.reason === "PodInitializing") continue;
    const term = lastTerminated(entry);
    const logs = term ? logEvidence(snapshot, pod, entry.name) : { evidence: [], text: "" };
    return {
      why: `container ${entry.name} is ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}${term ? `; last exit code ${term.exitCode}` : ""}${logs.text}`,
      evidence: [
        { ref, path: `${entry.statusPath}.state.waiting.reason`, value: waiting.reason, note: waiting.message },
        ...(term ? [{ ref, path: term.path, value: term.exitCode, note: term.reason }] : []),
        ...logs.evidence,
      ],
      command: term ? `kubectl logs ${pod.metadata.name} -n ${ns} -c ${entry.name} --previous` : describe,
      podBroken: true,
    };
  }
  // Running but not Ready: the kubelet's prober says why (reason Unhealthy, "Readiness probe failed: ...").
  if (pod.status?.phase === "Running") {
    for (const entry of entries.filter((e) => !e.init && !e.status.ready)) {
      const events = podEvents(index, pod, (e: Event) => e.reason === "Unhealthy" && /^(Readiness|Startup) probe (failed|errored)/.test(e.message ?? "") && isAboutContainer(e, entry.name));
      const latest = events[events.length - 1];
      if (latest) {
        const kind = (latest.message ?? "").startsWith("Startup") ? "startupProbe" : "readinessProbe";
        return {
          why: `is Running but not Ready: the ${kind === "startupProbe" ? "startup" : "readiness"} probe of container ${entry.name} fails (${latest.message})`,
          evidence: [eventEvidence(pod, latest), ...(entry.specPath ? [{ ref, path: `${entry.specPath}.${kind}`, value: JSON.stringify(entry.spec?.[kind] ?? null) }] : [])],
          command: describe,
      podBroken: true,
        };
      }
    }
  }
  const ready = findCondition(pod.status?.conditions, "Ready");
  if (ready) {
    return {
      why: `is ${pod.status?.phase ?? "in an unknown phase"} and not Ready${ready.c.reason ? ` (${ready.c.reason}${ready.c.message ? `: ${ready.c.message}` : ""})` : ""}`,
      evidence: [{ ref, path: `status.conditions[${ready.i}].status`, value: ready.c.status, note: [ready.c.reason, ready.c.message].filter(Boolean).join(": ") || undefined }],
      command: describe,
    };
  }
  return { why: `is ${pod.status?.phase ?? "in an unknown phase"} and not Ready`, evidence: [{ ref, path: "status.phase", value: pod.status?.phase ?? null }], command: describe };
}

/** The governing Service must exist and be headless (clusterIP None) for the pods' stable DNS names. */
function governingServiceProblem(index: ClusterIndex, set: StatefulSet): FindingDraft | undefined {
  if (!index.has("Service")) return undefined;
  const ns = set.metadata.namespace ?? "default";
  const name = set.spec?.serviceName;
  const setRef = refOf(set);
  if (!name) {
    // serviceName became optional in 1.33 (no per-pod DNS records then); only an explicit but broken reference is an error.
    return undefined;
  }
  const service = index.get<Service>("Service", ns, name);
  if (service && service.spec?.clusterIP === "None") return undefined;
  const problem = service ? `is not headless (spec.clusterIP ${service.spec?.clusterIP ?? "unset"})` : "does not exist";
  return {
    subject: setRef,
    // A missing Service is a broken reference. A ClusterIP Service still routes to the pods, only the
    // per-pod DNS names are missing (many charts do this for single-replica sets): information only.
    severity: service ? "info" : "warning",
    data: { namespace: ns, name: set.metadata.name, service: name, problem },
    evidence: [
      { ref: setRef, path: "spec.serviceName", value: name },
      service
        ? { ref: refOf(service), path: "spec.clusterIP", value: service.spec?.clusterIP ?? null, note: "a headless Service has clusterIP None" }
        : { ref: { kind: "Service", namespace: ns, name }, note: "not found" },
    ],
    investigation: [{ step: "Look for the governing Service", command: `kubectl get service ${name} -n ${ns} -o wide`, result: `Service ${ns}/${name} ${problem}`, outcome: "problem" }],
    remediation: [
      {
        description: `Create the headless Service ${name} selecting the StatefulSet's pods (clusterIP is immutable: a Service that is not headless must be deleted and re-created)`,
        command: `kubectl create service clusterip ${name} -n ${ns} --clusterip=None --tcp=<port>:<port> (then set its selector to the pod labels)`,
        verify: `kubectl get service ${name} -n ${ns} -o jsonpath='{.spec.clusterIP}'  # None`,
      },
    ],
  };
}

function revisionEvidence(set: StatefulSet, pods: readonly { ordinal: number; pod: Pod }[], partition: number): Evidence[] {
  const status = set.status ?? {};
  return pods.slice(0, MAX_PODS_IN_EVIDENCE).map(({ ordinal, pod }) => {
    const rev = pod.metadata.labels?.[REVISION_LABEL];
    const which =
      rev === status.updateRevision ? "updateRevision" : rev === status.currentRevision ? "currentRevision" : "neither currentRevision nor updateRevision";
    return {
      ref: refOf(pod),
      path: `metadata.labels.${REVISION_LABEL}`,
      value: rev ?? null,
      note: `${which}${ordinal < partition && rev !== status.updateRevision ? `; below partition ${partition}: kept on purpose` : ""}`,
    };
  });
}

function analyze(snapshot: Snapshot, index: ClusterIndex, set: StatefulSet, now: number): { messageId: MessageId; draft: FindingDraft } | undefined {
  const status = set.status ?? {};
  if (status.observedGeneration !== undefined && set.metadata.generation !== undefined && status.observedGeneration < set.metadata.generation) return undefined;
  // Parallel launches and deletes pods without waiting: no ordinal blocks the others.
  if ((set.spec?.podManagementPolicy ?? "OrderedReady") !== "OrderedReady") return undefined;
  const replicas = set.spec?.replicas ?? 1;
  const start = (set.spec as { ordinals?: { start?: number } } | undefined)?.ordinals?.start ?? 0;
  const partition = set.spec?.updateStrategy?.type === "OnDelete" ? 0 : (set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
  const byOrdinal = new Map<number, Pod>();
  for (const pod of index.podsOfWorkload(set)) {
    const ordinal = ordinalOf(set, pod);
    if (ordinal !== undefined) byOrdinal.set(ordinal, pod);
  }
  const ns = set.metadata.namespace ?? "default";
  const setRef = refOf(set);
  // The controller walks ordinals upward and, with OrderedReady (monotonic), returns at the first pod
  // that is missing, terminating, or not Running and Ready (stateful_set_control.go, processReplica).
  let ordinal = -1;
  for (let o = start; o < start + replicas; o++) {
    const pod = byOrdinal.get(o);
    if (!pod || pod.metadata.deletionTimestamp || !isRunningAndReady(pod)) {
      ordinal = o;
      break;
    }
  }
  if (ordinal < 0) return undefined;
  const podName = `${set.metadata.name}-${ordinal}`;
  const pod = byOrdinal.get(ordinal);
  const present = [...byOrdinal.entries()].filter(([o]) => o >= start && o < start + replicas).sort((a, b) => a[0] - b[0]).map(([o, p]) => ({ ordinal: o, pod: p }));
  const updating = status.updateRevision !== undefined && status.currentRevision !== undefined && status.updateRevision !== status.currentRevision;
  const outdated = present.filter(({ ordinal: o, pod: p }) => o !== ordinal && o >= partition && p.metadata.labels?.[REVISION_LABEL] !== status.updateRevision);
  const higher = replicas - (ordinal - start) - 1;
  const waiting = [
    updating && outdated.length ? `${outdated.map(({ pod: p }) => p.metadata.name).join(", ")} still wait to be updated to ${status.updateRevision}` : "",
    higher > 0 && !updating ? `${higher} higher ordinal(s) are not created or updated until it is Ready` : "",
  ].filter(Boolean).join("; ") || "nothing else moves in the set";
  const belowPartition = present.filter(({ ordinal: o, pod: p }) => o < partition && p.metadata.labels?.[REVISION_LABEL] !== status.updateRevision);
  const partitionNote = belowPartition.length
    ? ` ${belowPartition.map(({ pod: p }) => p.metadata.name).join(", ")} stay on revision ${status.currentRevision ?? "(current)"} on purpose (below partition ${partition}).`
    : "";
  const claimLine = (o: number): string =>
    claimNames(set, o)
      .map((n) => `${n}: ${claimState(index, ns, n).state}`)
      .join(", ");
  const claimsResult = Array.from({ length: Math.min(replicas, MAX_PODS_IN_EVIDENCE) }, (_, i) => start + i)
    .map((o) => `ordinal ${o}: ${claimLine(o)}`)
    .join("; ");

  let diagnosis: Diagnosis;
  let since: number | undefined;
  if (!pod) {
    // A missing pod is created at once; only a failing create keeps it missing. The controller records FailedCreate on the set.
    const failed = index.eventsFor(set).filter((e) => e.reason === "FailedCreate" && (e.message ?? "").includes(podName));
    const latest = failed[failed.length - 1];
    if (!latest) return undefined;
    since = parseTime(failed[0]!.firstTimestamp ?? failed[0]!.eventTime ?? failed[0]!.lastTimestamp);
    diagnosis = {
      why: `was never created: ${latest.message}`,
      evidence: [{ ref: setRef, path: "event", value: latest.message ?? "", note: `FailedCreate` }],
      command: `kubectl get events -n ${ns} --field-selector involvedObject.name=${set.metadata.name},reason=FailedCreate`,
    };
    // A failed create can be outdated; stay quiet unless the controller kept failing.
    if (since === undefined) since = now - STUCK_AFTER_MS;
  } else {
    since = notReadySince(pod);
    diagnosis = diagnose(snapshot, index, set, pod, ordinal);
  }
  if (since === undefined || now - since < STUCK_AFTER_MS) return undefined;

  const podRev = pod?.metadata.labels?.[REVISION_LABEL];
  const updateRevision = status.updateRevision;
  const trap = pod && podRev && updateRevision && podRev !== updateRevision && ordinal >= partition && !pod.metadata.deletionTimestamp;
  const deleteCmd = `kubectl delete pod ${podName} -n ${ns}`;
  const target = `statefulset/${set.metadata.name}`;
  const data = {
    namespace: ns,
    name: set.metadata.name,
    ordinal,
    pod: podName,
    why: diagnosis.why,
    age: formatAge(now - since),
    waiting,
    podRevision: podRev ?? "(none)",
    updateRevision: updateRevision ?? "(unknown)",
    currentRevision: status.currentRevision ?? "(unknown)",
    partitionNote,
  };
  const evidence: Evidence[] = [
    { ref: setRef, path: "spec.podManagementPolicy", value: set.spec?.podManagementPolicy ?? "OrderedReady", note: set.spec?.podManagementPolicy ? undefined : "default" },
    { ref: setRef, path: "spec.replicas", value: replicas },
    { ref: setRef, path: "status.readyReplicas", value: status.readyReplicas ?? 0 },
    ...(status.currentRevision ? [{ ref: setRef, path: "status.currentRevision", value: status.currentRevision }] : []),
    ...(updateRevision ? [{ ref: setRef, path: "status.updateRevision", value: updateRevision }] : []),
    ...(partition ? [{ ref: setRef, path: "spec.updateStrategy.rollingUpdate.partition", value: partition, note: `ordinals below ${partition} stay on currentRevision by design` }] : []),
    ...diagnosis.evidence,
    ...revisionEvidence(set, present, partition),
  ];
  const investigation: InvestigationStep[] = [
    {
      step: "Find the first ordinal that is not Running and Ready",
      command: `kubectl get pods -n ${ns} -l ${Object.entries(set.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "<selector>"} -L ${REVISION_LABEL}`,
      result: `${podName} ${diagnosis.why}`,
      outcome: "problem",
    },
    { step: `See why ${podName} is not Ready`, command: diagnosis.command, result: diagnosis.why, outcome: "problem" },
    ...(set.spec?.volumeClaimTemplates?.length ? [{ step: "Check the claims of each ordinal", command: `kubectl get pvc -n ${ns}`, result: claimsResult, outcome: "ok" as const }] : []),
  ];
  const remediation: Remediation[] = trap
    ? [
        {
          description: `Delete ${podName}: it was created from revision ${podRev}, the template is now revision ${updateRevision}, and with OrderedReady the controller waits for ${podName} to become Ready before it would replace it, so it never does (forced rollback, StatefulSet docs)`,
          command: deleteCmd,
          verify: `kubectl rollout status ${target} -n ${ns} --timeout=10m`,
        },
      ]
    : [
        {
          description: diagnosis.podBroken
            ? `Fix what keeps ${podName} from becoming Ready in the pod template (or roll back with kubectl rollout undo ${target} -n ${ns}), then delete ${podName}: the controller does not replace a pod that never became Ready by itself`
            : `Fix what keeps ${podName} from running (${diagnosis.why}); the controller goes on by itself once it is Running and Ready`,
          command: diagnosis.command,
          verify: `kubectl rollout status ${target} -n ${ns} --timeout=10m`,
        },
        ...(diagnosis.podBroken
          ? [{ description: `After the template is fixed, re-create the blocking pod from the new revision`, command: deleteCmd, verify: `kubectl get pod ${podName} -n ${ns} -L ${REVISION_LABEL} -w` }]
          : []),
      ];
  const blocked = present.filter(({ ordinal: o }) => o > ordinal).map(({ pod: p }) => refOf(p));
  return {
    messageId: trap ? "brokenRevisionNotReplaced" : "orderedReadyBlocked",
    draft: {
      subject: setRef,
      data,
      evidence,
      affected: [...(pod ? [refOf(pod)] : []), ...blocked],
      investigation,
      remediation,
    },
  };
}

export const statefulsetStuck = defineAnalyzer({
  id: "statefulset-stuck",
  title: "StatefulSet blocked at one ordinal",
  area: "workload",
  severity: "error",
  needs: ["StatefulSet", "Pod", "PersistentVolumeClaim", "Service", "Node"],
  needsLogs: true,
  messages: {
    orderedReadyBlocked: {
      summary: "StatefulSet {{namespace}}/{{name}} is blocked at ordinal {{ordinal}}: {{pod}} {{why}}",
      rootCause:
        "With podManagementPolicy OrderedReady the StatefulSet controller creates, updates and scales pods one ordinal at a time and waits for each to be Running and Ready before touching the next: {{pod}} {{why}} (for {{age}}), so the controller is stopped there: {{waiting}}.{{partitionNote}}",
      remediation: "Fix what keeps the blocking pod from becoming Ready (see its diagnosis), then delete that pod so the controller re-creates it from the fixed template.",
    },
    brokenRevisionNotReplaced: {
      summary: "StatefulSet {{namespace}}/{{name}} is stuck on {{pod}}, created from revision {{podRevision}} while the template is now {{updateRevision}}: the controller will not replace it",
      rootCause:
        "{{pod}} {{why}} (for {{age}}). It runs revision {{podRevision}}, not the update revision {{updateRevision}}: the template was changed (or rolled back) after the pod was created. With OrderedReady the controller waits for {{pod}} to be Running and Ready before it goes on, and that includes replacing {{pod}} itself, so the fixed template is never applied: the known StatefulSet forced-rollback trap. Deleting the pod lets the controller re-create it from {{updateRevision}}.",
      remediation: "Delete the blocking pod; the controller re-creates it from the update revision.",
    },
    governingServiceMissing: {
      summary: "StatefulSet {{namespace}}/{{name}}: its governing Service {{service}} {{problem}}",
      rootCause:
        "spec.serviceName names {{service}}, which {{problem}}. The governing Service must be headless (clusterIP None) to give each pod its stable DNS name (<pod>.{{service}}.{{namespace}}.svc); peers that find each other by those names cannot.",
      remediation: "Create the headless Service named in spec.serviceName, selecting the StatefulSet's pods.",
      severity: "warning",
    },
  },
  run({ snapshot, index, now, report }) {
    for (const set of index.all<StatefulSet>("StatefulSet")) {
      const verdict = analyze(snapshot, index, set, now);
      if (verdict) report(verdict.messageId, verdict.draft);
      const service = governingServiceProblem(index, set);
      if (service) report("governingServiceMissing", service);
    }
  },
});
