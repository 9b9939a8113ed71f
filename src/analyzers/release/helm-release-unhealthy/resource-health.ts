// The health now of a release's rendered resources, from the cluster index: workloads with pods not
// ready, Services that select no pods or whose named targetPort no selected pod defines.
import type { Evidence } from "../../../model/finding.js";
import type { KubeObject, Pod, Service } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { findContainerPort, protocolOf, targetPortOf } from "../../../semantics/ports.js";
import { isPodReady as isReady } from "../../../semantics/pod.js";

export interface UnhealthyResource {
  object: KubeObject;
  /** One line: what is wrong now. */
  problem: string;
  evidence: Evidence[];
  /** Pods behind it (the workload's, or the Service's selected pods). */
  pods: Pod[];
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

function isLive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** Why a pod is not ready, from its container statuses (waiting reason, else "not ready"). */
function podProblem(pod: Pod): { path: string; value: string } {
  const statuses = pod.status?.containerStatuses ?? [];
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i]!;
    if (s.state?.waiting?.reason) return { path: `status.containerStatuses[${i}].state.waiting.reason`, value: s.state.waiting.reason };
    if (!s.ready) return { path: `status.containerStatuses[${i}].ready`, value: "false" };
  }
  if (pod.status?.phase === "Pending") return { path: "status.phase", value: "Pending" };
  return { path: "status.conditions[Ready]", value: "False" };
}

function workloadHealth(index: ClusterIndex, workload: KubeObject): UnhealthyResource | undefined {
  const pods = index.podsOfWorkload(workload).filter(isLive);
  const notReady = pods.filter((p) => !isReady(p));
  if (notReady.length === 0) return undefined;
  const first = notReady[0]!;
  const why = podProblem(first);
  return {
    object: workload,
    problem: `${notReady.length} of ${pods.length} pods not ready (${first.metadata.name}: ${why.value})`,
    evidence: notReady.slice(0, 3).map((p) => ({ ref: refOf(p), ...podProblem(p), note: "pod not ready" })),
    pods: notReady,
  };
}

function serviceHealth(index: ClusterIndex, service: Service): UnhealthyResource | undefined {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0 || service.spec?.type === "ExternalName") return undefined;
  const pods = index.podsSelectedByService(service).filter(isLive);
  if (pods.length === 0) {
    return {
      object: service,
      problem: `selects no pods (selector ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",")})`,
      evidence: [{ ref: refOf(service), path: "spec.selector", value: selector, note: "no running pod in the namespace has these labels" }],
      pods: [],
    };
  }
  const ports = service.spec?.ports ?? [];
  for (let i = 0; i < ports.length; i++) {
    const target = targetPortOf(ports[i]!);
    if (typeof target !== "string") continue;
    const protocol = protocolOf(ports[i]);
    if (pods.some((p) => findContainerPort(p, target, protocol) !== undefined)) continue;
    return {
      object: service,
      problem: `targetPort ${target} (port ${ports[i]!.port}) is a port name none of its ${pods.length} selected pods defines: no endpoints`,
      evidence: [{ ref: refOf(service), path: `spec.ports[${i}].targetPort`, value: target, note: `no selected pod has a ${protocol} container port named ${target}` }],
      pods,
    };
  }
  return undefined;
}

/** The resource's problem now, or undefined when it is healthy or kubesleuth has no health rule for its kind. */
export function healthOf(index: ClusterIndex, object: KubeObject): UnhealthyResource | undefined {
  if (WORKLOADS.has(object.kind)) return workloadHealth(index, object);
  if (object.kind === "Service") return serviceHealth(index, object as Service);
  if (object.kind === "Pod") {
    const pod = object as Pod;
    if (!isLive(pod) || isReady(pod)) return undefined;
    const why = podProblem(pod);
    return { object, problem: `not ready (${why.value})`, evidence: [{ ref: refOf(pod), ...why, note: "pod not ready" }], pods: [pod] };
  }
  return undefined;
}
