// Scenario tests of the RBAC engine's semantics beyond the upstream tables: bindings and scopes,
// subjects and implicit groups, subresources, aggregation, denial explanations and minimal grants.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  authorize,
  buildRbacIndex,
  explainDenial,
  minimalGrant,
  userForKubectlAs,
  userFromServiceAccount,
  type ClusterRoleObject,
  type PolicyRule,
  type RequestAttributes,
  type RoleBindingObject,
  type RoleObject,
  type Subject,
} from "./index.js";

const role = (namespace: string, name: string, rules: PolicyRule[]): RoleObject => ({ kind: "Role", metadata: { name, namespace }, rules });
const clusterRole = (name: string, rules: PolicyRule[], extra: Partial<ClusterRoleObject> = {}): ClusterRoleObject => ({
  kind: "ClusterRole",
  metadata: { name, ...(extra.metadata ?? {}) },
  rules,
  ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}),
});
const roleBinding = (namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: Subject[]): RoleBindingObject => ({
  kind: "RoleBinding",
  metadata: { name, namespace },
  roleRef,
  subjects,
});
const clusterRoleBinding = (name: string, roleRef: { kind: string; name: string }, subjects: Subject[]): RoleBindingObject => ({
  kind: "ClusterRoleBinding",
  metadata: { name },
  roleRef,
  subjects,
});
const alice = { name: "alice", groups: ["dev", "system:authenticated"] };
const podReader: PolicyRule = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] };
const ask = (partial: Partial<RequestAttributes>): RequestAttributes => ({ user: alice, verb: "get", apiGroup: "", resource: "pods", namespace: "team-a", ...partial });

test("a RoleBinding to a ClusterRole grants in its own namespace only", () => {
  const index = buildRbacIndex({
    clusterRoles: [clusterRole("pod-reader", [podReader])],
    roleBindings: [roleBinding("team-a", "read", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "User", name: "alice" }])],
  });
  const yes = authorize(index, ask({}));
  assert.equal(yes.allowed, true);
  assert.deepEqual(yes.grantedBy, [{ binding: { kind: "RoleBinding", namespace: "team-a", name: "read" }, role: { kind: "ClusterRole", name: "pod-reader" }, ruleIndex: 0, subjectIndex: 0 }]);
  assert.equal(yes.reason, 'RBAC: allowed by RoleBinding "read/team-a" of ClusterRole "pod-reader" to User "alice"');
  assert.equal(authorize(index, ask({ namespace: "team-b" })).allowed, false);
  assert.equal(authorize(index, ask({ namespace: "" })).allowed, false, "all-namespaces list is cluster-scoped");
});

test("a ClusterRoleBinding grants everywhere; its Role reference resolves to nothing", () => {
  const index = buildRbacIndex({
    roles: [role("team-a", "pod-reader", [podReader])],
    clusterRoles: [clusterRole("pod-reader", [podReader])],
    clusterRoleBindings: [
      clusterRoleBinding("to-role", { kind: "Role", name: "pod-reader" }, [{ kind: "Group", name: "dev" }]),
      clusterRoleBinding("to-clusterrole", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "Group", name: "ops" }]),
    ],
  });
  const d = authorize(index, ask({}));
  assert.equal(d.allowed, false);
  assert.deepEqual(d.errors, ['role.rbac.authorization.k8s.io "pod-reader" not found']);
  assert.equal(authorize(index, ask({ user: { name: "bob", groups: ["ops"] }, namespace: "" })).allowed, true);
});

