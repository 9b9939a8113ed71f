// What the access analyzers share: the RBAC engine's index over the snapshot's RBAC objects (built
// once per run), whether a kind was loaded completely, which RBAC objects are the control plane's
// own, and kubectl commands that recreate a binding.
import { RBAC_KINDS, buildRbacIndexByKind, type RbacIndex, type RoleBindingObject, type Subject } from "../../engines/rbac/index.js";
import type { KubeObject } from "../../model/kube.js";
import type { ObjectRef } from "../../model/ref.js";
import type { Snapshot } from "../../model/snapshot.js";
import type { ClusterIndex } from "../../indexes/types.js";
import { editDistance } from "../similar-names.js";

export { RBAC_KINDS };

const built = new WeakMap<ClusterIndex, RbacIndex>();

/** The RBAC engine's index over the snapshot's Roles, ClusterRoles and bindings (aggregation computed), once per cluster index. */
export function rbacIndexOf(index: ClusterIndex): RbacIndex {
  let rbac = built.get(index);
  if (!rbac) {
    rbac = buildRbacIndexByKind((kind) => index.all(kind));
    built.set(index, rbac);
  }
  return rbac;
}

/** Whether the snapshot holds every object of the kind: loaded (not forbidden or absent) and not partial. */
export function loadedCompletely(snapshot: Snapshot, index: ClusterIndex, kind: string): boolean {
  return index.has(kind) && snapshot.coverage[kind]?.status !== "partial";
}

/** How the snapshot's coverage describes a kind, for "cannot determine" evidence. */
export function coverageNote(snapshot: Snapshot, kind: string): string {
  const entry = snapshot.coverage[kind];
  if (!entry) return `${kind}s were not collected`;
  return `${kind}s: ${entry.status}${entry.note ? ` (${entry.note})` : ""}`;
}

/**
 * The control plane's own RBAC objects: the bootstrap policy (label kubernetes.io/bootstrapping=rbac-defaults,
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy) and anything named system:* (reserved for Kubernetes components).
 */
export function isSystemObject(object: KubeObject | RoleBindingObject): boolean {
  return object.metadata.labels?.["kubernetes.io/bootstrapping"] === "rbac-defaults" || object.metadata.name.startsWith("system:");
}

/** The reference of a RoleBinding (bindingNamespace set) or ClusterRoleBinding. */
export function bindingRef(binding: RoleBindingObject, bindingNamespace: string): ObjectRef {
  return bindingNamespace ? { kind: "RoleBinding", namespace: bindingNamespace, name: binding.metadata.name } : { kind: "ClusterRoleBinding", name: binding.metadata.name };
}

/** The namespace a ServiceAccount subject refers to (it defaults to the RoleBinding's own). */
export function subjectNamespace(subject: Subject, bindingNamespace: string): string {
  return subject.namespace && subject.namespace.length > 0 ? subject.namespace : bindingNamespace;
}

/** `kubectl create rolebinding|clusterrolebinding` flags naming a binding's subjects. */
export function subjectFlags(subjects: readonly Subject[] | null | undefined, bindingNamespace: string): string {
  return (subjects ?? [])
    .map((s) => {
      switch (s.kind) {
        case "ServiceAccount":
          return `--serviceaccount=${subjectNamespace(s, bindingNamespace)}:${s.name}`;
        case "User":
          return `--user=${s.name}`;
        case "Group":
          return `--group=${s.name}`;
        default:
          return "";
      }
    })
    .filter(Boolean)
    .join(" ");
}

/** The candidates nearest to a name (edit distance at most 2, or one contains the other), nearest first. */
export function similarNames(name: string, candidates: readonly string[], max = 3): string[] {
  return [...new Set(candidates)]
    .filter((c) => c !== name)
    .map((c) => ({ c, d: editDistance(name, c) }))
    .filter((x) => x.d <= 2 || (x.c.length >= 3 && name.length >= 3 && (x.c.includes(name) || name.includes(x.c))))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}
