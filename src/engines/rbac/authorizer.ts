// Whether RBAC allows a request, exactly as the RBAC authorizer decides it
// (kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go Authorize + RulesFor,
// pkg/registry/rbac/validation/rule.go VisitRulesFor / GetRoleReferenceRules, and
// subject_locator.go AllowedSubjects), over an index of a cluster's RBAC objects.
import type { ObjectRef } from "../../model/ref.js";
import { aggregateClusterRoles } from "./aggregation.js";
import { isResourceRequest, ruleAllows, rulesAllow } from "./rules.js";
import { describeSubject, firstApplyingSubject, SYSTEM_PRIVILEGED_GROUP } from "./subjects.js";
import type {
  ClusterRoleObject,
  Decision,
  Grant,
  PolicyRule,
  RbacObjects,
  RequestAttributes,
  RoleBindingObject,
  RoleObject,
  RoleRef,
  Subject,
  UserInfo,
} from "./types.js";

/** The RBAC objects, looked up as the authorizer's listers do, with aggregation computed once. */
export interface RbacIndex {
  readonly objects: Required<RbacObjects>;
  /** Roles by "namespace/name" (the first of duplicates wins). */
  readonly roles: ReadonlyMap<string, RoleObject>;
  readonly clusterRoles: ReadonlyMap<string, ClusterRoleObject>;
  /** Effective ClusterRole rules: aggregationRule results for aggregated roles, stored rules otherwise. */
  readonly clusterRoleRules: ReadonlyMap<string, readonly PolicyRule[]>;
  /** Aggregated ClusterRole -> the ClusterRoles it was aggregated from. */
  readonly aggregationSources: ReadonlyMap<string, readonly string[]>;
  readonly aggregationConverged: boolean;
  readonly clusterRoleBindings: readonly RoleBindingObject[];
  readonly roleBindingsByNamespace: ReadonlyMap<string, readonly RoleBindingObject[]>;
}

export interface BuildOptions {
  /**
   * "compute" (default): aggregated ClusterRoles get the rules the aggregation controller would
   * write. "stored": use .rules as stored (what the authorizer reads on a live cluster at that instant).
   */
  aggregation?: "compute" | "stored";
}

/** Builds the lookup index over a cluster's RBAC objects. */
/** The four kinds of RBAC objects, as snapshots and cluster indexes name them. */
export const RBAC_KINDS = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"] as const;
export type RbacKind = (typeof RBAC_KINDS)[number];

/** `buildRbacIndex` over objects looked up by kind (a snapshot's or a cluster index's lists, as kubectl returns them). */
export function buildRbacIndexByKind(objectsOf: (kind: RbacKind) => readonly unknown[], options: BuildOptions = {}): RbacIndex {
  return buildRbacIndex(
    {
      roles: objectsOf("Role") as RoleObject[],
      clusterRoles: objectsOf("ClusterRole") as ClusterRoleObject[],
      roleBindings: objectsOf("RoleBinding") as RoleBindingObject[],
      clusterRoleBindings: objectsOf("ClusterRoleBinding") as RoleBindingObject[],
    },
    options,
  );
}

export function buildRbacIndex(objects: RbacObjects, options: BuildOptions = {}): RbacIndex {
  const all: Required<RbacObjects> = {
    roles: objects.roles ?? [],
    clusterRoles: objects.clusterRoles ?? [],
    roleBindings: objects.roleBindings ?? [],
    clusterRoleBindings: objects.clusterRoleBindings ?? [],
  };
  const roles = new Map<string, RoleObject>();
  for (const role of all.roles) {
    const key = `${role.metadata.namespace ?? ""}/${role.metadata.name}`;
    if (!roles.has(key)) roles.set(key, role);
  }
  const clusterRoles = new Map<string, ClusterRoleObject>();
  for (const role of all.clusterRoles) if (!clusterRoles.has(role.metadata.name)) clusterRoles.set(role.metadata.name, role);

  let clusterRoleRules: Map<string, readonly PolicyRule[]>;
  let aggregationSources = new Map<string, string[]>();
  let aggregationConverged = true;
  if (options.aggregation === "stored") {
    clusterRoleRules = new Map([...clusterRoles].map(([name, role]) => [name, role.rules ?? []]));
  } else {
    const result = aggregateClusterRoles(all.clusterRoles);
    clusterRoleRules = result.rules;
    aggregationSources = result.sources;
    aggregationConverged = result.converged;
  }

  const roleBindingsByNamespace = new Map<string, RoleBindingObject[]>();
  for (const binding of all.roleBindings) {
    const ns = binding.metadata.namespace ?? "";
    const list = roleBindingsByNamespace.get(ns) ?? [];
    list.push(binding);
    roleBindingsByNamespace.set(ns, list);
  }
  return {
    objects: all,
    roles,
    clusterRoles,
    clusterRoleRules,
    aggregationSources,
    aggregationConverged,
    clusterRoleBindings: all.clusterRoleBindings,
    roleBindingsByNamespace,
  };
}

