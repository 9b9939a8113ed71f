// The kinds kubesleuth knows: canonical kind name, API group/version/resource, whether namespaced,
// and kubectl's short names. One table, used by sources (what to fetch), readers (how to file an
// object), and the CLI (`svc/payments`).

export interface KindInfo {
  kind: string;
  group: string; // "" for the core group
  version: string;
  resource: string; // plural, as in the REST path
  namespaced: boolean;
  shortNames: string[];
  /** Optional APIs are found by discovery; their absence is normal, not an error. */
  optional?: boolean;
}

export const KINDS: readonly KindInfo[] = [
  { kind: "Namespace", group: "", version: "v1", resource: "namespaces", namespaced: false, shortNames: ["ns"] },
  { kind: "Node", group: "", version: "v1", resource: "nodes", namespaced: false, shortNames: ["no"] },
  { kind: "Pod", group: "", version: "v1", resource: "pods", namespaced: true, shortNames: ["po"] },
  { kind: "Service", group: "", version: "v1", resource: "services", namespaced: true, shortNames: ["svc"] },
  { kind: "Endpoints", group: "", version: "v1", resource: "endpoints", namespaced: true, shortNames: ["ep"] },
  { kind: "ConfigMap", group: "", version: "v1", resource: "configmaps", namespaced: true, shortNames: ["cm"] },
  { kind: "Secret", group: "", version: "v1", resource: "secrets", namespaced: true, shortNames: [] },
  { kind: "ServiceAccount", group: "", version: "v1", resource: "serviceaccounts", namespaced: true, shortNames: ["sa"] },
  { kind: "PersistentVolumeClaim", group: "", version: "v1", resource: "persistentvolumeclaims", namespaced: true, shortNames: ["pvc"] },
  { kind: "PersistentVolume", group: "", version: "v1", resource: "persistentvolumes", namespaced: false, shortNames: ["pv"] },
  { kind: "Event", group: "", version: "v1", resource: "events", namespaced: true, shortNames: ["ev"] },
  { kind: "ReplicationController", group: "", version: "v1", resource: "replicationcontrollers", namespaced: true, shortNames: ["rc"] },
  { kind: "ResourceQuota", group: "", version: "v1", resource: "resourcequotas", namespaced: true, shortNames: ["quota"] },
  { kind: "LimitRange", group: "", version: "v1", resource: "limitranges", namespaced: true, shortNames: ["limits"] },
  { kind: "Deployment", group: "apps", version: "v1", resource: "deployments", namespaced: true, shortNames: ["deploy"] },
  { kind: "ReplicaSet", group: "apps", version: "v1", resource: "replicasets", namespaced: true, shortNames: ["rs"] },
  { kind: "StatefulSet", group: "apps", version: "v1", resource: "statefulsets", namespaced: true, shortNames: ["sts"] },
  { kind: "DaemonSet", group: "apps", version: "v1", resource: "daemonsets", namespaced: true, shortNames: ["ds"] },
  { kind: "ControllerRevision", group: "apps", version: "v1", resource: "controllerrevisions", namespaced: true, shortNames: [] },
  { kind: "Job", group: "batch", version: "v1", resource: "jobs", namespaced: true, shortNames: [] },
  { kind: "CronJob", group: "batch", version: "v1", resource: "cronjobs", namespaced: true, shortNames: ["cj"] },
  { kind: "EndpointSlice", group: "discovery.k8s.io", version: "v1", resource: "endpointslices", namespaced: true, shortNames: [], optional: true },
  { kind: "Ingress", group: "networking.k8s.io", version: "v1", resource: "ingresses", namespaced: true, shortNames: ["ing"], optional: true },
  { kind: "IngressClass", group: "networking.k8s.io", version: "v1", resource: "ingressclasses", namespaced: false, shortNames: [], optional: true },
  { kind: "NetworkPolicy", group: "networking.k8s.io", version: "v1", resource: "networkpolicies", namespaced: true, shortNames: ["netpol"] },
  { kind: "StorageClass", group: "storage.k8s.io", version: "v1", resource: "storageclasses", namespaced: false, shortNames: ["sc"] },
  { kind: "CSIDriver", group: "storage.k8s.io", version: "v1", resource: "csidrivers", namespaced: false, shortNames: [] },
  { kind: "CSINode", group: "storage.k8s.io", version: "v1", resource: "csinodes", namespaced: false, shortNames: [] },
  { kind: "PodDisruptionBudget", group: "policy", version: "v1", resource: "poddisruptionbudgets", namespaced: true, shortNames: ["pdb"] },
  { kind: "Role", group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", namespaced: true, shortNames: [] },
  { kind: "RoleBinding", group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", namespaced: true, shortNames: [] },
  { kind: "ClusterRole", group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", namespaced: false, shortNames: [] },
  { kind: "ClusterRoleBinding", group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", namespaced: false, shortNames: [] },
  { kind: "Lease", group: "coordination.k8s.io", version: "v1", resource: "leases", namespaced: true, shortNames: [] },
  { kind: "PriorityClass", group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses", namespaced: false, shortNames: ["pc"] },
  { kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", namespaced: false, shortNames: ["crd", "crds"], optional: true },
];

const byLowerName = new Map<string, KindInfo>();
for (const info of KINDS) {
  byLowerName.set(info.kind.toLowerCase(), info);
  byLowerName.set(info.resource, info);
  byLowerName.set(info.resource.replace(/s$/, ""), info);
  for (const short of info.shortNames) byLowerName.set(short, info);
  if (info.group) byLowerName.set(`${info.resource}.${info.group}`, info);
}

/** Looks up a kind by its name, plural resource, singular, or kubectl short name (case-insensitive). */
export function findKind(name: string): KindInfo | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** The KindInfo of a canonical kind name, or undefined for kinds kubesleuth does not know. */
export function kindInfo(kind: string): KindInfo | undefined {
  const info = byLowerName.get(kind.toLowerCase());
  return info && info.kind === kind ? info : undefined;
}

/** The group part of an apiVersion ("apps/v1" -> "apps", "v1" -> ""). */
export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return "";
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
