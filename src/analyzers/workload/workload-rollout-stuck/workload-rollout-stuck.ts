// Decides whether a Deployment, StatefulSet or DaemonSet rollout has stopped progressing, and which pods hold it back.
import { defineAnalyzer, type FindingDraft } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Condition, DaemonSet, Deployment, KubeObject, Pod, ReplicaSet, StatefulSet } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { formatAge, parseTime } from "../../../semantics/time.js";
import { isPodReady } from "../../../semantics/pod.js";

/** Deployment's default spec.progressDeadlineSeconds; also how long a StatefulSet or DaemonSet pod may stay not Ready mid-rollout. */
const DEFAULT_PROGRESS_DEADLINE_S = 600;
const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** Progressing reasons of a rollout under way (deployment controller, pkg/controller/deployment/util). */
const IN_PROGRESS_REASONS = new Set(["ReplicaSetUpdated", "NewReplicaSetCreated", "FoundNewReplicaSet"]);
const MAX_PODS_IN_EVIDENCE = 5;

interface Verdict {
  messageId: "deploymentProgressDeadlineExceeded" | "deploymentReplicasUnavailable" | "statefulSetUpdateStuck" | "daemonSetRolloutStuck";
  draft: FindingDraft;
}

function condition(conditions: readonly Condition[] | undefined, type: string): { c: Condition; i: number } | undefined {
  const i = (conditions ?? []).findIndex((c) => c.type === type);
  return i < 0 ? undefined : { c: conditions![i]!, i };
}

function isActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** Since when a pod has not been Ready: its Ready condition's transition, else its creation. */
function notReadySince(pod: Pod): number | undefined {
  return parseTime(condition(pod.status?.conditions, "Ready")?.c.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp);
}

/** Why a pod is not Ready, as one evidence item: unschedulable, a waiting container, or its Ready condition. */
function podBlocker(pod: Pod, now: number): Evidence {
  const ref = refOf(pod);
  const since = notReadySince(pod);
  const age = since !== undefined ? `not Ready for ${formatAge(now - since)}` : "not Ready";
  const scheduled = condition(pod.status?.conditions, "PodScheduled");
  if (scheduled && scheduled.c.status === "False") {
    return { ref, path: `status.conditions[${scheduled.i}].reason`, value: scheduled.c.reason ?? "False", note: `${age}; ${scheduled.c.message ?? "not scheduled"}` };
  }
  for (const [field, statuses] of [
    ["initContainerStatuses", pod.status?.initContainerStatuses],
    ["containerStatuses", pod.status?.containerStatuses],
  ] as const) {
    const i = (statuses ?? []).findIndex((s) => s.state?.waiting?.reason || (s.state?.terminated && field === "containerStatuses"));
    if (i < 0) continue;
    const s = statuses![i]!;
    if (s.state?.waiting?.reason) {
      return { ref, path: `status.${field}[${i}].state.waiting.reason`, value: s.state.waiting.reason, note: `${age}; container ${s.name}${s.state.waiting.message ? `: ${s.state.waiting.message}` : ""}` };
    }
    if (s.state?.terminated) {
      return { ref, path: `status.${field}[${i}].state.terminated.reason`, value: s.state.terminated.reason ?? `exit ${s.state.terminated.exitCode}`, note: `${age}; container ${s.name}` };
    }
  }
  const ready = condition(pod.status?.conditions, "Ready");
  if (ready) return { ref, path: `status.conditions[${ready.i}].status`, value: ready.c.status, note: `${age}${ready.c.reason ? `; ${ready.c.reason}` : ""}${ready.c.message ? `: ${ready.c.message}` : ""}` };
  return { ref, path: "status.phase", value: pod.status?.phase ?? null, note: age };
}

function statusEvidence(object: KubeObject, fields: Record<string, number | string | undefined>): Evidence[] {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([path, value]) => ({ ref: refOf(object), path, value }));
}

function conditionEvidence(object: KubeObject, found: { c: Condition; i: number }): Evidence[] {
  const base = `status.conditions[${found.i}]`;
  const ref = refOf(object);
  return [
    { ref, path: `${base}.status`, value: found.c.status, note: `${found.c.type}=${found.c.status}` },
    ...(found.c.reason ? [{ ref, path: `${base}.reason`, value: found.c.reason }] : []),
    ...(found.c.message ? [{ ref, path: `${base}.message`, value: found.c.message }] : []),
    ...(found.c.lastUpdateTime ? [{ ref, path: `${base}.lastUpdateTime`, value: found.c.lastUpdateTime }] : []),
  ];
}

