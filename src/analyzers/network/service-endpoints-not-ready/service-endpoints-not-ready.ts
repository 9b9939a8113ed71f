// Decides whether a Service that selects pods has no ready endpoint because none of its pods is Ready.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Condition, Endpoints, EndpointSlice, Pod, Service } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import { eventCount, formatAge, parseTime } from "../../../semantics/time.js";
import { isPodReady } from "../../../semantics/pod.js";

/** A pod whose Ready condition turned False less than this long ago may still be starting up. */
const STARTUP_GRACE_MS = 60_000;

function readyCondition(pod: Pod): { condition: Condition; index: number } | undefined {
  const conditions = pod.status?.conditions ?? [];
  const index = conditions.findIndex((c) => c.type === "Ready");
  return index < 0 ? undefined : { condition: conditions[index]!, index };
}

/** The endpoints controller leaves out pods that have terminated (Succeeded/Failed) or are being deleted. */
function isServable(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** Since when the pod has not been Ready: the Ready condition's transition, else the pod's creation. */
function notReadySince(pod: Pod): number | undefined {
  return parseTime(readyCondition(pod)?.condition.lastTransitionTime) ?? parseTime(pod.metadata.creationTimestamp);
}

/** Ready endpoints per EndpointSlice: `conditions.ready` unset means ready (discovery.k8s.io/v1 EndpointConditions). */
export function readyInSlices(slices: readonly EndpointSlice[]): number {
  return slices.reduce((n, s) => n + (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length, 0);
}

export function readyInEndpoints(endpoints: Endpoints): number {
  return (endpoints.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
}

function sliceEvidence(slices: readonly EndpointSlice[]): Evidence[] {
  const evidence: Evidence[] = [];
  for (const slice of slices) {
    const endpoints = slice.endpoints ?? [];
    if (endpoints.length === 0) {
      evidence.push({ ref: refOf(slice), path: "endpoints", value: [], note: "the slice lists no endpoint" });
      continue;
    }
    endpoints.forEach((e, j) => {
      evidence.push({
        ref: refOf(slice),
        path: `endpoints[${j}].conditions.ready`,
        value: e.conditions?.ready ?? null,
        note: `${e.targetRef?.name ?? e.addresses.join(",")} not ready${e.conditions?.terminating ? " (terminating)" : ""}`,
      });
    });
  }
  return evidence;
}

function endpointsEvidence(endpoints: Endpoints): Evidence[] {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return [{ ref: refOf(endpoints), path: "subsets", value: [], note: "no address at all, ready or not (pods without an IP yet)" }];
  return subsets.map((s, i) => ({
    ref: refOf(endpoints),
    path: `subsets[${i}].notReadyAddresses`,
    value: (s.notReadyAddresses ?? []).map((a) => a.targetRef?.name ?? a.ip),
    note: `subsets[${i}].addresses is empty: every address is not ready`,
  }));
}

export const serviceEndpointsNotReady = defineAnalyzer({
  id: "service-endpoints-not-ready",
  title: "Service has no ready endpoints",
  area: "network",
  severity: "error",
  needs: ["Service", "Pod", "Endpoints", "EndpointSlice"],
  role: "symptom",
  messages: {
    noReadyEndpoints: {
      summary: "Service {{namespace}}/{{service}} has no ready endpoints: none of its {{selected}} selected pods is Ready",
      rootCause:
        "The Service selects {{selected}} pods but none passes its readiness check, so the endpoints controller lists them only as not ready and kube-proxy has no backend: connections to the Service are refused or time out. The pods have not been Ready for {{since}}.",
      remediation: "Find out why the pods are not Ready (failing readiness probe, crashing or pending containers) and fix that; the endpoints follow.",
    },
  },
  run({ index, now, report }) {
    for (const svc of index.all<Service>("Service")) {
      const selector = svc.spec?.selector;
      if (!selector || Object.keys(selector).length === 0) continue; // manual endpoints
      if (svc.spec?.type === "ExternalName") continue;
      // publishNotReadyAddresses puts not-ready pods in the ready addresses: traffic still flows.
      if (svc.spec?.publishNotReadyAddresses) continue;
      const pods = index.podsSelectedByService(svc).filter(isServable);
      if (pods.length === 0) continue; // selects nothing: service-selects-no-pods
      if (pods.some(isPodReady)) continue; // some pod is Ready: not a readiness problem

      const slices = index.endpointSlicesOfService(svc);
      const endpoints = index.endpointsOfService(svc);
      // kube-proxy reads EndpointSlices; Endpoints is the legacy mirror. Trust whichever was loaded.
      if (slices.length > 0 && readyInSlices(slices) > 0) continue;
      if (slices.length === 0 && endpoints && readyInEndpoints(endpoints) > 0) continue;

      const since = pods.map(notReadySince);
      if (since.every((t) => t !== undefined && now - t < STARTUP_GRACE_MS)) continue; // all just started
      const longest = Math.max(...since.map((t) => (t === undefined ? 0 : now - t)));

      const namespace = svc.metadata.namespace ?? "default";
      const name = svc.metadata.name;
      const selectorText = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const evidence: Evidence[] = [
        { ref: refOf(svc), path: "spec.selector", value: selector, note: `selects ${pods.length} pods: ${pods.map((p) => p.metadata.name).join(", ")}` },
      ];
      if (slices.length > 0) evidence.push(...sliceEvidence(slices));
      else if (endpoints) evidence.push(...endpointsEvidence(endpoints));
      for (const pod of pods) {
        const ready = readyCondition(pod);
        if (ready) {
          const c = ready.condition;
          const t = parseTime(c.lastTransitionTime);
          evidence.push({
            ref: refOf(pod),
            path: `status.conditions[${ready.index}].status`,
            value: c.status,
            note: `Ready=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ""})` : ""}${t !== undefined ? ` for ${formatAge(now - t)}` : ""}`,
          });
        } else {
          evidence.push({ ref: refOf(pod), path: "status.phase", value: pod.status?.phase ?? null, note: "no Ready condition yet" });
        }
        // kubelet's prober: reason Unhealthy, "Readiness probe failed: ..."
        const probe = [...index.eventsFor(pod)].reverse().find((e) => e.reason === "Unhealthy" && e.message?.startsWith("Readiness probe failed"));
        if (probe) evidence.push({ ref: refOf(pod), path: "event", value: probe.message, note: `Unhealthy x${eventCount(probe)}` });
      }

      const notReadyNames = pods.map((p) => p.metadata.name);
      const first = pods[0]!;
      const root = index.rootController(first);
      const endpointSource = slices.length > 0 ? "EndpointSlices" : endpoints ? "Endpoints" : "none loaded";
      const investigation: InvestigationStep[] = [
        {
          step: "List the Service's endpoints",
          command:
            endpointSource === "Endpoints"
              ? `kubectl get endpoints ${name} -n ${namespace} -o yaml`
              : `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name} -o yaml`,
          result:
            endpointSource === "none loaded"
              ? "Endpoints and EndpointSlices were not loaded; judged from the pods' Ready conditions"
              : `${endpointSource}: 0 ready endpoints`,
          outcome: endpointSource === "none loaded" ? "unknown" : "problem",
        },
        {
          step: "Check the readiness of the selected pods",
          command: `kubectl get pods -n ${namespace} -l ${selectorText}`,
          result: `${pods.length} pods selected, 0 Ready: ${notReadyNames.join(", ")}`,
          outcome: "problem",
        },
        {
          step: "See why a pod is not Ready (probe failures, container state)",
          command: `kubectl describe pod ${first.metadata.name} -n ${namespace}`,
          result: evidence.find((e) => e.ref?.kind === "Pod")?.note ?? "",
          outcome: "problem",
        },
      ];
      const remediation: Remediation[] = [
        {
          description: `Fix what keeps the pods from becoming Ready: the failing readiness probe or container of ${first.metadata.name} (see its events)`,
          command: `kubectl describe pod ${first.metadata.name} -n ${namespace}`,
          verify: `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name} -o jsonpath='{.items[*].endpoints[*].conditions.ready}'`,
        },
      ];
      if (root.kind === "Deployment" || root.kind === "StatefulSet" || root.kind === "DaemonSet") {
        const workload = `${root.kind.toLowerCase()}/${root.metadata.name}`;
        const revision = root.metadata.annotations?.["deployment.kubernetes.io/revision"];
        remediation.push({
          description: `If a recent change of ${workload} broke readiness, return to the previous revision`,
          command: `kubectl rollout undo ${workload} -n ${namespace}`,
          verify: `kubectl rollout status ${workload} -n ${namespace} && kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name}`,
          rollback: revision
            ? `kubectl rollout undo ${workload} -n ${namespace} --to-revision=${revision}`
            : `kubectl rollout history ${workload} -n ${namespace}, then kubectl rollout undo ${workload} -n ${namespace} --to-revision=<the revision you left>`,
        });
      }
      report("noReadyEndpoints", {
        subject: refOf(svc),
        data: { namespace, service: name, selected: pods.length, since: formatAge(longest) },
        evidence,
        affected: pods.map(refOf),
        investigation,
        remediation,
      });
    }
  },
});
