// Why RBAC denies a request (the nearest rules that almost grant it) and the smallest Role/ClusterRole
// plus binding that would grant it. Built on the exact authorizer: every "almost" is measured
// against upstream's matching functions, and every proposed grant is re-checked with authorize().
import type { ObjectRef } from "../../model/ref.js";
import { authorize, buildRbacIndex, resolveRoleRef, type RbacIndex } from "./authorizer.js";
import {
  apiGroupMatches,
  combinedResourceOf,
  isResourceRequest,
  nonResourceURLMatches,
  resourceMatches,
  resourceNameMatches,
  verbMatches,
} from "./rules.js";
import { firstApplyingSubject, serviceAccountUsername, splitServiceAccountUsername, subjectAppliesToUser } from "./subjects.js";
import type { ClusterRoleObject, Decision, PolicyRule, RequestAttributes, RoleBindingObject, RoleObject, Subject, UserInfo } from "./types.js";

export type NearMissKind =
  | "wrong-verb"
  | "wrong-api-group"
  | "wrong-resource"
  | "wrong-resource-name"
  | "wrong-url"
  | "other-namespace"
  | "role-binding-for-cluster-scope"
  | "missing-role"
  | "subject-differs";

/** What differs between the request and a rule that would otherwise grant it. */
export type Difference = "subject" | "namespace" | "role" | "verb" | "apiGroup" | "resource" | "resourceName" | "url";

export interface NearMiss {
  kind: NearMissKind;
  binding: ObjectRef;
  role?: ObjectRef;
  ruleIndex?: number;
  rule?: PolicyRule;
  subjectIndex?: number;
  subject?: Subject;
  differences: Difference[];
  /** Smaller is nearer: one per difference, two for an unrelated resource or URL. */
  distance: number;
  detail: string;
}

export interface DenialExplanation {
  decision: Decision;
  /** The nearest misses (all at the smallest distance, at most `limit`); empty when allowed. */
  nearest: NearMiss[];
}

const KIND_BY_DIFFERENCE: Record<Difference, NearMissKind> = {
  subject: "subject-differs",
  namespace: "other-namespace",
  role: "missing-role",
  verb: "wrong-verb",
  apiGroup: "wrong-api-group",
  resource: "wrong-resource",
  resourceName: "wrong-resource-name",
  url: "wrong-url",
};
const PRIORITY: Difference[] = ["role", "subject", "namespace", "verb", "resourceName", "resource", "apiGroup", "url"];

/**
 * A binding subject that does not apply to the user but was very likely meant to: the same service
 * account in another namespace (or without one on a ClusterRoleBinding), the User/ServiceAccount
 * forms mixed up, User/Group swapped, or a kind or name spelled with different case.
 */