test("bindings to missing roles grant nothing and are reported as upstream words them", () => {
  const index = buildRbacIndex({
    roleBindings: [
      roleBinding("team-a", "a", { kind: "Role", name: "gone" }, [{ kind: "User", name: "alice" }]),
      roleBinding("team-a", "b", { kind: "ClusterRole", name: "gone-too" }, [{ kind: "User", name: "alice" }]),
      roleBinding("team-a", "c", { kind: "ClusterRole", name: "not-for-alice" }, [{ kind: "User", name: "bob" }]),
    ],
  });
  const d = authorize(index, ask({}));
  assert.equal(d.allowed, false);
  assert.deepEqual(d.errors, ['role.rbac.authorization.k8s.io "gone" not found', 'clusterrole.rbac.authorization.k8s.io "gone-too" not found']);
  assert.match(d.reason, /; RBAC: \[role\.rbac\.authorization\.k8s\.io "gone" not found, clusterrole/);
});

test("ServiceAccount subjects: namespace defaults to the RoleBinding's, never on a ClusterRoleBinding; implicit groups", () => {
  const sa = userFromServiceAccount("team-a", "builder");
  assert.deepEqual(sa, { name: "system:serviceaccount:team-a:builder", groups: ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"] });
  const index = buildRbacIndex({
    clusterRoles: [clusterRole("pod-reader", [podReader]), clusterRole("node-reader", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }])],
    roleBindings: [roleBinding("team-a", "sa-default-ns", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "ServiceAccount", name: "builder" }])],
    clusterRoleBindings: [
      clusterRoleBinding("no-ns", { kind: "ClusterRole", name: "node-reader" }, [{ kind: "ServiceAccount", name: "builder" }]),
      clusterRoleBinding("ns-group", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "Group", name: "system:serviceaccounts:team-b" }]),
    ],
  });
  assert.equal(authorize(index, ask({ user: sa })).allowed, true);
  assert.equal(authorize(index, ask({ user: sa, resource: "nodes", namespace: "" })).allowed, false);
  assert.equal(authorize(index, ask({ user: userFromServiceAccount("team-b", "x"), namespace: "team-c" })).allowed, true);
  assert.equal(authorize(index, ask({ user: { name: "builder", groups: [] } })).allowed, false);
});

test("kubectl --as identities (impersonation filter)", () => {
  assert.deepEqual(userForKubectlAs("system:serviceaccount:ns1:deployer"), {
    name: "system:serviceaccount:ns1:deployer",
    groups: ["system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated"],
  });
  assert.deepEqual(userForKubectlAs("jane"), { name: "jane", groups: ["system:authenticated"] });
  assert.deepEqual(userForKubectlAs("jane", ["qa"]), { name: "jane", groups: ["qa", "system:authenticated"] });
  assert.deepEqual(userForKubectlAs("system:serviceaccount:ns1:deployer", ["qa"]), { name: "system:serviceaccount:ns1:deployer", groups: ["qa", "system:authenticated"] });
  assert.deepEqual(userForKubectlAs("jane", ["system:unauthenticated"]), { name: "jane", groups: ["system:unauthenticated"] });
  assert.deepEqual(userForKubectlAs("system:anonymous"), { name: "system:anonymous", groups: ["system:unauthenticated"] });
  // Not a valid service account username (three parts): a plain user.
  assert.deepEqual(userForKubectlAs("system:serviceaccount:a:b:c"), { name: "system:serviceaccount:a:b:c", groups: ["system:authenticated"] });
});

test("subresources: pods/log exact, */scale for every resource, pods/* literal, resourceNames", () => {
  const index = buildRbacIndex({
    clusterRoles: [
      clusterRole("r", [
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
        { apiGroups: ["*"], resources: ["*/scale"], verbs: ["update"] },
        { apiGroups: [""], resources: ["pods/*"], verbs: ["create"] },
        { apiGroups: [""], resources: ["configmaps"], resourceNames: ["app-config"], verbs: ["get", "list"] },
      ]),
    ],
    roleBindings: [roleBinding("team-a", "b", { kind: "ClusterRole", name: "r" }, [{ kind: "User", name: "alice" }])],
  });
  assert.equal(authorize(index, ask({ subresource: "log" })).allowed, true);
  assert.equal(authorize(index, ask({})).allowed, false);
  assert.equal(authorize(index, ask({ verb: "update", apiGroup: "apps", resource: "deployments", subresource: "scale" })).allowed, true);
  assert.equal(authorize(index, ask({ verb: "update", apiGroup: "apps", resource: "deployments" })).allowed, false);
  assert.equal(authorize(index, ask({ verb: "create", subresource: "exec" })).allowed, false);
  assert.equal(authorize(index, ask({ resource: "configmaps", name: "app-config" })).allowed, true);
  assert.equal(authorize(index, ask({ resource: "configmaps", name: "other" })).allowed, false);
  assert.equal(authorize(index, ask({ verb: "list", resource: "configmaps" })).allowed, false, "list carries no name");
});