function workloadCommand(object: KubeObject): { target: string; ns: string } {
  return { target: `${object.kind.toLowerCase()}/${object.metadata.name}`, ns: object.metadata.namespace ?? "default" };
}

function podList(pods: readonly Pod[]): string {
  const names = pods.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => p.metadata.name);
  return names.join(", ") + (pods.length > names.length ? `, ... (${pods.length})` : "");
}

/** `rolloutResult` is what `kubectl rollout status` prints for this state (kubectl's status viewers). */
function rolloutSteps(object: KubeObject, blockers: readonly Pod[], now: number, rolloutResult: string, statusResult: string): InvestigationStep[] {
  const { target, ns } = workloadCommand(object);
  const steps: InvestigationStep[] = [
    { step: "Check the rollout", command: `kubectl rollout status ${target} -n ${ns} --timeout=10s`, result: rolloutResult, outcome: "problem" },
    { step: "Read the workload's status and conditions", command: `kubectl describe ${target} -n ${ns}`, result: statusResult, outcome: "problem" },
  ];
  const first = blockers[0];
  if (first) {
    steps.push({
      step: "See why the pod holding the rollout is not Ready",
      command: `kubectl describe pod ${first.metadata.name} -n ${ns}`,
      result: `${podBlocker(first, now).value}: ${podBlocker(first, now).note ?? ""}`,
      outcome: "problem",
    });
  }
  return steps;
}

function undo(object: KubeObject, revision: string | undefined, extra?: string): Remediation {
  const { target, ns } = workloadCommand(object);
  return {
    description: `If the new revision is at fault, roll ${target} back to the previous one${extra ? `; ${extra}` : ""}`,
    command: `kubectl rollout undo ${target} -n ${ns}`,
    verify: `kubectl rollout status ${target} -n ${ns} --timeout=10m`,
    rollback: revision
      ? `kubectl rollout undo ${target} -n ${ns} --to-revision=${revision}`
      : `kubectl rollout history ${target} -n ${ns}, then kubectl rollout undo ${target} -n ${ns} --to-revision=<the revision you left>`,
  };
}

function fixPods(object: KubeObject, blockers: readonly Pod[]): Remediation {
  const { target, ns } = workloadCommand(object);
  const first = blockers[0];
  return {
    description: first
      ? `Fix what keeps ${first.metadata.name} from becoming Ready (image, crash, probe, scheduling), in the pod template of ${target}`
      : `Fix the pod template of ${target}`,
    command: first ? `kubectl describe pod ${first.metadata.name} -n ${ns}` : `kubectl describe ${target} -n ${ns}`,
    verify: `kubectl rollout status ${target} -n ${ns} --timeout=10m`,
  };
}

