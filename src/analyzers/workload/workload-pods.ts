// Shared by the workload analyzers: which workload a pod-level problem is reported on, the pod's
// containers with their status paths, and the evidence/command shapes every pod finding uses.
import type { Evidence } from "../../model/finding.js";
import type { Container, ContainerStatus, Event, KubeObject, Pod } from "../../model/kube.js";
import { formatRef, refOf, type ObjectRef } from "../../model/ref.js";
import type { ClusterIndex } from "../../indexes/types.js";
import { eventCount } from "../../semantics/time.js";
import type { Snapshot } from "../../model/snapshot.js";

/** The owner kinds a pod's controller chain may pass through; analyzers grouping by workload need them loaded. */
export const WORKLOAD_KINDS = ["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"] as const;

/**
 * The object a pod-level finding is reported on: the top of the pod's controller chain (Pod ->
 * ReplicaSet -> Deployment), else, when the next controller is not in the snapshot, the controller
 * its ownerReferences name, else the pod itself (a bare pod). Static pods are owned by their Node
 * (mirror pods); they are reported as pods, not as the node.
 */
export function workloadOf(index: ClusterIndex, pod: Pod): ObjectRef {
  let current: KubeObject = pod;
  for (let depth = 0; depth < 10; depth++) {
    const owner = index.controllerOf(current);
    if (!owner) break;
    if (owner.kind === "Node") return refOf(current);
    current = owner;
  }
  const owner = current.metadata.ownerReferences?.find((r) => r.controller);
  if (owner && owner.kind !== "Node") return { kind: owner.kind, namespace: current.metadata.namespace, name: owner.name };
  return refOf(current);
}

export interface WorkloadGroup<T> {
  subject: ObjectRef;
  /** The workload object when it is in the snapshot (absent for bare pods and unloaded owners). */
  workload?: KubeObject;
  /** Unhealthy pods with what the analyzer found on each, sorted by pod name. */
  members: { pod: Pod; detail: T }[];
}

/** Groups per-pod results by controlling workload, so each workload is reported once. Deterministic order. */
export function groupByWorkload<T>(index: ClusterIndex, items: readonly { pod: Pod; detail: T }[]): WorkloadGroup<T>[] {
  const groups = new Map<string, WorkloadGroup<T>>();
  for (const item of items) {
    const subject = workloadOf(index, item.pod);
    const k = `${subject.kind}/${subject.namespace ?? ""}/${subject.name}`;
    let group = groups.get(k);
    if (!group) {
      const workload = subject.kind === "Pod" ? undefined : index.getByRef(subject);
      group = { subject, ...(workload ? { workload } : {}), members: [] };
      groups.set(k, group);
    }
    group.members.push(item);
  }
  const out = [...groups.values()];
  for (const g of out) g.members.sort((a, b) => a.pod.metadata.name.localeCompare(b.pod.metadata.name));
  return out.sort((a, b) => formatRef(a.subject).localeCompare(formatRef(b.subject)));
}

/** One container of a pod with its status and the field paths that point at them. */
export interface ContainerEntry {
  name: string;
  init: boolean;
  spec?: Container;
  /** `spec.containers[2]` / `spec.initContainers[0]`. */
  specPath?: string;
  status: ContainerStatus;
  /** `status.containerStatuses[1]` / `status.initContainerStatuses[0]`. */
  statusPath: string;
}

/** Init containers first, then app containers, each with its spec (matched by name) and status paths. */
export function containerEntries(pod: Pod): ContainerEntry[] {
  const out: ContainerEntry[] = [];
  const add = (statuses: ContainerStatus[] | undefined, specs: Container[] | undefined, statusField: string, specField: string, init: boolean): void => {
    (statuses ?? []).forEach((status, i) => {
      const j = (specs ?? []).findIndex((c) => c.name === status.name);
      out.push({
        name: status.name,
        init,
        ...(j >= 0 ? { spec: specs![j]!, specPath: `spec.${specField}[${j}]` } : {}),
        status,
        statusPath: `status.${statusField}[${i}]`,
      });
    });
  };
  add(pod.status?.initContainerStatuses, pod.spec?.initContainers, "initContainerStatuses", "initContainers", true);
  add(pod.status?.containerStatuses, pod.spec?.containers, "containerStatuses", "containers", false);
  return out;
}

/** Pods that finished (Succeeded/Failed) or are being deleted have nothing left to fix. */
export function isSettled(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" || Boolean(pod.metadata.deletionTimestamp);
}

/** A container restarting this many times within RECENT_RESTART_MS counts as crash-looping even when caught Running. */
export const REPEATED_RESTARTS = 3;
export const RECENT_RESTART_MS = 10 * 60_000;

