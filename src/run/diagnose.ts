// The closed loop for one object: walk its dependency graph up and down, check each object on the
// way (what was ruled out as well as what was found), and attach the findings that explain it.
import type {
  Deployment,
  Ingress,
  KubeObject,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Service,
  StatefulSet,
  DaemonSet,
} from "../model/kube.js";
import type { Finding, InvestigationStep } from "../model/finding.js";
import { compareRefs, formatRef, refKey, refOf, type ObjectRef } from "../model/ref.js";
import type { ClusterIndex } from "../indexes/types.js";

export type Relation = "target" | "depends-on" | "used-by";

export interface GraphNode {
  ref: ObjectRef;
  relation: Relation;
  /** How it was reached, e.g. "selected by Service shop/web". */
  via: string;
  /** False when the object is referenced but not in the snapshot. */
  present: boolean;
}

export interface Check extends InvestigationStep {
  ref: ObjectRef;
}

export interface Diagnosis {
  target: ObjectRef;
  found: boolean;
  graph: GraphNode[];
  checks: Check[];
  /** Findings whose subject or direct impact is in the graph: the root causes, most severe first. */
  findings: Finding[];
  /** Objects of the graph left out because it was larger than the limit. */
  truncated: number;
}

const WORKLOADS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"]);
const MAX_PODS = 20;

function condition(o: KubeObject, type: string): { status: string; reason?: string; message?: string } | undefined {
  const conditions = (o as { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }).status?.conditions;
  return conditions?.find((c) => c.type === type);
}

function ns(ref: ObjectRef): string {
  return ref.namespace ? ` -n ${ref.namespace}` : "";
}

