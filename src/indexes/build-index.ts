// Builds the ClusterIndex once per run. Pure; maps are built lazily on first use and kept.
import type {
  ConfigMap,
  Endpoints,
  EndpointSlice,
  Event,
  Ingress,
  IngressClass,
  KubeObject,
  LabelSelector,
  NetworkPolicy,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  Secret,
  Service,
  ServiceAccount,
  StorageClass,
} from "../model/kube.js";
import type { ObjectRef } from "../model/ref.js";
import type { Snapshot } from "../model/snapshot.js";
import { matchesSelector, matchesServiceSelector } from "../semantics/labels.js";
import { eventTime } from "../semantics/time.js";
import type { ClusterIndex, HistoryEntry, IngressBackendRef, PodReference } from "./types.js";

const EMPTY: readonly never[] = Object.freeze([]);

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/** Builds the index of a snapshot (and, lazily, of its earlier captures). */
export function buildIndex(snapshot: Snapshot): ClusterIndex {
  const history = lazy((): readonly HistoryEntry[] =>
    (snapshot.history ?? [])
      .map((h) => ({ capturedAt: Date.parse(h.capturedAt ?? ""), snapshot: h, index: buildIndex(h) }))
      .filter((h) => !Number.isNaN(h.capturedAt)),
  );
  const all = <T extends KubeObject>(kind: string): readonly T[] => (snapshot.objects.get(kind) ?? EMPTY) as readonly T[];

  const byName = lazy(() => {
    const maps = new Map<string, Map<string, KubeObject>>();
    for (const [kind, list] of snapshot.objects) {
      const m = new Map<string, KubeObject>();
      for (const o of list) m.set(key(o.metadata.namespace, o.metadata.name), o);
      maps.set(kind, m);
    }
    return maps;
  });
  const byNamespace = new Map<string, Map<string, KubeObject[]>>();
  const inNamespace = <T extends KubeObject>(kind: string, namespace: string): readonly T[] => {
    let m = byNamespace.get(kind);
    if (!m) {
      m = new Map();
      for (const o of all(kind)) push(m, o.metadata.namespace ?? "", o);
      byNamespace.set(kind, m);
    }
    return (m.get(namespace) ?? EMPTY) as readonly T[];
  };
  const get = <T extends KubeObject>(kind: string, namespace: string | undefined, name: string): T | undefined =>
    byName().get(kind)?.get(key(namespace, name)) as T | undefined;

  const uids = lazy(() => {
    const m = new Map<string, KubeObject>();
    for (const list of snapshot.objects.values()) for (const o of list) if (o.metadata.uid) m.set(o.metadata.uid, o);
    return m;
  });

  // ---- owner graph
  const controllerOf = (o: KubeObject): KubeObject | undefined => {
    const owner = o.metadata.ownerReferences?.find((r) => r.controller) ?? undefined;
    if (!owner) return undefined;
    const byUid = owner.uid ? uids().get(owner.uid) : undefined;
    if (byUid) return byUid;
    // Offline dumps sometimes lack the owner's uid match (re-created objects); fall back to kind/name.
    return get(owner.kind, o.metadata.namespace, owner.name);
  };
  const children = lazy(() => {
    const m = new Map<KubeObject, KubeObject[]>();
    for (const list of snapshot.objects.values()) {
      for (const o of list) {
        const owner = controllerOf(o);
        if (owner) push(m, owner, o);
      }
    }
    return m;
  });
  const rootController = (o: KubeObject): KubeObject => {
    let current = o;
    for (let depth = 0; depth < 10; depth++) {
      const owner = controllerOf(current);
      if (!owner) break;
      current = owner;
    }
    return current;
  };
  const podsOfWorkload = (workload: KubeObject): readonly Pod[] => {
    const out: Pod[] = [];
    const visit = (o: KubeObject, depth: number): void => {
      for (const child of children().get(o) ?? EMPTY) {
        if (child.kind === "Pod") out.push(child as Pod);
        else if (depth < 5) visit(child, depth + 1);
      }
    };
    visit(workload, 0);
    return out;
  };

  // ---- label postings per namespace for fast Service selection: "ns\0key=value" -> pods
  const podPostings = lazy(() => {
    const m = new Map<string, Pod[]>();
    for (const pod of all<Pod>("Pod")) {
      const ns = pod.metadata.namespace ?? "";
      for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) push(m, `${ns}\0${k}=${v}`, pod);
    }
    return m;
  });
  const podsSelectedByServiceCache = new Map<Service, readonly Pod[]>();
  const podsSelectedByService = (service: Service): readonly Pod[] => {
    const cached = podsSelectedByServiceCache.get(service);
    if (cached) return cached;
    const selector = service.spec?.selector;
    let result: readonly Pod[] = EMPTY;
    if (selector && Object.keys(selector).length > 0) {
      const ns = service.metadata.namespace ?? "";
      let smallest: Pod[] | undefined;
      for (const [k, v] of Object.entries(selector)) {
        const posting = podPostings().get(`${ns}\0${k}=${v}`);
        if (!posting) {
          smallest = [];
          break;
        }
        if (!smallest || posting.length < smallest.length) smallest = posting;
      }
      result = (smallest ?? []).filter((p) => matchesServiceSelector(selector, p.metadata.labels));
    }
    podsSelectedByServiceCache.set(service, result);
    return result;
  };
  const servicesByPod = lazy(() => {
    const m = new Map<Pod, Service[]>();
    for (const svc of all<Service>("Service")) for (const pod of podsSelectedByService(svc)) push(m, pod, svc);
    return m;
  });

  const slicesByService = lazy(() => {
    const m = new Map<string, EndpointSlice[]>();
    for (const slice of all<EndpointSlice>("EndpointSlice")) {
      const svc = slice.metadata.labels?.["kubernetes.io/service-name"];
      if (svc) push(m, key(slice.metadata.namespace, svc), slice);
    }
    return m;
  });

  const ingressBackends = lazy(() => {
    const byIngress = new Map<Ingress, IngressBackendRef[]>();
    const byService = new Map<string, IngressBackendRef[]>();
    for (const ing of all<Ingress>("Ingress")) {
      const list: IngressBackendRef[] = [];
      const def = ing.spec?.defaultBackend?.service;
      if (def) list.push({ ingress: ing, path: "spec.defaultBackend.service", serviceName: def.name, port: def.port });
      (ing.spec?.rules ?? []).forEach((rule, r) => {
        (rule.http?.paths ?? []).forEach((p, i) => {
          const svc = p.backend.service;
          if (!svc) return;
          list.push({
            ingress: ing,
            path: `spec.rules[${r}].http.paths[${i}].backend.service`,
            host: rule.host,
            httpPath: p.path,
            serviceName: svc.name,
            port: svc.port,
          });
        });
      });
      byIngress.set(ing, list);
      for (const b of list) push(byService, key(ing.metadata.namespace, b.serviceName), b);
    }
    return { byIngress, byService };
  });

  const podsMatching = (namespace: string, selector: LabelSelector): readonly Pod[] =>
    inNamespace<Pod>("Pod", namespace).filter((p) => matchesSelector(selector, p.metadata.labels));

  const policiesByPod = lazy(() => {
    const m = new Map<Pod, NetworkPolicy[]>();
    for (const np of all<NetworkPolicy>("NetworkPolicy")) {
      if (!np.spec) continue;
      for (const pod of podsMatching(np.metadata.namespace ?? "", np.spec.podSelector ?? {})) push(m, pod, np);
    }
    return m;
  });
  const pdbsByPod = lazy(() => {
    const m = new Map<Pod, PodDisruptionBudget[]>();
    for (const pdb of all<PodDisruptionBudget>("PodDisruptionBudget")) {
      if (!pdb.spec?.selector) continue;
      for (const pod of podsMatching(pdb.metadata.namespace ?? "", pdb.spec.selector)) push(m, pod, pdb);
    }
    return m;
  });

  // ---- pod references
  const referencesCache = new Map<Pod, readonly PodReference[]>();
  const referencesOfPod = (pod: Pod): readonly PodReference[] => {
    const cached = referencesCache.get(pod);
    if (cached) return cached;
    const refs = collectPodReferences(pod);
    referencesCache.set(pod, refs);
    return refs;
  };
  const podsByReference = lazy(() => {
    const m = new Map<string, Pod[]>();
    for (const pod of all<Pod>("Pod")) {
      const seen = new Set<string>();
      for (const r of referencesOfPod(pod)) {
        const k = `${r.kind}/${key(pod.metadata.namespace, r.name)}`;
        if (seen.has(k)) continue;
        seen.add(k);
        push(m, k, pod);
      }
    }
    return m;
  });

  // ---- nodes
  const podsByNode = lazy(() => {
    const m = new Map<string, Pod[]>();
    for (const pod of all<Pod>("Pod")) if (pod.spec?.nodeName) push(m, pod.spec.nodeName, pod);
    return m;
  });

  // ---- events: by involved uid and by kind/ns/name
  const events = lazy(() => {
    const byUid = new Map<string, Event[]>();
    const byRef = new Map<string, Event[]>();
    const sorted = [...all<Event>("Event")].sort((a, b) => (eventTime(a) ?? "").localeCompare(eventTime(b) ?? ""));
    for (const ev of sorted) {
      const io = ev.involvedObject ?? {};
      if (io.uid) push(byUid, io.uid, ev);
      if (io.kind && io.name) push(byRef, `${io.kind}/${key(io.namespace, io.name)}`, ev);
    }
    return { byUid, byRef };
  });
  const eventsFor = (target: ObjectRef | KubeObject): readonly Event[] => {
    const isObject = "metadata" in target;
    const ref: ObjectRef = isObject
      ? { kind: target.kind, namespace: target.metadata.namespace, name: target.metadata.name }
      : target;
    const uid = isObject ? target.metadata.uid : (get(ref.kind, ref.namespace, ref.name)?.metadata.uid ?? undefined);
    const byRef = events().byRef.get(`${ref.kind}/${key(ref.namespace, ref.name)}`) ?? EMPTY;
    // The kubelet's node events carry the node's name as involvedObject.uid (kubelet.go: nodeRef
    // UID = types.UID(nodeName)), so uid matching would drop them all; node names are not reused.
    if (!uid || ref.kind === "Node") return byRef;
    // An event for an older object of the same name (a re-created pod) must not be attributed to this one.
    return byRef.filter((e) => !e.involvedObject.uid || e.involvedObject.uid === uid);
  };

  const defaultByAnnotation = <T extends KubeObject>(kind: string, annotation: string): readonly T[] =>
    all<T>(kind).filter((o) => o.metadata.annotations?.[annotation] === "true");

  return {
    all,
    inNamespace,
    get,
    getByRef: <T extends KubeObject>(ref: ObjectRef) => get<T>(ref.kind, ref.namespace, ref.name),
    byUid: (uid) => uids().get(uid),
    has: (kind) => {
      const c = snapshot.coverage[kind];
      return c ? c.status === "ok" || c.status === "partial" : (snapshot.objects.get(kind)?.length ?? 0) > 0;
    },
    controllerOf,
    rootController,
    controlledBy: (o) => children().get(o) ?? EMPTY,
    podsOfWorkload,
    podsSelectedByService,
    servicesSelectingPod: (pod) => servicesByPod().get(pod) ?? EMPTY,
    endpointsOfService: (svc) => get<Endpoints>("Endpoints", svc.metadata.namespace, svc.metadata.name),
    endpointSlicesOfService: (svc) => slicesByService().get(key(svc.metadata.namespace, svc.metadata.name)) ?? EMPTY,
    ingressBackendsToService: (svc) => ingressBackends().byService.get(key(svc.metadata.namespace, svc.metadata.name)) ?? EMPTY,
    backendsOfIngress: (ing) => ingressBackends().byIngress.get(ing) ?? EMPTY,
    ingressClass: (name) => get<IngressClass>("IngressClass", undefined, name),
    defaultIngressClasses: () => defaultByAnnotation<IngressClass>("IngressClass", "ingressclass.kubernetes.io/is-default-class"),
    networkPoliciesSelectingPod: (pod) => policiesByPod().get(pod) ?? EMPTY,
    pdbsSelectingPod: (pod) => pdbsByPod().get(pod) ?? EMPTY,
    podsMatching,
    volumeOfClaim: (pvc) => (pvc.spec?.volumeName ? get<PersistentVolume>("PersistentVolume", undefined, pvc.spec.volumeName) : undefined),
    storageClassOfClaim: (pvc) => {
      const name = pvc.spec?.storageClassName;
      return name ? get<StorageClass>("StorageClass", undefined, name) : undefined;
    },
    defaultStorageClasses: () => defaultByAnnotation<StorageClass>("StorageClass", "storageclass.kubernetes.io/is-default-class"),
    claimsOfPod: (pod) =>
      referencesOfPod(pod)
        .filter((r) => r.kind === "PersistentVolumeClaim")
        .map((r) => get<PersistentVolumeClaim>("PersistentVolumeClaim", pod.metadata.namespace, r.name))
        .filter((c): c is PersistentVolumeClaim => c !== undefined),
    podsUsingClaim: (pvc) => podsByReference().get(`PersistentVolumeClaim/${key(pvc.metadata.namespace, pvc.metadata.name)}`) ?? EMPTY,
    nodeOfPod: (pod) => (pod.spec?.nodeName ? get<Node>("Node", undefined, pod.spec.nodeName) : undefined),
    podsOnNode: (node) => podsByNode().get(node.metadata.name) ?? EMPTY,
    referencesOfPod,
    podsReferencing: (kind, namespace, name) => podsByReference().get(`${kind}/${key(namespace, name)}`) ?? EMPTY,
    configMap: (namespace, name) => get<ConfigMap>("ConfigMap", namespace, name),
    secret: (namespace, name) => get<Secret>("Secret", namespace, name),
    serviceAccount: (namespace, name) => get<ServiceAccount>("ServiceAccount", namespace, name),
    eventsFor,
    get history(): readonly HistoryEntry[] {
      return history();
    },
  };
}

