// The cluster index: every relation analyzers and impact need, computed once per run.
import type {
  ConfigMap,
  Endpoints,
  EndpointSlice,
  Event,
  Ingress,
  IngressClass,
  KubeObject,
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

/** A reference from an Ingress rule (or default backend) to a Service port. */
export interface IngressBackendRef {
  ingress: Ingress;
  /** Field path of the backend inside the Ingress, for evidence. */
  path: string;
  host?: string;
  httpPath?: string;
  serviceName: string;
  port?: { number?: number; name?: string };
}

/** Where a pod refers to a ConfigMap, Secret, PVC or ServiceAccount. */
export interface PodReference {
  kind: "ConfigMap" | "Secret" | "PersistentVolumeClaim" | "ServiceAccount";
  name: string;
  /** The key, for env valueFrom and volume items. */
  key?: string;
  optional: boolean;
  /** Field path in the pod, e.g. spec.containers[0].env[2].valueFrom.secretKeyRef. */
  path: string;
  container?: string;
}

/** An earlier capture of the same cluster (snapshots taken over time), with its own index. */
export interface HistoryEntry {
  /** Capture time in ms. */
  capturedAt: number;
  snapshot: import("../model/snapshot.js").Snapshot;
  index: ClusterIndex;
}

export interface ClusterIndex {
  /** All objects of a kind (canonical kind name), sorted by namespace then name. */
  all<T extends KubeObject = KubeObject>(kind: string): readonly T[];
  /** Objects of a kind in one namespace. */
  inNamespace<T extends KubeObject = KubeObject>(kind: string, namespace: string): readonly T[];
  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): T | undefined;
  getByRef<T extends KubeObject = KubeObject>(ref: ObjectRef): T | undefined;
  byUid(uid: string): KubeObject | undefined;
  /** Whether the snapshot holds this kind at all (coverage ok or partial), to tell "absent" from "not loaded". */
  has(kind: string): boolean;

  // owner graph
  /** The controlling owner (ownerReferences with controller=true), if loaded. */
  controllerOf(object: KubeObject): KubeObject | undefined;
  /** The top of the controller chain: Pod -> ReplicaSet -> Deployment gives the Deployment. */
  rootController(object: KubeObject): KubeObject;
  /** Objects whose controller is this object. */
  controlledBy(object: KubeObject): readonly KubeObject[];
  /** Pods whose controller chain leads to this workload (Deployment, StatefulSet, DaemonSet, Job, ReplicaSet ...). */
  podsOfWorkload(workload: KubeObject): readonly Pod[];

  // services and networking
  podsSelectedByService(service: Service): readonly Pod[];
  servicesSelectingPod(pod: Pod): readonly Service[];
  endpointsOfService(service: Service): Endpoints | undefined;
  endpointSlicesOfService(service: Service): readonly EndpointSlice[];
  /** Ingress backends that point at this Service. */
  ingressBackendsToService(service: Service): readonly IngressBackendRef[];
  /** All Service backends of an Ingress (rules and default backend). */
  backendsOfIngress(ingress: Ingress): readonly IngressBackendRef[];
  ingressClass(name: string): IngressClass | undefined;
  /** IngressClasses annotated ingressclass.kubernetes.io/is-default-class=true. */
  defaultIngressClasses(): readonly IngressClass[];
  networkPoliciesSelectingPod(pod: Pod): readonly NetworkPolicy[];
  pdbsSelectingPod(pod: Pod): readonly PodDisruptionBudget[];
  /** Pods in a namespace whose labels match a metav1.LabelSelector. */
  podsMatching(namespace: string, selector: import("../model/kube.js").LabelSelector): readonly Pod[];

  // storage
  volumeOfClaim(claim: PersistentVolumeClaim): PersistentVolume | undefined;
  storageClassOfClaim(claim: PersistentVolumeClaim): StorageClass | undefined;
  /** StorageClasses annotated storageclass.kubernetes.io/is-default-class=true. */
  defaultStorageClasses(): readonly StorageClass[];
  claimsOfPod(pod: Pod): readonly PersistentVolumeClaim[];
  podsUsingClaim(claim: PersistentVolumeClaim): readonly Pod[];

  // nodes
  nodeOfPod(pod: Pod): Node | undefined;
  podsOnNode(node: Node): readonly Pod[];

  // references from pods
  referencesOfPod(pod: Pod): readonly PodReference[];
  /** Pods that reference a ConfigMap, Secret, PVC or ServiceAccount by name. */
  podsReferencing(kind: PodReference["kind"], namespace: string, name: string): readonly Pod[];
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  serviceAccount(namespace: string, name: string): ServiceAccount | undefined;

  // events
  /** Events whose involvedObject is this object (by uid when both have one, else by kind/namespace/name), oldest first. */
  eventsFor(ref: ObjectRef | KubeObject): readonly Event[];

  // time series
  /** Earlier captures of the same cluster, oldest first (`scan a/ b/ c/` over time); empty for a single capture. */
  readonly history: readonly HistoryEntry[];
}
