// Upstream conformance: kubernetes/kubernetes rbac_test.go (TestAuthorizer, TestRuleMatches),
// subject_locator_test.go (TestSubjectLocator), component-helpers policy_comparator_test.go
// (Covers, TestNonResourceURLCovers) and a real k3s cluster's RBAC (aggregation + rules review).
// Expectations come only from the conformance files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { allowedSubjects, authorize, buildRbacIndex, rulesReview } from "./authorizer.js";
import { covers, nonResourceURLCovers, ruleAllows } from "./rules.js";
import type { ClusterRoleObject, PolicyRule, RequestAttributes, RoleBindingObject, RoleObject, Subject } from "./types.js";

const base = new URL("../../../../shared/conformance/", import.meta.url);
function loadJson<T>(relative: string): T {
  return JSON.parse(readFileSync(new URL(relative, base), "utf8")) as T;
}

interface CaseRequest {
  user?: string;
  groups?: string[];
  verb: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  apiGroup?: string;
  path?: string;
  resourceRequest: boolean;
}
interface FlatRole { name: string; namespace?: string; rules: PolicyRule[] }
interface FlatBinding { name?: string; namespace?: string; roleRef: { kind: string; name: string }; subjects: Subject[] }
interface Scenario {
  name?: string;
  comment?: string;
  superUser?: string;
  roles?: FlatRole[];
  clusterRoles?: FlatRole[];
  roleBindings?: FlatBinding[];
  clusterRoleBindings?: FlatBinding[];
  shouldPass?: CaseRequest[];
  shouldFail?: CaseRequest[];
  actionsToSubjects?: { action: CaseRequest; subjects: Subject[]; comment?: string }[];
}
interface RbacCases {
  TestAuthorizer: Scenario[];
  TestRuleMatches: { name: string; rule: PolicyRule; cases: { request: CaseRequest; expected: boolean }[] }[];
  TestSubjectLocator: Scenario[];
}

const counts = new Map<string, { passed: number; total: number; skipped: { case: string; reason: string }[] }>();
function count(table: string, ok: boolean): void {
  const c = counts.get(table) ?? { passed: 0, total: 0, skipped: [] };
  c.total++;
  if (ok) c.passed++;
  counts.set(table, c);
}

function toRole(r: FlatRole): RoleObject {
  return { kind: "Role", metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) }, rules: r.rules };
}
function toBinding(b: FlatBinding, i: number): RoleBindingObject {
  return { metadata: { name: b.name ?? `binding-${i}`, ...(b.namespace ? { namespace: b.namespace } : {}) }, roleRef: b.roleRef, subjects: b.subjects };
}
function indexOf(s: Scenario) {
  return buildRbacIndex({
    roles: (s.roles ?? []).map(toRole),
    clusterRoles: (s.clusterRoles ?? []).map(toRole) as ClusterRoleObject[],
    roleBindings: (s.roleBindings ?? []).map(toBinding),
    clusterRoleBindings: (s.clusterRoleBindings ?? []).map(toBinding),
  });
}
function toAttributes(r: CaseRequest): RequestAttributes {
  return {
    user: { name: r.user ?? "", groups: r.groups ?? [] },
    verb: r.verb,
    namespace: r.namespace ?? "",
    apiGroup: r.apiGroup ?? "",
    resource: r.resource ?? "",
    subresource: r.subresource ?? "",
    name: "",
    path: r.path ?? "",
    resourceRequest: r.resourceRequest,
  };
}

const rbac = loadJson<RbacCases>("k8s-rbac/rbac_cases.json");

test("TestAuthorizer (rbac_test.go)", () => {
  rbac.TestAuthorizer.forEach((scenario, i) => {
    const index = indexOf(scenario);
    for (const [list, want] of [[scenario.shouldPass ?? [], true], [scenario.shouldFail ?? [], false]] as const) {
      for (const request of list) {
        const got = authorize(index, toAttributes(request)).allowed;
        count("TestAuthorizer", got === want);
        assert.equal(got, want, `scenario ${i} (${scenario.comment ?? ""}): ${JSON.stringify(request)}`);
      }
    }
  });
});

test("TestRuleMatches (rbac_test.go)", () => {
  for (const table of rbac.TestRuleMatches) {
    for (const { request, expected } of table.cases) {
      const got = ruleAllows(toAttributes(request), table.rule);
      count("TestRuleMatches", got === expected);
      assert.equal(got, expected, `${table.name}: ${JSON.stringify(request)}`);
    }
  }
});

test("TestSubjectLocator (subject_locator_test.go), ordered", () => {
  for (const scenario of rbac.TestSubjectLocator) {
    const index = indexOf(scenario);
    for (const { action, subjects } of scenario.actionsToSubjects ?? []) {
      const got = allowedSubjects(index, toAttributes(action), scenario.superUser ? { superUser: scenario.superUser } : {});
      let ok = true;
      try {
        assert.deepEqual(got.subjects, subjects);
      } catch {
        ok = false;
      }
      count("TestSubjectLocator", ok);
      assert.deepEqual(got.subjects, subjects, `${scenario.name}: ${JSON.stringify(action)}`);
    }
  }
});

