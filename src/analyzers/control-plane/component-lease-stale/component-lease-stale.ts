// Decides whether the scheduler's or the controller manager's leader-election Lease is stale (the component is down or cannot reach the API server), and attributes the pods it left unscheduled or the workloads it left unreconciled.
import { defineAnalyzer } from "../../define.js";
import type { ComponentHealthData } from "../../../model/control-plane.js";
import type { Evidence } from "../../../model/finding.js";
import type { KubeObject, Pod } from "../../../model/kube.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import { formatAge, parseTime } from "../../../semantics/time.js";

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string };
}

/** The leader-election Leases in kube-system (--leader-elect-resource-name defaults). */
const COMPONENTS: Record<string, "scheduler" | "controllerManager" | "other"> = {
  "kube-scheduler": "scheduler",
  "kube-controller-manager": "controllerManager",
  "cloud-controller-manager": "other",
};

/** --leader-elect-lease-duration default for both components. */
const DEFAULT_LEASE_SECONDS = 15;

const WORKLOADS = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"];

/** A pod the scheduler never looked at: Pending, unbound, no PodScheduled condition, no scheduling event. */
function neverScheduled(pod: Pod, events: readonly { reason?: string }[]): boolean {
  if (pod.status?.phase !== "Pending" || pod.spec.nodeName || pod.metadata.deletionTimestamp) return false;
  if ((pod.spec.schedulerName ?? "default-scheduler") !== "default-scheduler") return false;
  if ((pod.spec as { schedulingGates?: unknown[] }).schedulingGates?.length) return false;
  if ((pod.status?.conditions ?? []).some((c) => c.type === "PodScheduled")) return false;
  return !events.some((e) => e.reason === "FailedScheduling" || e.reason === "Scheduled");
}

/**
 * What the component's own /healthz?verbose (--component-endpoint) adds to a stale Lease: a sentence for the
 * root cause ("" when no endpoint was read) and its evidence. Not ok or no answer: the component is down or
 * unhealthy. Ok: it runs but cannot renew its Lease, i.e. it cannot reach the API server.
 */
function healthzEvidence(health: ComponentHealthData | undefined): { sentence: string; evidence: Evidence[] } {
  if (!health) return { sentence: "", evidence: [] };
  const cert = health.certificateVerified === false ? "; serving certificate not verified" : "";
  const failed = health.checks.filter((c) => !c.ok).map((c) => c.line);
  const evidence: Evidence[] = [{ path: "/healthz?verbose", value: health.status ?? health.error ?? "no answer", note: `${health.url}${cert}${failed.length ? `; ${failed.join("; ")}` : ""}` }];
  if (health.ok) return { sentence: ` Its /healthz at ${health.url} answered ok: the component runs but cannot renew its Lease, i.e. it cannot reach the API server.`, evidence };
  if (health.status === undefined) return { sentence: ` Its /healthz at ${health.url} did not answer (${health.error ?? "no answer"}): the component is down, or its port is not reachable from where kubesleuth ran.`, evidence };
  return { sentence: ` Its /healthz at ${health.url} answered HTTP ${health.status}${failed.length ? ` (${failed.join(", ")})` : ""}: the component itself is unhealthy, not only cut off from the API server.`, evidence };
}

