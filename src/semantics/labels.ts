// Label selectors as Kubernetes evaluates them (k8s.io/apimachinery/pkg/labels, metav1.LabelSelectorAsSelector).
import type { LabelSelector, LabelSelectorRequirement } from "../model/kube.js";

type Labels = Readonly<Record<string, string>> | undefined;

/**
 * Whether a metav1.LabelSelector matches the labels. An empty selector ({}) matches everything;
 * a missing (null) selector matches nothing — callers decide which applies (NetworkPolicy's
 * podSelector {} selects all pods; a Deployment without a selector is invalid).
 */
export function matchesSelector(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels?.[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    if (!matchesRequirement(requirement, labels)) return false;
  }
  return true;
}

/** One matchExpressions requirement. Unknown operators match nothing (the API server rejects them). */
export function matchesRequirement(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return has && values.includes(value as string);
    case "NotIn":
      // labels.Selector: NotIn matches when the key is absent too.
      return !has || !values.includes(value as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return false;
  }
}

/**
 * A Service's (or ReplicationController's) map selector. An empty or missing map selects nothing
 * for a Service: the endpoints controller skips Services without a selector.
 */
export function matchesServiceSelector(selector: Readonly<Record<string, string>> | undefined, labels: Labels): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  for (const [key, value] of Object.entries(selector)) {
    if (labels?.[key] !== value) return false;
  }
  return true;
}