/**
 * Whether a container is crash-looping: the kubelet holds it in CrashLoopBackOff, or it has
 * restarted at least REPEATED_RESTARTS times and last terminated less than RECENT_RESTART_MS ago
 * (between back-offs the kubelet runs it again, so a snapshot can catch it Running).
 */
export function isCrashLooping(status: ContainerStatus, now: number): boolean {
  if (status.state?.waiting?.reason === "CrashLoopBackOff") return true;
  const last = status.lastState?.terminated;
  if (!last || status.restartCount < REPEATED_RESTARTS) return false;
  const finished = last.finishedAt ? Date.parse(last.finishedAt) : Number.NaN;
  return !Number.isNaN(finished) && now - finished >= 0 && now - finished < RECENT_RESTART_MS;
}

/** Events of a pod (uid-checked by the index), newest last, optionally filtered. */
export function podEvents(index: ClusterIndex, pod: Pod, keep: (event: Event) => boolean = () => true): Event[] {
  return index.eventsFor(pod).filter(keep);
}

/** Whether an event is about this container (`involvedObject.fieldPath` is `spec.containers{name}`); events without a fieldPath match any. */
export function isAboutContainer(event: Event, container: string): boolean {
  const fieldPath = event.involvedObject?.fieldPath;
  if (!fieldPath) return true;
  return fieldPath.endsWith(`{${container}}`);
}

/** Evidence of an event: path "event", value the message, note the reason and count. */
export function eventEvidence(pod: Pod, event: Event): Evidence {
  return { ref: refOf(pod), path: "event", value: event.message ?? "", note: `${event.reason ?? "?"} x${eventCount(event)}` };
}

/** kubectl's `kind/name` for commands (`deployment/web`). */
export function kubectlTarget(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}

/** Kinds that `kubectl rollout` (restart, undo, status) works on. */
export function canRollout(kind: string): boolean {
  return kind === "Deployment" || kind === "StatefulSet" || kind === "DaemonSet";
}

/** `-n ns` for a namespaced ref. */
export function nsFlag(ref: ObjectRef | Pod): string {
  const ns = "metadata" in ref ? ref.metadata.namespace : ref.namespace;
  return ns ? ` -n ${ns}` : "";
}

/** The standard per-pod commands. */
export function describePodCommand(pod: Pod): string {
  return `kubectl describe pod ${pod.metadata.name}${nsFlag(pod)}`;
}

export function podEventsCommand(pod: Pod): string {
  return `kubectl get events${nsFlag(pod)} --field-selector involvedObject.name=${pod.metadata.name}`;
}

/** How to watch the workload recover: rollout status for rollout kinds, else the pods. */
export function verifyCommand(subject: ObjectRef, pods: readonly Pod[]): string {
  if (canRollout(subject.kind)) return `kubectl rollout status ${kubectlTarget(subject)}${nsFlag(subject)} --timeout=5m`;
  if (subject.kind === "Job") return `kubectl get job ${subject.name}${nsFlag(subject)} -w`;
  const first = pods[0];
  return first ? `kubectl get pod ${first.metadata.name}${nsFlag(first)} -w` : `kubectl get pods${nsFlag(subject)}`;
}

/** "1 pod" / "3 pods". */
export function podCount(n: number): string {
  return `${n} pod${n === 1 ? "" : "s"}`;
}

/** Pod names for a step result, at most `max` then "and N more". */
export function podNames(pods: readonly Pod[], max = 5): string {
  const names = pods.slice(0, max).map((p) => p.metadata.name);
  return pods.length > max ? `${names.join(", ")} and ${pods.length - max} more` : names.join(", ");
}

/** The registry host of an image reference, the way the container runtime resolves it (no host: Docker Hub). */
export function registryHost(image: string): string {
  const slash = image.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = image.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}

/** How many log lines a finding quotes. */
export const LOG_TAIL_LINES = 5;

/** The last non-empty lines of the crashed container's log: the previous instance when the snapshot has it. */
export function logTail(snapshot: Snapshot, pod: Pod, container: string, maxLines = LOG_TAIL_LINES): { lines: string[]; previous: boolean } | undefined {
  const candidates = snapshot.logs.filter(
    (l) => l.namespace === (pod.metadata.namespace ?? "") && l.pod === pod.metadata.name && l.container === container,
  );
  const log = candidates.find((l) => l.previous) ?? candidates.find((l) => !l.previous);
  if (!log) return undefined;
  const lines = log.text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  return { lines: lines.slice(-maxLines), previous: log.previous };
}