interface HelperCases {
  tables: {
    "escalationTests(policy_comparator Covers)": {
      cases: { name: string; ownerRules: PolicyRule[]; servantRules: PolicyRule[]; expectedCovered: boolean; expectedUncoveredRules: PolicyRule[] }[];
    };
    TestNonResourceURLCovers: { cases: { owner: string; requested: string; want: boolean }[] };
  };
}
const helpers = loadJson<HelperCases>("k8s-component-helpers/cases.json");

/** Go's reflect.DeepEqual in the upstream test distinguishes absent from empty only for non-nil lists; drop empty lists. */
function normalizeRule(rule: PolicyRule): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const key of ["apiGroups", "resources", "resourceNames", "nonResourceURLs", "verbs"] as const) {
    const v = rule[key];
    if (v && v.length > 0) out[key] = v;
  }
  return out;
}

test("Covers (component-helpers policy_comparator_test.go)", () => {
  for (const c of helpers.tables["escalationTests(policy_comparator Covers)"].cases) {
    const got = covers(c.ownerRules, c.servantRules);
    const ok =
      got.covered === c.expectedCovered &&
      JSON.stringify(got.uncoveredRules.map(normalizeRule)) === JSON.stringify(c.expectedUncoveredRules.map(normalizeRule));
    count("Covers", ok);
    assert.equal(got.covered, c.expectedCovered, c.name);
    assert.deepEqual(got.uncoveredRules.map(normalizeRule), c.expectedUncoveredRules.map(normalizeRule), c.name);
  }
});

test("TestNonResourceURLCovers (component-helpers)", () => {
  for (const c of helpers.tables.TestNonResourceURLCovers.cases) {
    const got = nonResourceURLCovers(c.owner, c.requested);
    count("TestNonResourceURLCovers", got === c.want);
    assert.equal(got, c.want, `${c.owner} covers ${c.requested}`);
  }
});

// ---------------------------------------------------------------- real k3s cluster RBAC

const k3s = new URL("k8s-rbac/k3s-bundle-rbac/", base);
function readItems<T>(relative: string): T[] {
  const data = JSON.parse(readFileSync(new URL(relative, k3s), "utf8")) as { items?: T[] } | T[];
  return Array.isArray(data) ? data : (data.items ?? []);
}
const namespaces = readdirSync(new URL("roles/", k3s)).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
const k3sObjects = {
  clusterRoles: readItems<ClusterRoleObject>("clusterroles.json"),
  clusterRoleBindings: readItems<RoleBindingObject>("clusterRoleBindings.json"),
  roles: namespaces.flatMap((ns) => readItems<RoleObject>(`roles/${ns}.json`)),
  roleBindings: namespaces.flatMap((ns) => readItems<RoleBindingObject>(`rolebindings/${ns}.json`)),
};

test("k3s: recomputed aggregation reproduces the stored rules of every aggregated ClusterRole, in order", () => {
  // Start from empty rules on every aggregated role so that only the recomputation can produce them.
  const stripped = k3sObjects.clusterRoles.map((r) => (r.aggregationRule ? { ...r, rules: [] } : r));
  const index = buildRbacIndex({ ...k3sObjects, clusterRoles: stripped });
  assert.ok(index.aggregationConverged);
  const aggregated = k3sObjects.clusterRoles.filter((r) => r.aggregationRule);
  assert.ok(aggregated.length >= 3);
  for (const role of aggregated) {
    const got = (index.clusterRoleRules.get(role.metadata.name) ?? []).map(normalizeRule);
    const want = (role.rules ?? []).map(normalizeRule);
    const ok = JSON.stringify(got) === JSON.stringify(want);
    count("k3s aggregation", ok);
    assert.deepEqual(got, want, role.metadata.name);
  }
});

test("k3s: rules review of the collecting cluster-admin user equals auth-cani-list (as a multiset)", () => {
  // The collecting user is a cluster-admin (SOURCE.txt); k3s's admin kubeconfig authenticates as
  // system:admin in group system:masters, and every authenticated user is in system:authenticated.
  // Informer order is unspecified (the stored lists differ in order between namespaces), so compare as sorted multisets.
  const index = buildRbacIndex(k3sObjects);
  const user = { name: "system:admin", groups: ["system:masters", "system:authenticated"] };
  const key = (r: PolicyRule) => JSON.stringify(normalizeRule(r));
  for (const ns of namespaces) {
    const review = rulesReview(index, user, ns);
    const got = [...review.resourceRules, ...review.nonResourceRules].map(key).sort();
    const want = readItems<PolicyRule>(`auth-cani-list/${ns}.json`).map(key).sort();
    const ok = JSON.stringify(got) === JSON.stringify(want) && review.errors.length === 0;
    count("k3s rules review", ok);
    assert.deepEqual(got, want, ns);
    assert.deepEqual(review.errors, []);
  }
});

test("conformance counts", () => {
  const lines: string[] = [];
  let passed = 0;
  let total = 0;
  for (const [table, c] of counts) {
    lines.push(`  ${table}: ${c.passed}/${c.total} passed, ${c.skipped.length} skipped`);
    for (const s of c.skipped) lines.push(`    skipped ${s.case}: ${s.reason}`);
    passed += c.passed;
    total += c.total;
  }
  console.log(`rbac conformance: ${passed}/${total} passed, 0 skipped\n${lines.join("\n")}`);
  assert.equal(passed, total);
});
