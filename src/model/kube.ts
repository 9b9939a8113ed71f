// Kubernetes objects as plain JSON, exactly as the API server or `kubectl -o json` gives them.
// Timestamps stay RFC 3339 strings; quantities stay strings. Only the fields kubesleuth reads
// are typed; everything else passes through untouched.

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown" | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

// ---------------------------------------------------------------- Pods

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
  hostPort?: number;
  hostIP?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string; containerName?: string };
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface Probe {
  httpGet?: { path?: string; port: number | string; scheme?: string };
  tcpSocket?: { port: number | string };
  exec?: { command?: string[] };
  grpc?: { port: number };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  imagePullPolicy?: string;
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  restartPolicy?: string;
}

export interface Volume {
  name: string;
  configMap?: { name: string; optional?: boolean; items?: { key: string; path: string }[] };
  secret?: { secretName: string; optional?: boolean; items?: { key: string; path: string }[] };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  projected?: {
    sources?: {
      configMap?: { name: string; optional?: boolean; items?: { key: string; path: string }[] };
      secret?: { name: string; optional?: boolean; items?: { key: string; path: string }[] };
      serviceAccountToken?: unknown;
    }[];
  };
  [source: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal" | string;
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute" | string;
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt" | string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  serviceAccountName?: string;
  serviceAccount?: string;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  imagePullSecrets?: { name: string }[];
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
      preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
    };
    podAffinity?: unknown;
    podAntiAffinity?: unknown;
  };
  hostNetwork?: boolean;
  priorityClassName?: string;
  schedulerName?: string;
  restartPolicy?: string;
  [field: string]: unknown;
}

export interface ContainerStateWaiting { reason?: string; message?: string }
export interface ContainerStateTerminated {
  exitCode: number;
  reason?: string;
  message?: string;
  signal?: number;
  startedAt?: string;
  finishedAt?: string;
}
export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: { startedAt?: string };
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  image?: string;
  imageID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodStatus {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown" | string;
  reason?: string;
  message?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  hostIP?: string;
  podIP?: string;
  startTime?: string;
  nominatedNodeName?: string;
  qosClass?: string;
}

export interface Pod extends KubeObject {
  kind: "Pod";
  spec: PodSpec;
  status?: PodStatus;
}

// ---------------------------------------------------------------- Nodes

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" | string;
  timeAdded?: string;
}

export interface Node extends KubeObject {
  kind: "Node";
  spec?: { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string; providerID?: string };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
    images?: { names?: string[]; sizeBytes?: number }[];
  };
}

// ---------------------------------------------------------------- Services and networking

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  kind: "Service";
  spec?: {
    type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName" | string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    externalName?: string;
    publishNotReadyAddresses?: boolean;
  };
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
}

export interface Endpoints extends KubeObject {
  kind: "Endpoints";
  subsets?: {
    addresses?: EndpointAddress[];
    notReadyAddresses?: EndpointAddress[];
    ports?: { name?: string; port: number; protocol?: string }[];
  }[];
}

