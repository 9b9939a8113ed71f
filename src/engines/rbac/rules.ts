// Whether one RBAC PolicyRule allows a request, and whether rules cover other rules, exactly as
// kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches, APIGroupMatches,
// ResourceMatches, ResourceNameMatches, NonResourceURLMatches), plugin/pkg/auth/authorizer/rbac/rbac.go
// (RuleAllows) and k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go (Covers).
import type { PolicyRule, RequestAttributes } from "./types.js";

const ALL = "*"; // rbacv1.VerbAll, APIGroupAll, ResourceAll, NonResourceAll

function list(values: readonly string[] | null | undefined): readonly string[] {
  return values ?? [];
}

/** Whether the request is a resource request (authorizer.Attributes.IsResourceRequest). */
export function isResourceRequest(attributes: Omit<RequestAttributes, "user">): boolean {
  if (attributes.resourceRequest !== undefined) return attributes.resourceRequest;
  return !(attributes.path !== undefined && attributes.resource === undefined);
}

/** VerbMatches: "*" or an exact, case-sensitive verb. A requested "*" matches only a rule "*". */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return list(rule.verbs).some((v) => v === ALL || v === verb);
}

/** APIGroupMatches: "*" or the exact group ("" is the core group). */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return list(rule.apiGroups).some((g) => g === ALL || g === group);
}

/**
 * ResourceMatches: "*", the exact combined "resource/subresource", or a "*\/subresource" rule when
 * that subresource is requested. "pods/*" is NOT a wildcard: upstream compares it literally.
 */
export function resourceMatches(rule: PolicyRule, combinedResource: string, subresource: string): boolean {
  for (const r of list(rule.resources)) {
    if (r === ALL || r === combinedResource) return true;
    if (subresource.length === 0) continue;
    if (r.length === subresource.length + 2 && r.startsWith("*/") && r.endsWith(subresource)) return true;
  }
  return false;
}

/** ResourceNameMatches: an empty resourceNames list allows every name (and the empty name). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = list(rule.resourceNames);
  return names.length === 0 || names.includes(name);
}

/** NonResourceURLMatches: "*", exact, or a trailing "*" as a plain string prefix ("/foo/*" does not match "/foo"). */
export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of list(rule.nonResourceURLs)) {
    if (u === ALL || u === path) return true;
    if (u.endsWith("*") && path.startsWith(trimRightStars(u))) return true;
  }
  return false;
}

/** strings.TrimRight(s, "*"). */
function trimRightStars(value: string): string {
  let end = value.length;
  while (end > 0 && value[end - 1] === "*") end--;
  return value.slice(0, end);
}

/** The combined resource the authorizer compares: "resource" or "resource/subresource". */
export function combinedResourceOf(resource: string, subresource: string): string {
  return subresource.length > 0 ? `${resource}/${subresource}` : resource;
}

/** RuleAllows (plugin/pkg/auth/authorizer/rbac/rbac.go). */
export function ruleAllows(attributes: Omit<RequestAttributes, "user">, rule: PolicyRule): boolean {
  if (isResourceRequest(attributes)) {
    const resource = attributes.resource ?? "";
    const subresource = attributes.subresource ?? "";
    return (
      verbMatches(rule, attributes.verb) &&
      apiGroupMatches(rule, attributes.apiGroup ?? "") &&
      resourceMatches(rule, combinedResourceOf(resource, subresource), subresource) &&
      resourceNameMatches(rule, attributes.name ?? "")
    );
  }
  return verbMatches(rule, attributes.verb) && nonResourceURLMatches(rule, attributes.path ?? "");
}

/** RulesAllow: any rule allows. */
export function rulesAllow(attributes: Omit<RequestAttributes, "user">, rules: readonly PolicyRule[]): boolean {
  return rules.some((rule) => ruleAllows(attributes, rule));
}

// ---------------------------------------------------------------- policy_comparator.go

/** BreakdownRule: one rule per (group, resource, verb[, resourceName]) and per (nonResourceURL, verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const names = list(rule.resourceNames);
  for (const group of list(rule.apiGroups)) {
    for (const resource of list(rule.resources)) {
      for (const verb of list(rule.verbs)) {
        if (names.length > 0) {
          for (const name of names) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  // Non-resource URLs only combine with verbs.
  for (const url of list(rule.nonResourceURLs)) {
    for (const verb of list(rule.verbs)) out.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return out;
}

function hasAll(set: readonly string[], contains: readonly string[]): boolean {
  const owning = new Set(set);
  return contains.every((e) => owning.has(e));
}

function resourceCoversAll(setResources: readonly string[], coversResources: readonly string[]): boolean {
  if (setResources.includes(ALL) || hasAll(setResources, coversResources)) return true;
  for (const path of coversResources) {
    if (setResources.includes(path)) continue;
    const slash = path.indexOf("/");
    if (slash < 0) return false;
    // Only "*/subresource" widens; "pods/*" is literal here too.
    if (!setResources.includes(`*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

/** nonResourceURLCovers: exact, or a trailing "*" as a string prefix ("*" covers everything, even ""). */
export function nonResourceURLCovers(ownerPath: string, subPath: string): boolean {
  if (ownerPath === subPath) return true;
  return ownerPath.endsWith("*") && subPath.startsWith(trimRightStars(ownerPath));
}

function nonResourceURLsCoversAll(set: readonly string[], covers: readonly string[]): boolean {
  return covers.every((path) => set.some((owner) => nonResourceURLCovers(owner, path)));
}

/** ruleCovers: whether ownerRule covers an atomic subRule (from breakdownRule). */
export function ruleCovers(ownerRule: PolicyRule, subRule: PolicyRule): boolean {
  const verbOk = list(ownerRule.verbs).includes(ALL) || hasAll(list(ownerRule.verbs), list(subRule.verbs));
  const groupOk = list(ownerRule.apiGroups).includes(ALL) || hasAll(list(ownerRule.apiGroups), list(subRule.apiGroups));
  const resourceOk = resourceCoversAll(list(ownerRule.resources), list(subRule.resources));
  const urlOk = nonResourceURLsCoversAll(list(ownerRule.nonResourceURLs), list(subRule.nonResourceURLs));
  const ownerNames = list(ownerRule.resourceNames);
  const subNames = list(subRule.resourceNames);
  const nameOk = subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames);
  return verbOk && groupOk && resourceOk && nameOk && urlOk;
}

/** Covers: whether ownerRules grant everything servantRules grant; returns the uncovered atomic rules. */
export function covers(ownerRules: readonly PolicyRule[], servantRules: readonly PolicyRule[]): { covered: boolean; uncoveredRules: PolicyRule[] } {
  const uncoveredRules: PolicyRule[] = [];
  for (const subRule of servantRules.flatMap(breakdownRule)) {
    if (!ownerRules.some((owner) => ruleCovers(owner, subRule))) uncoveredRules.push(subRule);
  }
  return { covered: uncoveredRules.length === 0, uncoveredRules };
}
