// Blast radius over the index graph: what a problem with the subject breaks directly, and what depends on that.
import type { Ingress, KubeObject, Node, PersistentVolumeClaim, Pod, Service } from "../model/kube.js";
import type { Impact } from "../model/finding.js";
import { compareRefs, refKey, refOf, type ObjectRef } from "../model/ref.js";
import type { ClusterIndex } from "../indexes/types.js";

const WORKLOADS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"]);

class RefSet {
  private readonly seen = new Map<string, ObjectRef>();
  add(ref: ObjectRef): void {
    const k = refKey(ref);
    if (!this.seen.has(k)) this.seen.set(k, ref);
  }
  has(ref: ObjectRef): boolean {
    return this.seen.has(refKey(ref));
  }
  values(): ObjectRef[] {
    return [...this.seen.values()].sort(compareRefs);
  }
}

/**
 * Impact of a problem on `subject`, seeded with the objects the analyzer says it affects.
 * Pods lead to their workload, the Services selecting them and the Ingresses routing to those;
 * a Node leads to its pods; a PVC, ConfigMap or Secret to the pods using it.
 */
export function computeImpact(index: ClusterIndex, subject: ObjectRef, affected: readonly ObjectRef[] = []): Impact {
  const direct = new RefSet();
  const indirect = new RefSet();
  const object = index.getByRef(subject);
  const pods: Pod[] = [];

  for (const ref of affected) {
    direct.add(ref);
    if (ref.kind === "Pod") {
      const pod = index.getByRef<Pod>(ref);
      if (pod) pods.push(pod);
    }
  }

  if (object) {
    switch (object.kind) {
      case "Pod":
        pods.push(object as Pod);
        break;
      case "Node":
        for (const pod of index.podsOnNode(object as Node)) {
          direct.add(refOf(pod));
          pods.push(pod);
        }
        break;
      case "PersistentVolumeClaim":
        for (const pod of index.podsUsingClaim(object as PersistentVolumeClaim)) {
          direct.add(refOf(pod));
          pods.push(pod);
        }
        break;
      case "ConfigMap":
      case "Secret":
        for (const pod of index.podsReferencing(object.kind, object.metadata.namespace ?? "", object.metadata.name)) {
          direct.add(refOf(pod));
          pods.push(pod);
        }
        break;
      case "Service":
        for (const backend of index.ingressBackendsToService(object as Service)) direct.add(refOf(backend.ingress));
        break;
      default:
        // A workload finding that names the pods it is about (e.g. the crash-looping ones) impacts
        // those; otherwise every pod of the workload is at stake.
        if (WORKLOADS.has(object.kind) && pods.length === 0) {
          for (const pod of index.podsOfWorkload(object)) {
            direct.add(refOf(pod));
            pods.push(pod);
          }
        }
    }
  }

  const services = new Set<Service>();
  for (const pod of pods) {
    const root: KubeObject = index.rootController(pod);
    if (root !== pod) indirect.add(refOf(root));
    for (const svc of index.servicesSelectingPod(pod)) services.add(svc);
  }
  const ingresses = new Set<Ingress>();
  for (const svc of services) {
    indirect.add(refOf(svc));
    for (const backend of index.ingressBackendsToService(svc)) ingresses.add(backend.ingress);
  }
  for (const ing of ingresses) indirect.add(refOf(ing));

  const directRefs = direct.values().filter((r) => refKey(r) !== refKey(subject));
  const indirectRefs = indirect.values().filter((r) => refKey(r) !== refKey(subject) && !direct.has(r));
  return { direct: directRefs, indirect: indirectRefs };
}
