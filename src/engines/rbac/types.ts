// RBAC object and request shapes as the RBAC authorizer reads them (k8s.io/api/rbac/v1 and
// k8s.io/apiserver/pkg/authorization/authorizer.Attributes). Objects stay plain JSON: kubectl's
// `-o json` output can be passed as is; only the fields the authorizer reads are typed.
import type { LabelSelector, ObjectMeta } from "../../model/kube.js";
import type { ObjectRef } from "../../model/ref.js";

/** rbacv1.PolicyRule. Missing lists behave as empty lists, as after JSON decoding in Go. */
export interface PolicyRule {
  verbs?: readonly string[] | null;
  apiGroups?: readonly string[] | null;
  resources?: readonly string[] | null;
  resourceNames?: readonly string[] | null;
  nonResourceURLs?: readonly string[] | null;
}

/** rbacv1.Subject. */
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** rbacv1.RoleRef. The authorizer switches on kind only; apiGroup is not consulted. */
export interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export interface RoleObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  rules?: readonly PolicyRule[] | null;
}

export interface ClusterRoleObject extends RoleObject {
  aggregationRule?: { clusterRoleSelectors?: readonly LabelSelector[] | null } | null;
}

export interface RoleBindingObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  subjects?: readonly Subject[] | null;
  roleRef: RoleRef;
}

/** The RBAC objects of a cluster (or snapshot). */
export interface RbacObjects {
  roles?: readonly RoleObject[];
  clusterRoles?: readonly ClusterRoleObject[];
  roleBindings?: readonly RoleBindingObject[];
  clusterRoleBindings?: readonly RoleBindingObject[];
}

/** user.Info as the authorizer sees it: the name and the complete group list. */
export interface UserInfo {
  name: string;
  groups: readonly string[];
}

/**
 * authorizer.Attributes. A request is a non-resource request when `path` is set and `resource`
 * is not (`resourceRequest` overrides). For non-resource requests the API server sets no
 * namespace, so only ClusterRoleBindings can grant them.
 */
export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  namespace?: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  path?: string;
  resourceRequest?: boolean;
}

/** One rule that grants a request, and where it came from. */
export interface Grant {
  binding: ObjectRef;
  role: ObjectRef;
  /** Index into the role's (effective, for aggregated ClusterRoles) rules. */
  ruleIndex: number;
  /** Index of the first binding subject that applies to the user (upstream appliesTo). */
  subjectIndex: number;
}

export interface Decision {
  allowed: boolean;
  /** Every grant, in the authorizer's visiting order; the first is the one upstream names. */
  grantedBy?: Grant[];
  /** Upstream's reason text (allow) or its denial log line, plus resolution errors. */
  reason: string;
  /** Resolution errors (binding to a missing role, unsupported roleRef kind), as upstream words them. */
  errors?: string[];
}