test("aggregation: selectors (matchLabels and matchExpressions), name order, duplicates removed, nested, self excluded", () => {
  const index = buildRbacIndex({
    clusterRoles: [
      clusterRole("outer", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "agg/outer": "true" } }] } }),
      clusterRole("inner", [{ verbs: ["stale"] }], {
        metadata: { name: "inner", labels: { "agg/outer": "true" } },
        aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "agg/inner", operator: "In", values: ["yes"] }] }] },
      }),
      clusterRole("b-part", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }, podReader], { metadata: { name: "b-part", labels: { "agg/inner": "yes" } } }),
      clusterRole("a-part", [podReader], { metadata: { name: "a-part", labels: { "agg/inner": "yes", "agg/outer": "true" } } }),
    ],
  });
  assert.ok(index.aggregationConverged);
  assert.deepEqual(index.aggregationSources.get("inner"), ["a-part", "b-part"]);
  assert.deepEqual(index.clusterRoleRules.get("inner"), [podReader, { apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
  assert.deepEqual(index.clusterRoleRules.get("outer"), [podReader, { apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
  const stored = buildRbacIndex({ clusterRoles: index.objects.clusterRoles }, { aggregation: "stored" });
  assert.deepEqual(stored.clusterRoleRules.get("inner"), [{ verbs: ["stale"] }]);
});

test("non-resource URLs are granted by ClusterRoleBindings only", () => {
  const index = buildRbacIndex({
    clusterRoles: [clusterRole("metrics", [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }])],
    roleBindings: [roleBinding("team-a", "rb", { kind: "ClusterRole", name: "metrics" }, [{ kind: "User", name: "alice" }])],
  });
  const request: RequestAttributes = { user: alice, verb: "get", path: "/metrics" };
  assert.equal(authorize(index, request).allowed, false);
  const explained = explainDenial(index, request);
  assert.equal(explained.nearest[0]?.kind, "role-binding-for-cluster-scope");
});

test("explainDenial: wrong verb, other namespace, missing role", () => {
  const index = buildRbacIndex({
    clusterRoles: [clusterRole("pod-reader", [podReader])],
    roleBindings: [
      roleBinding("team-a", "read", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "User", name: "alice" }]),
      roleBinding("team-b", "read", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "Group", name: "dev" }]),
      roleBinding("team-c", "typo", { kind: "ClusterRole", name: "pod-reeder" }, [{ kind: "User", name: "alice" }]),
    ],
  });
  const verb = explainDenial(index, ask({ verb: "delete" }));
  assert.equal(verb.decision.allowed, false);
  assert.deepEqual(verb.nearest.map((m) => [m.kind, m.binding.namespace, m.differences]), [["wrong-verb", "team-a", ["verb"]]]);

  const other = explainDenial(index, ask({ namespace: "team-z" }));
  assert.deepEqual(other.nearest.map((m) => [m.kind, m.binding.namespace]), [["other-namespace", "team-a"], ["other-namespace", "team-b"]]);

  const missing = explainDenial(index, ask({ namespace: "team-c" }));
  assert.equal(missing.nearest[0]?.kind, "missing-role");
  assert.deepEqual(missing.nearest[0]?.role, { kind: "ClusterRole", name: "pod-reeder" });
});

test("explainDenial: subject spelled differently (ServiceAccount namespace, User vs ServiceAccount form, kind case)", () => {
  const sa = userFromServiceAccount("team-a", "builder");
  const index = buildRbacIndex({
    clusterRoles: [clusterRole("pod-reader", [podReader])],
    roleBindings: [
      roleBinding("team-a", "wrong-ns", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "ServiceAccount", name: "builder", namespace: "default" }]),
      roleBinding("team-a", "as-user", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "User", name: "builder" }]),
      roleBinding("team-a", "lower-kind", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "serviceaccount", name: "builder" }]),
      roleBinding("team-a", "someone-else", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "User", name: "carol" }]),
    ],
  });
  const explained = explainDenial(index, ask({ user: sa }));
  assert.equal(explained.decision.allowed, false);
  assert.deepEqual(explained.nearest.map((m) => [m.kind, m.binding.name]), [
    ["subject-differs", "wrong-ns"],
    ["subject-differs", "as-user"],
    ["subject-differs", "lower-kind"],
  ]);
  assert.match(explained.nearest[0]!.detail, /namespace "default"/);
  assert.match(explained.nearest[1]!.detail, /use kind ServiceAccount/);
});

test("explainDenial notes pods/* is literal and a rule on pods does not grant pods/log", () => {
  const index = buildRbacIndex({
    clusterRoles: [clusterRole("r", [{ apiGroups: [""], resources: ["pods/*"], verbs: ["get"] }, podReader])],
    roleBindings: [roleBinding("team-a", "b", { kind: "ClusterRole", name: "r" }, [{ kind: "User", name: "alice" }])],
  });
  const explained = explainDenial(index, ask({ subresource: "log" }));
  assert.deepEqual(explained.nearest.map((m) => [m.kind, m.ruleIndex]), [["wrong-resource", 0], ["wrong-resource", 1]]);
  assert.match(explained.nearest[0]!.detail, /not a wildcard/);
  assert.match(explained.nearest[1]!.detail, /does not grant the subresource "pods\/log"/);
});