export const componentLeaseStale = defineAnalyzer({
  id: "component-lease-stale",
  title: "The scheduler or controller manager has stopped renewing its Lease",
  area: "control-plane",
  severity: "error",
  needs: ["Lease", "Pod", "Event", ...WORKLOADS],
  messages: {
    schedulerDown: {
      summary: "kube-scheduler has not renewed its Lease for {{age}}: {{pods}} pods wait unscheduled",
      rootCause:
        "The kube-scheduler leader-election Lease was last renewed {{age}} ago by {{holder}}, longer than its {{duration}}s lease duration: no scheduler is leading (it is down or cannot reach the API server).{{healthz}} {{pods}} Pending pods have no PodScheduled condition and no scheduling event: nothing has tried to place them.",
      remediation: "Restart the scheduler (its static pod on the control-plane nodes) and read its log for why it stopped: API server unreachable, certificates, crash.",
    },
    controllerManagerDown: {
      summary: "kube-controller-manager has not renewed its Lease for {{age}}: {{workloads}} workloads are not reconciled",
      rootCause:
        "The kube-controller-manager leader-election Lease was last renewed {{age}} ago by {{holder}}, longer than its {{duration}}s lease duration: no controller manager is leading.{{healthz}} Deployments do not create ReplicaSets, ReplicaSets do not create pods, nodes are not marked NotReady; {{workloads}} workloads have a spec change not yet observed.",
      remediation: "Restart the controller manager (its static pod on the control-plane nodes) and read its log for why it stopped.",
    },
    leaseStale: {
      summary: "{{name}} has not renewed its Lease for {{age}}",
      rootCause: "The {{name}} leader-election Lease was last renewed {{age}} ago by {{holder}}, longer than its {{duration}}s lease duration: the component is down or cannot reach the API server.{{healthz}}",
      remediation: "Restart the component and read its log.",
    },
  },
  run({ index, snapshot, now, report }) {
    for (const lease of index.inNamespace<Lease>("Lease", "kube-system")) {
      const role = COMPONENTS[lease.metadata.name];
      if (!role) continue;
      const renew = parseTime(lease.spec?.renewTime) ?? parseTime(lease.spec?.acquireTime);
      if (renew === undefined) continue;
      const duration = lease.spec?.leaseDurationSeconds ?? DEFAULT_LEASE_SECONDS;
      const staleFor = now - renew;
      const holder = lease.spec?.holderIdentity ?? "";
      // A released lease (holder "") means the leader stopped on purpose and no other took over.
      if (staleFor <= duration * 1000 && holder !== "") continue;
      const ref = refOf(lease);
      const evidence: Evidence[] = [
        { ref, path: "spec.renewTime", value: lease.spec?.renewTime ?? lease.spec?.acquireTime, note: `${formatAge(staleFor)} before the reference time ${new Date(now).toISOString()}` },
        { ref, path: "spec.leaseDurationSeconds", value: duration },
        { ref, path: "spec.holderIdentity", value: holder, ...(holder === "" ? { note: "released: no leader" } : {}) },
      ];
      const healthz = healthzEvidence(snapshot.controlPlane?.components?.find((c) => c.name === lease.metadata.name));
      evidence.push(...healthz.evidence);
      const data = { age: formatAge(staleFor), holder: holder || "(released)", duration, name: lease.metadata.name, healthz: healthz.sentence };
      const investigation = [
        { step: "Read the Lease", command: `kubectl -n kube-system get lease ${lease.metadata.name} -o yaml`, result: `renewTime ${lease.spec?.renewTime ?? "?"}, holder ${holder || "(none)"}`, outcome: "problem" as const },
        { step: "Find the component's pod and log", command: `kubectl -n kube-system get pods -l component=${lease.metadata.name} && kubectl -n kube-system logs -l component=${lease.metadata.name} --tail=100`, result: "not in the snapshot", outcome: "unknown" as const },
      ];
      const remediation = [{ description: `Restart ${lease.metadata.name} on the control-plane node (move its static pod manifest out of /etc/kubernetes/manifests and back, or restart the service)`, command: `kubectl -n kube-system get lease ${lease.metadata.name} -w`, verify: "renewTime advances every few seconds" }];
      if (role === "scheduler") {
        const pods = index.all<Pod>("Pod").filter((p) => neverScheduled(p, index.eventsFor(p)));
        const affected: ObjectRef[] = pods.map(refOf);
        for (const pod of pods.slice(0, 10)) evidence.push({ ref: refOf(pod), path: "status.conditions", value: "no PodScheduled condition", note: `Pending since ${pod.metadata.creationTimestamp ?? "?"}; no FailedScheduling or Scheduled event` });
        report("schedulerDown", { subject: ref, data: { ...data, pods: pods.length }, evidence, investigation, remediation, affected });
      } else if (role === "controllerManager") {
        const stuck = WORKLOADS.flatMap((kind) => index.all(kind)).filter((w) => {
          const observed = (w.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0;
          return w.metadata.generation !== undefined && observed < w.metadata.generation;
        });
        for (const w of stuck.slice(0, 10)) evidence.push({ ref: refOf(w), path: "status.observedGeneration", value: (w.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? null, note: `metadata.generation is ${w.metadata.generation}: not reconciled` });
        report("controllerManagerDown", { subject: ref, data: { ...data, workloads: stuck.length }, evidence, investigation, remediation, affected: stuck.map(refOf) });
      } else {
        report("leaseStale", { subject: ref, data, evidence, investigation, remediation });
      }
    }
  },
});