function kubectlName(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()} ${ref.name}${ns(ref)}`;
}

/** One check per object: the status facts `kubectl get/describe` would show. */
export function checkObject(index: ClusterIndex, object: KubeObject): Check[] {
  const ref = refOf(object);
  const checks: Check[] = [];
  const add = (step: string, command: string, result: string, outcome: Check["outcome"]): void => {
    checks.push({ ref, step, command, result, outcome });
  };
  switch (object.kind) {
    case "Pod": {
      const pod = object as Pod;
      const ready = condition(pod, "Ready");
      const waiting = (pod.status?.containerStatuses ?? []).filter((c) => c.state?.waiting).map((c) => `${c.name}: ${c.state!.waiting!.reason}`);
      const restarts = (pod.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
      const phase = pod.status?.phase ?? "Unknown";
      const ok = phase === "Succeeded" || (phase === "Running" && ready?.status === "True");
      add(
        `Pod ${pod.metadata.name} status`,
        `kubectl get pod ${pod.metadata.name}${ns(ref)} -o wide`,
        `phase ${phase}, Ready=${ready?.status ?? "unknown"}, restarts ${restarts}${waiting.length ? `, waiting: ${waiting.join("; ")}` : ""}${pod.spec.nodeName ? `, node ${pod.spec.nodeName}` : ", not scheduled"}`,
        ok ? "ok" : "problem",
      );
      break;
    }
    case "Node": {
      const node = object as Node;
      const ready = condition(node, "Ready");
      const pressure = ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"].filter((t) => condition(node, t)?.status === "True");
      add(
        `Node ${node.metadata.name} conditions`,
        `kubectl describe node ${node.metadata.name}`,
        `Ready=${ready?.status ?? "unknown"}${ready?.reason ? ` (${ready.reason})` : ""}${pressure.length ? `, ${pressure.join(", ")}` : ", no pressure"}${node.spec?.unschedulable ? ", cordoned" : ""}`,
        ready?.status === "True" && !pressure.length ? "ok" : "problem",
      );
      break;
    }
    case "Service": {
      const svc = object as Service;
      if (svc.spec?.type === "ExternalName") {
        add(`Service ${svc.metadata.name} type`, `kubectl get ${kubectlName(ref)} -o yaml`, `ExternalName ${svc.spec.externalName ?? ""}`, "ok");
        break;
      }
      const selector = svc.spec?.selector;
      if (!selector || !Object.keys(selector).length) {
        add(`Service ${svc.metadata.name} selector`, `kubectl get ${kubectlName(ref)} -o yaml`, "no selector: endpoints are managed manually", "unknown");
        break;
      }
      const pods = index.podsSelectedByService(svc);
      const readyPods = pods.filter((p) => condition(p, "Ready")?.status === "True");
      const selectorText = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(",");
      add(`Service ${svc.metadata.name} selects pods`, `kubectl get pods${ns(ref)} -l ${selectorText}`, `${pods.length} pod(s) match ${selectorText}`, pods.length ? "ok" : "problem");
      const ep = index.endpointsOfService(svc);
      const slices = index.endpointSlicesOfService(svc);
      if (ep || slices.length) {
        const readyAddresses = ep
          ? (ep.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0)
          : slices.reduce((n, s) => n + (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length, 0);
        add(`Service ${svc.metadata.name} endpoints`, `kubectl get endpoints ${svc.metadata.name}${ns(ref)}`, `${readyAddresses} ready address(es)`, readyAddresses ? "ok" : "problem");
      } else if (pods.length) {
        add(`Service ${svc.metadata.name} endpoints`, `kubectl get endpoints ${svc.metadata.name}${ns(ref)}`, `${readyPods.length} of ${pods.length} selected pod(s) ready (Endpoints not in snapshot)`, readyPods.length ? "ok" : "problem");
      }
      break;
    }
    case "PersistentVolumeClaim": {
      const pvc = object as PersistentVolumeClaim;
      const phase = pvc.status?.phase ?? "Unknown";
      add(`PVC ${pvc.metadata.name} phase`, `kubectl get pvc ${pvc.metadata.name}${ns(ref)}`, `${phase}${pvc.spec?.volumeName ? `, volume ${pvc.spec.volumeName}` : ""}`, phase === "Bound" ? "ok" : "problem");
      break;
    }
    case "PersistentVolume": {
      const pv = object as PersistentVolume;
      const phase = pv.status?.phase ?? "Unknown";
      add(`PV ${pv.metadata.name} phase`, `kubectl get pv ${pv.metadata.name}`, phase, phase === "Bound" || phase === "Available" ? "ok" : "problem");
      break;
    }
    case "Deployment": {
      const d = object as Deployment;
      const want = d.spec?.replicas ?? 1;
      const available = d.status?.availableReplicas ?? 0;
      const progressing = condition(d, "Progressing");
      add(
        `Deployment ${d.metadata.name} rollout`,
        `kubectl rollout status deployment/${d.metadata.name}${ns(ref)}`,
        `${available}/${want} available, updated ${d.status?.updatedReplicas ?? 0}${progressing?.reason ? `, Progressing: ${progressing.reason}` : ""}`,
        available >= want && progressing?.reason !== "ProgressDeadlineExceeded" ? "ok" : "problem",
      );
      break;
    }
    case "StatefulSet": {
      const s = object as StatefulSet;
      const want = s.spec?.replicas ?? 1;
      const ready = s.status?.readyReplicas ?? 0;
      const rolling = s.status?.updateRevision && s.status.currentRevision && s.status.updateRevision !== s.status.currentRevision;
      add(
        `StatefulSet ${s.metadata.name} replicas`,
        `kubectl rollout status statefulset/${s.metadata.name}${ns(ref)}`,
        `${ready}/${want} ready${rolling ? `, rolling update ${s.status?.updatedReplicas ?? 0}/${want} updated` : ""}`,
        ready >= want && !rolling ? "ok" : "problem",
      );
      break;
    }
    case "DaemonSet": {
      const d = object as DaemonSet;
      const want = d.status?.desiredNumberScheduled ?? 0;
      const ready = d.status?.numberReady ?? 0;
      add(`DaemonSet ${d.metadata.name} pods`, `kubectl rollout status daemonset/${d.metadata.name}${ns(ref)}`, `${ready}/${want} ready`, ready >= want ? "ok" : "problem");
      break;
    }
    case "Ingress": {
      const ing = object as Ingress;
      const className = ing.spec?.ingressClassName ?? ing.metadata.annotations?.["kubernetes.io/ingress.class"];
      if (className) {
        const exists = index.ingressClass(className) !== undefined;
        add(`Ingress ${ing.metadata.name} class`, "kubectl get ingressclass", `class ${className} ${exists ? "exists" : index.has("IngressClass") ? "not found" : "(IngressClasses not loaded)"}`, exists ? "ok" : index.has("IngressClass") ? "problem" : "unknown");
      } else {
        const defaults = index.defaultIngressClasses();
        add(`Ingress ${ing.metadata.name} class`, "kubectl get ingressclass", defaults.length ? `no class set; default ${defaults.map((c) => c.metadata.name).join(", ")} applies` : "no class set and no default IngressClass", defaults.length ? "ok" : "problem");
      }
      break;
    }
    default:
      add(`${object.kind} ${object.metadata.name} exists`, `kubectl get ${kubectlName(ref)}`, "present", "ok");
  }
  return checks;
}

/** Walks the dependency graph of `target` and gathers checks and findings. */
export function diagnose(index: ClusterIndex, findings: readonly Finding[], target: ObjectRef): Diagnosis {
  const graph = new Map<string, GraphNode>();
  const objects: KubeObject[] = [];
  let truncated = 0;
  const visit = (ref: ObjectRef, relation: Relation, via: string): KubeObject | undefined => {
    const k = refKey(ref);
    if (graph.has(k)) return undefined;
    const object = index.getByRef(ref);
    graph.set(k, { ref, relation, via, present: object !== undefined });
    if (object) objects.push(object);
    return object;
  };
  const root = visit(target, "target", "requested");
  if (!root) return { target, found: false, graph: [...graph.values()], checks: [], findings: [], truncated: 0 };

  const downFromPod = (pod: Pod, via: string): void => {
    const node = index.nodeOfPod(pod);
    if (pod.spec.nodeName) visit(node ? refOf(node) : { kind: "Node", name: pod.spec.nodeName }, "depends-on", via);
    for (const r of index.referencesOfPod(pod)) {
      if (r.kind === "ServiceAccount") continue;
      const claim = visit({ kind: r.kind, namespace: pod.metadata.namespace, name: r.name }, "depends-on", `${via} (${r.path})`);
      if (claim?.kind === "PersistentVolumeClaim") downFromClaim(claim as PersistentVolumeClaim);
    }
  };
  const downFromClaim = (pvc: PersistentVolumeClaim): void => {
    const pv = index.volumeOfClaim(pvc);
    if (pv) visit(refOf(pv), "depends-on", `bound to ${formatRef(refOf(pvc))}`);
    const className = pvc.spec?.storageClassName;
    if (className) visit({ kind: "StorageClass", name: className }, "depends-on", `storageClassName of ${formatRef(refOf(pvc))}`);
  };
  const pods = (list: readonly Pod[], relation: Relation, via: string): void => {
    list.slice(0, MAX_PODS).forEach((p) => {
      if (visit(refOf(p), relation, via)) downFromPod(p, `used by Pod ${p.metadata.name}`);
    });
    truncated += Math.max(0, list.length - MAX_PODS);
  };
  const upFromPods = (list: readonly Pod[]): void => {
    const services = new Set<Service>();
    for (const p of list) for (const s of index.servicesSelectingPod(p)) services.add(s);
    for (const s of services) {
      visit(refOf(s), "used-by", "selects these pods");
      for (const b of index.ingressBackendsToService(s)) visit(refOf(b.ingress), "used-by", `routes to Service ${s.metadata.name}`);
    }
  };

  switch (root.kind) {
    case "Ingress": {
      const ing = root as Ingress;
      const className = ing.spec?.ingressClassName;
      if (className) visit({ kind: "IngressClass", name: className }, "depends-on", "spec.ingressClassName");
      for (const tls of ing.spec?.tls ?? []) if (tls.secretName) visit({ kind: "Secret", namespace: ing.metadata.namespace, name: tls.secretName }, "depends-on", "spec.tls");
      for (const b of index.backendsOfIngress(ing)) {
        const svc = visit({ kind: "Service", namespace: ing.metadata.namespace, name: b.serviceName }, "depends-on", b.path) as Service | undefined;
        if (svc) pods(index.podsSelectedByService(svc), "depends-on", `selected by Service ${svc.metadata.name}`);
      }
      break;
    }
    case "Service": {
      const svc = root as Service;
      pods(index.podsSelectedByService(svc), "depends-on", `selected by Service ${svc.metadata.name}`);
      for (const b of index.ingressBackendsToService(svc)) visit(refOf(b.ingress), "used-by", b.path);
      break;
    }
    case "Pod": {
      const pod = root as Pod;
      const owner = index.rootController(pod);
      if (owner !== pod) visit(refOf(owner), "used-by", "controls this pod");
      downFromPod(pod, `used by Pod ${pod.metadata.name}`);
      upFromPods([pod]);
      break;
    }
    case "Node": {
      pods(index.podsOnNode(root as Node), "used-by", "runs on this node");
      break;
    }
    case "PersistentVolumeClaim": {
      downFromClaim(root as PersistentVolumeClaim);
      pods(index.podsUsingClaim(root as PersistentVolumeClaim), "used-by", "mounts this claim");
      break;
    }
    default:
      if (WORKLOADS.has(root.kind)) {
        const list = index.podsOfWorkload(root);
        pods(list, "depends-on", `pod of ${root.kind} ${root.metadata.name}`);
        upFromPods(list);
      }
  }

  const checks: Check[] = [];
  for (const object of objects) checks.push(...checkObject(index, object));
  for (const node of graph.values()) {
    if (!node.present) {
      const coverage = index.has(node.ref.kind);
      checks.push({
        ref: node.ref,
        step: `${node.ref.kind} ${node.ref.name} exists`,
        command: `kubectl get ${kubectlName(node.ref)}`,
        result: coverage ? `not found (referenced: ${node.via})` : `not in the snapshot (${node.ref.kind} not loaded)`,
        outcome: coverage ? "problem" : "unknown",
      });
    }
  }

  const inGraph = new Set(graph.keys());
  const related = findings.filter(
    (f) => inGraph.has(refKey(f.subject)) || f.impact.direct.some((r) => inGraph.has(refKey(r))) || f.related?.some((r) => inGraph.has(refKey(r.subject))),
  );
  return {
    target,
    found: true,
    graph: [...graph.values()].sort((a, b) => (a.relation === b.relation ? compareRefs(a.ref, b.ref) : a.relation === "target" ? -1 : b.relation === "target" ? 1 : a.relation.localeCompare(b.relation))),
    checks,
    findings: related,
    truncated,
  };
}