/** Every ConfigMap, Secret, PVC and ServiceAccount a pod spec names, with the field path. */
export function collectPodReferences(pod: Pod): PodReference[] {
  const refs: PodReference[] = [];
  const spec = pod.spec;
  if (!spec) return refs;
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  if (sa) refs.push({ kind: "ServiceAccount", name: sa, optional: false, path: "spec.serviceAccountName" });
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (s.name) refs.push({ kind: "Secret", name: s.name, optional: true, path: `spec.imagePullSecrets[${i}]` });
  });
  (spec.volumes ?? []).forEach((v, i) => {
    const base = `spec.volumes[${i}]`;
    if (v.configMap) refs.push({ kind: "ConfigMap", name: v.configMap.name, optional: v.configMap.optional === true, path: `${base}.configMap` });
    if (v.secret) refs.push({ kind: "Secret", name: v.secret.secretName, optional: v.secret.optional === true, path: `${base}.secret` });
    if (v.persistentVolumeClaim)
      refs.push({ kind: "PersistentVolumeClaim", name: v.persistentVolumeClaim.claimName, optional: false, path: `${base}.persistentVolumeClaim` });
    (v.projected?.sources ?? []).forEach((s, j) => {
      if (s.configMap) refs.push({ kind: "ConfigMap", name: s.configMap.name, optional: s.configMap.optional === true, path: `${base}.projected.sources[${j}].configMap` });
      if (s.secret) refs.push({ kind: "Secret", name: s.secret.name, optional: s.secret.optional === true, path: `${base}.projected.sources[${j}].secret` });
    });
  });
  const containerRefs = (containers: readonly import("../model/kube.js").Container[] | undefined, field: string): void => {
    (containers ?? []).forEach((c, i) => {
      const base = `spec.${field}[${i}]`;
      (c.env ?? []).forEach((e, j) => {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm) refs.push({ kind: "ConfigMap", name: cm.name, key: cm.key, optional: cm.optional === true, path: `${base}.env[${j}].valueFrom.configMapKeyRef`, container: c.name });
        const sk = e.valueFrom?.secretKeyRef;
        if (sk) refs.push({ kind: "Secret", name: sk.name, key: sk.key, optional: sk.optional === true, path: `${base}.env[${j}].valueFrom.secretKeyRef`, container: c.name });
      });
      (c.envFrom ?? []).forEach((e, j) => {
        if (e.configMapRef) refs.push({ kind: "ConfigMap", name: e.configMapRef.name, optional: e.configMapRef.optional === true, path: `${base}.envFrom[${j}].configMapRef`, container: c.name });
        if (e.secretRef) refs.push({ kind: "Secret", name: e.secretRef.name, optional: e.secretRef.optional === true, path: `${base}.envFrom[${j}].secretRef`, container: c.name });
      });
    });
  };
  containerRefs(spec.initContainers, "initContainers");
  containerRefs(spec.containers, "containers");
  return refs;
}