function analyzeDeployment(index: ClusterIndex, d: Deployment, now: number): Verdict | undefined {
  if (d.spec?.paused) return undefined; // Progressing=Unknown DeploymentPaused: nothing is expected to move
  const status = d.status ?? {};
  if (status.observedGeneration !== undefined && d.metadata.generation !== undefined && status.observedGeneration < d.metadata.generation) return undefined;
  const replicas = d.spec?.replicas ?? 1;
  const progressing = condition(status.conditions, "Progressing");
  const available = condition(status.conditions, "Available");
  const unavailable = status.unavailableReplicas ?? Math.max(0, (status.replicas ?? 0) - (status.availableReplicas ?? 0));
  const deadline = d.spec?.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_S;
  const pods = index.podsOfWorkload(d).filter(isActive);
  const notReady = pods.filter((p) => !isPodReady(p));
  const revision = d.metadata.annotations?.[REVISION_ANNOTATION];
  const ns = d.metadata.namespace ?? "default";
  const counts = {
    "spec.replicas": replicas,
    "status.updatedReplicas": status.updatedReplicas ?? 0,
    "status.readyReplicas": status.readyReplicas ?? 0,
    "status.availableReplicas": status.availableReplicas ?? 0,
    "status.unavailableReplicas": status.unavailableReplicas,
  };
  const summaryLine = `${status.updatedReplicas ?? 0} updated, ${status.availableReplicas ?? 0} available of ${replicas}`;

  const timedOut = progressing?.c.status === "False" && progressing.c.reason === "ProgressDeadlineExceeded";
  const complete = (status.updatedReplicas ?? 0) >= replicas && (status.availableReplicas ?? 0) >= replicas && unavailable === 0;
  if (timedOut && !complete) {
    // The new ReplicaSet is named in the condition message: ReplicaSet "web-7d9f" has timed out progressing.
    const newRsName = /ReplicaSet "([^"]+)"/.exec(progressing.c.message ?? "")?.[1];
    const newRs = newRsName ? index.get<ReplicaSet>("ReplicaSet", ns, newRsName) : undefined;
    const newPods = newRs ? index.podsOfWorkload(newRs).filter(isActive) : [];
    const blockers = (newPods.length ? newPods : pods).filter((p) => !isPodReady(p));
    return {
      messageId: "deploymentProgressDeadlineExceeded",
      draft: {
        subject: refOf(d),
        data: { namespace: ns, name: d.metadata.name, deadline, updated: status.updatedReplicas ?? 0, available: status.availableReplicas ?? 0, replicas, replicaSet: newRsName ?? "the new ReplicaSet", blocked: blockers.length },
        evidence: [
          ...conditionEvidence(d, progressing),
          { ref: refOf(d), path: "spec.progressDeadlineSeconds", value: deadline, note: d.spec?.progressDeadlineSeconds === undefined ? "default" : undefined },
          ...statusEvidence(d, counts),
          ...blockers.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => podBlocker(p, now)),
        ],
        affected: blockers.map(refOf),
        investigation: rolloutSteps(
          d,
          blockers,
          now,
          `error: deployment "${d.metadata.name}" exceeded its progress deadline`,
          `${summaryLine}; Progressing=False ProgressDeadlineExceeded: ${progressing.c.message ?? ""}`,
        ),
        remediation: [fixPods(d, blockers), undo(d, revision)],
      },
    };
  }
  if (timedOut || unavailable === 0) return undefined;
  // A rollout under way whose last progress is within the deadline is normal.
  if (progressing && progressing.c.status === "True" && IN_PROGRESS_REASONS.has(progressing.c.reason ?? "")) {
    const last = parseTime(progressing.c.lastUpdateTime ?? progressing.c.lastTransitionTime);
    if (last === undefined || now - last < deadline * 1000) return undefined;
  }
  // Unavailable "for a while": some not-Ready pod has been so for longer than the progress deadline.
  const stale = notReady.filter((p) => {
    const since = notReadySince(p);
    return since !== undefined && now - since >= deadline * 1000;
  });
  if (stale.length === 0) return undefined;
  const availableFalse = available?.c.status === "False";
  return {
    messageId: "deploymentReplicasUnavailable",
    draft: {
      subject: refOf(d),
      severity: availableFalse ? "error" : "warning",
      data: { namespace: ns, name: d.metadata.name, unavailable, replicas, blocked: stale.length, deadline },
      evidence: [
        ...statusEvidence(d, counts),
        ...(available ? conditionEvidence(d, available) : []),
        ...(progressing ? conditionEvidence(d, progressing) : []),
        ...stale.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => podBlocker(p, now)),
      ],
      affected: stale.map(refOf),
      investigation: rolloutSteps(
        d,
        stale,
        now,
        `Waiting for deployment "${d.metadata.name}" rollout to finish: ${status.availableReplicas ?? 0} of ${status.updatedReplicas ?? 0} updated replicas are available...`,
        `${unavailable} of ${replicas} replicas unavailable (${summaryLine})${available ? `; Available=${available.c.status} ${available.c.reason ?? ""}` : ""}`,
      ),
      remediation: [fixPods(d, stale), undo(d, revision)],
    },
  };
}