/** The role a roleRef resolves to (for a ClusterRoleBinding, bindingNamespace is ""), or the upstream error. */
export function resolveRoleRef(
  index: RbacIndex,
  roleRef: RoleRef,
  bindingNamespace: string,
): { role: ObjectRef; rules: readonly PolicyRule[] } | { role?: ObjectRef; error: string } {
  switch (roleRef.kind) {
    case "Role": {
      const role: ObjectRef = bindingNamespace ? { kind: "Role", namespace: bindingNamespace, name: roleRef.name } : { kind: "Role", name: roleRef.name };
      // A ClusterRoleBinding's Role reference is looked up with namespace "": never found.
      const found = bindingNamespace ? index.roles.get(`${bindingNamespace}/${roleRef.name}`) : undefined;
      if (!found) return { role, error: `role.rbac.authorization.k8s.io ${JSON.stringify(roleRef.name)} not found` };
      return { role, rules: found.rules ?? [] };
    }
    case "ClusterRole": {
      const role: ObjectRef = { kind: "ClusterRole", name: roleRef.name };
      const rules = index.clusterRoleRules.get(roleRef.name);
      if (!rules) return { role, error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(roleRef.name)} not found` };
      return { role, rules };
    }
    default:
      return { error: `unsupported role reference kind: ${JSON.stringify(roleRef.kind)}` };
  }
}

function bindingRef(binding: RoleBindingObject, namespace: string): ObjectRef {
  return namespace
    ? { kind: "RoleBinding", namespace, name: binding.metadata.name }
    : { kind: "ClusterRoleBinding", name: binding.metadata.name };
}

/** One rule visited by VisitRulesFor, with its source. */
export interface VisitedRule {
  binding: ObjectRef;
  role: ObjectRef;
  rule: PolicyRule;
  ruleIndex: number;
  subjectIndex: number;
  subject: Subject;
}

/**
 * VisitRulesFor: every rule that applies to the user in the namespace: ClusterRoleBindings first
 * (in input order; upstream's informer order is unspecified), then the RoleBindings of `namespace`
 * when it is non-empty. Bindings whose subjects do not apply are skipped before their role is
 * resolved, so only applying bindings to missing roles produce errors.
 */
export function visitRulesFor(index: RbacIndex, user: UserInfo, namespace: string): { rules: VisitedRule[]; errors: string[] } {
  const rules: VisitedRule[] = [];
  const errors: string[] = [];
  const visit = (binding: RoleBindingObject, bindingNamespace: string) => {
    const subjectIndex = firstApplyingSubject(user, binding.subjects, bindingNamespace);
    if (subjectIndex < 0) return;
    const resolved = resolveRoleRef(index, binding.roleRef, bindingNamespace);
    if ("error" in resolved) {
      errors.push(resolved.error);
      return;
    }
    const ref = bindingRef(binding, bindingNamespace);
    resolved.rules.forEach((rule, ruleIndex) =>
      rules.push({ binding: ref, role: resolved.role, rule, ruleIndex, subjectIndex, subject: binding.subjects![subjectIndex]! }),
    );
  };
  for (const binding of index.clusterRoleBindings) visit(binding, "");
  if (namespace.length > 0) for (const binding of index.roleBindingsByNamespace.get(namespace) ?? []) visit(binding, namespace);
  return { rules, errors };
}

/** utilerrors.NewAggregate(...).Error(): one error as is, several as "[a, b]". */
function aggregateErrors(errors: readonly string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(", ")}]`;
}

function describeSource(visited: VisitedRule): string {
  const b = visited.binding;
  const roleKind = visited.role.kind;
  if (b.kind === "ClusterRoleBinding") {
    return `ClusterRoleBinding ${JSON.stringify(b.name)} of ${roleKind} ${JSON.stringify(visited.role.name)} to ${describeSubject(visited.subject, "")}`;
  }
  return `RoleBinding ${JSON.stringify(`${b.name}/${b.namespace}`)} of ${roleKind} ${JSON.stringify(visited.role.name)} to ${describeSubject(visited.subject, b.namespace ?? "")}`;
}

/** The operation part of the authorizer's denial log line. */
export function describeRequest(attributes: RequestAttributes): string {
  if (isResourceRequest(attributes)) {
    let resource = attributes.resource ?? "";
    if (attributes.apiGroup) resource += `.${attributes.apiGroup}`;
    if (attributes.subresource) resource += `/${attributes.subresource}`;
    let out = `${JSON.stringify(attributes.verb)} resource ${JSON.stringify(resource)}`;
    if (attributes.name) out += ` named ${JSON.stringify(attributes.name)}`;
    return out;
  }
  return `${JSON.stringify(attributes.verb)} nonResourceURL ${JSON.stringify(attributes.path ?? "")}`;
}

/**
 * RBACAuthorizer.Authorize. Allowed requests carry upstream's reason ("RBAC: allowed by ...") and
 * every grant (upstream stops at the first). RBAC never denies: "not allowed" is NoOpinion, which
 * the API server turns into 403 when no other authorizer allows. Members of system:masters are
 * allowed by the API server before RBAC runs; that is not RBAC's decision and is not modelled here.
 */
export function authorize(index: RbacIndex, attributes: RequestAttributes): Decision {
  const { rules, errors } = visitRulesFor(index, attributes.user, attributes.namespace ?? "");
  const granting = rules.filter((v) => ruleAllows(attributes, v.rule));
  if (granting.length > 0) {
    const grantedBy: Grant[] = granting.map((v) => ({ binding: v.binding, role: v.role, ruleIndex: v.ruleIndex, subjectIndex: v.subjectIndex }));
    // Upstream short-circuits, so resolution errors after the first grant are never seen.
    return { allowed: true, grantedBy, reason: `RBAC: allowed by ${describeSource(granting[0]!)}` };
  }
  const ns = attributes.namespace ?? "";
  const scope = ns ? `in namespace ${JSON.stringify(ns)}` : "cluster-wide";
  const groups = `[${attributes.user.groups.map((g) => JSON.stringify(g)).join(" ")}]`;
  let reason = `RBAC: no rules authorize user ${JSON.stringify(attributes.user.name)} with groups ${groups} to ${describeRequest(attributes)} ${scope}`;
  if (errors.length > 0) reason += `; RBAC: ${aggregateErrors(errors)}`;
  return errors.length > 0 ? { allowed: false, reason, errors } : { allowed: false, reason };
}

/** RulesFor: every rule that applies to the user in the namespace (SelfSubjectRulesReview's source). */
export function rulesFor(index: RbacIndex, user: UserInfo, namespace: string): { rules: VisitedRule[]; errors: string[] } {
  return visitRulesFor(index, user, namespace);
}

/**
 * RBACAuthorizer.RulesFor's split of rules into resource rules and non-resource rules, as a
 * SelfSubjectRulesReview (and `kubectl auth can-i --list`) returns them.
 */
export function rulesReview(
  index: RbacIndex,
  user: UserInfo,
  namespace: string,
): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[]; errors: string[] } {
  const { rules, errors } = visitRulesFor(index, user, namespace);
  const resourceRules: PolicyRule[] = [];
  const nonResourceRules: PolicyRule[] = [];
  for (const { rule } of rules) {
    if ((rule.resources ?? []).length > 0) {
      const r: PolicyRule = { verbs: rule.verbs ?? [], apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [] };
      if ((rule.resourceNames ?? []).length > 0) r.resourceNames = rule.resourceNames;
      resourceRules.push(r);
    }
    if ((rule.nonResourceURLs ?? []).length > 0) nonResourceRules.push({ verbs: rule.verbs ?? [], nonResourceURLs: rule.nonResourceURLs });
  }
  return { resourceRules, nonResourceRules, errors };
}

/**
 * SubjectAccessEvaluator.AllowedSubjects (who-can): Group system:masters, the configured super
 * user, then the subjects of every ClusterRoleBinding whose role allows the request, then those of
 * the RoleBindings in the request's namespace. Like upstream, the list is returned undeduplicated
 * (upstream computes a deduplicated copy and returns the original), and role resolution errors
 * are collected while the other bindings are still used.
 */
export function allowedSubjects(
  index: RbacIndex,
  attributes: Omit<RequestAttributes, "user">,
  options: { superUser?: string } = {},
): { subjects: Subject[]; errors: string[] } {
  const rbacGroup = "rbac.authorization.k8s.io";
  const subjects: Subject[] = [{ kind: "Group", apiGroup: rbacGroup, name: SYSTEM_PRIVILEGED_GROUP }];
  if (options.superUser) subjects.push({ kind: "User", apiGroup: rbacGroup, name: options.superUser });
  const errors: string[] = [];
  const consider = (binding: RoleBindingObject, bindingNamespace: string) => {
    const resolved = resolveRoleRef(index, binding.roleRef, bindingNamespace);
    if ("error" in resolved) {
      errors.push(resolved.error);
      return;
    }
    if (rulesAllow(attributes, resolved.rules)) subjects.push(...(binding.subjects ?? []));
  };
  for (const binding of index.clusterRoleBindings) consider(binding, "");
  const ns = attributes.namespace ?? "";
  if (ns.length > 0) for (const binding of index.roleBindingsByNamespace.get(ns) ?? []) consider(binding, ns);
  return { subjects, errors };
}
