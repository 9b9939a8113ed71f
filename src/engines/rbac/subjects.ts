// Who a binding subject is, and the identities the API server builds for service accounts and
// for `kubectl --as`: k8s.io/apiserver/pkg/authentication/serviceaccount/util.go (MakeUsername,
// SplitUsername, MatchesUsername, MakeGroupNames), pkg/registry/rbac/validation/rule.go
// (appliesTo, appliesToUser) and apiserver/pkg/endpoints/filters/impersonation.go.
import type { Subject, UserInfo } from "./types.js";

export const SERVICE_ACCOUNT_USERNAME_PREFIX = "system:serviceaccount:";
export const SERVICE_ACCOUNT_GROUP_PREFIX = "system:serviceaccounts:";
export const ALL_SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
export const ALL_AUTHENTICATED_GROUP = "system:authenticated";
export const ALL_UNAUTHENTICATED_GROUP = "system:unauthenticated";
export const ANONYMOUS_USER = "system:anonymous";
/** user.SystemPrivilegedGroup: always allowed by the API server before any authorizer runs. */
export const SYSTEM_PRIVILEGED_GROUP = "system:masters";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** serviceaccount.MakeUsername: "system:serviceaccount:<namespace>:<name>". */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USERNAME_PREFIX}${namespace}:${name}`;
}

/** serviceaccount.MakeGroupNames: the groups every service account token carries. */
export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNT_GROUP_PREFIX}${namespace}`];
}

/**
 * serviceaccount.SplitUsername: the namespace and name of a service account username, or undefined
 * when the name is not exactly "system:serviceaccount:<dns-1123 label>:<dns-1123 subdomain>".
 */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_USERNAME_PREFIX.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  // ValidateNamespaceName (DNS-1123 label) and ValidateServiceAccountName (DNS-1123 subdomain).
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/**
 * The identity a pod's service account token authenticates as: the service account authenticator's
 * user plus the system:authenticated group the authenticator chain adds to every authenticated user.
 */
export function userFromServiceAccount(namespace: string, name: string): UserInfo {
  return { name: serviceAccountUsername(namespace, name), groups: [...serviceAccountGroups(namespace), ALL_AUTHENTICATED_GROUP] };
}

/**
 * The identity `kubectl auth can-i --as <name> [--as-group g]...` is evaluated as, by the API
 * server's impersonation filter: a service account username without --as-group gets the service
 * account groups; a non-anonymous user gets system:authenticated unless system:authenticated or
 * system:unauthenticated was given; system:anonymous gets system:unauthenticated.
 */
export function userForKubectlAs(name: string, groups: readonly string[] = []): UserInfo {
  let result = [...groups];
  const serviceAccount = splitServiceAccountUsername(name);
  if (serviceAccount && groups.length === 0) result = serviceAccountGroups(serviceAccount.namespace);
  if (name !== ANONYMOUS_USER) {
    if (!result.some((g) => g === ALL_AUTHENTICATED_GROUP || g === ALL_UNAUTHENTICATED_GROUP)) result.push(ALL_AUTHENTICATED_GROUP);
  } else if (!result.includes(ALL_UNAUTHENTICATED_GROUP)) {
    result.push(ALL_UNAUTHENTICATED_GROUP);
  }
  return { name, groups: result };
}

/**
 * appliesToUser: User by exact name (a namespace on a User subject is ignored), Group by exact
 * membership, ServiceAccount by its username with the namespace defaulted to the RoleBinding's
 * namespace ("" for a ClusterRoleBinding, where a namespace-less ServiceAccount never matches).
 * Any other kind (including a mis-cased "user") matches nobody.
 */
export function subjectAppliesToUser(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case "User":
      return user.name === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const saNamespace = subject.namespace && subject.namespace.length > 0 ? subject.namespace : bindingNamespace;
      if (saNamespace.length === 0) return false;
      return user.name === serviceAccountUsername(saNamespace, subject.name);
    }
    default:
      return false;
  }
}

/** appliesTo: the index of the first subject that applies to the user, or -1. */
export function firstApplyingSubject(user: UserInfo, subjects: readonly Subject[] | null | undefined, bindingNamespace: string): number {
  return (subjects ?? []).findIndex((s) => subjectAppliesToUser(user, s, bindingNamespace));
}

/** describeSubject (rule.go): `Kind "name"`, service accounts as `"name/namespace"`. */
export function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === "ServiceAccount") {
    const ns = subject.namespace && subject.namespace.length > 0 ? subject.namespace : bindingNamespace;
    return `${subject.kind} ${JSON.stringify(`${subject.name}/${ns}`)}`;
  }
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}