function analyzeStatefulSet(index: ClusterIndex, s: StatefulSet, now: number): Verdict | undefined {
  const status = s.status ?? {};
  if (s.spec?.updateStrategy?.type === "OnDelete") return undefined; // pods update only when deleted by hand
  if (status.observedGeneration !== undefined && s.metadata.generation !== undefined && status.observedGeneration < s.metadata.generation) return undefined;
  if (!status.updateRevision || !status.currentRevision || status.updateRevision === status.currentRevision) return undefined;
  const replicas = s.spec?.replicas ?? 1;
  const partition = s.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  // Ordinals below the partition stay on the current revision by design.
  const expectedUpdated = Math.max(0, replicas - partition);
  if ((status.updatedReplicas ?? 0) >= expectedUpdated) return undefined;
  const pods = index.podsOfWorkload(s).filter(isActive);
  const stuck = pods.filter((p) => {
    if (isPodReady(p)) return false;
    const since = notReadySince(p);
    return since !== undefined && now - since >= DEFAULT_PROGRESS_DEADLINE_S * 1000;
  });
  if (stuck.length === 0) return undefined; // the controller is still working through the ordinals
  const outdated = pods.filter((p) => p.metadata.labels?.["controller-revision-hash"] !== status.updateRevision);
  const ns = s.metadata.namespace ?? "default";
  const summaryLine = `${status.updatedReplicas ?? 0} of ${expectedUpdated} pods on revision ${status.updateRevision}`;
  return {
    messageId: "statefulSetUpdateStuck",
    draft: {
      subject: refOf(s),
      data: {
        namespace: ns,
        name: s.metadata.name,
        updated: status.updatedReplicas ?? 0,
        expected: expectedUpdated,
        updateRevision: status.updateRevision,
        currentRevision: status.currentRevision,
        blocked: stuck.length,
        stuckPods: podList(stuck),
      },
      evidence: [
        ...statusEvidence(s, {
          "status.currentRevision": status.currentRevision,
          "status.updateRevision": status.updateRevision,
          "spec.replicas": replicas,
          "status.updatedReplicas": status.updatedReplicas ?? 0,
          "status.readyReplicas": status.readyReplicas ?? 0,
          ...(partition ? { "spec.updateStrategy.rollingUpdate.partition": partition } : {}),
        }),
        ...stuck.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => podBlocker(p, now)),
        ...outdated.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => ({
          ref: refOf(p),
          path: 'metadata.labels["controller-revision-hash"]',
          value: p.metadata.labels?.["controller-revision-hash"] ?? null,
          note: `not yet on ${status.updateRevision}`,
        })),
      ],
      affected: [...new Map([...stuck, ...outdated].map((p) => [p.metadata.name, refOf(p)])).values()],
      // The outdated pods are waiting, not failing: what explains the stall is a finding about the
      // StatefulSet's own unhealthy pods (pod-not-ready, pod-crash-looping report per workload).
      causedBy: [refOf(s)],
      investigation: rolloutSteps(
        s,
        stuck,
        now,
        partition
          ? `Waiting for partitioned roll out to finish: ${status.updatedReplicas ?? 0} out of ${expectedUpdated} new pods have been updated...`
          : `waiting for statefulset rolling update to complete ${status.updatedReplicas ?? 0} pods at revision ${status.updateRevision}...`,
        `${summaryLine}; waiting on ${podList(stuck)}`,
      ),
      remediation: [
        fixPods(s, stuck),
        undo(
          s,
          undefined,
          `then delete the stuck pod${stuck.length > 1 ? "s" : ""} (kubectl delete pod ${stuck.map((p) => p.metadata.name).join(" ")} -n ${ns}): with OrderedReady the controller waits forever for a broken pod to become Ready and does not replace it by itself (forced rollback)`,
        ),
      ],
    },
  };
}

