// The RBAC engine against Kubernetes itself: seeded random (subject, verb, resource[/subresource],
// namespace, sometimes name; some non-resource URLs) requests, each asked of the API server as a
// SubjectAccessReview (as the admin) and decided by our authorize() over the RBAC objects read from
// the same cluster. Zero mismatches required. Expectations come from the API server only.
//
// The test API server runs --authorization-mode=Node,RBAC (test/cluster/up.sh), and allows members of
// system:masters before any authorizer. Neither is RBAC, so the generated identities avoid both:
// no group system:masters, no group system:nodes and no user system:node:* (the Node authorizer only
// ever answers for such identities and is NoOpinion for all others). Then the SAR's `allowed` is
// exactly RBAC's verdict. A SubjectAccessReview takes the user and groups as given (no authentication
// runs, so no implicit system:authenticated is added): the engine is given the very same groups.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  authorize,
  buildRbacIndex,
  userFromServiceAccount,
  type ClusterRoleObject,
  type RequestAttributes,
  type RoleBindingObject,
  type RoleObject,
  type UserInfo,
} from "../../src/engines/rbac/index.js";
import { apply, getJson, kubectl, readClusterEnv, repoRoot, waitFor, type ClusterEnv } from "./harness.js";

const TUPLES = 600;
const SEED = Number(process.env.KS_SAR_SEED ?? 20261128);
const NS_A = "e2e-rbac-sar-a";
const NS_B = "e2e-rbac-sar-b";
const RBAC_KINDS = new Set(["Namespace", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/** Variety the bootstrap policy lacks: aggregation, resourceNames, RoleBinding -> ClusterRole, groups, SA implicit groups, URLs. */
const VARIETY = `
apiVersion: v1
kind: Namespace
metadata: { name: ${NS_A} }
---
apiVersion: v1
kind: Namespace
metadata: { name: ${NS_B} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: e2e-sar-aggregate }
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: { sar.test/aggregate: "true" }
  - matchExpressions: [{ key: sar.test/tier, operator: In, values: [extra] }]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: e2e-sar-part-scale, labels: { sar.test/aggregate: "true" } }
rules:
- { apiGroups: [apps], resources: [deployments/scale, "*/scale"], verbs: [get, update] }
- { apiGroups: [""], resources: [pods/log], verbs: [get] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: e2e-sar-part-extra, labels: { sar.test/tier: extra } }
rules:
- { apiGroups: [coordination.k8s.io], resources: [leases], verbs: ["*"] }
- { nonResourceURLs: ["/sar/*", "/healthz/extra"], verbs: [get, post] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: named-only, namespace: ${NS_A} }
rules:
- { apiGroups: [""], resources: [configmaps], resourceNames: [cm-1], verbs: [get, update] }
- { apiGroups: [""], resources: [secrets], resourceNames: [s-1, reports-db], verbs: [get, list, watch] }
- { apiGroups: ["*"], resources: [services], verbs: [list] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: named-only, namespace: ${NS_A} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: named-only }
subjects:
- { apiGroup: rbac.authorization.k8s.io, kind: User, name: alice }
- { kind: ServiceAccount, name: sa-1 }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: aggregate-to-developers, namespace: ${NS_A} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: e2e-sar-aggregate }
subjects:
- { apiGroup: rbac.authorization.k8s.io, kind: Group, name: developers }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: edit-for-b-serviceaccounts, namespace: ${NS_B} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }
subjects:
- { apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:serviceaccounts:${NS_B}" }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: view-for-sa-1-in-b, namespace: ${NS_B} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects:
- { kind: ServiceAccount, name: sa-1, namespace: ${NS_A} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: dangling, namespace: ${NS_B} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: does-not-exist }
subjects:
- { apiGroup: rbac.authorization.k8s.io, kind: User, name: bob }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: e2e-sar-aggregate-bob }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: e2e-sar-aggregate }
subjects:
- { apiGroup: rbac.authorization.k8s.io, kind: User, name: bob }
- { kind: ServiceAccount, name: sa-2, namespace: ${NS_B} }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: e2e-sar-admin-auditors }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin }
subjects:
- { apiGroup: rbac.authorization.k8s.io, kind: Group, name: auditors }
`;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with KS_SAR_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AUTH = "system:authenticated";
/** Identities (never system:masters, system:nodes or system:node:*; see the header). */
function identities(): UserInfo[] {
  const sa = (ns: string, name: string) => userFromServiceAccount(ns, name);
  return [
    { name: "alice", groups: [AUTH] },
    { name: "alice", groups: [AUTH, "developers"] },
    { name: "bob", groups: [AUTH] },
    { name: "carol", groups: [AUTH, "auditors"] },
    { name: "dave", groups: ["developers"] }, // no system:authenticated: SAR takes groups as given
    { name: "limited-viewer", groups: [AUTH] },
    { name: "kubesleuth", groups: ["kubesleuth", AUTH] },
    { name: "test-admin", groups: [AUTH] }, // the admin's name without system:masters: only RBAC
    { name: "system:anonymous", groups: ["system:unauthenticated"] },
    { name: "system:kube-scheduler", groups: [AUTH] },
    { name: "system:kube-controller-manager", groups: [AUTH] },
    sa(NS_A, "sa-1"),
    sa(NS_B, "sa-2"),
    sa(NS_B, "sa-3"),
    sa("e2e-access-sa-denied", "report-generator"),
    sa("e2e-access-rolebinding-missing-role", "deployer"),
    sa("kube-system", "deployment-controller"),
    sa("kube-system", "namespace-controller"),
    sa("default", "default"),
    { name: `system:serviceaccount:${NS_A}:sa-1`, groups: [AUTH] }, // the SA's name without its groups
  ];
}

/** [apiGroup, resource, subresource, cluster-scoped] */
const RESOURCES: readonly [string, string, string, boolean][] = [
  ["", "pods", "", false],
  ["", "pods", "log", false],
  ["", "pods", "exec", false],
  ["", "pods", "status", false],
  ["", "secrets", "", false],
  ["", "configmaps", "", false],
  ["", "services", "", false],
  ["", "services", "proxy", false],
  ["", "serviceaccounts", "", false],
  ["", "serviceaccounts", "token", false],
  ["", "events", "", false],
  ["", "endpoints", "", false],
  ["", "persistentvolumeclaims", "", false],
  ["", "nodes", "", true],
  ["", "nodes", "proxy", true],
  ["", "namespaces", "", true],
  ["", "persistentvolumes", "", true],
  ["", "users", "", true],
  ["", "groups", "", true],
  ["apps", "deployments", "", false],
  ["apps", "deployments", "scale", false],
  ["apps", "statefulsets", "scale", false],
  ["apps", "replicasets", "", false],
  ["batch", "jobs", "", false],
  ["coordination.k8s.io", "leases", "", false],
  ["events.k8s.io", "events", "", false],
  ["rbac.authorization.k8s.io", "roles", "", false],
  ["rbac.authorization.k8s.io", "rolebindings", "", false],
  ["rbac.authorization.k8s.io", "clusterroles", "", true],
  ["storage.k8s.io", "storageclasses", "", true],
  ["authorization.k8s.io", "selfsubjectaccessreviews", "", true],
  ["certificates.k8s.io", "certificatesigningrequests", "", true],
  ["policy", "poddisruptionbudgets", "", false],
  ["example.com", "widgets", "", false],
];
const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate", "bind", "impersonate", "use", "*"];
const NAMESPACES = ["default", "kube-system", "kube-public", "team-a", "e2e-access-sa-denied", "e2e-access-rolebinding-missing-role", NS_A, NS_B, ""];
const NAMES = ["cm-1", "s-1", "reports-db", "web", "kubernetes", "x"];
const PATHS = ["/healthz", "/healthz/etcd", "/healthz/extra", "/livez", "/readyz", "/version", "/version/", "/api", "/api/v1", "/apis", "/openapi/v2", "/metrics", "/logs", "/sar", "/sar/x", "/sar/y/z", "/debug/pprof"];
const URL_VERBS = ["get", "post", "put", "delete", "head"];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function generate(random: () => number): RequestAttributes[] {
  const users = identities();
  const out: RequestAttributes[] = [];
  for (let i = 0; i < TUPLES; i++) {
    const user = pick(random, users);
    if (random() < 0.12) {
      out.push({ user, verb: pick(random, URL_VERBS), path: pick(random, PATHS) });
      continue;
    }
    const [apiGroup, resource, subresource, clusterScoped] = pick(random, RESOURCES);
    const verb = random() < 0.6 ? pick(random, ["get", "list", "watch", "create", "update"]) : pick(random, VERBS);
    const namespace = clusterScoped ? "" : pick(random, NAMESPACES);
    const a: RequestAttributes = { user, verb, namespace, apiGroup, resource };
    if (subresource) a.subresource = subresource;
    if (random() < 0.3) a.name = pick(random, NAMES);
    out.push(a);
  }
  return out;
}

function sarOf(a: RequestAttributes): object {
  const spec: Record<string, unknown> = { user: a.user.name, groups: [...a.user.groups] };
  if (a.path !== undefined && a.resource === undefined) spec.nonResourceAttributes = { path: a.path, verb: a.verb };
  else {
    const attributes: Record<string, string> = { verb: a.verb, group: a.apiGroup ?? "", resource: a.resource ?? "" };
    if (a.namespace) attributes.namespace = a.namespace;
    if (a.subresource) attributes.subresource = a.subresource;
    if (a.name) attributes.name = a.name;
    spec.resourceAttributes = attributes;
  }
  return { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec };
}

interface Listed<T> {
  items: (T & { kind?: string; metadata: { resourceVersion?: string } })[];
}

/** The cluster's RBAC objects as the admin reads them, and a fingerprint of their resourceVersions. */
function readRbac(env: ClusterEnv): { objects: Parameters<typeof buildRbacIndex>[0]; fingerprint: string } {
  const get = <T>(resource: string) => getJson<Listed<T>>(env, [resource, "-A"]).items;
  const roles = get<RoleObject>("roles.rbac.authorization.k8s.io");
  const clusterRoles = get<ClusterRoleObject>("clusterroles.rbac.authorization.k8s.io");
  const roleBindings = get<RoleBindingObject>("rolebindings.rbac.authorization.k8s.io");
  const clusterRoleBindings = get<RoleBindingObject>("clusterrolebindings.rbac.authorization.k8s.io");
  const fingerprint = [roles, clusterRoles, roleBindings, clusterRoleBindings]
    .flatMap((list) => list.map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}@${o.metadata.resourceVersion}`))
    .sort()
    .join(",");
  return { objects: { roles, clusterRoles, roleBindings, clusterRoleBindings }, fingerprint };
}

/** Asks the API server, 100 reviews per kubectl call (a v1 List is created item by item). */
function askApiServer(env: ClusterEnv, requests: readonly RequestAttributes[]): boolean[] {
  const answers: boolean[] = [];
  for (let i = 0; i < requests.length; i += 100) {
    const list = { apiVersion: "v1", kind: "List", items: requests.slice(i, i + 100).map(sarOf) };
    // kubectl prints one pretty-printed JSON object per created item, one after another.
    const text = kubectl(env, ["create", "-f", "-", "-o", "json"], { input: JSON.stringify(list) }).trim();
    const items = JSON.parse(`[${text.replace(/\n\}\n\{/g, "\n},\n{")}]`) as { status?: { allowed?: boolean } }[];
    assert.equal(items.length, list.items.length, "one review answered per request");
    for (const item of items) answers.push(item.status?.allowed === true);
  }
  return answers;
}

function describe_(a: RequestAttributes): string {
  const who = `${a.user.name} [${a.user.groups.join(",")}]`;
  if (a.path !== undefined && a.resource === undefined) return `${who} ${a.verb} ${a.path}`;
  return `${who} ${a.verb} ${a.apiGroup ? `${a.apiGroup}/` : ""}${a.resource}${a.subresource ? `/${a.subresource}` : ""}${a.name ? ` ${a.name}` : ""} ns=${a.namespace || "(cluster)"}`;
}

describe("RBAC engine vs the API server's SubjectAccessReview", () => {
  let env: ClusterEnv;

  before(async () => {
    env = readClusterEnv();
    // The scenarios' RBAC objects (and their namespaces and ServiceAccounts), as their manifests define them.
    const scenariosDir = join(repoRoot, "test/scenarios");
    const docs: unknown[] = [];
    for (const name of readdirSync(scenariosDir).sort()) {
      for (const file of readdirSync(join(scenariosDir, name)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
        for (const doc of yaml.loadAll(readFileSync(join(scenariosDir, name, file), "utf8"))) {
          const kind = (doc as { kind?: unknown } | null)?.kind;
          if (typeof kind === "string" && RBAC_KINDS.has(kind)) docs.push(doc);
        }
      }
    }
    const byKind = (k: string) => docs.filter((d) => (d as { kind: string }).kind === k);
    // Namespaces first, so that namespaced objects of the same apply find them.
    for (const group of [byKind("Namespace"), docs.filter((d) => (d as { kind: string }).kind !== "Namespace")]) {
      if (group.length) apply(env, { yaml: group.map((d) => yaml.dump(d)).join("---\n") });
    }
    apply(env, { yaml: VARIETY.split("\n---\n").filter((d) => d.includes("kind: Namespace")).join("\n---\n") });
    apply(env, { yaml: VARIETY });
    // The aggregation controller fills e2e-sar-aggregate from both selectors; wait until it has.
    await waitFor("ClusterRole e2e-sar-aggregate aggregated", () => {
      const role = getJson<ClusterRoleObject>(env, ["clusterrole", "e2e-sar-aggregate"]);
      const resources = (role.rules ?? []).flatMap((r) => [...(r.resources ?? []), ...(r.nonResourceURLs ?? [])]);
      return resources.includes("deployments/scale") && resources.includes("leases") && resources.includes("/sar/*");
    }, 60_000, 500);
  }, { timeout: 300_000 });

  after(() => {
    if (!env) return;
    kubectl(env, ["delete", "clusterrolebinding", "e2e-sar-aggregate-bob", "e2e-sar-admin-auditors", "--ignore-not-found"], { allowFailure: true });
    kubectl(env, ["delete", "clusterrole", "e2e-sar-aggregate", "e2e-sar-part-scale", "e2e-sar-part-extra", "--ignore-not-found"], { allowFailure: true });
    kubectl(env, ["delete", "namespace", NS_A, NS_B, "--ignore-not-found", "--wait=false"], { allowFailure: true });
  });

  it(`${TUPLES} seeded random requests: SubjectAccessReview and authorize() agree on every one`, () => {
    console.log(`[rbac-sar] seed ${SEED} (replay with KS_SAR_SEED=${SEED})`);
    const requests = generate(prng(SEED));
    // The RBAC objects must not change while the API server answers: read them before and after,
    // and ask again (at most 3 times) if anything changed in between.
    let attempt = 0;
    let answers: boolean[] = [];
    let objects: Parameters<typeof buildRbacIndex>[0] = {};
    for (;;) {
      const before = readRbac(env);
      answers = askApiServer(env, requests);
      const afterRead = readRbac(env);
      objects = before.objects;
      if (before.fingerprint === afterRead.fingerprint) break;
      attempt++;
      assert.ok(attempt < 3, "the cluster's RBAC objects kept changing during the comparison");
    }
    // Aggregation recomputed by the engine (the controller's eventual state, reached: see before()).
    const index = buildRbacIndex(objects);
    const stored = buildRbacIndex(objects, { aggregation: "stored" });
    for (const [name, sources] of index.aggregationSources) {
      assert.deepEqual(index.clusterRoleRules.get(name), stored.clusterRoleRules.get(name), `aggregated ClusterRole ${name} (from ${sources.join(", ")}): recomputed rules equal the controller's`);
    }
    const mismatches: string[] = [];
    const counts = { allowed: 0, denied: 0, resource: 0, nonResource: 0 };
    requests.forEach((a, i) => {
      const ours = authorize(index, a).allowed;
      const theirs = answers[i]!;
      if (ours !== theirs) mismatches.push(`${describe_(a)}: API server ${theirs ? "allowed" : "denied"}, engine ${ours ? "allowed" : "denied"}`);
      counts[theirs ? "allowed" : "denied"]++;
      counts[a.path !== undefined && a.resource === undefined ? "nonResource" : "resource"]++;
    });
    console.log(
      `[rbac-sar] ${requests.length} SubjectAccessReviews: ${counts.allowed} allowed, ${counts.denied} denied (${counts.resource} resource, ${counts.nonResource} non-resource); ${mismatches.length} mismatches; RBAC objects: ${(objects.clusterRoles ?? []).length} ClusterRoles, ${(objects.clusterRoleBindings ?? []).length} ClusterRoleBindings, ${(objects.roles ?? []).length} Roles, ${(objects.roleBindings ?? []).length} RoleBindings`,
    );
    assert.deepEqual(mismatches, []);
    // A comparison that only ever says "denied" would prove little.
    assert.ok(counts.allowed >= 50 && counts.denied >= 50, `both verdicts well represented: ${JSON.stringify(counts)}`);
  });
});