export interface EndpointSlice extends KubeObject {
  kind: "EndpointSlice";
  addressType?: string;
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    nodeName?: string;
    targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

export interface IngressBackend {
  service?: { name: string; port?: { number?: number; name?: string } };
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface Ingress extends KubeObject {
  kind: "Ingress";
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: {
      host?: string;
      http?: { paths: { path?: string; pathType?: string; backend: IngressBackend }[] };
    }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface IngressClass extends KubeObject {
  kind: "IngressClass";
  spec?: { controller?: string; parameters?: unknown };
}

export interface NetworkPolicyPort { protocol?: string; port?: number | string; endPort?: number }
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
export interface NetworkPolicy extends KubeObject {
  kind: "NetworkPolicy";
  spec?: {
    podSelector: LabelSelector;
    policyTypes?: ("Ingress" | "Egress")[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

// ---------------------------------------------------------------- Storage

export interface PersistentVolumeClaim extends KubeObject {
  kind: "PersistentVolumeClaim";
  spec?: {
    storageClassName?: string | null;
    accessModes?: string[];
    resources?: ResourceRequirements;
    volumeName?: string;
    volumeMode?: string;
    selector?: LabelSelector;
  };
  status?: { phase?: "Pending" | "Bound" | "Lost" | string; capacity?: Record<string, string>; accessModes?: string[] };
}

export interface PersistentVolume extends KubeObject {
  kind: "PersistentVolume";
  spec?: {
    storageClassName?: string;
    capacity?: Record<string, string>;
    accessModes?: string[];
    claimRef?: { namespace?: string; name?: string; uid?: string };
    persistentVolumeReclaimPolicy?: string;
    volumeMode?: string;
    nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
    csi?: { driver: string; volumeHandle?: string };
    [source: string]: unknown;
  };
  status?: { phase?: "Available" | "Bound" | "Released" | "Failed" | "Pending" | string; message?: string; reason?: string };
}

export interface StorageClass extends KubeObject {
  kind: "StorageClass";
  provisioner: string;
  volumeBindingMode?: "Immediate" | "WaitForFirstConsumer" | string;
  reclaimPolicy?: string;
  allowVolumeExpansion?: boolean;
  parameters?: Record<string, string>;
}

// ---------------------------------------------------------------- Workloads

export interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: { metadata?: Partial<ObjectMeta>; spec: PodSpec };
  [field: string]: unknown;
}

export interface Deployment extends KubeObject {
  kind: "Deployment";
  spec?: WorkloadSpec & { progressDeadlineSeconds?: number; strategy?: unknown; paused?: boolean };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet extends KubeObject {
  kind: "ReplicaSet";
  spec?: WorkloadSpec;
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; conditions?: Condition[] };
}

export interface StatefulSet extends KubeObject {
  kind: "StatefulSet";
  spec?: WorkloadSpec & {
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    volumeClaimTemplates?: PersistentVolumeClaim[];
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    conditions?: Condition[];
  };
}

export interface DaemonSet extends KubeObject {
  kind: "DaemonSet";
  spec?: WorkloadSpec & { updateStrategy?: unknown };
  status?: {
    observedGeneration?: number;
    currentNumberScheduled?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    numberAvailable?: number;
    numberUnavailable?: number;
    numberMisscheduled?: number;
    updatedNumberScheduled?: number;
    conditions?: Condition[];
  };
}

export interface Job extends KubeObject {
  kind: "Job";
  spec?: WorkloadSpec & { backoffLimit?: number; completions?: number; parallelism?: number };
  status?: { active?: number; succeeded?: number; failed?: number; conditions?: Condition[] };
}

// ---------------------------------------------------------------- Config, identity, events

export interface ConfigMap extends KubeObject {
  kind: "ConfigMap";
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** Secret values are redacted by every source before they reach the model (see model/redaction.ts). */
export interface Secret extends KubeObject {
  kind: "Secret";
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  /**
   * Set by the source layer on docker-registry Secrets, derived from the values BEFORE they are
   * redacted: which registries the config has entries for, never a credential (see docs/architecture.md).
   */
  registryAuth?: RegistryAuthSummary;
}

/** What a kubernetes.io/dockerconfigjson or dockercfg Secret holds, without any credential. */
export interface RegistryAuthSummary {
  /** The data key the kubelet reads: `.dockerconfigjson` or `.dockercfg`. */
  key: string;
  /** Whether that key is present, decodes and parses as the kubelet parses it. */
  parses: boolean;
  /** Why it does not parse, in kubesleuth's words (never a quote of the value). */
  problem?: string;
  /** One per registry entry, in the kubelet's keyring form (`host[:port][/path]`, scheme, /v1/ and /v2/ stripped). */
  entries: RegistryAuthEntry[];
}

export interface RegistryAuthEntry {
  /** The keyring key: the entry's host (with port) and path, e.g. `index.docker.io`, `*.example.com`, `quay.io/team`. */
  registry: string;
  /** `auth` is set and decodes to `user:password`. */
  hasAuth: boolean;
  hasUsername: boolean;
  hasPassword: boolean;
  hasIdentityToken: boolean;
}

export interface ServiceAccount extends KubeObject {
  kind: "ServiceAccount";
  imagePullSecrets?: { name: string }[];
  secrets?: { name: string }[];
}

export interface Event extends KubeObject {
  kind: "Event";
  involvedObject: { kind?: string; namespace?: string; name?: string; uid?: string; fieldPath?: string; apiVersion?: string };
  reason?: string;
  message?: string;
  type?: "Normal" | "Warning" | string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  series?: { count?: number; lastObservedTime?: string };
}

export interface PodDisruptionBudget extends KubeObject {
  kind: "PodDisruptionBudget";
  spec?: { selector?: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string };
  status?: { currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number; expectedPods?: number };
}

// ---------------------------------------------------------------- Gateway API (gateway.networking.k8s.io/v1, optional CRDs)

export interface GatewayParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface Gateway extends KubeObject {
  kind: "Gateway";
  spec?: { gatewayClassName?: string; listeners?: { name: string; hostname?: string; port: number; protocol: string }[] };
  status?: { conditions?: Condition[]; listeners?: { name: string; conditions?: Condition[] }[] };
}

export interface HTTPRoute extends KubeObject {
  kind: "HTTPRoute";
  spec?: { parentRefs?: GatewayParentReference[]; hostnames?: string[]; rules?: unknown[] };
  status?: { parents?: { parentRef: GatewayParentReference; controllerName?: string; conditions?: Condition[] }[] };
}
