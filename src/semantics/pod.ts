// Pod state as Kubernetes itself reads it.
import type { Pod } from "../model/kube.js";

/**
 * Whether a pod is Ready: its Ready condition (the first one, as podutil.GetPodCondition finds it) has
 * status True (k8s.io/kubernetes/pkg/api/v1/pod IsPodReady). The kubelet sets Ready False for a pod
 * that is not running, so the phase needs no separate check.
 */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).find((c) => c.type === "Ready")?.status === "True";
}