function analyzeDaemonSet(index: ClusterIndex, d: DaemonSet, now: number): Verdict | undefined {
  const status = d.status ?? {};
  if (status.observedGeneration !== undefined && d.metadata.generation !== undefined && status.observedGeneration < d.metadata.generation) return undefined;
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? desired;
  const unavailable = status.numberUnavailable ?? 0;
  if (updated >= desired && unavailable === 0) return undefined;
  const pods = index.podsOfWorkload(d).filter(isActive);
  const stuck = pods.filter((p) => {
    if (isPodReady(p)) return false;
    const since = notReadySince(p);
    return since !== undefined && now - since >= DEFAULT_PROGRESS_DEADLINE_S * 1000;
  });
  if (stuck.length === 0) return undefined; // pods on new nodes starting, or an update still rolling
  const ns = d.metadata.namespace ?? "default";
  const summaryLine = `${updated} of ${desired} nodes updated, ${unavailable} unavailable`;
  return {
    messageId: "daemonSetRolloutStuck",
    draft: {
      subject: refOf(d),
      data: { namespace: ns, name: d.metadata.name, updated, desired, unavailable, blocked: stuck.length, stuckPods: podList(stuck) },
      evidence: [
        ...statusEvidence(d, {
          "status.desiredNumberScheduled": desired,
          "status.updatedNumberScheduled": status.updatedNumberScheduled,
          "status.numberReady": status.numberReady ?? 0,
          "status.numberUnavailable": status.numberUnavailable,
        }),
        ...stuck.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => ({ ...podBlocker(p, now), note: `on node ${p.spec?.nodeName ?? "(none)"}; ${podBlocker(p, now).note ?? ""}` })),
      ],
      affected: stuck.map(refOf),
      investigation: rolloutSteps(
        d,
        stuck,
        now,
        updated < desired
          ? `Waiting for daemon set "${d.metadata.name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`
          : `Waiting for daemon set "${d.metadata.name}" rollout to finish: ${status.numberAvailable ?? 0} of ${desired} updated pods are available...`,
        `${summaryLine}; waiting on ${podList(stuck)}`,
      ),
      remediation: [fixPods(d, stuck), undo(d, undefined)],
    },
  };
}

export const workloadRolloutStuck = defineAnalyzer({
  id: "workload-rollout-stuck",
  title: "Workload rollout not progressing",
  area: "workload",
  severity: "error",
  needs: ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Pod"],
  role: "symptom",
  messages: {
    deploymentProgressDeadlineExceeded: {
      summary: "Deployment {{namespace}}/{{name}} exceeded its progress deadline ({{deadline}}s): {{updated}} updated, {{available}} available of {{replicas}}",
      rootCause:
        "The deployment controller set Progressing=False with reason ProgressDeadlineExceeded: {{replicaSet}} made no progress for {{deadline}} seconds: {{blocked}} of its pods never became Ready. The rollout is stuck; the old ReplicaSet keeps serving what it still has.",
      remediation: "Fix what keeps the new pods from becoming Ready, or roll back to the previous revision.",
    },
    deploymentReplicasUnavailable: {
      summary: "Deployment {{namespace}}/{{name}} has {{unavailable}} of {{replicas}} replicas unavailable for longer than {{deadline}}s",
      rootCause:
        "No rollout is progressing, yet {{blocked}} pods of the Deployment have not been Ready for longer than its progress deadline ({{deadline}}s), so it runs below its desired capacity. The progress deadline only covers rollouts, so the controller reports nothing more.",
      remediation: "Fix what keeps those pods from becoming Ready (see their state), or roll back if a change caused it.",
    },
    statefulSetUpdateStuck: {
      summary: "StatefulSet {{namespace}}/{{name}} rolling update is stuck: {{updated}} of {{expected}} pods on revision {{updateRevision}}, waiting on {{stuckPods}}",
      rootCause:
        "updateRevision {{updateRevision}} differs from currentRevision {{currentRevision}} and the controller updates one ordinal at a time, waiting for each pod to be Running and Ready: {{stuckPods}} ({{blocked}}) not Ready for more than 10 minutes, so the update does not go on.",
      remediation: "Fix the pod template (or roll back), then delete the stuck pod so the controller re-creates it from the fixed revision.",
    },
    daemonSetRolloutStuck: {
      summary: "DaemonSet {{namespace}}/{{name}} is not progressing: {{updated}} of {{desired}} nodes updated, {{unavailable}} unavailable, waiting on {{stuckPods}}",
      rootCause:
        "The DaemonSet controller replaces pods node by node within maxUnavailable and waits for each new pod to become available: {{stuckPods}} ({{blocked}}) not Ready for more than 10 minutes, so the update (or the DaemonSet's coverage) is stuck.",
      remediation: "Fix what keeps those pods from becoming Ready (image, crash, node problem), or roll back the DaemonSet.",
    },
  },
  run({ index, now, report }) {
    const results = [
      ...index.all<Deployment>("Deployment").map((d) => analyzeDeployment(index, d, now)),
      ...index.all<StatefulSet>("StatefulSet").map((s) => analyzeStatefulSet(index, s, now)),
      ...index.all<DaemonSet>("DaemonSet").map((d) => analyzeDaemonSet(index, d, now)),
    ];
    for (const r of results) if (r) report(r.messageId, r.draft);
  },
});