test("explainDenial of an allowed request is empty", () => {
  const index = buildRbacIndex({
    clusterRoles: [clusterRole("pod-reader", [podReader])],
    clusterRoleBindings: [clusterRoleBinding("all", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "Group", name: "system:authenticated" }])],
  });
  assert.deepEqual(explainDenial(index, ask({})).nearest, []);
});

test("minimalGrant: Role+RoleBinding for namespaced, ClusterRole+ClusterRoleBinding for cluster-scoped and non-resource, verified", () => {
  const sa = userFromServiceAccount("team-a", "builder");
  const namespaced = minimalGrant(ask({ user: sa, subresource: "log", name: "web-0" }));
  assert.equal(namespaced.verified, true);
  assert.equal(namespaced.role.kind, "Role");
  assert.equal(namespaced.role.metadata.namespace, "team-a");
  assert.deepEqual(namespaced.role.rules, [{ apiGroups: [""], resources: ["pods/log"], verbs: ["get"], resourceNames: ["web-0"] }]);
  assert.deepEqual(namespaced.binding.subjects, [{ kind: "ServiceAccount", name: "builder", namespace: "team-a" }]);

  const nodes = minimalGrant(ask({ resource: "nodes", namespace: "", verb: "list" }));
  assert.equal(nodes.verified, true);
  assert.equal(nodes.role.kind, "ClusterRole");
  assert.equal(nodes.binding.kind, "ClusterRoleBinding");
  assert.deepEqual(nodes.binding.subjects, [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }]);

  const url = minimalGrant({ user: alice, verb: "get", path: "/metrics" });
  assert.equal(url.verified, true);
  assert.deepEqual(url.role.rules, [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
});

test("minimalGrant against an existing cluster avoids name clashes and is verified there", () => {
  const index = buildRbacIndex({
    roles: [role("team-a", "kubesleuth-delete-pods", [])],
    roleBindings: [roleBinding("team-a", "kubesleuth-delete-pods", { kind: "Role", name: "kubesleuth-delete-pods" }, [{ kind: "User", name: "bob" }])],
  });
  const grant = minimalGrant(ask({ verb: "delete" }), { index });
  assert.equal(grant.role.metadata.name, "kubesleuth-delete-pods-2");
  assert.equal(grant.verified, true);
  assert.equal(authorize(index, ask({ verb: "delete" })).allowed, false, "the index itself is not modified");
});

test("real k3s RBAC: coredns may list but not delete pods; the same name in another namespace is a near-miss subject", async () => {
  const { readFileSync } = await import("node:fs");
  const dir = new URL("../../../../shared/conformance/k8s-rbac/k3s-bundle-rbac/", import.meta.url);
  const items = <T>(file: string): T[] => (JSON.parse(readFileSync(new URL(file, dir), "utf8")) as { items: T[] }).items;
  // clusterroles.json: system:coredns allows list/watch on endpoints, services, pods, namespaces;
  // clusterRoleBindings.json binds it to ServiceAccount kube-system/coredns.
  const index = buildRbacIndex({ clusterRoles: items<ClusterRoleObject>("clusterroles.json"), clusterRoleBindings: items<RoleBindingObject>("clusterRoleBindings.json") });
  const coredns = userFromServiceAccount("kube-system", "coredns");
  assert.equal(authorize(index, { user: coredns, verb: "list", namespace: "default", apiGroup: "", resource: "pods" }).allowed, true);
  const del = explainDenial(index, { user: coredns, verb: "delete", namespace: "kube-system", apiGroup: "", resource: "pods" });
  assert.equal(del.decision.allowed, false);
  assert.deepEqual(del.nearest.map((m) => [m.kind, m.binding.name]), [["wrong-verb", "system:coredns"]]);
  const impostor = explainDenial(index, { user: userFromServiceAccount("default", "coredns"), verb: "list", namespace: "default", apiGroup: "", resource: "pods" });
  assert.deepEqual(impostor.nearest.map((m) => [m.kind, m.binding.name]), [["subject-differs", "system:coredns"]]);
  const grant = minimalGrant({ user: coredns, verb: "delete", namespace: "kube-system", apiGroup: "", resource: "pods" }, { index });
  assert.equal(grant.verified, true);
});
