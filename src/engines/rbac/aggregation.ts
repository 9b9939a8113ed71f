// The rules of aggregated ClusterRoles as the clusterrole-aggregation controller writes them
// (kubernetes/kubernetes pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go,
// syncClusterRole): for each clusterRoleSelector in order, the ClusterRoles it selects sorted by
// name (itself excluded), their rules appended unless an identical rule is already present.
import { matchesSelector } from "../../semantics/labels.js";
import type { ClusterRoleObject, PolicyRule } from "./types.js";

export interface AggregationResult {
  /** Effective rules by ClusterRole name (aggregated ones recomputed, the others as stored). */
  rules: Map<string, readonly PolicyRule[]>;
  /** Aggregated ClusterRole name -> the ClusterRoles its selectors picked, in controller order. */
  sources: Map<string, string[]>;
  /** Whether the repeated sync reached a fixed point (it may not, for aggregation cycles). */
  converged: boolean;
}

function sameList(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** equality.Semantic.DeepEqual on two PolicyRules (nil and empty lists are equal after decoding JSON). */
export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return (
    sameList(a.verbs, b.verbs) &&
    sameList(a.apiGroups, b.apiGroups) &&
    sameList(a.resources, b.resources) &&
    sameList(a.resourceNames, b.resourceNames) &&
    sameList(a.nonResourceURLs, b.nonResourceURLs)
  );
}

function sameRules(a: readonly PolicyRule[], b: readonly PolicyRule[]): boolean {
  return a.length === b.length && a.every((r, i) => sameRule(r, b[i]!));
}

/**
 * Runs the controller's sync over every aggregated ClusterRole (in name order) until nothing
 * changes. The controller reads the *stored* rules of the roles it selects, and an aggregated role
 * may select another aggregated role (admin selects edit, edit selects view), so a single pass is
 * not enough; the real controller converges by requeueing on every ClusterRole change.
 */
export function aggregateClusterRoles(clusterRoles: readonly ClusterRoleObject[]): AggregationResult {
  const byName = new Map<string, ClusterRoleObject>();
  for (const role of clusterRoles) if (!byName.has(role.metadata.name)) byName.set(role.metadata.name, role);
  const names = [...byName.keys()].sort();
  const rules = new Map<string, readonly PolicyRule[]>();
  for (const name of names) rules.set(name, byName.get(name)!.rules ?? []);
  const aggregated = names.filter((n) => byName.get(n)!.aggregationRule);
  const sources = new Map<string, string[]>();

  let converged = aggregated.length === 0;
  const maxPasses = aggregated.length + 2;
  for (let pass = 0; pass < maxPasses && !converged; pass++) {
    let changed = false;
    for (const name of aggregated) {
      const role = byName.get(name)!;
      const next: PolicyRule[] = [];
      const picked: string[] = [];
      for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
        // metav1.LabelSelectorAsSelector: an empty selector selects every ClusterRole.
        const selected = names.filter((n) => n !== name && matchesSelector(selector, byName.get(n)!.metadata.labels));
        for (const source of selected) {
          picked.push(source);
          for (const rule of rules.get(source)!) if (!next.some((r) => sameRule(r, rule))) next.push(rule);
        }
      }
      sources.set(name, picked);
      if (!sameRules(next, rules.get(name)!)) {
        rules.set(name, next);
        changed = true;
      }
    }
    converged = !changed;
  }
  return { rules, sources, converged };
}
