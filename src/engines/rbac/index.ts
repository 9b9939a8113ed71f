// The exact RBAC engine: what the Kubernetes RBAC authorizer allows, who can, and why not.
export type {
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
export type { BuildOptions, RbacIndex, RbacKind, VisitedRule } from "./authorizer.js";
export { RBAC_KINDS, allowedSubjects, authorize, buildRbacIndex, buildRbacIndexByKind, describeRequest, resolveRoleRef, rulesFor, rulesReview, visitRulesFor } from "./authorizer.js";
export type { AggregationResult } from "./aggregation.js";
export { aggregateClusterRoles } from "./aggregation.js";
export {
  apiGroupMatches,
  breakdownRule,
  covers,
  isResourceRequest,
  nonResourceURLCovers,
  nonResourceURLMatches,
  resourceMatches,
  resourceNameMatches,
  ruleAllows,
  ruleCovers,
  rulesAllow,
  verbMatches,
} from "./rules.js";
export {
  serviceAccountGroups,
  serviceAccountUsername,
  splitServiceAccountUsername,
  subjectAppliesToUser,
  userForKubectlAs,
  userFromServiceAccount,
} from "./subjects.js";
export type { DenialExplanation, Difference, MinimalGrant, NearMiss, NearMissKind } from "./explain.js";
export { explainDenial, minimalGrant, similarSubject, subjectForUser } from "./explain.js";
export type { ForbiddenRequest } from "./forbidden.js";
export { parseForbiddenMessages } from "./forbidden.js";