export function similarSubject(user: UserInfo, subject: Subject, bindingNamespace: string): string | undefined {
  const sa = splitServiceAccountUsername(user.name);
  const kinds: Record<string, string> = { user: "User", group: "Group", serviceaccount: "ServiceAccount" };
  const canonicalKind = kinds[subject.kind.toLowerCase()];
  if (canonicalKind && canonicalKind !== subject.kind && subjectAppliesToUser(user, { ...subject, kind: canonicalKind }, bindingNamespace)) {
    return `subject kind ${JSON.stringify(subject.kind)} is not ${JSON.stringify(canonicalKind)}: kinds are case-sensitive and an unknown kind matches nobody`;
  }
  switch (subject.kind) {
    case "ServiceAccount": {
      const ns = subject.namespace || bindingNamespace;
      if (sa && subject.name === sa.name && ns !== sa.namespace) {
        return ns
          ? `ServiceAccount subject ${ns}/${subject.name} is in namespace ${JSON.stringify(ns)}, the user is the service account ${sa.namespace}/${sa.name}`
          : `ServiceAccount subject ${JSON.stringify(subject.name)} has no namespace; in a ClusterRoleBinding it matches nobody (the user is ${sa.namespace}/${sa.name})`;
      }
      if (!sa && subject.name === user.name) return `subject is a ServiceAccount named ${JSON.stringify(subject.name)}, the user is a User of that name`;
      return undefined;
    }
    case "User": {
      if (sa && [sa.name, `${sa.namespace}/${sa.name}`, `${sa.namespace}:${sa.name}`].includes(subject.name)) {
        return `User subject ${JSON.stringify(subject.name)} is not the service account: use kind ServiceAccount (namespace ${sa.namespace}) or User ${JSON.stringify(serviceAccountUsername(sa.namespace, sa.name))}`;
      }
      if (subject.name.toLowerCase() === user.name.toLowerCase()) return `User subject ${JSON.stringify(subject.name)} differs from ${JSON.stringify(user.name)} only in case: names are case-sensitive`;
      if (user.groups.includes(subject.name)) return `${JSON.stringify(subject.name)} is one of the user's groups, but the subject kind is User`;
      return undefined;
    }
    case "Group": {
      if (subject.name === user.name) return `${JSON.stringify(subject.name)} is the user's name, but the subject kind is Group`;
      const lower = subject.name.toLowerCase();
      const group = user.groups.find((g) => g.toLowerCase() === lower);
      if (group !== undefined) return `Group subject ${JSON.stringify(subject.name)} differs from the user's group ${JSON.stringify(group)} only in case`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** How a rule differs from the request: the failing fields and their cost (undefined: rule of the other request type). */
function ruleDifferences(attributes: RequestAttributes, rule: PolicyRule): { differences: Difference[]; cost: number; notes: string[] } | undefined {
  const differences: Difference[] = [];
  const notes: string[] = [];
  let cost = 0;
  if (!verbMatches(rule, attributes.verb)) {
    differences.push("verb");
    cost++;
  }
  if (isResourceRequest(attributes)) {
    if ((rule.resources ?? []).length === 0) return undefined;
    const resource = attributes.resource ?? "";
    const subresource = attributes.subresource ?? "";
    if (!apiGroupMatches(rule, attributes.apiGroup ?? "")) {
      differences.push("apiGroup");
      cost++;
    }
    if (!resourceMatches(rule, combinedResourceOf(resource, subresource), subresource)) {
      differences.push("resource");
      const related = (rule.resources ?? []).filter((r) => r.split("/")[0] === resource || (subresource && r.startsWith("*/")));
      cost += related.length > 0 ? 1 : 2;
      if (related.some((r) => r.endsWith("/*"))) notes.push(`"${resource}/*" is not a wildcard in RBAC: list each subresource or use "*/${subresource || "<subresource>"}"`);
      else if (subresource && related.includes(resource)) notes.push(`a rule on "${resource}" does not grant the subresource "${resource}/${subresource}"`);
      else if (!subresource && related.length > 0) notes.push(`the rule grants subresources of "${resource}" only, not "${resource}" itself`);
    }
    if (!resourceNameMatches(rule, attributes.name ?? "")) {
      differences.push("resourceName");
      cost++;
      if (!attributes.name) notes.push(`resourceNames cannot restrict ${attributes.verb} requests that carry no name (list, watch, create, deletecollection)`);
    }
  } else {
    if ((rule.nonResourceURLs ?? []).length === 0) return undefined;
    const path = attributes.path ?? "";
    if (!nonResourceURLMatches(rule, path)) {
      differences.push("url");
      const related = (rule.nonResourceURLs ?? []).some((u) => {
        const stem = u.replace(/\*+$/, "").replace(/\/$/, "");
        return stem === path || path.startsWith(stem) || stem.startsWith(path);
      });
      cost += related ? 1 : 2;
      if ((rule.nonResourceURLs ?? []).includes(`${path}/*`)) notes.push(`"${path}/*" matches paths below ${path}, not ${path} itself`);
    }
  }
  return { differences, cost, notes };
}

function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if ((rule.apiGroups ?? []).length) parts.push(`apiGroups=${JSON.stringify(rule.apiGroups)}`);
  if ((rule.resources ?? []).length) parts.push(`resources=${JSON.stringify(rule.resources)}`);
  if ((rule.resourceNames ?? []).length) parts.push(`resourceNames=${JSON.stringify(rule.resourceNames)}`);
  if ((rule.nonResourceURLs ?? []).length) parts.push(`nonResourceURLs=${JSON.stringify(rule.nonResourceURLs)}`);
  parts.push(`verbs=${JSON.stringify(rule.verbs ?? [])}`);
  return `{${parts.join(" ")}}`;
}

function refOfBinding(binding: RoleBindingObject, bindingNamespace: string): ObjectRef {
  return bindingNamespace ? { kind: "RoleBinding", namespace: bindingNamespace, name: binding.metadata.name } : { kind: "ClusterRoleBinding", name: binding.metadata.name };
}

/**
 * Explains a denial: the decision, and the rules nearest to granting it across every binding in
 * the cluster: right resource but wrong verb (or group, subresource, resource name, URL); right
 * rule bound in another namespace, or through a RoleBinding for a cluster-scoped request; a
 * binding that applies to the user but names a missing role; a binding whose role grants the
 * request to a subject spelled differently from the user.
 */
export function explainDenial(index: RbacIndex, attributes: RequestAttributes, options: { limit?: number } = {}): DenialExplanation {
  const decision = authorize(index, attributes);
  if (decision.allowed) return { decision, nearest: [] };
  const requestNamespace = attributes.namespace ?? "";
  const misses: NearMiss[] = [];

  const consider = (binding: RoleBindingObject, bindingNamespace: string) => {
    const bindingRef = refOfBinding(binding, bindingNamespace);
    const scopeOk = bindingNamespace === "" || bindingNamespace === requestNamespace;
    const applying = firstApplyingSubject(attributes.user, binding.subjects, bindingNamespace);
    let subjectIndex = applying;
    let subjectNote: string | undefined;
    if (applying < 0) {
      const subjects = binding.subjects ?? [];
      for (let i = 0; i < subjects.length && subjectNote === undefined; i++) {
        subjectNote = similarSubject(attributes.user, subjects[i]!, bindingNamespace);
        if (subjectNote !== undefined) subjectIndex = i;
      }
      if (subjectNote === undefined) return; // granted to someone else entirely: who-can, not a near miss
    }
    const base: Difference[] = [];
    const notes: string[] = [];
    if (applying < 0) {
      base.push("subject");
      notes.push(subjectNote!);
    }
    if (!scopeOk) {
      base.push("namespace");
      notes.push(
        requestNamespace
          ? `RoleBinding ${bindingNamespace}/${binding.metadata.name} grants in namespace ${JSON.stringify(bindingNamespace)} only, the request is in ${JSON.stringify(requestNamespace)}`
          : `a RoleBinding (${bindingNamespace}/${binding.metadata.name}) never grants cluster-scoped resources or non-resource URLs: bind with a ClusterRoleBinding`,
      );
    }
    const subject = subjectIndex >= 0 ? binding.subjects?.[subjectIndex] : undefined;
    const resolved = resolveRoleRef(index, binding.roleRef, bindingNamespace);
    if ("error" in resolved) {
      if (base.length > 0) return;
      misses.push({
        kind: "missing-role",
        binding: bindingRef,
        ...(resolved.role ? { role: resolved.role } : {}),
        ...(subject ? { subject, subjectIndex } : {}),
        differences: ["role"],
        distance: 1,
        detail: `${bindingRef.kind} ${bindingNamespace ? `${bindingNamespace}/` : ""}${binding.metadata.name} applies to the user but grants nothing: ${resolved.error}`,
      });
      return;
    }
    resolved.rules.forEach((rule, ruleIndex) => {
      const diff = ruleDifferences(attributes, rule);
      if (!diff) return;
      const differences = [...base, ...diff.differences];
      if (differences.length === 0) return; // would be a grant; cannot happen for a denied request
      const first = PRIORITY.find((d) => differences.includes(d))!;
      const kind = first === "namespace" && !requestNamespace ? "role-binding-for-cluster-scope" : KIND_BY_DIFFERENCE[first];
      misses.push({
        kind,
        binding: bindingRef,
        role: resolved.role,
        ruleIndex,
        rule,
        ...(subject ? { subject, subjectIndex } : {}),
        differences,
        distance: base.length + diff.cost,
        detail: [`${resolved.role.kind} ${resolved.role.name} rule ${ruleIndex} ${describeRule(rule)} differs in ${differences.join(", ")}`, ...notes, ...diff.notes].join("; "),
      });
    });
  };

  for (const binding of index.clusterRoleBindings) consider(binding, "");
  for (const [ns, bindings] of index.roleBindingsByNamespace) for (const binding of bindings) consider(binding, ns);

  if (misses.length === 0) return { decision, nearest: [] };
  const best = Math.min(...misses.map((m) => m.distance));
  if (best > 2) return { decision, nearest: [] };
  const nearest = misses
    .filter((m) => m.distance === best)
    .sort((a, b) => PRIORITY.indexOf(a.differences[0]!) - PRIORITY.indexOf(b.differences[0]!));
  return { decision, nearest: nearest.slice(0, options.limit ?? 20) };
}

// ---------------------------------------------------------------- minimal grant

export interface MinimalGrant {
  /** A Role in the request's namespace, or a ClusterRole for cluster-scoped and non-resource requests. */
  role: RoleObject | ClusterRoleObject;
  /** The RoleBinding or ClusterRoleBinding of it to the user's own identity. */
  binding: RoleBindingObject;
  /** Whether authorize() over the index plus these two objects allows the request through the new binding. */
  verified: boolean;
  decision: Decision;
}

function sanitizeName(value: string): string {
  const cleaned = value.toLowerCase().replace(/[^a-z0-9.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return (cleaned || "grant").slice(0, 200);
}

/** The subject a binding should name so that it applies to exactly this user. */
export function subjectForUser(user: UserInfo): Subject | undefined {
  const sa = splitServiceAccountUsername(user.name);
  if (sa) return { kind: "ServiceAccount", name: sa.name, namespace: sa.namespace };
  if (user.name) return { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: user.name };
  const group = user.groups.find((g) => g.length > 0);
  return group === undefined ? undefined : { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: group };
}

/**
 * The smallest grant for exactly this request: one rule with one verb, one API group, one
 * (sub)resource and, when the request names an object, that resourceName; or one non-resource URL.
 * Namespaced requests get a Role + RoleBinding in their namespace; cluster-scoped and non-resource
 * requests need a ClusterRole + ClusterRoleBinding (a RoleBinding cannot grant them).
 * The grant is verified by re-running authorize() over `index` (or an empty cluster) plus the grant.
 */
export function minimalGrant(attributes: RequestAttributes, options: { index?: RbacIndex; name?: string } = {}): MinimalGrant {
  const index = options.index ?? buildRbacIndex({});
  const resourceRequest = isResourceRequest(attributes);
  const namespace = resourceRequest ? (attributes.namespace ?? "") : "";
  const rule: PolicyRule = resourceRequest
    ? {
        apiGroups: [attributes.apiGroup ?? ""],
        resources: [combinedResourceOf(attributes.resource ?? "", attributes.subresource ?? "")],
        verbs: [attributes.verb],
        ...(attributes.name ? { resourceNames: [attributes.name] } : {}),
      }
    : { nonResourceURLs: [attributes.path ?? ""], verbs: [attributes.verb] };

  const target = resourceRequest ? combinedResourceOf(attributes.resource ?? "", attributes.subresource ?? "") : (attributes.path ?? "");
  let name = sanitizeName(options.name ?? `kubesleuth-${attributes.verb}-${target}`);
  const taken = (candidate: string) =>
    namespace
      ? index.roles.has(`${namespace}/${candidate}`) || (index.roleBindingsByNamespace.get(namespace) ?? []).some((b) => b.metadata.name === candidate)
      : index.clusterRoles.has(candidate) || index.clusterRoleBindings.some((b) => b.metadata.name === candidate);
  for (let n = 2; taken(name); n++) name = `${sanitizeName(options.name ?? `kubesleuth-${attributes.verb}-${target}`)}-${n}`;

  const roleKind = namespace ? "Role" : "ClusterRole";
  const metadata = namespace ? { name, namespace } : { name };
  const role: RoleObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: roleKind, metadata: { ...metadata }, rules: [rule] };
  const subject = subjectForUser(attributes.user);
  const binding: RoleBindingObject = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: namespace ? "RoleBinding" : "ClusterRoleBinding",
    metadata: { ...metadata },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name },
    subjects: subject ? [subject] : [],
  };

  const objects = index.objects;
  const withGrant = buildRbacIndex({
    roles: namespace ? [...objects.roles, role] : objects.roles,
    clusterRoles: namespace ? objects.clusterRoles : [...objects.clusterRoles, role],
    roleBindings: namespace ? [...objects.roleBindings, binding] : objects.roleBindings,
    clusterRoleBindings: namespace ? objects.clusterRoleBindings : [...objects.clusterRoleBindings, binding],
  });
  const decision = authorize(withGrant, attributes);
  const verified =
    decision.allowed && (decision.grantedBy ?? []).some((g) => g.binding.kind === binding.kind && g.binding.name === name && (g.binding.namespace ?? "") === namespace);
  return { role, binding, verified, decision };
}
